"""What the Replenishment page reads and how it orders the plan (pure: no Streamlit), shared by the page
and its report (lib/reports/replenishment.py).

    plan_inputs(wh, as_of, daily)   active SKUs with their stock and ABC/XYZ classes
    filtered(plan, p)               the rows matching the supplier, class and "only SKUs to order" filters
    urgency_order(plan)             orders to place first, then deferred ones, then the rest
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from lib.replenish.classes import classify
from lib.replenish.inputs import items, sales_for_classes

__all__ = ["CLASS_DAYS", "plan_inputs", "filtered", "urgency_order"]

CLASS_DAYS = 365      # ABC/XYZ over the last year of sales (less when the history is shorter)


def plan_inputs(wh, as_of: date, daily: pd.DataFrame) -> pd.DataFrame:
    """Active SKUs with their latest stock (replenish.items) and ABC/XYZ classes over the last year of the
    daily history (less when the history is shorter: a young store is not read as a year of zero weeks)."""
    out = items(wh, as_of)
    span = (pd.Timestamp(as_of) - pd.to_datetime(daily["ds"]).min()).days + 1 if len(daily) else CLASS_DAYS
    days = int(min(max(span, 7), CLASS_DAYS))
    classes = classify(sales_for_classes(daily), as_of=as_of, days=days)
    out = out.merge(classes[["sku", "abc", "xyz"]], on="sku", how="left")
    # no sales in the last year: class C (no revenue) and Z (no demand), as classify() would say
    return out.fillna({"abc": "C", "xyz": "Z"})


def filtered(plan: pd.DataFrame, p: dict) -> pd.DataFrame:
    """The plan rows matching the supplier, class and "only SKUs to order" filters (p: suppliers, abc, only)."""
    keep = np.ones(len(plan), dtype=bool)
    if p["suppliers"]:
        keep &= plan["supplier"].isin(p["suppliers"]).to_numpy()
    if p["abc"]:
        keep &= plan["abc"].isin(p["abc"]).to_numpy()
    if p["only"]:
        keep &= (plan["recommended_qty"] > 0).to_numpy()
    return plan.loc[keep]


def urgency_order(plan: pd.DataFrame) -> pd.DataFrame:
    """Orders to place now first, then orders the budget deferred, then the rest; within each, the earliest
    projected stockout first (none last), then the fewest days of cover, then SKU."""
    group = np.where(plan["order_qty"] > 0, 0, np.where(plan["recommended_qty"] > 0, 1, 2))
    key = plan.assign(_group=group, _when=pd.to_datetime(plan["stockout_date"]), _cover=plan["days_of_cover"])
    key = key.sort_values(["_group", "_when", "_cover", "sku"], na_position="last", kind="stable")
    return key.drop(columns=["_group", "_when", "_cover"]).reset_index(drop=True)
