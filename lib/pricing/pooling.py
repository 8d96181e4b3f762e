"""Partial pooling of SKU elasticities toward their category: a normal hierarchical model.

    pool(groups, levels=(0.95,)) -> list of PoolResult (one per group, same order)

Model (Gelman et al., Bayesian Data Analysis, 3rd ed., section 5.4): a SKU's own estimate b_j with
standard error s_j is b_j ~ N(theta_j, s_j^2); the SKU elasticities of a category are
theta_j ~ N(mu, tau^2). Priors: flat on mu, uniform on tau (BDA 5.4 and Gelman 2006 recommend the
uniform prior on tau, not on tau^2, for few groups). Given tau everything is normal:

    mu | tau, b      ~ N(mu_hat, V_mu),  V_mu = 1 / sum 1/(s_j^2 + tau^2)
    theta_j | tau, b ~ N(mu_hat + w_j (b_j - mu_hat), w_j s_j^2 + (1 - w_j)^2 V_mu),  w_j = tau^2/(tau^2 + s_j^2)

and p(tau | b) is proportional to V_mu^(1/2) prod (s_j^2 + tau^2)^(-1/2) exp(-(b_j - mu_hat)^2 / (2(s_j^2 + tau^2))).
It is evaluated on a grid of tau and the SKU's posterior is the mixture of the normals above over that
grid: the interval carries the shrinkage, the uncertainty of the category mean and that of tau, with no
floor on tau. The reported value is the posterior median (it minimises the expected absolute error).

One tau for the store. Per category tau is rarely identified: a SKU estimate resting on a few list-price
moves has a standard error of 1 to 2, and the posterior of a category's tau then spans 0 to 1.5 (the
demo store); the spread is assumed alike across categories, each of which keeps its own mean. With a
single group this is that group's tau.

The category mean. When a group gives ``mu``, ``se_mu`` and the SKU weights ``h`` of a pooled fit (one
common slope over all the category's SKUs, also those without an estimate of their own), mu is that
fit's value, not re-estimated from the b_j: var(mu | tau) = se_mu^2 + tau^2 sum g_j^2 (g_j = h_j / sum h),
and the likelihood of tau uses b_j - mu ~ N(0, s_j^2 + tau^2 + var(mu) - 2 cov(b_j, mu)) with
cov(b_j, mu) = se_mu^2 + g_j tau^2 (without that covariance tau comes out too small). Without a pooled
fit mu has the flat prior above. A SKU with no estimate of its own gets the predictive distribution of
a new SKU of its category: N(mu, var(mu) + tau^2) mixed over tau. A group with neither SKU estimates
nor a pooled fit gets NaN.

The grid: GRID points, cubic in u in [0, 1] (dense near tau = 0, where shrinkage is decided) up to three
times the largest range of SKU estimates plus standard error, weighted for the uniform prior on tau.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

__all__ = ["pool", "Group", "PoolResult", "GRID"]

GRID = 400  # tau grid points


@dataclass
class Group:
    b: np.ndarray          # SKU estimates (NaN: no estimate of its own)
    s: np.ndarray          # their standard errors
    mu: float = np.nan     # the group's mean from a pooled fit (optional; see pool)
    se_mu: float = np.nan
    h: np.ndarray | None = None  # each SKU's weight in that pooled fit (its price information)


@dataclass
class PoolResult:
    median: np.ndarray     # per SKU
    lo: dict               # level -> per SKU lower bound
    hi: dict
    mu: float              # posterior median of the group mean
    mu_lo: dict
    mu_hi: dict
    tau: float             # posterior median of tau (the store's)


def _anchor(g: Group, tau2: np.ndarray) -> tuple:
    """(mu, V_mu) per grid point from the group's pooled fit, or () without one.

    The pooled fit's mean weights SKU j by its price information h_j, so beyond its own sampling
    variance it varies with the SKU elasticities around mu by tau^2 sum h_j^2 / (sum h_j)^2."""
    if not (np.isfinite(g.mu) and np.isfinite(g.se_mu) and g.h is not None and np.nansum(g.h) > 0):
        return ()
    h = np.nan_to_num(g.h)
    return np.full(len(tau2), g.mu), g.se_mu**2 + tau2 * np.sum(h**2) / np.sum(h) ** 2


def _share(g: Group, e: np.ndarray) -> np.ndarray | None:
    """Each estimated SKU's weight h_j / sum h in the pooled fit's mean (None without one)."""
    if g.h is None or not np.nansum(g.h) > 0:
        return None
    h = np.nan_to_num(g.h)
    return h[e] / h.sum()


def _loglik(b: np.ndarray, s2: np.ndarray, tau2: np.ndarray, mu_a=None, v_a=None, share=None, se_mu=0.0):
    """log p(tau | b) up to a constant, mu_hat and V_mu per grid point (tau2: grid, shape G).

    With a pooled fit's mean (mu_a, v_a per grid point): b_j - mu_a ~ N(0, s_j^2 + tau^2 + v_a - 2 c_j),
    c_j = cov(b_j, mu_a) = se_mu^2 + g_j tau^2, g_j = h_j / sum h: the pooled mean holds SKU j's
    elasticity with weight g_j, and its sampling error is the efficient part of b_j's (the pooled
    fit is the SKU's slope without its own trend and season, pooled with weights h)."""
    if mu_a is not None:
        g = np.zeros(len(b)) if share is None else share
        v = s2[None, :] + tau2[:, None] * (1 - 2 * g[None, :]) + v_a[:, None] - 2 * se_mu**2
        v = np.maximum(v, 1e-12)
        ll = -0.5 * np.log(v).sum(axis=1) - 0.5 * ((b[None, :] - mu_a[:, None]) ** 2 / v).sum(axis=1)
        return ll, mu_a, v_a
    v = s2[None, :] + tau2[:, None]                       # G x k
    w = 1.0 / v
    v_mu = 1.0 / w.sum(axis=1)
    mu = v_mu * (w * b[None, :]).sum(axis=1)
    ll = 0.5 * np.log(v_mu) - 0.5 * np.log(v).sum(axis=1) - 0.5 * (w * (b[None, :] - mu[:, None]) ** 2).sum(axis=1)
    return ll, mu, v_mu


def _quantiles(p: np.ndarray, m: np.ndarray, sd: np.ndarray, qs: list[float]) -> np.ndarray:
    """Quantiles of mixtures: rows of m, sd (n x G) with the grid weights p (G); returns n x len(qs)."""
    out = np.empty((m.shape[0], len(qs)))
    sd = np.maximum(sd, 1e-12)
    for i, q in enumerate(qs):
        lo = (m - 10 * sd).min(axis=1)
        hi = (m + 10 * sd).max(axis=1)
        for _ in range(50):                                # bisection: 2^-50 of the bracket
            mid = 0.5 * (lo + hi)
            below = (ndtr((mid[:, None] - m) / sd) * p[None, :]).sum(axis=1) < q
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        out[:, i] = 0.5 * (lo + hi)
    return out


def pool(groups: list[Group], levels: tuple[float, ...] = (0.95,)) -> list[PoolResult]:
    """Posterior median and intervals per SKU and for each group's mean (see the module docstring)."""
    est = [np.isfinite(g.b) & np.isfinite(g.s) & (g.s > 0) for g in groups]
    spread = [np.ptp(g.b[e]) + g.s[e].max() for g, e in zip(groups, est, strict=True) if e.any()]
    top = 3.0 * max(spread) if spread else 1.0
    u = (np.arange(GRID) + 0.5) / GRID
    tau = top * u**3                        # midpoint rule in u, dense near 0 where shrinkage is decided;
    prior = u**2                            # the uniform prior on tau in u: d tau / du is proportional to u^2
    tau2 = tau**2
    lls = [(_loglik(g.b[e], g.s[e] ** 2, tau2, *_anchor(g, tau2), share=_share(g, e), se_mu=g.se_mu)
            if e.any() else None)
           for g, e in zip(groups, est, strict=True)]
    store = sum(ll[0] for ll in lls if ll is not None) if any(ll is not None for ll in lls) else np.zeros(GRID)
    qs = sorted({0.5, *[(1 - a) / 2 for a in levels], *[(1 + a) / 2 for a in levels]})
    results = []
    for g, e, ll in zip(groups, est, lls, strict=True):
        logp = store
        p = np.exp(logp - logp.max()) * prior
        p /= p.sum()
        n = len(g.b)
        if ll is not None:
            mu, v_mu = ll[1], ll[2]
        elif np.isfinite(g.mu) and np.isfinite(g.se_mu):
            mu, v_mu = _anchor(g, tau2) or (np.full(GRID, g.mu), np.full(GRID, g.se_mu**2))
        else:
            nan = {a: np.full(n, np.nan) for a in levels}
            results.append(PoolResult(np.full(n, np.nan), nan, nan, np.nan, dict.fromkeys(levels, np.nan),
                                      dict.fromkeys(levels, np.nan), np.nan))
            continue
        s2 = np.where(e, g.s, 1.0) ** 2
        w = tau2[None, :] / (tau2[None, :] + s2[:, None])  # n x G
        b = np.where(e, g.b, 0.0)
        m = np.where(e[:, None], mu[None, :] + w * (b[:, None] - mu[None, :]), mu[None, :])
        var = np.where(e[:, None], w * s2[:, None] + (1 - w) ** 2 * v_mu[None, :], v_mu[None, :] + tau2[None, :])
        q = _quantiles(p, np.vstack([m, mu[None, :]]), np.sqrt(np.vstack([var, v_mu[None, :]])), qs)
        at = {x: i for i, x in enumerate(qs)}
        lo = {a: q[:n, at[(1 - a) / 2]] for a in levels}
        hi = {a: q[:n, at[(1 + a) / 2]] for a in levels}
        cdf = np.cumsum(p)
        results.append(PoolResult(q[:n, at[0.5]], lo, hi, float(q[n, at[0.5]]),
                                  {a: float(q[n, at[(1 - a) / 2]]) for a in levels},
                                  {a: float(q[n, at[(1 + a) / 2]]) for a in levels},
                                  float(tau[np.searchsorted(cdf, 0.5)])))
    return results
