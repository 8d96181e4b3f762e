"""A store whose history is monthly only (one order line per SKU and month, dated the 1st), for the month
grain's tests (lib, AppTest and browser).

30 months, 2024-01-01 .. 2026-06-01 (as_of: the last line's day, 2026-06-01; June's line is June's total):

    SKU  name          category  price  units per month
    M1   Oak shelf     Shelves   10     100 in January, +10 a month to 210 in December, every year
    M2   Pine shelf    Shelves    5     40 every month
    M3   Brass hinge   Parts    100     30 in January, April, July and October; no line in other months

Seasonal naive by month repeats the same month a year earlier, so July .. December 2026 are
M1 160 + 170 + 180 + 190 + 200 + 210 = 1,110 (x $10 = $11,100), M2 6 x 40 = 240 ($1,200),
M3 30 (July) + 30 (October) = 60 ($6,000); the store 1,410 units, $18,300.
The inventory feed holds one snapshot per SKU on 2026-06-01 (on hand 500, 0 on order).
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from lib.settings import Settings
from lib.warehouse import Warehouse

AS_OF = date(2026, 6, 1)
T0 = datetime(2026, 6, 2, 9, 0)
MONTHS = pd.date_range("2024-01-01", "2026-06-01", freq="MS")
PRODUCTS = pd.DataFrame({"sku": ["M1", "M2", "M3"], "name": ["Oak shelf", "Pine shelf", "Brass hinge"],
                         "category": ["Shelves", "Shelves", "Parts"], "unit_cost": [4.0, 2.0, 40.0],
                         "price": [10.0, 5.0, 100.0], "lead_time_days": [30, 30, 30]})


def units(sku: str, month: pd.Timestamp) -> int:
    if sku == "M1":
        return 100 + 10 * (month.month - 1)
    if sku == "M2":
        return 40
    return 30 if month.month in (1, 4, 7, 10) else 0


def frames() -> dict[str, pd.DataFrame]:
    price = dict(zip(PRODUCTS["sku"], PRODUCTS["price"], strict=True))
    orders = [(f"{sku}-{m:%Y%m}", m + pd.Timedelta(hours=9), "wholesale", sku, units(sku, m), price[sku], 0.0)
              for sku in PRODUCTS["sku"] for m in MONTHS if units(sku, m)]
    return {"products": PRODUCTS,
            "orders": pd.DataFrame(orders, columns=["order_id", "ordered_at", "customer_id", "sku", "quantity",
                                                    "unit_price", "discount"]),
            "inventory": pd.DataFrame({"sku": PRODUCTS["sku"], "date": AS_OF, "on_hand": 500})}


def seed() -> None:
    """Load the store into the warehouse the environment names (SHOPCAST_DATA_DIR)."""
    wh = Warehouse.open(settings=Settings.from_env())
    try:
        for feed, frame in frames().items():
            wh.load(feed, frame, source=f"upload:{feed}.csv", as_of=AS_OF, now=T0)
    finally:
        wh.dispose()
