"""ABC (revenue) and XYZ (demand variability) classes per SKU from daily sales.

    classify(sales, *, as_of, days=365) -> DataFrame[sku, revenue, abc, weekly_mean, weekly_cv, xyz]

* `sales` = daily DataFrame[sku, ds, units, revenue]. The period is the `days` days ending on `as_of`
  (as_of - days < ds <= as_of); rows outside it are ignored, but every SKU in `sales` gets a row.
* ABC: SKUs ranked by revenue over the period (ties by sku). A SKU is A when the SKUs ranked above it
  make less than ABC_A_SHARE (80%) of the total revenue, so A holds the SKUs that make the first 80%
  (including the one crossing 80%); B likewise below ABC_B_SHARE (the next 15%); C the rest. A SKU with
  no (or net negative) revenue is C; so is everything when the total is not positive.
* XYZ: the coefficient of variation (population sd / mean) of weekly units over the same period, in
  7-day weeks counted back from `as_of` (weeks with no sales count as 0; a trailing part-week of fewer
  than 7 days at the start of the period is left out, e.g. 52 weeks of a 365-day period).
  X: cv < XYZ_X_CV (0.5), Y: cv < XYZ_Y_CV (1.0), Z: cv >= 1.0 or no sales (mean weekly units <= 0).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

__all__ = ["classify", "ABC_A_SHARE", "ABC_B_SHARE", "XYZ_X_CV", "XYZ_Y_CV", "CLASS_COLUMNS"]

ABC_A_SHARE = 0.80  # A: the SKUs making the first 80% of revenue
ABC_B_SHARE = 0.95  # B: the next 15%; C: the rest
XYZ_X_CV = 0.5  # X: weekly cv below 0.5
XYZ_Y_CV = 1.0  # Y: weekly cv below 1.0; Z: 1.0 and above, or no sales
CLASS_COLUMNS = ["sku", "revenue", "abc", "weekly_mean", "weekly_cv", "xyz"]


def classify(sales: pd.DataFrame, *, as_of: date, days: int = 365) -> pd.DataFrame:
    """ABC and XYZ class per SKU, sorted by revenue (descending) then sku; see the module docstring."""
    missing = [c for c in ("sku", "ds", "units", "revenue") if c not in sales.columns]
    if missing:
        raise ValueError(f"The sales table needs the column(s) {', '.join(missing)}.")
    if isinstance(days, bool) or not float(days).is_integer() or days < 7:
        raise ValueError(f"The classification period must be a whole number of days, at least 7 "
                         f"(got {days!r}).")
    days = int(days)
    code, skus = pd.factorize(sales["sku"].astype(str), sort=True)
    skus = np.asarray(skus, dtype=object)
    n, n_weeks = len(skus), days // 7
    ds = pd.to_datetime(sales["ds"]).to_numpy().astype("datetime64[D]")
    age = (np.datetime64(pd.Timestamp(as_of).date(), "D") - ds).astype(np.int64)   # 0 on as_of
    units = pd.to_numeric(sales["units"], errors="coerce").fillna(0.0).to_numpy(float)
    revenue_in = pd.to_numeric(sales["revenue"], errors="coerce").fillna(0.0).to_numpy(float)

    window = (age >= 0) & (age < days)
    revenue = np.bincount(code[window], revenue_in[window], minlength=n)
    order = np.lexsort((skus, -revenue))
    positive = np.maximum(revenue[order], 0.0)
    total = positive.sum()
    above = (np.cumsum(positive) - positive) / total if total > 0 else np.ones(n)
    abc_sorted = np.where(positive <= 0, "C",
                          np.where(above < ABC_A_SHARE, "A", np.where(above < ABC_B_SHARE, "B", "C")))

    weekly = (age >= 0) & (age < n_weeks * 7)
    cell = code[weekly] * n_weeks + age[weekly] // 7
    grid = np.bincount(cell, units[weekly], minlength=n * n_weeks).reshape(n, n_weeks)
    mean = grid.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, grid.std(axis=1) / mean, np.nan)
    xyz = np.where(~(mean > 0), "Z", np.where(cv < XYZ_X_CV, "X", np.where(cv < XYZ_Y_CV, "Y", "Z")))

    return pd.DataFrame({"sku": skus[order], "revenue": revenue[order], "abc": abc_sorted,
                         "weekly_mean": mean[order], "weekly_cv": cv[order], "xyz": xyz[order]},
                        columns=CLASS_COLUMNS).reset_index(drop=True)
