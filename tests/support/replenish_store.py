"""The small hand-built store of tests/test_app_replenish.py (four SKUs, 120 days of sales,
stock on hand and on order on AS_OF), seeded into the warehouse named by the environment."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from lib.settings import Settings
from lib.warehouse import Warehouse

__all__ = ["AS_OF", "DAYS", "PRODUCTS", "STOCK", "T0", "seed_store", "units_per_day"]


AS_OF = date(2026, 3, 31)
T0 = datetime(2026, 4, 1, 12, 0)
DAYS = pd.date_range(AS_OF - timedelta(days=119), AS_OF)
PRODUCTS = pd.DataFrame({
    "sku": ["FLAT", "MUG", "TEE", "CAP"], "name": ["Flat mug", "Mug", "Tee", "Cap"],
    "category": ["Mugs", "Mugs", "Tees", "Tees"], "unit_cost": [4.0, 3.0, 8.0, 5.0],
    "price": [10.0, 9.0, 30.0, 12.0], "lead_time_days": [7, 14, 10, 7], "moq": [12, 1, 10, 1],
    "case_pack": [6, 1, 5, 1], "supplier": ["Acme", "Acme", "Bolt", "Bolt"]})
STOCK = {"FLAT": (20, 0), "MUG": (30, 10), "TEE": (12, 0), "CAP": (400, 0)}   # on hand, on order on AS_OF


def units_per_day() -> dict[str, np.ndarray]:
    k = np.arange(len(DAYS))
    return {"FLAT": np.full(len(DAYS), 2), "MUG": 3 + 4 * (k % 7 == 5) + (k % 3 == 0),
            "TEE": 1 + 2 * (k % 7 >= 5), "CAP": (k % 2 == 0).astype(int)}


def seed_store(with_inventory: bool = True) -> None:
    price = PRODUCTS.set_index("sku")["price"]
    rows = [(f"{sku}-{d:%m%d}-{j}", d + pd.Timedelta(hours=10), f"c{j}", sku, 1, price[sku], 0.0)
            for sku, units in units_per_day().items()
            for d, n in zip(DAYS, units, strict=True) for j in range(n)]
    orders = pd.DataFrame(rows, columns=["order_id", "ordered_at", "customer_id", "sku", "quantity",
                                         "unit_price", "discount"])
    inv = pd.DataFrame([(sku, d.date(), *(STOCK[sku] if d.date() == AS_OF else (50, 0)))
                        for sku in STOCK for d in DAYS], columns=["sku", "date", "on_hand", "on_order"])
    wh = Warehouse.open(settings=Settings.from_env())
    wh.load("products", PRODUCTS, source="upload:products.csv", as_of=AS_OF, now=T0)
    wh.load("orders", orders, source="upload:orders.csv", as_of=AS_OF, now=T0)
    if with_inventory:
        wh.load("inventory", inv, source="upload:inventory.csv", as_of=AS_OF, now=T0)
    wh.dispose()
