"""lib/pricing/pooling.py: the hierarchical posterior behind the elasticity intervals."""
from __future__ import annotations

import numpy as np
from scipy.stats import norm

from lib.pricing.pooling import Group, pool


def test_precise_estimates_are_kept_and_their_intervals_are_their_own():
    # s = 1e-4 against a spread of ~0.5: shrinkage weight tau^2/(tau^2 + s^2) ~ 1, so the posterior is
    # N(b, s^2) and the 95 % interval b +/- 1.96e-4
    b = np.array([-1.0, -1.5, -2.0, -0.5, -1.2])
    (r,) = pool([Group(b, np.full(5, 1e-4))])
    np.testing.assert_allclose(r.median, b, atol=1e-6)
    np.testing.assert_allclose(r.hi[0.95] - r.lo[0.95], 2 * 1.959964e-4, rtol=0.01)


def test_a_sku_without_its_own_estimate_is_centred_on_the_pooled_mean_with_a_wider_interval():
    b = np.array([-1.0, -1.6, -1.3, np.nan])
    s = np.array([0.3, 0.3, 0.3, np.nan])
    (r,) = pool([Group(b, s, mu=-1.3, se_mu=0.1, h=np.array([1.0, 1.0, 1.0, 1.0]))], levels=(0.95, 0.8))
    # every mixture component of the SKU without an estimate is centred on mu = -1.3: its median is mu
    assert abs(r.median[3] + 1.3) < 1e-9 and abs(r.mu + 1.3) < 1e-9
    width = r.hi[0.95] - r.lo[0.95]
    assert width[3] > width[:3].max()
    # it is at least the pooled mean's own interval widened: 2 x 1.96 x 0.1 = 0.39
    assert width[3] > 2 * norm.ppf(0.975) * 0.1
    # the symmetric estimates -1.0 and -1.6 are pulled toward -1.3 by the same amount
    assert abs((r.median[0] + 1.3) + (r.median[1] + 1.3)) < 1e-9 and -1.3 < r.median[0] < -1.0
    assert (r.lo[0.95] < r.lo[0.8]).all() and (r.hi[0.8] < r.hi[0.95]).all()


def test_a_noisier_estimate_is_shrunk_more_and_gets_a_wider_interval():
    b = np.array([-0.5, -0.5, -1.5, -1.5, -1.0, -1.0])
    s = np.array([0.1, 1.0, 0.1, 0.1, 0.1, 0.1])
    (r,) = pool([Group(b, s)])
    assert abs(r.median[1] - r.mu) < abs(r.median[0] - r.mu)
    assert r.hi[0.95][1] - r.lo[0.95][1] > r.hi[0.95][0] - r.lo[0.95][0]


def test_a_group_with_nothing_to_go_on_gets_nan():
    res = pool([Group(np.array([-1.0, -2.0, -1.5]), np.array([0.2, 0.2, 0.2])),
                Group(np.array([np.nan, np.nan]), np.array([np.nan, np.nan]))])
    assert np.isfinite(res[0].median).all() and np.isnan(res[1].median).all() and np.isnan(res[1].mu)
