"""Elasticity intervals hold their coverage on panels the demo did not generate (fast grid).

The full grid is bench/pricing_calibration.py; here three regimes x two seeds of a 4-category x
15-SKU x 104-week panel from tests/support/pricing_panel.py (its own generator: SKU-specific seasons,
autocorrelated and overdispersed demand, promotions, SKUs whose list price never moved)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib import pricing
from lib.pricing.elasticity import METHOD_CATEGORY, METHOD_SKU
from tests.support.pricing_panel import panel, score

# (between-SKU sd, mean weekly units): spread with ordinary volume, no spread with high volume (where
# a floor on tau or an interval without the SKU's overdispersion would show), wide spread on slow movers
REGIMES = [(0.4, 20), (0.0, 200), (0.6, 2)]
# known shortfall: with a wide spread on slow movers the 80 % intervals cover about 65 % (the 95 % ones
# hold): strict, so that this test says so when it is fixed
_SHORT80 = pytest.param(0.6, 2, marks=pytest.mark.xfail(strict=True, reason="80 % intervals undercover "
                                                            "at sd 0.6, 2 units a week (issue 15)"))
SEEDS = (101, 202)


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    out = [score(*panel(seed, sd=sd, volume=vol, n_cats=4, n_skus=15)).assign(sd=sd, volume=vol)
           for sd, vol in REGIMES for seed in SEEDS]
    return pd.concat(out, ignore_index=True)


@pytest.mark.parametrize(("sd", "volume"), [*REGIMES[:2], _SHORT80])
def test_interval_coverage_within_binomial_tolerance(grid, sd, volume):
    r = grid[(grid["sd"] == sd) & (grid["volume"] == volume)]
    n = len(r)
    assert n == 2 * 4 * 15 and np.isfinite(r["est"]).all()
    # 120 SKUs per regime: a correct 95 % (80 %) interval covers 95 % (80 %) +/- 3 binomial s.d.
    # (2.0 and 3.7 points); the 95 % check is one-sided upward, as conservative intervals at sd = 0
    # (true spread on the boundary of the prior) are expected, the 80 % one two-sided
    tol95, tol80 = 3 * np.sqrt(0.95 * 0.05 / n), 3 * np.sqrt(0.8 * 0.2 / n)
    assert r["cov95"].mean() >= 0.95 - tol95, r["cov95"].mean()
    assert 0.80 - tol80 <= r["cov80"].mean() <= 0.80 + tol80 + 0.05, r["cov80"].mean()
    # the 80 % interval sits inside the 95 % one, around the estimate
    assert ((r["lo95"] <= r["lo80"]) & (r["lo80"] <= r["est"]) & (r["est"] <= r["hi80"])
            & (r["hi80"] <= r["hi95"])).all()


def test_thin_and_rich_skus_error_and_width(grid):
    # thin: one or two list-price moves of 3-8 %; the targets: width <= 2, median error <= 0.5
    # (at 20 units a week); rich SKUs (prices moving every 6-16 weeks) are estimated tighter than thin
    r = grid[(grid["sd"] == 0.4) & (grid["volume"] == 20)]
    thin, rich = r[r["price_class"] == "thin"], r[r["price_class"] == "rich"]
    assert thin["err"].median() <= 0.5, thin["err"].median()
    assert rich["width"].median() < thin["width"].median()


def test_public_call_returns_the_pooled_rows_and_borrowed_skus_are_named():
    p = panel(7, sd=0.4, volume=20, n_cats=2, n_skus=8)
    est = pricing.elasticities(p.sales).merge(p.truth, on=["sku", "category"], suffixes=("", "_true"))
    assert list(est.columns[:8]) == ["sku", "category", "elasticity", "lo", "hi", "n_obs", "method", "price_cv"]
    assert (est["n_obs"] == 104).all()
    # a SKU whose list price never moved borrows its category's value; the others have their own
    assert (est.loc[est["price_class"] == "none", "method"] == METHOD_CATEGORY).all()
    assert (est.loc[est["price_class"] == "rich", "method"] == METHOD_SKU).all()
    assert ((est["lo"] < est["elasticity"]) & (est["elasticity"] < est["hi"])).all()
    cats = pricing.elasticities(p.sales, by="category").set_index("category")
    # a borrowed SKU's interval (a new SKU of the category) is wider than its category mean's
    borrowed = est[est["method"] == METHOD_CATEGORY]
    cat_width = (cats["hi"] - cats["lo"]).reindex(borrowed["category"]).to_numpy()
    assert ((borrowed["hi"] - borrowed["lo"]).to_numpy() > cat_width).all()


def test_scenario_band_is_wider_on_a_thin_sku_than_on_a_rich_one():
    """Issue 15 point 4: the corrected intervals reach pricing.simulate. A +10% price on a thin-data SKU
    (one or two small list-price moves) and on a rich one of the same category, from identical baselines
    (10 units a day, 95% band 6..14): each scenario band is the baseline's times 1.1^(interval end), so
    the thin SKU, whose elasticity interval is wider, gets the wider band."""
    p = panel(11, sd=0.4, volume=20, n_cats=2, n_skus=8)
    est = pricing.elasticities(p.sales).merge(p.truth[["sku", "price_class"]], on="sku")
    cat = est["category"].iloc[0]
    mine = est[est["category"] == cat].set_index("sku")
    thin = mine.index[(mine["price_class"] == "thin")][0]
    rich = mine.index[(mine["price_class"] == "rich") & (mine["method"] == METHOD_SKU)][0]
    w = mine["hi"] - mine["lo"]
    assert w[thin] > w[rich] > 0
    days = pd.date_range("2026-05-04", periods=7)
    base = pd.DataFrame([{"unique_id": s, "ds": d, "yhat": 10.0, "yhat_lo_80": 8.0, "yhat_hi_80": 12.0,
                          "yhat_lo_95": 6.0, "yhat_hi_95": 14.0, "price": 20.0, "promo": 0.0}
                         for s in (thin, rich) for d in days])
    products = pd.DataFrame({"sku": [thin, rich], "category": cat, "unit_cost": 8.0, "price": 20.0})
    sc = pricing.Scenario("Up 10%", days[0].date(), days[-1].date(), price_change_pct=10)
    sim = pricing.simulate(base, sc, elasticities=est, products=products).set_index("unique_id")
    for sku in (thin, rich):
        row = sim.loc[sku].iloc[0]
        e, lo, hi = mine.loc[sku, ["elasticity", "lo", "hi"]]
        assert row["units_scenario"] == pytest.approx(10 * 1.1**e)
        assert (row["lo_95"], row["hi_95"]) == pytest.approx((6 * 1.1**lo, 14 * 1.1**hi))
    band = (sim["hi_95"] - sim["lo_95"]).groupby(level=0).first()
    assert band[thin] > band[rich]
