"""Forecast charts (pure Altair builders: frames from lib.forecast in, charts out).

    forecast_chart(history, backtest, forecast, grain)   sales history with stockout periods shaded,
                                                         the backtest (dashed, 80% band) and the
                                                         forecast with its 80% and 95% bands
    models_chart(counts)                                 how many SKUs each model forecasts
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from lib import fmt
from lib.charts.common import COMPARISON, CURRENT, PALETTE, empty_note

__all__ = ["SERIES", "COLORS", "SHADE_OPACITY", "forecast_chart", "models_chart", "period_days"]

SALES, STOCKOUT, BACKTEST, FORECAST = "Sales", "Stockout (censored)", "Backtest", "Forecast"
SERIES = [SALES, STOCKOUT, BACKTEST, FORECAST]
COLORS = {SALES: CURRENT, STOCKOUT: COMPARISON, BACKTEST: PALETTE[3], FORECAST: PALETTE[1]}
BAND_OPACITY = {80: 0.35, 95: 0.15}      # forecast bands; the backtest band is as light as the 95%
SHADE_OPACITY = (0.03, 0.35)             # stockout shade: a few SKUs out of many .. all out


def period_days(grain: str) -> int:
    """Days one period spans: 7 for weeks, 30 for months (the stockout shade's width), else 1."""
    return {"week": 7, "month": 30}.get(grain, 1)


def _units(x) -> str:
    return fmt.count(round(float(x), 1)) if pd.notna(x) else "–"


def _ranges(frame: pd.DataFrame, level: int) -> list[str]:
    """'lo – hi' per row of a frame's ``level``% band."""
    return [f"{_units(lo)} – {_units(hi)}"
            for lo, hi in zip(frame[f"yhat_lo_{level}"], frame[f"yhat_hi_{level}"], strict=True)]


def _color(domain: list[str]) -> alt.Color:
    scale = alt.Scale(domain=domain, range=[COLORS[s] for s in domain])
    return alt.Color("series:N", title=None, scale=scale, legend=alt.Legend(orient="top", symbolOpacity=1))


def _when(grain: str) -> alt.Tooltip:
    if grain == "week":
        return alt.Tooltip("ds:T", title="Week starting", format="%b %d, %Y")
    if grain == "month":
        return alt.Tooltip("ds:T", title="Month starting", format="%b %d, %Y")
    return alt.Tooltip("ds:T", title="Date", format="%a %b %d, %Y")


def _history_layers(history: pd.DataFrame, grain: str, x: alt.X, color: alt.Color) -> list[alt.Chart]:
    h = history.assign(series=SALES, label=[_units(v) for v in history["y"]])
    curve = "monotone" if grain == "week" else "linear"
    line = alt.Chart(h).mark_line(strokeWidth=1.5, interpolate=curve).encode(
        x=x, y=alt.Y("y:Q", title="Units"), color=color,
        tooltip=[_when(grain), alt.Tooltip("label:N", title="Units sold")])
    out = h[h["censored"].astype(float) > 0]
    if out.empty:
        return [line]
    share = out["censored"].astype(float)
    out = out.assign(series=STOCKOUT, end=out["ds"] + pd.Timedelta(days=period_days(grain)), share=share,
                     share_label=[fmt.pct(v, 0) for v in share])
    shade = alt.Chart(out).mark_rect().encode(
        x=x, x2="end:T", color=color,
        opacity=alt.Opacity("share:Q", legend=None,
                            scale=alt.Scale(domain=[0, 1], range=list(SHADE_OPACITY))),
        tooltip=[_when(grain), alt.Tooltip("share_label:N", title="SKUs out of stock")])
    return [shade, line]


def _backtest_layers(backtest: pd.DataFrame, grain: str, x: alt.X, color: alt.Color) -> list[alt.Chart]:
    b = backtest.assign(series=BACKTEST, label=[_units(v) for v in backtest["yhat"]],
                        actual=[_units(v) for v in backtest["y"]], band=_ranges(backtest, 80),
                        window=backtest["cutoff"].astype(str))
    tip = [_when(grain), alt.Tooltip("label:N", title="Backtest forecast"),
           alt.Tooltip("band:N", title="80% band"), alt.Tooltip("actual:N", title="Actual")]
    band = alt.Chart(b).mark_area(opacity=BAND_OPACITY[95]).encode(
        x=x, y="yhat_lo_80:Q", y2="yhat_hi_80:Q", color=color, detail="window:N", tooltip=tip)
    line = alt.Chart(b).mark_line(strokeDash=[5, 3], strokeWidth=1.8).encode(
        x=x, y="yhat:Q", color=color, detail="window:N", tooltip=tip)
    return [band, line]


def _forecast_layers(forecast: pd.DataFrame, grain: str, x: alt.X, color: alt.Color) -> list[alt.Chart]:
    f = forecast.assign(series=FORECAST, label=[_units(v) for v in forecast["yhat"]],
                        band80=_ranges(forecast, 80), band95=_ranges(forecast, 95))
    tip = [_when(grain), alt.Tooltip("label:N", title="Forecast"), alt.Tooltip("band80:N", title="80% band"),
           alt.Tooltip("band95:N", title="95% band")]
    wide = alt.Chart(f).mark_area(opacity=BAND_OPACITY[95]).encode(
        x=x, y="yhat_lo_95:Q", y2="yhat_hi_95:Q", color=color, tooltip=tip)
    narrow = alt.Chart(f).mark_area(opacity=BAND_OPACITY[80]).encode(
        x=x, y="yhat_lo_80:Q", y2="yhat_hi_80:Q", color=color, tooltip=tip)
    line = alt.Chart(f).mark_line(strokeWidth=2.2, point=alt.OverlayMarkDef(size=18)).encode(
        x=x, y="yhat:Q", color=color, tooltip=tip)
    return [wide, narrow, line]


def forecast_chart(history: pd.DataFrame, backtest: pd.DataFrame, forecast: pd.DataFrame,
                   grain: str = "day", height: int = 360) -> alt.LayerChart | alt.Chart:
    """History [ds, y, censored], backtest [ds, cutoff, y, yhat, yhat_lo_80, yhat_hi_80] and forecast
    [ds, yhat, yhat_lo_80/95, yhat_hi_80/95] of one item on one time axis (drag to pan, wheel to zoom).

    ``censored`` is true on stockout periods, or the share (0-1) of the item's SKUs out of stock: those
    periods are shaded across the full height, darker the more SKUs are out. Bands are drawn under
    the lines."""
    if history.empty and forecast.empty:
        return empty_note("No sales history or forecast to draw for this selection.")
    x = alt.X("ds:T", title=None, axis=alt.Axis(format={"week": "%b %d, %Y", "month": "%b %Y"}.get(grain, "%b %d")))
    has_out = not history.empty and bool((history["censored"].astype(float) > 0).any())
    present = [not history.empty, has_out, not backtest.empty, not forecast.empty]
    color = _color([s for s, shown in zip(SERIES, present, strict=True) if shown])
    layers: list[alt.Chart] = []
    if not history.empty:
        layers += _history_layers(history, grain, x, color)
    if not backtest.empty:
        layers += _backtest_layers(backtest, grain, x, color)
    if not forecast.empty:
        layers += _forecast_layers(forecast, grain, x, color)
    return alt.layer(*layers).properties(height=height).interactive(bind_y=False)


def models_chart(counts: pd.DataFrame) -> alt.Chart:
    """Horizontal bars from [model, skus]: how many SKUs each model forecasts (most first)."""
    if counts.empty:
        return empty_note("No SKU forecasts to count.")
    c = counts.assign(label=[fmt.count(v) for v in counts["skus"]])
    order = c.sort_values("skus", ascending=False)["model"].tolist()
    y = alt.Y("model:N", sort=order, title=None)
    bars = alt.Chart(c).mark_bar(color=CURRENT).encode(
        x=alt.X("skus:Q", title="SKUs", axis=alt.Axis(tickMinStep=1, format="d")), y=y,
        tooltip=[alt.Tooltip("model:N", title="Model"), alt.Tooltip("label:N", title="SKUs")])
    text = alt.Chart(c).mark_text(align="left", dx=4, fontSize=11).encode(x="skus:Q", y=y, text="label:N")
    return (bars + text).properties(height=alt.Step(26))      # a fixed height squashes discrete bands
