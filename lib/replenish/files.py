"""The Replenishment page's tables as files: column names as on the page, numbers as numbers, file names
that carry the settings.

    plan_export(plan_df)             -> DataFrame: the plan rows with PLAN_HEADERS names (words), quantities
                                        as whole numbers, fractional units and money to 2 decimals, the
                                        service level as a fraction, stockout dates as dates
    plan_formats(currency)           -> lib.exports.Formats for plan_export's XLSX
    summary_export(summary)          -> po_summary's frame with the page's names (PO_HEADERS)
    summary_formats(currency)        -> Formats for it
    file_stem(kind, day, **settings) -> "replenishment-plan-2026-12-05-service-95-budget-10000" ...
"""
from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from lib.exports import Formats
from lib.replenish.orders import PO_HEADERS

__all__ = ["PLAN_HEADERS", "plan_export", "plan_formats", "summary_export", "summary_formats", "file_stem"]

# plan() column -> the name on the page's table (and in its files); in the order of the files
PLAN_HEADERS = {
    "sku": "SKU", "name": "Name", "category": "Category", "supplier": "Supplier", "abc": "ABC", "xyz": "XYZ",
    "on_hand": "On hand", "on_order": "On order", "lead_time_days": "Lead time (d)",
    "service_level": "Service level", "demand_daily": "Demand / day", "safety_stock": "Safety stock",
    "reorder_point": "Reorder point", "order_up_to": "Order up to", "recommended_qty": "Recommended",
    "order_qty": "Order qty", "unit_cost": "Unit cost", "order_cost": "Order cost", "urgent": "Urgent",
    "days_of_cover": "Days of cover", "stockout_date": "Stockout", "overstock": "Overstock",
    "expected_sales": "Expected sales", "price": "Price", "moq": "MOQ", "case_pack": "Case pack",
    "reason": "Reason",
}
_WHOLE = ("on_hand", "on_order", "lead_time_days", "recommended_qty", "order_qty", "moq", "case_pack")
_TWO_DECIMALS = ("demand_daily", "safety_stock", "reorder_point", "order_up_to", "days_of_cover", "unit_cost",
                 "order_cost", "expected_sales", "price")


def plan_export(plan_df: pd.DataFrame) -> pd.DataFrame:
    """The plan rows (in their order) as the page names them, ready for a spreadsheet."""
    out = plan_df[[c for c in PLAN_HEADERS if c in plan_df.columns]].copy()
    for col in _WHOLE:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    for col in _TWO_DECIMALS:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float).round(2)
    if "stockout_date" in out:
        out["stockout_date"] = [None if pd.isna(d) else pd.Timestamp(d).date() for d in out["stockout_date"]]
    for col in ("urgent", "overstock"):
        if col in out:
            out[col] = out[col].astype(bool)
    return out.rename(columns=PLAN_HEADERS).reset_index(drop=True)


def plan_formats(currency: str) -> Formats:
    return Formats(money=("Unit cost", "Order cost", "Expected sales", "Price"), pct=("Service level",),
                   count=("On hand", "On order", "Lead time (d)", "Recommended", "Order qty", "MOQ", "Case pack"),
                   decimal=("Demand / day", "Safety stock", "Reorder point", "Order up to", "Days of cover"),
                   currency=currency)


def summary_export(summary: pd.DataFrame) -> pd.DataFrame:
    """Cash needed per purchase order (po_summary) with the page's column names."""
    return summary.rename(columns=PO_HEADERS)


def summary_formats(currency: str) -> Formats:
    return Formats(money=("Cash needed",), count=("SKUs", "Units"), currency=currency)


def _pct(level: float) -> str:
    return f"{np.round(100 * float(level), 2):g}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", str(text).lower()).strip("-.") or "x"


def file_stem(kind: str, day: date, *, service_level: float, class_service: dict | None = None,
              review_days: int = 7, delay_days: int = 0, uplift_pct: float = 0.0, budget: float | None = None,
              suppliers=(), abc=(), only: bool = False, scenario: str | None = None) -> str:
    """A file name (no extension) naming what the file holds: the kind, the day, the service level and each
    setting that differs from the page's default, e.g.
    replenishment-plan-2026-12-05-service-95-class-a-99-review-14d-delay-3d-demand-up-20pct-budget-10000-
    supplier-acme-abc-a-b-to-order-only (two suppliers are named, more are counted)."""
    parts = [kind, f"{pd.Timestamp(day):%Y-%m-%d}", f"service-{_pct(service_level)}"]
    parts += [f"class-{c}-{_pct(v)}" for c, v in sorted((class_service or {}).items())]
    if review_days != 7:
        parts.append(f"review-{int(review_days)}d")
    if delay_days:
        parts.append(f"delay-{int(delay_days)}d")
    if uplift_pct:
        parts.append(f"demand-{'up' if uplift_pct > 0 else 'down'}-{abs(float(uplift_pct)):g}pct")
    if budget is not None:
        parts.append("budget-" + f"{float(budget):.2f}".rstrip("0").rstrip("."))
    suppliers = list(suppliers or [])
    if suppliers:
        parts.append("supplier-" + "-".join(suppliers) if len(suppliers) <= 2 else f"{len(suppliers)}-suppliers")
    if abc:
        parts.append("abc-" + "-".join(abc))
    if only:
        parts.append("to-order-only")
    if scenario:
        parts.append(f"scenario-{scenario}")
    return "-".join(_slug(p) for p in parts)
