"""forecast.forecast / backtest / rollup, the panel rules and the scoring arithmetic, by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib import forecast
from lib.forecast import engine, panel, scoring

WEEK = [3.0, 5.0, 4.0, 6.0, 8.0, 12.0, 10.0]


def _series(uid: str, values, start="2026-01-05", **cols) -> pd.DataFrame:
    df = pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=len(values)), "y": values})
    return df.assign(**cols)


# -- panel --------------------------------------------------------------------------------------
def test_panel_rules_missing_rows_stockouts_and_edges():
    a = _series("a", [1.0, 2.0, 3.0, 4.0]).drop(index=1)            # 01-06 has no row: zero demand
    b = _series("b", [5.0, 6.0], start="2026-01-06").assign(in_stock=[True, False])
    p = panel.from_long(pd.concat([a, b]), 2, "D")
    # a: 1, (missing row) 0, 3, 4; b starts 01-06 (NaN before), 01-07 is a stockout (NaN), after its end NaN
    np.testing.assert_array_equal(p.y, [[1, 0, 3, 4], [np.nan, 5, np.nan, np.nan]])
    assert p.censored.tolist() == [[False] * 4, [False, False, True, False]]
    assert list(p.future_dates) == list(pd.to_datetime(["2026-01-09", "2026-01-10"]))
    assert p.m == 7


def test_panel_exog_future_and_groups():
    h = _series("a", [1.0, 2.0, 3.0], price=[10.0, 9.0, np.nan], category="Mugs")
    fut = pd.DataFrame({"unique_id": ["a"], "ds": pd.to_datetime(["2026-01-09"]), "price": [7.0]})
    p = panel.from_long(h, 3, "D", future=fut)
    # history NaN carried forward (9), 01-08 missing from future -> carried (9), 01-09 = 7, 01-10 carried (7)
    np.testing.assert_array_equal(p.exog["price"], [[10, 9, 9, 9, 7, 7]])
    assert p.groups["category"].tolist() == ["Mugs"]


@pytest.mark.parametrize(("freq", "start", "m", "first_future"), [
    ("M", "2024-01-31", 12, "2024-05-31"), ("MS", "2024-01-01", 12, "2024-05-01"),
    ("W", "2024-01-03", 52, "2024-01-31"),                     # Wednesday weeks stay Wednesdays
])
def test_panel_frequencies_follow_the_data(freq, start, m, first_future):
    off = {"M": pd.offsets.MonthEnd(), "MS": pd.offsets.MonthBegin(), "W": pd.DateOffset(weeks=1)}[freq]
    ds = pd.date_range(start, periods=4, freq=off)
    p = panel.from_long(pd.DataFrame({"unique_id": "x", "ds": ds, "y": [1.0, 2, 3, 4]}), 2, freq)
    assert p.m == m and p.future_dates[0] == pd.Timestamp(first_future)


@pytest.mark.parametrize(("hist", "message"), [
    (pd.concat([_series("a", [1.0, 2.0]), _series("a", [1.0])]), "two rows for 2026-01-05"),
    (pd.DataFrame({"unique_id": ["a", "a"], "ds": pd.to_datetime(["2026-01-01 00:00", "2026-01-01 12:00"]),
                   "y": [1.0, 2.0]}), "not on a regular D grid"),
    (pd.DataFrame({"unique_id": ["a"], "y": [1.0]}), "missing: ds"),
])
def test_panel_rejects_malformed_history(hist, message):
    with pytest.raises(ValueError, match=message):
        panel.from_long(hist, 1, "D")


def test_unknown_frequency_model_and_level_are_plain_errors():
    h = _series("a", WEEK * 4)
    with pytest.raises(ValueError, match="Unsupported frequency"):
        forecast.forecast(h, 7, "fortnightly")
    with pytest.raises(ValueError, match="Unknown forecasting model 'prophet'"):
        forecast.forecast(h, 7, "D", model="prophet")
    with pytest.raises(ValueError, match="between 0 and 100"):
        forecast.forecast(h, 7, "D", level=(80, 120), model="seasonal_naive")
    with pytest.raises(ValueError, match="at least 1"):
        forecast.forecast(h, 0, "D")


# -- scoring ------------------------------------------------------------------------------------
def test_series_metrics_by_hand():
    y = np.array([[[2.0, 0.0, np.nan, 4.0]]])          # one window, one series; day 3 censored
    yhat = np.array([[[1.0, 1.0, 1.0, 1.0]]])
    lo, hi = np.full_like(yhat, 0.5), np.full_like(yhat, 2.0)
    met = scoring.series_metrics(y, yhat, np.array([[2.0]]), {80: (lo, hi)})
    # errors on the 3 observed points: -1, +1, -3 -> |e| sum 5, actual 6
    assert met["wape"][0] == pytest.approx(5 / 6)
    assert met["bias"][0] == pytest.approx(-3 / 6)
    assert met["mase"][0] == pytest.approx((5 / 3) / 2.0)
    assert met["coverage_80"][0] == pytest.approx(1 / 3)          # only 2 is inside [0.5, 2]
    assert met["n_points"][0] == 3


def test_mase_scale_seasonal_then_naive_fallback():
    train = np.array([[1.0, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 7],    # 14 points, m = 7: |3-1|,|2-2|.. = 2,0,0..
                      [1.0, 3, np.nan, 6, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan,
                       np.nan, np.nan]])
    s = scoring.mase_scale(train, 7)
    assert s[0] == pytest.approx(2 / 7)
    assert s[1] == pytest.approx(2.0)        # no seasonal pair: lag-1 steps |3-1| only (6-NaN skipped)


def test_calibration_quantiles_of_scaled_residuals():
    resid = np.arange(-50.0, 50.0).reshape(1, 1, 100)            # scale 2: scaled residuals -25 .. 24.5
    cal = scoring.calibrate(resid, np.array([[2.0]]), (80,))
    lo, hi = cal.bands(np.array([[100.0]]), np.array([2.0]), (80,))[80]
    q = np.quantile(np.arange(-50.0, 50.0) / 2, [0.1, 0.9])
    assert lo[0, 0] == pytest.approx(100 + 2 * q[0]) and hi[0, 0] == pytest.approx(100 + 2 * q[1])


# -- forecast and backtest ----------------------------------------------------------------------
def test_seasonal_naive_on_a_periodic_series_is_exact_with_zero_width_bands():
    h = _series("shop", WEEK * 8)                                  # 56 days, Monday start
    fc = forecast.forecast(h, 14, "D", model="seasonal_naive")
    assert fc["yhat"].tolist() == WEEK * 2
    assert (fc["yhat_lo_80"] == fc["yhat"]).all() and (fc["yhat_hi_95"] == fc["yhat"]).all()
    assert fc["ds"].iloc[0] == pd.Timestamp("2026-03-02") and set(fc["model"]) == {"seasonal_naive"}
    bt = forecast.backtest(h, 7, "D", n_windows=3, model="seasonal_naive")
    row = bt.iloc[0]
    assert (row["wape"], row["bias"], row["coverage_80"], row["n_points"]) == (0.0, 0.0, 1.0, 21)


def test_backtest_windows_and_scores_by_hand():
    # moving average of the last 28 days on a step series: 28 x 2, then 7 x 4, 7 x 6, 7 x 8
    y = [2.0] * 28 + [4.0] * 7 + [6.0] * 7 + [8.0] * 7
    bp = forecast.backtest_predictions(_series("s", y), 7, "D", n_windows=3, model="moving_average")
    # cutoffs after day 28, 35, 42: means of the 28 days before = 2, (21x2+7x4)/28 = 2.5, (14x2+7x4+7x6)/28 = 3.5
    assert bp.groupby("cutoff")["yhat"].first().tolist() == [2.0, 2.5, 3.5]
    bt = forecast.backtest(_series("s", y), 7, "D", n_windows=3, model="moving_average")
    # |e| = 7 x (2 + 3.5 + 4.5) = 70 over actual 7 x 18 = 126
    assert bt["wape"].iloc[0] == pytest.approx(70 / 126)
    assert bt["bias"].iloc[0] == pytest.approx(-70 / 126)


def test_stockout_days_are_censored_not_zero_demand():
    y = [4.0] * 42
    ok = _series("s", y)
    out = ok.assign(y=[4.0] * 35 + [0.0] * 7, in_stock=[True] * 35 + [False] * 7)
    zeros = ok.assign(y=[4.0] * 35 + [0.0] * 7)
    f_out = forecast.forecast(out, 7, "D", model="moving_average")["yhat"]
    f_zero = forecast.forecast(zeros, 7, "D", model="moving_average")["yhat"]
    assert f_out.tolist() == [4.0] * 7                     # the censored week is ignored
    assert f_zero.tolist() == pytest.approx([4.0 * 21 / 28] * 7)   # 21 fours and 7 zeros in the last 28


def test_auto_picks_per_series_and_never_goes_negative():
    rng = np.random.default_rng(3)
    periodic = _series("periodic", WEEK * 12)
    noisy = _series("noisy", rng.poisson(3, 84).astype(float))
    hist = pd.concat([periodic, noisy], ignore_index=True)
    fc = forecast.forecast(hist, 7, "D")
    assert fc.groupby("unique_id")["model"].first()["periodic"] in {"seasonal_naive", "ets", "theta", "gbm",
                                                                    "ensemble"}
    per = fc[fc["unique_id"] == "periodic"]
    assert np.abs(per["yhat"].to_numpy() - WEEK).max() < 0.5
    assert (fc["yhat"] >= 0).all() and (fc["yhat_lo_95"] <= fc["yhat_lo_80"]).all()
    assert (fc["yhat_lo_80"] <= fc["yhat_hi_80"]).all() and (fc["yhat_hi_80"] <= fc["yhat_hi_95"]).all()
    bt = forecast.backtest(hist, 7, "D")
    # daily data: the ETS family and its combination are not auto's candidates (ets_family.AUTO_PERIODS)
    assert set(bt["model"]) == {*engine.BASE_MODELS, "ensemble", "auto"} - {"autoets", "damped"}
    acc = forecast.accuracy(bt).set_index("model")
    assert acc.loc["seasonal_naive", "vs_naive"] == 1.0


def test_rollup_sums_skus_to_categories_and_store():
    hist = pd.concat([_series("a", WEEK * 8, category="Mugs"), _series("b", [2.0 * v for v in WEEK] * 8,
                                                                      category="Mugs"),
                      _series("c", [1.0] * 56, category="Tees")], ignore_index=True)
    sku = forecast.forecast(hist, 7, "D", model="seasonal_naive")
    cat = forecast.rollup(hist, 7, "D", "category", model="seasonal_naive")
    store = forecast.rollup(hist, 7, "D", "store", model="seasonal_naive")
    mugs = cat["forecast"][cat["forecast"]["unique_id"] == "Mugs"]["yhat"].to_numpy()
    assert mugs.tolist() == [3 * v for v in WEEK]
    assert store["forecast"]["yhat"].sum() == pytest.approx(sku["yhat"].sum())
    assert store["history"]["y"].tolist()[:7] == [3 * v + 1 for v in WEEK]
    one = forecast.rollup(hist, 7, "D", "sku", model="seasonal_naive", only="c")
    assert set(one["forecast"]["unique_id"]) == {"c"} and one["forecast"]["yhat"].tolist() == [1.0] * 7


def test_weekly_history_shorter_than_a_season_still_forecasts():
    # 17 weeks < 52: seasonal models fall back to their non-seasonal form instead of failing
    ds = pd.date_range("2026-01-05", periods=17, freq="7D")
    h = pd.DataFrame({"unique_id": "w", "ds": ds, "y": [10.0] * 17})
    for model in ("seasonal_naive", "ses", "theta", "ets", "croston"):
        fc = forecast.forecast(h, 4, "W", model=model)
        assert fc["yhat"].to_numpy() == pytest.approx([10.0] * 4, abs=1e-6), model
        assert fc["ds"].iloc[0] == pd.Timestamp("2026-05-04")


def test_auto_keeps_the_pooled_winner_unless_a_series_gains_more_than_the_margin():
    # one window, h = 2, three series; candidate "a" and "b". Actuals all 10.
    truth = np.full((1, 3, 2), 10.0)
    a = np.array([[[9.0, 9.0], [10.0, 10.0], [5.0, 5.0]]])    # abs errors per series: 2, 0, 10 -> total 12
    b = np.array([[[10.0, 10.0], [9.5, 9.5], [8.0, 8.0]]])    # 0, 1, 4 -> total 5: pooled winner b
    r = engine.Run(panel=None, h=2, candidates=["a", "b"], cutoffs=[10], length=2, truth=truth,
                   preds={"a": a, "b": b}, mscale=None, lscale=None, final={}, final_scale=None)
    # series 0: b (0) is both; series 1: a's 0 < 0.8 x 1 -> switch to a; series 2: b (4 vs 10)
    assert r.pick().tolist() == [1, 0, 1]
    b2 = b.copy()
    b2[0, 1] = [10.1, 10.1]                                    # b's error on series 1 = 0.2; a's 0 < 0.16
    r.preds["b"] = b2
    assert r.pick().tolist() == [1, 0, 1]
    b2[0, 1] = [10.0, 10.0]                                    # a no better than b on series 1: stays on b
    assert r.pick().tolist() == [1, 1, 1]
