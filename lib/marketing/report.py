"""Spend against what it brought, per channel or campaign (lib.marketing's docstring has the definitions).

    channel_report(wh, start, end, by="channel")       -> one row per channel (or channel + campaign)
    compare(wh, start, end, by="channel")              -> the report with each metric's previous-period value
    previous_period(start, end)                        -> the same-length window just before start
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Double, cast, distinct, func, literal, select

from lib.analytics.base import bounds
from lib.marketing.attribution import LOOKBACK_DAYS, attributed, first_orders, session_channels
from lib.warehouse.tables import FEED_TABLES

__all__ = ["channel_report", "compare", "previous_period", "REPORT_COLUMNS", "BYS", "ALL_CAMPAIGNS"]

BYS = ("channel", "campaign")
ALL_CAMPAIGNS = "(all campaigns)"
REPORT_COLUMNS = ["channel", "spend", "impressions", "clicks", "sessions", "orders", "revenue", "gross_margin",
                  "roas", "margin_roas", "cpa", "new_customers", "cac"]
_COUNTS = ["sessions", "orders", "new_customers"]
spend_t = FEED_TABLES["spend"]


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The window of the same number of days ending the day before `start`."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def _div(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den with NaN (never inf) where den is 0 or missing."""
    den = den.astype(float)
    return num.astype(float) / den.where(den != 0)


def _spend(wh, start: date, end: date, by: str) -> pd.DataFrame:
    s = spend_t
    keys = [s.c.channel] + ([s.c.campaign] if by == "campaign" else [])
    q = (select(*keys, cast(func.sum(s.c.spend), Double).label("spend"),
                cast(func.sum(s.c.impressions), Double).label("impressions"),
                cast(func.sum(s.c.clicks), Double).label("clicks"))
         .where(s.c.date >= start, s.c.date <= end).group_by(*keys))
    return wh.read(q)


def _attributed_totals(wh, start: date, end: date) -> pd.DataFrame:
    """channel, sessions, orders, revenue, gross_margin, new_customers: one statement of named CTE steps."""
    lo, hi = bounds(start, end)
    att, _ = attributed(start, end)
    # a session's first event decides whether it is in the range; it is looked for among events from
    # LOOKBACK_DAYS + 1 days before (a session does not last that long)
    ss = session_channels(lo - timedelta(days=LOOKBACK_DAYS + 1), hi, "range_sessions")
    firsts = first_orders(att)
    chan = func.coalesce(ss.c.channel, literal("direct"))
    sessions = (select(chan.label("channel"), cast(func.count(), Double).label("sessions"))
                .where(ss.c.started >= lo, ss.c.started < hi).group_by(chan).cte("by_sessions"))
    orders = (select(att.c.channel, cast(func.count(distinct(att.c.order_id)), Double).label("orders"),
                     cast(func.sum(att.c.revenue), Double).label("revenue"),
                     cast(func.sum(att.c.margin), Double).label("gross_margin"))
              .group_by(att.c.channel).cte("by_orders"))
    new = (select(firsts.c.channel, cast(func.count(distinct(firsts.c.customer_id)), Double).label("new_customers"))
           .group_by(firsts.c.channel).cte("by_new"))
    parts = {"sessions": (sessions, ["sessions"]), "orders": (orders, ["orders", "revenue", "gross_margin"]),
             "new": (new, ["new_customers"])}
    frames = []
    for cte, cols in parts.values():
        frames.append(wh.read(select(cte.c.channel, *(cte.c[c] for c in cols))).set_index("channel"))
    out = pd.concat(frames, axis=1).reset_index()
    return out.rename(columns={"index": "channel"})


def channel_report(wh, start: date, end: date, by: str = "channel") -> pd.DataFrame:
    """Spend, traffic, orders, revenue and margin per channel over [start, end] (inclusive dates).

    Args:
        wh: a lib.warehouse.Warehouse.
        start, end: inclusive dates (store-local).
        by: "channel" (one row per channel) or "campaign" (one row per channel and spend campaign, plus a
            row per channel whose campaign is "(all campaigns)" carrying the channel's totals: orders and
            sessions carry no campaign, so on campaign rows the attributed columns are NaN).

    Returns:
        DataFrame[channel, (campaign,) spend, impressions, clicks, sessions, orders, revenue, gross_margin,
        roas, margin_roas, cpa, new_customers, cac], sorted by spend then revenue (largest first). Every
        channel with spend or sessions or orders in the range appears; no spend reads 0.0 (roas NaN).
    """
    if by not in BYS:
        raise ValueError(f"unknown breakdown {by!r}; expected 'channel' or 'campaign'")
    if start > end:
        start, end = end, start
    sp = _spend(wh, start, end, "channel")
    tot = _attributed_totals(wh, start, end)
    out = tot.merge(sp, on="channel", how="outer")
    for c in ("spend", *_COUNTS, "revenue", "gross_margin"):
        out[c] = out[c].astype(float).fillna(0.0)
    out = _ratios(out)
    if by == "campaign":
        camp = _spend(wh, start, end, "campaign")
        camp = _ratios(camp.assign(**{c: np.nan for c in (*_COUNTS, "revenue", "gross_margin")}))
        out = pd.concat([camp, out.assign(campaign=ALL_CAMPAIGNS)], ignore_index=True)
        out["_total"] = out["campaign"].eq(ALL_CAMPAIGNS)
        out = out.sort_values(["channel", "_total", "spend", "campaign"], ascending=[True, True, False, True],
                              kind="stable").drop(columns="_total")
        cols = ["channel", "campaign", *REPORT_COLUMNS[1:]]
    else:
        out = out.sort_values(["spend", "revenue", "channel"], ascending=[False, False, True], kind="stable")
        cols = REPORT_COLUMNS
    out = out[cols].reset_index(drop=True)
    out["channel"] = out["channel"].astype(object)
    return out


def _ratios(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in ("spend", "impressions", "clicks"):
        df[c] = df[c].astype(float)
    df["roas"] = _div(df["revenue"], df["spend"])
    df["margin_roas"] = _div(df["gross_margin"], df["spend"])
    paid = df["spend"] > 0               # no recorded cost: cost per order / customer is unknown, not free
    df["cpa"] = _div(df["spend"], df["orders"]).where(paid)
    df["cac"] = _div(df["spend"], df["new_customers"]).where(paid)
    return df


def compare(wh, start: date, end: date, by: str = "channel") -> pd.DataFrame:
    """channel_report for [start, end] with, per metric, `<metric>_prev` from the previous period of the same
    length (previous_period) and `<metric>_change` (current - previous; NaN when either is NaN)."""
    keys = ["channel"] + (["campaign"] if by == "campaign" else [])
    cur = channel_report(wh, start, end, by)
    prev = channel_report(wh, *previous_period(start, end), by)
    metrics = [c for c in cur.columns if c not in keys]
    out = cur.merge(prev, on=keys, how="left", suffixes=("", "_prev"))
    for m in metrics:
        out[f"{m}_change"] = out[m] - out[f"{m}_prev"]
    return out

