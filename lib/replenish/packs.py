"""Case packs and minimum order quantities: the one rule every page that orders stock uses.

    sizes(case_pack, moq)          -> (case_pack, moq) as whole units, at least 1
    order_qty(units, case_pack, moq) -> units rounded up to whole case packs, at least the MOQ
    min_qty(case_pack, moq)        -> the smallest order: the MOQ rounded up to whole case packs

A supplier ships whole units, so a fractional case pack (2.5) or MOQ is rounded up to the next whole
unit (3); a missing or sub-1 value counts as 1. An order of ``units`` (> 0) becomes
max(ceil(units / case_pack) x case_pack, min_qty); nothing is ordered for 0 units. Quotients are rounded
to 9 decimals before the ceiling so that 3 x 0.1 case packs of float noise never orders one case more.
Arrays or scalars; the Replenishment plan (lib.replenish.policy) and the Pricing page's stock check
(lib.pricing.stock) both call these.
"""
from __future__ import annotations

import numpy as np

__all__ = ["sizes", "order_qty", "min_qty", "EPS", "NO_SUPPLIER"]

EPS = 1e-9                      # a quantity at or below this is no quantity
NO_SUPPLIER = "(no supplier)"   # the supplier of a SKU the feed names none for


def _whole(x) -> np.ndarray:
    v = np.asarray(x, dtype=float)
    return np.maximum(np.ceil(np.round(np.where(np.isnan(v), 1.0, v), 9)), 1.0)


def sizes(case_pack, moq) -> tuple[np.ndarray, np.ndarray]:
    """Case pack and MOQ as whole units of at least 1 (fractions round up; missing counts as 1)."""
    return _whole(case_pack), _whole(moq)


def min_qty(case_pack, moq) -> np.ndarray:
    """The smallest order: the MOQ rounded up to whole case packs."""
    cp, m = sizes(case_pack, moq)
    return np.ceil(np.round(m / cp, 9)) * cp


def order_qty(units, case_pack, moq) -> np.ndarray:
    """``units`` rounded up to whole case packs, at least min_qty; 0 where units <= EPS."""
    cp, _ = sizes(case_pack, moq)
    u = np.asarray(units, dtype=float)
    packed = np.ceil(np.round(u / cp, 9)) * cp
    return np.where(u > EPS, np.maximum(packed, min_qty(case_pack, moq)), 0.0)
