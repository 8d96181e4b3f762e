"""What the replenishment plan needs from the warehouse: one row per active SKU with its stock.

``items(wh, as_of)``: the product master (active SKUs, or SKUs without an active flag) joined to
the latest inventory snapshot on or before ``as_of`` (on hand and on order summed over
locations). A SKU missing from the inventory feed has 0 on hand; a missing lead time is
``DEFAULT_LEAD_TIME`` days (and the row says so in ``lead_time_source``).
The supplier's own SKU code (``supplier_sku``, optional in the products feed) rides along for the
purchase orders.
``sales_for_classes(daily)``: [sku, ds, units, revenue] from the forecast history, for ABC/XYZ.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import and_, func, select

from lib.warehouse.tables import FEED_TABLES

__all__ = ["DEFAULT_LEAD_TIME", "items", "sales_for_classes"]

DEFAULT_LEAD_TIME = 14


def items(wh, as_of: date) -> pd.DataFrame:
    p, inv = FEED_TABLES["products"], FEED_TABLES["inventory"]
    latest = (select(inv.c.sku, func.max(inv.c.date).label("d")).where(inv.c.date <= as_of)
              .group_by(inv.c.sku).cte("latest"))
    snap = (select(inv.c.sku, func.sum(inv.c.on_hand).label("on_hand"),
                   func.sum(func.coalesce(inv.c.on_order, 0)).label("on_order"))
            .join_from(inv, latest, and_(inv.c.sku == latest.c.sku, inv.c.date == latest.c.d))
            .group_by(inv.c.sku).cte("snap"))
    q = (select(p.c.sku, p.c.name, p.c.category, p.c.supplier, p.c.supplier_sku, p.c.unit_cost, p.c.price,
                p.c.lead_time_days, p.c.moq, p.c.case_pack, snap.c.on_hand, snap.c.on_order)
         .join_from(p, snap, p.c.sku == snap.c.sku, isouter=True)
         .where((p.c.active.is_(None)) | (p.c.active.is_(True)))
         .order_by(p.c.sku))
    df = wh.read(q)
    df["lead_time_source"] = df["lead_time_days"].notna().map({True: "product feed", False: "default"})
    df["lead_time_days"] = df["lead_time_days"].fillna(DEFAULT_LEAD_TIME)
    for col in ("on_hand", "on_order"):
        df[col] = df[col].fillna(0)
    df["moq"] = df["moq"].fillna(1)
    df["case_pack"] = df["case_pack"].fillna(1)
    return df


def sales_for_classes(daily: pd.DataFrame) -> pd.DataFrame:
    """Units and revenue per SKU-day (revenue at the day's price) for ``replenish.classify``."""
    d = daily[["unique_id", "ds", "y", "price"]].copy()
    d["revenue"] = d["y"] * d["price"]
    return d.rename(columns={"unique_id": "sku", "y": "units"})[["sku", "ds", "units", "revenue"]]
