"""Small order and product feeds for the data-version tests (tests/test_versions.py): products at a
given price, n one-line orders."""
from __future__ import annotations

import pandas as pd

__all__ = ["orders", "products"]


def products(price: float) -> pd.DataFrame:
    return pd.DataFrame({"sku": ["A", "B"], "name": ["Mug", "Tee"], "category": ["Mugs", "Tees"],
                         "unit_cost": [4.0, 8.0], "price": [price, 20.0]})


def orders(n: int) -> pd.DataFrame:
    return pd.DataFrame({"order_id": [f"o{i}" for i in range(n)],
                         "ordered_at": pd.date_range("2026-03-01 10:00", periods=n, freq="h"),
                         "customer_id": "c1", "sku": "A", "quantity": 1, "unit_price": 10.0})
