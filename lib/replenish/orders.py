"""Purchase orders from a replenishment plan: one per supplier, lines, cash needed, CSV and XLSX files.

    purchase_orders(plan_df, products=None, *, order_date, delay_days=0) -> DataFrame[PO_COLUMNS]
    po_summary(plan_df, products=None, *, order_date, delay_days=0)      -> DataFrame[SUMMARY_COLUMNS]
                                                                            + a "Total" row
    po_csv(plan_df, products=None, *, order_date, delay_days=0, currency="USD")   -> bytes
    po_xlsx(plan_df, products=None, *, order_date, delay_days=0, currency="USD")  -> bytes

* `plan_df` is the frame of `plan()`: only rows with order_qty > 0 become lines. name, case_pack, moq,
  unit_cost and supplier_sku come from `products` (DataFrame[sku, ...], e.g. replenish.items()) when
  given and known there, else from `plan_df` (unit_cost = order_cost / order_qty when the plan has no
  unit_cost column; case_pack, moq, supplier_sku missing -> empty).
* One purchase order per supplier, numbered PO-<yyyymmdd of order_date>-<SUPPLIER SLUG>-<n>: the slug is the
  supplier's name in capitals without accents, its words joined by "-" (whole words up to 20 characters;
  "SUPPLIER" if nothing is left); n is 1, or 2, 3, ... for suppliers whose names give the same slug (in
  the order of their names). The number depends only on the date and the supplier, so the same order
  downloaded twice on one day keeps its number, whatever the filters.
* order_date = the day the orders are placed (the page passes today in the store's timezone);
  expected_arrival = order_date + the SKU's lead time + `delay_days`.
* line_cost = order_qty * unit_cost, rounded to cents; quantities are whole numbers.
* The files: the lines with column names in words (PO_HEADERS, as on the page) and, in the CSV, the
  currency code; the XLSX has a "Summary" sheet (one row per purchase order and a Total) and one sheet
  per supplier (its lines and a Total), money cells in the currency's number format, counts as whole
  numbers, dates as dates. File bytes go through lib.exports, so a text cell a spreadsheet would run as
  a formula (e.g. a supplier named "=cmd") is written as text.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lib.exports import Formats, to_csv_bytes, to_xlsx_bytes
from lib.replenish.policy import NO_SUPPLIER

__all__ = ["purchase_orders", "po_summary", "po_csv", "po_xlsx", "po_number", "PO_COLUMNS", "SUMMARY_COLUMNS",
           "PO_HEADERS", "TOTAL"]

PO_COLUMNS = ["po_number", "order_date", "expected_arrival", "supplier", "sku", "supplier_sku", "name",
              "order_qty", "case_pack", "moq", "unit_cost", "line_cost"]
SUMMARY_COLUMNS = ["po_number", "supplier", "order_date", "skus", "units", "cash_needed"]
PO_HEADERS = {"po_number": "PO number", "order_date": "Order date", "expected_arrival": "Expected arrival",
              "supplier": "Supplier", "sku": "SKU", "supplier_sku": "Supplier SKU", "name": "Name",
              "order_qty": "Order qty", "case_pack": "Case pack", "moq": "MOQ", "unit_cost": "Unit cost",
              "line_cost": "Line total", "skus": "SKUs", "units": "Units", "cash_needed": "Cash needed",
              "currency": "Currency"}
TOTAL = "Total"
SLUG_MAX = 20
_SHEET_BAD = "[]:*?/\\"
_COUNTS = ("Order qty", "Case pack", "MOQ", "SKUs", "Units")
_MONEY = ("Unit cost", "Line total", "Cash needed")


def _slug(supplier: str) -> str:
    plain = unicodedata.normalize("NFKD", str(supplier)).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^A-Z0-9]+", plain.upper()) if w]
    slug = ""
    for word in words:                                   # whole words while they fit, else a cut first word
        if len(slug) + len(word) + bool(slug) > SLUG_MAX:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or (words[0][:SLUG_MAX] if words else "SUPPLIER")


def po_number(suppliers, order_date: date) -> dict[str, str]:
    """supplier -> its purchase-order number on `order_date` (see the module docstring)."""
    out, seen = {}, {}
    day = pd.Timestamp(order_date).strftime("%Y%m%d")
    for supplier in sorted(set(map(str, suppliers))):
        slug = _slug(supplier)
        seen[slug] = seen.get(slug, 0) + 1
        out[supplier] = f"PO-{day}-{slug}-{seen[slug]}"
    return out


def purchase_orders(plan_df: pd.DataFrame, products: pd.DataFrame | None = None, *, order_date: date,
                    delay_days: int = 0) -> pd.DataFrame:
    """Order lines (order_qty > 0), sorted by supplier then sku."""
    order_date = pd.Timestamp(order_date).date()
    lines = plan_df.loc[plan_df["order_qty"] > 0].copy()
    lines["sku"] = lines["sku"].astype(str)
    lines["supplier"] = lines["supplier"].fillna(NO_SUPPLIER).astype(str) if "supplier" in lines \
        else NO_SUPPLIER
    if "name" not in lines:
        lines["name"] = lines["sku"]
    if "unit_cost" not in lines:
        lines["unit_cost"] = lines["order_cost"] / lines["order_qty"]
    for col in ("case_pack", "moq", "supplier_sku", "lead_time_days"):
        if col not in lines:
            lines[col] = None
    if products is not None:
        known = products.assign(sku=products["sku"].astype(str)).drop_duplicates("sku").set_index("sku")
        for col in ("name", "case_pack", "moq", "unit_cost", "supplier_sku"):
            if col in known:
                lines[col] = lines["sku"].map(known[col]).fillna(lines[col])
    lines["order_qty"] = lines["order_qty"].astype(np.int64)
    for col in ("case_pack", "moq"):
        lines[col] = pd.to_numeric(lines[col], errors="coerce").round().astype("Int64")
    lines["unit_cost"] = lines["unit_cost"].astype(float)
    lines["line_cost"] = np.round(lines["order_qty"] * lines["unit_cost"], 2)
    lines["supplier_sku"] = lines["supplier_sku"].astype(object).where(lines["supplier_sku"].notna(), None)
    lines["po_number"] = lines["supplier"].map(po_number(lines["supplier"], order_date))
    lines["order_date"] = order_date
    lead = pd.to_numeric(lines["lead_time_days"], errors="coerce")
    lines["expected_arrival"] = [order_date + timedelta(days=int(d) + int(delay_days)) if pd.notna(d) else None
                                 for d in lead]
    return lines.sort_values(["supplier", "sku"], kind="stable")[PO_COLUMNS].reset_index(drop=True)


def _summary(lines: pd.DataFrame, order_date: date) -> pd.DataFrame:
    per = (lines.groupby(["supplier", "po_number"], sort=True)
           .agg(skus=("sku", "nunique"), units=("order_qty", "sum"), cash_needed=("line_cost", "sum"))
           .reset_index())
    per["order_date"] = pd.Timestamp(order_date).date()
    total = pd.DataFrame({"po_number": [TOTAL], "supplier": [None], "order_date": [None],
                          "skus": [int(per["skus"].sum())], "units": [int(per["units"].sum())],
                          "cash_needed": [float(per["cash_needed"].sum())]})
    out = pd.concat([per, total], ignore_index=True) if len(per) else total
    out["cash_needed"] = out["cash_needed"].astype(float).round(2)
    out[["skus", "units"]] = out[["skus", "units"]].astype(np.int64)
    return out[SUMMARY_COLUMNS]


def po_summary(plan_df: pd.DataFrame, products: pd.DataFrame | None = None, *, order_date: date,
               delay_days: int = 0) -> pd.DataFrame:
    """Cash needed per purchase order (supplier: SKUs, units, money), sorted by supplier, then a "Total"
    row (its po_number is "Total")."""
    return _summary(purchase_orders(plan_df, products, order_date=order_date, delay_days=delay_days), order_date)


def _in_words(df: pd.DataFrame) -> pd.DataFrame:
    return df.rename(columns=PO_HEADERS)


def po_csv(plan_df: pd.DataFrame, products: pd.DataFrame | None = None, *, order_date: date, delay_days: int = 0,
           currency: str = "USD") -> bytes:
    """CSV bytes of every purchase-order line, column names in words, with the currency code."""
    lines = purchase_orders(plan_df, products, order_date=order_date, delay_days=delay_days)
    return to_csv_bytes(_in_words(lines.assign(currency=currency)))


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


def po_xlsx(plan_df: pd.DataFrame, products: pd.DataFrame | None = None, *, order_date: date,
            delay_days: int = 0, currency: str = "USD") -> bytes:
    """An .xlsx workbook: "Summary" (one row per purchase order and the Total), then one sheet per supplier
    with its lines and a Total row; money in the currency's format, counts whole, dates as dates."""
    lines = purchase_orders(plan_df, products, order_date=order_date, delay_days=delay_days)
    sheets = {"Summary": _in_words(_summary(lines, order_date))}
    suppliers = list(dict.fromkeys(lines["supplier"]))
    for supplier, sheet in zip(suppliers, _sheet_names(suppliers), strict=True):
        own = lines.loc[lines["supplier"] == supplier]
        total = pd.DataFrame({"po_number": [TOTAL], "order_qty": [int(own["order_qty"].sum())],
                              "line_cost": [round(float(own["line_cost"].sum()), 2)]})
        block = pd.concat([own, total], ignore_index=True)[PO_COLUMNS]
        block["order_qty"] = block["order_qty"].astype("Int64")
        sheets[sheet] = _in_words(block)
    formats = Formats(money=_MONEY, count=_COUNTS, currency=currency)
    return to_xlsx_bytes(sheets, formats)
