"""lib/pricing/results.py helpers the Pricing page and its report draw (by hand)."""
from __future__ import annotations

import pandas as pd

from lib.pricing.results import elasticity_tiles, extra_stock, promotion_rows, reading, role_counts


def test_promotion_rows_add_dates_and_category_in_start_order():
    by_promo = pd.DataFrame({"promo_id": ["P2", "P1", "P3"], "lift": [1.5, 2.0, 1.1]})
    promos = pd.DataFrame({"promo_id": ["P1", "P1", "P2", "P3"], "sku": ["A", "B", None, "C"],
                           "start_date": ["2026-03-01", "2026-03-01", "2026-01-10", "2026-02-01"],
                           "end_date": ["2026-03-07", "2026-03-07", "2026-01-12", "2026-02-03"]})
    cats = pd.Series({"P1": "Mugs", "P2": "Tees"})
    out = promotion_rows(by_promo, promos, cats)
    assert out["promo_id"].tolist() == ["P2", "P3", "P1"]                    # by start date
    assert out["start_date"].tolist() == ["2026-01-10", "2026-02-01", "2026-03-01"]
    assert out["category"].iloc[[0, 2]].tolist() == ["Tees", "Mugs"] and pd.isna(out["category"].iloc[1])
    assert out["lift"].tolist() == [1.5, 1.1, 2.0] and len(out) == 3         # one row per promotion


def test_reading_of_an_interval():
    assert reading(-2.5, -1.2) == "elastic: a price cut raises revenue"
    assert reading(-0.8, -0.2) == "inelastic: a price rise raises revenue"
    assert reading(-1.5, -0.5) == "not sure"
    assert reading(-1.0, -1.0) == "no estimate"


def test_extra_stock_and_role_counts():
    stock = pd.DataFrame({"sku": ["A", "B", "C"], "extra_qty": [24, 0, 6], "extra_cost": [96.0, 0.0, 60.0]})
    assert extra_stock(stock) == {"skus": 2, "units": 30, "cost": 156.0}
    assert extra_stock(stock.iloc[1:2]) == {"skus": 0, "units": 0, "cost": 0.0}
    table = pd.DataFrame({"role": ["in scope", "sibling", "in scope"]})
    assert role_counts(table) == {"in_scope": 2, "siblings": 1}


def test_elasticity_tiles_count_own_and_borrowed():
    from lib.pricing.elasticity import METHOD_CATEGORY, METHOD_SKU

    skus = pd.DataFrame({"elasticity": [-2.0, -1.0, -1.5, float("nan")],
                         "method": [METHOD_SKU, METHOD_SKU, METHOD_CATEGORY, METHOD_CATEGORY]})
    assert elasticity_tiles(skus) == {"skus": 4, "own": 2, "borrowed": 2, "median": -1.5}
    assert elasticity_tiles(skus.assign(elasticity=float("nan")))["median"] is None
