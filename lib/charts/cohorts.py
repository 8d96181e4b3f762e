"""Cohort charts (pure Altair builders: frames from lib.cohorts in, charts out).

    heatmap(df, metric, grain)          cohort rows x period columns, colour = rate, labelled cells,
                                        the cohort size as a column on the left

A frame with a boolean ``partial`` column (lib.cohorts.partial: cells of the incomplete period) gets
those cells marked: faded with a dashed outline on the heatmap, hollow points off the lines on the
curves, faded bars on the lifecycle (``partial`` of lib.cohorts.lifecycle).
    curves(df, avg, metric, grain)      one thin line per cohort plus the weighted average (bold)
    compare_curves(avg, by, metric)     the average curve per breakdown value
    lifecycle_bars(df, grain)           stacked bars per period: new/returning/resurrecting up,
                                        dormant down
"""
from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from lib import fmt
from lib.charts.common import PALETTE, segment_hex

__all__ = ["heatmap", "curves", "compare_curves", "lifecycle_bars", "cohort_label", "rate_label",
           "STATUS_COLORS"]

STATUS_COLORS = {"new": "#2f6fdf", "returning": "#26a269", "resurrecting": "#e5a50a", "dormant": "#c01c28"}
_AVG_COLOR = "#d4491f"


def cohort_label(d: date, grain: str) -> str:
    """'2026-01' for a month, 'wk 2026-01-05' for a week (its Monday)."""
    d = pd.Timestamp(d)
    return d.strftime("%Y-%m") if grain.startswith("month") else d.strftime("wk %Y-%m-%d")


def rate_label(rate: float, metric: str, currency: str = "USD", short: bool = False) -> str:
    """Customers: a percentage; orders: orders per customer; revenue: money per customer.

    short: whole currency units (fits a heatmap cell)."""
    if metric == "revenue":
        return fmt.money(rate, currency, 0 if short and abs(rate) < 1e5 else None)
    if metric == "orders":
        return "–" if rate is None or pd.isna(rate) else f"{rate:.2f}"
    return fmt.pct(rate, 0 if rate >= 0.1 or rate == 0 else 1)


def _axis_title(metric: str, mode: str) -> str:
    what = {"customers": "customers active", "orders": "orders per customer",
            "revenue": "revenue per customer"}[metric]
    return {"standard": what.capitalize(), "rolling": f"{what.capitalize()} (this period or later)",
            "cumulative": f"{what.capitalize()} (cumulative)"}[mode]


def _y_format(metric: str) -> str:
    return {"customers": ".0%", "orders": ".2f", "revenue": "$,.0f"}[metric]


PARTIAL_NOTE = "so far: this period is not over"


def _prep(df: pd.DataFrame, grain: str, metric: str, currency: str) -> pd.DataFrame:
    out = df.copy()
    out["partial"] = out["partial"].astype(bool) if "partial" in out else False
    out["note"] = [PARTIAL_NOTE if p else "" for p in out["partial"]]
    out["cohort_label"] = [cohort_label(c, grain) for c in out["cohort"]]
    out["label"] = [rate_label(r, metric, currency) for r in out["rate"]]
    out["cell"] = [rate_label(r, metric, currency, short=True) for r in out["rate"]]
    out["size_label"] = [fmt.count(s) for s in out["cohort_size"]]
    return out


def heatmap(df: pd.DataFrame, metric: str, grain: str, mode: str = "standard",
            currency: str = "USD") -> alt.HConcatChart:
    """The cohort table as a heatmap; cells labelled with the rate (or money per customer)."""
    data = _prep(df, grain, metric, currency)
    order = sorted(data["cohort_label"].unique())
    n_periods = int(data["period"].max()) + 1 if len(data) else 1
    height = max(120, 22 * len(order))
    y = alt.Y("cohort_label:O", sort=order, title="Cohort")
    unit = "Month" if grain.startswith("month") else "Week"
    tooltip = [alt.Tooltip("cohort_label:N", title="Cohort"), alt.Tooltip("period:O", title=unit),
               alt.Tooltip("size_label:N", title="Cohort size"), alt.Tooltip("value:Q", title="Value", format=",.2f"),
               alt.Tooltip("label:N", title="Rate"), alt.Tooltip("note:N", title="Note")]
    later = data.loc[(data["period"] > 0) & ~data["partial"], "rate"]
    if metric == "customers":      # period 0 is always 100%: scale the colours on the later periods
        lo, top = 0.0, max(0.05, float(later.max()) if len(later) else 1.0)
    else:
        lo, top = float(data["rate"].min()), float(data["rate"].max())
        top = top if top > lo else lo + 1.0
    color_scale = alt.Scale(scheme="blues", domain=[lo, top], clamp=True)
    cut = lo + 0.6 * (top - lo)      # dark cells get white text
    base = alt.Chart(data).encode(
        x=alt.X("period:O", title=f"{unit}s since first purchase", axis=alt.Axis(labelAngle=0, orient="top")),
        y=y)
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("rate:Q", scale=color_scale, title=_axis_title(metric, mode),
                        legend=alt.Legend(format=_y_format(metric), orient="bottom", titleLimit=400)),
        opacity=alt.condition(alt.datum.partial, alt.value(0.45), alt.value(1.0)),
        tooltip=tooltip)
    if data["partial"].any():        # the incomplete period: a dashed outline over the faded cells
        cells = cells + alt.Chart(data[data["partial"]]).mark_rect(
            fill=None, stroke="#1f2328", strokeDash=[3, 2], strokeWidth=1.2).encode(
            x="period:O", y=alt.Y("cohort_label:O", sort=order), tooltip=tooltip)
    text_color = alt.condition(alt.datum.rate > cut, alt.value("white"), alt.value("#1f2328"))
    cell_w = max(10, min(46, 760 // n_periods))    # fits the page; labels only where they fit
    layers = cells
    if cell_w >= 34:
        layers = cells + base.mark_text(fontSize=10).encode(text="cell:N", color=text_color, tooltip=tooltip)
    grid = layers.properties(width=max(240, cell_w * n_periods), height=height)
    sizes = (alt.Chart(data[data["period"] == 0]).mark_text(align="right", fontSize=11, dx=30)
             .encode(y=alt.Y("cohort_label:O", sort=order, axis=None), text="size_label:N")
             .properties(width=56, height=height,
                         title=alt.TitleParams("Customers", fontSize=11, fontWeight="normal", anchor="end")))
    return alt.hconcat(sizes, grid, spacing=4).resolve_scale(y="shared")


def curves(df: pd.DataFrame, avg: pd.DataFrame, metric: str, grain: str, mode: str = "standard",
           currency: str = "USD") -> alt.LayerChart:
    """Each cohort's curve (thin, shaded by age) and the size-weighted average curve (bold)."""
    data = _prep(df, grain, metric, currency)
    unit = "Month" if grain.startswith("month") else "Week"
    a = avg.copy()
    a["label"] = [rate_label(r, metric, currency) for r in a["rate"]]
    x = alt.X("period:Q", title=f"{unit}s since first purchase", axis=alt.Axis(tickMinStep=1, format="d"))
    y = alt.Y("rate:Q", title=_axis_title(metric, mode), axis=alt.Axis(format=_y_format(metric)))
    partial_cells = data[data["partial"]]
    data = data[~data["partial"]]
    thin = alt.Chart(data).mark_line(strokeWidth=1.5, opacity=0.8).encode(
        x=x, y=y, detail="cohort_label:N",
        color=alt.Color("cohort_label:O", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=[alt.Tooltip("cohort_label:N", title="Cohort"), alt.Tooltip("period:Q", title=unit),
                 alt.Tooltip("label:N", title="Rate")])
    bold = alt.Chart(a).mark_line(strokeWidth=4, color=_AVG_COLOR, point=alt.OverlayMarkDef(color=_AVG_COLOR)).encode(
        x=x, y=y, tooltip=[alt.Tooltip("period:Q", title=unit), alt.Tooltip("label:N", title="Weighted average")])
    layers = thin + bold
    if len(partial_cells):           # the incomplete period: hollow points, not joined to the lines
        layers = layers + alt.Chart(partial_cells).mark_point(shape="circle", filled=False, size=40,
                                                              color="#6b7280").encode(
            x=x, y=y, tooltip=[alt.Tooltip("cohort_label:N", title="Cohort"), alt.Tooltip("period:Q", title=unit),
                               alt.Tooltip("label:N", title="Rate"), alt.Tooltip("note:N", title="Note")])
    return layers.properties(height=320)


def compare_curves(avg: pd.DataFrame, by: str, metric: str, grain: str, mode: str = "standard",
                   currency: str = "USD", title: str | None = None) -> alt.Chart:
    """The weighted average curve of each breakdown value, one colour each: a channel in its colour of
    every page, other values from the palette; values in words (Paid search), `title` on the legend."""
    a = avg.copy()
    a["label"] = [rate_label(r, metric, currency) for r in a["rate"]]
    a["shown"] = [fmt.words(v) if by == "channel" else str(v) for v in a[by]]
    unit = "Month" if grain.startswith("month") else "Week"
    values = sorted(a["shown"].unique())
    colours = ([segment_hex(v) for v in values] if by == "channel"
               else [PALETTE[i % len(PALETTE)] for i in range(len(values))])
    name = title or fmt.words(by)
    return alt.Chart(a).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("period:Q", title=f"{unit}s since first purchase", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("rate:Q", title=_axis_title(metric, mode), axis=alt.Axis(format=_y_format(metric))),
        color=alt.Color("shown:N", title=name, scale=alt.Scale(domain=values, range=colours)),
        tooltip=[alt.Tooltip("shown:N", title=name), alt.Tooltip("period:Q", title=unit),
                 alt.Tooltip("label:N", title="Rate")],
    ).properties(height=320)


def lifecycle_bars(df: pd.DataFrame, grain: str) -> alt.Chart:
    """Stacked bars per period; dormant customers drawn below zero (the frame keeps them positive)."""
    data = df.copy()
    data["signed"] = data["customers"].where(data["status"] != "dormant", -data["customers"])
    data["partial"] = data["partial"].astype(bool) if "partial" in data else False
    data["period_label"] = [cohort_label(p, grain) + (" (so far)" if part else "")
                            for p, part in zip(data["period"], data["partial"], strict=True)]
    data["order"] = data["status"].map({s: i for i, s in enumerate(STATUS_COLORS)})
    data["count_label"] = [fmt.count(c) for c in data["customers"]]
    data["note"] = ["so far; dormant is counted when the period is over" if p else "" for p in data["partial"]]
    order = list(dict.fromkeys(data.sort_values("period", kind="stable")["period_label"]))
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("period_label:O", title=None, sort=order, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("signed:Q", title="Customers", stack="zero"),     # one row per period and status
        color=alt.Color("status:N", scale=alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values())),
                        legend=alt.Legend(title=None, orient="top")),
        opacity=alt.condition(alt.datum.partial, alt.value(0.45), alt.value(1.0)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("period_label:N", title="Period"), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("count_label:N", title="Customers"), alt.Tooltip("note:N", title="Note")],
    ).properties(height=300)
