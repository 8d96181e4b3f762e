"""Pricing and promotions: effects estimated from history, pricing health, scenarios through to stock.

    from lib import pricing
    pricing.elasticities(sales, by="sku")     # one row per SKU: elasticity, lo, hi, n_obs, method
    pricing.health(wh, start, end, ...)       # rows that need a coordinator's attention
    pricing.promo_lift(daily, promotions)      # baseline vs incremental units, dip, cannibalisation
    pricing.Scenario(name, start, end, ...)    # what to try: scope, price change, promotions
    pricing.simulate(baseline, scenario, ...)  # daily baseline vs scenario: units, revenue, margin, bands
    pricing.stock_impact(sim, items, as_of)    # stockouts and the extra orders the lift needs
    pricing.save_scenario / list_scenarios / load_scenario / delete_scenario / rename_scenario

Names are imported on first use from the modules of this package (no module shares a name with
a function it exports, or importing it would shadow the function).
"""
from importlib import import_module

_HOME = {
    "elasticities": "elasticity", "health": "checks", "tally": "checks", "promo_lift": "promos",
    "Scenario": "scenario", "Promotion": "scenario", "ScenarioError": "scenario",
    "simulate": "simulation", "daily_totals": "simulation", "summary": "simulation",
    "waterfall": "simulation", "compare": "simulation", "scope_rows": "simulation",
    "stock_impact": "stock", "scenario_demand": "stock", "apply_to_forecast": "stock",
    "promo_effects": "effects", "cannibalisation_rates": "effects", "channel_shares": "effects",
    "baseline_frame": "effects",
    "save_scenario": "store", "list_scenarios": "store", "load_scenario": "store", "delete_scenario": "store",
    "rename_scenario": "store",
}
__all__ = list(_HOME)


def __getattr__(name):
    if name in _HOME:
        return getattr(import_module(f"lib.pricing.{_HOME[name]}"), name)
    raise AttributeError(f"module 'lib.pricing' has no attribute {name!r}")
