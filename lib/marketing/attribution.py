"""Which channel an order belongs to, as named CTE steps (SQLAlchemy Core; DuckDB, PostgreSQL, ClickHouse).

    lines(start, end)              live order lines of [start, end] with revenue and margin parts
    order_totals(lines)            one row per order: customer, time, own channel, revenue, margin
    session_channels(lo, hi)       one row per session of [lo, hi): person, start, channel (NULL = direct)
    attributed(start, end)         one row per order of [start, end]: ..., channel (never NULL)
    first_orders(attributed)       the customers whose first live order ever is among those orders

The rule (lib.marketing's docstring states it for readers): an order's channel is the channel of the session
whose purchase event carries its order_id, when that channel is not direct; else the channel of the same
person's (user_key) most recent non-direct session that started on or before the order time and no more than
30 calendar days before the order's day; else direct. An order no purchase event links to takes its own
`channel` column (orders feed), else direct. A session's channel is the smallest non-direct channel among its
events; "direct", "(direct)", "(none)", "none" and blanks count as direct.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, literal_column, select
from sqlalchemy.sql.selectable import CTE

from lib.analytics import sales
from lib.analytics.base import bounds
from lib.warehouse.tables import FEED_TABLES

__all__ = ["DIRECT", "DIRECT_VALUES", "LOOKBACK_DAYS", "lines", "order_totals", "session_channels", "attributed",
           "first_orders", "day_index", "month_index"]

DIRECT = "direct"
DIRECT_VALUES = ("direct", "(direct)", "(none)", "none", "")
LOOKBACK_DAYS = 30

orders_t = FEED_TABLES["orders"]
events_t = FEED_TABLES["events"]
products_t = FEED_TABLES["products"]


def day_index(ts):
    """Whole days from 2000-01-03 to the day of a timestamp (integer arithmetic on every engine)."""
    return cast(cast(ts, Date) - literal_column("DATE '2000-01-03'"), Integer)


def month_index(ts):
    """year * 12 + month - 1 of a timestamp or date."""
    return cast(func.extract("year", ts), Integer) * 12 + cast(func.extract("month", ts), Integer) - 1


def _not_direct(col):
    """The channel when it says something other than direct, else NULL."""
    return case((and_(col.is_not(None), func.lower(func.trim(col)).not_in(DIRECT_VALUES)), col), else_=None)


def lines(start: date | None, end: date | None, name: str = "lines") -> CTE:
    """Live lines (not cancelled) with ordered_at in [start, end] (None: unbounded): order_id, customer_id,
    ordered_at, channel, rev (quantity * unit_price - discount), cost (quantity * products.unit_cost; NULL when
    the SKU has no product row), costed_rev (rev when the SKU is known, else 0), as lib.analytics.base does."""
    o, p = orders_t, products_t
    rev = sales.line_revenue(o)
    known = p.c.sku.is_not(None)
    conds = [sales.live(o)]
    if start is not None or end is not None:
        lo, hi = bounds(start or date(1900, 1, 1), end or date(2999, 12, 30))
        conds += [o.c.ordered_at >= lo, o.c.ordered_at < hi]
    return (select(o.c.order_id, o.c.customer_id, o.c.ordered_at, o.c.channel, rev.label("rev"),
                   case((known, o.c.quantity * p.c.unit_cost), else_=None).label("cost"),
                   case((known, rev), else_=0.0).label("costed_rev"))
            .select_from(o.outerjoin(p, p.c.sku == o.c.sku)).where(*conds).cte(name))


def order_totals(ln: CTE, name: str = "order_totals") -> CTE:
    """One row per order: customer_id, ordered_at (its earliest line), own_channel (smallest non-blank channel
    of its lines), revenue, margin (sum of costed_rev - sum of cost)."""
    own = case((func.trim(ln.c.channel) != "", ln.c.channel), else_=None)
    return (select(ln.c.order_id, func.min(ln.c.customer_id).label("customer_id"),
                   func.min(ln.c.ordered_at).label("ordered_at"), func.min(own).label("own_channel"),
                   func.coalesce(func.sum(ln.c.rev), 0.0).label("revenue"),
                   (func.coalesce(func.sum(ln.c.costed_rev), 0.0) - func.coalesce(func.sum(ln.c.cost), 0.0))
                   .label("margin"))
            .group_by(ln.c.order_id).cte(name))


def session_channels(lo, hi, name: str = "session_channels") -> CTE:
    """One row per session with events in [lo, hi): session_key, user_key, started, channel (the smallest
    non-direct channel of its events; NULL when none says more than direct)."""
    e = events_t
    return (select(e.c.session_key, func.min(e.c.user_key).label("user_key"), func.min(e.c.event_at).label("started"),
                   func.min(_not_direct(e.c.channel)).label("channel"))
            .where(e.c.event_at >= lo, e.c.event_at < hi).group_by(e.c.session_key).cte(name))


def attributed(start: date, end: date, prefix: str = "") -> tuple[CTE, CTE]:
    """(orders, lines) of [start, end]: orders has order_id, customer_id, ordered_at, revenue, margin, channel.

    Purchase events are looked for from `LOOKBACK_DAYS` + 1 days before start to 2 days after end (a purchase
    event is logged a moment after the order), sessions over the same span."""
    lo, hi = bounds(start, end)
    ev_lo, ev_hi = lo - timedelta(days=LOOKBACK_DAYS + 1), hi + timedelta(days=2)
    ln = lines(start, end, f"{prefix}lines")
    ot = order_totals(ln, f"{prefix}order_totals")
    ss = session_channels(ev_lo, ev_hi, f"{prefix}sessions")
    e = events_t
    buys = (select(e.c.order_id, func.min(e.c.session_key).label("session_key"))
            .where(e.c.event == "purchase", e.c.order_id.is_not(None), e.c.event_at >= ev_lo, e.c.event_at < ev_hi)
            .group_by(e.c.order_id).cte(f"{prefix}buys"))
    touch = (select(ot.c.order_id, ot.c.ordered_at, buys.c.session_key, ss.c.user_key,
                    ss.c.channel.label("session_channel"))
             .select_from(ot.join(buys, buys.c.order_id == ot.c.order_id)
                          .join(ss, ss.c.session_key == buys.c.session_key))
             .cte(f"{prefix}touch"))
    prior = ss.alias(f"{prefix}prior")
    ranked = (select(touch.c.order_id, prior.c.channel,
                     func.row_number().over(partition_by=touch.c.order_id,
                                            order_by=(prior.c.started.desc(), prior.c.session_key.desc())).label("rn"))
              .select_from(touch.join(prior, prior.c.user_key == touch.c.user_key))
              .where(touch.c.session_channel.is_(None), prior.c.channel.is_not(None),
                     prior.c.started <= touch.c.ordered_at,
                     day_index(prior.c.started) >= day_index(touch.c.ordered_at) - LOOKBACK_DAYS)
              .cte(f"{prefix}lookback"))
    fallback = select(ranked.c.order_id, ranked.c.channel).where(ranked.c.rn == 1).cte(f"{prefix}fallback")
    channel = case(
        (touch.c.order_id.is_not(None), func.coalesce(touch.c.session_channel, fallback.c.channel, literal(DIRECT))),
        else_=func.coalesce(_not_direct(ot.c.own_channel), literal(DIRECT)))
    out = (select(ot.c.order_id, ot.c.customer_id, ot.c.ordered_at, ot.c.revenue, ot.c.margin,
                  channel.label("channel"))
           .select_from(ot.outerjoin(touch, touch.c.order_id == ot.c.order_id)
                        .outerjoin(fallback, fallback.c.order_id == ot.c.order_id))
           .cte(f"{prefix}attributed"))
    return out, ln


def first_orders(att: CTE, name: str = "first_orders") -> CTE:
    """The orders of `att` that are their customer's first live order ever (earliest line; ties: smallest
    order_id): customer_id, order_id, ordered_at, channel."""
    o = orders_t
    first_at = (select(o.c.customer_id, func.min(o.c.ordered_at).label("first_at"))
                .where(sales.live(o)).group_by(o.c.customer_id).cte(f"{name}_at"))
    ranked = (select(att.c.customer_id, att.c.order_id, att.c.ordered_at, att.c.channel,
                     func.row_number().over(partition_by=att.c.customer_id, order_by=att.c.order_id).label("rn"))
              .select_from(att.join(first_at, and_(first_at.c.customer_id == att.c.customer_id,
                                                   first_at.c.first_at == att.c.ordered_at)))
              .cte(f"{name}_ranked"))
    return (select(ranked.c.customer_id, ranked.c.order_id, ranked.c.ordered_at, ranked.c.channel)
            .where(ranked.c.rn == 1).cte(name))

