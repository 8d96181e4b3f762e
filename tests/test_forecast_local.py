"""Local forecasting kernels (lib/forecast/local.py, local_ets.py): hand computations and statsmodels."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from statsmodels.tsa.forecasting.theta import ThetaModel
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from lib.forecast.local import (
    LOCAL_MODELS,
    croston,
    ets,
    ets_filter,
    moving_average,
    sba,
    seasonal_naive,
    ses,
    theta,
    tsb,
)

NAN = np.nan


def _intermittent_panel() -> np.ndarray:
    """Mixed rows: intermittent counts with stockouts, a late launch, a short series, all-NaN."""
    rng = np.random.default_rng(7)
    T = 120
    t = np.arange(T)
    rows = [rng.poisson(0.6 * (1 + 0.5 * np.sin(2 * np.pi * t / 7))).astype(float) for _ in range(3)]
    rows.append(rng.poisson(12 + 4 * (t % 7 == 5), T).astype(float))
    y = np.array(rows + [np.full(T, NAN), np.full(T, NAN), np.full(T, NAN)])
    y[0, rng.random(T) < 0.2] = NAN  # stockouts
    y[4, 50:] = rng.poisson(2.0, T - 50)  # launched at period 50
    y[5, -10:] = rng.poisson(3.0, 10)  # only 10 observations (< 2 * m)
    return y


# ---------------------------------------------------------------------------- naive and average

def test_seasonal_naive_by_hand():
    y = np.array([
        [1, 2, 3, 4, 5, 6, 7, NAN, 9],
        [NAN, 2, 4, NAN, 6, 8, NAN, NAN, NAN],
        [NAN] * 9,
        [-1, -2, -3, -4, -5, -6, -7, -8, -9],
    ])
    # row 0, slots = column % 3: slot 0 cols 0,3,6 -> 1,4,7 (last 7); slot 1 cols 1,4,7 -> 2,5,NaN
    #   (last observed 5); slot 2 cols 2,5,8 -> 3,6,9 (last 9). Periods 9..12 are slots 0,1,2,0.
    # row 1: slot 0 never observed -> mean (2+4+6+8)/4 = 5; slot 1 -> 6; slot 2 -> 8.
    # row 2: all NaN -> 0. row 3 has negative values (net of returns): not clipped, slots -7, -8, -9.
    np.testing.assert_array_equal(seasonal_naive(y, 4, 3), [[7, 5, 9, 7], [5, 6, 8, 5], [0] * 4, [-7, -8, -9, -7]])



def test_a_falling_demand_series_is_clipped_at_zero_a_net_series_is_not():
    # Theta's drift on 5, 4, .., 0 points down: demand (never negative) stops at 0; the same fall
    # ending at -1 (net units after returns) continues below 0
    demand = theta(np.array([[5.0, 4, 3, 2, 1, 0]]), 4, 1)
    net = theta(np.array([[5.0, 4, 3, 2, 1, -1]]), 4, 1)
    assert demand.min() == 0.0 and demand[0, -1] == 0.0
    assert net[0, -1] < -1.0 and np.all(np.diff(net[0]) < 0)


def test_naive_when_m_is_one():
    # m = 1: the last observed value (1; the trailing NaN is skipped)
    np.testing.assert_array_equal(seasonal_naive(np.array([[3.0, 1.0, NAN]]), 2, 1), [[1.0, 1.0]])


def test_moving_average_skips_gaps():
    y = np.array([[10, NAN, 2, NAN, 4, 6, NAN], [NAN, 5, NAN, NAN, NAN, NAN, NAN], [NAN] * 7])
    # row 0: the last 3 observed values are 2, 4, 6 -> 4; row 1: only 5 observed -> 5; row 2 -> 0
    np.testing.assert_allclose(moving_average(y, 2, 7, window=3), [[4, 4], [5, 5], [0, 0]])
    # default window 28 > 3 observations of row 0: (10 + 2 + 4 + 6) / 4 = 5.5
    assert moving_average(y, 1, 7)[0, 0] == pytest.approx(5.5)


# ------------------------------------------------------------------------------ intermittent

def test_croston_and_sba_by_hand():
    y = np.array([[0, 3, 0, 0, 5, 0, 2], [0, 3, NAN, 0, 5, 0, 2], [0, 0, NAN, 0, 0, 0, 0]], dtype=float)
    # row 0, alpha 0.1. First demand 3 at the 2nd observed period: z = 3, p = 2.
    #   demand 5 after q = 3 periods: z = 3 + 0.1*(5-3) = 3.2,  p = 2 + 0.1*(3-2) = 2.1
    #   demand 2 after q = 2 periods: z = 3.2 + 0.1*(2-3.2) = 3.08, p = 2.1 + 0.1*(2-2.1) = 2.09
    #   forecast 3.08 / 2.09 = 1.4736842...
    # row 1: the NaN is not counted, so demand 5 comes after q = 2: p = 2 + 0.1*(2-2) = 2, then
    #   demand 2 after q = 2: p = 2; z = 3.08 as before -> 3.08 / 2 = 1.54
    # row 2: no demand -> 0
    expected = np.array([3.08 / 2.09, 1.54, 0.0])
    np.testing.assert_allclose(croston(y, 3, 1), np.repeat(expected[:, None], 3, axis=1), rtol=1e-12)
    # SBA = Croston x (1 - 0.1/2) = x 0.95
    np.testing.assert_allclose(sba(y, 1, 1)[:, 0], 0.95 * expected, rtol=1e-12)
    # a late start: leading NaN are not periods, so the first interval is 1 -> 4 / 1
    assert croston(np.array([[NAN, NAN, 4.0]]), 1, 1)[0, 0] == pytest.approx(4.0)


def test_tsb_by_hand():
    y = np.array([[0, 3, 0, 0, 5, 0, 2], [0, 3, NAN, 0, 5, 0, 2], [0, 0, 0, NAN, 0, 0, 0]], dtype=float)
    # row 0, alpha = beta = 0.1. First demand at the 2nd observed period: size 3, prob 1/2.
    #   0: prob 0.5 - 0.1*0.5 = 0.45;  0: 0.405;  5: 0.405 + 0.1*(1-0.405) = 0.4645, size 3.2
    #   0: 0.41805;  2: 0.41805 + 0.1*(1-0.41805) = 0.476245, size 3.08 -> 0.476245*3.08 = 1.4668346
    # row 1: the NaN is skipped: 0: 0.45;  5: 0.45 + 0.1*0.55 = 0.505;  0: 0.4545;
    #   2: 0.4545 + 0.1*0.5455 = 0.50905 -> 0.50905*3.08 = 1.567874
    expected = np.array([0.476245 * 3.08, 0.50905 * 3.08, 0.0])
    np.testing.assert_allclose(tsb(y, 2, 1), np.repeat(expected[:, None], 2, axis=1), rtol=1e-12)


# -------------------------------------------------------------------------------------- ETS

def _statsmodels_hw(y, m, a, b, g, phi, l0, b0, s0, h):
    """statsmodels forecasts, with the horizons k = m, 2m.. recomputed from its final states.

    statsmodels 0.15 forecasts those horizons with the seasonal state of the last observed slot
    from before its final update (statsmodels issue #9538); the textbook forecast
    l_T + (phi + .. + phi^k) b_T + s_T (the updated state) is what ets_filter returns.
    """
    seasonal = m > 1
    mod = ExponentialSmoothing(y, trend="add", damped_trend=True, seasonal="add" if seasonal else None,
                               seasonal_periods=m if seasonal else None, initialization_method="known",
                               initial_level=l0, initial_trend=b0,
                               initial_seasonal=s0 if seasonal else None)
    res = mod.fit(smoothing_level=a, smoothing_trend=b, smoothing_seasonal=g if seasonal else None,
                  damping_trend=phi, optimized=False)
    fc = np.asarray(res.forecast(h), dtype=float)
    if seasonal:
        k = np.arange(1, h + 1)
        damp = np.cumsum(phi ** k)
        textbook = res.level[-1] + damp * res.trend[-1] + res.season[-1]
        fc = np.where(k % m == 0, textbook, fc)
    return fc


@pytest.mark.parametrize("m", [7, 1])
def test_ets_filter_matches_statsmodels(m):
    rng = np.random.default_rng(11)
    T, h = 90, 16
    t = np.arange(T)
    y = np.array([30 + 0.3 * t + 6 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 2, T) for _ in range(3)])
    a, b, g, phi = np.array([0.3, 0.1, 0.6]), np.array([0.1, 0.3, 0.05]), np.array([0.2, 0.05, 0.4]), \
        np.array([0.9, 0.98, 0.85])
    l0, b0 = np.array([28.0, 31.0, 30.0]), np.array([0.2, 0.5, -0.1])
    s0 = rng.normal(0, 4, (3, m)) if m > 1 else np.zeros((3, 1))
    g = g if m > 1 else np.zeros(3)
    mine = ets_filter(y, h, m, a, b, g, phi, l0, b0, s0, clip=False)
    for i in range(3):
        ref = _statsmodels_hw(y[i], m, a[i], b[i], g[i], phi[i], l0[i], b0[i], s0[i], h)
        np.testing.assert_allclose(mine[i], ref, rtol=0, atol=1e-8)


def test_ets_filter_nan_is_a_prediction_step():
    # A NaN period skips the update (error 0), so the states move as in the forecast:
    # filtering y[:-2] + [NaN, NaN] and forecasting h equals forecasting h + 2 from y[:-2], shifted.
    rng = np.random.default_rng(3)
    y = 20 + rng.normal(0, 1, (2, 40))
    kw = dict(alpha=0.3, beta=0.1, gamma=0.2, phi=0.9, level0=20.0, trend0=0.1,
              season0=rng.normal(0, 1, (2, 7)))
    masked = np.concatenate([y[:, :-2], np.full((2, 2), NAN)], axis=1)
    longer = ets_filter(y[:, :-2], 7, 7, **kw)
    np.testing.assert_allclose(ets_filter(masked, 5, 7, **kw), longer[:, 2:], atol=1e-12)


def test_ets_recovers_clean_trend_and_season():
    t = np.arange(400)
    pattern = np.array([0, 3, -2, 5, -4, 1, -3.0])
    y = 100 + 0.2 * t + pattern[t % 7]
    fc = ets(y[None, :372], 28, 7)[0]
    wape = np.abs(fc - y[372:]).sum() / y[372:].sum()
    assert wape < 0.015  # 0.9%: the damping (phi <= 0.98) flattens the trend a little
    flat = 100 + pattern[t % 7]  # level + season without noise: forecast exactly
    np.testing.assert_allclose(ets(flat[None, :372], 28, 7)[0], flat[372:], atol=1e-9)
    # no-trend form on a trending series lags behind more than the damped trend does
    fc_nt = ets(y[None, :372], 28, 7, trend=False)[0]
    assert np.abs(fc_nt - y[372:]).sum() / y[372:].sum() > wape


def test_ets_short_series_uses_the_non_seasonal_form():
    # 10 observations < 2 * 7: no seasonal states, the same forecast as m = 1
    y = np.array([[5, 7, 6, 8, 7, 9, 8, 10, 9, 11.0]])
    np.testing.assert_allclose(ets(y, 9, 7), ets(y, 9, 1), rtol=1e-12)


# ------------------------------------------------------------------------------ Theta and SES

def test_theta_and_ses_by_hand():
    y = np.array([[10.0, 20.0], [10.0, NAN], [NAN, NAN]])
    y3 = np.array([[10.0, NAN, 20.0]])
    # SES alpha 0.5, level0 = 10: 10 + 0.5*(20-10) = 15
    np.testing.assert_allclose(ses(y, 2, 1, alpha=0.5), [[15, 15], [10, 10], [0, 0]])
    # Theta: b0 = OLS slope = 10, nobs = 2, forecast = 15 + 0.5*10*(k-1 + (1-0.5**2)/0.5) -> 22.5, 27.5
    # row 1: one observation, b0 = 0 -> 10
    np.testing.assert_allclose(theta(y, 2, 1, alpha=0.5), [[22.5, 27.5], [10, 10], [0, 0]])
    # NaN skipped: level 15; slope through (0, 10), (2, 20) = 5 -> 15 + 0.5*5*1.5 = 18.75
    np.testing.assert_allclose(theta(y3, 1, 1, alpha=0.5), [[18.75]])


def _theta_series() -> np.ndarray:
    rng = np.random.default_rng(5)
    t = np.arange(200)
    week = np.array([1.0, 0.9, 0.8, 0.9, 1.1, 1.4, 1.5])
    rows = [rng.poisson(20 * week[t % 7] * (1 + 0.002 * i * t)).astype(float) for i in range(3)]
    rows.append(rng.poisson(2 * week[t % 7]).astype(float))  # has zeros: additive decomposition
    rows.append(rng.normal(50, 5, 200))  # no weekly pattern: the test does not deseasonalise
    return np.array(rows)


def test_theta_matches_statsmodels():
    y = _theta_series()
    fc, fc_a, ses_a = theta(y, 28, 7), np.empty((5, 28)), np.empty((5, 28))
    for i in range(5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ThetaModel(y[i], period=7).fit()
        ref, ref_ses = np.asarray(res.forecast(28)), np.asarray(res.forecast(28, theta=1))
        # alpha on a grid refined to ~1e-4 vs statsmodels' optimiser: within 0.1% (seen: < 1e-4)
        np.testing.assert_allclose(fc[i], ref, rtol=1e-3)
        fc_a[i] = theta(y[i:i + 1], 28, 7, alpha=res.params["alpha"])[0]
        ses_a[i] = ses(y[i:i + 1], 28, 7, alpha=res.params["alpha"])[0]
        # with statsmodels' own alpha the arithmetic is the same: 1e-8
        np.testing.assert_allclose(fc_a[i], ref, rtol=0, atol=1e-8)
        np.testing.assert_allclose(ses_a[i], ref_ses, rtol=0, atol=1e-8)
    assert not np.allclose(fc, ses(y, 28, 7))  # the drift term matters on trending rows


# ------------------------------------------------------------------------------ every model

def test_registry_names():
    assert set(LOCAL_MODELS) == {"seasonal_naive", "moving_average", "ses", "theta", "ets", "autoets",
                                 "damped", "croston", "sba", "tsb"}


@pytest.mark.parametrize("name", sorted(LOCAL_MODELS))
def test_stacked_panel_equals_rows_alone(name):
    y = _intermittent_panel()
    fc = LOCAL_MODELS[name](y, 14, 7)
    assert fc.shape == (y.shape[0], 14) and fc.dtype == np.float64
    assert np.isfinite(fc).all() and (fc >= 0).all()
    np.testing.assert_array_equal(fc[-1], 0.0)  # all-NaN row
    for i in range(y.shape[0]):
        np.testing.assert_allclose(fc[i], LOCAL_MODELS[name](y[i:i + 1], 14, 7)[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(LOCAL_MODELS))
def test_leading_nan_is_not_launched(name):
    # 14 leading NaN periods (a whole number of weeks, so the weekdays stay aligned) change nothing
    y = _intermittent_panel()[:4]
    padded = np.concatenate([np.full((4, 14), NAN), y], axis=1)
    np.testing.assert_allclose(LOCAL_MODELS[name](padded, 7, 7), LOCAL_MODELS[name](y, 7, 7),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(LOCAL_MODELS))
def test_empty_panels(name):
    # no periods at all -> zeros; no series -> an empty (0, h) array
    np.testing.assert_array_equal(LOCAL_MODELS[name](np.empty((2, 0)), 3, 7), np.zeros((2, 3)))
    assert LOCAL_MODELS[name](np.empty((0, 10)), 3, 7).shape == (0, 3)
