"""The month view of one SKU's plan: its demand forecast by month and the stock left at each month's end.

    month_view(months, days, as_of=..., on_hand=..., on_order=..., order_qty=..., lead_days=...)

``months``: the SKU's month forecast [ds, yhat, yhat_lo_80, yhat_hi_80] (the Forecast page's month
numbers, lib/forecast/longrun.py); ``days``: the same forecast per day [ds, yhat] (its days add up to
each month). The stock arithmetic is the plan's (lib/replenish/policy.py): stock on order and the
recommended order arrive on day ``lead_days`` (day 1 is the first forecast day; day 0, ``as_of``,
is the count on hand), demand is the forecast mean times (1 + uplift_pct / 100), and demand beyond
the stock on hand is lost (stock never goes below 0).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

__all__ = ["MONTH_COLUMNS", "MAX_MONTHS", "OVERSTOCK_DAYS", "month_view", "plan_months"]

MAX_MONTHS = 24          # the longest month forecast (lib.forecast.longrun.MONTH_HORIZON)
OVERSTOCK_DAYS = 90      # the days of demand the plan's overstock check looks at (replenish.plan's default)

MONTH_COLUMNS = ["month", "days", "forecast units", "80% band low", "80% band high", "stock at month end",
                 "stock at month end without the order", "runs out"]


def plan_months(items: pd.DataFrame, *, review_days: int, delay_days: int, shown: int) -> int:
    """Months of daily demand a plan reads at the month grain: the months shown, and enough whole months to
    cover every SKU's protection period (lead time + delay + review) and the overstock check's 90 days
    (a month holds at least 28 days; one more for a first month that is only its last day)."""
    lead = pd.to_numeric(items["lead_time_days"], errors="coerce").max() if "lead_time_days" in items else 0.0
    need = max((0.0 if pd.isna(lead) else float(lead)) + delay_days + review_days, float(OVERSTOCK_DAYS))
    return int(min(MAX_MONTHS, max(int(shown), -(-int(np.ceil(need)) // 28) + 1)))


def _stock(start: float, arrivals: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Stock at the end of each day with lost sales: s_k - min(0, min_{j<=k} s_j) of the running sum s."""
    s = start + np.cumsum(arrivals - demand)
    return s - np.minimum(np.minimum.accumulate(s), 0.0)


def month_view(months: pd.DataFrame, days: pd.DataFrame, *, as_of: date, on_hand: float, on_order: float,
               order_qty: float, lead_days: int, uplift_pct: float = 0.0) -> pd.DataFrame:
    """One row per month: its first day, the days it spans from the first forecast day, the forecast units
    and 80% band (times the uplift), the stock left at its end with the recommended order and without it,
    and whether the stock runs out within it (with the order)."""
    m = months.sort_values("ds").reset_index(drop=True)
    if m.empty:
        return pd.DataFrame(columns=MONTH_COLUMNS)
    scale = 1.0 + uplift_pct / 100.0
    start = pd.to_datetime(m["ds"])
    ends = list(start.iloc[1:] - pd.Timedelta(days=1)) + [start.iloc[-1] + pd.offsets.MonthEnd(0)]
    first = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    horizon = (ends[-1] - pd.Timestamp(as_of)).days
    demand = np.zeros(horizon + 1)
    d = days.assign(day=(pd.to_datetime(days["ds"]) - pd.Timestamp(as_of)).dt.days)
    d = d[(d["day"] >= 1) & (d["day"] <= horizon)]
    np.add.at(demand, d["day"].to_numpy(int), np.clip(d["yhat"].to_numpy(float), 0, None) * scale)
    day = np.arange(horizon + 1)
    lead = int(lead_days)
    with_order = _stock(float(on_hand), np.where(day == lead, float(on_order) + float(order_qty), 0.0), demand)
    without = _stock(float(on_hand), np.where(day == lead, float(on_order), 0.0), demand)
    end_day = np.array([(e - pd.Timestamp(as_of)).days for e in ends])
    start_day = np.array([max((s - pd.Timestamp(as_of)).days, 1) for s in start])
    out_days = with_order <= 1e-9
    runs_out = [bool(out_days[a:b + 1].any() and demand[a:b + 1].sum() > 0) for a, b in zip(start_day, end_day,
                                                                                          strict=True)]
    return pd.DataFrame({"month": [max(s, first).date() for s in start], "days": end_day - start_day + 1,
                         "forecast units": m["yhat"].to_numpy(float) * scale,
                         "80% band low": m["yhat_lo_80"].to_numpy(float) * scale,
                         "80% band high": m["yhat_hi_80"].to_numpy(float) * scale,
                         "stock at month end": with_order[end_day],
                         "stock at month end without the order": without[end_day],
                         "runs out": runs_out})
