"""Pricing health checks on a hand-built store, on DuckDB and PostgreSQL (the `wh` fixture).

Range P = 2026-05-01 .. 05-05. Products (list price, unit cost): A Mug/Mugs (10, 4), B Tee/Tees
(20, 8), C Cap/Caps (10, 9), D Pen/Pens (5, 1); SKU Z is not in the product feed.
Promotions: P1 sku A 05-01..05-02 web only; P2 category Tees 05-03 (all channels);
P3 sku D 05-10..05-12 (outside the range).

line day    sku ch  qty price disc  note
L1   05-01  A   web  2   8     0    covered by P1 (web) -> not off list; cheapest channel of A that day
L2   05-01  A   app  3   9     0    P1 is web only: 9/10 - 1 = -10% -> OFF LIST, stake |3*10 - 27| = 3
                                    A gap 05-01: 9/8 - 1 = +12.5% > 2% -> CHANNEL GAP (web), stake (9-8)*2 = 2
L3   05-03  A   web -1  10     0    a return: no price check, counts in margin
L4   05-04  A   web  1   2     0    cancelled: ignored
L5   05-03  B   app  1  16     0    covered by P2 (category Tees) -> nothing
L6   05-04  B   web  1  20    13    net 7 < cost 8 -> BELOW COST, stake 1*8 - 7 = 1 (avg 20 = list)
L7   05-05  B   web  4  21     0    +5% -> OFF LIST, stake |4*20 - 84| = 4
L8   05-01  C   web  3  10     0    C margin (30 - 27)/30 = 10% < 15% -> LOW MARGIN, stake .15*30 - 3 = 1.5
L9   05-02  D   web  5   4.5   0    -10% on 05-02 and 05-03: a run of 2 days -> UNRECORDED PROMOTION x2,
L10  05-03  D   web  5   4.5   0      stake |5*5 - 22.5| = 2.5 each
L11  05-04  D   web  1   4.95  0    -1%: within tolerance, breaks the run
L12  05-05  D   web  1   4.5   0    -10% alone -> OFF LIST, stake 0.5
L13  05-02  Z   web  1   5     0    Z gap 05-02: 5.6/5 - 1 = +12% -> CHANNEL GAP (web), stake 0.6
L14  05-02  Z   app  1   5.6   0
L15  05-06  D   web  5   1     0    after P: ignored
L16  04-30  B   web  1   1     0    before P (23:59:59): ignored

Margins of the others: A (16 + 27 - 10 = 33, cost 4*4 = 16) 52%; B (16 + 7 + 84 = 107, cost 48) 55%;
D (22.5 + 22.5 + 4.95 + 4.5 = 54.45, cost 12) 78%.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib.pricing.checks import BELOW_COST, CHANNEL_GAP, COLUMNS, LOW_MARGIN, OFF_LIST, UNRECORDED_PROMO
from lib.pricing.checks import health as health_fn

P = (date(2026, 5, 1), date(2026, 5, 5))

PRODUCTS = pd.DataFrame({"sku": ["A", "B", "C", "D"], "name": ["Mug", "Tee", "Cap", "Pen"],
                         "category": ["Mugs", "Tees", "Caps", "Pens"], "unit_cost": [4.0, 8.0, 9.0, 1.0],
                         "price": [10.0, 20.0, 10.0, 5.0]})

_L = [  # day, sku, channel, qty, price, discount, status
    ("05-01 10:00:00", "A", "web", 2, 8.0, 0.0, None),
    ("05-01 11:00:00", "A", "app", 3, 9.0, 0.0, None),
    ("05-03 12:00:00", "A", "web", -1, 10.0, 0.0, None),
    ("05-04 09:00:00", "A", "web", 1, 2.0, 0.0, "cancelled"),
    ("05-03 09:00:00", "B", "app", 1, 16.0, 0.0, None),
    ("05-04 10:00:00", "B", "web", 1, 20.0, 13.0, None),
    ("05-05 10:00:00", "B", "web", 4, 21.0, 0.0, None),
    ("05-01 15:00:00", "C", "web", 3, 10.0, 0.0, None),
    ("05-02 08:00:00", "D", "web", 5, 4.5, 0.0, None),
    ("05-03 08:00:00", "D", "web", 5, 4.5, 0.0, None),
    ("05-04 08:00:00", "D", "web", 1, 4.95, 0.0, None),
    ("05-05 08:00:00", "D", "web", 1, 4.5, 0.0, None),
    ("05-02 13:00:00", "Z", "web", 1, 5.0, 0.0, None),
    ("05-02 14:00:00", "Z", "app", 1, 5.6, 0.0, None),
    ("05-06 00:00:00", "D", "web", 5, 1.0, 0.0, None),
    ("04-30 23:59:59", "B", "web", 1, 1.0, 0.0, None),
]
ORDERS = pd.DataFrame([(f"o{i}", f"2026-{ts}", f"c{i}", sku, q, pr, d, ch, st)
                       for i, (ts, sku, ch, q, pr, d, st) in enumerate(_L)],
                      columns=["order_id", "ordered_at", "customer_id", "sku", "quantity", "unit_price",
                               "discount", "channel", "status"])

PROMOTIONS = pd.DataFrame([
    ("P1", "2026-05-01", "2026-05-02", 20.0, "A", None, "web"),
    ("P2", "2026-05-03", "2026-05-03", 20.0, None, "Tees", None),
    ("P3", "2026-05-10", "2026-05-12", 10.0, "D", None, None),
], columns=["promo_id", "start_date", "end_date", "discount_pct", "sku", "category", "channel"])

# check, sku, channel, day, units, revenue at stake (sorted by stake, then check, sku, channel, day)
EXPECTED = [
    (OFF_LIST, "B", "web", "2026-05-05", 4, 4.0),
    (OFF_LIST, "A", "app", "2026-05-01", 3, 3.0),
    (UNRECORDED_PROMO, "D", "web", "2026-05-02", 5, 2.5),
    (UNRECORDED_PROMO, "D", "web", "2026-05-03", 5, 2.5),
    (CHANNEL_GAP, "A", "web", "2026-05-01", 2, 2.0),
    (LOW_MARGIN, "C", None, None, 3, 1.5),
    (BELOW_COST, "B", "web", "2026-05-04", 1, 1.0),
    (CHANNEL_GAP, "Z", "web", "2026-05-02", 1, 0.6),
    (OFF_LIST, "D", "web", "2026-05-05", 1, 0.5),
]


@pytest.fixture
def store(wh):
    wh.load("products", PRODUCTS, source="test:products")
    wh.load("orders", ORDERS, source="test:orders")
    wh.load("promotions", PROMOTIONS, source="test:promotions")
    return wh


def test_every_check_finds_exactly_the_hand_computed_rows(store):
    df = health_fn(store, *P)
    assert list(df.columns) == COLUMNS
    got = [(r.check, r.sku, r.channel, None if pd.isna(r.day) else r.day.strftime("%Y-%m-%d"), r.units,
            r.revenue_at_stake) for r in df.itertuples()]
    assert [g[:5] for g in got] == [e[:5] for e in EXPECTED]
    assert [g[5] for g in got] == pytest.approx([e[5] for e in EXPECTED])
    # names and categories come from the product feed; Z has none
    assert df.loc[0, ["name", "category"]].tolist() == ["Tee", "Tees"]
    assert df.loc[7, ["name", "category"]].isna().all()
    assert df.loc[6, "detail"] == "net price 7.00 < unit cost 8.00"
    assert df.loc[5, "detail"] == "margin 10.0% < 15.0%"
    assert df.loc[4, "detail"] == "web 8.00 vs up to 9.00 (+12.5%)"


def test_thresholds_are_parameters(store):
    df = health_fn(store, *P, price_tolerance=0.15, min_margin=0.05)
    # every price gap above is at most 12.5%, and C's 10% margin clears 5%: only B's below-cost day
    assert df[["check", "sku"]].values.tolist() == [[BELOW_COST, "B"]]
    # a window of 05-02 .. 05-02 alone: D's -10% day has no neighbour -> off list, not unrecorded
    one = health_fn(store, date(2026, 5, 2), date(2026, 5, 2))
    assert sorted(one[["check", "sku"]].values.tolist()) == [[CHANNEL_GAP, "Z"], [OFF_LIST, "D"]]


def test_a_clean_store_has_no_findings(wh):
    # list prices everywhere except A's web price of 8 on 05-02, covered by P1 (web, here 05-02..05-02);
    # A's coupon on 05-01 leaves a net price of (20 - 3)/2 = 8.5 > cost 4; web and app sell at the same
    # price each day. Margins: A (17 + 10 + 16 = 43, cost 5*4 = 20) 53%; B (40, cost 16) 60%.
    wh.load("products", PRODUCTS.iloc[:2], source="test:products")
    wh.load("orders", pd.DataFrame([
        ("o1", "2026-05-01 10:00:00", "c1", "A", 2, 10.0, 3.0, "web", None),
        ("o2", "2026-05-01 11:00:00", "c2", "A", 1, 10.0, 0.0, "app", None),
        ("o3", "2026-05-02 10:00:00", "c1", "A", 2, 8.0, 0.0, "web", None),
        ("o4", "2026-05-03 10:00:00", "c3", "B", 1, 20.0, 0.0, "web", None),
        ("o5", "2026-05-03 10:00:00", "c3", "B", 1, 20.0, 0.0, "app", None),
    ], columns=ORDERS.columns), source="test:orders")
    wh.load("promotions", PROMOTIONS.iloc[:1].assign(start_date="2026-05-02"), source="test:promotions")
    df = health_fn(wh, *P)
    assert df.empty
    assert list(df.columns) == COLUMNS
    # without the promotion record, A's 05-02 web day is 20% below list: one day, so "off list price"
    wh.load("promotions", PROMOTIONS.iloc[2:], source="test:promotions2")
    df = health_fn(wh, *P)
    # stake |2*10 - 16| = 4
    assert df[["check", "sku", "channel", "units", "revenue_at_stake"]].values.tolist() == [
        [OFF_LIST, "A", "web", 2.0, 4.0]]
    assert df.loc[0, "day"] == pd.Timestamp("2026-05-02")
    assert df.loc[0, "detail"] == "avg price 8.00 vs list 10.00 (-20.0%), no promotion"


def test_an_empty_warehouse_has_no_findings(wh):
    df = health_fn(wh, *P)
    assert df.empty
    assert list(df.columns) == COLUMNS


@pytest.mark.parametrize("kwargs, message", [
    ({"start": date(2026, 5, 5), "end": date(2026, 5, 1)}, "after the end date"),
    ({"price_tolerance": -0.1}, "price_tolerance"),
    ({"price_tolerance": float("nan")}, "price_tolerance"),
    ({"min_margin": 1.5}, "min_margin"),
])
def test_bad_parameters_raise(kwargs, message):
    args = {"start": P[0], "end": P[1], **kwargs}
    with pytest.raises(ValueError, match=message):
        health_fn(None, args.pop("start"), args.pop("end"), **args)


# What "Below cost N" counts: SKUs, SKU-days (a SKU on one day in one channel) and sale lines differ.
# Products A (list 10, cost 4) and B (list 20, cost 8); every line at list price, coupons bring the net down.
#   L1 05-01 B web 1 x 20 - 13      net 7 < 8          B web 05-01: 1 line, 1 unit, stake 8 - 7 = 1
#   L2 05-02 B web 2 x 20 - 26      net 14 / 2 = 7     B web 05-02: 1 line, 2 units, stake 16 - 14 = 2
#   L3 05-02 B app 1 x 20 - 14      net 6   } cell     B app 05-02: 2 lines, 2 units, net (6 + 8) / 2 = 7,
#   L4 05-02 B app 1 x 20 - 12      net 8   }            stake 16 - 14 = 2 (L4 alone is above cost)
#   L5 05-03 B web 4 x 20           at list
#   L6 05-04 A web 3 x 10 - 20      net 10 / 3 < 4     A web 05-04: 1 line, 3 units, stake 12 - 10 = 2
#   L7 05-05 A web 10 x 10          at list
#   L8 05-05 A app 1 x 10 - 5       net 5 > 4: a coupon, not below cost
# Below cost: 2 SKUs, 4 SKU-days, 5 sale lines, 8 units, 7.00 at stake. Nothing else is flagged: prices
# paid are list prices in every channel, and margins are B (7 + 14 + 6 + 8 + 80 = 115 - 9 x 8) 37% and
# A (10 + 100 + 5 = 115 - 14 x 4) 51%.
COUPONS = pd.DataFrame([(f"o{i}", f"2026-{ts}", f"c{i}", sku, q, pr, d, ch, None)
                        for i, (ts, sku, ch, q, pr, d) in enumerate([
                            ("05-01 10:00:00", "B", "web", 1, 20.0, 13.0),
                            ("05-02 10:00:00", "B", "web", 2, 20.0, 26.0),
                            ("05-02 11:00:00", "B", "app", 1, 20.0, 14.0),
                            ("05-02 12:00:00", "B", "app", 1, 20.0, 12.0),
                            ("05-03 10:00:00", "B", "web", 4, 20.0, 0.0),
                            ("05-04 10:00:00", "A", "web", 3, 10.0, 20.0),
                            ("05-05 10:00:00", "A", "web", 10, 10.0, 0.0),
                            ("05-05 11:00:00", "A", "app", 1, 10.0, 5.0)])],
                       columns=ORDERS.columns)


def test_below_cost_counts_skus_sku_days_and_sale_lines_by_hand(wh):
    from lib.pricing.checks import CHECKS, tally

    wh.load("products", PRODUCTS.iloc[:2], source="test:products")
    wh.load("orders", COUPONS, source="test:orders")
    found = health_fn(wh, *P)
    assert set(found["check"]) == {BELOW_COST}
    rows = found.sort_values(["day", "sku", "channel"])
    assert rows[["sku", "channel", "lines", "units"]].values.tolist() == [
        ["B", "web", 1, 1.0], ["B", "app", 2, 2.0], ["B", "web", 1, 2.0], ["A", "web", 1, 3.0]]
    t = tally(found).set_index("check")
    assert list(t.index) == CHECKS
    assert t.loc[BELOW_COST].tolist() == [2, 4, 5, 8.0, pytest.approx(7.0)]
    assert t.loc[OFF_LIST].tolist() == [0, 0, 0, 0.0, 0.0]
    # the hand-built store above: low margin counts SKUs (one finding each) and their lines over the range
    wh.load("products", PRODUCTS, source="test:products2")
    wh.load("orders", ORDERS, source="test:orders2")
    wh.load("promotions", PROMOTIONS, source="test:promotions")
    t = tally(health_fn(wh, *P)).set_index("check")
    assert t.loc[LOW_MARGIN, ["skus", "findings", "lines"]].tolist() == [1, 1, 1]           # C: L8
    assert t.loc[UNRECORDED_PROMO, ["skus", "findings", "lines"]].tolist() == [1, 2, 2]     # D: L9, L10
    assert t.loc[CHANNEL_GAP, ["skus", "findings", "lines"]].tolist() == [2, 2, 2]          # A web, Z web
