"""The one case-pack / MOQ rule (lib.replenish.packs) that the Replenishment plan and the Pricing page's
stock check both order with; every value below is worked out by hand."""
from __future__ import annotations

import numpy as np
import pytest

from lib.replenish import packs


def test_sizes_are_whole_units_of_at_least_one():
    cp, moq = packs.sizes([2.5, 12, np.nan, 0.2, 3.0000000001], [0.4, 40, np.nan, 7.5, 1])
    assert cp.tolist() == [3, 12, 1, 1, 3] and moq.tolist() == [1, 40, 1, 8, 1]


@pytest.mark.parametrize(("units", "cp", "moq", "qty"), [
    (4.2, 2.5, 1, 6),        # a case pack of 2.5 ships as 3: ceil(4.2 / 3) = 2 cases
    (26, 12, 1, 36),         # ceil(26 / 12) = 3 cases
    (1, 12, 40, 48),         # the MOQ 40 rounded up to whole cases of 12: 4 cases
    (49, 12, 40, 60),        # above the MOQ: 5 cases
    (0.1 * 3 * 10, 1, 1, 3),  # 3.0000000000000004 units: float noise orders no extra case
    (0, 6, 12, 0),           # nothing needed, nothing ordered (the MOQ does not apply)
    (1e-12, 6, 12, 0),
])
def test_order_quantity(units, cp, moq, qty):
    assert float(packs.order_qty(units, cp, moq)) == qty


def test_vectorised_and_min_qty():
    got = packs.order_qty(np.array([4.2, 0.0, 1.0]), np.array([2.5, 6, 12]), np.array([1, 12, 40]))
    assert got.tolist() == [6, 0, 48]
    assert packs.min_qty([2.5, 6, 12], [1, 12, 40]).tolist() == [3, 12, 48]
