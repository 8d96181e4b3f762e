"""The building blocks of every store metric (SQLAlchemy Core; DuckDB and PostgreSQL): the order lines and
sessions of a date range as named CTEs, their aggregate expressions, date bounds and period starts.
lib.analytics.kpis and lib.analytics.explore are built on these; the metric definitions are in lib.analytics.kpis' docstring.

    bounds(start, end)                       the half-open timestamp range of inclusive dates
    order_lines(start, end, ...) / sessions(start, end, ...)   CTEs of the range's rows
    ORDER_AGGS / SESSION_AGGS                {metric: aggregate expression over those CTEs' columns}
    period_index(start, end, grain)          every period start of the range
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Double, and_, case, cast, distinct, func, select
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import CTE

from lib.analytics import sales
from lib.analytics.periods import GRAINS
from lib.warehouse.tables import FEED_TABLES

__all__ = ["bounds", "order_lines", "sessions", "ORDER_AGGS", "SESSION_AGGS", "period_index", "NONE", "UNKNOWN",
           "orders_t", "events_t", "products_t", "promos_t"]

orders_t = FEED_TABLES["orders"]
events_t = FEED_TABLES["events"]
products_t = FEED_TABLES["products"]
promos_t = FEED_TABLES["promotions"]

UNKNOWN = "(unknown)"
NONE = "(none)"


# -- building blocks ----------------------------------------------------------------------------
def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end + 1 day 00:00): the half-open timestamp range of inclusive dates."""
    if start > end:
        start, end = end, start
    return datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time())


def _check_grain(grain: str | None) -> None:
    if grain is not None and grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; expected one of {', '.join(GRAINS)}")


def _live(o=orders_t) -> ColumnElement:
    """Not a cancelled line (NULL status counts as live)."""
    return sales.live(o)


def _first_orders() -> CTE:
    return (select(orders_t.c.customer_id, func.min(orders_t.c.ordered_at).label("first_at"))
            .where(_live()).group_by(orders_t.c.customer_id).cte("first_orders"))


def order_lines(start: date, end: date, *, channels: Sequence[str] | None = None,
                categories: Sequence[str] | None = None, grain: str | None = None,
                dim: Callable[[], ColumnElement] | None = None, name: str = "lines") -> CTE:
    """Live order lines in [start, end] with revenue, cost and the new-customer flag.

    Columns: order_id, customer_id, rev, qty, cost (NULL when the SKU has no product row),
    costed_rev, is_new (1/0), plus `period` (date_trunc(grain)) and `dim` when asked for.
    `dim` builds the dimension expression over orders_t / products_t.
    """
    _check_grain(grain)
    lo, hi = bounds(start, end)
    first = _first_orders()
    o, p = orders_t, products_t
    rev = sales.line_revenue(o)
    known = p.c.sku.is_not(None)
    if grain is None:
        new = first.c.first_at >= lo
    else:
        new = and_(first.c.first_at >= lo,
                   func.date_trunc(grain, first.c.first_at) == func.date_trunc(grain, o.c.ordered_at))
    cols = [o.c.order_id, o.c.customer_id, rev.label("rev"), o.c.quantity.label("qty"),
            case((known, o.c.quantity * p.c.unit_cost), else_=None).label("cost"),
            case((known, rev), else_=0.0).label("costed_rev"),
            case((new, 1), else_=0).label("is_new")]
    if grain is not None:
        cols.append(func.date_trunc(grain, o.c.ordered_at).label("period"))
    if dim is not None:
        cols.append(dim().label("dim"))
    conds = [_live(), o.c.ordered_at >= lo, o.c.ordered_at < hi]
    if channels:
        conds.append(o.c.channel.in_(list(channels)))
    if categories:
        conds.append(p.c.category.in_(list(categories)))
    return (select(*cols)
            .select_from(o.outerjoin(p, p.c.sku == o.c.sku).join(first, first.c.customer_id == o.c.customer_id))
            .where(*conds).cte(name))


def sessions(start: date, end: date, *, channels: Sequence[str] | None = None, grain: str | None = None,
             dim: Callable[[], ColumnElement] | None = None, name: str = "sessions") -> CTE:
    """One row per session with events in [start, end]: started, converted (1/0), period?, dim?.

    A session's channel/device/landing page are the smallest non-empty value among its events.
    """
    _check_grain(grain)
    lo, hi = bounds(start, end)
    e = events_t
    cols = [e.c.session_key, func.min(e.c.event_at).label("started"),
            func.max(case((e.c.event == "purchase", 1), else_=0)).label("converted")]
    if dim is not None:
        cols.append(func.min(dim()).label("dim"))
    conds = [e.c.event_at >= lo, e.c.event_at < hi]
    if channels:
        conds.append(e.c.channel.in_(list(channels)))
    per_session = select(*cols).where(*conds).group_by(e.c.session_key).cte(f"{name}_raw")
    out = [per_session.c.session_key, per_session.c.converted]
    if grain is not None:
        out.append(func.date_trunc(grain, per_session.c.started).label("period"))
    if dim is not None:
        out.append(func.coalesce(per_session.c.dim, NONE).label("dim"))
    return select(*out).cte(name)


def _f(x) -> ColumnElement:
    return cast(x, Double)


def _ratio(num, den) -> ColumnElement:
    return _f(num) / func.nullif(_f(den), 0.0)


# aggregate expressions over the columns `c` of order_lines() / sessions()
ORDER_AGGS: dict[str, Callable] = {
    "revenue": lambda c: _f(func.coalesce(func.sum(c.rev), 0.0)),
    "orders": lambda c: _f(func.count(distinct(c.order_id))),
    "units": lambda c: _f(func.coalesce(func.sum(c.qty), 0)),
    "aov": lambda c: _ratio(func.sum(c.rev), func.count(distinct(c.order_id))),
    "customers": lambda c: _f(func.count(distinct(c.customer_id))),
    "new_customers": lambda c: _f(func.count(distinct(case((c.is_new == 1, c.customer_id))))),
    "returning_customers": lambda c: _f(func.count(distinct(c.customer_id))
                                        - func.count(distinct(case((c.is_new == 1, c.customer_id))))),
    "returning_rate": lambda c: _ratio(func.count(distinct(c.customer_id))
                                       - func.count(distinct(case((c.is_new == 1, c.customer_id)))),
                                       func.count(distinct(c.customer_id))),
    "returns": lambda c: _f(func.coalesce(-func.sum(case((c.qty < 0, c.rev), else_=0.0)), 0.0)),
    "gross_margin": lambda c: _f(func.coalesce(func.sum(c.costed_rev) - func.sum(c.cost), 0.0)),
    "margin_pct": lambda c: _ratio(func.sum(c.costed_rev) - func.sum(c.cost), func.sum(c.costed_rev)),
    "margin_coverage": lambda c: _ratio(func.sum(c.costed_rev), func.sum(c.rev)),
    "uncosted_lines": lambda c: _f(func.count() - func.count(c.cost)),
}
SESSION_AGGS: dict[str, Callable] = {
    "sessions": lambda c: _f(func.count(c.session_key)),
    "converted_sessions": lambda c: _f(func.coalesce(func.sum(c.converted), 0)),
    "conversion_rate": lambda c: _ratio(func.sum(c.converted), func.count(c.session_key)),
}


def period_index(start: date, end: date, grain: str) -> pd.DatetimeIndex:
    """Every period start from the one holding `start` to the one holding `end` (weeks: Mondays)."""
    _check_grain(grain)
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if grain == "day":
        return pd.date_range(s, e, freq="D")
    if grain == "week":
        return pd.date_range(s - pd.Timedelta(days=s.weekday()), e, freq="W-MON")
    return pd.date_range(s.replace(day=1), e, freq="MS")
