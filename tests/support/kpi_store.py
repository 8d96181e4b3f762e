"""The hand-built store of tests/test_kpis.py (period P, twelve order lines, six sessions, three
promotions; the table in that module's docstring gives every line's hand-computed revenue and cost), and
load_store to load it."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.warehouse import Warehouse

__all__ = ["EVENTS", "ORDERS", "P", "PRODUCTS", "PROMOTIONS", "load_store"]


P = (date(2026, 3, 1), date(2026, 3, 7))
ORDERS = pd.DataFrame([
    ("o1", "2026-02-25 10:00:00", "c1", "A", 2, 10.0, 0.0, "web", None),
    ("o2", "2026-02-27 15:00:00", "c2", "B", 4, 20.0, None, "email", None),
    ("o3", "2026-03-01 00:00:00", "c1", "A", 3, 10.0, 5.0, "web", None),
    ("o3", "2026-03-01 00:00:00", "c1", "B", 1, 20.0, 0.0, "web", None),
    ("o4", "2026-03-02 12:00:00", "c3", "B", 2, 20.0, 0.0, "email", None),
    ("o4", "2026-03-02 12:00:00", "c3", "Z", 1, 15.0, 0.0, "email", None),
    ("o5", "2026-03-04 09:30:00", "c2", "A", 1, 10.0, 0.0, "web", "Cancelled"),
    ("o6", "2026-03-05 18:00:00", "c2", "A", -1, 10.0, 0.0, "web", None),
    ("o7", "2026-03-07 23:59:59", "c3", "A", 4, 10.0, 2.0, "web", None),
    ("o8", "2026-03-08 00:00:00", "c1", "B", 1, 20.0, 0.0, "web", None),
    ("o9", "2026-02-20 10:00:00", "c4", "A", 1, 10.0, 0.0, "web", "cancelled"),
    ("o10", "2026-03-03 11:00:00", "c4", "A", 1, 10.0, 0.0, "sms", None),
], columns=["order_id", "ordered_at", "customer_id", "sku", "quantity", "unit_price", "discount", "channel",
            "status"])
PRODUCTS = pd.DataFrame({"sku": ["A", "B"], "name": ["Mug", "Tee"], "category": ["Mugs", "Tees"],
                         "unit_cost": [4.0, 8.0], "price": [10.0, 20.0], "supplier": ["Acme", "Bolt"]})
EVENTS = pd.DataFrame([
    ("s5", "2026-02-25 12:00:00", "page_view", "web", "desktop", "/"),
    ("s5", "2026-02-25 12:10:00", "purchase", "web", "desktop", None),
    ("s1", "2026-03-01 09:00:00", "page_view", "web", "desktop", "/"),
    ("s1", "2026-03-01 09:05:00", "purchase", "web", "desktop", None),
    ("s2", "2026-03-02 10:00:00", "page_view", "email", "mobile", "/sale"),
    ("s2", "2026-03-02 10:01:00", "add_to_cart", "email", "mobile", None),
    ("s3", "2026-03-06 20:00:00", "page_view", "web", "mobile", "/p/a"),
    ("s3", "2026-03-06 20:10:00", "begin_checkout", "web", "mobile", None),
    ("s3", "2026-03-06 20:15:00", "purchase", "web", "mobile", None),
    ("s4", "2026-03-07 23:50:00", "page_view", "web", "mobile", "/"),
    ("s6", "2026-03-08 08:00:00", "page_view", "web", "desktop", "/"),
], columns=["session_id", "event_at", "event", "channel", "device", "landing_page"])
PROMOTIONS = pd.DataFrame([
    ("P1", "2026-02-26", "2026-03-03", 20.0, "A", None, None),
    ("P1", "2026-02-26", "2026-03-03", 20.0, "B", None, None),
    ("P2", "2026-03-06", "2026-03-10", 15.0, None, "Mugs", "email"),
    ("P3", "2026-04-01", "2026-04-05", 10.0, None, "Tees", None),
], columns=["promo_id", "start_date", "end_date", "discount_pct", "sku", "category", "channel"])


def load_store(wh: Warehouse) -> Warehouse:
    """Load the hand-built store above (also used by the Explore and AppTest tests)."""
    wh.load("products", PRODUCTS, source="test:products")
    wh.load("orders", ORDERS, source="test:orders")
    wh.load("events", EVENTS, source="test:events")
    wh.load("promotions", PROMOTIONS, source="test:promotions")
    return wh
