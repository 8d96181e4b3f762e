"""AppTest for the Pricing & promos page on a tiny hand-built store (4 SKUs x 140 days).

Every SKU sells at its list price every day, in two channels at the same price, except:
- TEE on 2026-03-28: 2 units at list 20 with a 28.00 line discount: net price 6 < unit cost 8, so
  the only pricing problem of the last 30 days is "below cost" with 2 x 8 - 12 = 4.00 at stake;
- MUG from 2026-03-11 to 2026-03-17: promotion P1 (20% off, on record) at 8.00, 5 units a day
  instead of 2, so it is not "off list price";
- CUP's list price moved from 8 to 9 on 2026-01-15 (units 3 then 2 a day) so its price varied.
"""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from lib import fmt, pricing
from lib.forecast import data
from lib.pricing import elasticity as el
from lib.pricing import promos as promos_lib
from lib.settings import Settings
from lib.ui.widgets.downloads import BUTTON_LABELS as GENERIC  # per-chart/per-table buttons
from lib.warehouse import Warehouse
from tests.support.exports import deferred  # noqa: F401 - the download callables, by file name
from tests.support.pricing_store import (
    AS_OF,
    BELOW_COST_DAY,
    PROMOTIONS,
    data_dir,  # noqa: F401 - fixtures, used by name
    page,
    seed_store,
    texts,
    tiles,
)


@pytest.fixture
def store(data_dir):  # noqa: F811
    seed_store()


def test_empty_store_points_to_the_data_page(data_dir):  # noqa: F811
    at = page()
    assert at.title[0].value == "Pricing & promos"
    assert "No orders loaded yet." in texts(at)
    assert not at.tabs and not at.dataframe


def test_missing_products_is_named(data_dir):  # noqa: F811
    seed_store(products=False)
    at = page()
    assert "No products loaded yet." in texts(at) and "unit cost, list price" in texts(at)
    assert not at.tabs


def test_tabs_in_order_and_only_the_open_one_runs(store):
    at = page()
    assert [t.label for t in at.tabs] == ["Scenario builder", "Compare scenarios", "Pricing health", "Elasticities",
                                          "Promotions"]
    assert "Data through Mar 31, 2026." in [c.value for c in at.caption]
    assert "This scenario changes nothing yet" in texts(at)
    assert not at.metric                                     # the hidden tabs (health tiles...) did not run
    for tab in ("Pricing health", "Elasticities", "Promotions"):
        assert not page({"tab": tab}).exception


def test_health_below_cost_by_hand(store, deferred):  # noqa: F811
    at = page({"tab": "Pricing health"})
    table = at.dataframe[0].value
    assert len(table) == 1                                   # the promotion on record is not "off list"
    row = table.iloc[0]
    assert (row["check"], row["sku"], row["name"], row["category"], row["channel"]) == \
        ("Below cost", "TEE", "Tee", "Tees", "Web")                       # check and channel in words
    assert row["day"] == BELOW_COST_DAY and row["units"] == 2 and row["lines"] == 1
    assert row["detail"] == "net price 6.00 < unit cost 8.00"
    assert row["revenue_at_stake"] == pytest.approx(4.0)     # 2 x 8 - (2 x 20 - 28)
    t = tiles(at)
    # the tile says what it counts: SKUs, then the SKU-days (a SKU on one day in one channel) behind them
    assert t["Below cost"] == "1 SKU" and t["Low margin"] == "0 SKUs" and t["Off list price"] == "0 SKUs"
    assert at.metric[0].proto.delta == "1 SKU-day · $4"
    assert at.metric[0].proto.help.endswith("Counted: 1 SKU on 1 SKU-day (a SKU on one day in one channel), "
                                            "from 1 sale line (2 units).")
    assert any("Each tile counts the SKUs a check flagged" in c.value.replace("**", "") for c in at.caption)
    assert [b.label for b in at.get("download_button") if b.label not in GENERIC] == ["Findings (CSV)"]
    # the files: the screen's column names, numbers as numbers, the filters in the name
    stem = "pricing-health-2026-03-02-to-2026-03-31-tolerance-2pct-min-margin-15pct"
    csv = pd.read_csv(io.BytesIO(deferred[f"{stem}.csv"]()))
    assert list(csv.columns) == ["Check", "SKU", "Name", "Category", "Channel", "Day", "Detail", "Units",
                                 "Sale lines", "Revenue at stake"]
    assert csv.iloc[0][["Check", "SKU", "Day", "Units", "Sale lines", "Revenue at stake"]].tolist() == \
        ["Below cost", "TEE", "2026-03-28", 2, 1, 4.0]
    sheet = openpyxl.load_workbook(io.BytesIO(deferred[f"{stem}.xlsx"]())).active
    assert sheet["J1"].value == "Revenue at stake" and sheet["J2"].value == 4.0
    assert sheet["J2"].number_format == '"$"#,##0.00' and sheet["I2"].number_format == "#,##0"


def test_health_controls_from_the_link(store):
    at = page({"tab": "Pricing health", "ph_days": "3"})     # Mar 29-31: the Mar 28 sale is out
    assert at.number_input(key="ph_days").value == 3
    assert "Nothing flagged: from Mar 29 to Mar 31, 2026" in texts(at) and not at.dataframe
    # margins: MUG 60%, CUP 66.7%, TEE 60% (less the discount), CAP 58.3%: all below 70%
    at = page({"tab": "Pricing health", "ph_margin": "70", "ph_check": "Low margin"})
    table = at.dataframe[0].value
    assert sorted(table["sku"]) == ["CAP", "CUP", "MUG", "TEE"] and set(table["check"]) == {"Low margin"}
    assert tiles(at)["Low margin"] == "4 SKUs" and tiles(at)["Below cost"] == "1 SKU"   # tiles count every check
    stake = fmt.money(float(table["revenue_at_stake"].sum()), "USD", 0)
    assert [m.proto.delta for m in at.metric if m.label == "Low margin"][0] == f"{stake} at stake"
    cap = table.set_index("sku").loc["CAP"]
    # CAP over the 30 days: 2 a day + 1 on 5 busy days = 65 units at 12 (cost 5): revenue 780, margin 455;
    # 70% of 780 would be 546, so 91 is missing
    assert cap["units"] == 65 and cap["revenue_at_stake"] == pytest.approx(91.0)


def test_bad_link_values_show_a_notice_and_the_defaults(store):
    at = page({"tab": "Pricing health", "ph_days": "0", "ph_tol": "abc"})
    assert "Ignored from the link (not a valid value): ph_days=0, ph_tol=abc" in texts(at)
    assert at.number_input(key="ph_days").value == 30 and at.number_input(key="ph_tol").value == 2.0
    assert at.dataframe[0].value["revenue_at_stake"].tolist() == pytest.approx([4.0])
    at = page({"tab": "Nowhere"})
    assert "Ignored from the link (not a valid value): tab=Nowhere" in texts(at)


def expected_elasticities() -> pd.DataFrame:
    wh = Warehouse.open(settings=Settings.from_env())
    out = pricing.elasticities(wh, as_of=AS_OF)
    wh.dispose()
    return out


def test_elasticities_tab(store):
    exp = expected_elasticities()
    own = int((exp["method"] == el.METHOD_SKU).sum())
    assert exp.loc[exp["sku"] == "MUG", "method"].item() == el.METHOD_CATEGORY   # its price never moved
    at = page({"tab": "Elasticities"})
    t = tiles(at)
    assert (t["SKUs"], t["Own estimate"], t["Category estimate"]) == ("4", str(own), str(4 - own))
    skus = at.dataframe[0].value
    assert skus["sku"].tolist() == ["CAP", "CUP", "MUG", "TEE"]
    assert skus["elasticity"].tolist() == pytest.approx(exp["elasticity"].tolist(), nan_ok=True)
    assert at.dataframe[1].value["category"].tolist() == ["Mugs", "Tees"]
    assert "-1.5 means a 10% price rise loses about 15% of units" in texts(at)
    # what an interval means, and that MUG's value (its price never moved) is borrowed, in words
    assert "Of 100 SKUs shown with a 95% interval, about 95 have their true elasticity inside it" in texts(at)
    assert "its value is borrowed from its category" in texts(at)
    assert skus.set_index("sku")["method"].to_dict() == {
        s: ("Borrowed from its category" if m == el.METHOD_CATEGORY else "SKU, pooled toward its category")
        for s, m in zip(exp["sku"], exp["method"], strict=True)}
    assert len(at.get("vega_lite_chart")) == 1
    mugs = page({"tab": "Elasticities", "el_cat": "Mugs"})
    assert mugs.dataframe[0].value["sku"].tolist() == ["CUP", "MUG"]
    assert mugs.dataframe[1].value["category"].tolist() == ["Mugs"]
    bad = page({"tab": "Elasticities", "el_cat": "Shoes"})
    assert "Ignored from the link (not a valid value): el_cat=Shoes" in texts(bad)
    assert len(bad.dataframe[0].value) == 4


def _signed(text: str) -> int:
    """'+1,234' / '−56' / '0' as shown on a tile -> an int."""
    return int(text.replace("−", "-").replace(",", "").replace("+", ""))


def test_promotions_tab(store):
    wh = Warehouse.open(settings=Settings.from_env())
    hist = data.history(wh, AS_OF)
    exp = pricing.promo_lift(hist, PROMOTIONS)
    wh.dispose()
    net = promos_lib.net_incremental(exp, promos_lib.promo_categories(PROMOTIONS, hist)).set_index("category")
    at = page({"tab": "Promotions"})
    by_promo = at.dataframe[2].value.set_index("promo_id")
    p1 = by_promo.loc["P1"]
    assert p1["days"] == 7 and p1["units"] == 35             # 5 a day for 7 days
    assert p1["incremental"] == pytest.approx(35 - exp["by_promo"]["baseline"].item())
    assert p1["lift"] == pytest.approx(exp["by_promo"]["lift"].item()) and p1["lift"] > 2
    assert p1["type"] == "Percent off" and p1["category"] == "Mugs"          # a key in words
    by_depth = at.dataframe[1].value
    assert by_depth[["type", "depth_bucket", "promos"]].values.tolist() == [["Percent off", "20-30", 1]]
    t = tiles(at)
    # signs shown, and the identity holds to the unit on screen: net = incremental - dip - cannibalised
    assert t["Incremental units"] == f"+{round(35 - exp['by_promo']['baseline'].item()):,}"
    inc, less_dip, less_cann, shown_net = (_signed(t[k]) for k in ("Incremental units", "Post-promotion dip",
                                                                   "Cannibalised", "Net incremental"))
    assert inc + less_dip + less_cann == shown_net
    total = net.loc[promos_lib.ALL_CATEGORIES]
    assert (inc, -less_dip, -less_cann, shown_net) == (total["incremental"], total["dip"], total["cannibalised"],
                                                       total["net"])
    delta = [m.proto.delta for m in at.metric if m.label == "Net incremental"][0]
    assert delta == f"= {t['Incremental units']} {'−' if less_dip < 0 else '+'} {abs(less_dip):,} " \
                    f"{'−' if less_cann < 0 else '+'} {abs(less_cann):,}"
    per_cat = at.dataframe[0].value
    assert list(at.dataframe[0].proto.column_order) == ["category", "promos", "incremental", "less_dip",
                                                        "less_cannibalised", "net"]      # the signed terms only
    assert per_cat["category"].tolist() == ["Mugs", promos_lib.ALL_CATEGORIES]
    assert (per_cat["incremental"] + per_cat["less_dip"] + per_cat["less_cannibalised"] == per_cat["net"]).all()
    assert at.dataframe[4].value["category"].tolist() == ["Mugs"]      # CUP is MUG's sibling
    assert len(at.get("vega_lite_chart")) == 1


def test_promotions_tab_without_a_promotions_feed(data_dir):  # noqa: F811
    seed_store(promotions=False)
    at = page({"tab": "Promotions"})
    assert "No promotions loaded." in texts(at) and not at.dataframe


def test_notebook_reports_of_the_analysis_tabs_show_the_pages_numbers(store):
    """lib/reports/pricing.py (the notebook export) shows each analysis tab as the page does: the same
    Elasticities and Promotions tiles, and Pricing health's SKU counts."""
    from lib import reports
    from lib.reports.blocks import Chart, Table, Tiles

    def report_tiles(blocks) -> dict[str, str]:
        return {t.label: t.value for b in blocks if isinstance(b, Tiles) for t in b.tiles}

    wh = Warehouse.open(settings=Settings.from_env())
    try:
        elasticities = reports.build("pricing", wh, [("tab", "Elasticities")])
        promotions = reports.build("pricing", wh, [("tab", "Promotions")])
        health = reports.build("pricing", wh, [("tab", "Pricing health"), ("ph_days", "90")])
    finally:
        wh.dispose()
    page_el = tiles(page({"tab": "Elasticities"}))
    assert {k: report_tiles(elasticities)[k] for k in ("SKUs", "Own estimate", "Category estimate")} == \
        {k: page_el[k] for k in ("SKUs", "Own estimate", "Category estimate")}
    assert any(isinstance(b, Chart) for b in elasticities)
    assert report_tiles(promotions)["Net incremental"] == tiles(page({"tab": "Promotions"}))["Net incremental"]
    page_health = tiles(page({"tab": "Pricing health", "ph_days": "90"}))
    assert report_tiles(health)["Below cost"] == page_health["Below cost"]
    assert any(isinstance(b, Table) for b in health)
