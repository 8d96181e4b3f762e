"""The Marketing page's sums over lib.marketing's frames (pure pandas; no warehouse, no streamlit).

    totals(report)              the period in one row: spend, revenue, margin, ROAS, CPA, CAC
    compared(report, previous)  each channel's row with the previous period's spend, revenue and ROAS
    channel_curves(payback)     cohorts pooled per channel and month since acquisition
    payback_summary(payback)    per channel: customers, CAC, payback month, LTV:CAC at 3, 6 and 12 months
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["totals", "compared", "channel_curves", "payback_summary", "LTV_MONTHS"]

LTV_MONTHS = (3, 6, 12)


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den and np.isfinite(den) else float("nan")


def totals(report: pd.DataFrame) -> dict[str, float]:
    """The channels' rows summed: spend, sessions, orders, revenue, gross_margin, new_customers, and the
    ratios of the sums (roas, margin_roas, cpa, cac, conversion_rate); NaN where the denominator is 0."""
    s = {c: float(report[c].sum()) if c in report else float("nan")
         for c in ("spend", "sessions", "orders", "revenue", "gross_margin", "new_customers")}
    s.update(roas=_ratio(s["revenue"], s["spend"]), margin_roas=_ratio(s["gross_margin"], s["spend"]),
             cpa=_ratio(s["spend"], s["orders"]), cac=_ratio(s["spend"], s["new_customers"]),
             conversion_rate=_ratio(s["orders"], s["sessions"]))
    return s


def compared(report: pd.DataFrame, previous: pd.DataFrame | None, keys=("channel",)) -> pd.DataFrame:
    """``report`` with spend_prev, revenue_prev and roas_prev from ``previous`` (same keys; NaN for a row
    the previous period lacks). Rows only the previous period has are not added."""
    keys = [k for k in keys if k in report]
    if previous is None:
        return report.assign(spend_prev=np.nan, revenue_prev=np.nan, roas_prev=np.nan)
    prev = previous[[*keys, "spend", "revenue", "roas"]].rename(
        columns={"spend": "spend_prev", "revenue": "revenue_prev", "roas": "roas_prev"})
    return report.merge(prev, on=keys, how="left")


def channel_curves(payback: pd.DataFrame) -> pd.DataFrame:
    """Per channel and months since acquisition, the cohorts that have reached that month pooled:
    customers, cumulative gross margin per customer (customer-weighted) and CAC (their spend over their
    customers: sum(cac x customers) / customers). Cohorts without spend (CAC missing) are left out."""
    cols = ["channel", "months_since", "customers", "cum_margin_per_customer", "cac"]
    pb = payback.dropna(subset=["cac"])
    pb = pb[pb["customers"] > 0]
    if pb.empty:
        return pd.DataFrame(columns=cols)
    pb = pb.assign(margin=pb["cum_margin_per_customer"] * pb["customers"], spend=pb["cac"] * pb["customers"])
    g = pb.groupby(["channel", "months_since"], as_index=False)[["customers", "margin", "spend"]].sum()
    g["cum_margin_per_customer"] = g["margin"] / g["customers"]
    g["cac"] = g["spend"] / g["customers"]
    return g[cols].sort_values(["channel", "months_since"]).reset_index(drop=True)


def payback_summary(payback: pd.DataFrame) -> pd.DataFrame:
    """Per channel (cohorts pooled): customers and CAC over every cohort (month 0), payback_month (the first
    month since acquisition whose pooled margin per customer reaches the CAC of the cohorts that reached it;
    NaN: not yet), and ltv_cac_3/6/12 (margin per customer / CAC at that month; NaN where no cohort has
    reached it)."""
    curves = channel_curves(payback)
    cols = ["channel", "customers", "cac", "payback_month", *[f"ltv_cac_{m}" for m in LTV_MONTHS]]
    rows = []
    for channel, c in curves.groupby("channel", sort=True):
        first = c[c["months_since"] == c["months_since"].min()].iloc[0]
        paid = c[c["cum_margin_per_customer"] >= c["cac"]]
        row = {"channel": channel, "customers": int(first["customers"]), "cac": float(first["cac"]),
               "payback_month": float(paid["months_since"].iloc[0]) if len(paid) else float("nan")}
        at = c.set_index("months_since")
        for m in LTV_MONTHS:
            row[f"ltv_cac_{m}"] = (_ratio(at.at[m, "cum_margin_per_customer"], at.at[m, "cac"])
                                   if m in at.index else float("nan"))
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)
