"""The budget cap: which recommended orders a limited budget pays for, and in what order.

    allocate(qty, unit_cost, case_pack, min_qty, urgent, stockout_day, value, budget)
        -> Allocation(order_qty, available, left)

Priority (documented on the Replenishment page too)
---------------------------------------------------
When the recommended orders cost more than the budget, they are funded one SKU at a time in this order:

1. **Urgent orders first, the earliest projected stockout first.** A SKU is urgent when its stock (with
   what is on order, counted from its arrival) is projected to run out within its protection period
   (lead time + supplier delay + review period): if its order waits for the next review, the next order
   arrives too late to prevent that stockout. A SKU with nothing on hand is the most urgent of all.
   Urgent SKUs with the same stockout day go by value for money (below).
2. **Then the others** (stock that lasts until an order placed at the next review could arrive), by
   value for money: the expected extra sales (money) the order buys over the protection period per unit
   of money it costs. A slow seller with ample cover is therefore never funded before an urgent SKU,
   whatever its value for money.

Each order in turn is funded whole when it fits in the money left. One that does not fit is cut to the
whole case packs that fit, provided that is at least the MOQ (a smaller order cannot be placed); else it
is deferred (0 now). Orders after it still get their chance with the money left: the cut or deferred
order could not use that money anyway, so nothing ranked lower takes money it could have had.
Ties keep the order of the items (stable sort).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Allocation", "allocate", "MONEY_EPS"]

MONEY_EPS = 1e-6      # amounts equal to within a millionth of a currency unit fit


@dataclass(frozen=True)
class Allocation:
    order_qty: np.ndarray       # what to order now per SKU (the recommendation, cut, or 0)
    available: np.ndarray       # money left when the SKU's turn came (NaN: never over budget / no order)
    left: float | None          # money left after every order (None: no budget, or everything fits)


def allocate(qty, unit_cost, case_pack, min_qty, urgent, stockout_day, value, budget: float | None) -> Allocation:
    """Fund the recommended orders `qty` within `budget` in the priority of the module docstring.

    qty, case_pack, min_qty: units per SKU (min_qty = the smallest case-pack multiple >= MOQ);
    unit_cost: money per unit; urgent: bool per SKU; stockout_day: days from as_of to the projected
    stockout (any number for SKUs that are not urgent); value: expected extra sales per unit of money.
    """
    qty = np.asarray(qty, dtype=np.int64)
    unit_cost = np.asarray(unit_cost, dtype=float)
    n = len(qty)
    cost = qty * unit_cost
    wanted = qty > 0
    urgent = np.asarray(urgent, dtype=bool) & wanted
    value = np.nan_to_num(np.asarray(value, dtype=float), nan=-np.inf, posinf=np.finfo(float).max)
    day = np.where(urgent, np.asarray(stockout_day, dtype=float), np.inf)
    # np.lexsort sorts by the last key first: not urgent last, then earliest stockout, then value, then row
    rank_order = np.lexsort((np.arange(n), -value, day, ~urgent))
    rank_order = rank_order[wanted[rank_order]]
    available = np.full(n, np.nan)
    if budget is None or cost[wanted].sum() <= budget + MONEY_EPS:
        return Allocation(qty.copy(), available, None)
    order = qty.copy()
    left = float(budget)
    for i in rank_order:
        available[i] = left
        if cost[i] <= left + MONEY_EPS:
            left -= cost[i]
            continue
        pack_cost = unit_cost[i] * case_pack[i]          # > 0 here: a free order always fits
        fit = int(np.floor((left + MONEY_EPS) / pack_cost)) * int(case_pack[i])
        order[i] = fit if fit >= min_qty[i] else 0
        left -= order[i] * unit_cost[i]
    return Allocation(order, available, max(left, 0.0))
