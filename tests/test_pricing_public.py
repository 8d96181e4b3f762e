"""pricing.elasticities on a real panel it was not built on: Baltagi's cigarette demand panel (Cigar).

tests/support/public_panels.py turns the 46 states x 30 years into the app's frame and computes the
textbook references on the same rows; bench/pricing_public.py prints the figures for the README. Nothing
in lib/pricing was set by looking at this panel: the assertions say what the app does with it."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from lib.pricing.elasticity import METHOD_POOLED, METHOD_SKU, estimate
from tests.support.public_panels import CATEGORY, cigar, cigar_sales, ppml, within


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return cigar()


@pytest.fixture(scope="module")
def fitted(raw):
    return estimate(cigar_sales(raw))


def test_the_panel_and_the_apps_frame(raw):
    assert raw.shape == (1380, 9) and raw["state"].nunique() == 46 and raw["year"].nunique() == 30
    s = cigar_sales(raw)
    assert len(s) == 1380 and s["sku"].nunique() == 46 and s["ds"].nunique() == 30
    assert (s["category"] == CATEGORY).all() and (s["promo"] == 0).all()
    # Alabama 1963: 28.6 cents a pack at cpi 30.6, 93.9 packs per head, 3,383 thousand people
    first = s.iloc[0]
    assert first["sku"] == "state 01" and first["ds"] == pd.Timestamp("1963-07-01")
    assert first["price"] == pytest.approx(28.6 / 30.6 * 100, rel=1e-12)
    assert first["units"] == pytest.approx(93.9 * 3383.0 * 1000, rel=1e-12)


@pytest.mark.parametrize(("income", "trends", "weighted"),
                         [(False, False, False), (True, False, False), (True, True, False), (False, False, True)])
def test_within_reference_is_what_the_formula_api_gives(raw, income, trends, weighted):
    # the dummy-variable design of public_panels.within against statsmodels' own formula parsing (with
    # all 46 state trends the formula's design is rank-deficient by one: the same fit on its range, but
    # its cluster small-sample factor counts the redundant column, so there only the coefficients match)
    ref = within(raw, income=income, state_trends=trends, weighted=weighted)
    d = raw.assign(ly=np.log(raw["sales"]), lp=np.log(raw["price"] / raw["cpi"] * 100),
                   li=np.log(raw["ndi"] / raw["cpi"] * 100), t=raw["year"] - 63,
                   w=raw["sales"] * raw["pop"] * 1000 if weighted else 1.0)
    formula = "ly ~ lp" + (" + li" if income else "") + " + C(state) + C(year)" + (" + C(state):t" if trends else "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # statsmodels warns of that rank deficiency
        f = smf.wls(formula, d, weights=d["w"]).fit(cov_type="cluster", cov_kwds={"groups": d["state"]},
                                                     use_t=True)
    assert ref.price == pytest.approx(f.params["lp"], rel=1e-9)
    if not trends:
        assert ref.se == pytest.approx(f.bse["lp"], rel=1e-9)
        assert (ref.lo, ref.hi) == pytest.approx(tuple(f.conf_int().loc["lp"]), rel=1e-9)
    if income:
        assert ref.income == pytest.approx(f.params["li"], rel=1e-9)
    else:
        assert np.isnan(ref.income)


def test_store_elasticity_is_the_poisson_two_way_fit_and_agrees_with_the_within_estimate(raw, fitted):
    _, cats = fitted
    assert len(cats) == 1
    cat = cats.iloc[0]
    assert cat["category"] == CATEGORY and cat["method"] == METHOD_POOLED and cat["n_obs"] == 1380
    # the category value is its one-slope fit: Poisson with state and year effects (statsmodels' GLM)
    glm = sm.GLM.from_formula("packs ~ lp + C(state) + C(year)", raw.assign(
        packs=raw["sales"] * raw["pop"] * 1000, lp=np.log(raw["price"] / raw["cpi"] * 100)),
        family=sm.families.Poisson()).fit()
    assert cat["elasticity"] == pytest.approx(glm.params["lp"], abs=1e-6)
    assert cat["elasticity"] == pytest.approx(ppml(raw).price, abs=1e-6)
    # negative, with an interval that excludes 0 and contains its point value
    assert cat["lo"] < cat["elasticity"] < cat["hi"] < 0
    # the textbook within estimate (log packs per capita, state and year effects, clustered by state)
    # holds the app's value in its 95 % interval, and the two intervals overlap
    ref = within(raw)
    assert ref.lo < cat["elasticity"] < ref.hi
    assert max(ref.lo, cat["lo"]) < min(ref.hi, cat["hi"])


def test_every_state_gets_its_own_elasticity_inside_its_interval(fitted):
    skus, _ = fitted
    assert len(skus) == 46 and skus["sku"].is_unique
    assert (skus["method"] == METHOD_SKU).all()        # every state's real price moved
    assert (skus["n_obs"] == 30).all()
    assert np.isfinite(skus[["elasticity", "lo", "hi"]].to_numpy()).all()
    assert ((skus["lo"] < skus["elasticity"]) & (skus["elasticity"] < skus["hi"])).all()
    # cigarettes obey the law of demand in every state
    assert (skus["elasticity"] < 0).all()

