"""Demand history out of the warehouse (lib.forecast.data), every value by hand, DuckDB and PostgreSQL.

The store, as_of 2026-03-05, 5 days of history (03-01 Sunday .. 03-05 Thursday):

products  A (Mugs, list 10)  B (Tees, list 20)  C (Mugs, list 6; not in the inventory feed)
inventory A on hand 03-01..05: 5, 0, 0, 3, 3  -> out of stock 03-02 and 03-03
          B on hand 03-02..05: 2, 2, 2, 2     -> B is on sale from 03-02
orders    A 03-01 2 x 10 - 2 discount (a coupon); A 03-04 1 x 10; A 03-05 -1 (a return:
          not demand); B 03-03 1 x 20; B 03-04 1 x 20 cancelled (not a sale); C 03-03 3 x 5
promos    P1 category Mugs 03-04..03-10 20 % off; P2 SKU B 03-02 only, 10 % off
events    view_item of A: 4 sessions 03-01, 6 sessions 03-02, none 03-03, 2 sessions 03-04
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from lib.forecast import data

AS_OF = date(2026, 3, 5)


def _store(wh):
    wh.load("products", pd.DataFrame({
        "sku": ["A", "B", "C"], "name": ["Mug", "Tee", "Cup"], "category": ["Mugs", "Tees", "Mugs"],
        "unit_cost": [4.0, 8.0, 2.0], "price": [10.0, 20.0, 6.0]}), source="t")
    inv = [("A", f"2026-03-0{d}", oh) for d, oh in zip(range(1, 6), [5, 0, 0, 3, 3], strict=True)]
    inv += [("B", f"2026-03-0{d}", 2) for d in range(2, 6)]
    wh.load("inventory", pd.DataFrame(inv, columns=["sku", "date", "on_hand"]), source="t")
    wh.load("orders", pd.DataFrame([
        ("o1", "2026-03-01 10:00:00", "c1", "A", 2, 10.0, 2.0, None),
        ("o2", "2026-03-04 11:00:00", "c2", "A", 1, 10.0, 0.0, None),
        ("o3", "2026-03-05 12:00:00", "c1", "A", -1, 10.0, 0.0, None),
        ("o4", "2026-03-03 09:00:00", "c3", "B", 1, 20.0, 0.0, None),
        ("o5", "2026-03-04 09:00:00", "c3", "B", 1, 20.0, 0.0, "cancelled"),
        ("o6", "2026-03-03 15:00:00", "c4", "C", 3, 5.0, 0.0, None),
    ], columns=["order_id", "ordered_at", "customer_id", "sku", "quantity", "unit_price", "discount", "status"]),
        source="t")
    wh.load("promotions", pd.DataFrame({
        "promo_id": ["P1", "P2"], "start_date": ["2026-03-04", "2026-03-02"], "end_date": ["2026-03-10", "2026-03-02"],
        "discount_pct": [20.0, 10.0], "sku": [None, "B"], "category": ["Mugs", None]}), source="t")
    ev = [(f"s{d}{k}", f"2026-03-0{d} 08:0{k}:00", "view_item", "A") for d, n in ((1, 4), (2, 6), (4, 2))
          for k in range(n)]
    wh.load("events", pd.DataFrame(ev, columns=["session_id", "event_at", "event", "sku"]), source="t")


@pytest.fixture
def store(wh):
    _store(wh)
    return wh


def test_history_rows_by_hand(store):
    h = data.history(store, AS_OF, days=5)
    got = {(r.unique_id, r.ds.day): (r.y, round(r.price, 6), r.promo, bool(r.in_stock), r.category)
           for r in h.itertuples()}
    assert got == {
        # price = the regular price known before the day (the unit price of the last earlier day that
        # sold without a promotion; the list price before any) less that day's promotion.
        # A: list 10 until its 03-01 sale at 10 (the 2 discount is a coupon, not the price);
        # stockouts 03-02/03 keep y 0 with in_stock False; 03-04/05 promo 20 %: 10 x 0.8 = 8;
        # 03-05 only a return -> 0 units
        ("A", 1): (2.0, 10.0, 0.0, True, "Mugs"), ("A", 2): (0.0, 10.0, 0.0, False, "Mugs"),
        ("A", 3): (0.0, 10.0, 0.0, False, "Mugs"), ("A", 4): (1.0, 8.0, 20.0, True, "Mugs"),
        ("A", 5): (0.0, 8.0, 20.0, True, "Mugs"),
        # B from its first inventory row; 03-02 P2 10 % -> 18; the cancelled 03-04 line is no sale
        ("B", 2): (0.0, 18.0, 10.0, True, "Tees"), ("B", 3): (1.0, 20.0, 0.0, True, "Tees"),
        ("B", 4): (0.0, 20.0, 0.0, True, "Tees"), ("B", 5): (0.0, 20.0, 0.0, True, "Tees"),
        # C has no inventory rows: from its first sale to as_of. 03-03: list 6 (its own sale at 5 is
        # not known before the day); then regular 5 less the Mugs promo from 03-04: 5 x 0.8 = 4
        ("C", 3): (3.0, 6.0, 0.0, True, "Mugs"), ("C", 4): (0.0, 4.0, 20.0, True, "Mugs"),
        ("C", 5): (0.0, 4.0, 20.0, True, "Mugs"),
    }
    assert list(h.columns) == ["unique_id", "ds", "y", "price", "promo", "in_stock", "category"]


def test_lost_sales_from_sessions_else_baseline(store):
    h = data.history(store, AS_OF, days=5)
    lost = data.lost_sales(store, h).set_index("ds")
    # A's in-stock days sold 2 + 1 + 0 = 3 units over 4 + 2 + 0 = 6 product-page sessions: 0.5/session.
    # 03-02: 6 sessions x 0.5 = 3.0; 03-03: no session -> mean of in-stock days within 14 days = 3 / 3 = 1.0
    assert lost["lost_units"].tolist() == [3.0, 1.0]
    assert lost["basis"].tolist() == ["sessions", "baseline"]
    assert [d.day for d in lost.index] == [2, 3]


def test_weekly_scales_in_stock_days_and_keeps_whole_weeks():
    daily = pd.DataFrame({
        "unique_id": "A", "ds": pd.date_range("2026-03-02", periods=10),          # Mon 03-02 .. Wed 03-11
        "y": [1, 2, 0, 4, 0, 0, 0, 5, 5, 5.0], "price": 10.0, "promo": 0.0, "category": "Mugs",
        "in_stock": [True, True, False, True, False, True, True, True, True, True]})
    w = data.weekly(daily)
    # week of 03-02: in-stock days Mon, Tue, Thu, Sat, Sun sold 1 + 2 + 4 + 0 + 0 = 7 over 5 days -> 7 / 5 x 7
    # the week of 03-09 ends 03-15, after the last day: dropped
    assert w["ds"].tolist() == [pd.Timestamp("2026-03-02")]
    assert w["y"].tolist() == pytest.approx([9.8])


def test_future_carries_list_price_and_scheduled_promotions(store):
    h = data.history(store, AS_OF, days=5)
    f = data.future(store, h, 3, AS_OF).sort_values(["unique_id", "ds"])
    assert f["ds"].dt.day.tolist() == [6, 7, 8] * 3
    # A and C are Mugs: P1 runs to 03-10 -> 20 % off the list price; B at list
    assert f["promo"].tolist() == [20.0] * 3 + [0.0] * 3 + [20.0] * 3
    assert np.round(f["price"], 6).tolist() == [8.0] * 3 + [20.0] * 3 + [4.8] * 3
