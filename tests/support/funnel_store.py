"""The hand-built sessions of tests/test_app_funnel.py (events_frame: each session's steps, channel
and device; the expected funnel figures are hand-computed there) and seed_rows to load them."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

__all__ = ["AS_OF", "SESSIONS", "T0", "events_frame", "seed_rows"]


T0 = datetime(2026, 1, 6, 9, 0)
AS_OF = date(2026, 1, 6)
SESSIONS = {  # session: (customer, channel, device, [(time, event, sku)])
    "s1": ("c1", "email", "mobile", [("10:00", "page_view", None), ("10:01", "view_item", "A"),
                                     ("10:02", "add_to_cart", "A"), ("10:05", "begin_checkout", None),
                                     ("10:40", "purchase", None)]),
    "s2": ("c2", "email", "desktop", [("11:00", "page_view", None), ("11:02", "view_item", "B"),
                                      ("11:03", "add_to_cart", "B")]),
    "s3": ("c3", "paid", "mobile", [("12:00", "page_view", None), ("12:01", "view_item", "A")]),
    "s4": (None, "paid", "desktop", [("13:00", "page_view", None)]),
    "s5": ("@c5", "organic", "mobile", [("14:00", "page_view", None), ("14:01", "view_item", "B"),
                                        ("14:02", "add_to_cart", "B"), ("14:03", "add_to_cart", "A"),
                                        ("14:10", "begin_checkout", None)]),
    "s6": ("c6", None, "desktop", [("15:00", "page_view", None), ("15:05", "view_item", "B"),
                                   ("15:06", "add_to_cart", "B"), ("15:08", "begin_checkout", None),
                                   ("15:20", "purchase", None)]),
    "s7": ("c2", "email", "desktop", [("16:00", "page_view", None), ("16:01", "view_item", "A")]),
}


def events_frame() -> pd.DataFrame:
    rows = [{"session_id": sid, "event_at": f"2026-01-05 {t}", "event": ev, "customer_id": cust, "channel": ch,
             "device": dev, "sku": sku}
            for sid, (cust, ch, dev, evs) in SESSIONS.items() for t, ev, sku in evs]
    return pd.DataFrame(rows)


def seed_rows(wh) -> None:
    """Load the products, orders and events of the seven-session store into `wh`."""
    wh.load("products", pd.DataFrame({"sku": ["A", "B"], "name": ["Apron", "Bowl"], "category": ["Home", "Home"],
                                      "unit_cost": [12.0, 4.0], "price": [30.0, 10.0]}),
            source="upload:products.csv", as_of=AS_OF, now=T0)
    wh.load("orders", pd.DataFrame({"order_id": ["o1", "o2"], "ordered_at": ["2026-01-05 10:40", "2026-01-05 15:20"],
                                    "customer_id": ["c1", "c6"], "sku": ["A", "B"], "quantity": [1, 2],
                                    "unit_price": [30.0, 10.0]}),
            source="upload:orders.csv", as_of=AS_OF, now=T0)
    wh.load("events", events_frame(), source="upload:events.csv", as_of=AS_OF, now=T0)
