"""Explore charts: a metric over time per dimension value (lines) or in total (bars)."""
from __future__ import annotations

import altair as alt
import pandas as pd

from lib import fmt
from lib.charts.common import CURRENT, PALETTE, axis_format, segment_hex, tooltip_format, value_title

__all__ = ["lines_chart", "bars_chart", "SEGMENT_DIMENSIONS", "shown_values"]

# dimensions whose values are segments with one colour on every page (lib.charts.common.segment_hex)
SEGMENT_DIMENSIONS = ("channel", "device")


def shown_values(dimension: str, values) -> list[str]:
    """Dimension values as a person reads them: channels and devices in words (Paid search), others as stored."""
    return [fmt.words(v) if dimension in SEGMENT_DIMENSIONS else str(v) for v in values]


def _colour(dimension: str, shown: list[str], title: str, **kwargs) -> alt.Color:
    domain = list(dict.fromkeys(shown))
    colours = ([segment_hex(v) for v in domain] if dimension in SEGMENT_DIMENSIONS
               else [PALETTE[i % len(PALETTE)] for i in range(len(domain))])
    return alt.Color("shown:N", title=title, scale=alt.Scale(domain=domain, range=colours), **kwargs)


def lines_chart(df: pd.DataFrame, dimension: str | None, label: str, kind: str, dim_label: str = "",
                currency: str = "USD") -> alt.Chart:
    """One line per dimension value (or a single line) of DataFrame[period, <dimension>?, value]."""
    enc = {
        "x": alt.X("period:T", title=None),
        "y": alt.Y("value:Q", title=value_title(label, kind, currency),
                   axis=alt.Axis(format=axis_format(kind, currency))),
        "tooltip": [alt.Tooltip("period:T", title="Period", format="%b %d, %Y"),
                    alt.Tooltip("value:Q", title=label, format=tooltip_format(kind, currency))],
    }
    if dimension:
        df = df.assign(shown=shown_values(dimension, df[dimension]))
        title = dim_label or fmt.words(dimension)
        enc["color"] = _colour(dimension, sorted(set(df["shown"])), title, legend=alt.Legend(orient="right"))
        enc["tooltip"] = [alt.Tooltip("shown:N", title=title), *enc["tooltip"]]
    mark = alt.Chart(df).mark_line(point=len(df) <= 150, strokeWidth=2)
    if not dimension:
        mark = alt.Chart(df).mark_line(point=len(df) <= 150, strokeWidth=2, color=CURRENT)
    return mark.encode(**enc).properties(height=360)


def bars_chart(df: pd.DataFrame, dimension: str | None, label: str, kind: str, dim_label: str = "",
               currency: str = "USD") -> alt.Chart:
    """Horizontal bars of DataFrame[<dimension>?, value], largest first."""
    data = df.copy()
    data["shown"] = shown_values(dimension, data[dimension]) if dimension else "All"
    title = dim_label or (fmt.words(dimension) if dimension else "")
    enc = dict(
        x=alt.X("value:Q", title=value_title(label, kind, currency), axis=alt.Axis(format=axis_format(kind, currency))),
        y=alt.Y("shown:N", title=title or None, sort="-x", axis=alt.Axis(labelLimit=200, labelOverlap=False)),
        tooltip=[alt.Tooltip("shown:N", title=title or "Total"),
                 alt.Tooltip("value:Q", title=label, format=tooltip_format(kind, currency))])
    if dimension in SEGMENT_DIMENSIONS:       # a channel keeps its colour of every page
        enc["color"] = _colour(dimension, list(data["shown"]), title, legend=None)
        return alt.Chart(data).mark_bar().encode(**enc).properties(height=alt.Step(28))
    return alt.Chart(data).mark_bar(color=CURRENT).encode(**enc).properties(height=alt.Step(28))
