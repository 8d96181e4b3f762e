"""Local (per-series) forecasting models, vectorised over all series of a panel with numpy.

Every model takes ``y`` (n_series, T) float64, NaN = not observed (not launched, ended or
censored by a stockout; never zero demand), a horizon ``h`` and a season length ``m``, and
returns (n_series, h) float64 point forecasts, finite, and >= 0 for a series whose history is
never negative (a series with negative values, e.g. net units after returns, may forecast below 0;
a series with no observation forecasts 0). Recursions run over time with all series (and candidate parameters) at once;
a NaN period skips the update and carries the state forward. Seasonal slots are absolute
column positions (column t is slot t % m), so forecasts for period T + k use slot (T + k) % m.

Models: seasonal naive, moving average, SES and Theta (statsmodels' ``ThetaModel`` arithmetic with
the M3 seasonality test), damped Holt-Winters on a grid (``local_ets``: cheap, for daily data), the
ETS family chosen by AICc and its best damped-trend form (``ets_family``: ``autoets``, ``damped``),
and Croston, SBA and TSB for intermittent demand.
Theta/SES deseasonalise multiplicatively only when every observed value is > 0; demand with
zeros gets the additive classical decomposition (statsmodels' own fallback), computed with a
NaN-aware centred moving average and NaN-aware slot means.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lib.forecast.ets_family import autoets, damped
from lib.forecast.local_ets import ets, ets_filter

__all__ = ["LOCAL_MODELS", "floor", "seasonal_naive", "moving_average", "ses", "theta", "ets", "ets_filter",
           "autoets", "damped", "croston", "sba", "tsb"]

_SEASONAL_CV = 2.705543454095404  # chi2(1) 90% quantile, statsmodels' seasonality test
_ALPHA_LO, _ALPHA_HI = 1e-4, 1 - 1e-4  # statsmodels' bounds for the SES smoothing level


def _panel(y) -> np.ndarray:
    return np.atleast_2d(np.asarray(y, dtype=np.float64))


def floor(y: np.ndarray) -> np.ndarray:
    """(n,) the lowest forecast allowed per series: 0 when its observed history is never negative
    (demand), -inf when it is (net units after returns may go below zero)."""
    y = _panel(y)
    neg = np.any(np.where(np.isnan(y), 0.0, y) < 0, axis=1)
    return np.where(neg, -np.inf, 0.0)


def _finish(f: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Replace non-finite forecasts (series without data) by 0 and clip at ``floor(y)``."""
    return np.maximum(np.where(np.isfinite(f), f, 0.0), floor(y)[:, None])


def _nanmean_rows(y: np.ndarray) -> np.ndarray:
    obs = ~np.isnan(y)
    cnt = obs.sum(axis=1)
    return np.where(cnt > 0, np.where(obs, y, 0.0).sum(axis=1) / np.maximum(cnt, 1), np.nan)


def seasonal_naive(y: np.ndarray, h: int, m: int) -> np.ndarray:
    """Repeat the last observed value of each season slot (slot mean fallback: series mean).

    A slot whose last value is NaN uses the most recent observed value of that slot; a slot
    never observed uses the series' mean. m = 1 is the naive forecast (last observed value).
    """
    y = _panel(y)
    n, T = y.shape
    last = np.full((n, m), np.nan)
    for t in range(T):
        last[:, t % m] = np.where(np.isnan(y[:, t]), last[:, t % m], y[:, t])
    out = last[:, (T + np.arange(h)) % m]
    return _finish(np.where(np.isnan(out), _nanmean_rows(y)[:, None], out), y)


def moving_average(y: np.ndarray, h: int, m: int, window: int = 28) -> np.ndarray:
    """Flat mean of the last ``window`` observed values (fewer when fewer are observed)."""
    y = _panel(y)
    obs = ~np.isnan(y)
    from_end = np.cumsum(obs[:, ::-1], axis=1)[:, ::-1]  # observations at or after column t
    keep = obs & (from_end <= window)
    mean = np.where(keep, y, 0.0).sum(axis=1) / np.maximum(keep.sum(axis=1), 1)
    return _finish(np.repeat(np.where(keep.any(axis=1), mean, 0.0)[:, None], h, axis=1), y)


# ---------------------------------------------------------------------------------- Theta / SES

def _seasonality_test(y: np.ndarray, m: int, rule: str = "m3") -> np.ndarray:
    """Is the ACF at lag m significant at 90 %? NaN-aware (NaN deviations from the mean count 0).

    ``rule="m3"`` (default): the M3/M4 Theta test (Assimakopoulos & Nikolopoulos 2000; the M4
    benchmark code's ``SeasonalityTest``): |r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n)
    (Bartlett's variance of r_m), tested only with n >= 3m observations.
    ``rule="statsmodels"``: ``ThetaModel``'s n r_m^2 / (1 + sum_{k<m} r_k^2) > chi2(1) 90 %,
    tested with n >= 2m (the variance without Bartlett's factor 2: rejects more often).
    """
    if y.shape[1] <= m:                      # shorter than a season: nothing to test
        return np.zeros(y.shape[0], dtype=bool)
    obs = ~np.isnan(y)
    nobs = obs.sum(axis=1)
    dev = np.where(obs, y - _nanmean_rows(y)[:, None], 0.0)
    acov = np.stack([(dev[:, : dev.shape[1] - k] * dev[:, k:]).sum(axis=1) for k in range(m + 1)], axis=1)
    factor, min_seasons = (2.0, 3) if rule == "m3" else (1.0, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = acov / acov[:, :1]
        stat = nobs * rho[:, m] ** 2 / (1 + factor * np.sum(rho[:, 1:m] ** 2, axis=1))
    return (np.nan_to_num(stat) > _SEASONAL_CV) & (nobs >= min_seasons * m)


def _seasonal_indices(y: np.ndarray, m: int, mult: bool) -> np.ndarray:
    """Classical decomposition indices (n, m) per absolute slot, as statsmodels' seasonal_decompose.

    The trend is the centred moving average (2 x m MA for even m), computed only where its
    window lies inside the series' observed span, from the observed values of the window when
    at least half its weight is observed. Slot averages of y - trend (y / trend if ``mult``)
    are NaN-aware and centred to mean 0 (1); a slot without any value is neutral.
    """
    n, T = y.shape
    obs = ~np.isnan(y)
    w = np.ones(m + 1 - m % 2)
    if m % 2 == 0:
        w[[0, -1]] = 0.5
    w /= m
    half = len(w) // 2
    first = obs.argmax(axis=1)
    last = T - 1 - obs[:, ::-1].argmax(axis=1)
    num = np.zeros((n, T))
    den = np.zeros((n, T))
    yf = np.where(obs, y, 0.0)
    for j, wj in enumerate(w):
        lo, hi = max(0, half - j), min(T, T + half - j)  # centre t takes column t + j - half
        num[:, lo:hi] += wj * yf[:, lo + j - half: hi + j - half]
        den[:, lo:hi] += wj * obs[:, lo + j - half: hi + j - half]
    t = np.arange(T)[None, :]
    inside = (t - half >= first[:, None]) & (t + half <= last[:, None]) & (den >= 0.5)
    with np.errstate(invalid="ignore", divide="ignore"):
        trend = np.where(inside, num / den, np.nan)
        detr = y / trend if mult else y - trend
    pad = -T % m
    slots = np.concatenate([detr, np.full((n, pad), np.nan)], axis=1).reshape(n, -1, m)
    ok = ~np.isnan(slots)
    cnt = ok.sum(axis=1)
    avg = np.where(cnt > 0, np.where(ok, slots, 0.0).sum(axis=1) / np.maximum(cnt, 1), np.nan)
    have = ~np.isnan(avg)
    centre = np.where(have, avg, 0.0).sum(axis=1, keepdims=True)
    centre /= np.maximum(have.sum(axis=1, keepdims=True), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = avg / centre if mult else avg - centre
    return np.where(np.isnan(avg), 1.0 if mult else 0.0, avg)


def _deseasonalise(y: np.ndarray, m: int, rule: str = "m3"):
    """(deseasonalised y, seasonal indices (n, m), multiplicative flags (n,)) per statsmodels' rules.

    Seasonal when m > 1 and the ACF test (``_seasonality_test``, ``rule``) rejects; multiplicative when all
    observed values are > 0 and every multiplicative index is > 0, else additive (which is what
    demand with zeros gets). A non-seasonal series gets additive indices 0.
    """
    n, T = y.shape
    nobs = (~np.isnan(y)).sum(axis=1)
    seas = np.zeros((n, max(m, 1)))
    mult = np.zeros(n, dtype=bool)
    if m > 1:
        test = (nobs >= 2 * m) & _seasonality_test(y, m, rule)
        if test.any():
            idx = np.flatnonzero(test)
            sub = y[idx]
            positive = np.nanmin(np.where(np.isnan(sub), np.inf, sub), axis=1) > 0
            mul_idx = _seasonal_indices(sub, m, mult=True)
            use_mul = positive & (mul_idx.min(axis=1) > 0)
            seas[idx] = np.where(use_mul[:, None], mul_idx, _seasonal_indices(sub, m, mult=False))
            mult[idx] = use_mul
    per_t = seas[:, np.arange(T) % max(m, 1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        ds = np.where(mult[:, None], y / np.where(mult[:, None], per_t, 1.0), y - per_t)
    return ds, seas, mult


def _ses_run(yt: np.ndarray, wt: np.ndarray, level0: np.ndarray, alpha: np.ndarray):
    """SES over time-major data (T, n) with weights 1/0 (observed), alphas (n, G): (sse, level)."""
    lvl = np.repeat(level0[:, None], alpha.shape[1], axis=1)
    sse = np.zeros_like(lvl)
    for t in range(yt.shape[0]):
        err = (yt[t][:, None] - lvl) * wt[t][:, None]
        sse += err * err
        lvl += alpha * err
    return sse, lvl


def _ses_alpha(yt: np.ndarray, wt: np.ndarray, level0: np.ndarray) -> np.ndarray:
    """Per-series alpha minimising the one-step SSE within statsmodels' bounds [1e-4, 0.9999].

    A 27-point grid (spacing 0.04), then three 12-point grids spanning the two neighbours of
    the best point so far (final spacing ~ 2.5e-4 inside the range).
    """
    n = level0.shape[0]
    rows = np.arange(n)
    grid = np.broadcast_to(np.r_[_ALPHA_LO, np.linspace(0.02, 0.98, 25), _ALPHA_HI], (n, 27))
    best = np.argmin(_ses_run(yt, wt, level0, grid)[0], axis=1)
    for _ in range(3):
        lo = grid[rows, np.maximum(best - 1, 0)]
        hi = grid[rows, np.minimum(best + 1, grid.shape[1] - 1)]
        grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, 12)[None, :]
        best = np.argmin(_ses_run(yt, wt, level0, grid)[0], axis=1)
    return grid[rows, best]


def _theta_core(y: np.ndarray, h: int, m: int, alpha, trend_weight: float, rule: str = "m3") -> np.ndarray:
    """Theta forecasts with drift weight (theta - 1) / theta (0 gives plain SES); see ``theta``."""
    y = _panel(y)
    n, T = y.shape
    if T == 0:
        return np.zeros((n, h))
    ds, seas, mult = _deseasonalise(y, m, rule)
    obs = ~np.isnan(ds)
    nobs = obs.sum(axis=1)
    first = obs.argmax(axis=1)
    level0 = np.where(nobs > 0, ds[np.arange(n), first], 0.0)
    yt = np.ascontiguousarray(np.where(obs, ds, 0.0).T)
    wt = np.ascontiguousarray(obs.T.astype(np.float64))
    if alpha is None:
        alpha = _ses_alpha(yt, wt, level0)
    alpha = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (n,))
    _sse, lvl = _ses_run(yt, wt, level0, alpha[:, None])
    # b0: OLS slope of the deseasonalised observations on time
    t = np.where(obs, np.arange(T)[None, :], 0.0)
    tbar = t.sum(axis=1) / np.maximum(nobs, 1)
    ybar = np.where(obs, ds, 0.0).sum(axis=1) / np.maximum(nobs, 1)
    tc = np.where(obs, t - tbar[:, None], 0.0)
    sxx = (tc * tc).sum(axis=1)
    sxy = (tc * np.where(obs, ds - ybar[:, None], 0.0)).sum(axis=1)
    b0 = np.where(sxx > 0, sxy / np.where(sxx > 0, sxx, 1.0), 0.0)
    steps = np.arange(h)[None, :] + (1 - (1 - alpha[:, None]) ** nobs[:, None]) / alpha[:, None]
    fc = trend_weight * b0[:, None] * steps + lvl
    season = seas[:, (T + np.arange(h)) % max(m, 1)]
    fc = np.where(mult[:, None], fc * season, fc + season)
    return _finish(np.where(nobs[:, None] > 0, fc, 0.0), y)


def theta(y: np.ndarray, h: int, m: int, alpha=None, theta: float = 2.0, rule: str = "m3") -> np.ndarray:
    """Theta method (the M3 recipe): statsmodels' ``ThetaModel(y, period=m).fit().forecast(h, theta)``
    arithmetic with the M3/M4 seasonality test (``rule="statsmodels"``: exactly ThetaModel).

    Deseasonalise (see ``_deseasonalise``: multiplicative classical decomposition when the series
    is positive, as in the M3 Theta; additive otherwise, statsmodels' fallback), fit SES with initial level = first observation and
    alpha minimising the one-step SSE (or the given scalar / (n,) ``alpha``), forecast
    SES + (1 - 1/theta) * b0 * (k - 1 + (1 - (1 - alpha)^nobs) / alpha), then reseasonalise.
    ``nobs`` counts observed values; NaN periods skip the SES update.
    """
    return _theta_core(y, h, m, alpha, (theta - 1.0) / theta, rule)


def ses(y: np.ndarray, h: int, m: int, alpha=None, rule: str = "m3") -> np.ndarray:
    """Simple exponential smoothing on the Theta-deseasonalised series (= ``theta`` with theta=1)."""
    return _theta_core(y, h, m, alpha, 0.0, rule)


# ------------------------------------------------------------------------ intermittent demand

def _croston_states(y: np.ndarray, alpha: float):
    """Croston's size z and interval p (NaN where no demand yet) after the last period.

    Initialisation: z = first demand size, p = number of observed periods up to and including
    the first demand. Afterwards, on each demand d after q observed periods since the previous
    demand: z += alpha * (d - z), p += alpha * (q - p). NaN periods are not counted.
    """
    n, T = y.shape
    z = np.full(n, np.nan)
    p = np.full(n, np.nan)
    q = np.zeros(n)
    for t in range(T):
        d = y[:, t]
        obs = ~np.isnan(d)
        q += obs
        dem = obs & (d > 0)
        started = ~np.isnan(z)
        z = np.where(dem, np.where(started, z + alpha * (d - z), d), z)
        p = np.where(dem, np.where(started, p + alpha * (q - p), q), p)
        q = np.where(dem, 0.0, q)
    return z, p


def croston(y: np.ndarray, h: int, m: int, alpha: float = 0.1) -> np.ndarray:
    """Croston's method: flat z / p (0 before any demand); see ``_croston_states``."""
    y = _panel(y)
    z, p = _croston_states(y, alpha)
    return _finish(np.repeat((z / p)[:, None], h, axis=1), y)


def sba(y: np.ndarray, h: int, m: int, alpha: float = 0.1) -> np.ndarray:
    """Syntetos-Boylan approximation: Croston x (1 - alpha / 2)."""
    return croston(y, h, m, alpha=alpha) * (1.0 - alpha / 2.0)


def tsb(y: np.ndarray, h: int, m: int, alpha: float = 0.1, beta: float = 0.1) -> np.ndarray:
    """Teunter-Syntetos-Babai: flat probability x size.

    Initialisation at the first demand: size = that demand, probability = 1 / (observed periods
    up to and including it). Every later observed period: prob += beta * (1[demand] - prob);
    on a demand d: size += alpha * (d - size). NaN periods are skipped.
    """
    y = _panel(y)
    n, T = y.shape
    size = np.full(n, np.nan)
    prob = np.full(n, np.nan)
    q = np.zeros(n)
    for t in range(T):
        d = y[:, t]
        obs = ~np.isnan(d)
        dem = obs & (d > 0)
        started = ~np.isnan(size)
        q += obs & ~started
        first_prob = np.where(dem, 1.0 / np.maximum(q, 1), prob)
        prob = np.where(started & obs, prob + beta * (dem - prob), first_prob)
        size = np.where(dem, np.where(started, size + alpha * (d - size), d), size)
    return _finish(np.repeat((prob * size)[:, None], h, axis=1), y)


LOCAL_MODELS: dict[str, Callable[[np.ndarray, int, int], np.ndarray]] = {
    "seasonal_naive": seasonal_naive,
    "moving_average": moving_average,
    "ses": ses,
    "theta": theta,
    "ets": ets,
    "autoets": autoets,
    "damped": damped,
    "croston": croston,
    "sba": sba,
    "tsb": tsb,
}
