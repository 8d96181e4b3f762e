"""Pricing scenario charts (pure Altair builders: frames from lib.pricing.simulation in, charts out).

    daily(totals, metric, currency)        baseline vs scenario per day, units with their 80% bands
    margin_waterfall(wf, currency)         baseline margin -> price -> extra units -> cannibalised -> scenario
    compare_bars(table, currency)          change in units, revenue and margin per scenario
    compare_daily(series)                  daily units of the baseline and each compared scenario
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from lib import fmt
from lib.charts.common import (
    COMPARISON,
    CURRENT,
    DOWN,
    PALETTE,
    UP,
    axis_format,
    empty_note,
    tooltip_format,
    value_title,
)

__all__ = ["ZOOM_BELOW", "daily", "margin_waterfall", "compare_bars", "compare_daily", "METRICS", "BASELINE", "SCENARIO"]

BASELINE, SCENARIO = "Baseline", "Scenario"
METRICS = {"units": ("Units", "count"), "revenue": ("Revenue", "money"), "margin": ("Gross margin", "money")}


def _long(totals: pd.DataFrame, metric: str) -> pd.DataFrame:
    frames = []
    for side, label in (("base", BASELINE), ("scenario", SCENARIO)):
        col = f"units_{side}" if metric == "units" else f"{metric}_{side}"
        f = pd.DataFrame({"ds": pd.to_datetime(totals["ds"]), "series": label, "value": totals[col].astype(float)})
        if metric == "units":
            f["lo"], f["hi"] = totals[f"{side}_lo_80"].to_numpy(), totals[f"{side}_hi_80"].to_numpy()
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def daily(totals: pd.DataFrame, metric: str = "units", currency: str = "USD") -> alt.Chart | alt.LayerChart:
    """Daily totals of the baseline (grey) and the scenario (blue); units carry their 80% bands."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    if totals.empty:
        return empty_note("The scenario window has no forecast days.")
    label, kind = METRICS[metric]
    data = _long(totals, metric)
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                      scale=alt.Scale(domain=[BASELINE, SCENARIO], range=[COMPARISON, CURRENT]))
    x = alt.X("ds:T", title=None, axis=alt.Axis(format="%b %d", labelAngle=0, tickCount=8))
    tip = [alt.Tooltip("ds:T", title="Day", format="%a %b %d, %Y"), alt.Tooltip("series:N", title="Series"),
           alt.Tooltip("value:Q", title=label, format=tooltip_format(kind, currency))]
    line = alt.Chart(data).mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=18)).encode(
        x=x, y=alt.Y("value:Q", title=value_title(f"{label} per day", kind, currency),
                     axis=alt.Axis(format=axis_format(kind, currency))),
        color=color, tooltip=tip)
    if metric != "units":
        return line.properties(height=320)
    band_tip = [*tip, alt.Tooltip("lo:Q", title="80% low", format=",.0f"),
                alt.Tooltip("hi:Q", title="80% high", format=",.0f")]
    band = alt.Chart(data).mark_area(opacity=0.15).encode(x=x, y="lo:Q", y2="hi:Q", color=color,
                                                          tooltip=band_tip)
    return (band + line).properties(height=320)


def _signed_money(x: float, currency: str, plus: bool) -> str:
    """$1,234 / −$1,234 (a true minus) / +$1,234 when ``plus``; $0 for what rounds to zero."""
    text = fmt.money(abs(x), currency, 0)
    if round(x) == 0:
        return text
    return ("−" if x < 0 else "+" if plus else "") + text


ZOOM_BELOW = 0.05    # the bars' changes span less than this share of the larger margin: zoom, and say so
LABEL_ROOM = 0.4     # room right of the bars for their value labels, as a share of the bars' span
ROW = 36             # px per step


def margin_waterfall(wf: pd.DataFrame, currency: str = "USD") -> alt.LayerChart:
    """Floating bars from the baseline margin to the scenario margin (totals grey, rises green, falls red),
    one row per step, each with its value at the bar's end: rows never share a label, so no two overlap.

    The value axis starts at zero unless the changes are small next to the margins (under ZOOM_BELOW of
    the larger one): then it is zoomed on the changes, the totals' bars start at its left edge, and the
    chart's title says where the axis starts.
    """
    d = wf.reset_index(drop=True).copy()
    start, end = np.zeros(len(d)), np.zeros(len(d))
    running = 0.0
    for i, (kind, amount) in enumerate(zip(d["kind"], d["amount"], strict=True)):
        if kind == "total":
            start[i], end[i], running = 0.0, amount, amount
        else:
            start[i], end[i] = running, running + amount
            running += amount
    total = (d["kind"] == "total").to_numpy()
    moving = np.concatenate([start[~total], end])
    lo, hi = float(moving.min()), float(moving.max())
    biggest = float(np.abs(end[total]).max()) if total.any() else 0.0
    zoom = bool(total.any() and lo > 0 and hi - lo < ZOOM_BELOW * biggest)
    if zoom:
        floor = lo - max((hi - lo) * 0.6, hi * 0.01, 1.0)
        step = 10.0 ** np.floor(np.log10(hi - floor))       # a round number for the axis's first value
        floor = float(np.floor(floor / step) * step)
        zoom = floor > 0
    if zoom:
        start = np.where(total, floor, start)
        first, last = floor, hi
    else:
        first, last = min(0.0, lo, float(start.min())), max(0.0, hi, float(start.max()))
    span = max(last - first, 1.0)
    domain = [first, last + LABEL_ROOM * span]
    d["start"], d["end"], d["order"] = start, end, np.arange(len(d))
    d["right"] = np.maximum(start, end)
    d["color"] = np.where(total, COMPARISON, np.where(d["amount"] >= 0, UP, DOWN))
    d["label"] = [_signed_money(a, currency, k == "change") for a, k in zip(d["amount"], d["kind"], strict=True)]
    y = alt.Y("step:N", title=None, sort=alt.SortField("order"), axis=alt.Axis(labelLimit=160, labelOverlap=False))
    base = alt.Chart(d).encode(y=y, tooltip=[alt.Tooltip("step:N", title="Step"),
                                             alt.Tooltip("amount:Q", title="Amount",
                                                         format=tooltip_format("money", currency))])
    bars = base.mark_bar(size=22, clip=True).encode(
        x=alt.X("start:Q", title=value_title("Gross margin", "money", currency),
                scale=alt.Scale(domain=domain, zero=False, nice=False),
                axis=alt.Axis(format=axis_format("money", currency), tickCount=4, labelOverlap="greedy",
                              labelFlush=True)),
        x2="end:Q", color=alt.Color("color:N", scale=None))
    labels = base.mark_text(align="left", baseline="middle", dx=4, fontSize=11, color="#374151").encode(
        x=alt.X("right:Q"), text="label:N")
    chart = (bars + labels).properties(height=alt.Step(ROW))
    if zoom:
        chart = chart.properties(title=alt.Title(
            f"The axis starts at {fmt.money(floor, currency, 0)}, not at zero: the grey totals are cut short",
            anchor="start", fontSize=11, fontWeight="normal", color="#6b7280"))
    return chart


def compare_bars(table: pd.DataFrame, currency: str = "USD") -> alt.Chart:
    """Change against the baseline per scenario: one small bar chart per measure (units, revenue, margin)."""
    if table.empty:
        return empty_note("Pick saved scenarios to compare.")
    rows = []
    for measure, col, kind in (("Units", "units_change", "count"), ("Revenue", "revenue_change", "money"),
                               ("Gross margin", "margin_change", "money")):
        for name, v in zip(table["scenario"], table[col], strict=True):
            text = fmt.count(round(abs(v))) if kind == "count" else fmt.money(abs(v), currency, 0)
            rows.append({"measure": measure, "scenario": name, "change": float(v),
                         "label": ("+" if v >= 0 else "−") + text})
    d = pd.DataFrame(rows)
    order = list(table["scenario"])
    color = alt.Color("scenario:N", title=None, legend=None, scale=alt.Scale(domain=order,
                                                                            range=PALETTE[:len(order)]))
    base = alt.Chart().encode(
        y=alt.Y("scenario:N", title=None, sort=order, axis=alt.Axis(labelLimit=180)),
        x=alt.X("change:Q", title="Change against the baseline", axis=alt.Axis(format="~s")),
        tooltip=[alt.Tooltip("scenario:N", title="Scenario"), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("label:N", title="Change")])
    layer = alt.layer(base.mark_bar().encode(color=color),
                      alt.Chart().mark_rule(color="#6b7280").encode(x=alt.datum(0)),
                      base.mark_text(align="left", dx=4, fontSize=11, color="#374151").encode(text="label:N")
                      .transform_filter("datum.change >= 0"),
                      base.mark_text(align="right", dx=-4, fontSize=11, color="#374151").encode(text="label:N")
                      .transform_filter("datum.change < 0"),
                      data=d)
    return layer.properties(width=220, height=alt.Step(26)).facet(
        column=alt.Column("measure:N", title=None, sort=["Units", "Revenue", "Gross margin"])
    ).resolve_scale(x="independent")


def compare_daily(series: dict[str, pd.DataFrame]) -> alt.Chart:
    """Daily units of the baseline and each scenario (``series``: name -> daily_totals frame)."""
    if not series:
        return empty_note("Pick saved scenarios to compare.")
    first = next(iter(series.values()))
    frames = [pd.DataFrame({"ds": first["ds"], "series": BASELINE, "units": first["units_base"]})]
    frames += [pd.DataFrame({"ds": t["ds"], "series": name, "units": t["units_scenario"]})
               for name, t in series.items()]
    d = pd.concat(frames, ignore_index=True)
    d["ds"] = pd.to_datetime(d["ds"])
    domain = [BASELINE, *series]
    return alt.Chart(d).mark_line(strokeWidth=2).encode(
        x=alt.X("ds:T", title=None, axis=alt.Axis(format="%b %d", labelAngle=0)),
        y=alt.Y("units:Q", title="Units per day", axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top", labelLimit=220),
                        scale=alt.Scale(domain=domain, range=[COMPARISON, *PALETTE[:len(series)]])),
        strokeDash=alt.condition(alt.datum.series == BASELINE, alt.value([5, 3]), alt.value([1, 0])),
        tooltip=[alt.Tooltip("ds:T", title="Day", format="%a %b %d, %Y"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("units:Q", title="Units", format=",.1f")],
    ).properties(height=300)
