"""Overview charts: the KPI trend (current vs comparison, promotions shaded), breakdowns, movers."""
from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd

from lib.charts.common import COMPARISON, CURRENT, DOWN, PROMO, UP, axis_format, tooltip_format, value_title

__all__ = ["trend_chart", "breakdown_bars", "movers_bars", "promo_bands"]

_GRAIN_FMT = {"day": "%b %d, %Y", "week": "week of %b %d, %Y", "month": "%B %Y"}


def promo_bands(promos: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Promotion rows clipped to [start, end], with an exclusive band end and a lane for drawing.

    Lanes pack the promotions greedily (a promotion takes the first lane free on its start day), so
    overlapping promotions sit on separate thin strips along the top of the chart.
    """
    cols = ["promo_id", "band_start", "band_end", "discount", "scope", "dates", "lane"]
    if promos is None or promos.empty:
        return pd.DataFrame(columns=cols)
    out = promos.sort_values(["start_date", "promo_id"]).reset_index(drop=True)
    out["band_start"] = pd.to_datetime([max(d, start) for d in out["start_date"]])
    out["band_end"] = pd.to_datetime([min(d, end) + timedelta(days=1) for d in out["end_date"]])
    out["discount"] = out["discount_pct"].map(lambda v: f"{v:g}% off")
    out["dates"] = [f"{s:%b %d} – {e:%b %d, %Y}" for s, e in zip(out["start_date"], out["end_date"], strict=True)]
    lanes: list[pd.Timestamp] = []          # the end of the last promotion on each lane
    picked = []
    for b0, b1 in zip(out["band_start"], out["band_end"], strict=True):
        lane = next((i for i, busy_until in enumerate(lanes) if busy_until <= b0), len(lanes))
        if lane == len(lanes):
            lanes.append(b1)
        lanes[lane] = b1
        picked.append(lane)
    out["lane"] = picked
    return out[cols]


def trend_chart(frame: pd.DataFrame, label: str, kind: str, grain: str, promos: pd.DataFrame | None = None,
                start: date | None = None, end: date | None = None, currency: str = "USD") -> alt.LayerChart:
    """Lines of `frame` (kpis.overlay output: offset, period, series, value, actual_period).

    The comparison series is drawn dashed on the current period's axis; promotions overlapping
    [start, end] are shaded bands with the promo id, discount and scope in the tooltip.
    """
    data = frame.copy()
    data["when"] = pd.to_datetime(data["actual_period"]).dt.strftime(_GRAIN_FMT.get(grain, "%Y-%m-%d"))
    domain = [s for s in ("Current", "Comparison") if s in set(data["series"])]
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                      scale=alt.Scale(domain=domain, range=[CURRENT, COMPARISON][: len(domain)]))
    lines = alt.Chart(data).mark_line(point=len(data) <= 120, strokeWidth=2).encode(
        x=alt.X("period:T", title=None, axis=alt.Axis(format="%b %d" if grain != "month" else "%b %Y")),
        y=alt.Y("value:Q", title=value_title(label, kind, currency), axis=alt.Axis(format=axis_format(kind, currency))),
        color=color,
        strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(domain=domain, range=[[1, 0], [5, 4]][: len(domain)])),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("when:N", title="Period"),
                 alt.Tooltip("value:Q", title=label, format=tooltip_format(kind, currency))],
    )
    layers = []
    if promos is not None and not promos.empty and start is not None and end is not None:
        bands = promo_bands(promos, start, end)
        bands["y0"] = 2 + 5 * bands["lane"]
        bands["y1"] = bands["y0"] + 3
        tip = [alt.Tooltip("promo_id:N", title="Promotion"), alt.Tooltip("discount:N", title="Discount"),
               alt.Tooltip("scope:N", title="Applies to"), alt.Tooltip("dates:N", title="Dates")]
        base = alt.Chart(bands).encode(x="band_start:T", x2="band_end:T", tooltip=tip)
        layers.append(base.mark_rect(opacity=0.05, color=PROMO))              # shaded bands, deeper when overlapping
        layers.append(base.mark_rect(color=PROMO, opacity=0.9).encode(         # one strip per promotion, on top
            y=alt.Y("y0:Q", scale=None), y2="y1:Q"))
    layers.append(lines)
    return alt.layer(*layers).properties(height=320)


def breakdown_bars(df: pd.DataFrame, dim: str, title: str, currency: str = "USD", top: int = 12) -> alt.Chart:
    """Horizontal revenue bars per `dim` value (kpis.breakdown output), largest first."""
    data = df.head(top).copy()
    return alt.Chart(data).mark_bar(color=CURRENT).encode(
        x=alt.X("revenue:Q", title=value_title("Revenue", "money", currency),
                axis=alt.Axis(format=axis_format("money", currency))),
        y=alt.Y(f"{dim}:N", title=None, sort="-x", axis=alt.Axis(labelLimit=160, labelOverlap=False)),
        tooltip=[alt.Tooltip(f"{dim}:N", title=title),
                 alt.Tooltip("revenue:Q", title="Revenue", format=tooltip_format("money", currency)),
                 alt.Tooltip("share:Q", title="Share", format=".1%"),
                 alt.Tooltip("orders:Q", title="Orders", format=",.0f"),
                 alt.Tooltip("units:Q", title="Units", format=",.0f")],
    ).properties(height=alt.Step(28))


def movers_bars(df: pd.DataFrame, dim: str, title: str, currency: str = "USD") -> alt.Chart:
    """Diverging bars of the revenue change per `dim` value (kpis.movers output)."""
    data = df.copy()
    data["change_label"] = data["change_pct"].map(lambda v: "new" if pd.isna(v) else f"{v:+.1%}")
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("change:Q", title=value_title("Revenue change", "money", currency),
                axis=alt.Axis(format=axis_format("money", currency))),
        y=alt.Y(f"{dim}:N", title=None, sort=alt.SortField("change", order="descending"),
                axis=alt.Axis(labelLimit=160, labelOverlap=False)),
        color=alt.Color("direction:N", legend=None, scale=alt.Scale(domain=["up", "down"], range=[UP, DOWN])),
        tooltip=[alt.Tooltip(f"{dim}:N", title=title),
                 alt.Tooltip("revenue:Q", title="Revenue", format=tooltip_format("money", currency)),
                 alt.Tooltip("previous:Q", title="Before", format=tooltip_format("money", currency)),
                 alt.Tooltip("change:Q", title="Change", format=tooltip_format("money", currency)),
                 alt.Tooltip("change_label:N", title="Change %")],
    ).properties(height=alt.Step(28))
