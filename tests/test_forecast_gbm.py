"""Global boosted model (lib/forecast/gbm.py) and its feature builder (lib/forecast/features.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from lib.forecast.features import FEATURES, SCALE_EPS, FeatureBuilder, calendar, frequency_of
from lib.forecast.gbm import fit_predict, training_rows

NAN = np.nan
DOW = np.array([0.6, 0.8, 1.0, 1.0, 1.1, 1.5, 2.0])  # weekday multipliers (Mon..Sun)


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    """OpenMP spin-waits make small fits crawl on a busy machine; results do not depend on threads."""
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def _dates(T: int, h: int, freq: str = "D") -> pd.DatetimeIndex:
    return pd.date_range("2024-01-01", periods=T + h, freq=freq)  # 2024-01-01 is a Monday


def _poisson_panel(n: int, T: int, h: int, seed: int, promo_effect: float = 1.0, elasticity: float = 0.0):
    """Counts with rate base_i * DOW * promo_effect^(promo > 0) * (price / list)^elasticity."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(1.0, 6.0, n)[:, None]
    dow = DOW[np.arange(T + h) % 7][None, :]
    promo = np.where(rng.random((n, T + h)) < 0.2, 20.0, 0.0)
    price = 10.0 * rng.uniform(0.7, 1.3, (n, T + h))
    rate = base * dow * np.where(promo > 0, promo_effect, 1.0) * (price / 10.0) ** elasticity
    y = rng.poisson(rate[:, :T]).astype(float)
    return y, {"promo": promo, "price": price}, rate


def test_features_no_leakage():
    """Changing anything after origin t (values, NaN pattern) leaves the features at t unchanged."""
    rng = np.random.default_rng(0)
    n, T, h, t = 300, 120, 14, 80
    y, exog, _ = _poisson_panel(n, T, h, seed=1)
    y[rng.random(y.shape) < 0.1] = NAN
    groups = {"category": np.arange(n) % 5, "sku": np.arange(n)}  # 300 levels: frequency/level encoded
    other = y.copy()
    other[:, t + 1:] = rng.poisson(50.0, (n, T - t - 1))
    other[:, t + 5:t + 9] = NAN
    i = np.repeat(np.arange(n), h)
    k = np.tile(np.arange(1, h + 1), n)
    t_rows = np.full(len(i), t)
    a = FeatureBuilder(y, 7, _dates(T, h), exog, groups)
    b = FeatureBuilder(other, 7, _dates(T, h), exog, groups)
    assert a.names == b.names and "g_sku_level" in a.names and "g_category" in a.names
    np.testing.assert_array_equal(a.rows(i, t_rows, k), b.rows(i, t_rows, k))
    # ...while the features at a later origin do see the change
    assert not np.array_equal(a.rows(i, t_rows + 10, k), b.rows(i, t_rows + 10, k), equal_nan=True)


def test_features_by_hand():
    # one daily series, 2024-01-01 (Monday) onwards; origin t = 13, step k = 3 -> target j = 16 (Wed)
    y = np.array([[1, 0, 2, NAN, 0, 3, 1, 4, 0, 0, 2, NAN, 5, 1, 9, 9, 9, 9, 9, 9]], dtype=float)
    fb = FeatureBuilder(y[:, :14], 7, _dates(14, 6), {"promo": np.arange(20.0)[None, :]}, {"cat": np.array([3])})
    row = dict(zip(fb.names, fb.rows(np.array([0]), np.array([13]), np.array([3]))[0], strict=True))
    # y[0..13] has 12 observed values summing to 19 -> scale = 19/12 + 0.1
    scale = 19 / 12 + SCALE_EPS
    assert row["step"] == 3
    assert row["log_scale"] == pytest.approx(np.log(scale))
    assert row["lag_1"] == pytest.approx(1 / scale)           # y[13]
    assert row["lag_2"] == pytest.approx(5 / scale)           # y[12]
    assert np.isnan(row["lag_3"])                             # y[11] censored
    assert row["mean_short"] == pytest.approx((4 + 0 + 0 + 2 + 5 + 1) / 6 / scale)  # y[7..13], NaN skipped
    # slot of j = 16: periods 9 and 2 (16 - 7 = 9 <= 13): last = y[9] = 0, mean of (0, 2) = 1
    assert row["slot_last"] == 0.0
    assert row["slot_mean4"] == pytest.approx(1 / scale)
    assert np.isnan(row["year_ago"])                          # no history a year back
    assert row["zero_share"] == pytest.approx(4 / 12)         # zeros at 1, 4, 8, 9
    assert row["nan_share"] == pytest.approx(2 / 14)          # 2 NaN among the 14 periods since launch
    assert row["since_sale"] == 0 and row["age"] == 13
    assert (row["dow"], row["dom"]) == (2, 17)                # 2024-01-17, a Wednesday
    assert np.isnan(row["month"]) and np.isnan(row["doy"])    # 14 periods < a year + horizon: no yearly calendar
    assert row["x_promo"] == 16 and row["x_promo_vs_recent"] == pytest.approx(16 - np.mean(np.arange(14.0)))
    assert row["g_cat"] == 0                                  # codes are made dense
    assert fb.names[:len(FEATURES)] == list(FEATURES)
    assert fb.categorical.tolist() == [False] * (len(fb.names) - 1) + [True]


def test_calendar_holidays():
    dates = pd.DatetimeIndex(["2025-11-28", "2025-12-24", "2026-01-03", "2026-06-01"])
    cal = calendar(dates)
    # 2025-11-28: Friday (4), day 28, November, ISO week 48, day of year 332 (304 days to 31 Oct + 28)
    assert cal[0, :5].tolist() == [4, 28, 11, 48, 332]
    # Black Friday 2025 = 28 Nov (Thursdays 6, 13, 20, 27 Nov); Christmas distances: 27, 1, -9, clipped
    assert cal[:, 5].tolist() == [27, 1, -9, -60]
    assert cal[:, 6].tolist() == [0, -26, -36, 60]                # 1 Jun 2026: 179 days before 27 Nov 2026
    assert frequency_of(_dates(10, 0, "W")).year == 52 and frequency_of(_dates(10, 0, "MS")).year == 12


def test_training_rows_skip_censored_and_prelaunch():
    y, exog, _ = _poisson_panel(10, 60, 7, seed=2)
    y[:, 40:45] = NAN
    y[3, :30] = NAN
    fb = FeatureBuilder(y, 7, _dates(60, 7), exog)
    i, t, k = training_rows(fb, 7, 500, seed=5)
    assert len(i) == 500
    assert not np.isnan(y[i, t + k]).any() and np.all(t + k < 60) and np.all(t >= fb.first[i])
    assert np.all((k >= 1) & (k <= 7))
    again = training_rows(fb, 7, 500, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip((i, t, k), again, strict=True))


def test_shape_determinism_and_all_nan():
    n, T, h = 40, 200, 14
    y, exog, _ = _poisson_panel(n, T, h, seed=3)
    y[5] = NAN
    y[6, :190] = NAN                                          # launched 10 periods ago
    kw = {"dates": _dates(T, h), "exog": exog, "groups": {"cat": np.arange(n) % 4}}
    a = fit_predict(y, h, 7, **kw, seed=1)
    b = fit_predict(y, h, 7, **kw, seed=1)
    assert a.shape == (n, h) and a.dtype == np.float64
    assert np.isfinite(a).all() and (a >= 0).all()
    np.testing.assert_array_equal(a, b)
    assert (a[5] == 0).all() and (a[6] > 0).all()
    with pytest.raises(ValueError, match="dates"):
        fit_predict(y, h, 7, dates=_dates(T, h - 1))


def test_censored_days_are_not_zero_demand():
    """Stockout days held as NaN forecast about the true rate; the same days as 0 pull it down."""
    n, T, h = 40, 200, 14
    rng = np.random.default_rng(4)
    y = rng.poisson(3.0, (n, T)).astype(float)
    out = rng.random((n, T)) < 0.3
    censored, zeroed = np.where(out, NAN, y), np.where(out, 0.0, y)
    fc_nan = fit_predict(censored, h, 1, dates=_dates(T, h)).mean()
    fc_zero = fit_predict(zeroed, h, 1, dates=_dates(T, h)).mean()
    assert fc_nan == pytest.approx(3.0, rel=0.1)
    assert fc_zero == pytest.approx(3.0 * 0.7, rel=0.1)       # 30% of days recorded as 0


def test_learns_promo_and_weekly_pattern():
    n, T, h = 40, 200, 28
    y, exog, rate = _poisson_panel(n, T, h, seed=5, promo_effect=2.0)
    dates = _dates(T, h)
    on = {**exog, "promo": np.concatenate([exog["promo"][:, :T], np.full((n, h), 20.0)], axis=1)}
    off = {**exog, "promo": np.concatenate([exog["promo"][:, :T], np.zeros((n, h))], axis=1)}
    fc_on = fit_predict(y, h, 7, dates=dates, exog=on)
    fc_off = fit_predict(y, h, 7, dates=dates, exog=off)
    ratio = fc_on.sum() / fc_off.sum()
    assert 1.8 < ratio < 2.2                                  # planted: rate x 2 on promo days
    # weekly pattern of the no-promo forecast: mean per weekday / overall mean vs DOW / mean(DOW)
    by_dow = np.array([fc_off[:, (T + np.arange(h)) % 7 == d].mean() for d in range(7)])
    np.testing.assert_allclose(by_dow / by_dow.mean(), DOW / DOW.mean(), rtol=0.12)


def test_lower_price_raises_forecast():
    n, T, h = 40, 200, 14
    y, exog, _ = _poisson_panel(n, T, h, seed=6, elasticity=-2.0)
    hist = exog["price"][:, :T]
    cheap = {"price": np.concatenate([hist, np.full((n, h), 8.0)], axis=1)}
    usual = {"price": np.concatenate([hist, np.full((n, h), 10.0)], axis=1)}
    ratio = (fit_predict(y, h, 7, dates=_dates(T, h), exog=cheap).sum()
             / fit_predict(y, h, 7, dates=_dates(T, h), exog=usual).sum())
    assert ratio == pytest.approx(1.5625, rel=0.12)          # planted: (8 / 10) ** -2


def test_weekly_and_monthly_frequencies():
    rng = np.random.default_rng(7)
    for freq, m, T in (("W-MON", 52, 120), ("MS", 12, 48)):
        y = rng.poisson(20.0, (30, T)).astype(float)
        fc = fit_predict(y, 6, m, dates=_dates(T, 6, freq))
        assert fc.shape == (30, 6) and fc.mean() == pytest.approx(20.0, rel=0.15)
