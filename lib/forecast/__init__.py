"""Demand forecasting for any long-format history (per SKU, or any series), with backtests.

    from lib import forecast
    fc = forecast.forecast(history, h=28, freq="D")            # model="auto", level=(80, 95)
    bt = forecast.backtest(history, h=28, freq="D", n_windows=3)
    forecast.accuracy(bt)                                       # pooled per model, vs seasonal naive
    run = forecast.store_run(wh, as_of)     # the store's one shared daily run (lib/forecast/store.py),
                                            # read by the Forecast, Replenishment and Pricing pages

Models (lib/forecast/local.py, ets_family.py, gbm.py): seasonal naive, moving average, SES, Theta,
damped ETS, the ETS family chosen by AICc ("autoets") and its best damped form ("damped"), Croston,
SBA, TSB, one global gradient-boosting model across all series, the ensemble (mean of ETS, Theta
and the boosted model) and the combination (mean of autoets, Theta and damped; yearly, quarterly
and monthly data). "auto" picks per series from rolling-origin backtests. Stockout periods (``in_stock`` false, or ``y`` NaN) are censored, not zero demand.

The names below are imported on first use, so that importing one model module (lib.forecast.gbm)
does not load the others.
"""
from importlib import import_module

__all__ = ["forecast", "backtest", "backtest_predictions", "accuracy", "rollup", "MODELS", "season_length",
           "store_run"]

_HOME = {"forecast": "api", "backtest": "api", "backtest_predictions": "api", "accuracy": "api",
         "rollup": "hierarchy", "MODELS": "engine", "season_length": "panel", "store_run": "store"}


def __getattr__(name):
    if name in _HOME:
        return getattr(import_module(f"lib.forecast.{_HOME[name]}"), name)
    raise AttributeError(f"module 'lib.forecast' has no attribute {name!r}")
