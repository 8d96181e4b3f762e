"""What the Funnel page shows besides the step counts: trend, time to convert, drop-off value.

All heavy work is SQL over the CTE steps of lib.funnel.core (same semantics, same attribution).
"""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Date, Double, case, cast, func, select

from lib.analytics import sales
from lib.funnel.core import _US, Spec, _bounds, events, plan
from lib.warehouse.tables import FEED_TABLES

__all__ = ["trend", "time_to_convert", "dropoff", "biggest_drop", "event_names", "order_value", "TIME_BUCKETS"]

GRAINS = ("day", "week", "month")
# (label, lower bound in seconds); the upper bound is the next one's lower bound
TIME_BUCKETS = [("< 10s", 0), ("10–30s", 10), ("30s–1m", 30), ("1–2m", 60), ("2–5m", 120), ("5–10m", 300),
                ("10–30m", 600), ("30m–1h", 1800), ("1–3h", 3600), ("3–12h", 3 * 3600), ("12–24h", 12 * 3600),
                ("1–3d", 86400), ("3–7d", 3 * 86400), ("7d +", 7 * 86400)]


def _spec(steps, start, end, window, order, unit, by, filters) -> Spec:
    return Spec.make(steps, start, end, window, order, unit, by, filters)


def trend(wh, steps, start, end, window=timedelta(days=1), order="sequential", unit="session", grain="day",
          by=None, filters=None) -> pd.DataFrame:
    """Conversion from the first to the last step per period of the unit's first step-1 event.

    -> DataFrame[<by>, period, entered, converted, conversion]; periods without units are absent.
    """
    if grain not in GRAINS:
        raise ValueError(f"Unknown grain {grain!r}; expected one of {', '.join(GRAINS)}.")
    spec = _spec(steps, start, end, window, order, unit, by, filters)
    touch, levels = plan(spec, with_at=True)
    period = cast(func.date_trunc(grain, touch.c.at), Date).label("period")
    n = len(spec.steps)
    if levels is None:
        converted = func.count()
        q = select(touch.c.b, period, func.count().label("entered"), converted.label("converted"))
    else:
        done = select(levels.c.u).where(levels.c.k == n).cte("completed")
        q = (select(touch.c.b, period, func.count().label("entered"), func.count(done.c.u).label("converted"))
             .join_from(touch, done, done.c.u == touch.c.u, isouter=True))
    q = q.group_by(touch.c.b, period).order_by(touch.c.b, period)
    out = wh.read(q)
    out["period"] = pd.to_datetime(out["period"])
    out["entered"] = out["entered"].astype("int64")
    out["converted"] = out["converted"].astype("int64")
    out["conversion"] = out["converted"] / out["entered"]
    return out.rename(columns={"b": by}) if by else out.drop(columns="b")


def time_to_convert(wh, steps, start, end, window=timedelta(days=1), order="sequential", unit="session",
                    to_step=None, from_start=True, by=None, filters=None) -> pd.DataFrame:
    """How long units took to reach `to_step` (default: the last) from step 1 (or from the previous step).

    Timed on each unit's earliest attempt that reached `to_step`.
    -> DataFrame[<by>, bucket, lo_seconds, hi_seconds, units, share, median_seconds] over TIME_BUCKETS
    (all buckets; median_seconds is the exact median of the group, repeated on its rows).
    """
    spec = _spec(steps, start, end, window, order, unit, by, filters)
    n = len(spec.steps)
    k = n if to_step is None else int(to_step)
    if not 2 <= k <= n:
        raise ValueError(f"to_step must be between 2 and {n}.")
    touch, levels = plan(spec)
    secs = cast((levels.c.tk - levels.c.t1) if from_start else levels.c.dt, Double) / _US
    whens = [(secs < lo, i - 1) for i, (_, lo) in enumerate(TIME_BUCKETS) if i > 0]
    bucket = case(*whens, else_=len(TIME_BUCKETS) - 1).label("bucket")
    q = (select(touch.c.b, bucket, func.count().label("units"))
         .join_from(levels, touch, levels.c.u == touch.c.u).where(levels.c.k == k)
         .group_by(touch.c.b, bucket))
    raw = wh.read(q)
    mq = (select(touch.c.b, func.percentile_cont(0.5).within_group(secs).label("median"))
          .join_from(levels, touch, levels.c.u == touch.c.u).where(levels.c.k == k).group_by(touch.c.b))
    medians = wh.read(mq).set_index("b")["median"].to_dict()
    groups = sorted(raw["b"].unique()) if len(raw) else ([] if by else [None])
    rows = []
    for g in groups:
        sub = raw[raw["b"] == g].set_index("bucket")["units"] if len(raw) else pd.Series(dtype="int64")
        total = int(sub.sum())
        for i, (label, lo) in enumerate(TIME_BUCKETS):
            hi = TIME_BUCKETS[i + 1][1] if i + 1 < len(TIME_BUCKETS) else np.inf
            units = int(sub.get(i, 0))
            rows.append({"b": g, "bucket": label, "lo_seconds": float(lo), "hi_seconds": float(hi), "units": units,
                         "share": units / total if total else np.nan,
                         "median_seconds": float(medians[g]) if medians.get(g) is not None else np.nan})
    out = pd.DataFrame(rows, columns=["b", "bucket", "lo_seconds", "hi_seconds", "units", "share", "median_seconds"])
    return out.rename(columns={"b": by}) if by else out.drop(columns="b")


def order_value(wh, start, end) -> float:
    """Average order value (net revenue / orders, cancelled lines excluded) of orders in [start, end]."""
    lo, hi = _bounds(start, end)
    o = FEED_TABLES["orders"]
    revenue = func.sum(sales.line_revenue(o))
    q = (select(revenue.label("revenue"), func.count(o.c.order_id.distinct()).label("orders"))
         .where(o.c.ordered_at >= lo, o.c.ordered_at < hi,
                sales.live(o)))
    row = wh.read(q).iloc[0]
    return float(row["revenue"]) / int(row["orders"]) if row["orders"] and not pd.isna(row["revenue"]) else np.nan


def dropoff(result: pd.DataFrame, value_per_conversion: float) -> pd.DataFrame:
    """Drop-off per step of one funnel (a compute() result without breakdown) and the revenue at stake.

    dropped = units that reached the step but not the next one. value_at_stake = what those units
    would bring if won back once and they then did as well as everyone who reached the same step:
    dropped × (completed / entered this step) × value_per_conversion (e.g. the average order value).

    Why this rate: a unit that left at step k is valued like the units that reached step k (the
    others went on at the step's conversion, then to the end at the rate of those who reached the
    next step: c_k × completed / entered_{k+1} = completed / entered_k). Valuing it like the units
    that went on (completed / entered_{k+1}, as if every drop-out had reached the next step)
    multiplied the funnel's own revenue by (1 / c_k − 1): a step converting 17% showed 4.8 times the
    revenue of the whole funnel. With this rate a step's value is (1 − c_k) × completed ×
    value_per_conversion, so it is never more than the completed units are worth at that value.
    The last step has no drop-off.
    -> DataFrame[step_index, step, entered, dropped, drop_rate, value_at_stake]
    """
    r = result.sort_values("step_index").reset_index(drop=True)
    entered = r["entered"].to_numpy(dtype=float)
    nxt = np.append(entered[1:], np.nan)
    last = entered[-1] if len(entered) else np.nan
    dropped = entered - nxt
    with np.errstate(divide="ignore", invalid="ignore"):
        drop_rate = np.where(entered > 0, dropped / entered, np.nan)
        onward = np.where(entered > 0, last / entered, 0.0)
    value = dropped * onward * value_per_conversion
    out = pd.DataFrame({"step_index": r["step_index"], "step": r["step"], "entered": r["entered"],
                        "dropped": dropped, "drop_rate": drop_rate, "value_at_stake": value})
    out.loc[out.index[-1:], ["dropped", "drop_rate", "value_at_stake"]] = np.nan
    return out


def biggest_drop(result: pd.DataFrame, by: str | None = None) -> dict | None:
    """Where the largest share of units went no further: the step (and segment) with the highest drop rate.

    result: a compute() result (broken down by `by`, or not). Ties go to the step that lost more units, then
    to the earlier step, then to the first segment in the frame. None when no step has units going on to
    another step.
    -> {segment, step_index, step, next_step, entered, dropped, drop_rate}
    """
    best = None
    groups = result.groupby(by, sort=False) if by else [(None, result)]
    for segment, df in groups:
        d = df.sort_values("step_index").reset_index(drop=True)
        for i in range(len(d) - 1):
            entered, went_on = int(d.loc[i, "entered"]), int(d.loc[i + 1, "entered"])
            if entered <= 0:
                continue
            cand = {"segment": segment, "step_index": int(d.loc[i, "step_index"]), "step": d.loc[i, "step"],
                    "next_step": d.loc[i + 1, "step"], "entered": entered, "dropped": entered - went_on,
                    "drop_rate": (entered - went_on) / entered}
            key = (cand["drop_rate"], cand["dropped"], -cand["step_index"])
            if best is None or key > best[0]:
                best = (key, cand)
    return best[1] if best else None


def event_names(wh) -> pd.DataFrame:
    """Event names present in the warehouse with their counts, canonical funnel names first."""
    q = select(events.c.event, func.count().label("events")).group_by(events.c.event)
    out = wh.read(q)
    canon = {name: i for i, name in enumerate(["page_view", "view_item", "add_to_cart", "begin_checkout", "purchase"])}
    out["_o"] = out["event"].map(canon).fillna(len(canon))
    out = out.sort_values(["_o", "events"], ascending=[True, False]).drop(columns="_o").reset_index(drop=True)
    out["events"] = out["events"].astype("int64")
    return out


