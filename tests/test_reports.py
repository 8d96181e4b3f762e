"""Pages as reports (lib/reports) and the notebook HTML export built from them: no Streamlit runtime.

The store is the small one of tests/test_versions.py (orders on 2026-03-30/31), loaded in two data
versions, so the export is checked to read the notebook's own version."""
from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd

from lib import reports
from lib.reports import html as report_html
from lib.reports.blocks import Chart, Table, Tiles
from lib.reports.notebook import notebook_html
from lib.sharing import notebooks as nbs
from lib.warehouse import versions
from tests.support.app_views import env  # noqa: F401 - the fixture
from tests.support.version_feeds import orders

AS_OF = date(2026, 3, 31)


def _tiles(blocks) -> dict[str, str]:
    return {t.label: t.value for b in blocks if isinstance(b, Tiles) for t in b.tiles}


def test_overview_report_reads_the_link_like_the_page(env):  # noqa: F811
    blocks = reports.build("overview", env, [("range", "Last 90 days"), ("grain", "week")], currency="USD")
    tiles = _tiles(blocks)
    lines = orders(3)                   # the store's 3 orders: revenue = quantity x unit price - discount
    revenue = float((lines["quantity"] * lines["unit_price"] - lines.get("discount", 0)).sum())
    assert tiles["Orders"] == "3" and tiles["Revenue"] == f"${revenue:,.2f}"
    assert any(isinstance(b, Chart) for b in blocks)
    by_channel = [b for b in blocks if isinstance(b, Table) and "Channel" in b.frame.columns][0].frame
    assert by_channel["Revenue"].sum() == revenue


def test_a_link_value_the_page_would_refuse_falls_back_to_the_default(env):  # noqa: F811
    bad = reports.build("overview", env, [("range", "Last 9000 days"), ("grain", "decade")])
    good = reports.build("overview", env, [])
    assert _tiles(bad) == _tiles(good)
    assert reports.build("no-such-page", env, [])[0].kind == "warning"


def test_html_export_holds_notes_tiles_charts_and_tables_of_its_data_version(env):  # noqa: F811
    v1 = env.data_version()
    env.load("orders", orders(5), source="o2", as_of=AS_OF, now=datetime(2026, 4, 2, 10))
    assert env.data_version() != v1 and versions.is_kept(env, v1)
    nb = nbs.Notebook("abcdefgh", "Export <test>", v1).add_markdown("## Notes\n\n- **three** orders then")
    nb = nb.add_view("", [], "Home as it was").add_view("overview", [("range", "Last 90 days")], "KPIs")
    seen = []
    doc = notebook_html(nb, lambda v: versions.pinned(env, v), now=datetime(2026, 4, 3, 9),
                        progress=lambda f, m: seen.append(f))
    assert doc.startswith("<!doctype html>") and "Export &lt;test&gt;" in doc
    assert "<li><strong>three</strong> orders then</li>" in doc
    home = doc.split("Home as it was")[1].split("KPIs")[0]
    assert re.search(r'class="label">Orders</div><div class="value">3</div>', home)   # v1 had 3 orders
    kpis = doc.split("<h2>KPIs</h2>")[1]
    assert kpis.count("<svg") >= 3 and "<table>" in kpis and "Dates: Dec 02, 2025 – Mar 01, 2026" in kpis   # 90 days to the last order
    assert "<script" not in doc
    body = doc.split("<body>")[1].replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        "http://www.w3.org/1999/xlink", "")
    assert "http://" not in body and "https://" not in body                       # nothing to fetch
    assert seen == sorted(seen) and seen[-1] == 1.0                                # progress only moves forward


def test_a_view_that_fails_is_named_and_the_rest_of_the_file_is_kept(env, monkeypatch):  # noqa: F811
    from lib.reports import overview

    def broken(*a, **k):
        raise RuntimeError("boom")
    monkeypatch.setattr(overview, "build", broken)
    nb = nbs.Notebook("abcdefgh", "Fails", env.data_version()).add_view("overview", []).add_markdown("still here")
    doc = notebook_html(nb, lambda v: env)
    assert "This view could not be exported" in doc and "still here" in doc and "boom" not in doc


def test_tables_render_numbers_for_people():
    doc = report_html.render([Table(pd.DataFrame({"SKU": ["A<b>"], "Revenue": [2158.5299999999997],
                                                  "Units": [1200]}))])
    assert "<td>A&lt;b&gt;</td><td>2,158.53</td><td>1,200</td>" in doc


def test_forecast_and_replenishment_reports_read_the_shared_run_like_their_pages(tmp_path, monkeypatch):
    """The small store of tests/test_app_replenish.py: the Forecast report's 28-day total and the
    Replenishment report's plan come from the same run the pages read (lib.forecast.store), so a SKU's
    forecast in the export equals the run's, and the plan table holds the plan's order quantities."""
    from lib import replenish
    from lib.forecast import store
    from lib.replenish import view as plan_view
    from lib.settings import Settings
    from lib.warehouse import Warehouse
    from tests.support.replenish_store import seed_store as seed

    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    seed()
    wh = Warehouse.open(settings=Settings.from_env())
    try:
        as_of = kpis_span(wh)
        run = store.store_run(wh, as_of)
        sku = run.daily["unique_id"].iloc[0]
        blocks = reports.build("forecast", wh, [("level", "SKU"), ("item", sku), ("fgrain", "day"), ("h", "28")])
        expected = run.forecast("sku", "day", 28, only=sku)["yhat"].sum()
        assert _tiles(blocks)["Forecast units, next 28 days"] == f"{round(expected):,}"
        assert any(isinstance(b, Chart) for b in blocks)
        rep = reports.build("replenishment", wh, [("sl", "99")], today=date(2026, 4, 1))
        items = plan_view.plan_inputs(wh, as_of, run.daily)
        plan = replenish.plan(items, run.sku_forecast("day", store.HORIZON), as_of=as_of, service_level=0.99)
        table = [b for b in rep if isinstance(b, Table) and "SKU" in b.frame.columns][0].frame
        shown = dict(zip(table["SKU"], table["Order qty"].astype(int), strict=True))
        assert _tiles(rep)["Units to order"] == f"{int(plan['order_qty'].sum()):,}"
        assert shown == dict(zip(plan["sku"], plan["order_qty"].astype(int), strict=True))
    finally:
        wh.dispose()


def kpis_span(wh):
    from lib.analytics import kpis

    return kpis.order_span(wh)[1]
