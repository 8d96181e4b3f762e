"""Cohort retention, customer lifecycle and cohort exports, computed in the warehouse.

    cohorts.retention(wh, grain="month", metric="customers", mode="standard", by=None,
                      start=None, end=None)
        -> DataFrame[<by>, cohort, period, cohort_size, value, rate]
    cohorts.average_curve(df, grain=None, as_of=None) -> DataFrame[<by>, period, rate]
    cohorts.lifecycle(wh, grain="month", start=None, end=None, as_of=None)
        -> DataFrame[period, status, customers, partial]
    cohorts.incomplete_period(grain, as_of)         -> date | None
    cohorts.partial(df, grain, as_of)               -> Series[bool] (cells in the incomplete period)
    cohorts.new_customers(wh, start, end)           -> int
    cohorts.customers(wh, grain, cohort, by=None, by_value=None, end=None)
        -> DataFrame[customer_id, cohort, first_order_at, orders, revenue, last_order_at]

Definitions
-----------
* Lines: every orders row whose status is not 'cancelled' (case-insensitive; NULL status counts).
  Cancelled lines are ignored everywhere: they neither make anyone a customer nor extend the data.
  Line revenue = quantity * unit_price - coalesce(discount, 0); returns (negative quantity) are
  lines like any other (they count as activity and subtract revenue).
* Grain "month" or "week" (weeks start on Monday), on `ordered_at`, which is store-local time.
* Cohort: the calendar week/month of the customer's first line over ALL history (up to `end`),
  so a returning customer is never counted as new. It is a `datetime.date` (first day of it).
  Period k (int >= 0) = whole calendar grains between the cohort and the activity.
* start / end (dates, inclusive, optional): a cohort is shown when its week/month contains a day
  in [start, end] (whole cohorts: the cohort of start's month keeps customers who first bought
  before start); activity after `end` is ignored. The last period shown for every cohort is the
  week/month of min(end, latest line): every elapsed (cohort, period) pair gets a row (value 0
  when nobody was active), none lies in the future of the data.
* cohort_size = customers in the cohort (whatever the metric); rate = value / cohort_size.
* metric: customers (distinct customers with a line in period k), orders (distinct order_id per
  customer and period, summed), revenue (sum of line revenue).
* mode:
    standard   value in period k.
    rolling    customers: customers active in period k or any later period (period 0 = size);
               orders/revenue: the sum over periods >= k.
    cumulative customers: customers who came back (were active in some period 1..j) by
               period k, with period 0 = cohort size (the "returned at least once" curve);
               orders/revenue: running total through period k, so rate for revenue is the
               lifetime value per cohort customer so far.
* by: None | "channel" | "category" (anything else: ValueError). NULLs read "(not set)".
    channel  = acquisition channel: the channel of the customer's earliest line; several lines
               at that same instant: the smallest non-NULL channel.
    category = the products category of the highest-revenue line of the first order (the order
               of the earliest line; ties: smallest order_id); revenue ties: smallest category;
               SKUs missing from products: "(not set)".
* lifecycle per period p (calendar week/month, p shown from start's period to the last one):
    new = first purchase in p; returning = active in p and in p-1; resurrecting = active in p,
    not in p-1 but before; dormant = active in p-1, not in p (a positive count).
* average_curve: per period, sum(rate * cohort_size) / sum(cohort_size) over the cohorts that
  have a row for that period (i.e. have reached it), per breakdown value.
* The incomplete period: `as_of` is the data's last day (a parameter, never today()); the week/month
  holding it is incomplete unless as_of is its last day (December on Dec 5; a week until its Sunday).
  Its cells (cohort + period = that week/month) hold a few days' activity, not a period's: given
  as_of, average_curve leaves them out (the curve ends at the last complete period), and lifecycle
  marks that period partial=True and leaves out its dormant count (who is dormant is known only when
  the period ends: on Dec 5 everyone active in November but not yet in December would read as lost).
* new_customers(start, end): customers whose first live line ever falls in [start, end] (the range
  as a person reads it), while the cohorts shown are whole weeks/months and may hold more.

SQL: SQLAlchemy Core as named CTE steps (lines -> activity -> customer_stats -> ...), the same
statement on DuckDB and PostgreSQL. Periods are integers computed in SQL (month index =
year*12 + month - 1; week index = days from a fixed Monday to date_trunc('week', ...)), so no
interval or division semantics differ between dialects; pandas only reshapes the small result.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import (
    Integer,
    and_,
    case,
    distinct,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)

from lib.analytics import sales
from lib.cohorts.periods import as_date as _as_date
from lib.cohorts.periods import bucket_sql as _bucket_sql
from lib.cohorts.periods import index as _index
from lib.cohorts.periods import normalize_grain
from lib.cohorts.periods import step as _step
from lib.cohorts.periods import to_date as _to_date
from lib.warehouse.tables import FEED_TABLES

__all__ = ["retention", "average_curve", "ranking", "lifecycle", "customers", "new_customers", "incomplete_period", "partial",
           "GRAINS", "METRICS", "MODES", "BYS", "NOT_SET", "normalize_grain", "summary"]

GRAINS = ("month", "week")
METRICS = ("customers", "orders", "revenue")
MODES = ("standard", "rolling", "cumulative")
BYS = (None, "channel", "category")
NOT_SET = "(not set)"
STATUSES = ("new", "returning", "resurrecting", "dormant")



def _check(grain, metric=None, mode=None, by="") -> str:
    grain = normalize_grain(grain)
    if metric is not None and metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
    if mode is not None and mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if by != "" and by not in BYS:
        raise ValueError(f"unknown breakdown {by!r}; expected None, 'channel' or 'category'")
    return grain


# -- shared CTE steps -------------------------------------------------------------------------------
def _not_cancelled(o):
    return sales.live(o)


def _lines(grain: str, end: date | None):
    o = FEED_TABLES["orders"]
    conds = [_not_cancelled(o)]
    if end is not None:
        conds.append(o.c.ordered_at < datetime.combine(end + timedelta(days=1), datetime.min.time()))
    revenue = sales.line_revenue(o)
    return (select(o.c.customer_id, o.c.order_id, o.c.ordered_at, o.c.sku, o.c.channel,
                   _bucket_sql(grain, o.c.ordered_at).label("bucket"), revenue.label("revenue"))
            .where(*conds).cte("lines"))


def _activity(lines, orders: bool, first_at: bool, revenue: bool = True):
    """One row per (customer, period) with revenue; distinct orders and first line time on demand.

    Distinct orders come from a two-stage aggregate (order lines -> orders -> periods), which
    is much cheaper than count(distinct) per group on millions of lines.
    """
    src = lines
    n_orders = []
    if orders:
        src = (select(lines.c.customer_id, lines.c.order_id, lines.c.bucket,
                      func.sum(lines.c.revenue).label("revenue"), func.min(lines.c.ordered_at).label("ordered_at"))
               .group_by(lines.c.customer_id, lines.c.order_id, lines.c.bucket).cte("customer_orders"))
        n_orders = [func.count().label("orders")]
    extra = [func.min(src.c.ordered_at).label("first_at")] if first_at else []
    # summing revenue over millions of lines is skipped when the metric does not need it
    rev = func.sum(src.c.revenue) if revenue else literal_column("0.0")
    return (select(src.c.customer_id, src.c.bucket, rev.label("revenue"), *n_orders, *extra)
            .group_by(src.c.customer_id, src.c.bucket).cte("activity"))


def _attribution(by: str | None, lines, firsts):
    """(customer_id, grp) for the breakdown; `firsts` has customer_id, first_at."""
    if by == "channel":
        return (select(lines.c.customer_id, func.min(lines.c.channel).label("grp"))
                .select_from(lines.join(firsts, and_(lines.c.customer_id == firsts.c.customer_id,
                                                     lines.c.ordered_at == firsts.c.first_at)))
                .group_by(lines.c.customer_id).cte("acquisition"))
    p = FEED_TABLES["products"]
    first_order = (select(lines.c.customer_id, func.min(lines.c.order_id).label("order_id"))
                   .select_from(lines.join(firsts, and_(lines.c.customer_id == firsts.c.customer_id,
                                                        lines.c.ordered_at == firsts.c.first_at)))
                   .group_by(lines.c.customer_id).cte("first_order"))
    ranked = (select(lines.c.customer_id, p.c.category,
                     func.row_number().over(partition_by=lines.c.customer_id,
                                            order_by=[lines.c.revenue.desc(),
                                                      p.c.category.asc().nulls_last()]).label("rn"))
              .select_from(lines.join(first_order, and_(lines.c.customer_id == first_order.c.customer_id,
                                                        lines.c.order_id == first_order.c.order_id))
                           .outerjoin(p, p.c.sku == lines.c.sku))
              .cte("first_order_lines"))
    return (select(ranked.c.customer_id, ranked.c.category.label("grp")).where(ranked.c.rn == 1)
            .cte("first_category"))


def _customer_stats(by, lines, act, lo: int | None, hi: int | None, first_return: bool = False):
    """One row per customer of the shown cohorts: cohort, last active period, breakdown value."""
    cohort = func.min(act.c.bucket)
    cols = [act.c.customer_id, cohort.label("cohort"), func.max(act.c.bucket).label("last_bucket")]
    if by is not None:
        cols.append(func.min(act.c.first_at).label("first_at"))
    stats = select(*cols).group_by(act.c.customer_id)
    if lo is not None:
        stats = stats.having(cohort >= lo)
    if hi is not None:
        stats = stats.having(cohort <= hi)
    stats = stats.cte("first_orders")
    out = [stats]
    src = stats
    if first_return:     # the first period after the cohort in which the customer came back
        ret = (select(act.c.customer_id, func.min(act.c.bucket).label("first_return"))
               .select_from(act.join(stats, stats.c.customer_id == act.c.customer_id))
               .where(act.c.bucket > stats.c.cohort).group_by(act.c.customer_id).cte("first_returns"))
        src = src.outerjoin(ret, ret.c.customer_id == stats.c.customer_id)
        out.append(ret.c.first_return)
    if by is None:
        out.append(literal_column("''").label("grp"))
    else:
        attr = _attribution(by, lines, stats)
        src = src.outerjoin(attr, attr.c.customer_id == stats.c.customer_id)
        out.append(func.coalesce(attr.c.grp, NOT_SET).label("grp"))
    return select(*out).select_from(src).cte("customers")


def _latest(wh, end: date | None) -> datetime | None:
    o = FEED_TABLES["orders"]
    q = select(func.max(o.c.ordered_at).label("latest")).where(_not_cancelled(o))
    if end is not None:
        q = q.where(o.c.ordered_at < datetime.combine(end + timedelta(days=1), datetime.min.time()))
    val = wh.read(q)["latest"].iloc[0]
    return None if val is None or pd.isna(val) else pd.Timestamp(val).to_pydatetime()


# -- retention --------------------------------------------------------------------------------------
def _empty(by, cols):
    out = pd.DataFrame({c: pd.Series(dtype="object" if c in ("cohort", by) else "float64") for c in cols})
    for c in ("period", "cohort_size"):
        if c in out:
            out[c] = out[c].astype("int64")
    return out


def retention(wh, grain="month", metric="customers", mode="standard", by=None, start=None, end=None):
    """Cohort table: one row per (<by>, cohort, elapsed period). See the module docstring."""
    grain = _check(grain, metric, mode, by)
    start, end = _as_date(start), _as_date(end)
    cols = ([by] if by else []) + ["cohort", "period", "cohort_size", "value", "rate"]
    latest = _latest(wh, end)
    if latest is None:
        return _empty(by, cols)
    lo, last = (_index(grain, start) if start is not None else None), _index(grain, latest)
    if lo is not None and lo > last:
        return _empty(by, cols)
    lines = _lines(grain, end)
    act = _activity(lines, orders=metric == "orders", first_at=by is not None, revenue=metric == "revenue")
    cust = _customer_stats(by, lines, act, lo, last, first_return=metric == "customers" and mode == "cumulative")
    period = act.c.bucket - cust.c.cohort
    n_orders = func.sum(act.c.orders) if metric == "orders" else literal_column("0")
    std = (select(literal_column("'std'").label("kind"), cust.c.grp, cust.c.cohort, period.label("period"),
                  func.count().label("n"), n_orders.label("orders"), func.sum(act.c.revenue).label("revenue"))
           .select_from(act.join(cust, cust.c.customer_id == act.c.customer_id))
           .group_by(cust.c.grp, cust.c.cohort, period))
    parts = [std]
    if metric == "customers" and mode != "standard":
        col = cust.c.last_bucket if mode == "rolling" else cust.c.first_return
        kind = "last" if mode == "rolling" else "ret"
        q = (select(literal_column(f"'{kind}'").label("kind"), cust.c.grp, cust.c.cohort,
                    (col - cust.c.cohort).label("period"), func.count().label("n"),
                    literal_column("0").label("orders"), literal_column("0.0").label("revenue"))
             .where(col.is_not(None))
             .group_by(cust.c.grp, cust.c.cohort, col - cust.c.cohort))
        parts.append(q)
    stmt = union_all(*parts) if len(parts) > 1 else parts[0]
    raw = wh.read(stmt)
    return _assemble(raw, grain, metric, mode, by, last, cols)


def _assemble(raw, grain, metric, mode, by, last, cols):
    if raw.empty:
        return _empty(by, cols)
    step = _step(grain)
    raw = raw.astype({"cohort": "int64", "period": "int64", "n": "int64"})
    raw["period"] = raw["period"] // step
    std = raw[raw["kind"] == "std"]
    sizes = std[std["period"] == 0][["grp", "cohort", "n"]].rename(columns={"n": "cohort_size"})
    grid = []
    for rec in sizes.itertuples(index=False):
        n = (last - rec.cohort) // step + 1
        grid.append(pd.DataFrame({"grp": rec.grp, "cohort": rec.cohort, "period": np.arange(n, dtype="int64"),
                                  "cohort_size": rec.cohort_size}))
    df = pd.concat(grid, ignore_index=True)
    keys = ["grp", "cohort", "period"]
    if metric == "customers" and mode != "standard":
        kind = "last" if mode == "rolling" else "ret"
        src = raw[raw["kind"] == kind][keys + ["n"]].rename(columns={"n": "x"})
    else:
        col = {"customers": "n", "orders": "orders", "revenue": "revenue"}[metric]
        src = std[keys + [col]].rename(columns={col: "x"})
    df = df.merge(src, on=keys, how="left")
    df["x"] = pd.to_numeric(df["x"]).fillna(0)
    df = df.sort_values(keys, ignore_index=True)
    g = df.groupby(["grp", "cohort"], sort=False)["x"]
    if mode == "standard":
        value = df["x"]
    elif mode == "rolling":
        value = df["x"][::-1].groupby([df["grp"][::-1], df["cohort"][::-1]], sort=False).cumsum()[::-1]
    else:
        value = g.cumsum()
        if metric == "customers":   # period 0: everyone; later: came back by then
            value = value.where(df["period"] > 0, df["cohort_size"])
    value = value.sort_index()
    if metric == "revenue":
        df["value"] = value.astype("float64").round(10)
    else:
        df["value"] = value.round().astype("int64")
    df["rate"] = df["value"] / df["cohort_size"]
    df["cohort"] = [_to_date(grain, c) for c in df["cohort"]]
    if by:
        df[by] = df["grp"].astype(object)
    return df[cols].reset_index(drop=True)


def incomplete_period(grain: str, as_of) -> date | None:
    """The first day of the week/month holding `as_of` (the data's last day) when that period is not
    over on as_of (Dec 5 -> Dec 1; Nov 30 -> None; a week is over on its Sunday); None without as_of."""
    as_of = _as_date(as_of)
    if as_of is None:
        return None
    grain = normalize_grain(grain)
    first = _to_date(grain, _index(grain, as_of))
    last = (_to_date(grain, _index(grain, as_of) + 1) if grain == "month"
            else first + timedelta(days=7)) - timedelta(days=1)
    return None if as_of >= last else first


def partial(df: pd.DataFrame, grain: str, as_of) -> pd.Series:
    """Per row of a retention frame: True when the cell's activity period (cohort + period) is the
    incomplete period of `as_of` (see incomplete_period)."""
    cut = incomplete_period(grain, as_of)
    if cut is None or df.empty:
        return pd.Series(False, index=df.index, dtype=bool)
    grain = normalize_grain(grain)
    step = _step(grain)
    idx = [_index(grain, c) + int(p) * step for c, p in zip(df["cohort"], df["period"], strict=True)]
    return pd.Series([i == _index(grain, cut) for i in idx], index=df.index, dtype=bool)


def average_curve(df: pd.DataFrame, grain: str | None = None, as_of=None) -> pd.DataFrame:
    """Cohort-size-weighted mean rate per period (per breakdown value when `df` has one). Given the
    grain and the data's last day `as_of`, cells of the incomplete period are left out."""
    by = [c for c in df.columns if c not in ("cohort", "period", "cohort_size", "value", "rate", "partial")]
    cols = by + ["period", "rate"]
    if grain is not None and as_of is not None and not df.empty:
        df = df[~partial(df, grain, as_of)]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "rate" else "object") for c in cols})
    w = df.assign(_w=df["rate"] * df["cohort_size"])
    out = w.groupby(by + ["period"], sort=True, as_index=False)[["_w", "cohort_size"]].sum()
    out["rate"] = out["_w"] / out["cohort_size"]
    out["period"] = out["period"].astype("int64")
    return out[cols].reset_index(drop=True)


def ranking(df: pd.DataFrame, by: str, grain: str | None = None, as_of=None, periods=(1, 2, 3)) -> pd.DataFrame:
    """Which breakdown value's customers come back most: DataFrame[<by>, customers, <period k>...] with
    customers = the size of its cohorts and, per period k, its size-weighted average (average_curve,
    the incomplete period left out; NaN where no cohort has reached k), highest first period first."""
    avg = average_curve(df, grain, as_of)
    sizes = df[df["period"] == 0].groupby(by)["cohort_size"].sum().rename("customers")
    wide = avg[avg["period"].isin(periods)].pivot(index=by, columns="period", values="rate")
    out = pd.concat([sizes, wide.reindex(columns=list(periods))], axis=1).reset_index()
    out.columns = [by, "customers", *periods]
    out["customers"] = out["customers"].fillna(0).astype("int64")
    return out.sort_values([periods[0], "customers", by], ascending=[False, False, True], na_position="last",
                           ignore_index=True)


# -- lifecycle --------------------------------------------------------------------------------------
def lifecycle(wh, grain="month", start=None, end=None, as_of=None) -> pd.DataFrame:
    """Customers per period by status: new, returning, resurrecting, dormant (all positive); partial
    marks the incomplete period of `as_of`, which has no dormant row (see the module docstring)."""
    grain = _check(grain)
    start, end = _as_date(start), _as_date(end)
    cols = ["period", "status", "customers", "partial"]
    latest = _latest(wh, end)
    empty = pd.DataFrame({"period": pd.Series(dtype="object"), "status": pd.Series(dtype="object"),
                          "customers": pd.Series(dtype="int64"), "partial": pd.Series(dtype="bool")})
    if latest is None:
        return empty
    step = _step(grain)
    last = _index(grain, latest)
    k = literal_column(str(step), Integer)      # an inlined constant: GROUP BY must match it
    lines = _lines(grain, end)
    act = (select(lines.c.customer_id, lines.c.bucket).group_by(lines.c.customer_id, lines.c.bucket)
           .cte("activity"))
    win = dict(partition_by=act.c.customer_id, order_by=act.c.bucket)
    tr = (select(act.c.customer_id, act.c.bucket, func.lag(act.c.bucket).over(**win).label("prev"),
                 func.lead(act.c.bucket).over(**win).label("next"))
          .cte("transitions"))
    active = (select(literal_column("'active'").label("kind"), tr.c.bucket.label("bucket"),
                     func.sum(case((tr.c.prev.is_(None), 1), else_=0)).label("new"),
                     func.sum(case((tr.c.prev == tr.c.bucket - k, 1), else_=0)).label("returning"),
                     func.sum(case((tr.c.prev < tr.c.bucket - k, 1), else_=0)).label("resurrecting"),
                     literal(0).label("dormant"))
              .group_by(tr.c.bucket))
    gone = (select(literal_column("'gone'").label("kind"), (tr.c.bucket + k).label("bucket"),
                   literal(0).label("new"), literal(0).label("returning"), literal(0).label("resurrecting"),
                   func.count().label("dormant"))
            .where(or_(tr.c.next.is_(None), tr.c.next > tr.c.bucket + k))
            .group_by(tr.c.bucket + k))
    raw = wh.read(union_all(active, gone))
    if raw.empty:
        return empty
    raw = raw.astype({"bucket": "int64"})
    first = _index(grain, start) if start is not None else int(raw["bucket"].min())
    if first > last:
        return empty
    per = raw.groupby("bucket")[list(STATUSES)].sum()
    idx = pd.Index(range(first, last + 1, step), name="bucket")
    per = per.reindex(idx, fill_value=0).fillna(0).astype("int64")
    long = per.reset_index().melt(id_vars="bucket", var_name="status", value_name="customers")
    long["status"] = pd.Categorical(long["status"], categories=list(STATUSES), ordered=True)
    long = long.sort_values(["bucket", "status"], ignore_index=True)
    long["status"] = long["status"].astype(str).astype(object)
    long["period"] = [_to_date(grain, b) for b in long["bucket"]]
    long["customers"] = long["customers"].astype("int64")
    cut = incomplete_period(grain, as_of)
    long["partial"] = [p == cut for p in long["period"]] if cut is not None else False
    long = long[~(long["partial"] & (long["status"] == "dormant"))]
    return long[cols].reset_index(drop=True)


def new_customers(wh, start, end) -> int:
    """Customers whose first live line ever falls in [start, end] (inclusive dates, store-local)."""
    start, end = _as_date(start), _as_date(end)
    o = FEED_TABLES["orders"]
    lo = datetime.combine(start, datetime.min.time())
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time())
    firsts = (select(o.c.customer_id, func.min(o.c.ordered_at).label("first_at"))
              .where(_not_cancelled(o), o.c.ordered_at < hi).group_by(o.c.customer_id).cte("first_lines"))
    q = select(func.count().label("n")).where(firsts.c.first_at >= lo)
    return int(wh.read(q)["n"].iloc[0])


# -- export -----------------------------------------------------------------------------------------
def customers(wh, grain, cohort, by=None, by_value=None, end=None) -> pd.DataFrame:
    """The customers of one cohort (for a CSV export): lifetime orders and revenue through `end`."""
    grain = _check(grain, by=by)
    cohort, end = _as_date(cohort), _as_date(end)
    cols = ["customer_id", "cohort", "first_order_at", "orders", "revenue", "last_order_at"]
    if cohort is None:
        raise ValueError("cohort is required")
    target = _index(grain, cohort)
    lines = _lines(grain, end)
    stats = (select(lines.c.customer_id, func.min(lines.c.bucket).label("cohort"),
                    func.min(lines.c.ordered_at).label("first_at"),
                    func.max(lines.c.ordered_at).label("last_order_at"),
                    func.count(distinct(lines.c.order_id)).label("orders"),
                    func.sum(lines.c.revenue).label("revenue"))
             .group_by(lines.c.customer_id)
             .having(func.min(lines.c.bucket) == target)
             .cte("cohort_customers"))
    q = select(stats.c.customer_id, stats.c.first_at.label("first_order_at"), stats.c.orders,
               stats.c.revenue, stats.c.last_order_at)
    if by is not None:
        attr = _attribution(by, lines, stats)
        grp = func.coalesce(attr.c.grp, NOT_SET)
        q = q.select_from(stats.outerjoin(attr, attr.c.customer_id == stats.c.customer_id))
        if by_value is not None:
            q = q.where(grp == str(by_value))
    df = wh.read(q.order_by(stats.c.customer_id))
    df["cohort"] = [_to_date(grain, target)] * len(df)
    df["orders"] = df["orders"].astype("int64")
    df["revenue"] = df["revenue"].astype("float64")
    for c in ("first_order_at", "last_order_at"):
        df[c] = pd.to_datetime(df[c])
    return df[cols]


def summary(df: pd.DataFrame, grain: str, as_of=None, by: str | None = None) -> dict:
    """The Cohorts page's tiles over a retention frame: {"in_cohorts" (customers in its cohorts), "cohorts",
    "first_cohort" (the earliest cohort's date, None when empty), "rate_1" (the size-weighted average of
    period 1 with the incomplete period left out, average_curve; None when no cohort reached it)}."""
    first = df[df["period"] == 0]
    avg = average_curve(df.drop(columns=[by]) if by else df, grain, as_of)
    one = avg[avg["period"] == 1]
    return {"in_cohorts": int(first["cohort_size"].sum()), "cohorts": int(first["cohort"].nunique()),
            "first_cohort": min(first["cohort"]) if len(first) else None,
            "rate_1": float(one["rate"].iloc[0]) if len(one) else None}
