"""The store of tests/test_anomalies.py: ten weeks (Mon 2026-01-05 .. Sun 2026-03-15) of one web order of
(1 + weekday) × A at $10 and one email order of 1 × A a day; `planted` adds a 20-mug email order on SPIKE and
drops the web order on DIP; `noise` takes 0, 1 or 2 dollars off the web orders."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

__all__ = ["START", "END", "SPIKE", "DIP", "PRODUCTS", "orders", "load"]

START, END = date(2026, 2, 23), date(2026, 3, 15)
PRODUCTS = pd.DataFrame({"sku": ["A"], "name": ["Mug"], "category": ["Mugs"], "unit_cost": [4.0], "price": [10.0]})
SPIKE, DIP = date(2026, 3, 4), date(2026, 3, 10)     # a Wednesday, a Tuesday


def orders(planted: bool, noise: bool = False) -> pd.DataFrame:
    rows, day = [], date(2026, 1, 5)
    n = 0
    while day <= END:
        wd = day.weekday()
        disc = float(n % 3) if noise else 0.0         # 0, 1, 2 dollars off: a store that is not perfectly flat
        if not (planted and day == DIP):              # the dip: the web order is missing
            rows.append((f"w{n}", f"{day} 10:00:00", "c1", "A", 1 + wd, 10.0, disc, "web"))
        rows.append((f"e{n}", f"{day} 11:00:00", "c2", "A", 1, 10.0, 0.0, "email"))
        if planted and day == SPIKE:                  # the spike: a 20-mug email order
            rows.append(("big", f"{day} 12:00:00", "c3", "A", 20, 10.0, 0.0, "email"))
        day += timedelta(days=1)
        n += 1
    return pd.DataFrame(rows, columns=["order_id", "ordered_at", "customer_id", "sku", "quantity", "unit_price",
                                       "discount", "channel"])


def load(wh, planted: bool, noise: bool = False):
    wh.load("products", PRODUCTS, source="test")
    wh.load("orders", orders(planted, noise), source="test")
    return wh
