"""The ETS family (Hyndman et al. 2008, fpp3 ch. 8): state-space exponential smoothing chosen by AICc.

Forms (error, trend, season): additive or multiplicative error; trend none (N), additive (A) or
additive damped (Ad); season none (N), additive (A) or multiplicative (M). As R's
``forecast::ets(restrict=TRUE)``, additive error with a multiplicative season is not a candidate
(numerically unstable, infinite forecast variance), and there is no multiplicative trend (fpp3
leaves it out for the same reason). That leaves 15 forms.

Recursion: statsmodels' ``ETSModel`` (``_ets_smooth``) exactly, run over time for all series and
all candidate parameter sets at once (arrays (n, G)). With L = l + phi*b and S = s[t % m]::

    yhat = L + S            (season A/N)     yhat = L * S         (season M)
    u    = y - S - L                         u    = y / S - L
    l    = L + alpha*u,     b = phi*b + alpha*beta_star*u
    s[t % m] = S + gamma_star*(y - l - S)    s[t % m] = S + gamma_star*(y / l - S)

with beta = alpha*beta_star and gamma = gamma_star*(1 - alpha) (statsmodels' parameters). The error
type changes only the likelihood (statsmodels' concentrated form): additive
-n/2 (log(2 pi mean(e^2)) + 1), e = y - yhat; multiplicative -n/2 (log(2 pi mean(r^2)) + 1) -
sum log|yhat|, r = e / yhat. A NaN period is a prediction step (l <- L, b <- phi*b, seasons kept)
and does not count in n; before a series' first observation its states are frozen. Seasonal
slots are absolute columns (column t is slot t % m), as in ``local.py``.

Parameters: maximum likelihood within statsmodels' bounds (the usual constraints
0 < alpha < 1, 0 < beta < alpha, 0 < gamma < 1 - alpha as alpha, beta_star, gamma_star in
[1e-4, 1 - 1e-4], and 0.8 <= phi <= 0.98), by a pattern search in logit coordinates,
vectorised over series and forms: the best of ``_STARTS`` start points, then ``_ITERS`` rounds
that try +-step on each free parameter and a Hooke-Jeeves move along the last accepted
displacement (ridges such as alpha vs beta), move to the best improvement or halve the step.

Initial states: statsmodels' "heuristic" rule (Hyndman et al. 2008, sec. 2.6.1), NaN-aware and
not re-estimated: seasonal indices from a centred 2x m moving average over the first
min(5, n // m) seasons (at least ceil((10 + 2*(m // 2)) / m)), level and trend from a regression
on the first 10 values of that moving average (of the series itself without season; on fewer
values when fewer exist).

Selection by AICc = -2 llf + 2k + 2k(k+1)/(n-k-1), k = free smoothing parameters + initial states
(level, trend, m - 1 seasonal: they are estimated from the data, if heuristically) + 1 (the
variance), as fpp3 counts them. A form is a candidate for a series when n >= k + 4 (``forecast::ets``
needs n > its parameter count + 4, which leaves out the variance); seasonal forms need m > 1 and
n >= max(2m, 10 + 2*(m // 2)) (the heuristic's own minimum); multiplicative error or season need
every observed value > 0. A series with no candidate gets ANN (SES) with its ML alpha.

Cost: about 2.6 s for 617 monthly series x 70 points, but 70-90 s for a 2,000 x 730 daily panel
(bench/ets_family.py), so "auto" offers the family only for yearly, quarterly and monthly data
(``AUTO_PERIODS``); daily and weekly data keep ``local_ets.ets``, the damped additive Holt-Winters
on a parameter grid (additive forms only, as zeros rule out multiplicative ones anyway).
"""
from __future__ import annotations

import hashlib
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

__all__ = ["FORMS", "AUTO_PERIODS", "MODELS", "ETSFit", "fit", "autoets", "damped", "smooth", "heuristic_init", "n_params"]

TRENDS, SEASONS = ("N", "A", "Ad"), ("N", "A", "M")
FORMS = tuple((e, t, s) for e in ("A", "M") for t in TRENDS for s in SEASONS if not (e == "A" and s == "M"))
_LO = np.array([1e-4, 1e-4, 1e-4, 0.8])
_HI = np.array([1 - 1e-4, 1 - 1e-4, 1 - 1e-4, 0.98])
_STARTS = ((0.1, 0.1, 0.01, 0.95), (0.3, 0.1, 0.01, 0.95), (0.6, 0.01, 0.01, 0.95), (0.9, 0.01, 0.01, 0.95))
_ITERS = 16
_ZMAX = 12.0                   # |logit| cap (the bounds are at |logit| ~ 9.2)
_STEP0 = 2.0                   # initial compass step in logit units
_MEMO: OrderedDict[str, ETSFit] = OrderedDict()
_MEMO_LOCK = threading.Lock()   # sessions run in threads
_MEMO_SIZE = 8                 # a backtest fits 3 windows + the whole history, for 2 models
MODELS = ("autoets", "damped")
# Season lengths where "auto" includes the family: yearly, quarterly, monthly (see the module
# docstring: a daily fit costs 70-90 s, the daily benchmark has 60 s for 4 fits of every model)
AUTO_PERIODS = (1, 4, 12)


def _free(trend: str, season: str) -> list[int]:
    """Indices of the free parameters among (alpha, beta_star, gamma_star, phi)."""
    return [0] + [1] * (trend != "N") + [2] * (season != "N") + [3] * (trend == "Ad")


def n_params(trend: str, season: str, m: int) -> int:
    """k of the AICc: smoothing parameters + initial states + the variance."""
    return len(_free(trend, season)) + 1 + (trend != "N") + (m - 1) * (season != "N") + 1


def _panel(y) -> np.ndarray:
    return np.atleast_2d(np.asarray(y, dtype=np.float64))


def _first_obs(obs: np.ndarray) -> np.ndarray:
    return np.argmax(np.c_[obs, np.ones(len(obs), dtype=bool)], axis=1)   # T when never observed


def _gather(y: np.ndarray, start: np.ndarray, width: int) -> np.ndarray:
    """(n, width) values from column start[i] on, NaN past the end."""
    idx = start[:, None] + np.arange(width)[None, :]
    return np.where(idx < y.shape[1], y[np.arange(len(y))[:, None], np.minimum(idx, y.shape[1] - 1)], np.nan)


def _ols10(vals: np.ndarray):
    """Intercept and slope of the first 10 non-NaN values per row on x = 1, 2, ..."""
    ok = ~np.isnan(vals)
    rank = np.cumsum(ok, axis=1)
    use = ok & (rank <= 10)
    k = use.sum(axis=1)
    x, v = np.where(use, rank, 0.0), np.where(use, vals, 0.0)
    sx, sy, sxx, sxy = x.sum(1), v.sum(1), (x * x).sum(1), (x * v).sum(1)
    den = k * sxx - sx * sx
    slope = np.where(den > 0, (k * sxy - sx * sy) / np.where(den > 0, den, 1.0), 0.0)
    level = np.where(k > 0, (sy - slope * sx) / np.maximum(k, 1), 0.0)
    return level, slope


def _centred_ma(vals: np.ndarray, m: int) -> np.ndarray:
    """Centred moving average of m (2 x m for even m) along rows, NaN where the window is incomplete
    or holds a NaN: pandas' ``rolling(m, center=True).mean()`` (then ``shift(-1).rolling(2).mean()``
    for even m), as statsmodels' heuristic computes it."""
    w = np.ones(m + 1 - m % 2)
    if m % 2 == 0:
        w[[0, -1]] = 0.5
    w /= m
    half = len(w) // 2
    n, W = vals.shape
    out = np.full((n, W), np.nan)
    if half < W - half:
        out[:, half: W - half] = sum(wj * vals[:, j: W - 2 * half + j] for j, wj in enumerate(w))
    return out


def heuristic_init(y, m: int, season: str):
    """(level0, trend0, season0 (n, m) by absolute slot) by statsmodels' heuristic; see the module doc.

    ``season`` "N" gives seasons 0; "A" additive indices (sum 0); "M" multiplicative (mean 1).
    """
    y = _panel(y)
    n, T = y.shape
    obs = ~np.isnan(y)
    first = np.minimum(_first_obs(obs), max(T - 1, 0))
    nobs = obs.sum(axis=1)
    if season == "N" or m <= 1:
        level, slope = _ols10(_gather(y, first, T))
        return level, slope, np.full((n, max(m, 1)), 0.0)
    min_obs = 10 + 2 * (m // 2)
    cycles = np.maximum(np.minimum(5, nobs // m), int(np.ceil(min_obs / m)))
    init = np.full((n, m), 1.0 if season == "M" else 0.0)
    level, slope = np.zeros(n), np.zeros(n)
    for k in np.unique(cycles):
        rows = np.flatnonzero(cycles == k)
        vals = _gather(y[rows], first[rows], k * m)
        ma = _centred_ma(vals, m)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            det = vals / ma if season == "M" else vals - ma
            idx = np.nanmean(det.reshape(len(rows), k, m), axis=1)
            centre = np.nanmean(idx, axis=1, keepdims=True)
            idx = idx / centre if season == "M" else idx - centre
        init[rows] = np.where(np.isfinite(idx), idx, 1.0 if season == "M" else 0.0)
        level[rows], slope[rows] = _ols10(ma)
    slot = (np.arange(m)[None, :] - first[:, None]) % m
    return level, slope, np.take_along_axis(init, slot, axis=1)


def _filter(y, m, mul, alpha, bstar, gstar, phi, l0, b0, s0, mul_from=0, fitted=False):
    """Run the recursion on (n, T) data; parameters and l0, b0 (n, G), seasons s0 (m, n, G).

    Returns dict: sse, ssr (relative), slog (sum log|yhat|), bad (a mult. error or season was
    undefined), l, b, s (final states) and, if ``fitted``, yhat (T, n, G). The multiplicative
    error sums (ssr, slog, bad) are computed for columns ``mul_from`` on only (0 where not).
    """
    n, T = y.shape
    obs = ~np.isnan(y)
    yt = np.ascontiguousarray(np.where(obs, y, 0.0).T)
    wt = np.ascontiguousarray(obs.T)
    first = _first_obs(obs)
    last_start = int(first.max(initial=0))
    lv, b, s = l0.copy(), b0.copy(), s0.copy()
    ab = alpha * bstar
    sse, ssr, slog = (np.zeros_like(lv) for _ in range(3))
    bad = np.zeros(lv.shape, dtype=bool)
    out = np.empty((T,) + lv.shape) if fitted else None
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for t in range(T):
            if t < last_start:                  # freeze the states of series not started yet
                act = (first <= t)[:, None]
                drift, damp = np.where(act, phi, 0.0), np.where(act, phi, 1.0)
            else:
                drift = damp = phi
            S = s[t % m]
            L = lv + drift * b
            yhat = L * S if mul else L + S
            if fitted:
                out[t] = yhat
            w = wt[t][:, None]
            yv = yt[t][:, None]
            e = np.where(w, yv - yhat, 0.0)
            sse += e * e
            if mul_from < e.shape[1]:
                ym, em = yhat[:, mul_from:], e[:, mul_from:]
                r = np.where(w, em / ym, 0.0)
                ssr[:, mul_from:] += r * r
                slog[:, mul_from:] += np.where(w, np.log(np.abs(ym)), 0.0)
                bad[:, mul_from:] |= w & ~(ym > 0)
            if mul:
                bad |= w & ~(S > 0)
                u = np.where(w, yv / S - L, 0.0)
            else:
                u = e
            lv = L + alpha * u
            b = damp * b + ab * u
            if mul:
                bad |= w & ~(lv > 0)
                s[t % m] = S + gstar * np.where(w, yv / lv - S, 0.0)
            else:
                s[t % m] = S + gstar * np.where(w, yv - lv - S, 0.0)
    return {"sse": sse, "ssr": ssr, "slog": slog, "bad": bad, "l": lv, "b": b, "s": s, "yhat": out}


def _loglik(res: dict, nobs: np.ndarray, error: str) -> np.ndarray:
    nn = np.maximum(nobs, 1)[:, None] if res["sse"].ndim == 2 else np.maximum(nobs, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if error == "A":
            llf = -nn / 2 * (np.log(2 * np.pi * res["sse"] / nn) + 1)
        else:
            llf = -nn / 2 * (np.log(2 * np.pi * res["ssr"] / nn) + 1) - res["slog"]
            llf = np.where(res["bad"], -np.inf, llf)
    return np.where(np.isfinite(llf), llf, -np.inf)


def _forecast(T: int, h: int, m: int, season: str, phi, lv, b, s) -> np.ndarray:
    """(n, h) from final states level lv, trend b (n,), seasons s (m, n) and phi (n,)."""
    k = np.arange(1, h + 1)
    trend = lv[:, None] + np.cumsum(phi[:, None] ** k[None, :], axis=1) * b[:, None]
    seas = s[(T - 1 + k) % m].T
    return trend * seas if season == "M" else trend + seas


def smooth(y, m: int, form, params, level0, trend0, season0, h: int = 0):
    """Fitted values (n, T), log-likelihood (n,) and forecasts (n, h) of one form, fixed parameters.

    ``form`` = (error, trend, season); ``params`` = (alpha, beta, gamma, phi) in statsmodels'
    parametrisation (beta, gamma unstarred; ignored where the form has no trend / season; phi
    ignored unless the trend is Ad); states as ``heuristic_init`` returns them (scalars or (n,),
    seasons (n, m) by absolute slot).
    """
    y = _panel(y)
    n, T = y.shape
    error, trend, season = form
    a, bb, g, p = (np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)) for v in params)
    bstar = np.where(trend != "N", bb / a, 0.0)
    gstar = np.where(season != "N", g / (1 - a), 0.0)
    p = p if trend == "Ad" else np.ones(n)
    col = [v[:, None] for v in (a, bstar, gstar, p)]
    l0 = np.broadcast_to(np.asarray(level0, dtype=np.float64), (n,))[:, None]
    b0 = np.broadcast_to(np.asarray(trend0, dtype=np.float64), (n,))[:, None] * (trend != "N")
    s0 = np.broadcast_to(np.asarray(season0, dtype=np.float64), (n, m)).T[:, :, None].copy()
    if season == "N":
        s0[:] = 0.0
    res = _filter(y, m, season == "M", *col, l0, b0, s0, mul_from=0 if error == "M" else 1, fitted=True)
    nobs = (~np.isnan(y)).sum(axis=1)
    llf = _loglik(res, nobs, error)[:, 0]
    fc = _forecast(T, h, m, season, p, res["l"][:, 0], res["b"][:, 0], res["s"][:, :, 0])
    return res["yhat"][:, :, 0].T, llf, fc


@dataclass
class ETSFit:
    """Per-series result of ``fit``: the AICc choice overall and among the damped forms."""

    form: np.ndarray          # (n,) object: "ANN", "MAdM"... chosen by AICc
    params: np.ndarray        # (n, 4) alpha, beta, gamma, phi (statsmodels' parametrisation)
    aicc: np.ndarray          # (n,) AICc of the chosen form (inf: none eligible, ANN used)
    sigma2: np.ndarray        # (n,) residual variance (of e, or of e / yhat for mult. error)
    forecast: np.ndarray      # (n, h) raw point forecasts of the chosen form
    damped_form: np.ndarray   # (n,) best damped-trend form (ANN-family fallback as above)
    damped_forecast: np.ndarray


def _logit(p, lo, hi):
    q = (np.asarray(p) - lo) / (hi - lo)
    return np.log(q / (1 - q))


def _expit(z, lo, hi):
    return lo + (hi - lo) / (1 + np.exp(-z))


def _eligible(form, m: int, nobs: np.ndarray, positive: np.ndarray) -> np.ndarray:
    error, trend, season = form
    ok = nobs >= n_params(trend, season, m) + 4
    if season != "N":
        ok &= (m > 1) & (nobs >= max(2 * m, 10 + 2 * (m // 2)))
    if error == "M" or season == "M":
        ok &= positive
    return ok


def _evaluate(y, m, probs, z, inits, nobs):
    """-llf (n, C) for candidate internal parameters z (n, C, 4) of problems ``probs`` (C,)."""
    out = np.full(z.shape[:2], np.inf)
    for mul in (False, True):
        cols = sorted((c for c, (e, t, s) in enumerate(probs) if (s == "M") == mul),
                      key=lambda c: probs[c][0] == "M")            # multiplicative errors last
        if not cols:
            continue
        par = _expit(z[:, cols], _LO, _HI)                       # (n, G, 4)
        tr = np.array([probs[c][1] for c in cols])
        se = np.array([probs[c][2] for c in cols])
        bstar = np.where(tr != "N", par[..., 1], 0.0)
        gstar = np.where(se != "N", par[..., 2], 0.0)
        phi = np.where(tr == "Ad", par[..., 3], 1.0)
        l0 = np.stack([inits[(probs[c][1], probs[c][2])][0] for c in cols], axis=1)
        b0 = np.stack([inits[(probs[c][1], probs[c][2])][1] for c in cols], axis=1) * (tr != "N")
        s0 = np.stack([inits[(probs[c][1], probs[c][2])][2].T for c in cols], axis=2)   # (m, n, G)
        mul_from = sum(probs[c][0] == "A" for c in cols)
        res = _filter(y, m, mul, par[..., 0], bstar, gstar, phi, l0, b0, s0, mul_from=mul_from)
        for j, c in enumerate(cols):
            one = {k: (v[:, j] if isinstance(v, np.ndarray) and v.ndim == 2 else None)
                   for k, v in res.items() if k in ("sse", "ssr", "slog", "bad")}
            out[:, c] = -_loglik(one, nobs, probs[c][0])
    return out


def _optimise(y, m, probs, inits, nobs, active):
    """Pattern search (compass moves plus a Hooke-Jeeves move along the last accepted
    displacement, doubled while it keeps improving); internal parameters (n, P, 4), -llf (n, P)."""
    n, P = y.shape[0], len(probs)
    starts = _logit(np.array(_STARTS), _LO, _HI)                 # (S, 4)
    S = len(starts)
    z = np.broadcast_to(starts[None, None], (n, P, S, 4)).reshape(n, P * S, 4)
    f = _evaluate(y, m, [p for p in probs for _ in range(S)], z, inits, nobs).reshape(n, P, S)
    best = np.argmin(f, axis=2)
    zc = starts[best]                                            # (n, P, 4)
    fc = np.take_along_axis(f, best[..., None], axis=2)[..., 0]
    step = np.full((n, P), _STEP0)
    vel = np.zeros_like(zc)                                      # last accepted displacement
    free = [_free(t, s) for _, t, s in probs]
    moves = [(p, d, sign) for p in range(P) for d in free[p] for sign in (1.0, -1.0)]
    moves += [(p, -1, 0.0) for p in range(P)]                    # Hooke-Jeeves pattern moves
    cp = [probs[p] for p, _, _ in moves]
    pi = np.array([p for p, _, _ in moves])
    rows = np.arange(n)
    for _ in range(_ITERS):
        zt = zc[:, pi].copy()                                     # (n, C, 4)
        for c, (p, d, sign) in enumerate(moves):
            if d < 0:
                zt[:, c] += vel[:, p]
            else:
                zt[:, c, d] += sign * step[:, p]
        np.clip(zt, -_ZMAX, _ZMAX, out=zt)
        ft = _evaluate(y[active], m, cp, zt[active], inits_sub(inits, active), nobs[active])
        full = np.full((n, len(moves)), np.inf)
        full[active] = ft
        for p in range(P):
            cs = np.flatnonzero(pi == p)
            j = cs[np.argmin(full[:, cs], axis=1)]
            better = full[rows, j] < fc[:, p] - 1e-10
            znew = np.where(better[:, None], zt[rows, j], zc[:, p])
            pattern = better & (j == cs[-1])
            vel[:, p] = np.where(pattern[:, None], 2 * vel[:, p], znew - zc[:, p])
            zc[:, p] = znew
            fc[:, p] = np.where(better, full[rows, j], fc[:, p])
            step[:, p] = np.where(better, step[:, p], step[:, p] / 2)
    return zc, fc


def inits_sub(inits: dict, rows: np.ndarray) -> dict:
    return {k: (v[0][rows], v[1][rows], v[2][rows]) for k, v in inits.items()}


def _key(y: np.ndarray, h: int, m: int, forms) -> str:
    dig = hashlib.sha256(np.ascontiguousarray(y).tobytes())
    dig.update(repr((y.shape, h, m, forms)).encode())
    return dig.hexdigest()


def fit(y, h: int, m: int, forms=FORMS) -> ETSFit:
    """Fit every eligible form per series, choose by AICc; see the module docstring.

    The last results are memoised on (data, h, m, forms), so ``autoets`` and ``damped`` on
    the same panel cost one fit.
    """
    y = _panel(y)
    key = _key(y, h, m, tuple(forms))
    with _MEMO_LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    n, T = y.shape
    m = max(int(m), 1)
    obs = ~np.isnan(y)
    nobs = obs.sum(axis=1)
    if not nobs.any():                              # no data at all: forecasts 0 (NaN raw)
        empty = np.full(n, "", dtype=object)
        return ETSFit(empty, np.full((n, 4), np.nan), np.full(n, np.inf), np.full(n, np.nan),
                      np.full((n, h), np.nan), empty.copy(), np.full((n, h), np.nan))
    positive = np.where(obs, y, np.inf).min(axis=1) > 0
    forms = [f for f in forms if f[2] == "N" or m > 1]
    elig = np.stack([_eligible(f, m, nobs, positive) for f in forms], axis=1)      # (n, F)
    base = forms.index(("A", "N", "N")) if ("A", "N", "N") in forms else 0
    elig[:, base] |= ~elig.any(axis=1)                          # fallback: SES
    elig &= (nobs > 0)[:, None]
    keep = [j for j in range(len(forms)) if elig[:, j].any()]
    forms, elig = [forms[j] for j in keep], elig[:, keep]
    inits = {(t, s): heuristic_init(y, m, s) for t, s in {(f[1], f[2]) for f in forms}}
    active = np.flatnonzero(elig.any(axis=1))
    zc, negll = _optimise(y, m, forms, inits, nobs, active) if forms else (np.zeros((n, 0, 4)), np.zeros((n, 0)))
    k = np.array([n_params(t, s, m) for _, t, s in forms], dtype=float)
    nn = nobs[:, None].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        aicc = 2 * negll + 2 * k + 2 * k * (k + 1) / (nn - k - 1)
    aicc = np.where(elig & (nn - k - 1 > 0) & np.isfinite(aicc), aicc, np.inf)
    fallback = np.where(elig, np.where(np.isfinite(aicc), aicc, 1e300), np.inf)  # e.g. n too small for AICc
    choice = np.argmin(np.where(np.isfinite(aicc).any(axis=1, keepdims=True), aicc, fallback), axis=1)
    damped_cols = np.array([f[1] == "Ad" for f in forms])
    dscore = np.where(damped_cols[None, :], aicc, np.inf)
    dchoice = np.where(np.isfinite(dscore).any(axis=1), np.argmin(dscore, axis=1), choice)
    fc, sig, params = np.zeros((n, h)), np.full(n, np.nan), np.full((n, 4), np.nan)
    dfc = np.zeros((n, h))
    for which, pick in (("main", choice), ("damped", dchoice)):
        for j, form in enumerate(forms):
            rows = np.flatnonzero((pick == j) & (nobs > 0))
            if not len(rows):
                continue
            par = _expit(zc[rows, j], _LO, _HI)
            e, t, s = form
            stat = (par[:, 0], par[:, 1] * par[:, 0], par[:, 2] * (1 - par[:, 0]), par[:, 3])
            l0, b0, s0 = (v[rows] for v in inits[(t, s)])
            yhat, _, out = smooth(y[rows], m, form, stat, l0, b0, s0, h=h)
            if which == "main":
                fc[rows] = out
                params[rows] = np.column_stack(stat)
                with np.errstate(invalid="ignore", divide="ignore"):
                    res = y[rows] - yhat if e == "A" else (y[rows] - yhat) / yhat
                sig[rows] = np.nanmean(res * res, axis=1)
            else:
                dfc[rows] = out
    names = np.array(["".join(f) for f in forms] or [""], dtype=object)
    choice = np.where(nobs > 0, choice, -1)
    names = np.r_[names, np.array([""], dtype=object)]          # index -1: no data
    dchoice = np.where(nobs > 0, dchoice, -1)
    result = ETSFit(names[choice] if forms else np.full(n, "", dtype=object), params,
                    np.where(nobs > 0, aicc[np.arange(n), choice], np.inf) if forms else np.full(n, np.inf), sig,
                    np.where(np.isfinite(fc), fc, np.nan), names[dchoice] if forms else np.full(n, "", dtype=object),
                    np.where(np.isfinite(dfc), dfc, np.nan))
    with _MEMO_LOCK:
        _MEMO[key] = result
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return result


def _finish(f: np.ndarray, y) -> np.ndarray:
    """Non-finite forecasts to 0; clipped at 0 for a series never negative (demand), not otherwise."""
    y = np.atleast_2d(np.asarray(y, dtype=np.float64))
    floor = np.where(np.any(np.where(np.isnan(y), 0.0, y) < 0, axis=1), -np.inf, 0.0)
    return np.maximum(np.where(np.isfinite(f), f, 0.0), floor[:, None])


def autoets(y, h: int, m: int) -> np.ndarray:
    """ETS chosen by AICc per series (see the module docstring); (n, h), finite, >= 0 for demand."""
    return _finish(fit(y, h, m).forecast, y)


def damped(y, h: int, m: int) -> np.ndarray:
    """The damped-trend ETS form with the lowest AICc per series; (n, h), finite and >= 0."""
    return _finish(fit(y, h, m).damped_forecast, y)
