"""Promotion lift intervals: the pieces by hand, and their coverage on daily panels the demo did not
generate (fast grid; the full grid is bench/promo_calibration.py).

Panels from tests/support/promo_panel.py (its docstring defines each truth): SKU-specific seasons and
trends, AR(1) demand shocks per SKU and per category, gamma-Poisson counts, SKU- and category-level
promotions of 3 types x 3 depths, 4 categories x 8 SKUs x 730 days (as the bench); one regime with 400
days, where the 80 % intervals fall short (a strict xfail, so that this test says when that is fixed)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from lib.pricing.effects import ALL_TYPES, promo_effects
from lib.pricing.promos import _interval, _placebo, lift_intervals
from tests.support.promo_panel import K, panel, score

# (mean weekly units, share of a SKU's days in promotions, per-promotion deviation sd)
REGIMES = [(2, 0.05, 0.0), (20, 0.1, 0.15), (200, 0.15, 0.2)]
SEEDS = (11, 22)
DAYS = 730
# known shortfall: with a history of 400 days (the yearly terms of the baseline barely identified) the
# 80 % intervals of SKU promotions at 200 units a week cover 72 % (95 %: 91 %)
SHORT = (200, 0.15, 0.2, 400)


# -- the pieces, by hand ----------------------------------------------------------------------------------
def _mid_p_by_root(u: float, level: float) -> tuple[float, float]:
    """Lancaster's mid-p bounds from the Poisson distribution itself (u whole)."""
    a = 1 - level
    f = lambda lam: stats.poisson.sf(u, lam) + 0.5 * stats.poisson.pmf(u, lam)  # noqa: E731
    lo = optimize.brentq(lambda lam: f(lam) - a / 2, 1e-9, 10 * u + 10) if u > 0 else 0.0
    hi = optimize.brentq(lambda lam: f(lam) - (1 - a / 2), 1e-9, 10 * u + 10)
    return lo, hi


def test_interval_without_latent_variance_is_mid_p_and_zero_units_keep_a_finite_top():
    lo, hi = _interval(np.array([10.0, 0.0, 1.0]), np.array([5.0, 4.0, 2.0]), np.zeros(3),
                       np.full(3, np.inf), 0.95)
    for i, (u, b) in enumerate([(10, 5.0), (0, 4.0), (1, 2.0)]):
        m_lo, m_hi = _mid_p_by_root(u, 0.95)
        assert (lo[i], hi[i]) == pytest.approx((m_lo / b, m_hi / b), rel=1e-7)
    # zero units: P(X = 0) / 2 = 0.025 at the top, lam = log(1 / 0.05) = 2.996 (Garwood: 3.689)
    assert lo[1] == 0.0 and hi[1] == pytest.approx(np.log(20) / 4)
    # mid-p sits inside Garwood's exact bounds
    assert stats.chi2.ppf(0.025, 20) / 2 / 5 < lo[0] and hi[0] < stats.chi2.ppf(0.975, 22) / 2 / 5
    # a latent variance v with df degrees of freedom adds t(df) sqrt(v) in quadrature on the log scale
    lo, hi = _interval(np.array([100.0]), np.array([50.0]), np.array([0.04]), np.array([9.0]), 0.8)
    c, t = np.log(2.0), stats.t.ppf(0.9, 9) * 0.2
    m_lo, m_hi = _mid_p_by_root(100, 0.8)
    assert lo[0] == pytest.approx(np.exp(c - np.hypot(c - np.log(m_lo / 50), t)), rel=1e-7)
    assert hi[0] == pytest.approx(np.exp(c + np.hypot(np.log(m_hi / 50) - c, t)), rel=1e-7)


def test_placebo_variance_from_same_length_windows_by_hand():
    # one SKU, 8 clean days, baseline 1 a day, units 0 0 2 2 0 0 2 2; a promotion on days 8-9 (2 days)
    units = [0, 0, 2, 2, 0, 0, 2, 2, 5, 5]
    d = pd.DataFrame({"sku": "A", "ds": pd.date_range("2025-01-01", periods=10), "units": np.array(units, float)})
    mu = np.ones(10)
    clean = np.r_[np.ones(8, bool), False, False]
    out = _placebo(d, mu, clean, pd.DataFrame({"promo_id": ["P", "P"], "row": [8, 9]}))
    # 2-day windows with at least one clean day: starts 0..7 (start 7 has one clean day, baseline 1)
    # U = 0 2 4 2 0 2 4 2, B = 2 x 7 then 1: sum[(U - B)^2 - U] = (4-0)+(0-2)+(4-4)+(0-2)+(4-0)+(0-2)+(4-4)
    # + (1-2) = 1; sum B^2 = 7 x 4 + 1 = 29; 8 windows / 2 days = 4 non-overlapping
    assert out["promo_id"].tolist() == ["P"]
    assert out["v"].iloc[0] == pytest.approx(1 / 29) and out["windows"].iloc[0] == 4.0


def test_k_is_a_ratio_estimator_with_a_cluster_robust_interval_by_hand():
    # three percent_off promotions at 20 % off on SKUs of elasticity -1 (known exactly: lo = hi):
    # w = baseline x 0.8^-1 = 1.25 baseline
    by = pd.DataFrame({"promo_id": ["P1", "P2", "P3"], "type": "percent_off", "discount_pct": 20.0,
                       "units": [150.0, 100.0, 200.0], "baseline": [80.0, 80.0, 120.0],
                       "lift_lo": np.nan, "lift_hi": np.nan})
    promos = by[["promo_id", "discount_pct"]].assign(sku=["A", "A", "B"], category="Mugs", channel=None)
    el = pd.DataFrame({"sku": ["A", "B"], "elasticity": [-1.0, -1.0], "lo": [-1.0, -1.0], "hi": [-1.0, -1.0]})
    prods = pd.DataFrame({"sku": ["A", "B"], "category": ["Mugs", "Mugs"]})
    eff = promo_effects({"by_promo": by}, el, promos, prods).set_index("type")
    w = np.array([100.0, 100.0, 150.0])
    k = 450 / 350
    se = np.sqrt(3 / 2 * np.sum((np.array([150.0, 100.0, 200.0]) - k * w) ** 2)) / 350
    half = stats.t.ppf(0.975, 2) * se / k
    assert eff.loc["percent_off", ["k", "k_lo", "k_hi", "promos"]].tolist() == pytest.approx(
        [k, k * np.exp(-half), k * np.exp(half), 3])
    # a baseline error shared by the promotions (by_type.se_log_b) widens it in quadrature
    bt = pd.DataFrame({"type": ["percent_off", ALL_TYPES], "se_log_b": [0.1, 0.1]})
    eff2 = promo_effects({"by_promo": by, "by_type": bt}, el, promos, prods).set_index("type")
    assert eff2.at["percent_off", "k_hi"] == pytest.approx(k * np.exp(np.hypot(half, 1.959963984540054 * 0.1)))


# -- coverage on the fast grid -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def grid() -> dict[str, pd.DataFrame]:
    out: dict[str, list] = {"promo": [], "depth": [], "k": []}
    for vol, freq, dev, days in [(*r, DAYS) for r in REGIMES] + [SHORT]:
        for seed in SEEDS:
            for name, r in score(panel(seed, volume=vol, promo_rate=freq, dev_sd=dev, days=days)).items():
                out[name].append(r.assign(volume=vol, days=days))
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def _tol(p: float, n: int) -> float:
    return 3 * np.sqrt(p * (1 - p) / n)   # 3 binomial standard deviations


@pytest.mark.parametrize(("volume", "days"), [(r[0], DAYS) for r in REGIMES] + [pytest.param(
    SHORT[0], SHORT[3], marks=pytest.mark.xfail(strict=True, reason="80 % intervals cover 72 % with 400 days "
                                                "of history at 200 units a week (issue 15)"))])
def test_sku_promotion_intervals_cover_within_binomial_tolerance(grid, volume, days):
    r = grid["promo"]
    r = r[(r["volume"] == volume) & (r["days"] == days) & (r["level"] == "sku")]
    n = len(r)
    assert n >= 100 and np.isfinite(r["est"]).all()
    # 95 %: at least nominal less 3 s.d. (Garwood's exact bounds are conservative at 2 units a week);
    # 80 %: two-sided, with 5 points of room for that conservatism
    assert r["cov95"].mean() >= 0.95 - _tol(0.95, n), r["cov95"].mean()
    assert 0.80 - _tol(0.8, n) <= r["cov80"].mean() <= 0.80 + _tol(0.8, n) + 0.05, r["cov80"].mean()
    assert ((r["lo95"] <= r["lo80"]) & (r["lo80"] <= r["est"]) & (r["est"] <= r["hi80"])
            & (r["hi80"] <= r["hi95"])).all()


def test_category_promotions_and_depth_buckets_cover_pooled_over_the_grid(grid):
    promo, depth = grid["promo"][grid["promo"]["days"] == DAYS], grid["depth"][grid["depth"]["days"] == DAYS]
    for name, r in (("category", promo[promo["level"] == "category"]), ("depth", depth)):
        n = len(r)
        assert n >= 50, (name, n)
        assert r["cov95"].mean() >= 0.95 - _tol(0.95, n), (name, r["cov95"].mean())
        assert r["cov80"].mean() >= 0.80 - _tol(0.8, n), (name, r["cov80"].mean())


def test_k_per_type_covers_and_narrows_with_volume(grid):
    k = grid["k"][grid["k"]["days"] == DAYS]
    assert len(k) == len(REGIMES) * len(SEEDS) * len(K)
    assert k["cov95"].mean() >= 0.95 - _tol(0.95, len(k)), k["cov95"].mean()
    # relative width falls with volume: more units, tighter k
    rel = (k["hi95"] / k["lo95"]).groupby(k["volume"]).median()
    assert rel[2] > rel[20] > rel[200], rel.to_dict()


def test_lift_intervals_first_level_is_promo_lifts():
    from lib.pricing.promos import promo_lift

    p = panel(5, volume=20, n_cats=2, n_skus=4, days=400)
    a = promo_lift(p.daily, p.promotions)
    b = lift_intervals(p.daily, p.promotions, levels=(0.95, 0.8))
    assert list(a) == ["by_promo", "by_depth", "dip", "cannibalisation", "by_type"]
    assert list(a["by_promo"].columns) == ["promo_id", "type", "discount_pct", "days", "units", "baseline",
                                           "incremental", "lift", "lift_lo", "lift_hi"]
    assert list(a["by_depth"].columns) == ["type", "depth_bucket", "promos", "lift", "lift_lo", "lift_hi"]
    pd.testing.assert_frame_equal(a["by_promo"], b["by_promo"][a["by_promo"].columns])
    assert (b["by_promo"]["lift_lo"] < b["by_promo"]["lift_lo_80"]).all()
    # every promotion of the panel is measured, on all the SKU-days it covered
    assert set(a["by_promo"]["promo_id"]) == set(p.promotions["promo_id"])
    bt = a["by_type"].set_index("type")
    assert bt.at[ALL_TYPES, "promos"] == len(p.promotions)
    assert bt.at[ALL_TYPES, "units"] == pytest.approx(a["by_promo"]["units"].sum())
