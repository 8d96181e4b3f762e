"""Pricing and promotions: price elasticities estimated from history, pricing health checks.

    from lib import pricing
    pricing.elasticities(sales, by="sku")     # one row per SKU: elasticity, lo, hi, n_obs, method
    pricing.health(wh, start, end, ...)       # rows that need a coordinator's attention
    pricing.promo_lift(daily, promotions)      # baseline vs incremental units, dip, cannibalisation

Names are imported on first use (lib/pricing/elasticity.py, health.py, promos.py).
"""
from importlib import import_module

__all__ = ["elasticities", "health", "promo_lift"]

_HOME = {"elasticities": "elasticity", "health": "health", "promo_lift": "promos"}


def __getattr__(name):
    if name in _HOME:
        return getattr(import_module(f"lib.pricing.{_HOME[name]}"), name)
    raise AttributeError(f"module 'lib.pricing' has no attribute {name!r}")
