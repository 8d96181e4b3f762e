"""What counts as a sale, in SQL expressions shared by every analytics module.

- A line is live unless its status is 'cancelled'. Statuses are stored lower-case (the feed
  declares status with lower=True, on both load paths), so a plain comparison is exact.
- Line revenue = quantity × unit_price − discount (a missing discount is 0); a negative
  quantity is a return and reduces revenue.
"""
from __future__ import annotations

from sqlalchemy import func, or_

from lib.warehouse.tables import FEED_TABLES

__all__ = ["orders", "live", "line_revenue"]

orders = FEED_TABLES["orders"]


def live(o=orders):
    """Not a cancelled line (a missing status counts as live)."""
    return or_(o.c.status.is_(None), o.c.status != "cancelled")


def line_revenue(o=orders):
    """quantity × unit_price − discount."""
    return o.c.quantity * o.c.unit_price - func.coalesce(o.c.discount, 0.0)
