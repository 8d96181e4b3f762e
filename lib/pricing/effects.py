"""The estimated effects a scenario is simulated with, from history.

    promo_effects(lift, elasticities, promotions, products) -> DataFrame[type, k, k_lo, k_hi, promos]
    cannibalisation_rates(lift) -> DataFrame[category, rate]
    channel_shares(wh, as_of, days=365) -> DataFrame[sku, channel, share]
    baseline_frame(forecast, future) -> the forecast with the price and promo inputs it was made on

Promotion effect. A promotion of depth d on a SKU with elasticity e multiplies its demand by
k x (1 - d)^e: the discount's price effect, times k, the extra lift of the promotion type (the
attention a promotion gets beyond its price: banners, emails, urgency). k per type is pooled over the
history's all-channel promotions (``lift`` = pricing.promo_lift's result): k = sum(units) /
sum(baseline x (1 - d)^e_bar), e_bar the mean elasticity of the SKUs a promotion covered. Its interval
pools the promotions' own 95% lift bounds the same way (an average of bounds, not narrowed by pooling).
Channel-only promotions are left out: only part of the demand saw them.

Cannibalisation. While a SKU-level promotion runs, the unpromoted SKUs of its category sell
``rate`` x their baseline less: rate = sum(cannibalised units) / sum(sibling baseline) per category,
clipped to [0, MAX_CANNIBALISATION] (a negative estimate, siblings selling more, is read as none).
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Double, cast, func, select

from lib import sales
from lib.kpis import NONE, bounds
from lib.tables import FEED_TABLES

__all__ = ["promo_effects", "cannibalisation_rates", "channel_shares", "baseline_frame", "EFFECT_COLUMNS",
           "ALL_TYPES", "MAX_CANNIBALISATION"]

EFFECT_COLUMNS = ["type", "k", "k_lo", "k_hi", "promos"]
ALL_TYPES = "(all types)"         # pooled over every type: used for a type with no history
MAX_CANNIBALISATION = 0.5


def _promo_elasticity(promotions: pd.DataFrame, elasticities: pd.DataFrame, products: pd.DataFrame) -> pd.Series:
    """Mean elasticity of the SKUs each promotion covered (its SKU, or its category's SKUs)."""
    e = elasticities.dropna(subset=["elasticity"]).merge(products[["sku", "category"]].astype({"sku": str}),
                                                         on="sku", how="left", suffixes=("", "_p"))
    cat = e["category"].fillna(e.get("category_p")) if "category" in e else e["category_p"]
    by_sku = e.set_index("sku")["elasticity"]
    by_cat = e.assign(category=cat).groupby("category")["elasticity"].mean()
    sku = promotions["sku"].where(promotions["sku"].notna(), None)
    out = sku.map(by_sku)
    return out.fillna(promotions["category"].map(by_cat)).astype(float)


def promo_effects(lift: dict, elasticities: pd.DataFrame, promotions: pd.DataFrame,
                  products: pd.DataFrame) -> pd.DataFrame:
    """Extra lift k per promotion type (and ALL_TYPES pooled), with a 95% interval; see the docstring."""
    by = lift.get("by_promo") if lift else None
    if by is None or by.empty or promotions.empty:
        return pd.DataFrame({c: [] for c in EFFECT_COLUMNS})
    pr = promotions.copy()
    pr["sku"] = pr["sku"].astype(object).where(pr["sku"].notna(), None)
    everyone = pr["channel"].isna() if "channel" in pr else pd.Series(True, index=pr.index)
    pr = pr.loc[everyone, ["promo_id", "sku", "category", "discount_pct"]]
    if "category" not in pr or pr["category"].isna().any():
        cat = pr["sku"].map(products.astype({"sku": str}).set_index("sku")["category"])
        pr["category"] = pr["category"].fillna(cat) if "category" in pr else cat
    pr["e_bar"] = _promo_elasticity(pr, elasticities, products).to_numpy()
    d = by.drop(columns=["discount_pct"]).merge(pr[["promo_id", "discount_pct", "e_bar"]], on="promo_id")
    d = d[np.isfinite(d["e_bar"]) & (d["baseline"] > 0)]
    if d.empty:
        return pd.DataFrame({c: [] for c in EFFECT_COLUMNS})
    d["w"] = d["baseline"] * (1 - d["discount_pct"] / 100) ** d["e_bar"]
    rows = []
    for t, g in [*d.groupby("type", sort=True), (ALL_TYPES, d)]:
        w = g["w"].sum()
        rows.append({"type": str(t), "k": g["units"].sum() / w, "k_lo": (g["baseline"] * g["lift_lo"]).sum() / w,
                     "k_hi": (g["baseline"] * g["lift_hi"]).sum() / w, "promos": int(g["promo_id"].nunique())})
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def cannibalisation_rates(lift: dict) -> pd.DataFrame:
    """Share of sibling baseline units lost while a SKU of the category is promoted, per category."""
    c = lift.get("cannibalisation") if lift else None
    if c is None or c.empty:
        return pd.DataFrame({"category": [], "rate": []})
    g = c.groupby("category")[["cannibalised_units", "sibling_baseline"]].sum()
    g = g[g["sibling_baseline"] > 0]
    rate = (g["cannibalised_units"] / g["sibling_baseline"]).clip(0.0, MAX_CANNIBALISATION)
    return rate.rename("rate").reset_index()


def channel_shares(wh, as_of: date, days: int = 365) -> pd.DataFrame:
    """Each channel's share of a SKU's units sold (live lines, positive quantities) in the last ``days``."""
    o = FEED_TABLES["orders"]
    lo, hi = bounds(as_of - timedelta(days=days - 1), as_of)
    lines = (select(o.c.sku, func.coalesce(o.c.channel, NONE).label("channel"), o.c.quantity.label("q"))
             .where(sales.live(o), o.c.quantity > 0, o.c.ordered_at >= lo, o.c.ordered_at < hi).cte("lines"))
    q = (select(lines.c.sku, lines.c.channel, cast(func.sum(lines.c.q), Double).label("units"))
         .group_by(lines.c.sku, lines.c.channel))
    df = wh.read(q)
    if df.empty:
        return pd.DataFrame({"sku": [], "channel": [], "share": []})
    df["units"] = df["units"].astype(float)
    df["share"] = df["units"] / df.groupby("sku")["units"].transform("sum")
    return df.sort_values(["sku", "channel"], ignore_index=True)[["sku", "channel", "share"]]


def baseline_frame(forecast: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
    """The daily forecast joined to the price and promotion inputs it was made on (one row per SKU-day)."""
    f = future[["unique_id", "ds", "price", "promo"]]
    out = forecast.merge(f, on=["unique_id", "ds"], how="left", validate="one_to_one")
    out["promo"] = out["promo"].fillna(0.0)
    return out
