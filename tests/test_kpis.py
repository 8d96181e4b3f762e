"""KPIs on a small hand-built store, every value computed by hand (DuckDB and PostgreSQL).

The store (period P = 2026-03-01 .. 03-07, a Sunday to a Saturday; comparison C = the previous
7 days, 02-22 .. 02-28). Products: A (Mugs, cost 4, supplier Acme), B (Tees, cost 8, Bolt);
SKU Z is not in the product feed.

line order ts                 cust sku qty price disc  channel status     revenue  cost
L1   o1    02-25 10:00        c1   A    2   10    0    web               20 (C)     8
L2   o2    02-27 15:00        c2   B    4   20    NULL email             80 (C)    32
L3   o3    03-01 00:00        c1   A    3   10    5    web               25        12
L4   o3    03-01 00:00        c1   B    1   20    0    web               20         8
L5   o4    03-02 12:00        c3   B    2   20    0    email             40        16
L6   o4    03-02 12:00        c3   Z    1   15    0    email             15        (none)
L7   o5    03-04 09:30        c2   A    1   10    0    web   Cancelled    excluded
L8   o6    03-05 18:00        c2   A   -1   10    0    web               -10 return -4
L9   o7    03-07 23:59:59     c3   A    4   10    2    web               38        16
L10  o8    03-08 00:00        c1   B    1   20    0    web               after P
L11  o9    02-20 10:00        c4   A    1   10    0    web   cancelled    excluded (c4's first try)
L12  o10   03-03 11:00        c4   A    1   10    0    sms               10         4

Sessions: s5 (02-25, purchase) in C; in P: s1 (03-01 web desktop "/", purchase), s2 (03-02 email
mobile "/sale", no purchase), s3 (03-06 web mobile "/p/a", purchase), s4 (03-07 23:50 web mobile
"/", no purchase); s6 (03-08) after P.
"""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lib.analytics import kpis
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.kpi_store import PRODUCTS, P, load_store

C = (date(2026, 2, 22), date(2026, 2, 28))


@pytest.fixture
def store(wh):
    return load_store(wh)


def test_summary_of_the_period(store):
    s = kpis.summary(store, *P)
    # revenue: 25 + 20 + 40 + 15 - 10 + 38 + 10 = 138 (cancelled L7 and L10 after P excluded)
    assert s["revenue"] == pytest.approx(138.0)
    assert s["orders"] == 5                      # o3, o4, o6, o7, o10
    assert s["units"] == 11                      # 3 + 1 + 2 + 1 - 1 + 4 + 1
    assert s["aov"] == pytest.approx(138 / 5)    # 27.6
    assert s["customers"] == 4                   # c1, c2 (only a return), c3, c4
    # c3's first order is 03-02 and c4's first live order 03-03 (the cancelled 02-20 one does
    # not count): new; c1 (02-25) and c2 (02-27) ordered before P: returning
    assert s["new_customers"] == 2
    assert s["returning_customers"] == 2
    assert s["returning_rate"] == pytest.approx(0.5)
    assert s["returns"] == pytest.approx(10.0)   # the -10 return line
    # costed lines (all but Z): revenue 138 - 15 = 123, cost 12 + 8 + 16 - 4 + 16 + 4 = 52
    assert s["gross_margin"] == pytest.approx(71.0)
    assert s["margin_pct"] == pytest.approx(71 / 123)
    assert s["margin_coverage"] == pytest.approx(123 / 138)
    assert s["uncosted_lines"] == 1
    # sessions s1..s4 (s4 at 23:50 on the last day is in); s1 and s3 purchased
    assert s["sessions"] == 4
    assert s["converted_sessions"] == 2
    assert s["conversion_rate"] == pytest.approx(0.5)


def test_new_and_returning_across_the_period_boundary(store):
    prev = kpis.summary(store, *C)
    # in C, c1 (02-25) and c2 (02-27) order for the first time: both new
    assert (prev["customers"], prev["new_customers"], prev["returning_customers"]) == (2, 2, 0)
    # one day later window 02-26 .. 03-03: c1 (first 02-25) returning; c2 (02-27), c3, c4 new
    s = kpis.summary(store, date(2026, 2, 26), date(2026, 3, 3))
    assert (s["customers"], s["new_customers"], s["returning_customers"]) == (4, 3, 1)


def test_channel_filter(store):
    s = kpis.summary(store, *P, channels=["web"])
    # web lines L3, L4, L8, L9: 25 + 20 - 10 + 38 = 73; orders o3, o6, o7; units 3 + 1 - 1 + 4
    assert (s["revenue"], s["orders"], s["units"]) == (pytest.approx(73.0), 3, 7)
    # c1, c2, c3; c3 is new (first-ever order 03-02 came through email: all channels count)
    assert (s["customers"], s["new_customers"]) == (3, 1)
    assert (s["sessions"], s["converted_sessions"]) == (3, 2)   # s1, s3, s4


def test_compare_with_previous_period(store):
    df = kpis.compare(store, *P, C).set_index("kpi")
    # C: revenue 20 + 80 = 100, orders 2, units 6, AOV 50, margin 100 - 40 = 60 (60%)
    assert df.loc["revenue", ["value", "previous", "change", "change_pct"]].tolist() == pytest.approx(
        [138.0, 100.0, 38.0, 0.38])
    assert df.loc["aov", ["value", "previous"]].tolist() == pytest.approx([27.6, 50.0])
    assert df.loc["aov", "change_pct"] == pytest.approx((27.6 - 50) / 50)
    assert df.loc["units", ["value", "previous"]].tolist() == [11, 6]
    assert df.loc["gross_margin", ["value", "previous"]].tolist() == pytest.approx([71.0, 60.0])
    assert df.loc["margin_pct", "change"] == pytest.approx(71 / 123 - 0.6)     # in fraction points
    assert df.loc["sessions", ["value", "previous"]].tolist() == [4, 1]
    assert df.loc["conversion_rate", ["value", "previous"]].tolist() == pytest.approx([0.5, 1.0])
    assert df.loc["returns", ["value", "previous", "up_is_good"]].tolist() == [10.0, 0.0, False]
    assert math.isnan(df.loc["returns", "change_pct"])                          # nothing before
    assert df.loc["revenue", "kind"] == "money" and df.loc["conversion_rate", "kind"] == "pct"
    assert df.attrs["margin_coverage"] == pytest.approx(123 / 138)
    assert df.attrs["uncosted_lines"] == 1


def test_compare_without_comparison(store):
    df = kpis.compare(store, *P, None).set_index("kpi")
    assert df.loc["revenue", "value"] == pytest.approx(138.0)
    assert df["previous"].isna().all() and df["change"].isna().all()


def test_trend_is_zero_filled(store):
    day = kpis.trend(store, *P, "day")
    assert [d.date() for d in day["period"]] == [date(2026, 3, d) for d in range(1, 8)]
    # 03-01: 25 + 20; 03-02: 40 + 15; 03-03: 10; 03-04: only the cancelled line; 03-05: the return
    assert day["value"].tolist() == [45.0, 55.0, 10.0, 0.0, -10.0, 0.0, 38.0]
    week = kpis.trend(store, *P, "week")
    # weeks start Monday: 03-01 (a Sunday) is in the week of 02-23; 03-02 .. 03-07: 55 + 10 - 10 + 38
    assert [d.date() for d in week["period"]] == [date(2026, 2, 23), date(2026, 3, 2)]
    assert week["value"].tolist() == [45.0, 93.0]
    month = kpis.trend(store, date(2026, 2, 1), date(2026, 4, 30), "month", metric="orders")
    assert month["value"].tolist() == [2.0, 6.0, 0.0]       # Feb: o1, o2; Mar: o3 o4 o6 o7 o8 o10; Apr: none
    aov = kpis.trend(store, *P, "day", metric="aov")
    assert aov["value"].iloc[0] == pytest.approx(45.0) and math.isnan(aov["value"].iloc[3])   # no orders: NaN
    with pytest.raises(ValueError, match="unknown grain"):
        kpis.trend(store, *P, "hour")


def test_overlay_aligns_by_offset():
    cur = pd.DataFrame({"period": pd.to_datetime(["2026-03-01", "2026-03-02"]), "value": [1.0, 2.0]})
    prev = pd.DataFrame({"period": pd.to_datetime(["2026-02-27", "2026-02-28"]), "value": [3.0, 4.0]})
    out = kpis.overlay(cur, prev)
    comp = out[out["series"] == "Comparison"]
    assert comp["period"].tolist() == cur["period"].tolist()        # drawn on the current axis
    assert comp["actual_period"].tolist() == prev["period"].tolist()
    assert comp["value"].tolist() == [3.0, 4.0]
    assert kpis.overlay(cur, None)["series"].unique().tolist() == ["Current"]


def test_breakdowns(store):
    ch = kpis.breakdown(store, *P, "channel")
    assert ch["channel"].tolist() == ["web", "email", "sms"]
    assert ch["revenue"].tolist() == pytest.approx([73.0, 55.0, 10.0])
    assert ch["orders"].tolist() == [3, 1, 1] and ch["units"].tolist() == [7, 3, 1]
    assert ch["share"].tolist() == pytest.approx([73 / 138, 55 / 138, 10 / 138])
    cat = kpis.breakdown(store, *P, "category")
    # Mugs: 25 - 10 + 38 + 10; Tees: 20 + 40; Z has no product row
    assert list(zip(cat["category"], cat["revenue"], cat["orders"], strict=True)) == [
        ("Mugs", 63.0, 4), ("Tees", 60.0, 2), ("(unknown)", 15.0, 1)]
    with pytest.raises(ValueError, match="unknown dimension"):
        kpis.breakdown(store, *P, "colour")


def test_movers(store):
    m = kpis.movers(store, *P, C, dim="sku", n=5)
    # A: 63 vs 20 (+43, +215%); Z: 15 vs 0 (+15, new); B: 60 vs 80 (-20, -25%)
    assert m["sku"].tolist() == ["A", "Z", "B"]
    assert m["name"].tolist()[::2] == ["Mug", "Tee"] and pd.isna(m["name"].iloc[1])   # Z: not in the feed
    assert m["direction"].tolist() == ["up", "up", "down"]
    assert m["change"].tolist() == pytest.approx([43.0, 15.0, -20.0])
    assert m["change_pct"].iloc[0] == pytest.approx(2.15) and math.isnan(m["change_pct"].iloc[1])
    assert m["change_pct"].iloc[2] == pytest.approx(-0.25)
    top1 = kpis.movers(store, *P, C, dim="category", n=1)
    assert top1[["category", "revenue", "previous"]].values.tolist() == [["Mugs", 63.0, 20.0],
                                                                          ["Tees", 60.0, 80.0]]


def test_breakdown_against_the_comparison_period(store):
    ch = kpis.breakdown_compare(store, *P, C, "channel")
    # P: web 73, email 55, sms 10; C: web 20 (o1), email 80 (o2)
    assert ch["channel"].tolist() == ["web", "email", "sms"]
    assert ch[["revenue", "previous", "change"]].to_numpy().ravel().tolist() == pytest.approx(
        [73.0, 20.0, 53.0, 55.0, 80.0, -25.0, 10.0, 0.0, 10.0])
    assert ch["change_pct"].tolist()[:2] == pytest.approx([53 / 20, -25 / 80]) and math.isnan(ch["change_pct"].iloc[2])
    assert ch["share"].tolist() == pytest.approx([73 / 138, 55 / 138, 10 / 138])
    # a value sold only in the comparison period is listed with 0 now: Feb 22..28 against Mar 01..07
    back = kpis.breakdown_compare(store, *C, P, "channel")
    assert back[["channel", "revenue", "previous"]].values.tolist() == [["email", 80.0, 55.0], ["web", 20.0, 73.0],
                                                                        ["sms", 0.0, 10.0]]
    assert back["orders"].tolist() == [1, 1, 0]
    sku = kpis.breakdown_compare(store, *P, C, "sku")
    # A 63 (20 before), B 60 (80), Z 15 (0); names from the product feed, none for Z
    assert sku[["sku", "revenue", "previous"]].values.tolist() == [["A", 63.0, 20.0], ["B", 60.0, 80.0],
                                                                   ["Z", 15.0, 0.0]]
    assert sku["name"].tolist()[:2] == ["Mug", "Tee"] and pd.isna(sku["name"].iloc[2])
    alone = kpis.breakdown_compare(store, *P, None, "category")
    assert alone["category"].tolist() == ["Mugs", "Tees", "(unknown)"] and alone["previous"].isna().all()


def test_promotion_periods(store):
    pr = kpis.promotion_periods(store, *P)
    assert pr["promo_id"].tolist() == ["P1", "P2"]                 # P3 (April) is outside
    assert pr["start_date"].tolist() == [date(2026, 2, 26), date(2026, 3, 6)]
    assert pr["end_date"].tolist() == [date(2026, 3, 3), date(2026, 3, 10)]
    assert pr["discount_pct"].tolist() == [20.0, 15.0]
    assert pr["scope"].tolist() == ["2 SKUs", "category Mugs · email only"]
    assert kpis.promotion_periods(store, date(2025, 1, 1), date(2025, 1, 31)).empty


def test_span_channels_and_empty_store(wh):
    assert kpis.order_span(wh) is None and kpis.channels(wh) == []
    s = kpis.summary(wh, *P)
    assert s["revenue"] == 0 and s["orders"] == 0 and math.isnan(s["aov"])
    load_store(wh)
    assert kpis.order_span(wh) == (date(2026, 2, 20), date(2026, 3, 8))
    assert kpis.channels(wh) == ["email", "sms", "web"]
    assert kpis.categories(wh) == ["Mugs", "Tees"]


# -- property: summary() against a plain pandas computation (DuckDB only) ---------------------------
_line = st.tuples(
    st.integers(0, 5),                                   # order number
    st.integers(0, 9),                                   # day offset from 2026-03-01
    st.sampled_from(["c1", "c2", "c3"]),
    st.sampled_from(["A", "B", "Z"]),                    # Z: no product row
    st.integers(-2, 5),
    st.sampled_from([0.0, 2.5, 10.0]),
    st.sampled_from([None, 0.0, 1.0]),
    st.sampled_from([None, "paid", "cancelled", "CANCELLED"]),
)


def _reference(df: pd.DataFrame, start: date, end: date) -> dict[str, float]:
    live = df[df["status"].fillna("").str.lower() != "cancelled"].copy()
    qty, price = live["quantity"].astype(float), live["unit_price"].astype(float)
    live["rev"] = qty * price - pd.to_numeric(live["discount"]).fillna(0.0).astype(float)
    ts = pd.to_datetime(live["ordered_at"])
    first = ts.groupby(live["customer_id"]).min()
    cur = live[(ts >= pd.Timestamp(start)) & (ts < pd.Timestamp(end) + pd.Timedelta(days=1))]
    cost = cur["sku"].map({"A": 4.0, "B": 8.0}).astype(float)
    costed = cur[cost.notna()]
    custs = set(cur["customer_id"])
    new = {c for c in custs if first[c] >= pd.Timestamp(start)}
    return {"revenue": cur["rev"].sum(), "orders": cur["order_id"].nunique(), "units": cur["quantity"].sum(),
            "customers": len(custs), "new_customers": len(new),
            "gross_margin": costed["rev"].sum() - (costed["quantity"].astype(float) * cost.dropna()).sum()}


@settings(max_examples=30, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_line, min_size=1, max_size=12, unique_by=lambda r: (r[0], r[1], r[3])))
def test_summary_matches_pandas(tmp_path, rows):
    wh = Warehouse.open(url=f"duckdb:///{tmp_path}/prop.duckdb", settings=Settings(store_timezone="UTC"))
    try:
        if wh.is_empty():
            wh.load("products", PRODUCTS, source="test")
        df = pd.DataFrame([{"order_id": f"o{o}", "ordered_at": f"2026-03-{1 + d:02d} 12:00:00", "customer_id": c,
                            "sku": s, "quantity": q, "unit_price": p, "discount": disc, "status": stt}
                           for o, d, c, s, q, p, disc, stt in rows])
        wh.load("orders", df.copy(), source="test")
        start, end = date(2026, 3, 3), date(2026, 3, 7)
        got, want = kpis.summary(wh, start, end), _reference(df, start, end)
        for key, value in want.items():
            assert got[key] == pytest.approx(float(value), abs=1e-9), key
    finally:
        wh.dispose()
