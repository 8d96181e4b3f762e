"""Funnels computed in the warehouse (SQLAlchemy Core, the same statements on DuckDB and PostgreSQL).

Semantics (DESIGN.md):
- A unit is a session (events.session_key) or a person (events.user_key: user_id, else
  customer_id, stitched across the session; see lib.warehouse.identity).
- Only events with event_at in [start, end] count (a date `end` means the whole day).
- order="sequential": a unit reaches step k when some step-1 event starts an attempt whose steps
  2..k each come strictly later than the previous step (other events may interleave), the k-th no
  later than step-1 time + window (an event exactly at the window end counts). Every step-1
  event is tried; the best attempt counts. Within an attempt each step is the first occurrence
  after the previous one (greedy), which is never worse than any other choice.
- order="strict": as sequential, but each step must be the unit's very next event (any event
  name) after the previous step. Events sharing a timestamp are one moment: the next step must
  be among the events at the unit's next distinct timestamp.
- order="any": step k = the unit did at least k distinct listed steps within one window
  [t, t + window], t being any listed event's time; the steps' order does not matter.
- Breakdowns (`by`) use first-touch attribution: the value on the unit's first step-1 event
  in the range (for "any": its first listed event); a missing value is "(not set)".
- median_seconds_from_previous at step k: over the units reaching step k, the time between
  steps k-1 and k in each unit's earliest attempt that reached step k (for "any": between the
  (k-1)-th and k-th distinct step of the unit's earliest best window).

Each query is built as named CTE steps; only small aggregates come back to pandas. ClickHouse runs the
same plan: its windowFunnel gives the sequential step counts but not the medians, so it is not used here
(lib.funnel.native says where its modes differ and holds its SQL, the benchmark's ClickHouse reference).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Double, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from lib.warehouse.tables import FEED_TABLES

__all__ = ["compute", "plan", "Spec", "ORDERS", "UNITS", "BY_COLUMNS", "FILTER_COLUMNS", "DEFAULT_STEPS",
           "NOT_SET", "FunnelError", "epoch_us", "first_by", "shape"]

ORDERS = ("sequential", "strict", "any")
UNITS = ("session", "user")
BY_COLUMNS = ("channel", "device", "landing_page", "sku", "customer_id", "user_id")
FILTER_COLUMNS = ("channel", "device", "landing_page")
DEFAULT_STEPS = ("page_view", "view_item", "add_to_cart", "begin_checkout", "purchase")
NOT_SET = "(not set)"
MAX_STEPS = 10
_US = 1_000_000
_UNIT_COLUMN = {"session": "session_key", "user": "user_key"}

events = FEED_TABLES["events"]


class FunnelError(ValueError):
    """Funnel parameters that cannot be computed; the message says which and why."""


class epoch_us(FunctionElement):
    """Microseconds since 1970 of a naive timestamp, as BIGINT (integer arithmetic is cheap)."""
    type = BigInteger()
    name = "epoch_us"
    inherit_cache = True


@compiles(epoch_us)
def _epoch_us_default(element, compiler, **kw):
    return f"epoch_us({compiler.process(element.clauses, **kw)})"


@compiles(epoch_us, "postgresql")
def _epoch_us_pg(element, compiler, **kw):
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) * 1000000 AS BIGINT)"


@compiles(epoch_us, "clickhouse")
def _epoch_us_ch(element, compiler, **kw):
    return f"toUnixTimestamp64Micro({compiler.process(element.clauses, **kw)})"


class first_by(FunctionElement):
    """Aggregate: the value of the first argument on the row with the smallest second argument.

    Rows tied on the key give the smallest value, so the same data always gives the same answer.
    DuckDB: arg_min(value, (key, value)); PostgreSQL: (array_agg(value ORDER BY key, value))[1]; ClickHouse: argMin
    (whose aggregates skip NULLs, as a breakdown value is never NULL here: coalesced to NOT_SET).
    """
    inherit_cache = True
    name = "first_by"

    def __init__(self, value, key, unique_key: bool = False):
        # unique_key: the caller guarantees no ties on the key, so no tie-break is needed
        self.unique_key = unique_key
        super().__init__(value, key)

    @property
    def type(self):
        return list(self.clauses)[0].type


@compiles(first_by)
def _first_by_default(element, compiler, **kw):
    value, key = (compiler.process(c, **kw) for c in element.clauses)
    if element.unique_key:
        return f"arg_min({value}, {key})"
    return f"arg_min({value}, ({key}, {value}))"


@compiles(first_by, "postgresql")
def _first_by_pg(element, compiler, **kw):
    value, key = (compiler.process(c, **kw) for c in element.clauses)
    return f"(array_agg({value} ORDER BY {key}, {value}))[1]"


@compiles(first_by, "clickhouse")
def _first_by_ch(element, compiler, **kw):
    value, key = (compiler.process(c, **kw) for c in element.clauses)
    if element.unique_key:
        return f"argMin({value}, {key})"
    return f"argMin({value}, ({key}, {value}))"


@dataclass(frozen=True)
class Spec:
    """Validated funnel parameters (hashable: usable as a cache key)."""
    steps: tuple[str, ...]
    lo: datetime
    hi: datetime            # exclusive
    window_us: int
    order: str
    unit: str
    by: str | None
    filters: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def make(cls, steps, start, end, window=timedelta(days=1), order="sequential", unit="session",
             by=None, filters=None) -> Spec:
        steps = tuple(steps or ())
        if not steps or not all(isinstance(s, str) and s.strip() for s in steps):
            raise FunnelError("Pick at least one step (event names).")
        if len(steps) > MAX_STEPS:
            raise FunnelError(f"A funnel has at most {MAX_STEPS} steps; {len(steps)} were given.")
        if order not in ORDERS:
            raise FunnelError(f"Unknown step order {order!r}; expected one of {', '.join(ORDERS)}.")
        if order == "any" and len(set(steps)) != len(steps):
            raise FunnelError("With step order 'any', each step must be a different event.")
        if unit not in UNITS:
            raise FunnelError(f"Unknown unit {unit!r}; expected session or user.")
        if by is not None and by not in BY_COLUMNS:
            raise FunnelError(f"Cannot break down by {by!r}; expected one of {', '.join(BY_COLUMNS)}.")
        if not isinstance(window, timedelta) or window <= timedelta(0):
            raise FunnelError("The conversion window must be a positive duration.")
        lo, hi = _bounds(start, end)
        flt = []
        for col, values in sorted((filters or {}).items()):
            if col not in FILTER_COLUMNS:
                raise FunnelError(f"Cannot filter on {col!r}; expected one of {', '.join(FILTER_COLUMNS)}.")
            vals = tuple(sorted({str(v) for v in values}))
            if vals:
                flt.append((col, vals))
        return cls(steps, lo, hi, window // timedelta(microseconds=1), order, unit, by, tuple(flt))


def _bounds(start, end) -> tuple[datetime, datetime]:
    def as_dt(x, end_of_day: bool) -> datetime:
        if isinstance(x, pd.Timestamp):
            x = x.to_pydatetime()
        if isinstance(x, datetime):
            return x.replace(tzinfo=None) + (timedelta(microseconds=1) if end_of_day else timedelta(0))
        if isinstance(x, date):
            return datetime.combine(x + timedelta(days=1) if end_of_day else x, time())
        raise FunnelError(f"Not a date: {x!r}")
    lo, hi = as_dt(start, False), as_dt(end, True)
    if hi <= lo:
        raise FunnelError(f"The date range is empty: {start} to {end}.")
    return lo, hi


# -- the shared CTE steps ----------------------------------------------------------------------
def _scoped(spec: Spec, names: tuple[str, ...] | None):
    """Events in range (and filters), optionally only the listed event names."""
    conds = [events.c.event_at >= spec.lo, events.c.event_at < spec.hi]
    if names is not None:
        conds.append(events.c.event.in_(sorted(set(names))))
    for col, vals in spec.filters:
        c = events.c[col]
        cond = c.in_([v for v in vals if v != NOT_SET])
        conds.append(or_(cond, c.is_(None)) if NOT_SET in vals else cond)
    return and_(*conds)


def _by_expr(spec: Spec):
    return func.coalesce(events.c[spec.by], NOT_SET) if spec.by else literal(NOT_SET)


def _step_table(spec: Spec, j: int, all_names: bool = False, name: str | None = None, units=None):
    """CTE s<j>: the events of step j (u, t microseconds, at timestamp, b breakdown value).

    A CTE read twice is materialized by DuckDB, which costs more than scanning the events
    again: callers that need step j twice ask for two CTEs under different names.
    """
    ucol = events.c[_UNIT_COLUMN[spec.unit]]
    q = (select(ucol.label("u"), epoch_us(events.c.event_at).label("t"),
                events.c.event_at.label("at"), _by_expr(spec).label("b"))
         .where(_scoped(spec, None if all_names else spec.steps), events.c.event == spec.steps[j]))
    if units is not None:
        q = q.where(ucol.in_(select(units.c.u)))
    return q.cte(name or f"s{j + 1}")


def _touch(first, spec: Spec, again=None, with_at: bool = False, values=None):
    """CTE touch: per unit, the first relevant event's time and breakdown value (first touch).

    touch(u, t, [at], b, bc): bc is the value's rank among the breakdown values (an integer, so
    that later steps carry it cheaply; 0 without a breakdown). `again` and `values` are more CTEs
    over the same rows as `first` (a CTE read twice is materialized, which costs more than a scan).
    Nearly every unit's events carry one breakdown value (a session's channel): those take it
    with a plain min() of the integer code; only units with several values pay for the exact
    first-touch aggregate.
    """
    at = [func.min(first.c.at).label("at")] if with_at else []   # the timestamp, for trends only
    if not spec.by:
        return (select(first.c.u, func.min(first.c.t).label("t"), *at, literal(NOT_SET).label("b"),
                       literal(0).label("bc"))
                .group_by(first.c.u).cte("touch"))
    again = first if again is None else again
    values = first if values is None else values
    distinct = select(values.c.b).group_by(values.c.b).subquery("distinct_values")
    codes = select(distinct.c.b, func.row_number().over(order_by=distinct.c.b).label("bc")).cte("value_codes")
    base = (select(first.c.u, func.min(first.c.t).label("t"), *at,
                   func.min(codes.c.bc).label("lo"), func.max(codes.c.bc).label("hi"))
            .join_from(first, codes, codes.c.b == first.c.b)
            .group_by(first.c.u).cte("touch_base"))
    varied = select(base.c.u).where(base.c.lo != base.c.hi).cte("varied_units")
    exact = (select(again.c.u, first_by(again.c.b, again.c.t).label("b"))
             .where(again.c.u.in_(select(varied.c.u))).group_by(again.c.u).subquery("varied_touch"))
    exact_code = (select(exact.c.u, codes.c.bc).join_from(exact, codes, codes.c.b == exact.c.b)
                  .cte("varied_codes"))
    coded = (select(base.c.u, base.c.t, *([base.c.at] if with_at else []),
                    func.coalesce(exact_code.c.bc, base.c.lo).label("bc"))
             .join_from(base, exact_code, exact_code.c.u == base.c.u, isouter=True).cte("touch_codes"))
    return (select(coded.c.u, coded.c.t, *([coded.c.at] if with_at else []), codes.c.b, coded.c.bc)
            .join_from(coded, codes, codes.c.bc == coded.c.bc).cte("touch"))


def _earliest(chain, k: int, touch):
    """Per unit, the earliest attempt of a chain CTE that reached step k: (u, k, dt, tk, t1, bc)."""
    return (select(chain.c.u, literal(k).label("k"), first_by(chain.c.tk - chain.c.tp, chain.c.t1, True).label("dt"),
                   first_by(chain.c.tk, chain.c.t1, True).label("tk"), func.min(chain.c.t1).label("t1"),
                   func.max(touch.c.bc).label("bc"))
            .join_from(chain, touch, touch.c.u == chain.c.u).group_by(chain.c.u))


def _levels_chain(spec: Spec, with_at: bool = False):
    """Sequential and strict: CTE levels(u, k, dt, tk, t1, bc) for k >= 2, plus the touch CTE."""
    w = spec.window_us
    touch = _touch(_step_table(spec, 0, name="first_step"), spec, _step_table(spec, 0, name="first_step_again"),
                   with_at, _step_table(spec, 0, name="first_values"))
    parts = []
    fast = []
    if spec.order == "sequential":
        fast, unsettled = _first_attempts(spec, touch)
        s1 = _step_table(spec, 0, units=unsettled)
        prev = select(s1.c.u, s1.c.t.label("t1"), s1.c.t.label("tp"), s1.c.t.label("tk")).cte("a1")
        for j in range(1, len(spec.steps)):
            sj = _step_table(spec, j, units=unsettled)
            prev = (select(prev.c.u, prev.c.t1, func.max(prev.c.tk).label("tp"), func.min(sj.c.t).label("tk"))
                    .join_from(prev, sj, and_(sj.c.u == prev.c.u, sj.c.t > prev.c.tk, sj.c.t <= prev.c.t1 + w))
                    .group_by(prev.c.u, prev.c.t1).cte(f"a{j + 1}"))
            parts.append((j + 1, prev))
    else:
        nxt = _next_moment(spec)
        prev = select(nxt.c.u, nxt.c.t.label("t1"), nxt.c.t.label("tp"), nxt.c.t.label("tk")).where(
            nxt.c.f1 == 1).cte("a1")
        for j in range(1, len(spec.steps)):
            prev = (select(prev.c.u, prev.c.t1, prev.c.tk.label("tp"), nxt.c.nt.label("tk"))
                    .join_from(prev, nxt, and_(nxt.c.u == prev.c.u, nxt.c.t == prev.c.tk))
                    .where(nxt.c[f"nf{j + 1}"] == 1, nxt.c.nt <= prev.c.t1 + w).cte(f"a{j + 1}"))
            parts.append((j + 1, prev))
    selects = fast + [_earliest(chain, k, touch) for k, chain in parts]
    levels = union_all(*selects).cte("levels") if selects else None
    return touch, levels


def _first_attempts(spec: Spec, touch):
    """Sequential order, the common case in one pass per step: the attempt from the first step-1 event.

    Follow each unit's greedy chain from its first step-1 event with no window. When the chain
    ends with every step inside the window (or reaches the last step inside it), that attempt is
    both the best and the earliest one for every step it reached: no later step-1 event can go
    further without a deadline in the way, and it starts first. Only the other units, whose chain
    crossed the window end (for sessions, rare), need every step-1 event tried: they are
    returned as the `unsettled` CTE. Returns (level selects for the settled units, unsettled).
    """
    w = spec.window_us
    prev = select(touch.c.u, touch.c.t.label("t1"), touch.c.t.label("tk"), touch.c.bc).cte("g1")
    greedy = []
    for j in range(1, len(spec.steps)):
        prev = _next_step(spec, j, prev)
        greedy.append((j + 1, prev))
    if not greedy:
        return [], None
    late = union_all(*[select(g.c.u).where(g.c.tk > g.c.t1 + w) for _, g in greedy]).cte("late_steps")
    unsettled = select(late.c.u).group_by(late.c.u).cte("unsettled")
    fast = [select(g.c.u, literal(k).label("k"), (g.c.tk - g.c.tp).label("dt"), g.c.tk.label("tk"),
                   g.c.t1.label("t1"), g.c.bc)
            .where(g.c.tk <= g.c.t1 + w, g.c.u.not_in(select(unsettled.c.u)))
            for k, g in greedy]
    return fast, unsettled


def _next_step(spec: Spec, j: int, prev):
    """CTE g<j+1>(u, t1, tp, tk, bc): each chain of `prev` extended by the unit's first step-j event after prev.tk.

    The unit's first step-j event overall (one group-by, no join fan-out) is the answer whenever it
    comes after prev.tk, which is nearly always (a unit rarely does step j before step j-1). Only
    the other units join their step-j events to find the first one strictly later.
    """
    sj = _step_table(spec, j, name=f"g_s{j + 1}")
    first = select(sj.c.u, func.min(sj.c.t).label("m")).group_by(sj.c.u).subquery(f"m{j + 1}")
    pair = (select(prev.c.u, prev.c.t1, prev.c.tk.label("tp"), first.c.m, prev.c.bc)
            .join_from(prev, first, first.c.u == prev.c.u).cte(f"p{j + 1}"))
    redo = select(pair.c.u, pair.c.t1, pair.c.tp, pair.c.bc).where(pair.c.m <= pair.c.tp).cte(f"redo{j + 1}")
    later = _step_table(spec, j, name=f"r_s{j + 1}", units=redo)
    slow = (select(redo.c.u, func.max(redo.c.t1).label("t1"), func.max(redo.c.tp).label("tp"),
                   func.min(later.c.t).label("tk"), func.max(redo.c.bc).label("bc"))
            .join_from(redo, later, and_(later.c.u == redo.c.u, later.c.t > redo.c.tp)).group_by(redo.c.u))
    fast = select(pair.c.u, pair.c.t1, pair.c.tp, pair.c.m.label("tk"), pair.c.bc).where(pair.c.m > pair.c.tp)
    return union_all(fast, slow).cte(f"g{j + 1}")


def _next_moment(spec: Spec):
    """Strict order: per unit and distinct timestamp, which steps happen then and at the next moment."""
    flags = [func.max(case((events.c.event == s, 1), else_=0)).label(f"f{i + 1}") for i, s in enumerate(spec.steps)]
    moments = (select(events.c[_UNIT_COLUMN[spec.unit]].label("u"), epoch_us(events.c.event_at).label("t"), *flags)
               .where(_scoped(spec, None)).group_by(events.c[_UNIT_COLUMN[spec.unit]], events.c.event_at)
               .cte("moments"))
    win = {"partition_by": moments.c.u, "order_by": moments.c.t}
    leads = [func.lead(moments.c[f"f{i + 1}"]).over(**win).label(f"nf{i + 1}") for i in range(len(spec.steps))]
    return select(moments.c.u, moments.c.t, moments.c.f1, func.lead(moments.c.t).over(**win).label("nt"),
                  *leads).cte("next_moment")


def _levels_any(spec: Spec, with_at: bool = False):
    """Any order: per anchor (a listed event), the first time of each step within its window."""
    w = spec.window_us
    listed = (select(events.c[_UNIT_COLUMN[spec.unit]].label("u"), epoch_us(events.c.event_at).label("t"),
                     events.c.event_at.label("at"), _by_expr(spec).label("b"), events.c.event.label("e"))
              .where(_scoped(spec, spec.steps)).cte("listed"))
    touch = _touch(listed, spec, with_at=with_at)
    anchors = select(listed.c.u, listed.c.t).group_by(listed.c.u, listed.c.t).cte("anchors")
    hits = (select(anchors.c.u, anchors.c.t.label("t1"), listed.c.e, func.min(listed.c.t).label("te"))
            .join_from(anchors, listed, and_(listed.c.u == anchors.c.u, listed.c.t >= anchors.c.t,
                                             listed.c.t <= anchors.c.t + w))
            .group_by(anchors.c.u, anchors.c.t, listed.c.e).cte("window_hits"))
    counts = (select(hits.c.u, hits.c.t1, func.count().label("n")).group_by(hits.c.u, hits.c.t1).cte("window_counts"))
    rank = func.row_number().over(partition_by=counts.c.u, order_by=(counts.c.n.desc(), counts.c.t1)).label("rn")
    best = select(counts.c.u, counts.c.t1, rank).cte("best_window")
    ordered = (select(hits.c.u, hits.c.te, hits.c.t1,
                      func.row_number().over(partition_by=hits.c.u, order_by=(hits.c.te, hits.c.e)).label("k"),
                      func.lag(hits.c.te).over(partition_by=hits.c.u, order_by=(hits.c.te, hits.c.e)).label("tp"))
               .join_from(hits, best, and_(best.c.u == hits.c.u, best.c.t1 == hits.c.t1, best.c.rn == 1))
               .cte("best_steps"))
    levels = (select(ordered.c.u, ordered.c.k, (ordered.c.te - ordered.c.tp).label("dt"), ordered.c.te.label("tk"),
                     ordered.c.t1.label("t1"), touch.c.bc)
              .join_from(ordered, touch, touch.c.u == ordered.c.u).where(ordered.c.k >= 2).cte("levels"))
    return touch, levels


def plan(spec: Spec, with_at: bool = False):
    """(touch, levels) CTEs: touch(u, t, b, bc, and at when asked) per unit; levels(u, k, dt, tk, t1, bc) per
    step k >= 2 (bc: the unit's breakdown value as touch's integer code)."""
    return _levels_any(spec, with_at) if spec.order == "any" else _levels_chain(spec, with_at)


def _step_counts(touch, levels):
    """Per breakdown value and step: units reaching it and the median seconds from the previous step.

    Later steps group on levels' integer code bc (no join back to the 2M-row touch); the
    value itself comes from the step-1 counts.
    """
    first = (select(touch.c.b, touch.c.bc, func.count().label("entered")).group_by(touch.c.b, touch.c.bc)
             .cte("entered_first"))
    head = select(first.c.b, literal(1).label("k"), first.c.entered, cast(None, Double).label("median"))
    if levels is None:
        return head
    dt = cast(levels.c.dt, Double) / _US
    later = (select(levels.c.bc, levels.c.k, func.count().label("entered"),
                    func.percentile_cont(0.5).within_group(dt).label("median"))
             .group_by(levels.c.bc, levels.c.k).subquery("entered_later"))
    rest = (select(first.c.b, later.c.k, later.c.entered, later.c.median)
            .join_from(later, first, first.c.bc == later.c.bc))
    return union_all(head, rest)


# -- public API --------------------------------------------------------------------------------
def compute(wh, steps, start, end, window=timedelta(days=1), order="sequential", unit="session", by=None,
            filters=None) -> pd.DataFrame:
    """Units entering each step, conversion rates and median time from the previous step.

    Returns DataFrame[<by>, step_index, step, entered, conversion_from_start,
    conversion_from_previous, median_seconds_from_previous] (rates are fractions 0..1).
    """
    spec = Spec.make(steps, start, end, window, order, unit, by, filters)
    touch, levels = plan(spec)
    return shape(spec, wh.read(_step_counts(touch, levels)))


def shape(spec: Spec, raw: pd.DataFrame) -> pd.DataFrame:
    n = len(spec.steps)
    groups = sorted(raw["b"].unique().tolist()) if len(raw) else ([] if spec.by else [NOT_SET])
    rows = []
    for g in groups:
        sub = raw[raw["b"] == g].set_index("k") if len(raw) else pd.DataFrame(columns=["entered", "median"])
        prev = first = None
        for k in range(1, n + 1):
            entered = int(sub["entered"].get(k, 0)) if len(sub) else 0
            med = sub["median"].get(k, np.nan) if (len(sub) and k > 1) else np.nan
            first = entered if k == 1 else first
            rows.append({"b": g, "step_index": k, "step": spec.steps[k - 1], "entered": entered,
                         "conversion_from_start": entered / first if first else np.nan,
                         "conversion_from_previous": (entered / prev if prev else np.nan) if k > 1
                         else (1.0 if entered else np.nan),
                         "median_seconds_from_previous": float(med) if med is not None and not pd.isna(med) else np.nan})
            prev = entered
    out = pd.DataFrame(rows, columns=["b", "step_index", "step", "entered", "conversion_from_start",
                                      "conversion_from_previous", "median_seconds_from_previous"])
    out["entered"] = out["entered"].astype("int64")
    out["step_index"] = out["step_index"].astype("int64")
    if spec.by:
        return out.rename(columns={"b": spec.by}).reset_index(drop=True)
    return out.drop(columns="b").reset_index(drop=True)
