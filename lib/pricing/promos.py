"""Promotion lift: baseline versus incremental units, the post-promotion dip and cannibalisation.

    promo_lift(daily, promotions, dip_days=7) -> {"by_promo", "by_depth", "dip", "cannibalisation", "by_type"}
    lift_intervals(daily, promotions, levels=(0.95, 0.8)) -> the same with intervals at more levels
    promo_categories(promotions, daily)        -> Series: promo_id -> category
    net_incremental(lift, categories)          -> per category and in total: incremental - dip - cannibalised
    dip_by_category(lift, categories) / cannibalisation_by_category(lift, categories)

Input. ``daily`` is lib.forecast.data.history's frame [unique_id, ds, y, price, promo, in_stock,
category]; out-of-stock days (censored demand) are dropped. ``promotions`` is the promotions feed
[promo_id, start_date, end_date, discount_pct, sku, category, type, channel]: a row with a SKU covers
that SKU, a row without one covers every SKU of its category.

Baseline model. One Poisson GLM (statsmodels, log link) per category, fitted on the "clean" SKU-days
only: no promotion running (promo == 0), not within ``dip_days`` after a promotion of the SKU and not a
sibling of a promoted SKU of the category (so neither the dip nor cannibalisation leaks into the
baseline). Regressors: SKU fixed effects, day of week, a linear trend and yearly seasonality of the
category as 3 Fourier pairs of the day of year (a smooth week-of-year effect; only with a year of data
or more), and the log regular price (history's price before the promotion discount, realigned as in
elasticity._realign_regular) demeaned within SKU. The fit predicts every SKU-day's expected units
without promotion: its baseline.

A promotion's SKU-days are the in-stock days it covers on which it is the deepest discount running
(history's promo equals its discount_pct), as overlapping promotions resolve in the demo store.
Limitation: a demand event that falls only on promotion days (the Thanksgiving week spike under Black
Friday) cannot be seen on clean days, so it is counted as lift.

Intervals (95 %; lift_intervals gives other levels). Units U of a set of SKU-days around their
baseline B vary beyond Poisson noise: gamma-like daily overdispersion, demand shocks that persist over
days (a week-long promotion does not average them out), and whatever the baseline misses on those
SKUs (a SKU's own season or trend). A dispersion phi from daily residuals sees the first only. So the
variance is taken from placebo windows instead: every window of the same length (calendar days) over the
same SKUs elsewhere in the history, summed over its clean days (at least half of them clean). Writing
U = Poisson(M x eps) with E eps = 1, the windows give the relative latent variance
v = sum_w [(U_w - B_w)^2 - U_w] / sum_w B_w^2 (method of moments: E(U - B)^2 = E U + var(M eps) + bias^2,
so v also carries the baseline's misfit on such windows), at least 0. The interval of log(U / B) then
combines in quadrature Lancaster's mid-p bounds of U (the Poisson part, right at small counts, where
Garwood's exact bounds over-cover) with a normal part sqrt(v + se(log B)^2), B's own parameter error by the delta method (var B = g' Cov g,
g = sum of mu x over the set, Cov scaled by phi). Its quantile is Student's t with as many degrees of
freedom as non-overlapping placebo windows less one (v is estimated from them). A promotion with fewer
than MIN_WINDOWS placebo windows takes the daily dispersion instead, v = (phi - 1) / B (var U = phi M).
A type x depth bucket pools its promotions: U and B summed, the latent variance sum_p v_p M_p^2
(M_p = bucket lift x B_p; promotions' shocks independent) over U^2.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special, stats

from lib.pricing.effects import ALL_TYPES
from lib.pricing.elasticity import _realign_regular

__all__ = ["promo_lift", "promo_categories", "net_incremental", "dip_by_category", "cannibalisation_by_category",
           "lift_intervals", "DEPTH_BINS", "DEPTH_LABELS", "MIN_WINDOWS", "HARMONICS", "ALL_CATEGORIES", "NO_CATEGORY", "NET_COLUMNS"]

DEPTH_BINS = [0.0, 10.0, 20.0, 30.0, np.inf]  # discount depth buckets [lo, hi): 10 % is in 10-20
DEPTH_LABELS = ["0-10", "10-20", "20-30", "30+"]
HARMONICS = 3  # Fourier pairs of the day of year (yearly seasonality per category)
MIN_WINDOWS = 5  # placebo windows (non-overlapping) needed to estimate a promotion's own variance
ALL_CATEGORIES = "All categories"   # the total row of net_incremental
NO_CATEGORY = "(no category)"
NET_COLUMNS = ["category", "promos", "incremental", "dip", "cannibalised", "net", "less_dip", "less_cannibalised"]


def _prepare(daily: pd.DataFrame) -> pd.DataFrame:
    """In-stock rows [sku, ds, units, category, promo, log_reg], index 0..n-1."""
    d = daily[daily["in_stock"].astype(bool)] if "in_stock" in daily else daily
    d = d.rename(columns={"unique_id": "sku", "y": "units"})[["sku", "ds", "units", "price", "promo", "category"]]
    d = d.assign(ds=pd.to_datetime(d["ds"]), promo=d["promo"].fillna(0.0).astype(float))
    d = d.sort_values(["sku", "ds"]).reset_index(drop=True)
    reg = _realign_regular(d)
    d["log_reg"] = np.log(reg.clip(lower=1e-9).to_numpy(dtype=float))
    d["units"] = d["units"].astype(float)
    return d


def _expand(rows: pd.DataFrame, first: pd.Series, last: pd.Series) -> pd.DataFrame:
    """One row per day of [first, last] for each row of ``rows`` (column ds)."""
    n = np.maximum((last - first).dt.days.to_numpy() + 1, 0)
    out = rows.loc[rows.index.repeat(n)].reset_index(drop=True)
    offs = np.concatenate([np.arange(k) for k in n]) if len(n) else np.zeros(0, int)
    out["ds"] = first.repeat(n).to_numpy() + pd.to_timedelta(offs, unit="D")
    return out


def _members(d: pd.DataFrame, promos: pd.DataFrame, dip_days: int) -> pd.DataFrame:
    """[promo_id, role, row]: the SKU-days in each promotion ("promo"), its dip ("dip") and its
    unpromoted siblings ("sibling", SKU-level promotions only)."""
    p = promos.assign(start=pd.to_datetime(promos["start_date"]), end=pd.to_datetime(promos["end_date"]))
    cat_of = d.groupby("sku")["category"].first()
    p["cat"] = p["sku"].map(cat_of).fillna(p["category"]) if p["sku"].notna().any() else p["category"]
    key = d[["sku", "ds", "category", "promo"]].reset_index(names="row")
    by_sku, by_cat = p[p["sku"].notna()], p[p["sku"].isna()]
    covered = pd.concat([
        _expand(by_sku[["promo_id", "sku"]], by_sku["start"], by_sku["end"]).merge(key, on=["sku", "ds"]),
        _expand(by_cat[["promo_id", "category"]], by_cat["start"], by_cat["end"]).merge(key, on=["category", "ds"]),
    ]).merge(p[["promo_id", "discount_pct"]], on="promo_id")
    covered = covered[np.isclose(covered["promo"], covered["discount_pct"])]  # it is the deepest running
    skus = covered[["promo_id", "sku"]].drop_duplicates().merge(p[["promo_id", "end"]], on="promo_id")
    dip = _expand(skus[["promo_id", "sku"]], skus["end"] + pd.Timedelta(days=1),
                  skus["end"] + pd.Timedelta(days=dip_days)).merge(key, on=["sku", "ds"])
    sib = _expand(by_sku[["promo_id", "sku", "cat"]], by_sku["start"], by_sku["end"]) \
        .rename(columns={"sku": "own", "cat": "category"}).merge(key, on=["category", "ds"])
    sib = sib[(sib["sku"] != sib["own"])]
    parts = [covered.assign(role="promo"), dip[dip["promo"] == 0].assign(role="dip"),
             sib[sib["promo"] == 0].assign(role="sibling")]
    return pd.concat(parts, ignore_index=True)[["promo_id", "role", "row"]]


def _design(c: pd.DataFrame, t0: pd.Timestamp, span_days: int) -> np.ndarray:
    """Category design: SKU dummies, day of week, trend, yearly Fourier terms, log regular price."""
    sku = pd.Categorical(c["sku"])
    cols = [np.eye(len(sku.categories))[sku.codes], np.eye(7)[c["ds"].dt.day_of_week.to_numpy()][:, 1:]]
    t = (c["ds"] - t0).dt.days.to_numpy() / 365.25
    if span_days >= 28:
        cols.append(t[:, None])
    if span_days >= 365:
        doy = 2 * np.pi * c["ds"].dt.day_of_year.to_numpy() / 365.25
        k = np.arange(1, HARMONICS + 1)
        cols += [np.sin(doy[:, None] * k), np.cos(doy[:, None] * k)]
    lp = c["log_reg"] - c.groupby("sku")["log_reg"].transform("mean")
    cols.append(lp.to_numpy()[:, None])
    return np.column_stack(cols)


def _baseline(d: pd.DataFrame, clean: np.ndarray) -> tuple[np.ndarray, dict[str, tuple]]:
    """Baseline mu per row; per category (row positions, X, Cov, phi) for the variance of sums."""
    mu = np.full(len(d), np.nan)
    fits: dict[str, tuple] = {}
    t0 = d["ds"].min()
    span = int((d["ds"].max() - t0).days) + 1
    for cat, c in d.groupby("category", sort=True):
        X = _design(c, t0, span)
        keep = np.ptp(X, axis=0) > 0
        keep[: c["sku"].nunique()] = True  # the SKU dummies are the intercepts
        X = X[:, keep]
        fit_rows = clean[c.index.to_numpy()]
        if not fit_rows.any():
            continue
        sku_seen = X[fit_rows][:, : c["sku"].nunique()].sum(axis=0) > 0
        cols = np.r_[np.nonzero(sku_seen)[0], np.arange(c["sku"].nunique(), X.shape[1])]
        Xf = X[:, cols]
        with warnings.catch_warnings():     # statsmodels warns on small or separated categories; fit kept
            warnings.simplefilter("ignore")
            r = sm.GLM(c["units"].to_numpy()[fit_rows], Xf[fit_rows], family=sm.families.Poisson()).fit(maxiter=100)
        phi = max(1.0, float(r.pearson_chi2 / max(r.df_resid, 1.0)))
        ok = Xf[:, : int(sku_seen.sum())].sum(axis=1) > 0  # SKUs never seen clean get no baseline
        pos = c.index.to_numpy()[ok]
        mu[pos] = np.exp(Xf[ok] @ r.params)
        fits[cat] = (pos, Xf[ok], np.asarray(r.cov_params()) * phi, phi)
    return mu, fits


def _sums(m: pd.DataFrame, keys: list[str], d: pd.DataFrame, mu: np.ndarray,
          fits: dict[str, tuple]) -> pd.DataFrame:
    """Per group of member rows: units, baseline, rows, var of log baseline, dispersion (row-weighted)."""
    m = m.assign(units=d["units"].to_numpy()[m["row"]], baseline=mu[m["row"]])
    m = m[np.isfinite(m["baseline"])].dropna(subset=keys)
    g = m.groupby(keys, sort=True)
    out = g.agg(units=("units", "sum"), baseline=("baseline", "sum"), days=("row", "size"))
    code = g.ngroup().to_numpy()
    var_b = np.zeros(len(out))
    phi_w = np.zeros(len(out))
    for pos, X, cov, phi in fits.values():
        local = pd.Series(np.arange(len(pos)), index=pos).reindex(m["row"].to_numpy()).to_numpy()
        hit = ~np.isnan(local)
        if not hit.any():
            continue
        li = local[hit].astype(int)
        grad = np.zeros((len(out), X.shape[1]))
        np.add.at(grad, code[hit], mu[pos[li]][:, None] * X[li])
        var_b += np.einsum("ij,jk,ik->i", grad, cov, grad)
        phi_w += np.bincount(code[hit], weights=mu[pos[li]] * phi, minlength=len(out))
    out["se_log_b"] = np.sqrt(var_b) / out["baseline"].to_numpy()
    out["phi"] = np.maximum(phi_w / out["baseline"].to_numpy(), 1.0)
    return out.reset_index()


def _placebo(d: pd.DataFrame, mu: np.ndarray, clean: np.ndarray, pm: pd.DataFrame) -> pd.DataFrame:
    """Per promotion (member rows ``pm``: promo_id, row): the relative latent variance v of its units
    from same-length windows over the same SKUs' clean days, and how many non-overlapping windows."""
    sku = pd.Categorical(d["sku"])
    day = (d["ds"] - d["ds"].min()).dt.days.to_numpy()
    ok = clean & np.isfinite(mu)
    shape = (len(sku.categories), int(day.max()) + 1 if len(day) else 0)
    grids = []
    for w in (d["units"].to_numpy(), mu, np.ones(len(d))):
        g = np.zeros(shape)
        np.add.at(g, (sku.codes[ok], day[ok]), np.where(ok, w, 0.0)[ok])
        grids.append(g)
    cache: dict[tuple, tuple[float, float]] = {}
    out = []
    for pid, rows in pm.groupby("promo_id", sort=True)["row"]:
        r = rows.to_numpy()
        codes = tuple(np.unique(sku.codes[r]))
        n_days = int(day[r].max() - day[r].min()) + 1
        key = (codes, n_days)
        if key not in cache:
            sums = [np.concatenate([[0.0], np.cumsum(g[list(codes)].sum(axis=0))]) for g in grids]
            u, base, cnt = (cs[n_days:] - cs[:-n_days] for cs in sums)
            use = cnt >= 0.5 * n_days * len(codes)
            den = np.sum(base[use] ** 2)
            v = max(0.0, float(np.sum((u[use] - base[use]) ** 2 - u[use]) / den)) if den > 0 else np.nan
            cache[key] = (v, use.sum() / n_days)
        out.append((pid, *cache[key]))
    return pd.DataFrame(out, columns=["promo_id", "v", "windows"])


def _mid_p(u: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Lancaster's mid-p bounds of a Poisson mean from a count u: P(X > u) + P(X = u) / 2 = a / 2 at the
    lower, P(X < u) + P(X = u) / 2 = a / 2 at the upper bound (a = 1 - level). Garwood's exact bounds
    cover more than ``level`` at small counts (a count is discrete); mid-p ones cover ``level`` on average
    (Agresti and Gottard, Statistical Science 2007). With regularised gamma functions G (P(X >= u) =
    G(u, lam)) this holds for any u >= 0; solved by bisection inside Garwood's bounds."""
    a = 1 - level
    pos = u > 0
    uu = np.where(pos, u, 1.0)

    def f(lam):   # P(X > u) + P(X = u) / 2
        return 0.5 * (special.gammainc(uu + 1, lam) + special.gammainc(uu, lam))

    out = []
    for target in (a / 2, 1 - a / 2):
        lo, hi = special.gammaincinv(uu, a / 2), special.gammaincinv(uu + 1, 1 - a / 2)   # Garwood's
        for _ in range(60):
            mid = (lo + hi) / 2
            below = f(mid) < target
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        out.append((lo + hi) / 2)
    return np.where(pos, out[0], 0.0), np.where(pos, out[1], np.log(1 / a))


def _interval(units, base, var_latent, df, level: float):
    """Bounds of units / baseline: mid-p Poisson bounds of units and a normal part (relative variance
    ``var_latent``, Student's t with ``df``) added in quadrature on the log scale."""
    u, b = np.asarray(units, float), np.asarray(base, float)
    a = 1 - level
    g_lo, g_hi = _mid_p(u, level)
    s = stats.t.ppf(1 - a / 2, np.maximum(df, 1.0)) * np.sqrt(np.maximum(var_latent, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.log(u / b)
        lo = np.where(u > 0, np.exp(c - np.sqrt((c - np.log(g_lo / b)) ** 2 + s**2)), 0.0)
        hi = np.where(u > 0, np.exp(c + np.sqrt((np.log(g_hi / b) - c) ** 2 + s**2)), g_hi / b * np.exp(s))
    return lo, hi


def _with_bounds(t: pd.DataFrame, var_latent, df, levels) -> pd.DataFrame:
    for lv in levels:
        lo, hi = _interval(t["units"], t["baseline"], var_latent, df, lv)
        sfx = "" if lv == levels[0] else f"_{round(lv * 100)}"
        t[f"lift_lo{sfx}"], t[f"lift_hi{sfx}"] = lo, hi
    return t


def lift_intervals(daily: pd.DataFrame, promotions: pd.DataFrame, *, dip_days: int = 7,
                   levels: tuple[float, ...] = (0.95,)) -> dict[str, pd.DataFrame]:
    """promo_lift's result with intervals at ``levels``: the first in lift_lo / lift_hi, the others in
    lift_lo_80 / lift_hi_80 (the level in percent) on by_promo and by_depth, which also keep v (the
    relative latent variance) and df."""
    d = _prepare(daily)
    promos = promotions.copy()
    m = _members(d, promos, dip_days)
    clean = (d["promo"].to_numpy() == 0)
    clean[m.loc[m["role"] != "promo", "row"].to_numpy()] = False
    mu, fits = _baseline(d, clean)

    pm = m[m["role"] == "promo"]
    pm = pm[np.isfinite(mu[pm["row"].to_numpy()])]
    s = _sums(pm, ["promo_id"], d, mu, fits)
    s = s.merge(promos[["promo_id", "type", "discount_pct"]], on="promo_id")
    s = s.merge(_placebo(d, mu, clean, pm), on="promo_id", how="left")
    few = ~(s["windows"] >= MIN_WINDOWS)   # too few placebo windows: the daily dispersion's variance
    s["v"] = np.where(few, (s["phi"] - 1) / s["baseline"].clip(lower=1e-9), s["v"])
    s["df"] = np.where(few, np.inf, s["windows"] - 1)
    s["incremental"] = s["units"] - s["baseline"]
    s["lift"] = s["units"] / s["baseline"]
    s = _with_bounds(s, s["v"] + s["se_log_b"] ** 2, s["df"], levels)
    extra = [c for c in s.columns if c.startswith(("lift_lo_", "lift_hi_"))]
    by_promo = s[["promo_id", "type", "discount_pct", "days", "units", "baseline", "incremental", "lift",
                  "lift_lo", "lift_hi", *extra, "v", "df"]]

    bucket = pd.cut(promos["discount_pct"].astype(float), DEPTH_BINS, labels=DEPTH_LABELS, right=False)
    pm = pm.merge(promos[["promo_id", "type"]].assign(depth_bucket=bucket.astype(str)), on="promo_id")
    g = _sums(pm, ["type", "depth_bucket"], d, mu, fits)
    keys = ["type", "depth_bucket"]
    parts = s.merge(pm[["promo_id", "depth_bucket"]].drop_duplicates(), on="promo_id")
    parts["a"] = parts["v"] * parts["baseline"] ** 2
    agg = parts.groupby(keys).agg(promos=("promo_id", "nunique"), a=("a", "sum"), b=("baseline", "sum"),
                                  q=("a", lambda x: np.sum(x**2 / parts.loc[x.index, "df"]))).reset_index()
    g = g.merge(agg, on=keys)
    lat = g["a"] / g["b"] ** 2
    df = np.where(g["q"] > 0, g["a"] ** 2 / g["q"].where(g["q"] > 0, 1.0), np.inf)  # Welch-Satterthwaite
    g["lift"] = g["units"] / g["baseline"]
    g["v"], g["df"] = lat, df
    g = _with_bounds(g, lat + g["se_log_b"] ** 2, df, levels)
    extra = [c for c in g.columns if c.startswith(("lift_lo_", "lift_hi_"))]
    by_depth = g[["type", "depth_bucket", "promos", "lift", "lift_lo", "lift_hi", *extra, "v", "df"]]

    # the baseline's parameter error shared by all of a type's promotions (promo_effects' k)
    bt = _sums(pd.concat([pm, pm.assign(type=ALL_TYPES)]), ["type"], d, mu, fits)
    by_type = bt.assign(promos=bt["type"].map(pd.concat([pm, pm.assign(type=ALL_TYPES)])
                                              .groupby("type")["promo_id"].nunique()))
    by_type = by_type[["type", "promos", "units", "baseline", "se_log_b"]]

    dp = _sums(m[m["role"] == "dip"], ["promo_id"], d, mu, fits)
    dip = pd.DataFrame({"promo_id": dp["promo_id"], "dip_units": dp["units"], "dip_baseline": dp["baseline"],
                        "dip_pct": dp["units"] / dp["baseline"] - 1})

    sm_ = m[m["role"] == "sibling"].assign(category=lambda x: d["category"].to_numpy()[x["row"]])
    cs = _sums(sm_, ["promo_id", "category"], d, mu, fits)
    cannibalisation = pd.DataFrame({"promo_id": cs["promo_id"], "category": cs["category"],
                                    "sibling_units": cs["units"], "sibling_baseline": cs["baseline"],
                                    "cannibalised_units": cs["baseline"] - cs["units"]})
    return {"by_promo": by_promo.reset_index(drop=True), "by_depth": by_depth.reset_index(drop=True),
            "dip": dip, "cannibalisation": cannibalisation, "by_type": by_type.reset_index(drop=True)}


def promo_lift(daily: pd.DataFrame, promotions: pd.DataFrame, *, dip_days: int = 7) -> dict[str, pd.DataFrame]:
    """Lift per promotion and per type x depth bucket, the post-promotion dip and cannibalisation.

    by_promo [promo_id, type, discount_pct, days, units, baseline, incremental, lift, lift_lo, lift_hi]
    (days: in-stock SKU-days on which it was the deepest discount running; lift = units / baseline;
    lift_lo / lift_hi: the 95 % interval of the module docstring);
    by_depth [type, depth_bucket, promos, lift, lift_lo, lift_hi] (pooled units / pooled baseline);
    dip [promo_id, dip_units, dip_baseline, dip_pct] over the ``dip_days`` after each promotion on its
    SKUs while unpromoted (dip_pct = dip_units / dip_baseline - 1, negative for a dip);
    cannibalisation [promo_id, category, sibling_units, sibling_baseline, cannibalised_units] for
    SKU-level promotions: the category's unpromoted SKUs during the promotion
    (cannibalised_units = sibling_baseline - sibling_units);
    by_type [type, promos, units, baseline, se_log_b] per promotion type and over all of them (type
    effects.ALL_TYPES): se_log_b is the standard error of the log of their summed baseline from the
    baseline fit's parameters (delta method), an error all of them share (promo_effects' k carries it).
    """
    out = lift_intervals(daily, promotions, dip_days=dip_days, levels=(0.95,))
    out["by_promo"] = out["by_promo"].drop(columns=["v", "df"])
    out["by_depth"] = out["by_depth"].drop(columns=["v", "df"])
    return out


# -- what the promotions added, per category ----------------------------------------------------------------
def promo_categories(promotions: pd.DataFrame, daily: pd.DataFrame | None = None) -> pd.Series:
    """The category of each promotion (index: promo_id as text): its SKU's category in ``daily``
    (history: unique_id, category), else the promotion's own category column, else NO_CATEGORY."""
    cat_of = daily.groupby("unique_id")["category"].first() if daily is not None and len(daily) \
        else pd.Series(dtype=object)
    cat = promotions["sku"].map(cat_of).fillna(promotions["category"]).fillna(NO_CATEGORY)
    return pd.Series(cat.to_numpy(), index=promotions["promo_id"].astype(str)).groupby(level=0).first()


def _with_category(df: pd.DataFrame, categories: pd.Series) -> pd.DataFrame:
    return df.assign(category=df["promo_id"].astype(str).map(categories).fillna(NO_CATEGORY))


def _whole(x) -> np.ndarray:
    """Whole units, halves away from zero (1.5 -> 2, -1.5 -> -2), so shown numbers add up as printed."""
    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def net_incremental(lift: dict[str, pd.DataFrame], categories: pd.Series) -> pd.DataFrame:
    """Net incremental units of past promotions per category (by the promotion's category), and a
    total row (category ALL_CATEGORIES):

    incremental  = units sold during the promotions above their baseline (by_promo.incremental);
    dip          = units below baseline in the days after them (dip_baseline - dip_units; negative when
                   sales stayed above baseline);
    cannibalised = units their unpromoted siblings sold below baseline meanwhile (cannibalised_units);
    net          = incremental - dip - cannibalised.

    Each term is rounded to whole units per category first (halves away from zero) and the total row is
    the sum of the category rows, so the identity holds exactly, to the unit, in every row as shown.
    less_dip = -dip and less_cannibalised = -cannibalised are the terms as they move the net (signed:
    incremental + less_dip + less_cannibalised = net). promos counts the promotions measured.
    -> DataFrame[NET_COLUMNS], categories alphabetically, total last.
    """
    bp = _with_category(lift["by_promo"], categories)
    dp = _with_category(lift["dip"], categories)
    cn = _with_category(lift["cannibalisation"].drop(columns=["category"], errors="ignore"), categories)
    parts = [bp.groupby("category")["incremental"].sum().rename("incremental"),
             (dp["dip_baseline"] - dp["dip_units"]).groupby(dp["category"]).sum().rename("dip"),
             cn.groupby("category")["cannibalised_units"].sum().rename("cannibalised"),
             bp.groupby("category")["promo_id"].nunique().rename("promos")]
    out = pd.concat(parts, axis=1).fillna(0.0).sort_index()
    for c in ("incremental", "dip", "cannibalised"):
        out[c] = _whole(out[c].to_numpy())
    out.loc[ALL_CATEGORIES] = out.sum()
    out = out.astype({c: np.int64 for c in ("promos", "incremental", "dip", "cannibalised")})
    out["net"] = out["incremental"] - out["dip"] - out["cannibalised"]
    out["less_dip"], out["less_cannibalised"] = -out["dip"], -out["cannibalised"]
    return out.rename_axis("category").reset_index()[NET_COLUMNS]


def dip_by_category(lift: dict[str, pd.DataFrame], categories: pd.Series) -> pd.DataFrame:
    """The post-promotion dip per category -> [category, promos, units, baseline, change]: units sold and
    their baseline in the days after the category's promotions; change = units / baseline - 1."""
    dp = _with_category(lift["dip"], categories)
    g = dp.groupby("category", as_index=False).agg(promos=("promo_id", "nunique"), units=("dip_units", "sum"),
                                                   baseline=("dip_baseline", "sum"))
    g["change"] = g["units"] / g["baseline"] - 1
    return g


def cannibalisation_by_category(lift: dict[str, pd.DataFrame], categories: pd.Series) -> pd.DataFrame:
    """Cannibalisation per category -> [category, promos, units, baseline, cannibalised]: the unpromoted
    siblings' units and baseline during the category's SKU-level promotions; cannibalised = baseline - units."""
    cn = _with_category(lift["cannibalisation"].drop(columns=["category"], errors="ignore"), categories)
    g = cn.groupby("category", as_index=False).agg(promos=("promo_id", "nunique"), units=("sibling_units", "sum"),
                                                   baseline=("sibling_baseline", "sum"))
    g["cannibalised"] = g["baseline"] - g["units"]
    return g
