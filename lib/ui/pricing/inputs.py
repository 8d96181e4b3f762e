"""Cached inputs of the pricing scenarios, shared by the Pricing & promos and Replenishment pages.

The baseline is the store's one daily SKU forecast (auto model; lib/forecast/store.py, the run the
Forecast and Replenishment pages read) over the scenario horizon, made with the scheduled prices and
promotions (lib.forecast.data.future); the effects come from history
(elasticities, promotion-type lifts, cannibalisation rates, channel shares). Everything is cached per
data version and warehouse; the first run shows progress.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import pricing
from lib.forecast import data, store
from lib.replenish.inputs import items as replenish_items
from lib.ui.app import cache, planning
from lib.ui.pricing import cache as pricing_cache

__all__ = ["HORIZON", "Inputs", "inputs", "simulate", "saved", "types"]

HORIZON = store.HORIZON   # days of baseline forecast (91): scenarios fall within the next 13 weeks


@cache.query(max_entries=4)
def _baseline(key, wh, as_of: date, h: int) -> pd.DataFrame:
    run = planning.run(wh, key, as_of)       # the store's one forecast run (Forecast, Replenishment)
    return pricing.baseline_frame(run.sku_forecast("day", h), run.future)


@cache.query(max_entries=4)
def _effects(key, wh, as_of: date) -> dict[str, pd.DataFrame]:
    el = pricing_cache.elasticities(wh, key, as_of)
    lift = pricing_cache.promo_lift(wh, key, as_of)
    prods = data.products(wh)
    promos = pricing_cache.promotions(wh, key)
    return {"elasticities": el, "products": prods,
            "effects": pricing.promo_effects(lift, el, promos, prods),
            "cannibalisation": pricing.cannibalisation_rates(lift),
            "shares": pricing.channel_shares(wh, as_of),
            "items": replenish_items(wh, as_of)}


class Inputs(dict):
    """baseline, elasticities, products, effects, cannibalisation, shares, items; plus as_of and h."""


def inputs(wh, key, as_of: date, h: int) -> Inputs:
    with st.spinner("Estimating price elasticities and promotion lifts from history (first time only)…"):
        eff = _effects(key, wh, as_of)
    return Inputs(baseline=_baseline(key, wh, as_of, h), as_of=as_of, h=h, **eff)


@cache.query(max_entries=64)
def _simulate(key, wh, as_of: date, h: int, spec: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    inp = inputs(wh, key, as_of, h)
    sc = pricing.Scenario.from_json(spec)
    sim = pricing.simulate(inp["baseline"], sc, elasticities=inp["elasticities"], products=inp["products"],
                           effects=inp["effects"], cannibalisation=inp["cannibalisation"], shares=inp["shares"])
    return sim, pricing.stock_impact(sim, inp["items"], as_of)


def simulate(wh, key, as_of: date, h: int, scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(daily SKU simulation, stock impact) of a Scenario, cached on its JSON form."""
    return _simulate(key, wh, as_of, h, scenario.to_json())


def saved(wh) -> pd.DataFrame:
    """Saved scenarios (not cached: another session may have just saved one)."""
    return pricing.list_scenarios(wh)


def types(inp: Inputs) -> list[str]:
    """Promotion types the history knows (for the promotions table), percent_off first."""
    known = [t for t in inp["effects"]["type"].tolist() if not t.startswith("(")] if len(inp["effects"]) else []
    return sorted(set(known) | {"percent_off"}, key=lambda t: (t != "percent_off", t))
