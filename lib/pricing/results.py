"""What a pricing scenario did, in words and tables (pure: no Streamlit), shared by the Pricing page
(lib/ui/pricing/results.py) and its report (lib/reports/pricing.py).

    scope_caption(sc, s, whole, currency)   what the tiles count: scope, SKUs, window, whole-store totals
    sku_table(sim)                          per changed SKU over the window: baseline vs scenario
    reading(lo, hi)                         a 95% elasticity interval in words (elastic, inelastic, not sure)
    promotion_rows(by_promo, promos, categories)  promo_lift's by_promo with each promotion's dates and
                                            category, in start order
    extra_stock(stock)                      the extra orders of a stock impact: SKUs, units, cost
    elasticity_tiles(skus)                  SKUs, own estimates, borrowed ones, median elasticity
    role_counts(table)                      SKUs in scope and siblings of a sku_table
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib import fmt
from lib.pricing.elasticity import METHOD_CATEGORY, METHOD_SKU
from lib.pricing.simulation import IN_SCOPE, SIBLING

__all__ = ["scope_caption", "sku_table", "skus", "reading", "promotion_rows", "extra_stock", "role_counts",
           "elasticity_tiles"]


def skus(n: int, what: str = "SKU") -> str:
    return f"{fmt.count(n)} {what}{'' if n == 1 else 's'}"


def scope_caption(sc, s: dict, whole: dict, currency: str) -> str:
    """What the tiles below count: the scope in words, its SKUs, the window, and the whole store's totals."""
    reach = skus(s["skus_in_scope"]) + " in scope"
    if s["skus_siblings"]:
        reach += f" and {skus(s['skus_siblings'], 'sibling')} losing units to its promotions"

    def move(key: str, money: bool) -> str:
        a, b = whole[f"{key}_base"], whole[f"{key}_scenario"]
        return (f"{fmt.money(a, currency, 0)} → {fmt.money(b, currency, 0)}" if money
                else f"{fmt.count(round(a))} → {fmt.count(round(b))}")
    return (f"**Scope:** {sc.scope_text()}: {reach}. **Window:** {sc.window_text()}. The tiles, charts and "
            "tables below count these SKUs over the window, scenario against the baseline forecast (today's "
            "prices and scheduled promotions). **Whole store** over the window "
            f"({skus(whole['skus'])}): units {move('units', False)}, revenue {move('revenue', True)}, "
            f"gross margin {move('margin', True)}.")


def sku_table(sim: pd.DataFrame) -> pd.DataFrame:
    """Per changed SKU over the window: units, revenue and margin, baseline vs scenario."""
    w = sim[sim["in_window"] & sim["changed"]]
    if w.empty:
        return pd.DataFrame()
    g = w.groupby(["unique_id", "category", "role"], as_index=False).agg(
        elasticity=("elasticity", "first"), elasticity_from=("elasticity_from", "first"),
        price_base=("price_base", "mean"), price_scenario=("price_scenario", "mean"),
        units_base=("units_base", "sum"), units_scenario=("units_scenario", "sum"),
        revenue_base=("revenue_base", "sum"), revenue_scenario=("revenue_scenario", "sum"),
        margin_base=("margin_base", "sum"), margin_scenario=("margin_scenario", "sum"))
    g["units_change"] = g["units_scenario"] - g["units_base"]
    g["margin_change"] = g["margin_scenario"] - g["margin_base"]
    return g.sort_values("margin_change", key=abs, ascending=False, ignore_index=True)


def reading(lo: float, hi: float) -> str:
    """A plain reading of a 95% interval: elastic (below -1), inelastic (between -1 and 0) or not sure."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo < 1e-9:    # a zero-width interval: no fit
        return "no estimate"
    if hi < -1:
        return "elastic: a price cut raises revenue"
    if lo > -1 and hi < 0:
        return "inelastic: a price rise raises revenue"
    return "not sure"


def promotion_rows(by_promo: pd.DataFrame, promos: pd.DataFrame, categories: pd.Series) -> pd.DataFrame:
    """by_promo (lib.pricing.promo_lift) with each promotion's start_date, end_date (the feed's first row of
    its id) and category (``categories``: promo id -> category, lib.pricing.promos.promo_categories), sorted
    by start date then id."""
    dates = promos.assign(promo_id=promos["promo_id"].astype(str))[["promo_id", "start_date", "end_date"]]
    out = by_promo.merge(dates.drop_duplicates("promo_id"), on="promo_id", how="left")
    out["category"] = out["promo_id"].astype(str).map(categories)
    return out.sort_values(["start_date", "promo_id"], ignore_index=True)


def extra_stock(stock: pd.DataFrame) -> dict:
    """The extra orders of lib.pricing.stock_impact's rows: {"skus", "units", "cost"} over rows with extra_qty > 0."""
    extra = stock[stock["extra_qty"] > 0]
    return {"skus": len(extra), "units": int(extra["extra_qty"].sum()), "cost": float(extra["extra_cost"].sum())}


def role_counts(table: pd.DataFrame) -> dict:
    """{"in_scope", "siblings"}: how many rows of a sku_table have each role."""
    return {"in_scope": int((table["role"] == IN_SCOPE).sum()), "siblings": int((table["role"] == SIBLING).sum())}


def elasticity_tiles(skus: pd.DataFrame) -> dict:
    """The Elasticities tab's tiles over pricing.elasticities rows: {"skus", "own" (their own estimate,
    pooled), "borrowed" (their category's), "median" (None when no SKU has an elasticity)}."""
    e = skus["elasticity"]
    return {"skus": len(skus), "own": int((skus["method"] == METHOD_SKU).sum()),
            "borrowed": int((skus["method"] == METHOD_CATEGORY).sum()),
            "median": None if e.isna().all() else float(e.median())}
