"""Scenario arithmetic on a hand-built baseline: every expected value below is worked out by hand.

Store: A and B are mugs (list 10 and 20, unit cost 4 and 8), C a tee (list 30, cost 10). The baseline
forecast sells A 10, B 5 and C 2 units a day from Apr 1 to Apr 10, with bands at 0.8/1.2 (80%) and
0.6/1.4 (95%) of the mean. C has a 20% promotion scheduled on Apr 5 (price 24 that day).
Elasticities: A -2 (-2.5..-1.5), B -1 (-1.2..-0.8), C -1.5 (-1.5..-1.5).
Type lifts: percent_off k 1.2 (1.1..1.3); all types pooled 1.25. Mugs cannibalisation rate 0.1.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from lib import pricing
from lib.pricing.scenario import Promotion, Scenario, ScenarioError
from lib.pricing.simulation import IN_SCOPE, OTHER, SIBLING, WATERFALL_STEPS
from tests.support.scenario import DAYS, ELASTICITIES, PRODUCTS, baseline, run


def cell(sim: pd.DataFrame, sku: str, day: str) -> pd.Series:
    return sim[(sim["unique_id"] == sku) & (sim["ds"] == pd.Timestamp(day))].iloc[0]


# -- a scenario that changes nothing is the baseline, exactly ------------------------------------
@pytest.mark.parametrize("sc", [
    Scenario("Nothing", date(2026, 4, 1), date(2026, 4, 10)),
    Scenario("Zero change on A", date(2026, 4, 2), date(2026, 4, 6), skus=("A",), price_change_pct=0.0),
    # 10% on C on Apr 5 is shallower than the scheduled 20%: the scheduled promotion stays
    Scenario("Shallower than scheduled", date(2026, 4, 5), date(2026, 4, 5), skus=("C",),
             promotions=(Promotion(10, date(2026, 4, 5), date(2026, 4, 5)),)),
    # a channel the SKUs never sold through reaches no demand
    Scenario("Unused channel", date(2026, 4, 1), date(2026, 4, 10), channels=("marketplace",),
             price_change_pct=-30),
])
def test_a_scenario_that_changes_nothing_returns_the_baseline_exactly(sc):
    sim = run(sc)
    base = baseline()
    assert not sim["changed"].any()
    np.testing.assert_array_equal(sim["units_scenario"].to_numpy(), sim["units_base"].to_numpy())
    np.testing.assert_array_equal(sim["units_base"].to_numpy(), base.sort_values(["unique_id", "ds"])["yhat"])
    for b in ("lo_80", "hi_80", "lo_95", "hi_95"):
        np.testing.assert_array_equal(sim[b].to_numpy(), sim[f"base_{b}"].to_numpy())
    np.testing.assert_array_equal(sim["revenue_scenario"].to_numpy(), sim["revenue_base"].to_numpy())
    np.testing.assert_array_equal(sim["margin_scenario"].to_numpy(), sim["margin_base"].to_numpy())
    assert (sim["incremental_units"] == 0).all() and (sim["cannibalised_units"] == 0).all()
    w = pricing.waterfall(sim)
    assert w["amount"].tolist()[1:4] == [0.0, 0.0, 0.0]


# -- price change ----------------------------------------------------------------------------------
def test_a_price_cut_moves_units_by_the_elasticity_and_margin_uses_unit_cost():
    sim = run(Scenario("A -10%", date(2026, 4, 3), date(2026, 4, 4), skus=("A",), price_change_pct=-10))
    r = cell(sim, "A", "2026-04-03")
    units = 10 * 0.9 ** -2                               # 12.345679...
    assert r["units_scenario"] == pytest.approx(units, rel=1e-12)
    assert r["price_scenario"] == pytest.approx(9.0)
    assert r["revenue_scenario"] == pytest.approx(units * 9, rel=1e-12)         # 111.11
    assert r["margin_scenario"] == pytest.approx(units * (9 - 4), rel=1e-12)     # 61.73
    assert r["margin_base"] == pytest.approx(10 * (10 - 4))
    assert r["incremental_units"] == pytest.approx(units - 10, rel=1e-12)
    # bands: the elasticity interval's ends give ratios 0.9^-1.5 and 0.9^-2.5
    assert r["lo_80"] == pytest.approx(8 * 0.9 ** -1.5, rel=1e-12)
    assert r["hi_80"] == pytest.approx(12 * 0.9 ** -2.5, rel=1e-12)
    assert r["lo_95"] == pytest.approx(6 * 0.9 ** -1.5, rel=1e-12)
    assert r["role"] == IN_SCOPE and r["changed"]
    # outside the window, other SKUs: untouched
    assert cell(sim, "A", "2026-04-05")["units_scenario"] == 10.0
    assert cell(sim, "B", "2026-04-03")["units_scenario"] == 5.0 and cell(sim, "B", "2026-04-03")["role"] == OTHER
    s = pricing.summary(sim)
    assert s["units_base"] == pytest.approx(2 * (10 + 5 + 2))
    assert s["units_scenario"] == pytest.approx(2 * units + 2 * (5 + 2), rel=1e-12)
    assert s["skus_changed"] == 1


def test_waterfall_splits_the_margin_change_into_price_and_volume_exactly():
    sim = run(Scenario("A -10%", date(2026, 4, 3), date(2026, 4, 4), skus=("A",), price_change_pct=-10))
    w = pricing.waterfall(sim).set_index("step")["amount"]
    units = 10 * 0.9 ** -2
    base = 2 * (10 * 6 + 5 * 12 + 2 * 20)                # window Apr 3-4: A, B, C margins at list price
    assert list(w.index) == WATERFALL_STEPS
    assert w["Baseline margin"] == pytest.approx(base)
    assert w["Price change"] == pytest.approx(2 * 10 * (9 - 10))            # -20
    assert w["Extra units"] == pytest.approx(2 * (units - 10) * (9 - 4), rel=1e-12)
    assert w["Cannibalised"] == 0.0
    assert w["Scenario margin"] == pytest.approx(w.iloc[:4].sum(), rel=1e-12)


# -- promotions, type lift, cannibalisation ---------------------------------------------------------
def test_a_promotion_applies_its_price_effect_and_type_lift_and_cannibalises_siblings():
    sc = Scenario("A 20% off", date(2026, 4, 5), date(2026, 4, 6), skus=("A",),
                  promotions=(Promotion(20, date(2026, 4, 5), date(2026, 4, 6), "percent_off"),))
    sim = run(sc)
    a, b, c = cell(sim, "A", "2026-04-05"), cell(sim, "B", "2026-04-05"), cell(sim, "C", "2026-04-05")
    q = 0.8 ** -2 * 1.2                                   # 1.875
    assert a["units_scenario"] == pytest.approx(10 * q)   # 18.75
    assert a["price_scenario"] == pytest.approx(8.0)
    assert a["revenue_scenario"] == pytest.approx(150.0)
    assert a["margin_scenario"] == pytest.approx(150.0 - 18.75 * 4)
    # band ends: elasticity -2.5 / -1.5 with type lift 1.1 / 1.3
    assert a["lo_80"] == pytest.approx(8 * 0.8 ** -1.5 * 1.1)
    assert a["hi_80"] == pytest.approx(12 * 0.8 ** -2.5 * 1.3)
    # B, the other mug, loses 10% of its baseline; C (another category) is untouched
    assert b["role"] == SIBLING and b["cannibalised_units"] == pytest.approx(0.5)
    assert b["units_scenario"] == pytest.approx(4.5) and b["revenue_scenario"] == pytest.approx(90.0)
    assert b["margin_scenario"] == pytest.approx(4.5 * 12)
    assert b["lo_80"] == pytest.approx(4 * 0.9) and b["incremental_units"] == 0.0
    assert c["role"] == OTHER and c["units_scenario"] == 2.0
    assert cell(sim, "B", "2026-04-07")["units_scenario"] == 5.0     # after the promotion
    w = pricing.waterfall(sim).set_index("step")["amount"]
    assert w["Cannibalised"] == pytest.approx(-2 * 0.5 * 12)
    assert w["Price change"] == pytest.approx(2 * 10 * (8 - 10))
    assert w["Extra units"] == pytest.approx(2 * 8.75 * (8 - 4))


def test_the_scope_summary_counts_the_scope_and_its_siblings_and_the_change_is_the_whole_stores():
    # A 20% off on Apr 5-6 (window Apr 5-6): A is in scope, B its sibling (Mugs), C (Tees) untouched
    sc = Scenario("A 20% off", date(2026, 4, 5), date(2026, 4, 6), skus=("A",),
                  promotions=(Promotion(20, date(2026, 4, 5), date(2026, 4, 6), "percent_off"),))
    sim = run(sc)
    scope, whole = pricing.summary(sim, scope_only=True), pricing.summary(sim)
    assert scope["units_base"] == pytest.approx(2 * (10 + 5))                  # A and B, 2 days
    assert scope["units_scenario"] == pytest.approx(2 * 18.75 + 2 * 4.5)       # 46.5
    assert whole["units_base"] == pytest.approx(2 * (10 + 5 + 2))              # with C: 34
    assert whole["units_scenario"] == pytest.approx(46.5 + 4)
    assert scope["margin_base"] == pytest.approx(2 * (10 * 6 + 5 * 12))        # 240
    assert scope["margin_scenario"] == pytest.approx(2 * (150 - 18.75 * 4) + 2 * 4.5 * 12)   # 258
    for k in ("units", "revenue", "margin"):                                    # the same change either way
        assert scope[f"{k}_scenario"] - scope[f"{k}_base"] == \
            pytest.approx(whole[f"{k}_scenario"] - whole[f"{k}_base"])
    assert (scope["skus_in_scope"], scope["skus_siblings"], scope["skus"], scope["days"]) == (1, 1, 2, 2)
    assert (whole["skus_in_scope"], whole["skus_siblings"], whole["skus"]) == (1, 1, 3)
    w = pricing.waterfall(sim, scope_only=True).set_index("step")["amount"]
    assert w["Baseline margin"] == pytest.approx(240.0) and w["Scenario margin"] == pytest.approx(258.0)
    assert w["Baseline margin"] + w["Price change"] + w["Extra units"] + w["Cannibalised"] == pytest.approx(258.0)
    assert pricing.waterfall(sim)["amount"].tolist()[1:4] == pytest.approx(w.tolist()[1:4])
    assert sorted(sim.loc[pricing.scope_rows(sim), "unique_id"].unique()) == ["A", "B"]


@pytest.mark.parametrize("kw, scope", [
    ({}, "every SKU · every channel"),
    ({"categories": ("Kitchen",)}, "Kitchen · every channel"),
    ({"categories": ("Kitchen", "Bath", "Garden")}, "Kitchen, Bath and Garden · every channel"),
    ({"categories": ("Kitchen",), "skus": ("A-1",), "channels": ("paid_search",)},
     "Kitchen, plus SKU A-1 · Paid search only"),
    ({"skus": ("A", "B", "C", "D"), "channels": ("web", "email")}, "4 SKUs · Web and Email only"),
])
def test_a_scenario_says_its_scope_and_window_in_words(kw, scope):
    sc = Scenario("S", date(2026, 12, 6), date(2026, 12, 19), **kw)
    assert sc.scope_text() == scope
    assert sc.window_text() == "Dec 06 – Dec 19, 2026 (14 days)"
    assert Scenario("S", date(2026, 12, 28), date(2027, 1, 3)).window_text() == "Dec 28, 2026 – Jan 03, 2027 (7 days)"
    assert Scenario("S", date(2026, 12, 28), date(2026, 12, 28)).window_text() == "Dec 28 – Dec 28, 2026 (1 day)"


def test_cannibalisation_never_exceeds_what_the_promoted_skus_gained():
    base = baseline({"A": 10.0, "B": 200.0, "C": 2.0})
    sc = Scenario("A 20% off", date(2026, 4, 5), date(2026, 4, 5), skus=("A",),
                  promotions=(Promotion(20, date(2026, 4, 5), date(2026, 4, 5)),))
    sim = run(sc, base, cannibalisation=pd.DataFrame({"category": ["Mugs"], "rate": [0.5]}))
    assert cell(sim, "B", "2026-04-05")["cannibalised_units"] == pytest.approx(8.75)   # not 100


def test_a_channel_only_promotion_reaches_only_that_channels_share():
    sc = Scenario("Email 20%", date(2026, 4, 5), date(2026, 4, 5), skus=("A",), channels=("email",),
                  promotions=(Promotion(20, date(2026, 4, 5), date(2026, 4, 5)),))
    a = cell(run(sc), "A", "2026-04-05")
    assert a["share"] == 0.25
    assert a["units_scenario"] == pytest.approx(10 * (0.75 + 0.25 * 1.875))          # 12.1875
    assert a["revenue_scenario"] == pytest.approx(10 * (0.75 * 10 + 0.25 * 1.875 * 8))  # 112.5


def test_a_deeper_promotion_replaces_the_scheduled_one():
    sc = Scenario("C 30%", date(2026, 4, 5), date(2026, 4, 5), categories=("Tees",),
                  promotions=(Promotion(30, date(2026, 4, 5), date(2026, 4, 5)),))
    c = cell(run(sc), "C", "2026-04-05")
    q = (0.7 ** -1.5 * 1.2) / (0.8 ** -1.5 * 1.25)        # new promotion over the scheduled one (pooled k)
    assert c["units_scenario"] == pytest.approx(2 * q)
    assert c["price_base"] == pytest.approx(24.0) and c["price_scenario"] == pytest.approx(21.0)
    assert c["revenue_scenario"] == pytest.approx(2 * q * 21)


def test_a_price_change_under_a_scheduled_promotion_keeps_the_promotion():
    sc = Scenario("C -10%", date(2026, 4, 5), date(2026, 4, 5), skus=("C",), price_change_pct=-10)
    c = cell(run(sc), "C", "2026-04-05")
    assert c["units_scenario"] == pytest.approx(2 * 0.9 ** -1.5)
    assert c["price_scenario"] == pytest.approx(30 * 0.9 * 0.8)


def test_a_sku_without_an_elasticity_takes_its_categorys_median_and_widest_interval():
    base = pd.concat([baseline(), baseline({"D": 4.0})], ignore_index=True)
    products = pd.concat([PRODUCTS, pd.DataFrame({"sku": ["D"], "category": ["Mugs"], "unit_cost": [5.0],
                                                  "price": [10.0]})], ignore_index=True)
    sim = run(Scenario("Mugs +10%", date(2026, 4, 1), date(2026, 4, 1), categories=("Mugs",),
                       price_change_pct=10), base, products=products)
    d = cell(sim, "D", "2026-04-01")
    assert d["elasticity"] == -1.5 and d["elasticity_from"] == "category"
    assert d["units_scenario"] == pytest.approx(4 * 1.1 ** -1.5)
    assert d["lo_80"] == pytest.approx(3.2 * 1.1 ** -2.5)      # a price rise: the steepest end is the lowest
    assert d["hi_80"] == pytest.approx(4.8 * 1.1 ** -0.8)
    assert cell(sim, "A", "2026-04-01")["elasticity_from"] == "sku"


def test_without_effect_estimates_a_promotion_is_its_price_effect_alone():
    sc = Scenario("A 20%", date(2026, 4, 5), date(2026, 4, 5), skus=("A",),
                  promotions=(Promotion(20, date(2026, 4, 5), date(2026, 4, 5)),))
    a = cell(pricing.simulate(baseline(), sc, elasticities=ELASTICITIES, products=PRODUCTS), "A", "2026-04-05")
    assert a["units_scenario"] == pytest.approx(10 * 0.8 ** -2)


def test_daily_totals_combine_sku_bands_as_independent_errors():
    sim = run(Scenario("Nothing", date(2026, 4, 1), date(2026, 4, 2)))
    t = pricing.daily_totals(sim)
    assert list(t["ds"]) == list(DAYS[:2])
    row = t.iloc[0]
    assert row["units_base"] == 17.0 and row["units_scenario"] == 17.0
    assert row["base_hi_80"] == pytest.approx(17 + np.sqrt(2.0 ** 2 + 1.0 ** 2 + 0.4 ** 2))
    assert row["scenario_lo_95"] == pytest.approx(17 - np.sqrt(4.0 ** 2 + 2.0 ** 2 + 0.8 ** 2))
    assert row["revenue_base"] == pytest.approx(10 * 10 + 5 * 20 + 2 * 30)


def test_compare_lists_each_scenario_against_the_baseline_and_caps_at_four():
    a = run(Scenario("A -10%", date(2026, 4, 3), date(2026, 4, 4), skus=("A",), price_change_pct=-10))
    n = run(Scenario("Nothing", date(2026, 4, 3), date(2026, 4, 4)))
    t = pricing.compare({"A -10%": a, "Nothing": n}).set_index("scenario")
    assert t.at["Nothing", "margin_change"] == 0.0
    assert t.at["A -10%", "units_change"] == pytest.approx(2 * (10 * 0.9 ** -2 - 10))
    assert t.at["A -10%", "revenue_base"] == pytest.approx(2 * (100 + 100 + 60))
    with pytest.raises(ScenarioError, match="at most 4"):
        pricing.compare({str(i): n for i in range(5)})


def test_a_window_outside_the_forecast_is_refused_with_the_dates():
    with pytest.raises(ScenarioError, match="2026-04-01 to 2026-04-10"):
        run(Scenario("Late", date(2026, 4, 8), date(2026, 4, 12)))


# -- the scenario spec -------------------------------------------------------------------------------
@pytest.mark.parametrize("kw, message", [
    ({"price_change_pct": -95}, "between -90% and 200%"),
    ({"end": date(2026, 3, 1)}, "ends .* before it starts"),
    ({"name": "  "}, "needs a name"),
    ({"promotions": (Promotion(10, date(2026, 3, 30), date(2026, 4, 2)),)}, "inside the scenario window"),
    ({"skus": ("A", "")}, "non-empty names"),
    ({"price_change_pct": float("nan")}, "finite"),
])
def test_bad_scenarios_are_refused_with_the_rule(kw, message):
    args = {"name": "S", "start": date(2026, 4, 1), "end": date(2026, 4, 10), **kw}
    with pytest.raises(ScenarioError, match=message):
        Scenario(**args)


@pytest.mark.parametrize("discount", [0, -5, 95])
def test_promotion_discounts_outside_the_range_are_refused(discount):
    with pytest.raises(ScenarioError, match="discount"):
        Promotion(discount, date(2026, 4, 1), date(2026, 4, 2))


def test_json_round_trip_and_tampered_specs():
    sc = Scenario("Spring", "2026-04-01", "2026-04-10", skus=["A"], categories=("Tees",), channels=("email",),
                  price_change_pct=-5, promotions=({"discount_pct": 15, "start": "2026-04-02",
                                                    "end": "2026-04-03", "type": "bundle"},))
    assert sc.start == date(2026, 4, 1) and sc.promotions[0].type == "bundle"
    assert Scenario.from_json(sc.to_json()) == sc
    with pytest.raises(ScenarioError, match="Unknown scenario field"):
        Scenario.from_dict({**sc.to_dict(), "sql": "drop table"})
    with pytest.raises(ScenarioError, match="must be a date"):
        Scenario.from_dict({**sc.to_dict(), "start": "April"})
    with pytest.raises(ScenarioError, match="not valid JSON"):
        Scenario.from_json("{")
    assert not sc.changes_nothing and Scenario("x", "2026-04-01", "2026-04-01").changes_nothing
