"""Replenishment charts (pure Altair builders: frames from lib.replenish in, charts out).

    cash_by_supplier(summary, currency)      horizontal bars: cash needed per supplier (po_summary frame)
    projection(fc, as_of=..., ...)           the day-by-day projected on hand of one SKU, with and
                                             without the recommended order (a frame for stock_projection)
    stock_projection(proj, reorder_point=..., safety_stock=..., arrival=...)
                                             the projected on hand as lines, reorder point and safety
                                             stock as horizontal rules, the order arrival as a vertical rule
    demand_band(fc, uplift_pct)              one SKU's daily demand forecast with its 80% band
"""
from __future__ import annotations

from datetime import date

import altair as alt
import numpy as np
import pandas as pd

from lib import fmt
from lib.charts.common import (
    COMPARISON,
    CURRENT,
    DOWN,
    PROMO,
    axis_format,
    empty_note,
    tooltip_format,
    value_title,
)

__all__ = ["cash_by_supplier", "projection", "stock_projection", "demand_band", "TAIL_DAYS", "WITH_ORDER",
           "WITHOUT_ORDER"]

TAIL_DAYS = 7            # past the forecast horizon, demand is the mean of the last 7 forecast days
WITH_ORDER = "With the recommended order"
WITHOUT_ORDER = "Without a new order"
_TOTAL = "Total"


def cash_by_supplier(summary: pd.DataFrame, currency: str = "USD") -> alt.Chart:
    """Bars of cash needed per supplier (the "Total" row of po_summary left out), largest first."""
    total = summary["po_number"] == _TOTAL if "po_number" in summary else summary["supplier"] == _TOTAL
    data = summary[~total & summary["supplier"].notna()].copy()
    if data.empty:
        return empty_note("No purchase orders to place.")
    data["label"] = [fmt.money(v, currency) for v in data["cash_needed"]]
    room = alt.Scale(domain=[0, float(data["cash_needed"].max()) * 1.18 or 1.0])     # room for the labels
    base = alt.Chart(data).encode(
        y=alt.Y("supplier:N", title=None, sort="-x", axis=alt.Axis(labelLimit=180, labelOverlap=False)),
        x=alt.X("cash_needed:Q", title=value_title("Cash needed", "money", currency), scale=room,
                axis=alt.Axis(format=axis_format("money", currency))),
        tooltip=[alt.Tooltip("supplier:N", title="Supplier"),
                 alt.Tooltip("skus:Q", title="SKUs", format=",.0f"),
                 alt.Tooltip("units:Q", title="Units", format=",.0f"),
                 alt.Tooltip("cash_needed:Q", title="Cash needed", format=tooltip_format("money", currency))])
    bars = base.mark_bar(color=CURRENT)
    labels = base.mark_text(align="left", dx=4, fontSize=11, color="#374151").encode(text="label:N")
    return (bars + labels).properties(height=alt.Step(30))


def projection(fc: pd.DataFrame, *, as_of: date, on_hand: float, on_order: float, order_qty: float,
               lead_days: int, days: int, uplift_pct: float = 0.0) -> pd.DataFrame:
    """DataFrame[day, ds, scenario, units, demand]: projected on hand at the end of each day 0..days.

    Day 0 is ``as_of`` (on hand as counted). Day k's demand is the forecast mean for as_of + k
    (``fc``: one SKU's rows of the forecast frame, columns ds and yhat) times (1 + uplift_pct/100);
    days past the forecast take the mean of its last TAIL_DAYS days (as lib.replenish.plan does).
    Stock on order and the recommended order arrive on day ``lead_days``; on hand never drops below 0
    (demand beyond it is lost). Two scenarios: WITHOUT_ORDER and WITH_ORDER.
    """
    f = fc.assign(day=(pd.to_datetime(fc["ds"]) - pd.Timestamp(as_of)).dt.days)
    f = f[(f["day"] >= 1) & (f["day"] <= days)].sort_values("day")
    mean = np.zeros(days + 1)
    if len(f):
        tail = float(np.clip(f["yhat"].tail(TAIL_DAYS), 0, None).mean())
        mean[1:] = tail
        mean[f["day"].to_numpy()] = np.clip(f["yhat"].to_numpy(float), 0, None)
    mean *= 1.0 + uplift_pct / 100.0
    day = np.arange(days + 1)
    frames = []
    for scenario, extra in ((WITHOUT_ORDER, on_order), (WITH_ORDER, on_order + order_qty)):
        # unfloored running stock s_k; with lost sales the stock is s_k - min(0, min_{j<=k} s_j)
        s = on_hand + np.cumsum(np.where(day == lead_days, extra, 0.0) - mean)
        stock = s - np.minimum(np.minimum.accumulate(s), 0.0)
        frames.append(pd.DataFrame({"day": day, "scenario": scenario, "units": stock, "demand": mean}))
    out = pd.concat(frames, ignore_index=True)
    out.insert(1, "ds", pd.Timestamp(as_of) + pd.to_timedelta(out["day"], unit="D"))
    return out


def stock_projection(proj: pd.DataFrame, *, reorder_point: float, safety_stock: float,
                     arrival: date | None = None) -> alt.LayerChart:
    """Projected on hand per scenario (lines), reorder point and safety stock (dashed rules), arrival day."""
    scenarios = [s for s in (WITH_ORDER, WITHOUT_ORDER) if s in set(proj["scenario"])]
    color = alt.Color("scenario:N", title=None, legend=alt.Legend(orient="top", labelLimit=280),
                      scale=alt.Scale(domain=scenarios, range=[CURRENT, COMPARISON][: len(scenarios)]))
    lines = alt.Chart(proj).mark_line(strokeWidth=2, interpolate="step-after").encode(
        x=alt.X("ds:T", title=None, axis=alt.Axis(format="%b %d", labelAngle=0, tickCount=8)),
        y=alt.Y("units:Q", title="Units on hand", axis=alt.Axis(format=",.0f")),
        color=color,
        tooltip=[alt.Tooltip("ds:T", title="Day", format="%b %d, %Y"),
                 alt.Tooltip("scenario:N", title="Scenario"),
                 alt.Tooltip("units:Q", title="On hand", format=",.1f"),
                 alt.Tooltip("demand:Q", title="Forecast demand", format=",.1f")])
    rules = pd.DataFrame({"units": [reorder_point, safety_stock],
                          "label": [f"Reorder point {fmt.count(round(reorder_point, 1))}",
                                    f"Safety stock {fmt.count(round(safety_stock, 1))}"],
                          "color": [DOWN, PROMO], "ds": [proj["ds"].min()] * 2})
    # the rules' colours are the values themselves (no scale, no legend): the legend is the scenarios' own
    rule_base = alt.Chart(rules).encode(y="units:Q", tooltip=[alt.Tooltip("label:N", title="Level")])
    hlines = rule_base.mark_rule(strokeDash=[6, 4], strokeWidth=1.5).encode(
        color=alt.Color("color:N", scale=None))
    hlabels = rule_base.mark_text(align="left", baseline="bottom", dx=4, dy=-2, fontSize=11,
                                  color="#374151").encode(text="label:N", x="ds:T")
    layers = [hlines, hlabels, lines]
    if arrival is not None:
        arrive = pd.DataFrame({"ds": [pd.Timestamp(arrival)], "label": [f"Order arrives {arrival:%b %d}"]})
        base = alt.Chart(arrive).encode(x="ds:T")
        layers.append(base.mark_rule(color="#6b7280", strokeDash=[2, 3]))
        layers.append(base.mark_text(align="left", baseline="top", dx=4, y=4, fontSize=11, color="#6b7280")
                      .encode(text="label:N"))
    return alt.layer(*layers).resolve_scale(color="independent").properties(height=300)


def demand_band(fc: pd.DataFrame, uplift_pct: float = 0.0) -> alt.LayerChart | alt.Chart:
    """Daily forecast mean (line) and 80% band (area) of one SKU, scaled by the demand uplift."""
    if fc.empty:
        return empty_note("No forecast for this SKU.")
    factor = 1.0 + uplift_pct / 100.0
    data = pd.DataFrame({"ds": pd.to_datetime(fc["ds"]),
                         "yhat": np.clip(fc["yhat"].to_numpy(float), 0, None) * factor,
                         "lo": np.clip(fc["yhat_lo_80"].to_numpy(float), 0, None) * factor,
                         "hi": np.clip(fc["yhat_hi_80"].to_numpy(float), 0, None) * factor})
    x = alt.X("ds:T", title=None, axis=alt.Axis(format="%b %d"))
    tip = [alt.Tooltip("ds:T", title="Day", format="%b %d, %Y"),
           alt.Tooltip("yhat:Q", title="Forecast", format=",.1f"),
           alt.Tooltip("lo:Q", title="80% low", format=",.1f"),
           alt.Tooltip("hi:Q", title="80% high", format=",.1f")]
    band = alt.Chart(data).mark_area(opacity=0.2, color=CURRENT).encode(x=x, y="lo:Q", y2="hi:Q", tooltip=tip)
    line = alt.Chart(data).mark_line(color=CURRENT, strokeWidth=2).encode(
        x=x, y=alt.Y("yhat:Q", title="Units per day", axis=alt.Axis(format=",.1~f")), tooltip=tip)
    return (band + line).properties(height=300)
