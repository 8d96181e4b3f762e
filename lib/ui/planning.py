"""Cached planning computations shared by the Forecast and Replenishment pages.

Every result is cached per data version (and warehouse) and parameters, so moving between the
two pages, or changing a what-if control, does not rerun the forecast. The first run over all
SKUs shows a progress bar.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import forecast
from lib.forecast import data

__all__ = ["GRAINS", "HORIZONS", "history", "lost_sales", "future", "run_forecast", "rollup",
           "as_of"]

GRAINS = {"day": "D", "week": "W"}
HORIZONS = {"day": (7, 91, 28), "week": (4, 26, 8)}   # min, max, default periods
HISTORY_DAYS = 730


@st.cache_data(show_spinner=False, max_entries=8)
def _as_of(version: str, where: str, _wh) -> date | None:
    from lib.ui import controls
    return controls.data_anchor(_wh)


def as_of(wh, key) -> date | None:
    """The last day with data: forecasts start the day after."""
    return _as_of(*key, wh)


@st.cache_data(show_spinner=False, max_entries=8)
def _history(version: str, where: str, _wh, as_of: date, grain: str) -> pd.DataFrame:
    daily = data.history(_wh, as_of, days=HISTORY_DAYS)
    return daily if grain == "day" else data.weekly(daily)


def history(wh, key, as_of: date, grain: str) -> pd.DataFrame:
    return _history(*key, wh, as_of, grain)


@st.cache_data(show_spinner=False, max_entries=8)
def _lost(version: str, where: str, _wh, as_of: date) -> pd.DataFrame:
    return data.lost_sales(_wh, _history(version, where, _wh, as_of, "day"))


def lost_sales(wh, key, as_of: date) -> pd.DataFrame:
    return _lost(*key, wh, as_of)


@st.cache_data(show_spinner=False, max_entries=8)
def _future(version: str, where: str, _wh, as_of: date, grain: str, h: int) -> pd.DataFrame:
    hist = _history(version, where, _wh, as_of, grain)
    return data.future(_wh, hist, h, as_of, GRAINS[grain])


def future(wh, key, as_of: date, grain: str, h: int) -> pd.DataFrame:
    return _future(*key, wh, as_of, grain, h)


def _bar():
    bar = st.progress(0.0, text="Forecasting every SKU…")
    return bar, (lambda f, m: bar.progress(min(max(float(f), 0.0), 1.0), text=f"Forecasting every SKU: {m}"))


@st.cache_data(show_spinner=False, max_entries=8)
def _run_forecast(version: str, where: str, _wh, as_of: date, grain: str, h: int,
                  model: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    hist = _history(version, where, _wh, as_of, grain)
    fut = _future(version, where, _wh, as_of, grain, h)
    bar, tick = _bar()      # drawn inside: a cache hit replays it (and its removal) without a closure error
    try:
        fc = forecast.forecast(hist, h, GRAINS[grain], model=model, future=fut, progress=tick)
    finally:
        bar.empty()
    bt = forecast.backtest(hist, h, GRAINS[grain], model=model, future=fut)
    return fc, bt


def run_forecast(wh, key, as_of: date, grain: str, h: int, model: str = "auto"):
    """(forecast per SKU, backtest per SKU and model); a progress bar while it runs."""
    return _run_forecast(*key, wh, as_of, grain, h, model)


@st.cache_data(show_spinner=False, max_entries=32)
def _rollup(version: str, where: str, _wh, as_of: date, grain: str, h: int, model: str, level: str,
            only: str | None) -> dict[str, pd.DataFrame]:
    hist = _history(version, where, _wh, as_of, grain)
    fut = _future(version, where, _wh, as_of, grain, h)
    bar, tick = _bar()
    try:
        return forecast.rollup(hist, h, GRAINS[grain], level, model=model, future=fut, only=only, progress=tick)
    finally:
        bar.empty()


def rollup(wh, key, as_of: date, grain: str, h: int, model: str, level: str, only: str | None):
    """History, backtest, forecast and accuracy of one SKU, one category or the store."""
    return _rollup(*key, wh, as_of, grain, h, model, level, only)
