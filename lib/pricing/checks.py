"""Pricing health checks: SKU-days and SKUs whose prices need a coordinator's attention.

Everything is measured on live order lines (lib.analytics.sales) in [start, end] (inclusive dates on the
stored store-local timestamps), per SKU, day and channel (a missing channel reads "(none)"):

- avg price  = sum(quantity * unit_price) / sum(quantity) over lines with quantity > 0 (the shelf
  price paid, before line discounts, which are coupons);
- net price  = sum(quantity * unit_price - discount) / sum(quantity) over the same lines.

Checks (`check` column):
- BELOW_COST: net price < unit_cost; at stake = units * unit_cost - net revenue.
- OFF_LIST: |avg price / list price - 1| > price_tolerance and no promotion record covers the SKU
  that day (a promotion covers it by its sku, or by its category when the record has no sku; a
  record with a channel covers that channel only); at stake = |units * list - gross|.
- UNRECORDED_PROMO: OFF_LIST days at least 5% below list that form a run of >= 2 consecutive days
  for the same SKU and channel: a promotion that ran without a record. Such days are reported as
  UNRECORDED_PROMO instead of OFF_LIST (never both); at stake as for OFF_LIST.
- CHANNEL_GAP: one SKU on one day sold in >= 2 channels whose avg prices differ by more than
  price_tolerance relative to the lowest; `channel` is the cheapest channel, at stake = (highest
  - lowest price) * units sold in the cheapest channel. Promotion records do not excuse a gap
  (a channel-only promotion shows up here on purpose).
- LOW_MARGIN: SKUs whose gross margin over the range, (revenue - quantity * unit_cost) / revenue
  on all live lines (returns included, as in lib.analytics.kpis), is below min_margin (SKUs with revenue
  <= 0 are skipped); day is NaT and channel None; at stake = min_margin * revenue - margin.

What is counted. A finding (a row) is one SKU on one day in one channel (a "SKU-day"; LOW_MARGIN: one
SKU over the whole range); ``lines`` is how many sale lines (quantity > 0) it rests on. tally() counts,
per check, the SKUs flagged, the findings, the sale lines, units and revenue at stake: "Below cost 298"
was 298 SKU-days, not 298 SKUs nor 298 sale lines.

SKUs missing from the product feed only take part in CHANNEL_GAP. The heavy aggregation (group by
sku, day, channel, and the promotion cover) runs in the warehouse; flags are set in pandas.
"""
from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Date, Double, and_, case, cast, exists, func, or_, select

from lib.analytics import sales
from lib.analytics.kpis import NONE, bounds
from lib.warehouse.tables import FEED_TABLES

__all__ = ["health", "tally", "CHECKS", "BELOW_COST", "OFF_LIST", "UNRECORDED_PROMO", "CHANNEL_GAP", "LOW_MARGIN", "COLUMNS",
           "UNRECORDED_DROP"]

BELOW_COST = "below cost"
OFF_LIST = "off list price"
UNRECORDED_PROMO = "unrecorded promotion"
CHANNEL_GAP = "channel price gap"
LOW_MARGIN = "low margin"
UNRECORDED_DROP = 0.05   # an unrecorded promotion is at least this far below list, >= 2 days running
# ratios are rounded to this many decimals before comparing with a threshold, so that warehouse sums
# added up in a different order (parallel aggregation) cannot flip a finding sitting on a boundary
_DIGITS = 9
COLUMNS = ["check", "sku", "name", "category", "channel", "day", "detail", "units", "lines", "revenue_at_stake"]
CHECKS = [BELOW_COST, OFF_LIST, UNRECORDED_PROMO, CHANNEL_GAP, LOW_MARGIN]
TALLY_COLUMNS = ["check", "skus", "findings", "lines", "units", "revenue_at_stake"]


def _validate(start: date, end: date, price_tolerance: float, min_margin: float) -> None:
    if start > end:
        raise ValueError(f"The start date {start} is after the end date {end}.")
    if not (math.isfinite(price_tolerance) and 0 <= price_tolerance < 1):
        raise ValueError(f"price_tolerance must be a fraction from 0 up to 1 (got {price_tolerance}).")
    if not (math.isfinite(min_margin) and 0 <= min_margin < 1):
        raise ValueError(f"min_margin must be a fraction from 0 up to 1 (got {min_margin}).")


def _daily(wh, start: date, end: date) -> pd.DataFrame:
    """[sku, day, channel, units, gross, net, revenue, qty, covered, name, category, unit_cost, list_price]."""
    o, p, pr = FEED_TABLES["orders"], FEED_TABLES["products"], FEED_TABLES["promotions"]
    lo, hi = bounds(start, end)
    pos = o.c.quantity > 0
    day = cast(o.c.ordered_at, Date)
    channel = func.coalesce(o.c.channel, NONE)
    agg = (select(o.c.sku, day.label("day"), channel.label("channel"),
                  cast(func.sum(case((pos, o.c.quantity), else_=0)), Double).label("units"),
                  cast(func.sum(case((pos, 1), else_=0)), Double).label("lines"),
                  cast(func.sum(case((pos, o.c.quantity * o.c.unit_price), else_=0.0)), Double).label("gross"),
                  cast(func.sum(case((pos, sales.line_revenue(o)), else_=0.0)), Double).label("net"),
                  cast(func.sum(sales.line_revenue(o)), Double).label("revenue"),
                  cast(func.sum(o.c.quantity), Double).label("qty"))
           .where(sales.live(o), o.c.ordered_at >= lo, o.c.ordered_at < hi)
           .group_by(o.c.sku, day, channel).cte("sku_days"))
    cover = exists().where(
        pr.c.start_date <= agg.c.day, pr.c.end_date >= agg.c.day,
        or_(pr.c.sku == agg.c.sku, and_(pr.c.sku.is_(None), pr.c.category == p.c.category)),
        or_(pr.c.channel.is_(None), pr.c.channel == agg.c.channel))
    q = (select(agg, case((cover, 1), else_=0).label("covered"), p.c.name, p.c.category,
                cast(p.c.unit_cost, Double).label("unit_cost"), cast(p.c.price, Double).label("list_price"))
         .select_from(agg.outerjoin(p, p.c.sku == agg.c.sku))
         .order_by(agg.c.sku, agg.c.channel, agg.c.day))
    df = wh.read(q)
    df["day"] = pd.to_datetime(df["day"])
    for c in ("units", "lines", "gross", "net", "revenue", "qty", "unit_cost", "list_price"):
        df[c] = df[c].astype(float)
    return df


def _text(template: str, *cols: pd.Series) -> pd.Series:
    """One formatted string per row (works on empty columns too)."""
    return pd.Series([template.format(*v) for v in zip(*cols, strict=True)], index=cols[0].index, dtype=object)


def _rows(df: pd.DataFrame, check: str, detail: pd.Series, stake: pd.Series) -> pd.DataFrame:
    out = df[["sku", "name", "category", "channel", "day", "units", "lines"]].copy()
    out.insert(0, "check", check)
    out["detail"] = detail
    out["revenue_at_stake"] = stake
    return out[COLUMNS]


def _below_cost(d: pd.DataFrame) -> pd.DataFrame:
    f = d[(d["net_price"] - d["unit_cost"]).round(_DIGITS) < 0]
    detail = _text("net price {:.2f} < unit cost {:.2f}", f["net_price"], f["unit_cost"])
    return _rows(f, BELOW_COST, detail, f["units"] * f["unit_cost"] - f["net"])


def _off_list(d: pd.DataFrame, price_tolerance: float) -> pd.DataFrame:
    rel = (d["avg_price"] / d["list_price"] - 1.0).round(_DIGITS)
    keep = (rel.abs() > price_tolerance) & (d["covered"] == 0)
    f = d[keep].assign(rel=rel[keep])
    drop = f["rel"] <= -UNRECORDED_DROP
    # runs of consecutive days per (sku, channel) among the promotion-like days
    g = f[drop].sort_values(["sku", "channel", "day"])
    gap = g.groupby(["sku", "channel"])["day"].diff() != pd.Timedelta(days=1)
    run = gap.cumsum()
    long_run = (run.map(run.value_counts()) >= 2).to_numpy(dtype=bool)
    promo = f.index.isin(g.index[long_run])
    detail = _text("avg price {:.2f} vs list {:.2f} ({:+.1%}), no promotion", f["avg_price"], f["list_price"],
                   f["rel"])
    stake = (f["units"] * f["list_price"] - f["gross"]).abs()
    return pd.concat([_rows(f[~promo], OFF_LIST, detail[~promo], stake[~promo]),
                      _rows(f[promo], UNRECORDED_PROMO, detail[promo], stake[promo])])


def _channel_gap(d: pd.DataFrame, price_tolerance: float) -> pd.DataFrame:
    d = d.sort_values(["sku", "day", "avg_price", "channel"])
    by = d.groupby(["sku", "day"])
    n, hi = by["avg_price"].transform("size"), by["avg_price"].transform("max")
    cheapest = d[(n >= 2) & ~d.duplicated(["sku", "day"])]
    hi = hi[cheapest.index]
    f = cheapest[(hi / cheapest["avg_price"] - 1.0).round(_DIGITS) > price_tolerance]
    hi = hi[f.index]
    detail = _text("{} {:.2f} vs up to {:.2f} (+{:.1%})", f["channel"], f["avg_price"], hi,
                   hi / f["avg_price"] - 1.0)
    return _rows(f, CHANNEL_GAP, detail, (hi - f["avg_price"]) * f["units"])


def _low_margin(d: pd.DataFrame, min_margin: float) -> pd.DataFrame:
    costed = d[d["unit_cost"].notna()].assign(cost=lambda x: x["qty"] * x["unit_cost"])
    s = costed.groupby("sku", as_index=False).agg(name=("name", "first"), category=("category", "first"),
                                                  units=("qty", "sum"), lines=("lines", "sum"),
                                                  revenue=("revenue", "sum"),
                                                  cost=("cost", "sum"))
    s = s[s["revenue"] > 0]
    margin = s["revenue"] - s["cost"]
    pct = (margin / s["revenue"]).round(_DIGITS)
    low = pct < min_margin
    f = s[low].assign(channel=None, day=pd.NaT)
    detail = _text("margin {:.1%} < {:.1%}", pct[low], pd.Series(min_margin, index=f.index))
    return _rows(f, LOW_MARGIN, detail, min_margin * f["revenue"] - margin[low])


def health(wh, start: date, end: date, *, price_tolerance: float = 0.02,
           min_margin: float = 0.15) -> pd.DataFrame:
    """Pricing problems in [start, end], one row per finding, biggest revenue at stake first.

    -> DataFrame[check, sku, name, category, channel, day, detail, units, lines, revenue_at_stake]
    (see the module docstring for each check); `day` is a datetime64 day (NaT for LOW_MARGIN),
    `units` the units sold in that cell (net of returns for LOW_MARGIN), `lines` the sale lines
    (quantity > 0) of the cell (of the SKU over the range for LOW_MARGIN). Ties in revenue at
    stake are ordered by check, sku, channel, day. Raises ValueError on bad parameters.
    """
    _validate(start, end, price_tolerance, min_margin)
    d = _daily(wh, start, end)
    sold = d[d["units"] > 0].copy()
    sold["avg_price"] = sold["gross"] / sold["units"]
    sold["net_price"] = sold["net"] / sold["units"]
    listed = sold[sold["list_price"] > 0]
    parts = [_below_cost(sold[sold["unit_cost"].notna()]), _off_list(listed, price_tolerance),
             _channel_gap(sold, price_tolerance), _low_margin(d, min_margin)]
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else pd.DataFrame({c: [] for c in COLUMNS})
    out["units"] = out["units"].astype(float)
    out["lines"] = out["lines"].astype(np.int64)
    out["revenue_at_stake"] = out["revenue_at_stake"].astype(float)
    out["day"] = pd.to_datetime(out["day"])
    order = np.lexsort((out["day"].to_numpy(), out["channel"].fillna("").to_numpy(dtype=str),
                        out["sku"].to_numpy(dtype=str), out["check"].to_numpy(dtype=str),
                        -out["revenue_at_stake"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def tally(found: pd.DataFrame) -> pd.DataFrame:
    """What each check counts, from health()'s findings: one row per check (CHECKS order, zeros when
    nothing was found) -> DataFrame[check, skus, findings, lines, units, revenue_at_stake]: distinct SKUs
    flagged, findings (SKU-days: a SKU on one day in one channel; LOW_MARGIN: SKUs), the sale lines they
    rest on, their units and the revenue at stake."""
    g = found.groupby("check").agg(skus=("sku", "nunique"), findings=("sku", "size"), lines=("lines", "sum"),
                                   units=("units", "sum"), revenue_at_stake=("revenue_at_stake", "sum"))
    g = g.reindex(CHECKS).fillna(0)
    out = g.reset_index().rename(columns={"index": "check"})
    for c in ("skus", "findings", "lines"):
        out[c] = out[c].astype(np.int64)
    out["units"] = out["units"].astype(float)
    out["revenue_at_stake"] = out["revenue_at_stake"].astype(float)
    return out[TALLY_COLUMNS]
