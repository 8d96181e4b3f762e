"""Replenishment planner (lib.replenish): worked examples with the arithmetic in comments.

Common setup unless a test says otherwise: as_of = 2026-03-01, so forecast day k is 2026-03-01 + k;
lead time 14 d, review 7 d, no delay -> L = 14, P = 21; a flat forecast of 1 unit/day with a zero-width
80% band (sigma 0) for 60 days. Then mu_P = 21, sigma_P = 0, safety stock 0, reorder point s = 21,
mu_R = demand of days 15..21 = 7, order-up-to S = 28.
"""
from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.stats import truncnorm

from lib import replenish
from lib.replenish import classify, expected_gain, plan
from tests.support.replenish_plan import AS_OF, flat, forecast, item, run


def test_case_pack_rounding_and_reason():
    # IP = 2 <= s = 21 -> raw = S - IP = 28 - 2 = 26; ceil(26 / 12) = 3 case packs -> 36 units, cost 36 * 5.
    # Stock 2 runs out on day 3 (cumulative demand 3 > 2): 2026-03-04.
    # Rows on as_of itself and for SKUs not in items are ignored.
    noise = pd.DataFrame({"unique_id": ["P", "GHOST"],
                          "ds": pd.to_datetime([AS_OF, AS_OF + timedelta(days=1)]),
                          "yhat": [500.0, 9.0], "yhat_lo_80": [0.0, 0.0], "yhat_hi_80": [900.0, 9.0]})
    p = run([item("P", on_hand=2, case_pack=12)], [flat("P"), noise])
    assert list(p.reset_index().columns) == replenish.PLAN_COLUMNS
    r = p.loc["P"]
    assert (r.demand_p, r.sigma_p, r.safety_stock, r.reorder_point, r.order_up_to) == (21, 0, 0, 21, 28)
    assert r.demand_daily == 1 and r.position == 2 and r.days_of_cover == 2
    assert (r.recommended_qty, r.order_qty, r.order_cost) == (36, 36, 180)
    assert r.stockout_date == date(2026, 3, 4) and not r.overstock
    assert r.reason == ("Stock 2 + on order 0 = 2 is at or below the reorder point 21 (lead time 14 d + "
                        "review 7 d demand 21 + safety 0): order up to 28 -> 26 -> 3 case packs of 12 = 36. "
                        "Projected stockout on 2026-03-04.")


def test_moq_raises_the_rounded_quantity():
    # raw 26: pack 12, MOQ 40 -> 3 packs = 36 < 40 -> smallest multiple of 12 >= 40 = 48.
    # pack 12, MOQ 30 -> 36 >= 30 already (smallest multiple >= 30 is 36): stays 36.
    # pack 1, MOQ 50 -> 26 units raised to 50.
    p = run([item("A", on_hand=2, case_pack=12, moq=40), item("B", on_hand=2, case_pack=12, moq=30),
             item("C", on_hand=2, moq=50)], [flat("A"), flat("B"), flat("C")])
    assert p.recommended_qty.to_dict() == {"A": 48, "B": 36, "C": 50}
    assert "-> 26 -> 3 case packs of 12 = 36, raised to MOQ 40 = 48." in p.loc["A", "reason"]
    assert "3 case packs of 12 = 36." in p.loc["B", "reason"] and "MOQ" not in p.loc["B", "reason"]
    assert "-> 26 -> 26 units, raised to MOQ 50." in p.loc["C", "reason"]


def test_zero_demand_and_no_forecast():
    # Z: forecast of 0 -> mu_P = 0 -> no order, days of cover undefined; its 5 units exceed
    # S + 90 d demand = 0 (dead stock). N: no forecast rows at all -> no order, no stockout, not flagged
    # as overstock.
    p = run([item("Z", on_hand=5), item("N", on_hand=5)], [flat("Z", 0.0)])
    assert (p.recommended_qty == 0).all() and (p.order_qty == 0).all()
    assert math.isnan(p.loc["Z", "days_of_cover"]) and math.isnan(p.loc["N", "days_of_cover"])
    assert p.loc["Z", "reason"] == ("No order: zero forecast demand over the next 21 d. Overstock: "
                                    "position 5 is above order-up-to 0 + 90 d demand 0.")
    assert bool(p.loc["Z", "overstock"]) and not p.loc["N", "overstock"]
    assert p.loc["N", "reason"] == "No demand forecast: no order."
    assert p.loc["N", "stockout_date"] is None and p.loc["N", "demand_p"] == 0


def test_stock_above_order_up_to_and_overstock():
    # H: IP 200 > s 21 -> 0; overstock since 200 > S 28 + 90 days * 1 = 118.
    # M: IP 50 > 21 -> 0; 50 <= 118, not overstock; 50 units last 50 days, the 60-day forecast shows the
    # stockout on day 51 = 2026-04-21.  E: IP 21 = s (at the reorder point) -> raw 28 - 21 = 7.
    p = run([item("H", on_hand=200), item("M", on_hand=50), item("E", on_hand=21)],
            [flat("H"), flat("M"), flat("E")])
    assert p.recommended_qty.to_dict() == {"H": 0, "M": 0, "E": 7}
    assert p.overstock.to_dict() == {"H": True, "M": False, "E": False}
    assert p.loc["H", "reason"] == ("No order: position 200 above reorder point 21. Overstock: position 200 "
                                    "is above order-up-to 28 + 90 d demand 90.")
    assert p.loc["M", "reason"] == ("No order: position 50 above reorder point 21. "
                                    "Projected stockout on 2026-04-21.")


def test_on_order_counts_in_the_position():
    # A: 5 + 20 on order = 25 > 21 -> no order.  B: 5 + 10 = 15 <= 21 -> raw 28 - 15 = 13.
    p = run([item("A", on_hand=5, on_order=20), item("B", on_hand=5, on_order=10)], [flat("A"), flat("B")])
    assert p.position.to_dict() == {"A": 25, "B": 15}
    assert p.recommended_qty.to_dict() == {"A": 0, "B": 13}
    assert p.loc["A", "reason"].startswith("No order: position 25 above reorder point 21.")
    assert p.loc["B", "reason"].startswith("Stock 5 + on order 10 = 15 is at or below")


def test_delay_days_lengthen_the_protection_period():
    # IP 22. No delay: 22 > s 21 -> 0. Delay 3: L = 17, P = 24, mu_P = 24 = s, mu_R = days 18..24 = 7,
    # S = 31 -> 22 <= 24 -> raw 31 - 22 = 9.
    rows, demand = [item("D", on_hand=22)], [flat("D")]
    assert run(rows, demand).loc["D", "recommended_qty"] == 0
    r = run(rows, demand, delay_days=3).loc["D"]
    assert (r.demand_p, r.reorder_point, r.order_up_to, r.recommended_qty) == (24, 24, 31, 9)
    assert "(lead time 14 d + delay 3 d + review 7 d demand 24 + safety 0)" in r.reason


def test_cycle_stock_is_the_demand_of_the_last_review_days():
    # yhat = k on day k (30 days), sigma 0, L 14, P 21: mu_P = 1 + ... + 21 = 231 = s; mu_R = days 15..21
    # = 231 - (1 + ... + 14 = 105) = 126; S = 357; IP 0 -> 357. demand_daily = 231 / 21 = 11.
    r = run([item("R")], [forecast("R", np.arange(1, 31))]).loc["R"]
    assert (r.demand_p, r.reorder_point, r.order_up_to, r.demand_daily) == (231, 231, 357, 11)
    assert r.recommended_qty == 357


def test_uplift_scales_mean_and_sigma():
    # yhat 2/day, sigma_d 1: mu_P = 42, sigma_P = sqrt(21) = 4.582576. Uplift +10%: mu_P = 46.2,
    # sigma_P = 1.1 * 4.582576 = 5.040833; at 95% z = 1.644854 -> safety 8.291433.
    base = run([item("U")], [flat("U", 2.0, sigma=1.0)]).loc["U"]
    assert base.demand_p == pytest.approx(42) and base.sigma_p == pytest.approx(4.582576, abs=1e-6)
    up = run([item("U")], [flat("U", 2.0, sigma=1.0)], uplift_pct=10).loc["U"]
    assert up.demand_p == pytest.approx(46.2) and up.sigma_p == pytest.approx(5.040833, abs=1e-6)
    assert up.safety_stock == pytest.approx(8.291433, abs=1e-6)
    assert "demand 46.2 incl. +10% uplift + safety 8.3" in up.reason
    # -100% removes all demand: no order.
    gone = run([item("U")], [flat("U", 2.0, sigma=1.0)], uplift_pct=-100).loc["U"]
    assert gone.demand_p == 0 and gone.recommended_qty == 0


def test_abc_class_service_levels():
    # sigma_P = sqrt(21) = 4.582576, mu_P = 42, mu_R = 14 (yhat 2).
    # A at 99%: z = 2.326348 -> safety 10.660665, s = 52.660665, S = 66.660665 -> raw 66.66 -> 67.
    # B and the unclassified SKU use the global 90%: z = 1.281552 -> safety 5.872807, S = 61.872807 -> 62.
    rows = [item("A", abc="A"), item("B", abc="B"), item("X", abc=None)]
    p = run(rows, [flat(s, 2.0, sigma=1.0) for s in "ABX"], service_level=0.9, class_service={"A": 0.99})
    assert p.service_level.to_dict() == {"A": 0.99, "B": 0.9, "X": 0.9}
    assert p.safety_stock.to_numpy() == pytest.approx([10.660665, 5.872807, 5.872807], abs=1e-6)
    assert p.order_up_to.to_numpy() == pytest.approx([66.660665, 61.872807, 61.872807], abs=1e-6)
    assert p.recommended_qty.to_dict() == {"A": 67, "B": 62, "X": 62}


def test_budget_cap_same_stockout_day_goes_by_sales_per_money_and_cuts_to_fit():
    # Each SKU: IP 0, mu_P 21 (sigma 0) -> qty 28, out of stock on day 1: all urgent, on the same day, so
    # they go by expected sales per money. Expected extra sales = price * (min(21, 28) - min(21, 0)) = price * 21.
    #                    price cost | order cost | expected sales | sales per money
    #   A                  10    5   |   140      |   210          | 1.50
    #   B                  30   10   |   280      |   630          | 2.25
    #   C                   8    2   |    56      |   168          | 3.00
    # Total 476 > budget 300: C (56, 244 left), B (280 > 244: cut to 24 units = 240, 4 left), A (140 > 4:
    # not even one unit at 5 fits: deferred).
    rows = [item("A", price=10, unit_cost=5), item("B", price=30, unit_cost=10),
            item("C", price=8, unit_cost=2)]
    demand = [flat(s) for s in "ABC"]
    p = run(rows, demand, budget=300)
    assert p.expected_sales.to_dict() == {"A": 210, "B": 630, "C": 168}
    assert p.urgent.all()
    assert p.recommended_qty.to_dict() == {"A": 28, "B": 28, "C": 28}
    assert p.order_qty.to_dict() == {"A": 0, "B": 24, "C": 28}
    assert p.order_cost.to_dict() == {"A": 0, "B": 240, "C": 56}
    assert "Cut by the budget from 28 to 24 units = $240.00: $244.00 of the $300.00 budget was left" \
        in p.loc["B", "reason"]
    assert "Not ordered now, deferred by the budget: the order costs $140.00 and $4.00 of the $300.00" \
        in p.loc["A", "reason"]
    assert "budget" not in p.loc["C", "reason"]
    # A budget that covers everything (476) defers nothing; a budget of 0 defers every order.
    assert run(rows, demand, budget=476).order_qty.sum() == 84
    assert run(rows, demand, budget=0).order_qty.sum() == 0


def test_expected_gain_matches_numeric_integration():
    # Reference: D ~ Normal(10, 4) truncated to [0, inf), E[min(D, b)] by numeric expectation.
    mu, sigma = 10.0, 4.0
    d = truncnorm(-mu / sigma, np.inf, loc=mu, scale=sigma)

    def limited(b):
        return b if b <= 0 else integrate.quad(lambda x: min(x, b) * d.pdf(x), 0, 60, points=[b])[0]

    for low, high in [(5, 15), (0, 8), (12, 30), (-3, 4)]:
        assert expected_gain(mu, sigma, low, high) == pytest.approx(limited(high) - limited(low), abs=1e-7)


def test_stockout_counts_on_order_arriving_at_lead_time():
    # 3 units/day, lead 5: on_order arrives on the morning of day 5 (2026-03-06).
    # A: stock 10 + 20 on order: cumulative 3, 6, 9, 12 -> day 4 (12 > 10), before the receipt: 2026-03-05.
    # B: stock 14 + 20: day 5 cum 15 > 14 but the 20 arrive that morning (34); 34 is exceeded on day 12 (36):
    # 2026-03-13. C: stock 14, nothing on order: day 5 (15 > 14): 2026-03-06.
    rows = [item(s, lead_time_days=5, on_hand=h, on_order=o) for s, h, o in [("A", 10, 20), ("B", 14, 20),
                                                                             ("C", 14, 0)]]
    p = run(rows, [flat(s, 3.0, days=30) for s in "ABC"])
    assert p.stockout_date.to_dict() == {"A": date(2026, 3, 5), "B": date(2026, 3, 13), "C": date(2026, 3, 6)}


def test_horizon_extension_for_long_lead_times():
    # 14 forecast days: days 1-7 yhat 1 (sigma 1), days 8-14 yhat 2 (sigma 0.5). Lead 30 + review 7: P = 37.
    # Days 15..37 (23 days) take the last 7 days' mean 2 and sigma 0.5.
    # mu_P = 7*1 + 7*2 + 23*2 = 67; var = 7*1 + 7*0.25 + 23*0.25 = 14.5 -> sigma_P = 3.807887;
    # mu_R = days 31..37 = 14; safety (95%) = 1.644854 * 3.807887 = 6.263416; S = 67 + 6.263416 + 14.
    # 90-day overstock demand = 21 + 76 * 2 = 173.
    # Stockout, stock 60: cum(14) = 21, then 21 + 2 (k - 14) > 60 from k = 34 <= P: 2026-04-04.
    # Stock 300: cum(37) = 67 < 300 -> none within P; 300 > S 87.26 + 173 = 260.26 -> overstock.
    yhat, sig = [1.0] * 7 + [2.0] * 7, [1.0] * 7 + [0.5] * 7
    p = run([item("L", lead_time_days=30, on_hand=60), item("M", lead_time_days=30, on_hand=300)],
            [forecast("L", yhat, sig), forecast("M", yhat, sig)])
    r = p.loc["L"]
    assert r.demand_p == pytest.approx(67) and r.sigma_p == pytest.approx(3.807887, abs=1e-6)
    assert r.safety_stock == pytest.approx(6.263416, abs=1e-6)
    assert r.order_up_to == pytest.approx(87.263416, abs=1e-6)
    assert r.stockout_date == date(2026, 4, 4)
    assert p.loc["M", "stockout_date"] is None and bool(p.loc["M", "overstock"])
    assert "90 d demand 173." in p.loc["M", "reason"]


def test_classify_tiny_sales_table():
    # as_of 2026-03-01, days 28 -> window 02-02..03-01, weeks counted back: w0 = 02-23..03-01,
    # w1 = 02-16..22, w2 = 02-09..15, w3 = 02-02..08.
    # P1: 10 units/week, revenue 4 * 175 = 700 -> weekly [10,10,10,10], cv 0 -> X.
    # P2: weekly [5, 15 (7 + 8 on two days), 5, 15], revenue 200 -> mean 10, sd 5, cv 0.5 -> Y (not < 0.5).
    # P3: 8 units in w3 only, revenue 60 -> [0,0,0,8]: mean 2, sd sqrt((3*4 + 36)/4) = sqrt(12),
    # cv sqrt(3) = 1.732 -> Z.
    # P4: 4 units in w0, revenue 40 (its 02-01 row, before the window, is ignored) -> cv sqrt(3) -> Z.
    # P5: only a sale after as_of -> revenue 0 -> C, Z.
    # ABC, total 1000: P1 (above it 0%) A; P2 (70% above, crosses 80%) A; P3 (90%) B; P4 (96%) C; P5 C.
    d = pd.Timestamp
    rows = [("P1", d("2026-03-01"), 10, 175), ("P1", d("2026-02-20"), 10, 175),
            ("P1", d("2026-02-10"), 10, 175), ("P1", d("2026-02-02"), 10, 175),
            ("P2", d("2026-02-25"), 5, 50), ("P2", d("2026-02-16"), 7, 25), ("P2", d("2026-02-17"), 8, 25),
            ("P2", d("2026-02-12"), 5, 50), ("P2", d("2026-02-05"), 15, 50),
            ("P3", d("2026-02-03"), 8, 60), ("P4", d("2026-02-28"), 4, 40), ("P4", d("2026-02-01"), 50, 1000),
            ("P5", d("2026-03-02"), 9, 500)]
    sales = pd.DataFrame(rows, columns=["sku", "ds", "units", "revenue"])
    c = classify(sales, as_of=AS_OF, days=28)
    assert list(c.columns) == ["sku", "revenue", "abc", "weekly_mean", "weekly_cv", "xyz"]
    assert c.sku.tolist() == ["P1", "P2", "P3", "P4", "P5"]
    assert c.revenue.tolist() == [700, 200, 60, 40, 0]
    assert c.abc.tolist() == ["A", "A", "B", "C", "C"]
    assert c.weekly_mean.tolist() == [10, 10, 2, 1, 0]
    assert c.weekly_cv.iloc[:4].to_numpy() == pytest.approx([0, 0.5, math.sqrt(3), math.sqrt(3)])
    assert math.isnan(c.weekly_cv.iloc[4])
    assert c.xyz.tolist() == ["X", "Y", "Z", "Z", "Z"]
    with pytest.raises(ValueError, match="at least 7"):
        classify(sales, as_of=AS_OF, days=3)


def test_missing_optional_columns_get_defaults():
    rows = pd.DataFrame({"sku": ["Q"], "unit_cost": [2.0], "price": [4.0], "on_hand": [np.nan],
                         "lead_time_days": [14]})
    r = plan(rows, flat("Q"), as_of=AS_OF).iloc[0]
    assert (r["name"], r.category, r.supplier, r.on_hand, r.on_order, r.moq, r.case_pack) == \
        ("Q", "(not set)", "(no supplier)", 0, 0, 1, 1)
    assert r.recommended_qty == 28


@pytest.mark.parametrize("kw, message", [
    ({"service_level": 0.5}, "above 50%"), ({"service_level": 1.0}, "above 50%"),
    ({"class_service": {"A": 1.2}}, "class A"), ({"review_days": -1}, "review period"),
    ({"delay_days": 1.5}, "supplier delay"), ({"budget": -1}, "budget"), ({"uplift_pct": -150}, "uplift"),
    ({"overstock_days": -5}, "overstock"),
])
def test_parameter_validation(kw, message):
    with pytest.raises(ValueError, match=message):
        run([item("A")], [flat("A")], **kw)


def test_items_validation():
    with pytest.raises(ValueError, match="lead_time_days"):
        plan(pd.DataFrame([item("A")]).drop(columns="lead_time_days"), flat("A"), as_of=AS_OF)
    with pytest.raises(ValueError, match="unit_cost must be a number"):
        run([item("A", unit_cost=np.nan)], [flat("A")])
    with pytest.raises(ValueError, match="once"):
        run([item("A"), item("A")], [flat("A")])


def test_a_fractional_case_pack_orders_whole_packs_as_the_pricing_page_does():
    # as test_case_pack_rounding_and_reason: raw 26; a case pack of 2.5 ships as 3 -> ceil(26 / 3) = 9 cases
    p = run([item("P", on_hand=2, case_pack=2.5)], [flat("P")])
    r = p.loc["P"]
    assert (r.case_pack, r.order_qty) == (3, 27)
