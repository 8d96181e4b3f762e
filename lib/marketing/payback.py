"""Cohort payback: what a channel paid per new customer against the margin those customers brought since.

    payback(wh, start, end, by="channel", as_of=None)
        -> DataFrame[cohort, channel, months_since, customers, cac, cum_margin_per_customer, paid_back]
    payback_summary(df, as_of)
        -> DataFrame[cohort, channel, customers, cac, payback_month, ltv_cac_3, ltv_cac_6, ltv_cac_12]

Definitions are in lib.marketing's docstring. Aggregation runs in the warehouse as named CTE steps (cohort
customers -> monthly margin -> sizes; spend per month); pandas only lays the small result on a grid of
months and accumulates it.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Double, cast, func, literal, select

from lib.analytics import sales
from lib.marketing.attribution import attributed, first_orders, lines, month_index
from lib.warehouse.tables import FEED_TABLES

__all__ = ["payback", "payback_summary", "last_order_date", "PAYBACK_COLUMNS", "SUMMARY_COLUMNS", "ALL", "HORIZONS"]

PAYBACK_COLUMNS = ["cohort", "channel", "months_since", "customers", "cac", "cum_margin_per_customer", "paid_back"]
SUMMARY_COLUMNS = ["cohort", "channel", "customers", "cac", "payback_month", "ltv_cac_3", "ltv_cac_6", "ltv_cac_12"]
HORIZONS = (3, 6, 12)
ALL = "(all channels)"
spend_t = FEED_TABLES["spend"]
orders_t = FEED_TABLES["orders"]


def last_order_date(wh) -> date | None:
    """The day of the latest live order line (the default `as_of`), or None when there are no orders."""
    o = orders_t
    got = wh.read(select(func.max(o.c.ordered_at).label("t")).where(sales.live(o)))["t"].iloc[0]
    return None if got is None or pd.isna(got) else pd.Timestamp(got).date()


def _month_date(idx: int) -> date:
    return date(int(idx) // 12, int(idx) % 12 + 1, 1)


def _month_of(d: date) -> int:
    return d.year * 12 + d.month - 1


def payback(wh, start: date, end: date, by: str | None = "channel", as_of: date | None = None) -> pd.DataFrame:
    """Per monthly cohort and acquisition channel, cumulative gross margin per customer against CAC.

    Args:
        wh: a lib.warehouse.Warehouse.
        start, end: inclusive dates: customers whose first live order ever falls in [start, end] form the
            cohorts (the calendar month of that first order).
        by: "channel" (the first order's attributed channel) or None (all channels together, channel
            "(all channels)").
        as_of: last day of data counted (margin after it is ignored); None: the day of the latest live order.

    Returns:
        DataFrame[cohort (date, first of month), channel, months_since (0..the month of as_of), customers,
        cac, cum_margin_per_customer, paid_back]; one row per cohort, channel and elapsed month.
    """
    if by not in ("channel", None):
        raise ValueError(f"unknown breakdown {by!r}; expected 'channel' or None")
    if start > end:
        start, end = end, start
    as_of = as_of or last_order_date(wh)
    if as_of is None:
        return pd.DataFrame(columns=PAYBACK_COLUMNS)
    att, _ = attributed(start, end)
    firsts = first_orders(att)
    chan = firsts.c.channel if by == "channel" else literal(ALL)
    cohort = (select(firsts.c.customer_id, month_index(firsts.c.ordered_at).label("cohort"), chan.label("channel"))
              .cte("cohort_customers"))
    ln = lines(None, as_of, "later_lines")
    since = (month_index(ln.c.ordered_at) - cohort.c.cohort).label("months_since")
    margin = (select(cohort.c.cohort, cohort.c.channel, since,
                     cast(func.coalesce(func.sum(ln.c.costed_rev), 0.0) - func.coalesce(func.sum(ln.c.cost), 0.0),
                          Double).label("margin"))
              .select_from(ln.join(cohort, cohort.c.customer_id == ln.c.customer_id))
              .group_by(cohort.c.cohort, cohort.c.channel, since).cte("monthly_margin"))
    sizes = (select(cohort.c.cohort, cohort.c.channel, cast(func.count(), Double).label("customers"))
             .group_by(cohort.c.cohort, cohort.c.channel).cte("cohort_sizes"))
    s = spend_t
    s_month = month_index(s.c.date)
    spent = (select(s_month.label("cohort"), s.c.channel, cast(func.sum(s.c.spend), Double).label("spend"))
             .where(s.c.date >= start, s.c.date <= end).group_by(s_month, s.c.channel).cte("monthly_spend"))
    m = wh.read(select(margin))
    n = wh.read(select(sizes))
    sp = wh.read(select(spent))
    if by is None:
        sp = sp.groupby("cohort", as_index=False)["spend"].sum().assign(channel=ALL)
    return _assemble(m, n, sp, _month_of(as_of))


def _assemble(margin: pd.DataFrame, sizes: pd.DataFrame, spend: pd.DataFrame, last_month: int) -> pd.DataFrame:
    if sizes.empty:
        return pd.DataFrame(columns=PAYBACK_COLUMNS)
    sizes = sizes.astype({"cohort": int, "customers": float})
    sizes["channel"] = sizes["channel"].astype(object)
    spend = spend.astype({"cohort": int, "spend": float})
    spend["channel"] = spend["channel"].astype(object)
    grid = sizes.loc[sizes.index.repeat((last_month - sizes["cohort"] + 1).clip(lower=1))].copy()
    grid["months_since"] = grid.groupby(["cohort", "channel"]).cumcount()
    margin = margin.astype({"cohort": int, "months_since": int, "margin": float})
    margin["channel"] = margin["channel"].astype(object)
    out = grid.merge(margin, on=["cohort", "channel", "months_since"], how="left")
    out["margin"] = out["margin"].fillna(0.0)
    out = out.merge(spend, on=["cohort", "channel"], how="left")
    out = out.sort_values(["cohort", "channel", "months_since"], kind="stable").reset_index(drop=True)
    out["cum_margin_per_customer"] = out.groupby(["cohort", "channel"])["margin"].cumsum() / out["customers"]
    out["cac"] = out["spend"] / out["customers"]          # NaN: no spend recorded for that channel and month
    out["paid_back"] = (out["cum_margin_per_customer"] >= out["cac"]).fillna(False).astype(bool)
    out["cohort"] = [_month_date(i) for i in out["cohort"]]
    out["customers"] = out["customers"].astype(np.int64)
    out["months_since"] = out["months_since"].astype(np.int64)
    return out[PAYBACK_COLUMNS]


def _month_ended(cohort: date, k: int, as_of: date) -> bool:
    idx = _month_of(cohort) + k + 1                       # the month after month k
    return _month_date(idx) - timedelta(days=1) <= as_of


def payback_summary(df: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per cohort and channel of a payback() frame: the payback month and LTV:CAC at 3, 6 and 12 months.

    payback_month = the first months_since whose cum_margin_per_customer >= cac (NaN if not yet, or no cac).
    ltv_cac_k = cum_margin_per_customer at months_since k / cac; NaN when cac is NaN or 0, or when calendar
    month cohort + k has not ended by `as_of` (pass the as_of payback() used: by default the day of the latest
    live order, lib.marketing.last_order_date).
    """
    rows = []
    for (cohort, channel), g in df.groupby(["cohort", "channel"], sort=True):
        g = g.sort_values("months_since")
        cac = float(g["cac"].iloc[0])
        back = g.loc[g["paid_back"], "months_since"]
        rec = {"cohort": cohort, "channel": channel, "customers": int(g["customers"].iloc[0]), "cac": cac,
               "payback_month": float(back.iloc[0]) if len(back) else np.nan}
        cum = g.set_index("months_since")["cum_margin_per_customer"]
        for k in HORIZONS:
            ok = k in cum.index and _month_ended(cohort, k, as_of) and np.isfinite(cac) and cac != 0
            rec[f"ltv_cac_{k}"] = float(cum[k]) / cac if ok else np.nan
        rows.append(rec)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
