"""Explore queries on the hand-built store of tests/test_kpis.py (see its docstring for the lines).

Lines in P (2026-03-01 .. 03-07), with channel, category/SKU/supplier, order, customer, revenue,
units, cost, new?:
L3  web   Mugs/A/Acme       o3  c1  25   3  12  returning
L4  web   Tees/B/Bolt       o3  c1  20   1   8  returning
L5  email Tees/B/Bolt       o4  c3  40   2  16  new
L6  email (unknown)/Z/(unk) o4  c3  15   1  -   new
L8  web   Mugs/A/Acme       o6  c2 -10  -1  -4  returning (a return)
L9  web   Mugs/A/Acme       o7  c3  38   4  16  new
L12 sms   Mugs/A/Acme       o10 c4  10   1   4  new
Sessions in P: s1 web desktop "/" (purchase), s2 email mobile "/sale", s3 web mobile "/p/a"
(purchase), s4 web mobile "/".
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from lib.analytics import explore
from tests.support.kpi_store import P, load_store

NAN = float("nan")

# metric -> {value of the split: expected}
BY_CHANNEL = {
    "revenue": {"web": 73, "email": 55, "sms": 10},            # 25+20-10+38 | 40+15 | 10
    "orders": {"web": 3, "email": 1, "sms": 1},                # o3 o6 o7 | o4 | o10
    "units": {"web": 7, "email": 3, "sms": 1},
    "aov": {"web": 73 / 3, "email": 55, "sms": 10},
    "customers": {"web": 3, "email": 1, "sms": 1},             # c1 c2 c3 | c3 | c4
    "new_customers": {"web": 1, "email": 1, "sms": 1},         # c3 | c3 | c4
    "returning_rate": {"web": 2 / 3, "email": 0, "sms": 0},
    "gross_margin": {"web": 41, "email": 24, "sms": 6},        # 13+12-6+22 | 40-16 (Z uncosted) | 10-4
    "margin_pct": {"web": 41 / 73, "email": 24 / 40, "sms": 0.6},
    "returns": {"web": 10, "email": 0, "sms": 0},
}
# the three product dimensions split the lines the same way: Mugs=A=Acme, Tees=B=Bolt, unknown=Z
BY_PRODUCT = {
    "revenue": (63, 60, 15),                # 25-10+38+10 | 20+40 | 15
    "orders": (4, 2, 1),                    # o3 o6 o7 o10 | o3 o4 | o4
    "units": (7, 3, 1),
    "aov": (63 / 4, 30, 15),
    "customers": (4, 2, 1),                 # c1 c2 c3 c4 | c1 c3 | c3
    "new_customers": (2, 1, 1),             # c3 c4 | c3 | c3
    "returning_rate": (0.5, 0.5, 0),
    "gross_margin": (35, 36, 0),            # 63-28 | 60-24 | no cost known
    "margin_pct": (35 / 63, 0.6, NAN),
    "returns": (10, 0, 0),
}
PRODUCT_KEYS = {"category": ("Mugs", "Tees", "(unknown)"), "sku": ("A", "B", "Z"),
                "supplier": ("Acme", "Bolt", "(unknown)")}
BY_SESSION = {
    "channel": {"sessions": {"web": 3, "email": 1}, "converted_sessions": {"web": 2, "email": 0},
                "conversion_rate": {"web": 2 / 3, "email": 0}},
    "device": {"sessions": {"desktop": 1, "mobile": 3}, "converted_sessions": {"desktop": 1, "mobile": 1},
               "conversion_rate": {"desktop": 1, "mobile": 1 / 3}},
    "landing_page": {"sessions": {"/": 2, "/p/a": 1, "/sale": 1},
                     "converted_sessions": {"/": 1, "/p/a": 1, "/sale": 0},
                     "conversion_rate": {"/": 0.5, "/p/a": 1, "/sale": 0}},
}
TOTALS = {"revenue": 138, "orders": 5, "units": 11, "aov": 27.6, "customers": 4, "new_customers": 2,
          "returning_rate": 0.5, "gross_margin": 71, "margin_pct": 71 / 123, "returns": 10, "sessions": 4,
          "converted_sessions": 2, "conversion_rate": 0.5}


@pytest.fixture
def store(wh):
    return load_store(wh)


def _as_dict(df: pd.DataFrame, dim: str) -> dict:
    return dict(zip(df[dim], df["value"], strict=True))


def _same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for k, v in want.items():
        if isinstance(v, float) and math.isnan(v):
            assert math.isnan(got[k]), k
        else:
            assert got[k] == pytest.approx(v), k


def test_every_order_metric_by_every_order_dimension(store):
    for metric, want in BY_CHANNEL.items():
        _same(_as_dict(explore.query(store, metric, "channel", None, *P), "channel"), want)
    for dim, keys in PRODUCT_KEYS.items():
        for metric, values in BY_PRODUCT.items():
            got = _as_dict(explore.query(store, metric, dim, "total", *P), dim)
            _same(got, dict(zip(keys, values, strict=True)))


def test_every_session_metric_by_every_session_dimension(store):
    for dim, by_metric in BY_SESSION.items():
        for metric, want in by_metric.items():
            _same(_as_dict(explore.query(store, metric, dim, None, *P), dim), want)


def test_totals_without_a_split(store):
    for metric, want in TOTALS.items():
        df = explore.query(store, metric, None, None, *P)
        assert list(df.columns) == ["value"] and df["value"].iloc[0] == pytest.approx(want), metric


def test_over_time_is_zero_filled_per_value(store):
    df = explore.query(store, "revenue", "channel", "day", *P)
    assert list(df.columns) == ["period", "channel", "value"]
    assert len(df) == 7 * 3                                     # every day for every channel
    web = df[df["channel"] == "web"]["value"].tolist()
    assert web == [45.0, 0.0, 0.0, 0.0, -10.0, 0.0, 38.0]        # L3+L4 | L8 | L9
    new = explore.query(store, "new_customers", None, "day", *P)["value"].tolist()
    assert new == [0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]            # c3 on 03-02, c4 on 03-03
    conv = explore.query(store, "conversion_rate", "device", "week", *P)
    # week of 02-23 holds 03-01 (s1 desktop, converted); week of 03-02: mobile s2 s3 s4
    assert conv.loc[conv["device"] == "mobile", "value"].isna().tolist() == [True, False]
    assert conv.loc[conv["device"] == "desktop", "value"].tolist()[0] == 1.0


def test_filters_are_bound_values(store):
    df = explore.query(store, "revenue", "category", None, *P, {"channel": ["web"], "category": ["Mugs"]})
    assert _as_dict(df, "category") == {"Mugs": 53.0}           # 25 - 10 + 38
    # a value that looks like SQL is just a value that matches nothing
    df = explore.query(store, "revenue", None, None, *P, {"channel": ["web' OR '1'='1"]})
    assert df["value"].iloc[0] == 0.0
    # the category filter does not apply to session metrics
    df = explore.query(store, "sessions", None, None, *P, {"category": ["Mugs"]})
    assert df["value"].iloc[0] == 4.0
    assert explore.query(store, "orders", None, None, *P)["value"].iloc[0] == 5.0   # orders table intact


def test_unknown_and_malicious_names_are_rejected(store):
    with pytest.raises(ValueError, match="unknown metric 'profit'"):
        explore.query(store, "profit", None, None, *P)
    with pytest.raises(ValueError, match="unknown dimension"):
        explore.query(store, "revenue", "channel; DROP TABLE orders; --", None, *P)
    with pytest.raises(ValueError, match="unknown dimension"):
        explore.query(store, "revenue", "orders.customer_id", None, *P)
    with pytest.raises(ValueError, match="unknown grain 'hour'"):
        explore.query(store, "revenue", None, "hour", *P)
    with pytest.raises(ValueError, match="unknown filter 'status'"):
        explore.query(store, "revenue", None, None, *P, {"status": ["x"]})
    with pytest.raises(ValueError, match="Device is not available for Revenue"):
        explore.query(store, "revenue", "device", None, *P)
    with pytest.raises(ValueError, match="Category is not available for Sessions"):
        explore.query(store, "sessions", "category", None, *P)
    assert explore.query(store, "orders", None, None, *P)["value"].iloc[0] == 5.0


def test_registries_and_helpers():
    assert explore.dimensions_for("revenue") == ["channel", "category", "sku", "supplier"]
    assert explore.dimensions_for("conversion_rate") == ["channel", "device", "landing_page"]
    assert explore.unavailable_reason("revenue", "channel") is None
    assert {m.kind for m in explore.METRICS.values()} == {"money", "count", "pct"}
    df = pd.DataFrame({"sku": ["A", "A", "B", "C"], "value": [1.0, 5.0, 4.0, 2.0]})
    assert explore.top_values(df, "sku", 2) == ["A", "B"]                   # totals 6, 4, 2
    assert explore.top_values(df, "sku", 2, additive=False) == ["B", "A"]   # means 3, 4, 2


def test_partial_ends():
    from datetime import date
    # 2026-03-01 is a Sunday: its week starts 02-23 (cut); 03-07 is a Saturday (week ends 03-08: cut)
    assert explore.partial_ends(date(2026, 3, 1), date(2026, 3, 7), "week") == (True, True)
    assert explore.partial_ends(date(2026, 3, 2), date(2026, 3, 8), "week") == (False, False)
    assert explore.partial_ends(date(2026, 3, 1), date(2026, 3, 31), "month") == (False, False)
    assert explore.partial_ends(date(2026, 3, 2), date(2026, 4, 30), "month") == (True, False)
    assert explore.partial_ends(date(2026, 3, 2), date(2026, 3, 3), "day") == (False, False)
