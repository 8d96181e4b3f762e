"""The ETS family (lib/forecast/ets_family.py) against statsmodels' ETSModel and by hand; Theta's
M3 seasonality test; the engine's "combination"."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tools.eval_measures import aicc as sm_aicc
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.forecasting.theta import ThetaModel

from lib.forecast import engine, ets_family, local
from lib.forecast.ets_family import FORMS, autoets, damped, fit, heuristic_init, n_params, smooth

NAN = np.nan
M = 12


def _sm_kwargs(form) -> dict:
    e, t, s = form
    return dict(error="add" if e == "A" else "mul", trend=None if t == "N" else "add", damped_trend=t == "Ad",
                seasonal=None if s == "N" else ("add" if s == "A" else "mul"),
                seasonal_periods=M if s != "N" else None)


def _trend_season(seed: int, T: int = 60) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    return (100 + 0.8 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / M)) + rng.normal(0, 3, T)


def test_forms_and_parameter_counts():
    # 18 combinations less additive error x multiplicative season (forecast::ets(restrict=TRUE))
    assert len(FORMS) == 15 and ("A", "N", "M") not in FORMS and ("M", "Ad", "M") in FORMS
    # smoothing + initial states (level, trend, m - 1 seasons) + variance
    assert n_params("N", "N", M) == 3                      # alpha, l0, sigma
    assert n_params("Ad", "N", M) == 6                     # alpha beta phi, l0 b0, sigma
    assert n_params("Ad", "A", M) == 4 + 2 + 11 + 1


@pytest.mark.parametrize("form", FORMS, ids=lambda f: "".join(f))
def test_recursion_matches_statsmodels_with_fixed_parameters(form):
    y = _trend_season(1)
    level0, trend0, season0 = heuristic_init(y, M, form[2])
    mod = ETSModel(y, initialization_method="heuristic", **_sm_kwargs(form))
    # the same heuristic initial states
    assert level0[0] == pytest.approx(mod.initial_level, abs=1e-10)
    if form[1] != "N":
        assert trend0[0] == pytest.approx(mod.initial_trend, abs=1e-10)
    if form[2] != "N":
        np.testing.assert_allclose(season0[0], mod.initial_seasonal, atol=1e-10)
    given = {"smoothing_level": 0.3, "smoothing_trend": 0.05, "smoothing_seasonal": 0.1, "damping_trend": 0.9}
    ref = mod.smooth(np.array([given[p] for p in mod.param_names]))
    fitted, llf, fc = smooth(y, M, form, (0.3, 0.05, 0.1, 0.9), level0, trend0, season0, h=15)
    np.testing.assert_allclose(fitted[0], ref.fittedvalues, rtol=0, atol=1e-8)
    assert llf[0] == pytest.approx(ref.llf, abs=1e-8)
    np.testing.assert_allclose(fc[0], ref.forecast(15), rtol=0, atol=1e-8)


def test_nan_period_is_a_prediction_step_by_hand():
    # ANN, alpha 0.5, l0 10: y 10 (e 0, l 10), NaN (skipped, l 10), 20 (yhat 10, e 10, l 15)
    fitted, llf, fc = smooth([[10.0, NAN, 20.0]], 1, ("A", "N", "N"), (0.5, 0, 0, 1), 10.0, 0.0, [[0.0]], h=2)
    np.testing.assert_allclose(fitted, [[10, 10, 10]])
    np.testing.assert_allclose(fc, [[15, 15]])
    # n = 2 observed, mean squared error (0 + 100) / 2 = 50
    assert llf[0] == pytest.approx(-(np.log(2 * np.pi * 50) + 1))
    # AAN, alpha 0.5, beta 0.25 (beta* 0.5), l0 10, b0 2: t0 yhat 12, e -2 -> l 11, b 1.5;
    # t1 NaN: l 12.5, b 1.5; t2 yhat 14, e 6 -> l 17, b 3; forecasts 20, 23
    fitted, _, fc = smooth([[10.0, NAN, 20.0]], 1, ("A", "A", "N"), (0.5, 0.25, 0, 1), 10.0, 2.0, [[0.0]], h=2)
    np.testing.assert_allclose(fitted, [[12, 12.5, 14]])
    np.testing.assert_allclose(fc, [[20, 23]])


def test_leading_nan_changes_nothing():
    y = np.array([_trend_season(2, 48), _trend_season(3, 48)])
    padded = np.concatenate([np.full((2, 2 * M), NAN), y], axis=1)
    a, b = fit(y, 6, M), fit(padded, 6, M)
    assert list(a.form) == list(b.form)
    np.testing.assert_allclose(a.forecast, b.forecast, rtol=1e-10)


def _simulated() -> np.ndarray:
    """Known processes: multiplicative and additive seasons with and without trend (seed 3)."""
    rng = np.random.default_rng(3)
    t = np.arange(72)
    rows = []
    for i in range(4):
        level = 100 + rng.uniform(-0.5, 1.5) * t
        if i % 2 == 0:
            rows.append(level * (1 + 0.3 * np.sin(2 * np.pi * (t + i) / M)) * (1 + rng.normal(0, 0.03, 72)))
        else:
            rows.append(level + 20 * np.sin(2 * np.pi * t / M) + rng.normal(0, 4, 72))
    return np.array(rows)


def test_aicc_choice_agrees_with_statsmodels():
    y = _simulated()
    ours = fit(y, 12, M)
    for i in range(len(y)):
        scores = {}
        for form in FORMS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = ETSModel(y[i], initialization_method="heuristic", **_sm_kwargs(form)).fit(disp=False)
            scores["".join(form)] = sm_aicc(res.llf, len(y[i]), n_params(form[1], form[2], M))
        best = min(scores, key=scores.get)
        assert ours.form[i] == best
        # the pattern search reaches statsmodels' L-BFGS optimum within 1.5 AICc units (seen: <= 1.4)
        assert ours.aicc[i] == pytest.approx(scores[best], abs=1.5)
    # a seasonal choice for every one of these strongly seasonal series
    assert all(f.endswith(("A", "M")) for f in ours.form)


def test_eligibility_positive_length_and_fallback():
    rng = np.random.default_rng(4)
    t = np.arange(40)
    with_zero = 20 + 5 * np.sin(2 * np.pi * t / M) + rng.normal(0, 1, 40)
    with_zero[5] = 0.0
    short_season = (20 + 5 * np.sin(2 * np.pi * t / M))[:23] + rng.normal(0, 1, 23)  # < 2 seasons
    tiny = np.r_[np.full(35, NAN), [5.0, 6.0, 5.0, 7.0, 6.0]]                          # 5 points
    y = np.array([with_zero, np.r_[np.full(17, NAN), short_season], tiny, np.full(40, NAN)])
    res = fit(y, 4, M)
    assert res.form[0][0] == "A" and not res.form[0].endswith("M")   # a zero: additive only
    assert not res.form[1].endswith(("A", "M"))                       # 23 points: no seasonal form
    assert res.form[2] == "ANN"                 # 5 points < k + 4 for every form: the SES fallback
    assert res.form[3] == ""                                           # no data
    fc = autoets(y, 4, M)
    assert np.isfinite(fc).all() and (fc >= 0).all() and (fc[3] == 0).all()
    assert np.isfinite(damped(y, 4, M)).all()
    # SES on the 5 points with its own ML alpha: a flat forecast between their min and max
    assert np.ptp(fc[2]) == 0 and 5.0 <= fc[2, 0] <= 7.0


def test_damped_is_the_best_damped_form():
    y = _simulated()
    res = fit(y, 12, M)
    assert all("Ad" in f for f in res.damped_form)
    assert not np.allclose(res.damped_forecast, res.forecast)


# ------------------------------------------------------------------------------------ Theta

def test_theta_seasonality_test_follows_m3():
    # 11 quarters (between 2m and 3m) of a clear quarterly pattern: statsmodels' rule deseasonalises,
    # the M3/M4 rule needs 3 full seasons and leaves it alone (= the m = 1 forecast)
    y = np.array([[5.0, 20, 35, 10, 6, 21, 34, 10, 5, 20, 36]])
    assert local._seasonality_test(y, 4, "statsmodels")[0]
    assert not local._seasonality_test(y, 4, "m3")[0]
    np.testing.assert_allclose(local.theta(y, 4, 4), local.theta(y, 4, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ThetaModel(y[0], period=4).fit()
    ref = np.asarray(res.forecast(4))
    np.testing.assert_allclose(local.theta(y, 4, 4, alpha=res.params["alpha"], rule="statsmodels")[0], ref,
                               atol=1e-8)
    # Bartlett's factor: r_m^2 n / (1 + 2 sum r_k^2) on 3 seasons of the same pattern
    y3 = np.array([[1.0, 2, 3, 10] * 3])
    dev = y3[0] - y3[0].mean()
    r = np.array([(dev[: 12 - k] * dev[k:]).sum() for k in range(5)]) / (dev * dev).sum()
    stat = 12 * r[4] ** 2 / (1 + 2 * (r[1] ** 2 + r[2] ** 2 + r[3] ** 2))
    assert stat > 2.705543454095404 and local._seasonality_test(y3, 4, "m3")[0]
    # the same series with Bartlett's factor 1 (statsmodels) has the larger statistic: also seasonal
    assert local._seasonality_test(y3, 4, "statsmodels")[0]


# ---------------------------------------------------------------------------------- engine

def _monthly_history(n: int = 3, T: int = 48) -> pd.DataFrame:
    y = _simulated()[:n, :T]
    ds = pd.date_range("2020-01-01", periods=T, freq="MS")
    return pd.concat([pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y[i]}) for i in range(n)],
                     ignore_index=True)


def test_combination_is_the_mean_of_autoets_theta_and_damped():
    r = engine.run(_monthly_history(), 6, "MS", model=["combination"])
    assert r.candidates == ["combination"]
    p = r.panel.y
    want = np.mean([autoets(p, 6, 12), local.theta(p, 6, 12), damped(p, 6, 12)], axis=0)
    np.testing.assert_allclose(r.final["combination"], want, rtol=1e-12)


def test_auto_offers_the_family_by_season_length():
    assert 12 in ets_family.AUTO_PERIODS and 7 not in ets_family.AUTO_PERIODS
    _, cands = engine.resolve_models("auto")
    assert {"autoets", "damped", "combination", "ensemble"} <= set(cands)
    # daily: left out of auto, kept when asked for by name
    assert engine._for_season("auto", [], cands, 7)[1] == [c for c in cands if c not in
                                                            {"autoets", "damped", "combination"}]
    base, kept = engine._for_season(["autoets", "ets"], ["ets", "autoets"], ["autoets", "ets"], 7)
    assert kept == ["autoets", "ets"] and base == ["ets", "autoets"]
