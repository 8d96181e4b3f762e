"""What a pricing scenario is simulated with, from the warehouse (pure: no Streamlit): the baseline (the
store's one forecast run), the effects estimated from history, and the stock to plan on. The Pricing page
caches each piece on its own (lib/ui/pricing/cache.py, scenario_inputs.py); a report builds them at once.

    lift = promo_lift_or_empty(daily, promotions)      # {"by_promo", "by_depth", "dip", "cannibalisation"}
    inp = scenario_inputs(wh, as_of, run)              # baseline, elasticities, products, effects, ...
"""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select

from lib.forecast import data, store
from lib.pricing import effects as eff
from lib.pricing import elasticity
from lib.pricing.promos import promo_lift
from lib.replenish.inputs import items as replenish_items
from lib.warehouse.tables import FEED_TABLES

__all__ = ["PROMO_COLUMNS", "empty_lift", "promo_lift_or_empty", "promotions", "scenario_inputs"]

PROMO_COLUMNS = {
    "by_promo": ["promo_id", "type", "discount_pct", "days", "units", "baseline", "incremental", "lift",
                 "lift_lo", "lift_hi"],
    "by_depth": ["type", "depth_bucket", "promos", "lift", "lift_lo", "lift_hi"],
    "dip": ["promo_id", "dip_units", "dip_baseline", "dip_pct"],
    "cannibalisation": ["promo_id", "category", "sibling_units", "sibling_baseline", "cannibalised_units"],
    "by_type": ["type", "promos", "units", "baseline", "se_log_b"],
}


def empty_lift() -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame({c: [] for c in cols}) for name, cols in PROMO_COLUMNS.items()}


def promotions(wh) -> pd.DataFrame:
    """The promotions feed as loaded (empty when none is loaded)."""
    return wh.read(select(FEED_TABLES["promotions"]))


def promo_lift_or_empty(daily: pd.DataFrame, promos: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """lib.pricing.promo_lift, or empty frames of its columns when there is no promotion or no history."""
    if promos.empty or daily.empty:
        return empty_lift()
    return promo_lift(daily, promos)


def scenario_inputs(wh, as_of: date, run) -> dict:
    """Everything pricing.simulate and stock_impact take, from the store's forecast run ``run``
    (lib.forecast.store.StoreRun): the baseline over its horizon with today's prices and scheduled
    promotions, elasticities, products, promotion effects, cannibalisation rates, channel shares, items."""
    el = elasticity.estimate(wh, as_of=as_of)[0]
    promos = promotions(wh)
    lift = promo_lift_or_empty(run.daily, promos)
    prods = data.products(wh)
    return {"baseline": eff.baseline_frame(run.sku_forecast("day", store.HORIZON), run.future),
            "elasticities": el, "products": prods, "effects": eff.promo_effects(lift, el, promos, prods),
            "cannibalisation": eff.cannibalisation_rates(lift), "shares": eff.channel_shares(wh, as_of),
            "items": replenish_items(wh, as_of)}
