"""Explore charts: a metric over time per dimension value (lines) or in total (bars)."""
from __future__ import annotations

import altair as alt
import pandas as pd

from lib.charts.common import CURRENT, PALETTE, axis_format, tooltip_format, value_title

__all__ = ["lines_chart", "bars_chart"]


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
        enc["color"] = alt.Color(f"{dimension}:N", title=dim_label or dimension,
                                 scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="right"))
        enc["tooltip"] = [alt.Tooltip(f"{dimension}:N", title=dim_label or dimension), *enc["tooltip"]]
    mark = alt.Chart(df).mark_line(point=len(df) <= 150, strokeWidth=2)
    if not dimension:
        mark = alt.Chart(df).mark_line(point=len(df) <= 150, strokeWidth=2, color=CURRENT)
    return mark.encode(**enc).properties(height=360)


def bars_chart(df: pd.DataFrame, dimension: str | None, label: str, kind: str, dim_label: str = "",
               currency: str = "USD") -> alt.Chart:
    """Horizontal bars of DataFrame[<dimension>?, value], largest first."""
    data = df.copy()
    if not dimension:
        dimension, data["all"] = "all", "All"
    return alt.Chart(data).mark_bar(color=CURRENT).encode(
        x=alt.X("value:Q", title=value_title(label, kind, currency), axis=alt.Axis(format=axis_format(kind, currency))),
        y=alt.Y(f"{dimension}:N", title=dim_label or None, sort="-x", axis=alt.Axis(labelLimit=200, labelOverlap=False)),
        tooltip=[alt.Tooltip(f"{dimension}:N", title=dim_label or dimension),
                 alt.Tooltip("value:Q", title=label, format=tooltip_format(kind, currency))],
    ).properties(height=alt.Step(28))
