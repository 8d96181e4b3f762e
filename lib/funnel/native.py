"""ClickHouse's native windowFunnel for a sequential funnel: the SQL, and why lib.funnel.compute does not use it.

``windowFunnel(window, mode...)(timestamp, cond1, ..., condN)`` gives, per group (a unit), the deepest step
reached. As chDB 4.4 (ClickHouse 26.9) runs it, checked against lib.funnel.compute in
tests/test_funnel_windowfunnel.py (hand-computed journeys and a seeded random property):

- the window is measured from the attempt's step-1 event and its end is inclusive (``t <= t1 + window``), and
  every step-1 event starts an attempt (the deepest counts), as in compute's sequential order;
- the timestamp must be an unsigned number, Date or DateTime: not DateTime64, so it is fed integer microseconds;
- events are sorted by (time, condition index), and with no mode a step may share its previous step's
  timestamp, and one event may serve two consecutive steps ([view_item, view_item] is met by one view_item).
  compute needs each step strictly later;
- 'strict_increase' requires strictly later steps, but the function keeps one (start, time) pair per step,
  overwritten by the latest event reaching it: when events of steps k-1 and k share a timestamp (also any
  consecutive repeated step, whose events match both conditions), the later step-(k-1) event replaces the
  earlier one that step k could have followed, and the unit stops short (pv 0, pv 10, vi 10 for [pv, vi]:
  compute 2, windowFunnel 1). With no two consecutive steps' events at one timestamp it equals compute;
- 'strict_once', 'strict_increase' (WINDOW_FUNNEL_MODES) keeps every partial attempt and counts an event once
  per attempt: it equals compute's sequential step counts in every case tried, ties and repeats included;
- 'strict_order' is not compute's "strict" order: it stops the whole scan at the first unlisted event after a
  step-1 event (no later attempt; compute tries every step-1 event) and lets listed events of other steps
  interleave; ties are not one moment. compute's "any" order has no windowFunnel mode.

So windowFunnel gives the same entered counts per step (and per first-touch value, taken beside it with
argMinIf) for the sequential order only. It is not used inside compute, because compute also returns
median_seconds_from_previous, the time between steps k-1 and k in each unit's earliest attempt reaching
step k, and windowFunnel returns a level only. A plan taking levels from windowFunnel would still need each
attempt's step times for every unit reaching step 2 or further (most of them), which is the portable chain
itself: windowFunnel would only add a pass. The portable plan is kept on ClickHouse; this SQL is the
benchmark's hand-written ClickHouse reference for the step counts. (On 1.5M events, 300k sessions, chDB on
2 busy cores, the 4-step funnel by channel: this SQL 0.4-1.1 s, compute with its medians 1.5-2.1 s.)
"""
from __future__ import annotations

from datetime import timedelta

from lib.funnel.core import _UNIT_COLUMN, NOT_SET, Spec

__all__ = ["clickhouse_window_funnel_sql", "WINDOW_FUNNEL_MODES"]

WINDOW_FUNNEL_MODES = ("strict_once", "strict_increase")   # the modes giving compute's sequential counts


def _lit(value: str) -> str:
    """A ClickHouse string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ts(value) -> str:
    return f"toDateTime64({_lit(value.strftime('%Y-%m-%d %H:%M:%S.%f'))}, 6, 'UTC')"


def clickhouse_window_funnel_sql(steps, start, end, window=timedelta(days=1), by: str | None = None,
                                 unit: str = "session", modes=WINDOW_FUNNEL_MODES) -> str:
    """ClickHouse SQL for the entered counts of a sequential funnel, through windowFunnel.

    Columns [<by>,] step_index, step, entered: one row per step and breakdown value (first touch, "(not set)"
    when missing, as compute), zeros included, sorted like compute's frame. With the default modes the counts
    equal lib.funnel.compute(..., order="sequential") for the same arguments. start/end as compute (a date
    end means the whole day); no filters. Raises lib.funnel.FunnelError for bad parameters, as compute.
    """
    if "strict_order" in modes:     # it needs the unlisted events, which this SQL leaves out (and is not "strict")
        raise ValueError("windowFunnel's strict_order is not compute's strict order; see lib.funnel.native.")
    spec = Spec.make(steps, start, end, window, "sequential", unit, by)
    ts = "toUInt64(toUnixTimestamp64Micro(event_at))"
    conds = ", ".join(f"event = {_lit(s)}" for s in spec.steps)
    params = ", ".join([str(spec.window_us), *(_lit(m) for m in modes)])
    value = f"coalesce(`{spec.by}`, {_lit(NOT_SET)})" if spec.by else None
    touch = f",\n           argMinIf({value}, (event_at, {value}), event = {_lit(spec.steps[0])}) AS b" if value else ""
    key = "b, " if value else ""
    out = f"b AS `{spec.by}`, " if value else ""
    names = ", ".join(_lit(s) for s in sorted(set(spec.steps)))
    step_names = "[" + ", ".join(_lit(s) for s in spec.steps) + "]"
    return f"""WITH units AS (
    SELECT {_UNIT_COLUMN[spec.unit]} AS u,
           windowFunnel({params})({ts}, {conds}) AS level{touch}
    FROM events
    WHERE event_at >= {_ts(spec.lo)} AND event_at < {_ts(spec.hi)} AND event IN ({names})
    GROUP BY u
),
levels AS (SELECT {key}level, count() AS n FROM units WHERE level > 0 GROUP BY {key}level)
SELECT {out}toInt64(k) AS step_index, {step_names}[k] AS step, toInt64(sum(if(level >= k, n, 0))) AS entered
FROM levels ARRAY JOIN range(1, {len(spec.steps) + 1}) AS k
GROUP BY {key}k
ORDER BY {key}k"""
