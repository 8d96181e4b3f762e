"""Cached pricing computations for the Pricing & promos page (analysis tabs and the scenario builder).

Every result is cached per data version, warehouse, as-of day and parameters (the warehouse itself is
not hashed, as in lib.ui.app.planning), so switching tabs or coming back to the page does not refit the
models. The long ones (elasticities, promotion lift) show a spinner that says what is running.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import pricing
from lib.pricing import elasticity, inputs
from lib.ui.app import cache, planning

__all__ = ["elasticities", "category_elasticities", "promo_lift", "promotions", "health", "PROMO_COLUMNS"]

PROMO_COLUMNS = inputs.PROMO_COLUMNS


@cache.query(max_entries=8)
def _elasticities(key, wh, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    return elasticity.estimate(wh, as_of=as_of)     # SKU and category rows from one fit


def elasticities(wh, key, as_of: date) -> pd.DataFrame:
    """Own-price elasticity per SKU [sku, category, elasticity, lo, hi, n_obs, method, price_cv]."""
    with st.spinner("Estimating the price elasticity of every SKU from two years of sales…"):
        return _elasticities(key, wh, as_of)[0]


def category_elasticities(wh, key, as_of: date) -> pd.DataFrame:
    """One row per category (sku None, method METHOD_POOLED), same columns as elasticities()."""
    with st.spinner("Estimating the price elasticity of every category…"):
        return _elasticities(key, wh, as_of)[1]


@cache.query(max_entries=8)
def _promotions(key, wh) -> pd.DataFrame:
    return inputs.promotions(wh)


def promotions(wh, key) -> pd.DataFrame:
    """The promotions feed as loaded (empty when none is loaded)."""
    return _promotions(key, wh)


_empty_lift = inputs.empty_lift


@cache.query(max_entries=8)
def _promo_lift(key, wh, as_of: date) -> dict[str, pd.DataFrame]:
    promos = _promotions(key, wh)
    if promos.empty:
        return _empty_lift()
    return inputs.promo_lift_or_empty(planning.history(wh, key, as_of, "day"), promos)


def promo_lift(wh, key, as_of: date) -> dict[str, pd.DataFrame]:
    """lib.pricing.promo_lift on the daily history up to ``as_of`` and the promotions feed:
    {"by_promo", "by_depth", "dip", "cannibalisation"}; empty frames when no promotions are loaded."""
    with st.spinner("Measuring every promotion's lift against its baseline…"):
        return _promo_lift(key, wh, as_of)


@cache.query(max_entries=16)
def _health(key, wh, start: date, end: date, tol: float, margin: float) -> pd.DataFrame:
    return pricing.health(wh, start, end, price_tolerance=tol, min_margin=margin)


def health(wh, key, start: date, end: date, tol: float, margin: float) -> pd.DataFrame:
    """Pricing health findings in [start, end] (tol and margin as fractions, see lib.pricing.health)."""
    with st.spinner("Checking prices against cost, list price, promotions and channels…"):
        return _health(key, wh, start, end, float(tol), float(margin))
