"""Damped Holt-Winters (additive error, additive damped trend, additive season), vectorised.

The recursion is statsmodels' ``holtwinters.ExponentialSmoothing(trend="add", damped_trend=True,
seasonal="add")`` written in error-correction form, run over time for all series (and all
candidate parameter sets) at once::

    e  = y_t - (l + phi*b) - s[t % m]           one-step error
    l <- l + phi*b + alpha*e
    b <- phi*b + alpha*beta*e                   (beta as statsmodels' smoothing_trend)
    s[t % m] <- s[t % m] + gamma*e
    forecast(k) = l + (phi + ... + phi^k)*b + s[(T - 1 + k) % m]

A NaN period is a prediction step (e = 0: level drifts by phi*b, trend damps, seasons keep);
before a series' first observation its states are frozen.

``ets`` picks (alpha, beta, gamma, phi) per series by the smallest one-step SSE over the grid
``_ALPHAS`` x ``_BETAS`` x ``_GAMMAS`` x ``_PHIS`` (54 sets, evaluated for all series at once).
Initial states are like statsmodels' "simple" rule, NaN-aware, on ``_INIT_BLOCKS`` = 2 blocks of
q columns from the first observation (q = m for a seasonal series, else ``_BLOCK``): level0 =
mean of block 1, trend0 = (mean of block 2 - mean of block 1) / q, season0[slot] = mean of
(y - its block mean) over both blocks, centred to sum zero (0 for a slot never observed).
A series with fewer than 2*m observations, or m == 1, gets the non-seasonal form (gamma = 0,
seasons 0); ``trend=False`` gives the no-trend form (beta = 0, trend0 = 0).
"""
from __future__ import annotations

import itertools

import numpy as np

__all__ = ["ets", "ets_filter"]


def _floor(y: np.ndarray) -> np.ndarray:
    """0 for a series never negative, -inf otherwise (as lib.forecast.local.floor)."""
    return np.where(np.any(np.where(np.isnan(y), 0.0, y) < 0, axis=1), -np.inf, 0.0)

_ALPHAS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.4)
_BETAS = (0.03,)  # one trend gain: the damping grid already sets how much trend is used
_GAMMAS = (0.0, 0.01, 0.05)
_PHIS = (0.8, 0.9, 0.98)
_BLOCK = 7
_INIT_BLOCKS = 2
_MAX_CELLS = 4_000_000  # series x grid x m per chunk, to bound memory for long seasons


def _run(y: np.ndarray, m: int, alpha, beta, gamma, phi, level0, trend0, season0):
    """Filter (n, T) data with parameters/states shaped (n, G) and seasons (m, n, G).

    Returns (sse, level, trend, seasons) after the last period; inputs are not modified.
    """
    obs = ~np.isnan(y)
    yt = np.ascontiguousarray(np.where(obs, y, 0.0).T)
    wt = np.ascontiguousarray(obs.T.astype(np.float64))
    first = np.argmax(np.c_[obs, np.ones(len(y), dtype=bool)], axis=1)  # T when never observed
    last_start = int(first.max(initial=0))
    ab = alpha * beta
    lvl, trd = level0.copy(), trend0.copy()
    seas = season0.copy()
    sse = np.zeros_like(lvl)
    err, tmp = np.empty_like(lvl), np.empty_like(lvl)
    for t in range(y.shape[1]):
        if t < last_start:  # freeze the states of series that have not started yet
            started = (first <= t)[:, None]
            drift, damp = np.where(started, phi, 0.0), np.where(started, phi, 1.0)
        else:
            drift = damp = phi
        s = seas[t % m]
        np.multiply(drift, trd, out=tmp)
        lvl += tmp  # the prediction l + phi*b
        np.subtract(yt[t][:, None], lvl, out=err)
        err -= s
        err *= wt[t][:, None]
        np.multiply(err, err, out=tmp)
        sse += tmp
        trd *= damp
        np.multiply(ab, err, out=tmp)
        trd += tmp
        np.multiply(alpha, err, out=tmp)
        lvl += tmp
        err *= gamma
        s += err
    return sse, lvl, trd, seas


def _forecast(T: int, h: int, m: int, phi, lvl, trd, seas) -> np.ndarray:
    """Forecasts (n, h) from final states shaped (n,), (n,), (m, n)."""
    k = np.arange(1, h + 1)
    damp_sum = np.cumsum(phi[:, None] ** k[None, :], axis=1)
    return lvl[:, None] + damp_sum * trd[:, None] + seas[(T - 1 + k) % m].T


def ets_filter(y: np.ndarray, h: int, m: int, alpha, beta, gamma, phi, level0, trend0, season0,
               clip: bool = True) -> np.ndarray:
    """Forecasts (n, h) of the damped additive Holt-Winters recursion with given parameters.

    Parameters and ``level0``/``trend0`` are scalars or (n,) arrays; ``season0`` is (n, m) with
    the seasonal states of periods 0..m-1 (statsmodels' ``initial_seasonal``); the level and
    trend are the states before period 0. ``clip=False`` returns the raw forecasts.
    Horizons k = m, 2m.. use the last observed slot's updated seasonal state (the textbook
    rule; statsmodels 0.15 uses its pre-update value there, statsmodels issue #9538).
    """
    y = np.atleast_2d(np.asarray(y, dtype=np.float64))
    n, T = y.shape
    col = [np.broadcast_to(np.asarray(v, dtype=np.float64), (n,))[:, None]
           for v in (alpha, beta, gamma, phi, level0, trend0)]
    s0 = np.broadcast_to(np.asarray(season0, dtype=np.float64), (n, m)).T[:, :, None]
    _, lvl, trd, seas = _run(y, m, *col, s0)
    out = _forecast(T, h, m, col[3][:, 0], lvl[:, 0], trd[:, 0], seas[:, :, 0])
    return np.maximum(out, _floor(y)[:, None]) if clip else out


def _initial_states(y: np.ndarray, m: int, seasonal: np.ndarray, trend: bool):
    """NaN-aware initial (level, trend, seasons (m, n)); see the module docstring."""
    n, T = y.shape
    first = (~np.isnan(y)).argmax(axis=1)
    q = np.where(seasonal, m, _BLOCK)[:, None]
    offset = np.arange(_INIT_BLOCKS * max(m, _BLOCK))[None, :]
    cols = first[:, None] + offset
    valid = (cols < T) & (offset < _INIT_BLOCKS * q)
    vals = np.where(valid, y[np.arange(n)[:, None], np.minimum(cols, T - 1)], np.nan)
    block = offset // q
    means = np.full((n, _INIT_BLOCKS), np.nan)
    for b in range(_INIT_BLOCKS):
        part = np.where(block == b, vals, np.nan)
        cnt = (~np.isnan(part)).sum(axis=1)
        means[:, b] = np.where(cnt > 0, np.nansum(part, axis=1) / np.maximum(cnt, 1), np.nan)
    level0 = np.nan_to_num(means[:, 0])
    slope = (means[:, -1] - level0) / ((_INIT_BLOCKS - 1) * q[:, 0])
    trend0 = np.where(np.isnan(slope) | (not trend), 0.0, slope)
    dev = vals - np.take_along_axis(means, np.minimum(block, _INIT_BLOCKS - 1), axis=1)
    slot = cols % m
    seas = np.zeros((m, n))
    for j in range(m):
        part = np.where((slot == j) & seasonal[:, None], dev, np.nan)
        cnt = (~np.isnan(part)).sum(axis=1)
        seas[j] = np.where(cnt > 0, np.nansum(part, axis=1) / np.maximum(cnt, 1), 0.0)
    seas -= np.where(seasonal, seas.mean(axis=0), 0.0)
    return level0, trend0, seas


def ets(y: np.ndarray, h: int, m: int, trend: bool = True) -> np.ndarray:
    """Damped additive Holt-Winters with per-series grid-selected parameters; (n, h) >= 0."""
    y = np.atleast_2d(np.asarray(y, dtype=np.float64))
    n, T = y.shape
    if T == 0:
        return np.zeros((n, h))
    nobs = (~np.isnan(y)).sum(axis=1)
    seasonal = (nobs >= 2 * m) & (m > 1)
    betas, phis = (_BETAS, _PHIS) if trend else ((0.0,), (1.0,))
    gammas = _GAMMAS if seasonal.any() else (0.0,)
    grid = np.array(list(itertools.product(_ALPHAS, betas, gammas, phis))).T  # (4, G)
    level0, trend0, season0 = _initial_states(y, m, seasonal, trend)
    out = np.zeros((n, h))
    step = max(1, _MAX_CELLS // (grid.shape[1] * m))
    for lo in range(0, n, step):
        sl = slice(lo, min(n, lo + step))
        k = sl.stop - lo
        a, b, g, p = (np.broadcast_to(v, (k, grid.shape[1])) for v in grid)
        g = np.where(seasonal[sl, None], g, 0.0)
        s0 = np.broadcast_to(season0[:, sl, None], (m, k, grid.shape[1]))
        sse, lvl, trd, seas = _run(y[sl], m, a, b, g, p, np.broadcast_to(level0[sl, None], a.shape),
                                   np.broadcast_to(trend0[sl, None], a.shape), s0)
        best = np.argmin(sse, axis=1)
        rows = np.arange(k)
        out[sl] = _forecast(T, h, m, p[rows, best], lvl[rows, best], trd[rows, best],
                            seas[:, rows, best])
    out[nobs == 0] = 0.0
    return np.maximum(np.nan_to_num(out), _floor(y)[:, None])
