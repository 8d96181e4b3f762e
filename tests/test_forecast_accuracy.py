"""Accuracy on the demo store (issue "Demand forecasting"): backtest of "auto" at SKU-day level.

The demo store (seed 7, scale 1: 300 SKUs, two years daily, stockouts censored) goes through the
app's own path: generated, loaded into a warehouse, read back with lib.forecast.data.history.
Targets: auto's WAPE at least 15 % below seasonal naive; its 80 % intervals cover 75-85 % of the
actuals (out of sample: each window is calibrated on the other windows only).
"""
from __future__ import annotations

from datetime import date

import pytest

from lib import forecast
from lib.forecast import data
from lib.ingest import load_demo
from lib.settings import Settings
from lib.warehouse import Warehouse

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo_history(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo-accuracy")
    wh = Warehouse.open(settings=Settings(data_dir=d))
    load_demo(wh, d, seed=7, scale=1.0, as_of=AS_OF, traffic=0.001)
    hist = data.history(wh, AS_OF)
    wh.dispose()
    return hist


@pytest.mark.slow
def test_auto_beats_seasonal_naive_by_15_percent_with_calibrated_intervals(demo_history):
    assert demo_history["unique_id"].nunique() == 300
    assert (~demo_history["in_stock"]).sum() > 0            # stockouts exist and are censored
    bt = forecast.backtest(demo_history, 28, "D", n_windows=3)
    acc = forecast.accuracy(bt).set_index("model")
    auto, naive = acc.loc["auto"], acc.loc["seasonal_naive"]
    assert auto["wape"] <= 0.85 * naive["wape"], acc[["wape", "coverage_80"]]
    assert 0.75 <= auto["coverage_80"] <= 0.85, acc[["wape", "coverage_80"]]
    assert auto["coverage_95"] >= 0.90
    fc = forecast.forecast(demo_history, 28, "D")
    assert len(fc) == 300 * 28 and (fc["yhat"] >= 0).all()
