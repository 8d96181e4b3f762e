"""The Funnel page as a report: headline, the step bars (against the comparison range), the step table,
the breakdown and the conversion trend (the same lib.funnel calls and chart builders)."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from lib import fmt, funnel, ingest
from lib.analytics import periods
from lib.charts import funnel as charts
from lib.reports import query
from lib.reports.blocks import Alert, Chart, Heading, Settings, Table, Tile, Tiles

__all__ = ["build", "WINDOWS", "step_frame"]

WINDOWS = {"30 min": timedelta(minutes=30), "1 hour": timedelta(hours=1), "1 day": timedelta(days=1),
           "7 days": timedelta(days=7), "30 days": timedelta(days=30)}
BYS = {k: fmt.words(k) for k in ("none", "channel", "device", "landing_page")}   # "No breakdown", ...


def step_frame(df: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The steps as numbers with their screen names (rates as fractions, times in seconds)."""
    return pd.DataFrame({"Step": [charts.step_label(i, s) for i, s in zip(df["step_index"], df["step"], strict=True)],
                         f"{unit.capitalize()}s": df["entered"].astype(int),
                         "Conversion from step 1": df["conversion_from_start"],
                         "Conversion from previous step": df["conversion_from_previous"],
                         "Median seconds from previous step": df["median_seconds_from_previous"]})


def _event_span(wh) -> tuple[date, date] | None:
    ov = ingest.feed_overview(wh).set_index("feed")
    if int(ov.loc["events", "rows"]) == 0 or pd.isna(ov.loc["events", "first"]):
        return None
    return pd.Timestamp(ov.loc["events", "first"]).date(), pd.Timestamp(ov.loc["events", "last"]).date()


def build(wh, params, *, currency: str = "USD", progress=None) -> list:
    span = _event_span(wh)
    if span is None:
        return [Alert("No web events loaded yet.", "warning")]
    q = query.Query(params)
    available = funnel.event_names(wh)["event"].astype(str).tolist()
    steps = [s for s in q.all("steps") if s in available][:10] or \
        [s for s in funnel.DEFAULT_STEPS if s in available] or available[:2]
    start, end = query.date_range(q, span[1])
    prev = query.comparison(q, start, end)
    unit = query.pick(q.one("unit"), list(funnel.UNITS), "session")
    window = query.pick(q.one("window"), list(WINDOWS), "1 day")
    order = query.pick(q.one("order"), {"sequential": "Sequential", "strict": "Strict", "any": "Any order"},
                       "sequential")
    by = query.pick(q.one("by"), BYS, "none")
    by = None if by == "none" else by
    segs = dict(s.split(":", 1) for s in q.all("seg") if ":" in s and s.split(":", 1)[0] in funnel.FILTER_COLUMNS)
    filters = {k: [v] for k, v in segs.items()} or None
    grain = query.pick(q.one("grain"), list(periods.GRAINS), "day")
    out: list = [Settings((("Steps", " → ".join(steps)), ("Dates", query.span_text((start, end))),
                           ("Compared with", query.span_text(prev) if prev else "no comparison"), ("Per", unit),
                           ("Window", window), ("Order", order), ("Breakdown", fmt.words(by or "none")),
                           *((("Segment", ", ".join(f"{k} = {v}" for k, v in segs.items())),) if segs else ())))]
    args = (wh, steps, start, end, WINDOWS[window], order, unit)
    cur = funnel.compute(*args, None, filters)
    if int(cur["entered"].iloc[0]) == 0:
        return [*out, Alert(f"No {unit}s reached {steps[0]} in {query.span_text((start, end))}.", "warning")]
    old = funnel.compute(wh, steps, prev[0], prev[1], WINDOWS[window], order, unit, None, filters) if prev else None
    first, last = int(cur["entered"].iloc[0]), int(cur["entered"].iloc[-1])
    tiles = [Tile(f"{unit.capitalize()}s entering", fmt.count(first)),
             Tile(f"{unit.capitalize()}s completing", fmt.count(last)),
             Tile("Overall conversion", fmt.pct(last / first if first else float("nan")))]
    if old is not None and int(old["entered"].iloc[0]):
        o_first, o_last = int(old["entered"].iloc[0]), int(old["entered"].iloc[-1])
        tiles = [Tile(tiles[0].label, tiles[0].value, fmt.change_pct(first, o_first)),
                 Tile(tiles[1].label, tiles[1].value, fmt.change_pct(last, o_last)),
                 Tile(tiles[2].label, tiles[2].value, f"{100 * (last / first - o_last / o_first):+.1f} pts")]
    out += [Tiles(tuple(tiles)), Heading("Funnel"),
            Chart(charts.funnel_bars(cur, old, "This range", "Compared range", unit)), Table(step_frame(cur, unit))]
    if by:
        if progress:
            progress(0.4, "Funnel: breakdown")
        seg = funnel.compute(*args, by, filters)
        out += [Heading(f"By {fmt.words(by).lower()}"), Chart(charts.segment_bars(seg, by)),
                Table(seg.rename(columns={by: fmt.words(by)}))]
    if progress:
        progress(0.7, "Funnel: trend")
    trend = funnel.trend(*args, grain, by, filters)
    out += [Heading("Conversion trend"), Chart(charts.trend_lines(trend, grain, by))]
    return out
