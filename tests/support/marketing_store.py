"""The tiny marketing store of tests/test_marketing.py (its docstring works every figure out by hand):
orders, web events and spend of March 2026, shared with the Marketing page's AppTest."""
from __future__ import annotations

from datetime import datetime

import pandas as pd

__all__ = ["ts", "_orders", "_events", "_spend"]


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


def _orders() -> pd.DataFrame:
    rows = [  # order, customer, time, sku, qty, price, discount, channel, status
        ("O0", "c3", "2026-02-15 09:00", "A", 1, 10.0, 0.0, None, None),
        ("O1", "c1", "2026-03-02 10:00", "A", 2, 10.0, 2.0, "paid_search", None),
        ("O2", "c2", "2026-03-05 12:00", "B", 1, 30.0, 0.0, None, "paid"),
        ("O3", "c1", "2026-03-10 08:00", "A", 1, 10.0, 0.0, "email", None),
        ("O3", "c1", "2026-03-10 08:00", "B", 1, 30.0, 0.0, "email", "cancelled"),
        ("O4", "c3", "2026-03-12 15:00", "A", 3, 10.0, 0.0, None, None),
        ("O4", "c3", "2026-03-12 15:00", "A", -1, 10.0, 0.0, None, None),
        ("O5", "c4", "2026-03-20 18:00", "B", 2, 30.0, 6.0, "paid_search", None),
        ("O6", "c5", "2026-03-25 11:00", "Z", 1, 15.0, 0.0, None, None),
        ("O7", "c1", "2026-05-03 10:00", "A", 5, 10.0, 0.0, None, None),
        ("O8", "c4", "2026-04-10 10:00", "B", 1, 30.0, 0.0, None, None),
    ]
    cols = ["order_id", "customer_id", "ordered_at", "sku", "quantity", "unit_price", "discount", "channel", "status"]
    df = pd.DataFrame(rows, columns=cols)
    df["ordered_at"] = pd.to_datetime(df["ordered_at"], format="ISO8601")
    return df


def _events() -> pd.DataFrame:
    rows = [  # session, user, time, event, channel, order
        ("S1", "u1", "2026-03-02 09:55", "page_view", "paid_search", None),
        ("S1", "u1", "2026-03-02 10:00:01", "purchase", "paid_search", "O1"),
        ("S2", "u2", "2026-03-05 11:58", "page_view", "direct", None),
        ("S2", "u2", "2026-03-05 12:00:01", "purchase", "direct", "O2"),
        ("S3", "u2", "2026-02-20 20:00", "page_view", "paid_social", None),
        ("S10", "u2", "2026-03-06 09:00", "page_view", "email", None),
        ("S5", "u3", "2026-03-12 14:50", "page_view", None, None),
        ("S5", "u3", "2026-03-12 15:00:01", "purchase", None, "O4"),
        ("S9", "u3", "2026-02-08 10:00", "page_view", "email", None),
        ("S6", "u4", "2026-03-20 17:40", "page_view", "paid_search", None),
        ("S6", "u4", "2026-03-20 18:00:01", "purchase", "paid_search", "O5"),
        ("S7", "u9", "2026-03-15 10:00", "page_view", "paid_social", None),
        ("S8", "u8", "2026-03-28 10:00", "page_view", "email", None),
    ]
    df = pd.DataFrame(rows, columns=["session_id", "user_id", "event_at", "event", "channel", "order_id"])
    df["event_at"] = pd.to_datetime(df["event_at"], format="ISO8601")
    return df


def _spend() -> pd.DataFrame:
    rows = [("2026-03-02", "paid_search", "Brand", 20.0, 1000, 50), ("2026-03-20", "paid_search", "Generic", 40.0, 2000, 80),
            ("2026-03-01", "paid_social", "Prospecting", 50.0, 5000, None),
            ("2026-03-03", "display", "Banner", 12.5, 4000, 10),
            ("2026-02-28", "paid_search", "Brand", 100.0, 9000, 300)]
    df = pd.DataFrame(rows, columns=["date", "channel", "campaign", "spend", "impressions", "clicks"])
    df["date"] = pd.to_datetime(df["date"]).dt.date
    df["clicks"] = df["clicks"].astype("Int64")
    return df
