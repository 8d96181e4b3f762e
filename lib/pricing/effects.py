"""The estimated effects a scenario is simulated with, from history.

    promo_effects(lift, elasticities, promotions, products) -> DataFrame[type, k, k_lo, k_hi, promos]
    cannibalisation_rates(lift) -> DataFrame[category, rate]
    channel_shares(wh, as_of, days=365) -> DataFrame[sku, channel, share]
    baseline_frame(forecast, future) -> the forecast with the price and promo inputs it was made on

Promotion effect. A promotion of depth d on a SKU with elasticity e multiplies its demand by
k x (1 - d)^e: the discount's price effect, times k, the extra lift of the promotion type (the
attention a promotion gets beyond its price: banners, emails, urgency). k per type is pooled over the
history's all-channel promotions (``lift`` = pricing.promo_lift's result): k = sum(units) /
sum(baseline x (1 - d)^e_bar), e_bar the mean elasticity of the SKUs a promotion covered. k is a ratio
estimator over promotions (units U_p against the price-adjusted baseline w_p), and what it estimates is
the mean extra lift of a promotion of the type: promotions of a type differ (their own creative, timing),
so its interval treats the promotions as the sampled units (cluster-robust, Cochran, Sampling
Techniques, 1977, 6.3): var k = n / (n - 1) sum (U_p - k w_p)^2 / (sum w_p)^2, which holds both each
promotion's own noise (counts, demand shocks, baseline error) and the spread of the types' promotions
without a model of either; the 95% interval is exp(log k +/- t(n - 1) se(k) / k). It narrows as
promotions accumulate, unlike an average of the promotions' own bounds, which covered the mean far more
often than 95% (bench/promo_calibration.py). A type with a single promotion keeps that promotion's own
lift bounds over its price effect. The elasticities are estimates: when the table has their 95% bounds
(lo, hi), their standard errors se_e enter through the delta method as if one error were shared by all
the type's promotions (conservative: the SKUs' errors share their category mean's),
s_e = sum w_p |log(1 - d_p)| se_e,p / sum w_p; so does the baseline fit's parameter error on the type's
summed baseline (lift["by_type"].se_log_b, when there): both are added in quadrature,
log k +/- sqrt((t se(k) / k)^2 + z^2 (s_e^2 + se_log_b^2)).
Channel-only promotions are left out: only part of the demand saw them.

Cannibalisation. While a SKU-level promotion runs, the unpromoted SKUs of its category sell
``rate`` x their baseline less: rate = sum(cannibalised units) / sum(sibling baseline) per category,
clipped to [0, MAX_CANNIBALISATION] (a negative estimate, siblings selling more, is read as none).
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import Double, cast, func, select

from lib.analytics import sales
from lib.analytics.kpis import NONE, bounds
from lib.warehouse.tables import FEED_TABLES

__all__ = ["promo_effects", "cannibalisation_rates", "channel_shares", "baseline_frame", "EFFECT_COLUMNS",
           "ALL_TYPES", "MAX_CANNIBALISATION"]

EFFECT_COLUMNS = ["type", "k", "k_lo", "k_hi", "promos"]
ALL_TYPES = "(all types)"         # pooled over every type: used for a type with no history
MAX_CANNIBALISATION = 0.5
_Z95 = 1.959963984540054  # 97.5 % normal quantile


def _promo_elasticity(promotions: pd.DataFrame, elasticities: pd.DataFrame, products: pd.DataFrame,
                      column: str = "elasticity") -> pd.Series:
    """Mean ``column`` (the elasticity, or its standard error) of the SKUs each promotion covered (its
    SKU, or its category's SKUs)."""
    e = elasticities.dropna(subset=["elasticity"]).merge(products[["sku", "category"]].astype({"sku": str}),
                                                         on="sku", how="left", suffixes=("", "_p"))
    cat = e["category"].fillna(e.get("category_p")) if "category" in e else e["category_p"]
    by_sku = e.set_index("sku")[column]
    by_cat = e.assign(category=cat).groupby("category")[column].mean()
    sku = promotions["sku"].where(promotions["sku"].notna(), None)
    out = sku.map(by_sku)
    return out.fillna(promotions["category"].map(by_cat)).astype(float)


def promo_effects(lift: dict, elasticities: pd.DataFrame, promotions: pd.DataFrame,
                  products: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Extra lift k per promotion type (and ALL_TYPES pooled), with a ``level`` interval (k_lo, k_hi; 95 %
    by default); see the module docstring."""
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
    el = elasticities.assign(se=0.0)
    if {"lo", "hi"} <= set(el.columns):  # 95 % bounds -> standard error (0 where missing: taken as known)
        el["se"] = ((el["hi"] - el["lo"]) / (2 * _Z95)).fillna(0.0)
    pr["se_e"] = _promo_elasticity(pr, el, products, "se").fillna(0.0).to_numpy()
    d = by.drop(columns=["discount_pct"]).merge(pr[["promo_id", "discount_pct", "e_bar", "se_e"]], on="promo_id")
    d = d[np.isfinite(d["e_bar"]) & (d["baseline"] > 0)]
    if d.empty:
        return pd.DataFrame({c: [] for c in EFFECT_COLUMNS})
    d["w"] = d["baseline"] * (1 - d["discount_pct"] / 100) ** d["e_bar"]
    bt = lift.get("by_type")
    se_b = bt.set_index("type")["se_log_b"] if bt is not None and len(bt) else pd.Series(dtype=float)
    rows = []
    for t, g in [*d.groupby("type", sort=True), (ALL_TYPES, d)]:
        w, n = g["w"].sum(), len(g)
        k = g["units"].sum() / w
        # the elasticities' error, as if shared by all the promotions (it does not average out over them)
        s_e = np.sum(g["w"] * np.log(1 - g["discount_pct"] / 100) * g["se_e"]) / w
        s_e = np.hypot(s_e, float(se_b.get(t, 0.0)))    # and the baseline's, shared by the promotions too
        if n >= 2:
            se = np.sqrt(n / (n - 1) * np.sum((g["units"] - k * g["w"]) ** 2)) / w
            half = np.hypot(stats.t.ppf(0.5 + level / 2, n - 1) * se / k, stats.norm.ppf(0.5 + level / 2) * s_e) \
                if k > 0 else np.inf
            lo, hi = (k * np.exp(-half), k * np.exp(half)) if k > 0 else (0.0, stats.chi2.ppf(
                0.5 + level / 2, 2) / 2 / w)   # nothing sold in any promotion: Garwood's bound for 0
        else:
            lo, hi = (g["baseline"] * g["lift_lo"]).sum() / w, (g["baseline"] * g["lift_hi"]).sum() / w
        rows.append({"type": str(t), "k": k, "k_lo": lo, "k_hi": hi, "promos": int(g["promo_id"].nunique())})
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
