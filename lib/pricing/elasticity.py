"""Own-price elasticities per SKU, partially pooled toward their category.

    elasticities(sales, by="sku", min_price_cv=0.02, as_of=None)
    -> DataFrame[sku, category, elasticity, lo, hi, n_obs, method, price_cv]  (lo/hi: 95 % interval)

Model. Daily rows are aggregated to weekly SKU rows: units summed over in-stock days, the number of
in-stock days kept as exposure (offset), the mean log *regular* price (the price before any promotion
discount) and the mean log promotion factor log(1 - discount/100) and share of promotion days. Weekly
counts are fitted with a quasi-Poisson GLM (log link, dispersion from Pearson chi2): it keeps the many
zero weeks of slow movers that a log-log OLS would have to drop or fudge, and its coefficient on
log(price) is the elasticity of expected units.

Identification. Only regular-price moves identify the elasticity: promotion weeks also carry a planted
lift (and email-only promotions reach only part of the demand), so the promotion depth and share enter
as separate regressors. Each category is one regression with SKU fixed effects and week fixed effects
(seasonality and the common trend, per category). The category elasticity is its common log-price
coefficient; a second fit of the same design gives each SKU with enough price variation its own
log-price slope and linear trend, so its standard error accounts for the shared week effects.

Pooling. Each SKU estimate b (standard error s) is shrunk toward the category elasticity mu by
precision weighting: w = tau2 / (tau2 + s^2), estimate mu + w (b - mu), variance
w s^2 + (1 - w)^2 se_mu^2, with tau2 the between-SKU variance (DerSimonian-Laird moment estimate from
the SKU estimates, at least TAU_FLOOR^2). A SKU whose regular price barely varied (coefficient of
variation of the weekly regular price below ``min_price_cv``), with too little data (MIN_WEEKS,
MIN_UNITS) or whose fit failed gets the category estimate with the interval a new SKU of the category
would have: mu +/- 1.96 sqrt(se_mu^2 + tau2), wide because its own data says nothing. With no price
move anywhere in a category the elasticity is NaN rather than a guess.

Warehouse input: history() prices each day at the last earlier non-promotion sale; that lag is undone
first (see _realign_regular).
"""
from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pandas as pd
import statsmodels.api as sm

__all__ = ["elasticities", "estimate", "METHOD_SKU", "METHOD_CATEGORY", "METHOD_POOLED", "MIN_WEEKS", "MIN_UNITS",
           "TAU_FLOOR"]

METHOD_SKU = "sku, pooled toward category"
METHOD_CATEGORY = "category (price did not vary)"
METHOD_POOLED = "category, pooled across SKUs"  # rows of by="category"
MIN_WEEKS = 20  # fewer in-stock weeks than this: the SKU gets the category estimate
MIN_UNITS = 20  # fewer units sold in total than this: likewise
TAU_FLOOR = 0.3  # prior minimum between-SKU spread of elasticities within a category (see _tau2)
_Z = 1.959963984540054  # 97.5 % normal quantile
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


def _glm(y: np.ndarray, X: np.ndarray, offset: np.ndarray):
    """Quasi-Poisson fit; returns the results or None when it fails or is not finite."""
    try:
        with warnings.catch_warnings():     # rank-deficient or separated designs: judged by the checks below
            warnings.simplefilter("ignore")
            r = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(scale="X2", maxiter=100)
    except (np.linalg.LinAlgError, ValueError):
        return None
    if not (np.all(np.isfinite(r.params)) and np.all(np.isfinite(r.bse))):
        return None
    return r


def _varying(cols: list[np.ndarray]) -> list[np.ndarray]:
    """The columns that add rank to a constant and the columns kept before them (a promo share is
    dropped when every promotion had the same depth; a column that never varies is dropped)."""
    kept: list[np.ndarray] = []
    for c in cols:
        if np.linalg.matrix_rank(np.column_stack([np.ones(len(c)), *kept, c])) == len(kept) + 2:
            kept.append(c)
    return kept


def _design(w: pd.DataFrame, slopes: np.ndarray | None) -> tuple[np.ndarray, int]:
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
    t = (w["week"] - w["week"].min()).dt.days.to_numpy() / 364.0
    own = sku_d[:, slopes]
    trend = sku_d[:, slopes & (np.arange(len(slopes)) > 0)]  # the week effects hold the first SKU's
    return np.column_stack([own * lp[:, None], *extra, trend * t[:, None], sku_d, week_d]), int(slopes.sum())


def _fit(w: pd.DataFrame, slopes: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Price coefficient(s) and standard errors of the category regression (NaN when it fails)."""
    X, k = _design(w, slopes)
    if not np.ptp(X[:, :k], axis=0).all():  # a price that never moved identifies nothing
        return np.full(k, np.nan), np.full(k, np.nan)
    r = _glm(w["units"].to_numpy(float), X, np.log(w["days"].to_numpy(float)))
    return (np.full(k, np.nan), np.full(k, np.nan)) if r is None else (r.params[:k], r.bse[:k])


def _tau2(b: np.ndarray, se: np.ndarray) -> float:
    """DerSimonian-Laird between-SKU variance of the SKU estimates, at least TAU_FLOOR^2.

    The moment estimate is 0 whenever the SKU standard errors dwarf the true spread (typical: a few
    list-price changes per SKU give standard errors of 1-2); taken at face value it would claim every
    SKU sits exactly on its category, so a floor keeps the intervals honest."""
    if len(b) < 2:
        return TAU_FLOOR**2
    wt = 1.0 / se**2
    mean = np.sum(wt * b) / wt.sum()
    q = np.sum(wt * (b - mean) ** 2)
    return float(max(TAU_FLOOR**2, (q - (len(b) - 1)) / (wt.sum() - np.sum(wt**2) / wt.sum())))


def _category_rows(cat: str, w: pd.DataFrame, cv: pd.Series, min_price_cv: float) -> pd.DataFrame:
    """The category's SKU rows (COLUMNS + b, s: unpooled estimate); attrs hold mu, se_mu, tau2."""
    (mu,), (se_mu,) = _fit(w, None)
    if not (cv.reindex(w["sku"].unique()).fillna(0.0) >= min_price_cv).any():
        mu, se_mu = np.nan, np.nan      # no SKU's price moved: the fit's ~0 +/- 0 would be a made-up number
    units = w.groupby("sku")["units"].sum()
    out = pd.DataFrame({"sku": units.index, "category": cat, "n_obs": w.groupby("sku").size().to_numpy(),
                        "price_cv": cv.reindex(units.index).to_numpy()})
    enough = ((out["price_cv"] >= min_price_cv) & (out["n_obs"] >= MIN_WEEKS)
              & (units.to_numpy() >= MIN_UNITS)).to_numpy()
    out["b"], out["s"] = np.nan, np.nan
    if enough.any():
        b, s = _fit(w, enough)
        out.loc[enough, "b"], out.loc[enough, "s"] = b, s
    ok = np.isfinite(out["b"]) & np.isfinite(out["s"]) & (out["s"] > 0)
    if not np.isfinite(mu):  # no pooled fit: fall back on the precision-weighted SKU mean
        wt = 1.0 / out.loc[ok, "s"] ** 2
        mu, se_mu = (float(np.sum(wt * out.loc[ok, "b"]) / wt.sum()), float(wt.sum() ** -0.5)) \
            if ok.any() else (np.nan, np.nan)
    tau2 = _tau2(out.loc[ok, "b"].to_numpy(), out.loc[ok, "s"].to_numpy())
    s2 = out["s"].to_numpy() ** 2
    wgt = np.where(ok, tau2 / (tau2 + np.where(ok, s2, 1.0)), 0.0)
    est = np.where(ok, mu + wgt * (out["b"].to_numpy() - mu), mu)
    var = np.where(ok, wgt * np.where(ok, s2, 0.0) + (1 - wgt) ** 2 * se_mu**2, se_mu**2 + tau2)
    half = _Z * np.sqrt(var)
    out["elasticity"], out["lo"], out["hi"] = est, est - half, est + half
    out["method"] = np.where(ok, METHOD_SKU, METHOD_CATEGORY)
    out.attrs.update(mu=mu, se_mu=se_mu, tau2=tau2)
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


def estimate(sales, *, min_price_cv: float = 0.02, as_of=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(SKU rows, category rows) from one fit: what elasticities(by="sku") and by="category" return."""
    if not isinstance(sales, pd.DataFrame):
        sales = _from_warehouse(sales, as_of)
    if sales.empty:
        return pd.DataFrame({c: [] for c in COLUMNS}), pd.DataFrame({c: [] for c in COLUMNS})
    sales = sales.assign(category=sales["category"].fillna("(no category)").astype(str),
                         sku=sales["sku"].astype(str))
    w = _weekly(sales)
    cv = _price_cv(w)
    parts, cats = [], []
    for cat, wc in w.groupby("category", sort=True):
        part = _category_rows(str(cat), wc, cv, min_price_cv)
        parts.append(part)
        a = part.attrs
        half = _Z * a["se_mu"]
        cats.append({"sku": None, "category": str(cat), "elasticity": a["mu"], "lo": a["mu"] - half,
                     "hi": a["mu"] + half, "n_obs": int(part["n_obs"].sum()), "method": METHOD_POOLED,
                     "price_cv": float(part["price_cv"].median())})
    out = pd.concat(parts, ignore_index=True)[COLUMNS]
    return out.sort_values("sku", ignore_index=True), pd.DataFrame(cats, columns=COLUMNS)
