"""Store KPIs computed in the warehouse (SQLAlchemy Core, named CTE steps; DuckDB and PostgreSQL).

Definitions (one place, used by the Overview and Explore pages):
- line revenue = quantity * unit_price - discount (NULL discount = 0); lines with status
  'cancelled' (any case) are excluded everywhere; returns (negative quantity) reduce revenue/units.
- orders = distinct order_id; customers = distinct customer_id; a customer is NEW in a period
  when their first-ever non-cancelled order (all history, all channels) falls inside it,
  RETURNING otherwise; returning rate = returning / customers; AOV = revenue / orders.
- gross margin is measured on the lines whose SKU is in the product feed (the "costed" lines):
  margin = costed revenue - sum(quantity * unit_cost); margin % = margin / costed revenue;
  margin coverage = costed revenue / revenue (the UI says "margin covers 97% of revenue").
- sessions = distinct events.session_key whose first event in the range falls in the period;
  a session converts when it has a 'purchase' event; conversion rate = converting / sessions.
- a date range [start, end] is inclusive on the stored (store-local, naive) timestamps:
  ts >= start AND ts < end + 1 day, as bound parameters.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
from sqlalchemy import and_, case, distinct, func, literal, or_, select, true, union_all
from sqlalchemy.sql import ColumnElement

from lib.analytics import explore, sales
from lib.analytics.base import (
    NONE,
    ORDER_AGGS,
    SESSION_AGGS,
    UNKNOWN,
    _f,
    _live,
    bounds,
    events_t,
    order_lines,
    orders_t,
    period_index,
    products_t,
    promos_t,
    sessions,
)

__all__ = [
    "KPIS", "Kpi", "summary", "compare", "trend", "breakdown", "breakdown_compare", "movers", "product_names",
    "promotion_periods",
    "order_span", "channels", "categories", "overlay", "order_lines", "sessions", "bounds",
    "ORDER_AGGS", "SESSION_AGGS", "BREAKDOWN_DIMS", "period_index",
]

class Kpi:
    """How a KPI is shown: label, kind (money|count|pct) and whether up is good."""

    def __init__(self, label: str, kind: str, up_is_good: bool = True):
        self.label, self.kind, self.up_is_good = label, kind, up_is_good


KPIS: dict[str, Kpi] = {
    "revenue": Kpi("Revenue", "money"),
    "orders": Kpi("Orders", "count"),
    "units": Kpi("Units", "count"),
    "aov": Kpi("Average order value", "money"),
    "customers": Kpi("Customers", "count"),
    "new_customers": Kpi("New customers", "count"),
    "returning_customers": Kpi("Returning customers", "count"),
    "returning_rate": Kpi("Returning-customer rate", "pct"),
    "sessions": Kpi("Sessions", "count"),
    "conversion_rate": Kpi("Conversion rate", "pct"),
    "gross_margin": Kpi("Gross margin", "money"),
    "margin_pct": Kpi("Gross margin %", "pct"),
    "returns": Kpi("Returns", "money", up_is_good=False),
}


# -- public queries -----------------------------------------------------------------------------
def summary(wh, start: date, end: date, channels: Sequence[str] | None = None) -> dict[str, float]:
    """Every KPI for [start, end] in one statement: {kpi: value} (NaN where a ratio is undefined)."""
    lines = order_lines(start, end, channels=channels)
    sess = sessions(start, end, channels=channels)
    o = select(*[f(lines.c).label(k) for k, f in ORDER_AGGS.items()]).cte("order_totals")
    s = select(*[f(sess.c).label(k) for k, f in SESSION_AGGS.items()]).cte("session_totals")
    row = wh.read(select(o, s).select_from(o.join(s, true())))
    return {k: (float("nan") if pd.isna(v) else float(v)) for k, v in row.iloc[0].items()}


def compare(wh, start: date, end: date, comparison: tuple[date, date] | None,
            channels: Sequence[str] | None = None) -> pd.DataFrame:
    """KPIs for [start, end] against the comparison range (None: no comparison, previous = NaN).

    -> DataFrame[kpi, label, value, previous, change, change_pct, kind, up_is_good]; for pct KPIs
    `change` is in fraction points (0.012 = +1.2 pts). Also carries margin_coverage/uncosted_lines
    in the frame's attrs.
    """
    cur = summary(wh, start, end, channels)
    prev = summary(wh, comparison[0], comparison[1], channels) if comparison else {}
    rows = []
    for key, k in KPIS.items():
        v, p = cur[key], prev.get(key, float("nan"))
        change = v - p
        pct = change / abs(p) if pd.notna(p) and p != 0 else float("nan")
        rows.append((key, k.label, v, p, change, pct, k.kind, k.up_is_good))
    out = pd.DataFrame(rows, columns=["kpi", "label", "value", "previous", "change", "change_pct", "kind",
                                      "up_is_good"])
    out.attrs = {"margin_coverage": cur["margin_coverage"], "uncosted_lines": int(cur["uncosted_lines"]),
                 "converted_sessions": cur["converted_sessions"]}
    return out


def trend(wh, start: date, end: date, grain: str, metric: str = "revenue",
          channels: Sequence[str] | None = None) -> pd.DataFrame:
    """One metric per period over [start, end] -> DataFrame[period, value], every period present.

    Empty periods are 0 for additive metrics and NaN for ratios (an AOV of 0 would mislead).
    """
    df = explore.query(wh, metric, None, grain, start, end, {"channel": list(channels or [])})
    return df[["period", "value"]]


def overlay(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Current and comparison trends aligned by position (day 0 with day 0, week 1 with week 1).

    -> DataFrame[offset, period, series, value, actual_period]: `period` is the current period at
    that offset (the x axis), `actual_period` the period the value belongs to.
    """
    cur = current.reset_index(drop=True).assign(offset=lambda d: d.index, series="Current")
    cur["actual_period"] = cur["period"]
    parts = [cur]
    if previous is not None and len(previous):
        prev = previous.reset_index(drop=True).assign(offset=lambda d: d.index, series="Comparison")
        prev["actual_period"] = prev["period"]
        prev["period"] = prev["offset"].map(dict(enumerate(cur["period"])))
        parts.append(prev.dropna(subset=["period"]))
    return pd.concat(parts, ignore_index=True)[["offset", "period", "series", "value", "actual_period"]]


BREAKDOWN_DIMS: dict[str, Callable[[], ColumnElement]] = {
    "channel": lambda: func.coalesce(orders_t.c.channel, NONE),
    "category": lambda: func.coalesce(products_t.c.category, UNKNOWN),
    "sku": lambda: orders_t.c.sku,
    "supplier": lambda: func.coalesce(products_t.c.supplier, UNKNOWN),
}


def _dim(dim: str) -> Callable[[], ColumnElement]:
    if dim not in BREAKDOWN_DIMS:
        raise ValueError(f"unknown dimension {dim!r}; expected one of {', '.join(BREAKDOWN_DIMS)}")
    return BREAKDOWN_DIMS[dim]


def breakdown(wh, start: date, end: date, dim: str, channels: Sequence[str] | None = None) -> pd.DataFrame:
    """Revenue, orders and units by channel|category|sku|supplier, biggest revenue first.

    -> DataFrame[<dim>, revenue, orders, units, share] (share of the range's revenue, 0..1).
    """
    lines = order_lines(start, end, channels=channels, dim=_dim(dim))
    by = (select(lines.c.dim.label(dim), ORDER_AGGS["revenue"](lines.c).label("revenue"),
                 ORDER_AGGS["orders"](lines.c).label("orders"), ORDER_AGGS["units"](lines.c).label("units"))
          .group_by(lines.c.dim).cte("by_dim"))
    df = wh.read(select(by).order_by(by.c.revenue.desc(), by.c[dim]))
    total = df["revenue"].sum()
    df["share"] = df["revenue"] / total if total else float("nan")
    return df


def breakdown_compare(wh, start: date, end: date, comparison_range: tuple[date, date] | None, dim: str,
                      channels: Sequence[str] | None = None) -> pd.DataFrame:
    """Revenue by channel|category|sku|supplier in [start, end] beside the comparison range.

    -> DataFrame[<dim>, (name for sku,) revenue, previous, change, change_pct, share, orders, units]: every
    value with live lines in either range (0 revenue where it had none), biggest revenue first, then
    biggest previous revenue; share of the range's revenue (0..1); previous/change/change_pct NaN without
    a comparison range, change_pct NaN where previous is 0.
    """
    cur = breakdown(wh, start, end, dim, channels)
    cols = [dim, *(["name"] if dim == "sku" else []), "revenue", "previous", "change", "change_pct", "share",
            "orders", "units"]
    if comparison_range is None:
        out = cur.assign(previous=float("nan"))
    else:
        prev = breakdown(wh, *comparison_range, dim, channels)[[dim, "revenue"]].rename(columns={"revenue": "previous"})
        out = cur.merge(prev, on=dim, how="outer")
        out[["revenue", "orders", "units", "previous"]] = out[["revenue", "orders", "units", "previous"]].fillna(0.0)
        total = out["revenue"].sum()
        out["share"] = out["revenue"] / total if total else float("nan")
    out["change"] = out["revenue"] - out["previous"]
    out["change_pct"] = [c / abs(pv) if pd.notna(pv) and pv else float("nan")
                         for c, pv in zip(out["change"], out["previous"], strict=True)]
    out = out.sort_values(["revenue", "previous", dim], ascending=[False, False, True], ignore_index=True)
    if dim == "sku":
        out["name"] = out["sku"].map(product_names(wh, out["sku"]))
    return out[cols]


def product_names(wh, skus) -> dict[str, str]:
    """sku -> product name from the product feed, for the SKUs asked (a SKU without a name is left out)."""
    skus = sorted({str(s) for s in skus if pd.notna(s)})
    if not skus:
        return {}
    df = wh.read(select(products_t.c.sku, products_t.c.name).where(products_t.c.sku.in_(skus)))
    return {str(k): str(v) for k, v in zip(df["sku"], df["name"], strict=True) if pd.notna(v) and str(v).strip()}


def movers(wh, start: date, end: date, comparison_range: tuple[date, date], dim: str = "sku", n: int = 5,
           channels: Sequence[str] | None = None) -> pd.DataFrame:
    """The `n` biggest revenue gains and `n` biggest losses by sku|category|channel|supplier.

    -> DataFrame[<dim>, (name for sku,) revenue, previous, change, change_pct, direction] ("up" rows
    first, biggest gain first; then "down" rows, biggest loss first); change_pct NaN when previous is 0;
    name: the product's name from the product feed (NaN when the SKU has none).
    """
    fn = _dim(dim)
    (clo, chi), (plo, phi) = bounds(start, end), bounds(*comparison_range)
    o, p = orders_t, products_t
    rev = sales.line_revenue(o)
    in_cur = and_(o.c.ordered_at >= clo, o.c.ordered_at < chi)
    in_prev = and_(o.c.ordered_at >= plo, o.c.ordered_at < phi)
    conds = [_live(), or_(in_cur, in_prev)]
    if channels:
        conds.append(o.c.channel.in_(list(channels)))
    lines = (select(fn().label("dim"), case((in_cur, rev), else_=0.0).label("cur"),
                    case((in_prev, rev), else_=0.0).label("prev"))
             .select_from(o.outerjoin(p, p.c.sku == o.c.sku)).where(*conds).cte("mover_lines"))
    by = (select(lines.c.dim, _f(func.sum(lines.c.cur)).label("revenue"),
                 _f(func.sum(lines.c.prev)).label("previous"))
          .group_by(lines.c.dim).cte("by_dim"))
    change = (by.c.revenue - by.c.previous)
    ups = (select(by.c.dim, by.c.revenue, by.c.previous, literal("up").label("direction"))
           .where(change > 0).order_by(change.desc(), by.c.dim).limit(n).subquery("ups"))
    downs = (select(by.c.dim, by.c.revenue, by.c.previous, literal("down").label("direction"))
             .where(change < 0).order_by(change.asc(), by.c.dim).limit(n).subquery("downs"))
    df = wh.read(union_all(select(ups), select(downs)))
    df["change"] = df["revenue"] - df["previous"]
    df["change_pct"] = [c / abs(pv) if pv else float("nan") for c, pv in zip(df["change"], df["previous"],
                                                                           strict=True)]
    up = df[df["direction"] == "up"].sort_values(["change", "dim"], ascending=[False, True])
    down = df[df["direction"] == "down"].sort_values(["change", "dim"], ascending=[True, True])
    out = pd.concat([up, down], ignore_index=True).rename(columns={"dim": dim})
    if dim == "sku":
        out["name"] = out["sku"].map(product_names(wh, out["sku"]))
        return out[["sku", "name", "revenue", "previous", "change", "change_pct", "direction"]]
    return out[[dim, "revenue", "previous", "change", "change_pct", "direction"]]


def promotion_periods(wh, start: date, end: date) -> pd.DataFrame:
    """Promotions overlapping [start, end], one row per promotion.

    -> DataFrame[promo_id, start_date, end_date, discount_pct, scope] (scope: "SKU X",
    "12 SKUs", "category Y"; plus " · email" for a channel-only promotion).
    """
    pr = promos_t
    by = (select(pr.c.promo_id, func.min(pr.c.start_date).label("start_date"),
                 func.max(pr.c.end_date).label("end_date"), func.max(pr.c.discount_pct).label("discount_pct"),
                 func.count(distinct(pr.c.sku)).label("skus"), func.min(pr.c.sku).label("sku"),
                 func.count(distinct(pr.c.category)).label("cats"), func.min(pr.c.category).label("category"),
                 func.min(pr.c.channel).label("channel"))
          .where(pr.c.start_date <= end, pr.c.end_date >= start).group_by(pr.c.promo_id).cte("promos"))
    df = wh.read(select(by).order_by(by.c.start_date, by.c.promo_id))
    cols = ["promo_id", "start_date", "end_date", "discount_pct", "scope"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["scope"] = [_scope(r) for r in df.itertuples(index=False)]
    df["start_date"] = pd.to_datetime(df["start_date"]).dt.date
    df["end_date"] = pd.to_datetime(df["end_date"]).dt.date
    df["discount_pct"] = df["discount_pct"].astype(float)
    return df[cols]


def _scope(r) -> str:
    parts = []
    if r.cats:
        parts.append(f"category {r.category}" if r.cats == 1 else f"{r.cats} categories")
    if r.skus:
        parts.append(f"SKU {r.sku}" if r.skus == 1 else f"{r.skus} SKUs")
    if isinstance(r.channel, str) and r.channel:
        parts.append(f"{r.channel} only")
    return " · ".join(parts) or "store-wide"


def order_span(wh) -> tuple[date, date] | None:
    """First and last order dates in the warehouse (all lines), or None with no orders."""
    q = select(func.min(orders_t.c.ordered_at).label("lo"), func.max(orders_t.c.ordered_at).label("hi"))
    row = wh.read(q).iloc[0]
    if pd.isna(row["lo"]):
        return None
    return pd.Timestamp(row["lo"]).date(), pd.Timestamp(row["hi"]).date()


def channels(wh) -> list[str]:
    """Distinct non-empty channels in orders and events, sorted."""
    u = union_all(select(orders_t.c.channel.label("channel")).where(orders_t.c.channel.is_not(None)).distinct(),
                  select(events_t.c.channel.label("channel")).where(events_t.c.channel.is_not(None)).distinct()
                  ).cte("all_channels")
    df = wh.read(select(u.c.channel).distinct())
    return sorted(str(c) for c in df["channel"] if str(c).strip())


def categories(wh) -> list[str]:
    """Distinct product categories, sorted."""
    df = wh.read(select(products_t.c.category).distinct())
    return sorted(str(c) for c in df["category"] if c is not None and str(c).strip())
