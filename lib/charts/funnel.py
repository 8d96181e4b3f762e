"""Funnel charts (pure Altair builders: frames from lib.funnel in, charts out; no Streamlit here).

    funnel_bars(cur, prev)                 units entering each step, labelled with the conversion from
                                           step 1; the compared range's bars beside them (grey)
    segment_bars(df, by, param, prev)      grouped bars per step, one colour per segment (the same colour
                                           on every page), conversion from step 1; the compared range as a
                                           grey mark on each bar; a click selects a segment (`param`)
    trend_lines(df, grain, by, param)      conversion (first to last step) per period; one line per
                                           segment when broken down (a click selects a segment)
    time_histogram(df)                     units per time-to-convert bucket (lib.funnel.TIME_BUCKETS)
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from lib import fmt
from lib.charts.common import COMPARISON, CURRENT, empty_note, segment_color
from lib.funnel.display import segment_label, step_label

__all__ = ["funnel_bars", "segment_bars", "trend_lines", "time_histogram", "step_label", "segment_label",
           "SEGMENT_PARAM"]

SEGMENT_PARAM = "segment"


def _legend(by: str, values: list[str]) -> alt.Legend:
    """The legend shows segment values in words; the data keeps the value itself (colours, clicks, URL)."""
    names = {v: segment_label(by, v) for v in values if segment_label(by, v) != v}
    expr = None
    if names:
        pairs = ", ".join(f"{_js(v)}: {_js(t)}" for v, t in names.items())
        expr = f"{{{pairs}}}[datum.label] || datum.label"
    return alt.Legend(orient="top", columns=5, labelLimit=220, labelExpr=expr) if expr else \
        alt.Legend(orient="top", columns=5, labelLimit=220)


def _js(text: str) -> str:
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _steps(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["step_label"] = [step_label(i, s) for i, s in zip(out["step_index"], out["step"], strict=True)]
    out["entered_label"] = [fmt.count(v) for v in out["entered"]]
    out["start_label"] = [fmt.pct(v) for v in out["conversion_from_start"]]
    out["prev_label"] = [fmt.pct(v) for v in out["conversion_from_previous"]]
    out["time_label"] = [fmt.duration(v) for v in out["median_seconds_from_previous"]]
    return out


def _order(df: pd.DataFrame) -> list[str]:
    first = df.drop_duplicates("step_index").sort_values("step_index")
    return [step_label(i, s) for i, s in zip(first["step_index"], first["step"], strict=True)]


_STEP_TOOLTIP = [alt.Tooltip("entered_label:N", title="Entered"),
                 alt.Tooltip("start_label:N", title="Conversion from step 1"),
                 alt.Tooltip("prev_label:N", title="From the previous step"),
                 alt.Tooltip("time_label:N", title="Median time from the previous step")]


def funnel_bars(cur: pd.DataFrame, prev: pd.DataFrame | None = None, cur_label: str = "This range",
                prev_label: str = "Compared range", unit: str = "session") -> alt.LayerChart | alt.Chart:
    """Bars of units entering each step; text above each bar: conversion from step 1."""
    if cur.empty:
        return empty_note("No funnel to draw.")
    frames = [_steps(cur).assign(period=cur_label)]
    if prev is not None and len(prev):
        frames.append(_steps(prev).assign(period=prev_label))
    data = pd.concat(frames, ignore_index=True)
    domain = [cur_label, prev_label][: len(frames)]
    x = alt.X("step_label:N", sort=_order(cur), title=None, axis=alt.Axis(labelAngle=0, labelLimit=180))
    base = alt.Chart(data).encode(
        x=x, xOffset=alt.XOffset("period:N", sort=domain),
        y=alt.Y("entered:Q", title=f"{unit.capitalize()}s entering the step",
                axis=alt.Axis(format=",.0f", tickMinStep=1)),
        tooltip=[alt.Tooltip("period:N", title="Range"), alt.Tooltip("step_label:N", title="Step"), *_STEP_TOOLTIP])
    bars = base.mark_bar(cornerRadiusTopLeft=3, cornerRadiusTopRight=3).encode(
        color=alt.Color("period:N", scale=alt.Scale(domain=domain, range=[CURRENT, COMPARISON][: len(domain)]),
                        legend=alt.Legend(title=None, orient="top") if len(domain) > 1 else None))
    text = base.mark_text(dy=-7, fontSize=11, color="#374151").encode(text="start_label:N")
    return (bars + text).properties(height=320)


def segment_bars(df: pd.DataFrame, by: str, param: str = SEGMENT_PARAM,
                 prev: pd.DataFrame | None = None) -> alt.LayerChart | alt.Chart:
    """Conversion from step 1 per step and segment (grouped bars); clicking a bar selects its segment.

    `prev`: the compared range's result for the same segments, drawn as a grey mark across each bar.
    """
    if df.empty:
        return empty_note("No segments to compare.")
    data = _steps(df)
    segments = sorted(data[by].astype(str).unique().tolist())
    data[by] = data[by].astype(str)
    data["segment_label"] = [segment_label(by, v) for v in data[by]]
    title = fmt.words(by)
    if prev is not None:
        before = prev.assign(**{by: prev[by].astype(str)}).set_index([by, "step_index"])["conversion_from_start"]
        data["compared"] = [before.get((b, i), float("nan")) for b, i in zip(data[by], data["step_index"], strict=True)]
        data["compared_label"] = [fmt.pct(v) for v in data["compared"]]
    pick = alt.selection_point(name=param, fields=[by], on="click", clear="dblclick")
    x = alt.X("step_label:N", sort=_order(df), title=None, axis=alt.Axis(labelAngle=0, labelLimit=180))
    offset = alt.XOffset(f"{by}:N", sort=segments)
    tooltip = [alt.Tooltip("segment_label:N", title=title), alt.Tooltip("step_label:N", title="Step"), *_STEP_TOOLTIP]
    if prev is not None:
        tooltip.append(alt.Tooltip("compared_label:N", title="Compared range, from step 1"))
    base = alt.Chart(data).encode(x=x, xOffset=offset, tooltip=tooltip)
    bars = base.mark_bar(cursor="pointer").encode(
        y=alt.Y("conversion_from_start:Q", title="Conversion from step 1", axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1])),
        color=segment_color(by, segments, title, sort=segments, legend=_legend(by, segments)),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35))).add_params(pick)
    if prev is None:
        return bars.properties(height=320)
    marks = base.mark_tick(color="#374151", thickness=2, size=14).encode(
        y=alt.Y("compared:Q", scale=alt.Scale(domain=[0, 1])))
    return (bars + marks).properties(height=320)


def trend_lines(df: pd.DataFrame, grain: str = "day", by: str | None = None,
                param: str = SEGMENT_PARAM) -> alt.Chart:
    """Conversion (first to last step) per period of the units' first step; one line per segment."""
    if df.empty:
        return empty_note("No units in this range.")
    data = df.copy()
    data["conv_label"] = [fmt.pct(v) for v in data["conversion"]]
    data["entered_label"] = [fmt.count(v) for v in data["entered"]]
    data["converted_label"] = [fmt.count(v) for v in data["converted"]]
    x_title = {"day": "Day", "week": "Week (starting Monday)", "month": "Month"}.get(grain, grain)
    tooltip = [alt.Tooltip("period:T", title=x_title, format="%b %d, %Y"),
               alt.Tooltip("conv_label:N", title="Conversion"), alt.Tooltip("entered_label:N", title="Entered"),
               alt.Tooltip("converted_label:N", title="Completed")]
    top = float(data["conversion"].max())
    enc = {"x": alt.X("period:T", title=x_title, axis=alt.Axis(format="%b %Y" if grain == "month" else "%b %d")),
           "y": alt.Y("conversion:Q", title="Conversion, first to last step",
                      axis=alt.Axis(format=".1%" if top < 0.1 else ".0%"))}
    if by is None:
        return (alt.Chart(data).mark_line(point=True, color=CURRENT, strokeWidth=2)
                .encode(**enc, tooltip=tooltip).properties(height=280))
    data[by] = data[by].astype(str)
    segments = sorted(data[by].unique().tolist())
    data["segment_label"] = [segment_label(by, v) for v in data[by]]
    title = fmt.words(by)
    pick = alt.selection_point(name=param, fields=[by], on="click", clear="dblclick")
    return (alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=50, filled=True), strokeWidth=2, cursor="pointer")
            .encode(**enc, tooltip=[alt.Tooltip("segment_label:N", title=title), *tooltip],
                    color=segment_color(by, segments, title, sort=segments, legend=_legend(by, segments)),
                    opacity=alt.condition(pick, alt.value(1.0), alt.value(0.3)))
            .add_params(pick).properties(height=280))


def time_histogram(df: pd.DataFrame, unit: str = "session") -> alt.Chart:
    """Units per time bucket (all buckets, in order), labelled with their share."""
    if df.empty or int(df["units"].sum()) == 0:
        return empty_note("Nobody reached this step in this range.")
    data = df.copy()
    data["share_label"] = [fmt.pct(v, 0) if v else "" for v in data["share"].fillna(0)]
    data["units_label"] = [fmt.count(v) for v in data["units"]]
    order = data["bucket"].drop_duplicates().tolist()
    base = alt.Chart(data).encode(
        x=alt.X("bucket:N", sort=order, title="Time to convert", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("units:Q", title=f"{unit.capitalize()}s", axis=alt.Axis(format=",.0f", tickMinStep=1)),
        tooltip=[alt.Tooltip("bucket:N", title="Time"), alt.Tooltip("units_label:N", title=f"{unit.capitalize()}s"),
                 alt.Tooltip("share_label:N", title="Share")])
    bars = base.mark_bar(color=CURRENT, cornerRadiusTopLeft=2, cornerRadiusTopRight=2)
    text = base.mark_text(dy=-7, fontSize=10, color="#374151").encode(text="share_label:N")
    return (bars + text).properties(height=260)
