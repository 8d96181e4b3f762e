"""Pieces of the Funnel page: cached lib.funnel calls, URL segment filters, tables and CSV export.

The cached functions take the data version and the warehouse label as their first arguments and
the warehouse as `_wh` (not hashed); every other argument is hashable (tuples, dates, strings).
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from lib import exports, fmt, funnel, ingest
from lib.charts.funnel import step_label

__all__ = ["WINDOWS", "ORDER_LABELS", "ORDER_HELP", "BY_LABELS", "SEG_KEY", "compute", "trend", "time_to_convert",
           "order_value", "audience", "event_names", "event_span", "parse_segments", "format_segments",
           "selected_values", "median_bucket", "step_table", "segment_blocks", "dropoff_table", "audience_csv"]

# conversion window presets (label -> timedelta); the label is the URL value
WINDOWS: dict[str, timedelta] = {"30 min": timedelta(minutes=30), "1 hour": timedelta(hours=1),
                                 "1 day": timedelta(days=1), "7 days": timedelta(days=7),
                                 "30 days": timedelta(days=30)}
ORDER_LABELS = {"sequential": "Sequential", "strict": "Strict", "any": "Any order"}
ORDER_HELP = ("**Sequential**: each step after the previous one; other events may happen in between.  \n"
              "**Strict**: each step must be the very next event after the previous step.  \n"
              "**Any order**: all the steps within the window, in any order.")
BY_LABELS = {"none": "None", "channel": "Channel", "device": "Device", "landing_page": "Landing page"}
SEG_KEY = "seg"                      # URL: ?seg=channel:email (repeatable, one per filtered column)


# -- cached lib calls ------------------------------------------------------------------------------
def _flt(filters: tuple) -> dict | None:
    return {col: list(vals) for col, vals in filters} or None


@st.cache_data(show_spinner=False, max_entries=128)
def compute(version: str, where: str, _wh, steps: tuple, start: date, end: date, window_s: int, order: str,
            unit: str, by: str | None, filters: tuple) -> pd.DataFrame:
    return funnel.compute(_wh, list(steps), start, end, timedelta(seconds=window_s), order, unit, by, _flt(filters))


@st.cache_data(show_spinner=False, max_entries=64)
def trend(version: str, where: str, _wh, steps: tuple, start: date, end: date, window_s: int, order: str,
          unit: str, grain: str, by: str | None, filters: tuple) -> pd.DataFrame:
    return funnel.trend(_wh, list(steps), start, end, timedelta(seconds=window_s), order, unit, grain, by,
                        _flt(filters))


@st.cache_data(show_spinner=False, max_entries=64)
def time_to_convert(version: str, where: str, _wh, steps: tuple, start: date, end: date, window_s: int,
                    order: str, unit: str, to_step: int, from_start: bool, filters: tuple) -> pd.DataFrame:
    return funnel.time_to_convert(_wh, list(steps), start, end, timedelta(seconds=window_s), order, unit,
                                  to_step=to_step, from_start=from_start, filters=_flt(filters))


@st.cache_data(show_spinner=False, max_entries=64)
def order_value(version: str, where: str, _wh, start: date, end: date) -> float:
    return funnel.order_value(_wh, start, end)


@st.cache_data(show_spinner=False, max_entries=64)
def audience(version: str, where: str, _wh, steps: tuple, start: date, end: date, window_s: int, order: str,
             unit: str, after_step: int, filters: tuple) -> pd.DataFrame:
    return funnel.audience(_wh, list(steps), start, end, timedelta(seconds=window_s), order, unit,
                           after_step=after_step, filters=_flt(filters))


@st.cache_data(show_spinner=False, max_entries=16)
def event_names(version: str, where: str, _wh) -> pd.DataFrame:
    return funnel.event_names(_wh)


@st.cache_data(show_spinner=False, max_entries=16)
def event_span(version: str, where: str, _wh) -> tuple[date, date] | None:
    """First and last event dates of the loaded events feed (from its load record)."""
    ov = ingest.feed_overview(_wh).set_index("feed")
    if "events" not in ov.index or not ov.loc["events", "rows"] or pd.isna(ov.loc["events", "first"]):
        return None
    return pd.Timestamp(ov.loc["events", "first"]).date(), pd.Timestamp(ov.loc["events", "last"]).date()


# -- segment filters in the URL ----------------------------------------------------------------------
def parse_segments(raw: list[str]) -> dict[str, str]:
    """URL values 'channel:email' -> {'channel': 'email'}; unknown columns and empty values are dropped.

    One value per column (the last one wins); the value may itself contain ':' (landing page URLs).
    """
    out: dict[str, str] = {}
    for item in raw:
        col, sep, value = str(item).partition(":")
        if sep and col in funnel.FILTER_COLUMNS and value.strip():
            out[col] = value
    return out


def format_segments(segs: dict[str, str]) -> list[str]:
    return [f"{col}:{segs[col]}" for col in funnel.FILTER_COLUMNS if col in segs]


def selected_values(event, param: str, by: str) -> list[str]:
    """The `by` values picked in a chart selection event (`event["selection"][param]`), in order.

    A point selection arrives as a list of dicts ({by: value, ...}); a dict of field -> value(s)
    is accepted too. Anything else gives [].
    """
    try:
        sel = event["selection"][param]
    except (KeyError, TypeError, IndexError):
        return []
    items = sel if isinstance(sel, list) else [sel]
    out: list[str] = []
    for item in items:
        if not isinstance(item, dict) or by not in item:
            continue
        vals = item[by] if isinstance(item[by], list) else [item[by]]
        out += [str(v) for v in vals if v is not None and str(v) not in out]
    return out


# -- tables --------------------------------------------------------------------------------------------
def median_bucket(ttc: pd.DataFrame) -> str | None:
    """The median time to convert of a time_to_convert result, e.g. '3m 20s' (None when nobody converted)."""
    units = ttc["units"].astype(int)
    total = int(units.sum())
    if not total:
        return None
    if "median_seconds" in ttc and ttc["median_seconds"].notna().any():
        return fmt.duration(float(ttc["median_seconds"].dropna().iloc[0]))
    cum = units.cumsum()
    return str(ttc["bucket"].iloc[int((cum >= total / 2).to_numpy().argmax())])


def _block(df: pd.DataFrame, prefix: str) -> pd.DataFrame:
    d = df.sort_values("step_index").reset_index(drop=True)
    p = f"{prefix} · " if prefix else ""
    return pd.DataFrame({f"{p}entered": [fmt.count(v) for v in d["entered"]],
                         f"{p}from step 1": [fmt.pct(v) for v in d["conversion_from_start"]],
                         f"{p}from previous": [fmt.pct(v) for v in d["conversion_from_previous"]],
                         f"{p}median time": [fmt.duration(v) for v in d["median_seconds_from_previous"]]})


def step_table(blocks: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """One row per step; one column block (entered, from step 1, from previous, median time) per frame.

    `blocks`: (title, compute() result without breakdown) pairs; an empty title gives plain column names.
    """
    first = blocks[0][1].sort_values("step_index").reset_index(drop=True)
    out = pd.DataFrame({"step": [step_label(i, s) for i, s in zip(first["step_index"], first["step"], strict=True)]})
    return pd.concat([out, *[_block(df, title) for title, df in blocks]], axis=1)


def segment_blocks(df: pd.DataFrame, by: str, limit: int = 8) -> list[tuple[str, pd.DataFrame]]:
    """The largest `limit` segments of a broken-down compute() result (by units entering step 1)."""
    size = df[df["step_index"] == 1].sort_values(["entered", by], ascending=[False, True])
    keep = [str(v) for v in size[by].head(limit)]
    return [(v, df[df[by].astype(str) == v].drop(columns=[by])) for v in keep]


def dropoff_table(drop: pd.DataFrame, currency: str, with_value: bool) -> pd.DataFrame:
    """funnel.dropoff() for people: step, entered, dropped, drop rate, revenue at stake."""
    out = pd.DataFrame({
        "step": [step_label(i, s) for i, s in zip(drop["step_index"], drop["step"], strict=True)],
        "entered": [fmt.count(v) for v in drop["entered"]],
        "dropped": [fmt.count(v) for v in drop["dropped"]],
        "drop rate": [fmt.pct(v) for v in drop["drop_rate"]],
    })
    if with_value:
        out["revenue at stake"] = [fmt.money(v, currency) for v in drop["value_at_stake"]]
    return out


# -- export ----------------------------------------------------------------------------------------------
def audience_csv(df: pd.DataFrame) -> bytes:
    """The audience as CSV for an email tool, text cells neutralised (lib.exports)."""
    out = df.copy()
    if "last_step_at" in out:
        out["last_step_at"] = pd.to_datetime(out["last_step_at"]).dt.strftime("%Y-%m-%d %H:%M:%S")
    return exports.to_csv_bytes(out)
