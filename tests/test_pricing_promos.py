"""Promotion lift (lib/pricing/promos.py): exact recovery on a hand-built panel, tracking on the demo."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lib.forecast.data import history
from lib.ingest import demo_dir, load_demo
from lib.pricing.promos import promo_lift
from lib.settings import Settings
from lib.warehouse import Warehouse
from lib.warehouse.tables import FEED_TABLES

AS_OF = date(2026, 11, 26)
DAYS = pd.date_range("2025-01-01", periods=400, freq="D")
START, END = 200, 213  # promotion on S1: 14 days at 20 % off


def _panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deterministic units: S1 20/day, S2 and S3 10/day; S1 doubles during the promotion, halves in the
    7 days after it; S2 and S3 lose 20 % during it. S1 is out of stock (censored) on one promotion day."""
    rate = {"S1": 20.0, "S2": 10.0, "S3": 10.0}
    rows = []
    for sku, r in rate.items():
        y = np.full(len(DAYS), r)
        promo = np.zeros(len(DAYS))
        if sku == "S1":
            y[START:END + 1] *= 2.0
            y[END + 1:END + 8] *= 0.5
            promo[START:END + 1] = 20.0
        else:
            y[START:END + 1] *= 0.8
        in_stock = np.ones(len(DAYS), bool)
        if sku == "S1":
            in_stock[START + 3] = False
            y[START + 3] = 0.0
        rows.append(pd.DataFrame({"unique_id": sku, "ds": DAYS, "y": y, "price": 10.0 * (1 - promo / 100),
                                  "promo": promo, "in_stock": in_stock, "category": "Kitchen"}))
    promos = pd.DataFrame({"promo_id": ["P1"], "start_date": [DAYS[START].date()], "end_date": [DAYS[END].date()],
                           "discount_pct": [20.0], "sku": ["S1"], "category": [None], "type": ["percent_off"],
                           "channel": [None]})
    return pd.concat(rows, ignore_index=True), promos


def _lift_result() -> dict[str, pd.DataFrame]:
    """A promo_lift result written by hand: P1, P2 on Mugs SKUs, P3 on Tees, P4 on a category-level
    record with no SKU (category Caps)."""
    by_promo = pd.DataFrame({"promo_id": ["P1", "P2", "P3", "P4"], "incremental": [10.4, 5.3, 7.6, -0.6]})
    dip = pd.DataFrame({"promo_id": ["P1", "P3"], "dip_units": [3.0, 9.0], "dip_baseline": [5.2, 8.0],
                        "dip_pct": [3 / 5.2 - 1, 9 / 8 - 1]})
    cann = pd.DataFrame({"promo_id": ["P1"], "category": ["Mugs"], "sibling_units": [4.0],
                         "sibling_baseline": [5.5], "cannibalised_units": [1.5]})
    return {"by_promo": by_promo, "dip": dip, "cannibalisation": cann}


def test_net_incremental_is_incremental_less_dip_less_cannibalised_to_the_unit():
    from lib.pricing.promos import ALL_CATEGORIES, net_incremental, promo_categories

    promos = pd.DataFrame({"promo_id": ["P1", "P2", "P3", "P4"], "sku": ["M1", "M2", "T1", None],
                           "category": [None, None, None, "Caps"]})
    daily = pd.DataFrame({"unique_id": ["M1", "M2", "T1"], "category": ["Mugs", "Mugs", "Tees"]})
    cats = promo_categories(promos, daily)
    assert cats.to_dict() == {"P1": "Mugs", "P2": "Mugs", "P3": "Tees", "P4": "Caps"}
    net = net_incremental(_lift_result(), cats).set_index("category")
    # Caps: -0.6 -> -1, no dip, no siblings: net -1
    # Mugs: 10.4 + 5.3 = 15.7 -> 16; dip 5.2 - 3 = 2.2 -> 2; cannibalised 1.5 -> 2; net 16 - 2 - 2 = 12
    # Tees: 7.6 -> 8; dip 8 - 9 = -1 (sales stayed above baseline): net 8 - (-1) - 0 = 9
    assert list(net.index) == ["Caps", "Mugs", "Tees", ALL_CATEGORIES]
    assert net[["promos", "incremental", "dip", "cannibalised", "net"]].values.tolist() == [
        [1, -1, 0, 0, -1], [2, 16, 2, 2, 12], [1, 8, -1, 0, 9], [4, 23, 1, 2, 20]]
    assert net["less_dip"].tolist() == [0, -2, 1, -1] and net["less_cannibalised"].tolist() == [0, -2, 0, -2]
    # the identity, exactly, in every row; the total row is the sum of the rows shown above it
    assert (net["incremental"] - net["dip"] - net["cannibalised"] == net["net"]).all()
    assert (net["incremental"] + net["less_dip"] + net["less_cannibalised"] == net["net"]).all()
    assert net.drop(ALL_CATEGORIES).sum()[["incremental", "dip", "cannibalised", "net"]].tolist() == [23, 1, 2, 20]


def test_dip_and_cannibalisation_per_category_by_hand():
    from lib.pricing.promos import cannibalisation_by_category, dip_by_category

    cats = pd.Series({"P1": "Mugs", "P2": "Mugs", "P3": "Tees", "P4": "Caps"})
    dip = dip_by_category(_lift_result(), cats)
    assert dip[["category", "promos", "units", "baseline"]].values.tolist() == [["Mugs", 1, 3.0, 5.2],
                                                                                ["Tees", 1, 9.0, 8.0]]
    assert dip["change"].tolist() == pytest.approx([3 / 5.2 - 1, 0.125])
    cann = cannibalisation_by_category(_lift_result(), cats)
    assert cann.values.tolist() == [["Mugs", 1, 4.0, 5.5, 1.5]]


# The clean days fit perfectly (flat units), which statsmodels flags; the fit is still exact.
@pytest.mark.filterwarnings("ignore:Perfect separation", "ignore:The design matrix is rank-deficient")
def test_hand_built_lift_dip_and_cannibalisation_are_exact():
    daily, promos = _panel()
    out = promo_lift(daily, promos, dip_days=7)
    p = out["by_promo"].set_index("promo_id").loc["P1"]
    # 14 promotion days, one censored: 13 in-stock days x 40 units = 520 units, baseline 13 x 20 = 260
    # (the clean days are a perfect fit: every SKU flat, so the GLM baseline is the SKU's rate exactly).
    assert p["days"] == 13 and p["units"] == 520.0
    assert p["baseline"] == pytest.approx(260.0, rel=1e-6)
    assert p["incremental"] == pytest.approx(260.0, rel=1e-5)
    assert p["lift"] == pytest.approx(2.0, rel=1e-6)
    # Mid-p Poisson bounds for 520 units, (476.73, 566.17), over 260 (the clean days are flat: no latent
    # variance), widened by the baseline's own error.
    assert p["lift_lo"] <= 476.73 / 260 < 2.0
    assert 2.0 < 566.16 / 260 <= p["lift_hi"] < 2.4
    d = out["dip"].set_index("promo_id").loc["P1"]
    # 7 dip days x 10 units = 70 against 7 x 20 = 140: -50 %.
    assert d["dip_units"] == 70.0 and d["dip_baseline"] == pytest.approx(140.0, rel=1e-6)
    assert d["dip_pct"] == pytest.approx(-0.5, abs=1e-6)
    c = out["cannibalisation"].set_index("promo_id").loc["P1"]
    # S2 + S3 over 14 days: baseline 2 x 14 x 10 = 280, sold 280 x 0.8 = 224, cannibalised 56.
    assert c["category"] == "Kitchen" and c["sibling_units"] == 224.0
    assert c["sibling_baseline"] == pytest.approx(280.0, rel=1e-6)
    assert c["cannibalised_units"] == pytest.approx(56.0, abs=1e-3)
    dep = out["by_depth"]
    assert dep[["type", "depth_bucket", "promos"]].values.tolist() == [["percent_off", "20-30", 1]]
    assert dep["lift"].iloc[0] == pytest.approx(2.0, rel=1e-6)


@pytest.mark.filterwarnings("ignore:Perfect separation", "ignore:The design matrix is rank-deficient")
def test_category_promotion_covers_every_sku_and_has_no_cannibalisation_rows():
    daily, _ = _panel()
    daily["y"] = daily["unique_id"].map({"S1": 20.0, "S2": 10.0, "S3": 10.0})  # flat again, no SKU promotion
    daily["promo"], daily["in_stock"] = 0.0, True
    daily["price"] = 10.0
    daily.loc[daily["ds"].between(DAYS[50], DAYS[59]), ["promo", "price"]] = [10.0, 9.0]
    daily.loc[daily["ds"].between(DAYS[50], DAYS[59]), "y"] *= 1.5
    promos = pd.DataFrame({"promo_id": ["C1"], "start_date": [DAYS[50].date()], "end_date": [DAYS[59].date()],
                           "discount_pct": [10.0], "sku": [None], "category": ["Kitchen"], "type": ["percent_off"],
                           "channel": [None]})
    out = promo_lift(daily, promos)
    p = out["by_promo"].iloc[0]
    # 3 SKUs x 10 days = 30 SKU-days; units 1.5 x (20 + 10 + 10) x 10 = 600 against 400.
    assert p["days"] == 30 and p["units"] == 600.0 and p["lift"] == pytest.approx(1.5, rel=1e-6)
    assert out["by_depth"]["depth_bucket"].tolist() == ["10-20"]
    assert out["cannibalisation"].empty


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from sqlalchemy import select

    from lib.forecast.data import products
    from lib.pricing.elasticity import _from_warehouse

    d = tmp_path_factory.mktemp("demo-promos")
    wh = Warehouse.open(settings=Settings(data_dir=d))
    load_demo(wh, d, seed=7, scale=1.0, as_of=AS_OF, traffic=0.001)
    store = {"hist": history(wh, AS_OF), "promos": wh.read(select(FEED_TABLES["promotions"])),
             "products": products(wh), "sales": _from_warehouse(wh, AS_OF)}
    wh.dispose()
    store["truth"] = json.loads((demo_dir(d, 7, 1.0, AS_OF, 0.001) / "truth.json").read_text())["promotions"]
    return store


@pytest.fixture(scope="module")
def demo(demo_store):
    return promo_lift(demo_store["hist"], demo_store["promos"]), demo_store["truth"]


@pytest.mark.slow
def test_demo_store_lift_tracks_planted_demand_multiplier(demo):
    out, truth = demo
    b = out["by_promo"].set_index("promo_id")
    b["true"] = pd.Series({k: v["mean_demand_multiplier"] for k, v in truth.items()}, dtype=float)
    b = b.dropna(subset=["true"])
    covers = (b["lift_lo"] <= b["true"]) & (b["true"] <= b["lift_hi"])
    assert len(b) >= 300 and covers.mean() >= 0.85, covers.mean()          # measured 0.91
    big = b[b["baseline"] >= 50]  # promotions with enough volume for the lift to be read
    assert np.corrcoef(big["lift"], big["true"])[0, 1] >= 0.7                # measured 0.80
    # Thanksgiving week carries a holiday demand spike the promotion-free days cannot show the baseline
    # (Black Friday promotions cover exactly those days): outside it, the baseline is unbiased.
    thanksgiving = pd.Series({k: v["start_date"][5:7] == "11" and v["start_date"][8:] >= "20"
                              for k, v in truth.items()}).reindex(big.index)
    rest = big[~thanksgiving]
    assert len(rest) >= 80 and np.corrcoef(rest["lift"], rest["true"])[0, 1] >= 0.8   # measured 0.86
    rest_cov = ((rest["lift_lo"] <= rest["true"]) & (rest["true"] <= rest["lift_hi"])).mean()
    assert rest_cov >= 0.9, rest_cov                                          # measured 0.95
    dep = out["by_depth"].set_index(["type", "depth_bucket"])["lift"]
    assert dep["percent_off", "10-20"] < dep["percent_off", "20-30"] < dep["percent_off", "30+"]


@pytest.mark.slow
def test_demo_store_type_lifts_cover_the_planted_lift_of_each_type(demo, demo_store):
    """The simulator's k per promotion type (lift beyond the discount's price effect) against truth.json:
    the planted lift of each type, averaged over its all-channel promotions weighted by SKU-days."""
    from lib import pricing

    out, truth = demo
    el = pricing.elasticities(demo_store["sales"])
    eff = pricing.promo_effects(out, el, demo_store["promos"], demo_store["products"]).set_index("type")
    t = pd.DataFrame(truth.values())
    t = t[t["channel"].isna() & (t["applied_sku_days"] > 0)]
    planted = t.groupby("type").apply(lambda g: np.average(g["lift"], weights=g["applied_sku_days"]))
    for kind in ("percent_off", "bundle", "clearance"):
        assert eff.at[kind, "k_lo"] <= planted[kind] <= eff.at[kind, "k_hi"], (kind, eff.loc[kind], planted[kind])
    assert eff.at["percent_off", "promos"] >= 100
