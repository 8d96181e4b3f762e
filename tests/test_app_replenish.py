"""AppTest for the Replenishment page on a tiny hand-built store (4 SKUs x 120 days).

FLAT sells exactly 2 units every day, so its forecast is exactly 2 a day and its plan can be
worked out by hand from the forecast's 80% band (read from lib.forecast on the same history,
which the engine memoises: the page and the test share one forecast run).
"""
from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pandas as pd
import pytest
import sklearn.ensemble  # noqa: F401 - loads the OpenMP runtime, so that threadpool_limits can see it
from scipy.stats import norm
from streamlit.testing.v1 import AppTest
from threadpoolctl import threadpool_limits

from lib.forecast import store as forecast_store
from lib.settings import Settings
from lib.ui.widgets.downloads import BUTTON_LABELS as GENERIC  # per-chart/per-table buttons
from lib.warehouse import Warehouse
from tests.support.paths import ROOT
from tests.support.replenish_store import AS_OF, seed_store


def flat_sigma() -> float:
    """FLAT's daily sigma from the forecast the page uses (the store's shared run, lib.forecast.store):
    (upper 80% edge - mean) / 1.2816."""
    wh = Warehouse.open(settings=Settings.from_env())
    # one OpenMP thread for the boosted model: its default thread pool crawls on a busy 2-core machine.
    # The run is memoised per warehouse and data version, so the page reads this same run.
    try:
        with threadpool_limits(limits=1):
            fc = forecast_store.store_run(wh, AS_OF).sku_forecast("day")
    finally:
        wh.dispose()
    flat = fc[fc["unique_id"] == "FLAT"]
    assert len(flat) == forecast_store.HORIZON
    assert (flat["yhat"] == 2.0).all() and flat["yhat_hi_80"].nunique() == 1     # a flat series, a flat band
    return (float(flat["yhat_hi_80"].iloc[0]) - 2.0) / 1.2816


def flat_plan(sigma_d: float, *, level: float = 0.95, review: int = 7, delay: int = 0,
              uplift: float = 0) -> dict:
    """FLAT's plan by hand: lead 7 d, on hand 20, nothing on order, case pack 6, MOQ 12, unit cost 4."""
    f = 1 + uplift / 100
    lead = 7 + delay
    p = lead + review
    mu_p = 2 * f * p                                       # 2 a day over the protection period
    ss = norm.ppf(level) * f * sigma_d * math.sqrt(p)      # independent days: sigma_P = sigma_d sqrt(P)
    rop = mu_p + ss
    top = rop + 2 * f * review                             # + the cycle stock of one review period
    qty = max(math.ceil((top - 20) / 6) * 6, 12)           # up to the case pack, at least the MOQ
    return {"safety_stock": ss, "reorder_point": rop, "order_up_to": top, "order_qty": qty,
            "order_cost": 4.0 * qty, "demand_daily": 2 * f}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    return tmp_path


@pytest.fixture
def store(data_dir):
    seed_store()
    return flat_sigma()


def page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/replenish_page.py")
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def delta(at, label: str) -> str:
    return next(m.proto.delta for m in at.metric if m.label == label)


def rows(at) -> pd.DataFrame:
    return at.dataframe[0].value.set_index("sku")


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [s.value for s in at.success]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def assert_flat(at, expected: dict) -> None:
    got = rows(at).loc["FLAT"]
    for col, value in expected.items():
        assert got[col] == pytest.approx(value, rel=1e-9), col


def test_empty_store_points_to_the_data_page(data_dir):
    at = page()
    assert at.title[0].value == "Replenishment"
    assert "No orders loaded yet." in texts(at)
    assert not at.dataframe and not at.metric


def test_missing_inventory_is_named(data_dir):
    seed_store(with_inventory=False)
    at = page()
    assert "No inventory loaded yet." in texts(at) and "stock on hand and on order" in texts(at)
    assert not at.dataframe


def test_flat_sku_plan_by_hand_tiles_and_downloads(store):
    at = page()
    # P = 7 + 7 = 14 d: mean demand 28; order up to 28 + ss + 14; 22 + ss units -> whole case packs of 6
    expected = flat_plan(store)
    assert_flat(at, expected)
    flat = rows(at).loc["FLAT"]
    assert flat["days_of_cover"] == 10                              # 20 on hand / 2 a day
    assert flat["stockout_date"] == pd.Timestamp("2026-04-11")      # 2 x 11 = 22 > 20 on day 11
    assert flat[["abc", "xyz"]].tolist() == ["A", "X"]              # 3rd of 4 by revenue, cv 0
    cap = rows(at).loc["CAP"]
    assert cap["order_qty"] == 0 and bool(cap["overstock"]) and pd.isna(cap["stockout_date"])
    table = at.dataframe[0].value
    # orders to place first (FLAT, MUG, TEE), earliest stockout first; CAP (nothing to order) last
    assert (table["order_qty"].iloc[:3] > 0).all() and table["sku"].iloc[-1] == "CAP"
    assert table["stockout_date"].iloc[:3].is_monotonic_increasing
    # all three are urgent: out within lead time + review (FLAT on day 11 <= 7 + 7)
    assert table.set_index("sku")["urgent"].to_dict() == {"MUG": True, "TEE": True, "FLAT": True, "CAP": False}
    ordered = table[table["order_qty"] > 0]
    t = tiles(at)
    assert t["SKUs to order"] == str(len(ordered))
    assert t["Cash needed"] == f"${ordered['order_cost'].sum():,.0f}"          # whole dollars on a tile
    # out before an order placed today arrives: MUG (~3.8 a day: 30 last ~8 days, lead 14) and TEE
    # (~1.5 a day: 12 last ~8 days, lead 10); not FLAT (day 11, lead 7) nor CAP
    assert t["Stockout risk"] == "2"
    assert t["Overstock SKUs"] == "1"                               # CAP: 400 on hand, tied up 400 x $5
    assert delta(at, "Overstock SKUs") == "$2,000 tied up"
    assert "Deferred" not in t                                      # no budget, no deferred tile
    # the two counts explained: both at-risk SKUs are ordered; FLAT is ordered without being at risk
    assert ("**Stockout risk 2**: 2 SKUs projected to run out before an order placed today could arrive "
            "(within their lead time; what is on order counts from the end of the lead time, as the feed has no "
            "arrival dates). **3 to order**: SKUs whose stock plus what is on order is at or below the reorder "
            "point this review. Of the 2 at risk, 2 are among the 3 to order. The other 1 to order has stock "
            "until its order arrives, but not the safety stock and the demand up to the next order's "
            "arrival.") in captions(at)
    summary = at.dataframe[1].value
    today = datetime.now(UTC).date()                                # the store's timezone is UTC here
    assert summary["po_number"].tolist() == [f"PO-{today:%Y%m%d}-ACME-1", f"PO-{today:%Y%m%d}-BOLT-1", "Total"]
    assert summary["supplier"].tolist()[:2] == ["Acme", "Bolt"]
    assert summary["cash_needed"].iloc[-1] == pytest.approx(ordered["order_cost"].sum())
    labels = [b.label for b in at.get("download_button") if b.label not in GENERIC]
    assert labels == ["Purchase orders (CSV)", "Purchase orders (XLSX)", "Full plan (CSV)"]
    assert len(at.get("vega_lite_chart")) == 3                      # projection, forecast, cash by supplier


def test_url_state_round_trip_changes_the_plan(store):
    at = page({"sl": "99", "delay": "7", "review": "14"})
    assert at.slider(key="sl").value == 99.0 and at.number_input(key="delay").value == 7
    # L = 14, P = 28: mean 56, z(99%) x sigma_d x sqrt(28); order up to + 28 for the 14-day review
    assert_flat(at, flat_plan(store, level=0.99, delay=7, review=14))
    assert rows(at).loc["FLAT", "lead_time_days"] == 7       # the delay is not the supplier's lead time
    assert tiles(at)["Stockout risk"] == "3"                         # FLAT too now: out on day 11 < 7 + 7
    assert "+ 7 d supplier delay" in "\n".join(c.value for c in at.caption)
    at.slider(key="uplift").set_value(50).run()
    assert not at.exception
    assert_flat(at, flat_plan(store, level=0.99, delay=7, review=14, uplift=50))   # 3 a day
    at.slider(key="sl").set_value(95.0)
    at.number_input(key="delay").set_value(0)
    at.number_input(key="review").set_value(7)
    at.slider(key="uplift").set_value(0)
    at.run()
    assert_flat(at, flat_plan(store))
    per_class = page({"sla": "99", "slc": "90", "sku": "CAP"})       # FLAT is class A, CAP class B
    assert_flat(per_class, flat_plan(store, level=0.99))
    assert "service level **95%**" in "\n".join(c.value for c in per_class.caption)   # CAP: the global level


def test_budget_funds_the_earliest_stockouts_first(store):
    at = page()
    costs = rows(at)["order_cost"]
    flat_cost = costs["FLAT"]
    # MUG, TEE and FLAT are all urgent (out within lead time + review); MUG and TEE run out first (within
    # their lead time), FLAT on day 11. A budget for all but FLAT funds MUG and TEE and leaves $0 for FLAT,
    # whose MOQ of 12 costs $48: deferred.
    budget = float(costs.sum() - flat_cost)
    at.number_input(key="budget").set_value(budget).run()
    assert not at.exception
    flat = rows(at).loc["FLAT"]
    assert flat["order_qty"] == 0 and flat["recommended_qty"] == flat_cost / 4
    assert (f"Not ordered now, deferred by the budget: the order costs ${flat_cost:,.2f} and $0.00 of the "
            f"${budget:,.2f} budget was left when its turn came (urgent orders go first, the earliest projected "
            "stockout first).") in flat["reason"]
    t = tiles(at)
    assert t["Deferred"] == f"${flat_cost:,.0f}" and t["Cash needed"] == f"${budget:,.0f}"
    assert delta(at, "Deferred") == "1 SKU" and delta(at, "Cash needed") == f"of ${budget:,.0f} budget"
    # deferred rows come after the orders to place, before the SKUs with nothing to order
    assert at.dataframe[0].value["sku"].tolist()[-2:] == ["FLAT", "CAP"]
    assert "(1 more deferred)" in captions(at) and "Urgent SKUs are funded first" in captions(at)
    assert at.dataframe[1].value["supplier"].tolist()[:2] == ["Acme", "Bolt"]   # MUG still from Acme
    linked = page({"budget": str(budget)})                            # the same view from the link
    assert rows(linked).loc["FLAT", "order_qty"] == 0 and tiles(linked) == t


def test_filters_sku_detail_and_nothing_to_order(store):
    at = page({"sup": "Bolt", "only": "true", "sku": "TEE"})
    assert rows(at).index.tolist() == ["TEE"]                          # CAP is Bolt's but needs no order
    assert at.selectbox(key="sku").value == "TEE"
    at = page({"sku": "FLAT"})
    assert "**Flat mug** · Acme · class AX" in texts(at)
    assert rows(at).loc["FLAT", "reason"] in [i.value for i in at.info]
    at = page({"abc": "B"})
    assert rows(at).index.tolist() == ["CAP"]
    assert "Nothing to order at a 95% service level: every SKU's position is above its reorder point" \
        in texts(at).replace("**", "")
    assert "No purchase orders to place for these SKUs." in texts(at)
    at.toggle(key="only").set_value(True).run()                       # still says so, with no table left
    assert "Nothing to order at a 95% service level" in texts(at).replace("**", "") and not at.dataframe


def test_bad_link_values_show_a_message(store):
    at = page({"sl": "abc", "review": "0", "abc": "Q"})
    assert "Ignored from the link (not a valid value): sl=abc, review=0, abc=Q" in texts(at)
    assert_flat(at, flat_plan(store))                                 # the defaults meanwhile


def test_linked_sku_is_the_selected_plan_row(store):
    import json

    at = page({"sku": "CAP"})
    order = at.dataframe[0].value["sku"].astype(str).tolist()
    assert at.selectbox(key="sku").value == "CAP"
    # the table draws with the linked SKU's row selected, and the selection state agrees
    assert json.loads(at.dataframe[0].proto.selection_default)["selection"]["rows"] == [order.index("CAP")]
    assert at.session_state["plan_rows"].selection.rows == [order.index("CAP")]
    plain = page()
    assert plain.dataframe[0].proto.selection_default == ""
    assert plain.session_state["plan_rows"].selection.rows == []


def test_plan_table_labels_are_the_export_column_names(store):
    import json

    from lib.replenish import files

    at = page()
    shown = json.loads(at.dataframe[0].proto.columns)
    labels = [shown[c]["label"] for c in at.dataframe[0].value.columns]
    exported = list(files.plan_export(at.dataframe[0].value.assign(stockout_date=None)).columns)
    # every column on screen is in the files under the same name, in the same order
    assert labels == [c for c in exported if c in labels]
    assert labels[:3] == ["SKU", "Name", "Supplier"] and "Order qty" in labels and "Urgent" in labels


def test_urgency_order_puts_orders_to_place_first():
    # X runs out first but has nothing to order (covered by what is on order): it used to lead the table.
    # Orders to place (B, C by stockout), then the deferred D, then X and the SKU without a stockout (Z).
    from lib.ui.replenish.parts import urgency_order

    plan = pd.DataFrame({"sku": ["X", "C", "D", "Z", "B"],
                         "stockout_date": [date(2026, 4, 1), date(2026, 4, 9), date(2026, 4, 2), None,
                                           date(2026, 4, 5)],
                         "days_of_cover": [0.0, 8.0, 1.0, 90.0, 4.0],
                         "recommended_qty": [0, 6, 12, 0, 5], "order_qty": [0, 6, 0, 0, 3]})
    assert urgency_order(plan)["sku"].tolist() == ["B", "C", "D", "X", "Z"]


def test_month_grain_plans_on_the_forecast_pages_months(store):
    """Demand by month: FLAT sells 2 a day, so the daily run's months (April .. June, all inside its 91 days
    from Apr 01) are 2 x their days; the SKU detail's month view holds the Forecast page's month numbers."""
    at = page({"rgrain": "month", "rmonths": "4", "sku": "FLAT"})
    months = next(d.value for d in at.dataframe if "stock at month end" in d.value.columns)
    assert months["month"].astype(str).tolist() == ["2026-04-01", "2026-05-01", "2026-06-01", "2026-07-01"]
    assert months["forecast units"].iloc[:3].tolist() == pytest.approx([60.0, 62.0, 60.0])
    fc = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    fc.run()
    fc.switch_page("pages/forecast_page.py")
    for k, v in {"level": "SKU", "item": "FLAT", "fgrain": "month", "h": "4"}.items():
        fc.query_params[k] = v
    fc.run()
    assert not fc.exception, fc.exception
    shown = {m.label: m.value for m in fc.metric}["Forecast units, next 4 months"]
    assert shown == f"{months['forecast units'].sum():,.0f}"
    assert "The plan uses the month forecast" not in texts(at)
