"""Stock consequences of a scenario, worked by hand.

Baseline: A sells 10 a day from Apr 1 (as_of Mar 31). Scenario: A 10% cheaper for Apr 1-10 with
elasticity -2, so it sells 10 x 0.9^-2 = 12.345679 a day. A has 60 on hand and 30 on order arriving on
day L = 5 (Apr 5): available 60 on days 1-4 and 90 from day 5.

* baseline: cumulative 10k; 100 > 90 first on day 10 (Apr 10); need_base = 100 - 90 = 10;
* scenario: cumulative 12.345679k; 98.77 > 90 first on day 8 (Apr 8); need_scenario = 123.45679 - 90
  = 33.45679; extra = 23.45679 -> case pack 6: 4 cases = 24 (MOQ 12 is below); cost 24 x 4 = 96;
* needed by: first day the scenario is short by more than 10: day 8 short 8.77, day 9 short 21.11 ->
  Apr 9; order by Apr 9 - 5 days = Apr 4, in time.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib import pricing, replenish
from lib.pricing.scenario import Scenario
from tests.support.scenario import PRODUCTS, baseline, run, sim_a

AS_OF = date(2026, 3, 31)


def items(lead: int = 5, on_hand: float = 60, on_order: float = 30) -> pd.DataFrame:
    return pd.DataFrame({"sku": ["A", "B", "C"], "name": ["Mug A", "Mug B", "Tee C"],
                         "category": ["Mugs", "Mugs", "Tees"], "supplier": ["Acme", "Acme", "Bolt"],
                         "unit_cost": [4.0, 8.0, 10.0], "price": [10.0, 20.0, 30.0],
                         "on_hand": [on_hand, 500, 500], "on_order": [on_order, 0, 0],
                         "lead_time_days": [lead, 7, 7], "moq": [12, 1, 1], "case_pack": [6, 1, 1]})


def test_extra_order_rounded_to_case_pack_with_its_dates():
    s = pricing.stock_impact(sim_a(), items(), AS_OF)
    assert s["sku"].tolist() == ["A"]                     # only the SKUs the scenario changes
    r = s.iloc[0]
    assert r["stockout_base"] == date(2026, 4, 10) and r["stockout_scenario"] == date(2026, 4, 8)
    assert r["need_base"] == pytest.approx(10.0)
    assert r["need_scenario"] == pytest.approx(10 * 0.9 ** -2 * 10 - 90)
    assert r["extra_units"] == pytest.approx(10 * 0.9 ** -2 * 10 - 100)
    assert r["extra_qty"] == 24 and r["extra_cost"] == pytest.approx(96.0)
    assert r["needed_by"] == date(2026, 4, 9) and r["order_by"] == date(2026, 4, 4) and r["in_time"]
    assert "order 24 more" in r["note"] and "by Apr 04" in r["note"]


def test_moq_above_the_need_and_a_lead_time_too_long():
    s = pricing.stock_impact(sim_a(), items(lead=12, on_hand=90, on_order=0).assign(moq=[40, 1, 1]), AS_OF)
    r = s.iloc[0]
    # 90 on hand, nothing on order: baseline needs 10, scenario 33.46 -> 23.46 extra; MOQ 40 -> 42 (7 cases)
    assert r["extra_qty"] == 42
    assert r["needed_by"] == date(2026, 4, 9)             # short by more than 10 first on day 9 (21.1)
    assert r["order_by"] == date(2026, 3, 28) and not r["in_time"]
    assert "too late" in r["note"] and "arrives on Apr 12" in r["note"]


def test_enough_stock_needs_no_extra_order():
    r = pricing.stock_impact(sim_a(), items(on_hand=500), AS_OF).iloc[0]
    assert r["extra_qty"] == 0 and r["stockout_scenario"] is None and pd.isna(r["order_by"])
    assert "covers the scenario" in r["note"]


def test_a_scenario_that_changes_nothing_has_no_stock_rows():
    sim = run(Scenario("Nothing", date(2026, 4, 1), date(2026, 4, 10)))
    assert pricing.stock_impact(sim, items(), AS_OF).empty


def test_scenario_demand_feeds_the_replenishment_plan():
    sim = sim_a()
    demand = pricing.scenario_demand(sim)
    assert list(demand.columns) == ["unique_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95",
                                    "yhat_hi_95"]
    base = baseline().drop(columns=["price", "promo"])
    with_lift = replenish.plan(items(), demand, as_of=AS_OF, service_level=0.9)
    without = replenish.plan(items(), base, as_of=AS_OF, service_level=0.9)
    a1, a0 = (p.set_index("sku").loc["A"] for p in (with_lift, without))
    # protection period 5 + 7 = 12 days, 10 of them at the scenario's rate and 2 (past its last day) at
    # the mean of its last 7 forecast days (also the scenario's rate)
    assert a1["demand_p"] == pytest.approx(12 * 10 * 0.9 ** -2)
    assert a0["demand_p"] == pytest.approx(12 * 10.0)
    assert a1["recommended_qty"] > a0["recommended_qty"]
    assert with_lift.set_index("sku").loc["C", "recommended_qty"] == without.set_index("sku").loc["C",
                                                                                                 "recommended_qty"]
    assert PRODUCTS["sku"].tolist() == ["A", "B", "C"]


def test_apply_to_forecast_changes_only_the_scenarios_skus_and_extends_past_a_short_horizon():
    sim = sim_a()                                         # A -10% on Apr 1-10
    short = baseline().drop(columns=["price", "promo"])
    short = short[short["ds"] <= pd.Timestamp("2026-04-04")].reset_index(drop=True)   # a 4-day forecast
    out = pricing.apply_to_forecast(short, sim)
    a = out[out["unique_id"] == "A"].set_index("ds")
    assert len(a) == 10                                   # 4 days scaled + 6 days from the simulation
    assert a["yhat"].tolist() == pytest.approx([10 * 0.9 ** -2] * 10)
    assert a.loc[pd.Timestamp("2026-04-02"), "yhat_hi_80"] == pytest.approx(12 * 0.9 ** -2.5)
    others = out[out["unique_id"] != "A"].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, short[short["unique_id"] != "A"].reset_index(drop=True))
    nothing = run(Scenario("Nothing", date(2026, 4, 1), date(2026, 4, 10)))
    assert pricing.apply_to_forecast(short, nothing) is short


def test_a_sku_missing_from_the_active_items_gets_no_order_and_says_why():
    s = pricing.stock_impact(sim_a(), items().iloc[1:], AS_OF)
    r = s.iloc[0]
    assert r["sku"] == "A" and r["extra_qty"] == 0 and "Not an active product" in r["note"]
    assert r["demand_scenario"] == pytest.approx(100 * 0.9 ** -2)


def test_a_fractional_case_pack_orders_whole_packs_as_the_replenishment_plan_does():
    # case pack 2.5 ships as 3 (lib.replenish.packs, the Replenishment plan's rule): the 23.46 extra units
    # of test_extra_order_rounded_to_case_pack_with_its_dates become ceil(23.46 / 3) = 8 cases = 24 units
    # (before the shared rule: 10 packs of 2.5 = 25 here, 24 on the Replenishment page)
    s = pricing.stock_impact(sim_a(), items().assign(case_pack=[2.5, 1, 1], moq=[1, 1, 1]), AS_OF)
    r = s.iloc[0]
    assert r["extra_units"] == pytest.approx(10 * 0.9 ** -2 * 10 - 100)
    assert (r["extra_qty"], r["case_pack"]) == (24, 3)
    assert "case pack 3" in r["note"]
