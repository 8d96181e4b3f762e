"""Inputs and runs for the price and promotion scenario tests: tests/test_pricing_scenario.py's three
SKUs over ten days (baseline, run) and tests/test_pricing_stock.py's stock-aware scenario (sim_a); the
expected figures are hand-computed in those modules."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib import pricing
from lib.pricing.effects import ALL_TYPES
from lib.pricing.scenario import Scenario

__all__ = ["CANNIBALISATION", "DAYS", "EFFECTS", "ELASTICITIES", "PRODUCTS", "SHARES", "baseline", "run",
           "sim_a"]


DAYS = pd.date_range("2026-04-01", "2026-04-10")
PRODUCTS = pd.DataFrame({"sku": ["A", "B", "C"], "category": ["Mugs", "Mugs", "Tees"],
                         "unit_cost": [4.0, 8.0, 10.0], "price": [10.0, 20.0, 30.0]})
ELASTICITIES = pd.DataFrame({"sku": ["A", "B", "C"], "elasticity": [-2.0, -1.0, -1.5],
                             "lo": [-2.5, -1.2, -1.5], "hi": [-1.5, -0.8, -1.5]})
EFFECTS = pd.DataFrame({"type": ["percent_off", ALL_TYPES], "k": [1.2, 1.25], "k_lo": [1.1, 1.15],
                        "k_hi": [1.3, 1.35], "promos": [4, 6]})
CANNIBALISATION = pd.DataFrame({"category": ["Mugs"], "rate": [0.1]})
SHARES = pd.DataFrame({"sku": ["A", "A", "B", "C"], "channel": ["web", "email", "web", "web"],
                       "share": [0.75, 0.25, 1.0, 1.0]})


def baseline(daily=None) -> pd.DataFrame:
    daily = daily or {"A": 10.0, "B": 5.0, "C": 2.0}
    rows = []
    for sku, y in daily.items():
        for d in DAYS:
            promo = 20.0 if (sku == "C" and d == pd.Timestamp("2026-04-05")) else 0.0
            price = PRODUCTS.set_index("sku")["price"].get(sku, 10.0) * (1 - promo / 100)
            rows.append({"unique_id": sku, "ds": d, "yhat": y, "yhat_lo_80": 0.8 * y, "yhat_hi_80": 1.2 * y,
                         "yhat_lo_95": 0.6 * y, "yhat_hi_95": 1.4 * y, "price": price, "promo": promo})
    return pd.DataFrame(rows)


def run(sc: Scenario, base: pd.DataFrame | None = None, **kw) -> pd.DataFrame:
    args = {"elasticities": ELASTICITIES, "products": PRODUCTS, "effects": EFFECTS,
            "cannibalisation": CANNIBALISATION, "shares": SHARES, **kw}
    return pricing.simulate(baseline() if base is None else base, sc, **args)


def sim_a():
    return run(Scenario("A -10%", date(2026, 4, 1), date(2026, 4, 10), skus=("A",), price_change_pct=-10))
