"""Price elasticities (lib/pricing/elasticity.py): recovery on a synthetic panel and on the demo store."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lib import pricing
from lib.ingest import demo_dir, load_demo
from lib.pricing.elasticity import METHOD_CATEGORY, METHOD_POOLED, METHOD_SKU
from lib.settings import Settings
from lib.warehouse import Warehouse

AS_OF = date(2026, 11, 26)
TRUE = {"A1": -0.8, "A2": -1.2, "A3": -1.6, "A4": -1.0, "A5": -1.4, "A6": -1.1,
        "B1": -2.2, "B2": -1.8, "B3": -2.6, "B4": -2.0, "B5": -2.4, "B6": -2.1}


def _panel(seed: int = 3) -> pd.DataFrame:
    """Daily panel, 12 SKUs x 2 categories x 100 weeks; A6 keeps one price, the rest step up and down.

    Demand: base x season(category, week) x (price/ref)^e x lift (1 - d)^e on promo days, Poisson."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=700, freq="D")
    wk = np.arange(700) // 7
    frames = []
    for i, (sku, e) in enumerate(TRUE.items()):
        season = 1 + 0.3 * np.sin(2 * np.pi * wk / 52 + (0 if sku[0] == "A" else 1.5))
        steps = np.ones(700) if sku == "A6" else np.repeat(rng.choice([0.85, 1.0, 1.15], 10), 70)
        price = 20.0 * steps
        promo = np.where(rng.random(100)[wk] < 0.1, 20.0, 0.0)  # 20 % off in ~10 % of the weeks
        lam = (4 + i % 3) * season * steps**e * np.where(promo > 0, 1.3 * 0.8**e, 1.0)
        frames.append(pd.DataFrame({"sku": sku, "category": sku[0], "ds": ds, "units": rng.poisson(lam),
                                    "price": price * (1 - promo / 100), "promo": promo}))
    return pd.concat(frames, ignore_index=True)


def test_synthetic_panel_recovered_within_tolerance_and_covered():
    est = pricing.elasticities(_panel()).set_index("sku")
    assert list(est.columns) == ["category", "elasticity", "lo", "hi", "n_obs", "method", "price_cv"]
    assert (est["n_obs"] == 100).all()                      # 700 days = 100 whole weeks
    assert est.loc["A6", "method"] == METHOD_CATEGORY and est.loc["A6", "price_cv"] == 0.0
    varied = est.drop(index="A6")
    assert (varied["method"] == METHOD_SKU).all()
    truth = pd.Series(TRUE).drop("A6")
    err = (varied["elasticity"] - truth).abs()
    # a SKU's own standard error here is about 0.14 (5 units a day, +/-15 % steps): allow 3.5 of them
    assert err.max() <= 0.5, err
    assert err.median() <= 0.2, err
    # 95 % intervals: 11 x 0.95 = 10.45 expected covered; at least 9 (P(fewer) < 2 %)
    assert ((varied["lo"] <= truth) & (truth <= varied["hi"])).sum() >= 9, varied
    cats = pricing.elasticities(_panel(), by="category").set_index("category")
    assert (cats["method"] == METHOD_POOLED).all()
    # category means: A (-0.8-1.2-1.6-1.0-1.4-1.1)/6 = -1.183, B (-2.2-1.8-2.6-2.0-2.4-2.1)/6 = -2.183
    assert abs(cats.loc["A", "elasticity"] + 1.183) <= 0.15 and abs(cats.loc["B", "elasticity"] + 2.183) <= 0.15
    # A6 gets a new SKU's predictive distribution: centred on its category's mean (posterior medians of
    # normal mixtures with equal centres and unequal spreads differ only by a hair), wider than the
    # category mean's interval (it adds the between-SKU spread) and than any A SKU with its own estimate
    assert abs(est.loc["A6", "elasticity"] - cats.loc["A", "elasticity"]) <= 0.01
    a6_width = est.loc["A6", "hi"] - est.loc["A6", "lo"]
    assert a6_width > cats.loc["A", "hi"] - cats.loc["A", "lo"]
    assert a6_width > (varied["hi"] - varied["lo"])[varied["category"] == "A"].max()


def test_weekly_rows_give_the_same_estimates_as_daily_rows():
    daily = _panel()
    daily["week"] = daily["ds"] - pd.to_timedelta(daily["ds"].dt.day_of_week, unit="D")
    # price and promo are constant within each Monday week, so weekly sums carry the same information
    weekly = daily.groupby(["sku", "category", "week"], as_index=False).agg(
        units=("units", "sum"), price=("price", "first"), promo=("promo", "first")).rename(columns={"week": "ds"})
    a = pricing.elasticities(daily.drop(columns="week"))
    b = pricing.elasticities(weekly)
    pd.testing.assert_frame_equal(a.drop(columns="n_obs"), b.drop(columns="n_obs"), rtol=1e-6)


def test_constant_price_everywhere_gives_no_estimate():
    p = _panel()
    p["price"] = 20.0 * (1 - p["promo"] / 100)              # regular price constant for every SKU
    est = pricing.elasticities(p)
    assert (est["method"] == METHOD_CATEGORY).all() and (est["price_cv"] == 0.0).all()
    assert est["elasticity"].isna().all()                   # no price move anywhere: no number at all
    with pytest.raises(ValueError):
        pricing.elasticities(p, by="brand")


def test_a_category_whose_prices_never_moved_gets_no_number_while_the_others_do():
    p = _panel()
    b = p["category"] == "B"
    p.loc[b, "price"] = 20.0 * (1 - p.loc[b, "promo"] / 100)   # category B: regular price constant
    cats = pricing.elasticities(p, by="category").set_index("category")
    assert np.isnan(cats.loc["B", "elasticity"]) and np.isnan(cats.loc["B", "lo"])
    assert abs(cats.loc["A", "elasticity"] + 1.183) <= 0.15
    skus = pricing.elasticities(p).set_index("sku")
    assert skus.loc[skus["category"] == "B", "elasticity"].isna().all()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo-pricing")
    wh = Warehouse.open(settings=Settings(data_dir=d))
    load_demo(wh, d, seed=7, scale=1.0, as_of=AS_OF, traffic=0.001)
    est = pricing.elasticities(wh, as_of=AS_OF)
    wh.dispose()
    truth = json.loads((demo_dir(d, 7, 1.0, AS_OF, 0.001) / "truth.json").read_text())
    return est, truth


@pytest.mark.slow
def test_demo_store_elasticities_median_error_and_coverage(demo):
    est, truth = demo
    assert len(est) == 300
    true = est["sku"].map({s: v["elasticity"] for s, v in truth["skus"].items()})
    err = (est["elasticity"] - true).abs()
    assert err.median() <= 0.3, err.describe()
    varied = est["method"] == METHOD_SKU
    covered = (est["lo"] <= true) & (true <= est["hi"])
    assert varied.sum() >= 100
    assert covered[varied].mean() >= 0.90, covered[varied].mean()


def test_own_irls_matches_statsmodels_poisson_glm():
    import statsmodels.api as sm

    from lib.pricing.elasticity import _glm

    rng = np.random.default_rng(5)
    X = np.column_stack([np.ones(300), rng.normal(size=300), rng.integers(0, 2, 300)])
    off = np.log(rng.integers(1, 8, 300).astype(float))
    y = rng.poisson(np.exp(X @ [0.5, -0.7, 0.3] + off)).astype(float)
    ref = sm.GLM(y, X, family=sm.families.Poisson(), offset=off).fit()
    r = _glm(y, X, off)
    np.testing.assert_allclose(r.params, ref.params, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(r.mu, ref.fittedvalues, rtol=1e-7)
    # the inverse information is the model-based covariance of the unscaled Poisson fit
    np.testing.assert_allclose(r.a_inv, ref.cov_params(), rtol=1e-6)
