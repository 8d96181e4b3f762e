"""The budget cap (lib/replenish/budget.py): urgent SKUs first, the earliest stockout first, then value for
money; an order that does not fit whole is cut to the case packs that fit (at least the MOQ).

Setup as in tests/test_replenish.py: as_of 2026-03-01, lead 14 d + review 7 d = P 21 d, flat forecasts.

U, the urgent SKU: nothing on hand, 1 a day, sigma 0 -> reorder point 21, order up to 28 -> 28 units at
$5 = $140. Its stock is out on day 1 (2026-03-02), within P: urgent. Expected extra sales over P
= price 6 x (min(21, 28) - min(21, 0)) = $126 -> $0.90 per $1.
S, the slow stock: 25 on hand, 1 a day with sigma_d 1 -> sigma_P = sqrt(21) = 4.5826, safety (95%)
1.6449 x 4.5826 = 7.54, reorder point 28.54, order up to 35.54 -> raw 10.54 -> 11 units at $1 = $11.
Its 25 units last until day 26 (2026-03-27) > P: not urgent. Expected extra units
E[min(D, 36)] - E[min(D, 25)] = 0.4829 (D ~ N(21, 4.5826)), x price 100 = $48.29 -> $4.39 per $1: the
better value for money by far, which used to put it first.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from lib.replenish import Tally, at_risk, explain, tally
from lib.replenish.budget import allocate
from tests.support.replenish_plan import AS_OF, flat, item, run

U = item("U", price=6, unit_cost=5)
S = item("S", price=100, unit_cost=1, on_hand=25)
DEMAND = [flat("U"), flat("S", sigma=1.0)]


def test_an_urgent_sku_with_nothing_on_hand_is_funded_before_slow_stock():
    # Budget $140: U first ($140, $0 left), then S ($11 > $0): deferred. Before the fix S went first
    # ($4.39 per $1), leaving $129 < $140, and U, out of stock tomorrow, was deferred.
    p = run([U, S], DEMAND, budget=140)
    assert p.expected_sales.round(2).to_dict() == {"U": 126.0, "S": 48.29}
    assert p.urgent.to_dict() == {"U": True, "S": False}
    assert p.stockout_date.to_dict() == {"U": date(2026, 3, 2), "S": date(2026, 3, 27)}
    assert p.recommended_qty.to_dict() == {"U": 28, "S": 11}
    assert p.order_qty.to_dict() == {"U": 28, "S": 0}
    assert p.order_cost.to_dict() == {"U": 140.0, "S": 0.0}
    assert "budget" not in p.loc["U", "reason"]
    assert p.loc["S", "reason"] == (
        "Stock 25 + on order 0 = 25 is at or below the reorder point 28.5 (lead time 14 d + review 7 d demand "
        "21 + safety 7.5): order up to 35.5 -> 10.5 -> 11 units. Not ordered now, deferred by the budget: the "
        "order costs $11.00 and $0.00 of the $140.00 budget was left when its turn came (urgent orders go "
        "first, then the orders buying the most expected sales per $1; this one buys $4.39 per $1). "
        "Projected stockout on 2026-03-27.")
    # $151 covers both; $150 leaves $10 after U: S is cut to 10 units ($10), not deferred.
    assert run([U, S], DEMAND, budget=151).order_qty.to_dict() == {"U": 28, "S": 11}
    assert run([U, S], DEMAND, budget=150).order_qty.to_dict() == {"U": 28, "S": 10}


def test_an_urgent_order_too_big_for_the_budget_is_cut_to_case_packs_of_at_least_the_moq():
    # U in case packs of 4 ($20 a pack), MOQ 8: still 28 units = 7 packs.
    # $100: U gets 5 packs = 20 units ($100), S nothing left. The reason says so, in dollars.
    u = {**U, "case_pack": 4, "moq": 8}
    p = run([u, S], DEMAND, budget=100)
    assert p.order_qty.to_dict() == {"U": 20, "S": 0}
    assert ("-> 28 -> 7 case packs of 4 = 28. Cut by the budget from 28 to 20 units (5 case packs of 4) = "
            "$100.00: $100.00 of the $100.00 budget was left when its turn came (urgent orders go first, the "
            "earliest projected stockout first).") in p.loc["U", "reason"]
    # $30: one pack (4 units) is below the MOQ of 8: U is deferred; S ($11) still fits in the $30.
    p = run([u, S], DEMAND, budget=30)
    assert p.order_qty.to_dict() == {"U": 0, "S": 11}
    assert "Not ordered now, deferred by the budget: the order costs $140.00 and $30.00 of the $30.00 budget" \
        in p.loc["U", "reason"]
    # $40 buys two packs = 8 units = the MOQ.
    assert run([u, S], DEMAND, budget=40).order_qty.to_dict() == {"U": 8, "S": 0}


def test_among_urgent_skus_the_earliest_stockout_goes_first():
    # U1: nothing on hand, out on day 1; 28 units at $5 = $140, $126 of sales ($0.90 per $1).
    # U2: 10 on hand, out on day 11 (2026-03-12, within P); raw 28 - 10 = 18 units at $5 = $90; expected
    # sales 20 x (min(21, 28) - min(21, 10)) = $220 ($2.44 per $1). Budget $140: U1 first, U2 deferred.
    u1, u2 = item("U1", price=6, unit_cost=5), item("U2", price=20, unit_cost=5, on_hand=10)
    p = run([u1, u2], [flat("U1"), flat("U2")], budget=140)
    assert p.urgent.all()
    assert p.stockout_date.to_dict() == {"U1": date(2026, 3, 2), "U2": date(2026, 3, 12)}
    assert p.expected_sales.to_dict() == {"U1": 126.0, "U2": 220.0}
    assert p.order_qty.to_dict() == {"U1": 28, "U2": 0}
    assert "(urgent orders go first, the earliest projected stockout first)." in p.loc["U2", "reason"]


def test_a_currency_other_than_dollars_reads_in_the_reasons():
    p = run([U, S], DEMAND, budget=140, currency="EUR")
    assert "the order costs €11.00 and €0.00 of the €140.00 budget" in p.loc["S", "reason"]
    assert "this one buys €4.39 per €1)" in p.loc["S", "reason"]


def test_allocate_by_hand():
    # Four orders (qty, $/unit, pack, min qty, urgent, stockout day, value per $):
    #   a: 10 x 1 = 10, not urgent, value 5     c: 6 x 10 = 60, urgent day 3, value 1
    #   b: 4 x 5 = 20, urgent day 3, value 2    d: 0 units (no order)
    # Order of funding: b (day 3, value 2), c (day 3, value 1), a. Budget 50: b 20 (30 left), c 60 > 30 ->
    # cut to whole packs of 2 ($20 a pack): 1 pack = 2 units < min 4 -> 0; a 10 fits (20 left).
    got = allocate(qty=[10, 4, 6, 0], unit_cost=[1.0, 5.0, 10.0, 3.0], case_pack=np.array([1, 1, 2, 1]),
                   min_qty=np.array([1, 1, 4, 1]), urgent=[False, True, True, False],
                   stockout_day=[0, 3, 3, 1], value=[5.0, 2.0, 1.0, np.nan], budget=50)
    assert got.order_qty.tolist() == [10, 4, 0, 0]
    assert got.available[:3].tolist() == [30.0, 50.0, 30.0] and np.isnan(got.available[3])
    assert got.left == pytest.approx(20.0)
    # Budget 70: b 20 (50 left), c cut to 4 units (2 packs, $40; 10 left), a 10 fits: 0 left.
    got = allocate(qty=[10, 4, 6, 0], unit_cost=[1.0, 5.0, 10.0, 3.0], case_pack=np.array([1, 1, 2, 1]),
                   min_qty=np.array([1, 1, 4, 1]), urgent=[False, True, True, False],
                   stockout_day=[0, 3, 3, 1], value=[5.0, 2.0, 1.0, np.nan], budget=70)
    assert got.order_qty.tolist() == [10, 4, 4, 0] and got.left == pytest.approx(0.0)
    # No budget, or a budget that covers everything ($90): every order whole, nothing to report.
    for budget in (None, 90):
        got = allocate(qty=[10, 4, 6, 0], unit_cost=[1.0, 5.0, 10.0, 3.0], case_pack=np.array([1, 1, 2, 1]),
                       min_qty=np.array([1, 1, 4, 1]), urgent=[False, True, True, False],
                       stockout_day=[0, 3, 3, 1], value=[5.0, 2.0, 1.0, np.nan], budget=budget)
        assert got.order_qty.tolist() == [10, 4, 6, 0] and got.left is None


def test_stockout_risk_and_to_order_counted_and_explained_by_hand():
    # Lead 14 d, review 7 d, 1 a day (sigma 0): reorder point 21, order up to 28. An order placed today
    # arrives on day 14 (2026-03-15).
    #   A: 0 on hand + 40 on order: out on day 1, the 40 arrive on day 14; position 40 > 21: no order.
    #      At risk, covered by what is on order.
    #   B: 5 on hand: out on day 6 (at risk); 28 - 5 = 23 units at $5 = $115.
    #   C: 18 on hand: out on day 19, after day 14 (not at risk); 10 units at $5 = $50.
    #   D: 100 on hand: nothing.
    #   E: 3 on hand: out on day 4 (at risk); 25 units at $50, MOQ 10 ($500 at least).
    # Budget $200, urgent first by stockout day: E (day 4) needs $500 for its MOQ: deferred; B (day 6) $115
    # ($85 left); C (day 19 <= P 21, urgent) $50.
    rows = [item("A", on_order=40), item("B", on_hand=5), item("C", on_hand=18), item("D", on_hand=100),
            item("E", on_hand=3, unit_cost=50, moq=10)]
    p = run(rows, [flat(s) for s in "ABCDE"], budget=200).reset_index()
    assert p.set_index("sku").order_qty.to_dict() == {"A": 0, "B": 23, "C": 10, "D": 0, "E": 0}
    assert at_risk(p, as_of=AS_OF).tolist() == [True, True, False, False, True]
    t = tally(p, as_of=AS_OF)
    # the money on the tiles: 23 + 10 units for $115 + $50 now; E's 25 units at $50 deferred; nothing overstocked
    assert t == Tally(skus=5, to_order=2, recommended=3, deferred=1, cut=0, at_risk=3, at_risk_ordering=1,
                      at_risk_deferred=1, at_risk_covered=1, ordering_not_at_risk=1, units_to_order=33,
                      cash_needed=165.0, deferred_cash=1250.0, overstock=0, tied_up=0.0)
    over = tally(p.assign(overstock=p["sku"] == "D"), as_of=AS_OF)     # D's 100 units at $5 tied up
    assert (over.overstock, over.tied_up) == (1, 500.0)
    assert explain(t) == (
        "**Stockout risk 3**: 3 SKUs projected to run out before an order placed today could arrive (within "
        "their lead time; what is on order counts from the end of the lead time, as the feed has no arrival "
        "dates). **2 to order**: SKUs whose stock plus what is on order is at or below the reorder point this "
        "review and that the budget funds (1 more deferred). Of the 3 at risk, 1 needs no new order: what is "
        "already on order covers demand until the next order could arrive, and an order placed now would not "
        "arrive any sooner; 1 is among the 2 to order; 1 had its order deferred by the budget. The other 1 to "
        "order has stock until its order arrives, but not the safety stock and the demand up to the next "
        "order's arrival.")
    # A supplier delay of 5 d moves the arrival to day 19: C (out on day 19) is at risk too.
    late = run(rows, [flat(s) for s in "ABCDE"], budget=200, delay_days=5).reset_index()
    assert tally(late, as_of=AS_OF, delay_days=5).at_risk == 4
    assert "(within their lead time + 5 d supplier delay;" in explain(tally(late, as_of=AS_OF, delay_days=5), 5)
