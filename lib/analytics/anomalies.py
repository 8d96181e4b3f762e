"""Daily KPI anomalies: days outside a robust weekday baseline, and the segments that drove the gap.

Baseline of day d (metric revenue, orders, sessions or another additive Explore metric): the same weekday
in the `weeks` weeks before d (d − 7, d − 14, ...). Days before the first day with a non-zero value in
the fetched window are "before the data" and left out of the history. With fewer than `min_weeks` such
days, d is not assessed (baseline NaN, never flagged).

    baseline = median(history)
    scale    = max(1.4826 · MAD(history), rel_floor · |baseline|, abs_floor)   (MAD: median |x − median|)
    band     = baseline ± k · scale;  a day above the band is a "spike", below it a "dip"

A flagged day's drivers: per segment (channel or category), its value that day minus the median of its
values on the same history days; the segments whose gap points the way of the day's gap, largest first.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lib import fmt
from lib.analytics import explore

__all__ = ["anomalies", "ANOMALY_METRICS", "baseline_band"]

ANOMALY_METRICS = ("revenue", "orders", "sessions")
_MAD = 1.4826
_PARTITIONED = ("revenue", "sessions")    # additive over any split: one query gives the total and the segments
COLUMNS = ["date", "value", "baseline", "lo", "hi", "flag", "gap", "top_segment", "drivers"]


def baseline_band(values: pd.Series, weeks: int = 8, k: float = 3.0, min_weeks: int = 4,
                  rel_floor: float = 0.1, abs_floor: float = 1.0) -> pd.DataFrame:
    """The band of every day of a daily series (DatetimeIndex, no gaps) from its own past.

    -> DataFrame[value, baseline, lo, hi, flag] indexed like `values` (flag "spike" | "dip" | None)."""
    s = values.astype(float)
    nz = np.flatnonzero(s.to_numpy() != 0)
    first = s.index[nz[0]] if len(nz) else None
    rows = []
    for d, v in s.items():
        past = [d - pd.Timedelta(days=7 * j) for j in range(1, weeks + 1)]
        hist = [s[p] for p in past if p in s.index and first is not None and p >= first]
        if len(hist) < min_weeks:
            rows.append((v, np.nan, np.nan, np.nan, None))
            continue
        med = float(np.median(hist))
        scale = max(_MAD * float(np.median(np.abs(np.asarray(hist) - med))), rel_floor * abs(med), abs_floor)
        lo, hi = med - k * scale, med + k * scale
        rows.append((v, med, lo, hi, "spike" if v > hi else "dip" if v < lo else None))
    return pd.DataFrame(rows, index=s.index, columns=["value", "baseline", "lo", "hi", "flag"])


def anomalies(wh, start: date, end: date, metric: str = "revenue", *, as_of: date | None = None,
              by: str = "channel", weeks: int = 8, k: float = 3.0, min_weeks: int = 4, rel_floor: float = 0.1,
              abs_floor: float = 1.0, channels: Sequence[str] | None = None, top: int = 3) -> pd.DataFrame:
    """Every day of [start, min(end, as_of)] against its weekday baseline (module docstring).

    Args: metric revenue | orders | sessions (any additive Explore metric); as_of: the last complete day
    (later days are left out); by: the dimension that explains a flagged day (channel, or category for
    order metrics); weeks/k/min_weeks/rel_floor/abs_floor: the baseline and band; channels: filter.
    Returns: DataFrame[date, value, baseline, lo, hi, flag, gap, top_segment, drivers]: one row per day;
    flag "spike" | "dip" | None; gap = value − baseline; drivers e.g. "Email +$500.00 · Web +$20.00"
    (empty when not flagged). One warehouse query for revenue and sessions (the segments' sum is the
    total); for other metrics one more when a day is flagged.
    """
    m = explore.check(metric, by)
    if not m.additive:
        raise ValueError(f"anomalies need an additive metric (revenue, orders, sessions), not {metric!r}")
    if as_of is not None and as_of < end:
        end = as_of
    if end < start:
        return pd.DataFrame(columns=COLUMNS)
    since = start - timedelta(days=7 * weeks)
    filters = {"channel": list(channels or [])}
    days = pd.date_range(pd.Timestamp(since), pd.Timestamp(end), freq="D", name="period")
    wide = None
    if metric in _PARTITIONED:       # every line / session has one segment: the total is the segments' sum
        wide = _wide(explore.query(wh, metric, by, "day", since, end, filters), by, days)
        total = wide.sum(axis=1)
    else:
        total = explore.query(wh, metric, None, "day", since, end, filters).set_index("period")["value"]
    band = baseline_band(total, weeks, k, min_weeks, rel_floor, abs_floor)
    band["gap"] = band["value"] - band["baseline"]
    band["top_segment"], band["drivers"] = None, ""
    flagged = band.index[band["flag"].notna() & (band.index >= pd.Timestamp(start))]
    if len(flagged):
        if wide is None:
            wide = _wide(explore.query(wh, metric, by, "day", since, end, filters), by, days)
        nz = np.flatnonzero(total.to_numpy() != 0)
        first = total.index[nz[0]] if len(nz) else None
        for d in flagged:
            past = [d - pd.Timedelta(days=7 * j) for j in range(1, weeks + 1)]
            past = [p for p in past if p in wide.index and p >= first]
            gaps = wide.loc[d] - wide.loc[past].median()
            sign = 1 if band.at[d, "flag"] == "spike" else -1
            lead = gaps[gaps * sign > 0].sort_values(ascending=sign < 0)[:top]
            if len(lead):
                band.at[d, "top_segment"] = str(lead.index[0])
                band.at[d, "drivers"] = " · ".join(f"{_name(by, s)} {_amount(g, m.kind)}" for s, g in lead.items())
    out = band[band.index >= pd.Timestamp(start)].reset_index(names="date")
    out["date"] = out["date"].dt.date
    return out[COLUMNS]


def _wide(seg: pd.DataFrame, by: str, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Long per-day, per-segment values -> one column per segment, every day of the window (0 where none)."""
    if seg.empty:
        return pd.DataFrame(index=days, dtype=float)
    return seg.pivot_table(index="period", columns=by, values="value", aggfunc="sum").reindex(days).fillna(0.0)


def _name(dim: str, value) -> str:
    return fmt.words(value) if dim == "channel" else str(value)


def _amount(x: float, kind: str) -> str:
    sign = "+" if x > 0 else "−"
    return sign + (fmt.money(abs(x)) if kind == "money" else fmt.count(abs(x)))
