"""The hand-built cohort store of tests/test_cohorts.py: its order lines (STORE), products and as-of
day; the expected cohort tables are computed by hand there."""
from __future__ import annotations

from datetime import date

import pandas as pd

__all__ = ["AS_OF", "PRODUCTS", "STORE", "line"]


AS_OF = date(2026, 11, 27)


def line(order_id, at, customer, sku, qty, price, discount=None, channel=None, status="paid"):
    return dict(order_id=order_id, ordered_at=at, customer_id=customer, sku=sku, quantity=qty,
                unit_price=price, discount=discount, channel=channel, status=status, currency="USD")


STORE = [
    line("a1", "2026-01-05 10:00", "ana", "A", 1, 10.0, channel="email"),
    line("a1", "2026-01-05 10:00", "ana", "B", 2, 5.0, channel="affiliate"),
    line("a2", "2026-03-02 09:30", "ana", "B", 2, 5.0, channel="email"),
    line("b1", "2026-01-20 18:00", "ben", "B", 1, 5.0, discount=1.0, channel="paid"),
    line("d1", "2026-01-10 08:00", "dan", "C", 1, 2.0, channel="email"),
    line("d2", "2026-02-15 12:00", "dan", "A", 2, 10.0, discount=5.0, channel="email"),
    line("c1", "2026-02-01 00:00", "cleo", "A", 1, 10.0),
    line("c2", "2026-02-28 23:59", "cleo", "C", 3, 2.0, channel="organic"),
    line("c3", "2026-04-03 11:00", "cleo", "A", 1, 10.0, channel="organic", status="Cancelled"),
]
PRODUCTS = pd.DataFrame({"sku": ["A", "B"], "name": ["Shirt", "Soap"], "category": ["Apparel", "Beauty"],
                         "unit_cost": [4.0, 2.0], "price": [10.0, 5.0]})
