"""The Funnel page's cached lib.funnel calls and its labels (its tables, segment filters, file names and
deltas: lib.funnel.display).

The cached functions take the data version and the warehouse label as their first arguments and
the warehouse as `_wh` (not hashed); every other argument is hashable (tuples, dates, strings).
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from lib import fmt, funnel, ingest
from lib.ui.app import cache

__all__ = ["WINDOWS", "ORDER_LABELS", "ORDER_HELP", "BY_LABELS", "SEG_KEY", "compute", "trend", "time_to_convert",
           "order_value", "audience", "contacts", "event_names", "event_span"]

# conversion window presets (label -> timedelta); the label is the URL value
WINDOWS: dict[str, timedelta] = {"30 min": timedelta(minutes=30), "1 hour": timedelta(hours=1),
                                 "1 day": timedelta(days=1), "7 days": timedelta(days=7),
                                 "30 days": timedelta(days=30)}
ORDER_LABELS = {"sequential": "Sequential", "strict": "Strict", "any": "Any order"}
ORDER_HELP = ("**Sequential**: each step after the previous one; other events may happen in between.  \n"
              "**Strict**: each step must be the very next event after the previous step.  \n"
              "**Any order**: all the steps within the window, in any order.")
BY_LABELS = {k: fmt.words(k) for k in ("none", "channel", "device", "landing_page")}   # "No breakdown", ...
SEG_KEY = "seg"                      # URL: ?seg=channel:email (repeatable, one per filtered column)


# -- cached lib calls ------------------------------------------------------------------------------
def _flt(filters: tuple) -> dict | None:
    return {col: list(vals) for col, vals in filters} or None


@cache.query(max_entries=128)
def compute(key, wh, steps: tuple, start: date, end: date, window_s: int, order: str,
            unit: str, by: str | None, filters: tuple) -> pd.DataFrame:
    return funnel.compute(wh, list(steps), start, end, timedelta(seconds=window_s), order, unit, by, _flt(filters))


@cache.query(max_entries=64)
def trend(key, wh, steps: tuple, start: date, end: date, window_s: int, order: str,
          unit: str, grain: str, by: str | None, filters: tuple) -> pd.DataFrame:
    return funnel.trend(wh, list(steps), start, end, timedelta(seconds=window_s), order, unit, grain, by,
                        _flt(filters))


@cache.query(max_entries=64)
def time_to_convert(key, wh, steps: tuple, start: date, end: date, window_s: int,
                    order: str, unit: str, to_step: int, from_start: bool, filters: tuple) -> pd.DataFrame:
    return funnel.time_to_convert(wh, list(steps), start, end, timedelta(seconds=window_s), order, unit,
                                  to_step=to_step, from_start=from_start, filters=_flt(filters))


@cache.query(max_entries=64)
def order_value(key, wh, start: date, end: date) -> float:
    return funnel.order_value(wh, start, end)


@cache.query(max_entries=64)
def audience(key, wh, steps: tuple, start: date, end: date, window_s: int, order: str,
             unit: str, after_step: int, filters: tuple) -> pd.DataFrame:
    return funnel.audience(wh, list(steps), start, end, timedelta(seconds=window_s), order, unit,
                           after_step=after_step, filters=_flt(filters))


@cache.query(max_entries=16)
def contacts(key, wh) -> dict[str, int]:
    """How much the customers feed says: {rows, emails, consent} (rows with an email, with a consent value)."""
    return funnel.contacts(wh)


@cache.query(max_entries=16)
def event_names(key, wh) -> pd.DataFrame:
    return funnel.event_names(wh)


@cache.query(max_entries=16)
def event_span(key, wh) -> tuple[date, date] | None:
    """First and last event dates of the loaded events feed (from its load record)."""
    ov = ingest.feed_overview(wh).set_index("feed")
    if "events" not in ov.index or not ov.loc["events", "rows"] or pd.isna(ov.loc["events", "first"]):
        return None
    return pd.Timestamp(ov.loc["events", "first"]).date(), pd.Timestamp(ov.loc["events", "last"]).date()
