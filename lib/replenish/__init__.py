"""Replenishment planning: order recommendations from a demand forecast, ABC/XYZ classes, purchase orders.

    from lib import replenish
    classes = replenish.classify(sales, as_of=as_of)                 # sku, revenue, abc, ..., xyz
    p = replenish.plan(items, forecast_df, as_of=as_of, service_level=0.95, budget=20_000)
    replenish.purchase_orders(p, items, order_date=today)    # also po_summary, po_csv, po_xlsx
    replenish.explain(replenish.tally(p, as_of=as_of))      # why "Stockout risk" and "to order" differ

The policy (periodic review (R, s, S)) and its assumptions are documented in lib/replenish/policy.py.
Pure pandas/numpy/scipy: no Streamlit, no SQL.
"""
from lib.replenish.classes import ABC_A_SHARE, ABC_B_SHARE, CLASS_COLUMNS, XYZ_X_CV, XYZ_Y_CV, classify
from lib.replenish.inputs import DEFAULT_LEAD_TIME, items, sales_for_classes
from lib.replenish.orders import (
    PO_COLUMNS,
    PO_HEADERS,
    SUMMARY_COLUMNS,
    po_csv,
    po_number,
    po_summary,
    po_xlsx,
    purchase_orders,
)
from lib.replenish.policy import NO_SUPPLIER, PLAN_COLUMNS, expected_gain, plan
from lib.replenish.summary import Tally, at_risk, explain, tally

__all__ = ["plan", "classify", "items", "sales_for_classes", "DEFAULT_LEAD_TIME", "purchase_orders",
           "po_summary", "po_csv", "po_xlsx", "expected_gain", "tally", "explain", "at_risk", "Tally",
           "po_number", "PLAN_COLUMNS", "CLASS_COLUMNS", "PO_COLUMNS", "PO_HEADERS", "SUMMARY_COLUMNS", "NO_SUPPLIER",
           "ABC_A_SHARE", "ABC_B_SHARE", "XYZ_X_CV", "XYZ_Y_CV"]
