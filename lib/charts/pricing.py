"""Pricing charts (pure Altair builders: frames from lib.pricing in, charts out).

    elasticity_chart(df)     one point per SKU at its elasticity with its 95% interval as an error bar,
                             colored by category, SKUs grouped by category and sorted by elasticity
                             (most price-sensitive first); a dashed rule at -1 (unit elastic)
    lift_chart(by_depth)     promotion lift per discount-depth bucket with its 95% interval, one color
                             per promotion type (types in words); a rule at 1.0 (no lift)
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from lib.charts.common import COMPARISON, PALETTE, empty_note
from lib.fmt import words
from lib.pricing.elasticity import METHOD_SKU
from lib.pricing.promos import DEPTH_LABELS

__all__ = ["elasticity_chart", "lift_chart", "elasticity_order", "OWN", "FALLBACK", "NO_TYPE",
           "DEPTH_ORDER"]

OWN = "Own estimate"
FALLBACK = "Category estimate"
NO_TYPE = "No type"
DEPTH_ORDER = list(DEPTH_LABELS)


def elasticity_order(df: pd.DataFrame) -> list[str]:
    """SKUs grouped by category (alphabetical), most negative elasticity first within each."""
    d = df.assign(_cat=df["category"].fillna("").astype(str), _sku=df["sku"].astype(str))
    return d.sort_values(["_cat", "elasticity", "_sku"], kind="stable")["_sku"].tolist()


def elasticity_chart(df: pd.DataFrame) -> alt.LayerChart | alt.Chart:
    """SKU elasticities (points) with 95% intervals (bars), colored by category; rows without an
    estimate (NaN elasticity) are left out. Filled points: the SKU's own (pooled) estimate; hollow: the
    category estimate it fell back on."""
    data = df[df["elasticity"].notna()].copy()
    if data.empty:
        return empty_note("No elasticity estimate to show: no price moved in the history.")
    data["sku"] = data["sku"].astype(str)
    data["category"] = data["category"].fillna("(no category)").astype(str)
    data["basis"] = [OWN if m == METHOD_SKU else FALLBACK for m in data["method"]]
    order = elasticity_order(data)
    cats = sorted(data["category"].unique())
    scale = alt.Scale(domain=cats, range=[PALETTE[i % len(PALETTE)] for i in range(len(cats))])
    color = alt.Color("category:N", title="Category", legend=alt.Legend(orient="top"), scale=scale)
    y = alt.Y("sku:N", title=None, sort=order, axis=alt.Axis(labelLimit=160, labelOverlap=False))
    tooltip = [alt.Tooltip("sku:N", title="SKU"), alt.Tooltip("category:N", title="Category"),
               alt.Tooltip("elasticity:Q", title="Elasticity", format=".2f"),
               alt.Tooltip("lo:Q", title="95% from", format=".2f"),
               alt.Tooltip("hi:Q", title="95% to", format=".2f"),
               alt.Tooltip("basis:N", title="Estimate")]
    base = alt.Chart(data).encode(y=y, color=color, tooltip=tooltip)
    bars = base.mark_rule(strokeWidth=2, opacity=0.55).encode(
        x=alt.X("lo:Q", title="Price elasticity (95% interval)"), x2="hi:Q")
    points = base.mark_point(size=60, strokeWidth=2).encode(
        x="elasticity:Q",
        fill=alt.condition(alt.datum.basis == OWN, alt.Fill("category:N", scale=scale, legend=None),
                           alt.value("white")),
        shape=alt.Shape("basis:N", title=None, scale=alt.Scale(domain=[OWN, FALLBACK],
                                                             range=["circle", "diamond"]),
                        legend=alt.Legend(orient="top")))
    unit = alt.Chart(pd.DataFrame({"x": [-1.0], "label": ["unit elastic (-1)"]})).mark_rule(
        color=COMPARISON, strokeDash=[6, 4]).encode(x="x:Q", tooltip=[alt.Tooltip("label:N", title="Rule")])
    return alt.layer(unit, bars, points).properties(height=alt.Step(16))


def lift_chart(by_depth: pd.DataFrame) -> alt.LayerChart | alt.Chart:
    """Lift (units / baseline) per promotion type and depth bucket: a point with its 95% interval, a
    rule at 1.0 where a promotion sells no more than the baseline."""
    data = by_depth[by_depth["lift"].notna()].copy()
    if data.empty:
        return empty_note("No promotion lift to show.")
    data["type"] = [NO_TYPE if pd.isna(t) else words(t) for t in data["type"]]     # 'percent_off' -> 'Percent off'
    data["depth_bucket"] = data["depth_bucket"].astype(str)
    depths = [d for d in DEPTH_ORDER if d in set(data["depth_bucket"])] \
        + sorted(set(data["depth_bucket"]) - set(DEPTH_ORDER))
    types = sorted(data["type"].unique())
    color = alt.Color("type:N", title="Promotion type", legend=alt.Legend(orient="top"),
                      scale=alt.Scale(domain=types, range=[PALETTE[i % len(PALETTE)] for i in range(len(types))]))
    y = alt.Y("depth_bucket:N", title="Discount depth (%)", sort=depths)
    tooltip = [alt.Tooltip("type:N", title="Type"), alt.Tooltip("depth_bucket:N", title="Depth (%)"),
               alt.Tooltip("promos:Q", title="Promotions", format=",.0f"),
               alt.Tooltip("lift:Q", title="Lift", format=".2f"),
               alt.Tooltip("lift_lo:Q", title="95% from", format=".2f"),
               alt.Tooltip("lift_hi:Q", title="95% to", format=".2f")]
    base = alt.Chart(data).encode(y=y, yOffset=alt.YOffset("type:N", sort=types), color=color, tooltip=tooltip)
    bars = base.mark_rule(strokeWidth=3, opacity=0.6).encode(
        x=alt.X("lift_lo:Q", title="Lift: units / baseline (95% interval)"), x2="lift_hi:Q")
    points = base.mark_point(filled=True, size=80).encode(x="lift:Q")
    one = alt.Chart(pd.DataFrame({"x": [1.0], "label": ["no lift (1.0)"]})).mark_rule(
        color=COMPARISON, strokeDash=[6, 4]).encode(x="x:Q", tooltip=[alt.Tooltip("label:N", title="Rule")])
    return alt.layer(one, bars, points).properties(height=max(120, 24 * len(depths) * len(types)))
