"""Purchase orders from a replenishment plan: lines per supplier, cash needed, CSV and XLSX files.

    purchase_orders(plan_df, products=None) -> DataFrame[supplier, sku, name, order_qty, case_pack,
                                                         unit_cost, line_cost]
    po_summary(plan_df, products=None)      -> DataFrame[supplier, skus, units, cash_needed] + "Total" row
    po_csv(plan_df, products=None)          -> bytes (the lines, with the supplier column)
    po_xlsx(plan_df, products=None)         -> bytes ("Summary" sheet, then one sheet per supplier)

`plan_df` is the frame of `plan()`: only rows with order_qty > 0 become lines. name, case_pack and
unit_cost come from `products` (DataFrame[sku, ...]) when given and known there, else from `plan_df`
(unit_cost = order_cost / order_qty when the plan has no unit_cost column; case_pack missing ->
NaN). line_cost = order_qty * unit_cost, rounded to cents. File bytes go through lib.exports, so a text
cell a spreadsheet would run as a formula (e.g. a supplier named "=cmd") is written as text.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.exports import to_csv_bytes, to_xlsx_bytes
from lib.replenish.policy import NO_SUPPLIER

__all__ = ["purchase_orders", "po_summary", "po_csv", "po_xlsx", "PO_COLUMNS", "SUMMARY_COLUMNS", "TOTAL"]

PO_COLUMNS = ["supplier", "sku", "name", "order_qty", "case_pack", "unit_cost", "line_cost"]
SUMMARY_COLUMNS = ["supplier", "skus", "units", "cash_needed"]
TOTAL = "Total"
_SHEET_BAD = "[]:*?/\\"


def purchase_orders(plan_df: pd.DataFrame, products: pd.DataFrame | None = None) -> pd.DataFrame:
    """Order lines (order_qty > 0), sorted by supplier then sku."""
    lines = plan_df.loc[plan_df["order_qty"] > 0].copy()
    lines["sku"] = lines["sku"].astype(str)
    lines["supplier"] = lines["supplier"].fillna(NO_SUPPLIER).astype(str) if "supplier" in lines \
        else NO_SUPPLIER
    if "name" not in lines:
        lines["name"] = lines["sku"]
    if "unit_cost" not in lines:
        lines["unit_cost"] = lines["order_cost"] / lines["order_qty"]
    if "case_pack" not in lines:
        lines["case_pack"] = np.nan
    if products is not None:
        known = products.assign(sku=products["sku"].astype(str)).drop_duplicates("sku").set_index("sku")
        for col in ("name", "case_pack", "unit_cost"):
            if col in known:
                lines[col] = lines["sku"].map(known[col]).fillna(lines[col])
    lines["line_cost"] = np.round(lines["order_qty"] * lines["unit_cost"].astype(float), 2)
    return lines.sort_values(["supplier", "sku"], kind="stable")[PO_COLUMNS].reset_index(drop=True)


def _summary(lines: pd.DataFrame) -> pd.DataFrame:
    per = (lines.groupby("supplier", sort=True)
           .agg(skus=("sku", "nunique"), units=("order_qty", "sum"), cash_needed=("line_cost", "sum"))
           .reset_index())
    cash = float(per["cash_needed"].sum())
    total = pd.DataFrame({"supplier": [TOTAL], "skus": [int(per["skus"].sum())],
                          "units": [int(per["units"].sum())], "cash_needed": [cash]})
    out = pd.concat([per, total], ignore_index=True) if len(per) else total
    out["cash_needed"] = out["cash_needed"].astype(float).round(2)
    return out[SUMMARY_COLUMNS]


def po_summary(plan_df: pd.DataFrame, products: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cash needed per supplier (SKUs, units, money), sorted by supplier, then a "Total" row."""
    return _summary(purchase_orders(plan_df, products))


def po_csv(plan_df: pd.DataFrame, products: pd.DataFrame | None = None) -> bytes:
    """CSV bytes of the purchase-order lines (with the supplier column)."""
    return to_csv_bytes(purchase_orders(plan_df, products))


def _sheet_names(suppliers: list[str]) -> list[str]:
    """Valid, distinct Excel sheet names (31 characters, no []:*?/\\, case-insensitive, not "Summary")."""
    taken, names = {"summary"}, []
    for supplier in suppliers:
        base = "".join("_" if ch in _SHEET_BAD else ch for ch in supplier).strip("'")[:31] or "Sheet"
        name, k = base, 1
        while name.lower() in taken:
            k += 1
            name = f"{base[:31 - len(f' ({k})')]} ({k})"
        taken.add(name.lower())
        names.append(name)
    return names


def po_xlsx(plan_df: pd.DataFrame, products: pd.DataFrame | None = None) -> bytes:
    """An .xlsx workbook: "Summary" (cash needed per supplier and total), then one sheet per supplier
    with its lines (sku, name, order_qty, case_pack, unit_cost, line_cost) and a "Total" row."""
    lines = purchase_orders(plan_df, products)
    sheets = {"Summary": _summary(lines)}
    suppliers = list(dict.fromkeys(lines["supplier"]))
    for supplier, sheet in zip(suppliers, _sheet_names(suppliers), strict=True):
        own = lines.loc[lines["supplier"] == supplier, PO_COLUMNS[1:]]
        total = pd.DataFrame({"sku": [TOTAL], "order_qty": [int(own["order_qty"].sum())],
                              "line_cost": [round(float(own["line_cost"].sum()), 2)]})
        sheets[sheet] = pd.concat([own, total], ignore_index=True)[PO_COLUMNS[1:]]
    return to_xlsx_bytes(sheets)
