"""The planning pages' view of the store's forecast (lib/forecast/store.py), with a progress bar.

Forecast, Replenishment and Pricing all read ONE daily run of every SKU per data version
(``store.store_run``: 91 days ahead, memoised and thread-safe in lib, so a notebook export or
another session reuses it). Nothing here recomputes a forecast: the functions below cut that run
into what a page shows (a horizon, a grain, a level), cached per data version (lib.ui.app.cache.query) so
that a rerun is instant. The first run over all SKUs shows a progress bar.

Weeks past the daily run's 13 and months read the daily run reconciled with a weekly or monthly run
(lib/forecast/longrun.py: the periods the daily run covers are its sums, later ones the long run
scaled per SKU to match). A store whose history is monthly only is forecast by month alone
(``monthly_store``); days and weeks are refused there in words.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib.forecast import data, longrun, store
from lib.ui.app import cache, compat

__all__ = ["GRAINS", "HORIZONS", "HISTORY_DAYS", "DAILY_WEEKS", "MonthlyOnly", "history", "lost_sales", "run",
           "run_forecast", "view", "as_of", "monthly_store", "grain_run", "month_forecast", "month_demand"]

GRAINS = {"day": "D", "week": "W", "month": "MS"}
HORIZONS = {"day": (7, store.HORIZON, 28), "week": (1, longrun.WEEK_HORIZON, 8),
            "month": (1, longrun.MONTH_HORIZON, 6)}                   # min, max, default periods
HISTORY_DAYS = store.HISTORY_DAYS
DAILY_WEEKS = longrun.DAILY_WEEKS      # weeks the daily run alone covers


MonthlyOnly = longrun.MonthlyOnly


@cache.query(max_entries=8)
def _as_of(key, wh) -> date | None:
    from lib.ui.widgets import controls
    return controls.data_anchor(wh)


def as_of(wh, key) -> date | None:
    """The last day with data: forecasts start the day after."""
    return _as_of(key, wh)


@cache.query(max_entries=8)
def _history(key, wh, as_of: date) -> pd.DataFrame:
    return store.daily_history(wh, as_of)


def history(wh, key, as_of: date, grain: str = "day") -> pd.DataFrame:
    """The daily demand history per SKU the forecast is made from (lib.forecast.data.history)."""
    if grain != "day":
        raise ValueError("The history is daily; weeks are 7-day blocks of the forecast run (run(...).history).")
    return _history(key, wh, as_of)


@cache.query(max_entries=8)
def _lost(key, wh, as_of: date) -> pd.DataFrame:
    return data.lost_sales(wh, _history(key, wh, as_of))


def lost_sales(wh, key, as_of: date) -> pd.DataFrame:
    return _lost(key, wh, as_of)


@cache.query(max_entries=8)
def _monthly(key, wh, as_of: date) -> bool:
    return longrun.store_is_monthly(wh, as_of)


def monthly_store(wh, key, as_of: date) -> bool:
    """True when the store's history is monthly only (longrun.monthly_only)."""
    return _monthly(key, wh, as_of)


def run(wh, key, as_of: date) -> store.StoreRun:
    """The shared daily run (lib memo); a progress bar while the first one is computed."""
    return _with_progress(lambda tick: store.store_run(wh, as_of, progress=tick))


def grain_run(wh, key, as_of: date, grain: str, h: int):
    """The run a view of ``h`` periods by ``grain`` reads: the daily run for days and its 13 weeks; the
    daily run reconciled with a weekly or monthly run past that; a monthly-only store's monthly run
    (MonthlyOnly for days or weeks there)."""
    monthly = monthly_store(wh, key, as_of)
    return _with_progress(lambda tick: longrun.run_for(wh, as_of, grain, h, monthly, progress=tick))


def _with_progress(make):
    """``make(tick)`` with a progress bar while a shared run is computed.

    A rerun or stop asked for while it runs (a control changed, the tab closed) is held until the run
    is finished and memoised, then honoured: every other session needs the same run, so work that
    was half done is never thrown away."""
    slot = st.empty()
    bar, held = None, []

    def tick(fraction: float, message: str) -> None:
        nonlocal bar
        if held:
            return
        text = f"Forecasting every SKU: {message}"
        value = min(max(float(fraction), 0.0), 1.0)
        try:
            bar = slot.progress(value, text=text) if bar is None else bar.progress(value, text=text)
        except compat.ScriptControlException as exc:
            held.append(exc)

    try:
        result = make(tick)
    finally:
        if not held:
            slot.empty()
    if held:
        raise held[0]
    return result


@cache.query(max_entries=8)
def _run_forecast(key, wh, as_of: date, grain: str, h: int,
                  model: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = run(wh, key, as_of)
    return r.sku_forecast(grain, h, model), r.accuracy("sku", grain, h)


def run_forecast(wh, key, as_of: date, grain: str, h: int, model: str = "auto"):
    """(every SKU's forecast for the next h days or weeks, backtest accuracy per SKU and model)."""
    run(wh, key, as_of)          # made (or waited for, with progress) outside the cache's silent lock
    return _run_forecast(key, wh, as_of, grain, h, model)


@cache.query(max_entries=32)
def _view(key, wh, as_of: date, level: str, grain: str, h: int, model: str,
          only: str | None) -> dict[str, pd.DataFrame]:
    from lib.forecast import display as parts

    r = grain_run(wh, key, as_of, grain, h)
    skus, days = longrun.sku_periods(r, grain, h, model)
    return {"forecast": r.forecast(level, grain, h, only=only, model=model),
            "backtest": r.backtest(level, grain, h, only=only, model=model),
            "history": r.history(level, grain, only=only),
            "accuracy": r.accuracy(level, grain, h, only=only),
            "skus": skus,
            "counts": parts.chosen_counts(days),
            "recent": r.recent("sku", grain, h),
            "status": r.status(),
            "windows": pd.DataFrame([r.windows(grain, h)], columns=["windows", "periods"])}


def view(wh, key, as_of: date, level: str, grain: str, h: int, model: str, only: str | None):
    """What the Forecast page shows of one SKU, category or the store: forecast, backtest, history and
    accuracy at the grain and horizon; every SKU's forecast over the same periods with its price and revenue
    (by day, week or month), how many SKUs each model serves, units sold per SKU over the last h periods,
    each SKU's status, and the backtest windows (cached per data version: a rerun only draws).

    The run is made first, outside the cached view: a session that asks while another one makes it
    waits in the run's memo, whose progress bar follows the maker's, not in the cache's silent lock."""
    grain_run(wh, key, as_of, grain, h)
    return _view(key, wh, as_of, level, grain, h, model, only)


@cache.query(max_entries=8)
def _month_forecast(key, wh, as_of: date, months: int, model: str) -> pd.DataFrame:
    return grain_run(wh, key, as_of, "month", months).forecast("sku", "month", months, model=model)


def month_forecast(wh, key, as_of: date, months: int, model: str = "auto") -> pd.DataFrame:
    """Every SKU's forecast for the next ``months`` months: the Forecast page's month numbers."""
    grain_run(wh, key, as_of, "month", months)
    return _month_forecast(key, wh, as_of, months, model)


@cache.query(max_entries=8)
def _month_demand(key, wh, as_of: date, months: int, model: str) -> pd.DataFrame:
    return longrun.month_demand(grain_run(wh, key, as_of, "month", months), months, model)


def month_demand(wh, key, as_of: date, months: int, model: str = "auto") -> pd.DataFrame:
    """Every SKU's demand per day over the next ``months`` months, read from the month forecast (its days
    add up to each month's forecast): what Replenishment plans with at the month grain."""
    grain_run(wh, key, as_of, "month", months)
    return _month_demand(key, wh, as_of, months, model)
