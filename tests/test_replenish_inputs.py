"""Replenishment inputs from the warehouse (DuckDB and PostgreSQL) and the band -> sigma rule."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from lib import replenish

AS_OF = date(2026, 3, 5)


def test_items_latest_snapshot_summed_over_locations(wh):
    wh.load("products", pd.DataFrame({
        "sku": ["A", "B", "C", "D"], "name": ["Mug", "Tee", "Cup", "Old"], "category": ["Mugs", "Tees", "Mugs", "X"],
        "unit_cost": [4.0, 8.0, 2.0, 1.0], "price": [10.0, 20.0, 6.0, 2.0], "lead_time_days": [7, None, 21, 5],
        "moq": [None, 12, 1, 1], "case_pack": [6, None, 1, 1], "supplier": ["Acme", "Bolt", None, "Acme"],
        "active": [True, None, True, False]}), source="t")
    wh.load("inventory", pd.DataFrame([
        ("A", "2026-03-04", 9, 1, "main"), ("A", "2026-03-05", 5, 2, "main"), ("A", "2026-03-05", 3, 0, "shop"),
        ("A", "2026-03-06", 99, 0, "main"),                       # after as_of: ignored
        ("B", "2026-03-01", 4, None, "main"), ("D", "2026-03-05", 50, 0, "main"),
    ], columns=["sku", "date", "on_hand", "on_order", "location"]), source="t")
    it = replenish.items(wh, AS_OF).set_index("sku")
    # D is inactive; C has no stock rows -> 0; B's latest row is 03-01; A = 5 + 3 on hand, 2 + 0 on order
    assert it.index.tolist() == ["A", "B", "C"]
    assert it["on_hand"].tolist() == [8, 4, 0] and it["on_order"].tolist() == [2, 0, 0]
    assert it["lead_time_days"].tolist() == [7, replenish.DEFAULT_LEAD_TIME, 21]
    assert it["lead_time_source"].tolist() == ["product feed", "default", "product feed"]
    assert it["moq"].tolist() == [1, 12, 1] and it["case_pack"].tolist() == [6, 1, 1]


def test_sigma_comes_from_the_upper_half_of_the_band():
    # a slow mover: yhat 1/day, band cut at 0 below, upper edge 1 + 1.2816 x 2 -> sigma 2/day.
    # L = 0, R = 1: P = 1 day: mu_P = 1, sigma_P = 2; at 84.13 % (z = 1) safety stock = 2
    ds = pd.date_range(AS_OF + timedelta(days=1), periods=30)
    demand = pd.DataFrame({"unique_id": "S", "ds": ds, "yhat": 1.0, "yhat_lo_80": 0.0,
                           "yhat_hi_80": 1.0 + 1.2816 * 2})
    items = pd.DataFrame([{"sku": "S", "unit_cost": 1.0, "price": 2.0, "on_hand": 0, "lead_time_days": 0}])
    p = replenish.plan(items, demand, as_of=AS_OF, service_level=0.841344746, review_days=1)
    assert p["sigma_p"].iloc[0] == pytest.approx(2.0, rel=1e-6)
    assert p["safety_stock"].iloc[0] == pytest.approx(2.0, rel=1e-4)
    assert np.isclose(p["reorder_point"].iloc[0], 3.0, rtol=1e-4)
