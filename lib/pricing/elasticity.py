"""Own-price elasticities per SKU, partially pooled toward their category.

    elasticities(sales, by="sku", min_price_cv=0.02, as_of=None)
    -> DataFrame[sku, category, elasticity, lo, hi, n_obs, method, price_cv]  (lo/hi: 95 % interval)

Model. Daily rows are aggregated to weekly SKU rows: units summed over in-stock days, the number of
in-stock days kept as exposure (offset), the mean log *regular* price (the price before any promotion
discount) and the mean log promotion factor log(1 - discount/100) and share of promotion days. Weekly
counts are fitted with a Poisson GLM (log link, fitted by IRLS here): it keeps the many zero weeks of
slow movers that a log-log OLS would have to drop or fudge, and its coefficient on log(price) is the
elasticity of expected units. Standard errors do not trust the Poisson variance: a sandwich lets each
SKU have its own overdispersion and its weeks be autocorrelated (Newey-West within each SKU, Andrews'
plug-in bandwidth; _hac_se).

Identification. Only regular-price moves identify the elasticity: promotion weeks also carry a planted
lift (and email-only promotions reach only part of the demand), so the promotion depth and share enter
as separate regressors. Each category is one regression with SKU fixed effects and week fixed effects
(seasonality and the common trend, per category). The category's pooled fit has one common log-price
slope; a second fit of the same design gives each SKU with enough price variation its own log-price
slope and linear trend (and, with two years of weeks, its own annual cycle when that lowers the
category's quasi-AIC), so its standard error accounts for the shared week effects.

Pooling (lib.pricing.pooling). The SKU estimates b (standard errors s) of a category are treated as
draws around the category mean mu with a between-SKU spread tau: a normal hierarchical model whose
posterior, mixed over the posterior of tau (uniform prior, no floor; one tau for the store, each
category with its own mu taken from its pooled fit), gives each SKU its posterior median and interval.
The interval thus carries the shrinkage, the uncertainty of mu and that of tau. A SKU whose regular
price barely varied (coefficient of variation of the weekly regular price below ``min_price_cv``), with
too little data (MIN_WEEKS, MIN_UNITS) or whose fit failed gets what a new SKU of its category would
have: mu with the interval of N(mu, var(mu) + tau^2), wide because its own data says nothing. With no
price move anywhere in a category the elasticity is NaN rather than a guess.

Warehouse input: history() prices each day at the last earlier non-promotion sale; that lag is undone
first (see _realign_regular).
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import linalg, sparse

from lib.pricing.pooling import Group, pool

__all__ = ["elasticities", "estimate", "fit_pooled", "METHOD_SKU", "METHOD_CATEGORY", "METHOD_POOLED", "MIN_WEEKS", "MIN_UNITS"]

METHOD_SKU = "sku, pooled toward category"
METHOD_CATEGORY = "category (price did not vary)"
METHOD_POOLED = "category, pooled across SKUs"  # rows of by="category"
MIN_WEEKS = 20  # fewer in-stock weeks than this: the SKU gets the category estimate
MIN_UNITS = 20  # fewer units sold in total than this: likewise
# SKUs of a category rarely share one seasonal shape: with two full years of weeks (less than two cycles
# cannot be told apart from the SKU's trend and its price moves) a second fit gives each SKU with its own
# slope its own annual cycle (one harmonic), kept when it lowers the category's quasi-AIC
SEASON_WEEKS = 104
COLUMNS = ["sku", "category", "elasticity", "lo", "hi", "n_obs", "method", "price_cv"]


def _from_warehouse(wh, as_of: date | None) -> pd.DataFrame:
    from lib.forecast.data import history

    if as_of is None:
        raise ValueError("as_of is required when reading a warehouse")
    h = history(wh, as_of).rename(columns={"unique_id": "sku", "y": "units"})
    return h.assign(price=_realign_regular(h) * (1 - h["promo"] / 100))


def _realign_regular(h: pd.DataFrame) -> pd.Series:
    """Regular price per day from history's rows, realigned to when the price was seen.

    history() prices a day at the last *earlier* non-promotion sale, and days before the first such
    sale at today's list price. A price change then shows up only at the next sale (weeks late for slow
    movers) and early days carry a later price: both blur the price moves that identify the elasticity.
    The price of each non-promotion sale day t is read from day t + 1; days between two such sales take
    the nearer sale's price, days before the first (after the last) the first (last) one's price.
    """
    h = h.sort_values(["sku", "ds"])
    reg = h["price"] / (1 - h["promo"] / 100)
    nxt = h.groupby("sku")["ds"].shift(-1)
    consecutive = (nxt - h["ds"]) == pd.Timedelta(days=1)
    own = reg.groupby(h["sku"]).shift(-1).where(consecutive & (h["units"] > 0) & (h["promo"] == 0))
    day = pd.Series(h["ds"].to_numpy(), index=h.index).where(own.notna())
    by = h["sku"]
    prev_p, next_p = own.groupby(by).ffill(), own.groupby(by).bfill()
    prev_d, next_d = day.groupby(by).ffill(), day.groupby(by).bfill()
    take_next = prev_p.isna() | (next_p.notna() & ((next_d - h["ds"]) < (h["ds"] - prev_d)))
    out = prev_p.where(~take_next, next_p).fillna(reg)
    return out


def _weekly(sales: pd.DataFrame) -> pd.DataFrame:
    """Weekly SKU rows [sku, category, week, units, days, log_price, promo_log, promo_share]."""
    d = sales.copy()
    if "in_stock" in d:
        d = d[d["in_stock"].astype(bool)]
    d = d[(d["price"] > 0) & d["units"].notna()]
    d["ds"] = pd.to_datetime(d["ds"])
    promo = d["promo"].fillna(0.0).astype(float).to_numpy() if "promo" in d else np.zeros(len(d))
    is_pct = promo.max(initial=0.0) > 1.0  # discount percent; else a 0/1 flag with the paid price
    depth = np.clip(promo, 0.0, 95.0) / 100.0 if is_pct else np.zeros(len(d))
    d["log_price"] = np.log(d["price"].to_numpy(dtype=float)) - np.log1p(-depth)  # regular price
    d["promo_log"] = np.log1p(-depth)
    d["promo_share"] = (promo > 0).astype(float)
    d["week"] = d["ds"] - pd.to_timedelta(d["ds"].dt.day_of_week, unit="D")
    g = d.groupby(["sku", "week"], as_index=False).agg(
        category=("category", "first"), units=("units", "sum"), days=("units", "size"),
        log_price=("log_price", "mean"), promo_log=("promo_log", "mean"),
        promo_share=("promo_share", "mean"))
    return g


def _price_cv(weekly: pd.DataFrame) -> pd.Series:
    """Coefficient of variation of the weekly regular price, per SKU."""
    p = np.exp(weekly["log_price"])
    by = p.groupby(weekly["sku"])
    return (by.std(ddof=0) / by.mean()).fillna(0.0)


class _Fit(NamedTuple):
    params: np.ndarray
    mu: np.ndarray          # fitted means
    a_inv: np.ndarray       # inverse Poisson information (X' diag(mu) X)^-1 (pseudo-inverse)


def _glm(y: np.ndarray, X: np.ndarray, offset: np.ndarray, maxiter: int = 100, tol: float = 1e-9):
    """Poisson GLM (log link) by iteratively reweighted least squares on the normal equations; None when
    not finite. The design is mostly 0/1 dummies (SKUs, weeks), so its products are taken sparse, and the
    p x p system is solved by Cholesky; a rank-deficient (or nearly so) design falls back to the
    pseudo-inverse, which fits it on its range. Same fit as the dense pseudo-inverse every step (checked
    against statsmodels in the tests), several times faster: this is the Pricing page's first open."""
    xs = sparse.csr_matrix(X)
    xt = xs.T.tocsr()
    mu = y + 0.5
    eta = np.log(mu)
    dev_old = np.inf
    for _ in range(maxiter):
        info = _information(xs, xt, mu)
        beta = _solve(info, xt @ (mu * (eta - offset) + (y - mu)))
        eta = np.clip(xs @ beta + offset, -50.0, 50.0)
        mu = np.exp(eta)
        dev = 2.0 * np.sum(np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0) - (y - mu))
        if abs(dev - dev_old) <= tol * (abs(dev) + 0.1):
            break
        dev_old = dev
    a_inv = _solve(_information(xs, xt, mu), None)
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(a_inv))):
        return None
    return _Fit(beta, mu, a_inv)


def _information(xs, xt, mu: np.ndarray) -> np.ndarray:
    """X' diag(mu) X as a dense p x p array, from the sparse design and its transpose."""
    return np.asarray((xt @ xs.multiply(mu[:, None]).tocsc()).todense())


def _solve(a: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """a^-1 b (b None: a^-1) for a symmetric positive semi-definite ``a``: Cholesky when its pivots are
    well away from zero (smallest at least 1e-7 of the largest), else the pseudo-inverse."""
    try:
        c, lower = linalg.cho_factor(a, lower=True, check_finite=False)
        d = np.diag(c)
        if d.min() > 1e-7 * d.max():
            return linalg.cho_solve((c, lower), np.eye(len(a)) if b is None else b, check_finite=False)
    except (linalg.LinAlgError, ValueError):
        pass
    a_inv = np.linalg.pinv(a, hermitian=True)
    return a_inv if b is None else a_inv @ b


def _varying(cols: list[np.ndarray]) -> list[np.ndarray]:
    """The columns that add rank to a constant and the columns kept before them (a promo share is
    dropped when every promotion had the same depth; a column that never varies is dropped)."""
    kept: list[np.ndarray] = []
    for c in cols:
        if np.linalg.matrix_rank(np.column_stack([np.ones(len(c)), *kept, c])) == len(kept) + 2:
            kept.append(c)
    return kept


def _design(w: pd.DataFrame, slopes: np.ndarray | None, season: bool = False) -> tuple[np.ndarray, int]:
    """Category design: price term(s), promo terms, SKU and week fixed effects (+ SKU trends).

    ``slopes`` None: one common log-price slope. Else a boolean per SKU category code: those SKUs get
    their own log-price slope and linear trend. Returns (X, number of leading price columns)."""
    sku = pd.Categorical(w["sku"])
    week = pd.Categorical(w["week"])
    lp = w["log_price"].to_numpy() - w.groupby("sku")["log_price"].transform("mean").to_numpy()
    sku_d = np.eye(len(sku.categories))[sku.codes]
    week_d = np.eye(len(week.categories))[week.codes][:, 1:]
    extra = _varying([w["promo_log"].to_numpy(), w["promo_share"].to_numpy()])
    if slopes is None:
        return np.column_stack([lp, *extra, sku_d, week_d]), 1
    t = (w["week"] - w["week"].min()).dt.days.to_numpy() / 365.25
    own = sku_d[:, slopes]
    trend = sku_d[:, slopes & (np.arange(len(slopes)) > 0)]  # the week effects hold the first SKU's
    cols = [trend * t[:, None]]
    if season:   # the SKU's own annual cycle (first harmonic), beside the category's
        cols += [trend * np.sin(2 * np.pi * t)[:, None], trend * np.cos(2 * np.pi * t)[:, None]]
    return np.column_stack([own * lp[:, None], *extra, *cols, sku_d, week_d]), int(slopes.sum())


def _hac_se(r: _Fit, y: np.ndarray, X: np.ndarray, k: int, group: np.ndarray) -> np.ndarray:
    """Standard errors of the first k coefficients from a sandwich that lets each SKU have its own
    overdispersion and its weeks be autocorrelated: the bread is the Poisson information, the meat a
    Bartlett-kernel (Newey-West) long-run variance of each coefficient's influence series within each
    SKU's rows (sorted by week), with Andrews' (1991) AR(1) plug-in bandwidth 1.1447 (alpha T)^(1/3),
    alpha = 4 rho^2 / ((1 - rho)^2 (1 + rho)^2), rho the series' lag-1 autocorrelation (at most 0.97 in
    size, as Andrews truncates it), and the n/(n - p) small-sample factor of the Pearson dispersion."""
    mu = r.mu
    a_inv = r.a_inv[:, :k]
    z = (X * (y - mu)[:, None]) @ a_inv          # each row's influence on each coefficient
    n = len(z)
    t_len = int(np.bincount(group).max())

    def autocov(lag: int) -> np.ndarray:
        same = group[lag:] == group[:-lag]
        return (z[lag:] * z[:-lag] * same[:, None]).sum(axis=0)

    var0 = (z**2).sum(axis=0)
    rho = np.clip(autocov(1) / np.where(var0 > 0, var0, 1.0), -0.97, 0.97) if n > 1 else np.zeros(k)
    alpha = 4 * rho**2 / ((1 - rho) ** 2 * (1 + rho) ** 2)
    band = 1.1447 * (alpha * t_len) ** (1 / 3)             # lags below it get weight 1 - lag/band
    var = var0.copy()
    for lag in range(1, min(int(np.ceil(band.max())), t_len, n)):
        wt = np.clip(1 - lag / np.where(band > 0, band, 1.0), 0.0, None)
        if wt.any():
            var += 2 * wt * autocov(lag)
    return np.sqrt(np.maximum(var, 0.0) * n / max(n - np.linalg.matrix_rank(X.T @ X, hermitian=True), 1))


def _fit(w: pd.DataFrame, slopes: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Price coefficient(s) and standard errors of the category regression (NaN when it fails).

    Standard errors from the sandwich of _hac_se (rows of ``w`` are sorted by SKU and week)."""
    X, k = _design(w, slopes)
    if not np.ptp(X[:, :k], axis=0).all():  # a price that never moved identifies nothing
        return np.full(k, np.nan), np.full(k, np.nan)
    y = w["units"].to_numpy(float)
    off = np.log(w["days"].to_numpy(float))
    r = _glm(y, X, off)
    if r is not None and slopes is not None and w["week"].nunique() >= SEASON_WEEKS:
        X2, _ = _design(w, slopes, season=True)
        r2 = _glm(y, X2, off)
        if r2 is not None and _qaic(y, r2, X2, r2) < _qaic(y, r, X, r2):
            X, r = X2, r2
    if r is None:
        return np.full(k, np.nan), np.full(k, np.nan)
    return r.params[:k], _hac_se(r, y, X, k, pd.Categorical(w["sku"]).codes.astype(np.int64))


def _qaic(y: np.ndarray, r: _Fit, X: np.ndarray, big: _Fit) -> float:
    """Quasi-AIC (Burnham and Anderson 2002): deviance / dispersion + 2 x parameters, the dispersion
    (Pearson) from the larger model ``big``, so that the SKU seasons are kept only when they explain
    more than their two parameters per SKU cost."""
    phi = np.sum((y - big.mu) ** 2 / big.mu) / max(len(y) - len(big.params), 1)
    dev = 2.0 * np.sum(np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / r.mu), 0.0) - (y - r.mu))
    return dev / phi + 2 * np.linalg.matrix_rank(X.T @ X, hermitian=True)


def _category_rows(cat: str, w: pd.DataFrame, cv: pd.Series, min_price_cv: float) -> pd.DataFrame:
    """The category's SKU rows [sku, category, n_obs, price_cv, b, s] (b, s: the SKU's own estimate,
    NaN without one); attrs hold mu, se_mu of the common-slope fit."""
    w = w.sort_values(["sku", "week"])
    units = w.groupby("sku")["units"].sum()
    out = pd.DataFrame({"sku": units.index, "category": cat, "n_obs": w.groupby("sku").size().to_numpy(),
                        "price_cv": cv.reindex(units.index).to_numpy()})
    enough = ((out["price_cv"] >= min_price_cv) & (out["n_obs"] >= MIN_WEEKS)
              & (units.to_numpy() >= MIN_UNITS)).to_numpy()
    out["b"], out["s"] = np.nan, np.nan
    if enough.any():
        b, s = _fit(w, enough)
        out.loc[enough, "b"], out.loc[enough, "s"] = b, s
    mu, se_mu, h = np.nan, np.nan, None
    if (out["price_cv"].fillna(0.0) >= min_price_cv).any():  # else the fit's ~0 +/- 0 would be made up
        (mu, ), (se_mu, ) = _fit(w, None)
        lp = w["log_price"] - w.groupby("sku")["log_price"].transform("mean")
        h = (w["units"] * lp**2).groupby(w["sku"]).sum().reindex(out["sku"]).to_numpy()
    out.attrs.update(mu=mu, se_mu=se_mu, h=h)
    return out


def elasticities(sales, by: str = "sku", *, min_price_cv: float = 0.02, as_of=None) -> pd.DataFrame:
    """Own-price elasticity per SKU (by="sku") or per category (by="category"), with 95 % intervals.

    ``sales``: DataFrame [sku, category, ds, units, price, promo] (optionally in_stock), daily or
    weekly rows, or a lib.warehouse.Warehouse (read with lib.forecast.data.history at ``as_of``).
    """
    if by not in ("sku", "category"):
        raise ValueError(f"by must be 'sku' or 'category', not {by!r}")
    skus, cats = estimate(sales, min_price_cv=min_price_cv, as_of=as_of)
    return skus if by == "sku" else cats


def fit_pooled(sales: pd.DataFrame, *, min_price_cv: float = 0.02, levels: tuple[float, ...] = (0.95,)):
    """(category parts, lib.pricing.pooling results) for a non-empty sales frame: every category's SKU
    rows with their own estimates (b, s), and the pooled posterior with intervals at ``levels``."""
    sales = sales.assign(category=sales["category"].fillna("(no category)").astype(str),
                         sku=sales["sku"].astype(str))
    w = _weekly(sales)
    cv = _price_cv(w)
    parts = [_category_rows(str(cat), wc, cv, min_price_cv) for cat, wc in w.groupby("category", sort=True)]
    pooled = pool([Group(p["b"].to_numpy(), p["s"].to_numpy(), p.attrs["mu"], p.attrs["se_mu"], p.attrs["h"])
                   for p in parts], levels=levels)
    return parts, pooled


def estimate(sales, *, min_price_cv: float = 0.02, as_of=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(SKU rows, category rows) from one fit: what elasticities(by="sku") and by="category" return."""
    if not isinstance(sales, pd.DataFrame):
        sales = _from_warehouse(sales, as_of)
    if sales.empty:
        return pd.DataFrame({c: [] for c in COLUMNS}), pd.DataFrame({c: [] for c in COLUMNS})
    parts, pooled = fit_pooled(sales, min_price_cv=min_price_cv)
    cats = []
    for part, res in zip(parts, pooled, strict=True):
        own = np.isfinite(part["b"]) & np.isfinite(part["s"]) & (part["s"] > 0)
        part["elasticity"], part["lo"], part["hi"] = res.median, res.lo[0.95], res.hi[0.95]
        part["method"] = np.where(own, METHOD_SKU, METHOD_CATEGORY)
        cats.append({"sku": None, "category": part["category"].iloc[0], "elasticity": res.mu,
                     "lo": res.mu_lo[0.95], "hi": res.mu_hi[0.95], "n_obs": int(part["n_obs"].sum()),
                     "method": METHOD_POOLED, "price_cv": float(part["price_cv"].median())})
    out = pd.concat(parts, ignore_index=True)[COLUMNS]
    return out.sort_values("sku", ignore_index=True), pd.DataFrame(cats, columns=COLUMNS)
