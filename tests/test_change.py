"""What changed (issue 20): revenue's change split into sessions × conversion × AOV (Shapley) and per
channel/category into volume, mix and price; the sentence; every value computed by hand, on every engine.

Store 1 is tests/support/kpi_store (see tests/test_kpis.py's table): baseline a = C (02-22 .. 02-28),
compared b = P (03-01 .. 03-07).
    a: revenue 100 (o1 web 2×A 20, o2 email 4×B 80), orders 2, sessions 1 (s5)
    b: revenue 138, orders 5 (o3, o4, o6 a return, o7, o10), sessions 4 (s1..s4)
    conversion (orders / sessions) 2 -> 1.25; AOV 50 -> 27.6
    φs = Δs·[(c_a·v_a + c_b·v_b)/3 + (c_a·v_b + c_b·v_a)/6] = 3·[(100 + 34.5)/3 + (55.2 + 62.5)/6] = 193.35
    φc = −0.75·[(1·50 + 4·27.6)/3 + (1·27.6 + 4·50)/6] = −0.75·91.4 = −68.55
    φv = −22.4·[(1·2 + 4·1.25)/3 + (1·1.25 + 4·2)/6] = −22.4·3.875 = −86.80      sum 38 = 138 − 100
"""
from __future__ import annotations

import itertools
from datetime import date
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lib import kpis
from lib.analytics import change
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.kpi_store import load_store

A = (date(2026, 2, 22), date(2026, 2, 28))
B = (date(2026, 3, 1), date(2026, 3, 7))


def contributions(df: pd.DataFrame) -> dict[str, float]:
    return dict(zip(df["driver"], df["contribution"], strict=True))


def total_cents(df: pd.DataFrame) -> int:
    return sum(round(x * 100) for x in df["contribution"])


def test_explain_change_on_the_kpi_store(wh):
    load_store(wh)
    df = kpis.explain_change(wh, *A, *B)
    assert list(df["driver"]) == ["sessions", "conversion_rate", "aov"]
    assert contributions(df) == {"sessions": 193.35, "conversion_rate": -68.55, "aov": -86.80}
    assert df.attrs == {"revenue_a": 100.0, "revenue_b": 138.0, "change": 38.0}
    assert total_cents(df) == 3800
    assert list(df["value_a"]) == [1.0, 2.0, 50.0] and list(df["value_b"]) == [4.0, 1.25, 27.6]


def test_segments_on_the_kpi_store(wh):
    load_store(wh)
    # channel   a: rev units    b: rev units (units sold: quantity > 0; the return o6 is −10 on web, 0 units)
    # web          20   2          73   8        Q_a = 6, Q_b = 12
    # email        80   4          55   3
    # sms           0   0          10   1
    # web:   volume = (12−6)·(2/6)·10 = 20; mix = 12·(8/12 − 2/6)·10 = 40; price = 8·(73/8 − 10) = −7
    # email: volume = 6·(4/6)·20 = 80; mix = 12·(3/12 − 4/6)·20 = −100; price = 3·(55/3 − 20) = −5
    # sms (new): p_a := p_b = 10; volume 0; mix = 12·(1/12)·10 = 10; price 0
    ch = kpis.explain_segments(wh, *A, *B, dim="channel")
    assert ch.to_dict("records") == [
        {"channel": "web", "revenue_a": 20.0, "revenue_b": 73.0, "change": 53.0, "volume": 20.0, "mix": 40.0,
         "price": -7.0},
        {"channel": "email", "revenue_a": 80.0, "revenue_b": 55.0, "change": -25.0, "volume": 80.0, "mix": -100.0,
         "price": -5.0},
        {"channel": "sms", "revenue_a": 0.0, "revenue_b": 10.0, "change": 10.0, "volume": 0.0, "mix": 10.0,
         "price": 0.0}]
    # category: Mugs a 20 (2 u) b 25−10+38+10 = 63 (8 u); Tees a 80 (4) b 20+40 = 60 (3); Z has no product row
    # Mugs: volume 20, mix 12·(8/12 − 2/6)·10 = 40, price 63 − 80 = −17; Tees: 80, −100, 60 − 60 = 0
    cat = kpis.explain_segments(wh, *A, *B, dim="category")
    assert cat[["category", "change", "volume", "mix", "price"]].values.tolist() == [
        ["Mugs", 43.0, 20.0, 40.0, -17.0], ["Tees", -20.0, 80.0, -100.0, 0.0], ["(unknown)", 15.0, 0.0, 15.0, 0.0]]
    assert cat.attrs["change"] == ch.attrs["change"] == 38.0
    with pytest.raises(ValueError, match="unknown segment dimension"):
        kpis.explain_segments(wh, *A, *B, dim="sku")


def test_the_sentence_on_the_kpi_store(wh):
    load_store(wh)
    drivers = kpis.explain_change(wh, *A, *B)
    segs = kpis.explain_segments(wh, *A, *B, dim="channel")
    assert kpis.change_sentence(drivers, A, B, segs) == (
        "Revenue rose $38.00 (+38.0%) from 22–28 Feb to 1–7 Mar: more sessions added $193.35, fewer "
        "orders per session took away $68.55, and a lower average order value $86.80. Web drove most of it "
        "(+$53.00).")
    # the other way round: every sign flips; email is the segment that moved with the total (down)
    back = kpis.explain_change(wh, *B, *A)
    assert contributions(back) == {"sessions": -193.35, "conversion_rate": 68.55, "aov": 86.80}
    assert kpis.change_sentence(back, B, A, kpis.explain_segments(wh, *B, *A)) == (
        "Revenue fell $38.00 (-27.5%) from 1–7 Mar to 22–28 Feb: fewer sessions took away $193.35, more "
        "orders per session added $68.55, and a higher average order value $86.80. Web drove most of it (−$53.00).")


# -- degenerate periods ---------------------------------------------------------------------------------
# Jan 5-11 (N): two sessions, no orders.  Jan 12-18 (B1): four sessions, one order of 3 × A at 10 = 30.
# Jan 19-25 (E): nothing.  Jan 26 - Feb 1 (F): orders o2 (2 × A = 20) and o3 (1 × A = 10), no sessions.
N, B1, E = ((date(2026, 1, d), date(2026, 1, d + 6)) for d in (5, 12, 19))
F = (date(2026, 1, 26), date(2026, 2, 1))
PRODUCTS = pd.DataFrame({"sku": ["A"], "name": ["Mug"], "category": ["Mugs"], "unit_cost": [4.0], "price": [10.0]})
ORDERS = pd.DataFrame([("o1", "2026-01-14 10:00:00", "c1", "A", 3, 10.0, "web"),
                       ("o2", "2026-01-27 10:00:00", "c2", "A", 2, 10.0, "web"),
                       ("o3", "2026-01-28 10:00:00", "c3", "A", 1, 10.0, "email")],
                      columns=["order_id", "ordered_at", "customer_id", "sku", "quantity", "unit_price", "channel"])
EVENTS = pd.DataFrame([(f"s{i}", f"2026-01-{day:02d} 09:00:00", ev, "web")
                       for i, (day, ev) in enumerate([(6, "page_view"), (7, "page_view"), (12, "page_view"),
                                                      (13, "page_view"), (14, "purchase"), (15, "page_view")])],
                      columns=["session_id", "event_at", "event", "channel"])


@pytest.fixture
def sparse(wh):
    wh.load("products", PRODUCTS, source="test")
    wh.load("orders", ORDERS, source="test")
    wh.load("events", EVENTS, source="test")
    return wh


def test_degenerate_periods(sparse):
    # no orders in a (N -> B1): AOV is undefined in a and takes b's (30), so AOV explains nothing;
    # s = (2, 4), c = (0, 1/4), v = (30, 30): φs = 2·[(0 + 7.5)/3 + (0 + 7.5)/6] = 7.5; φc = 0.25·[(60 + 120)/3
    # + (60 + 120)/6] = 22.5
    d = kpis.explain_change(sparse, *N, *B1)
    assert contributions(d) == {"sessions": 7.5, "conversion_rate": 22.5, "aov": 0.0}
    assert d["value_a"].isna().tolist() == [False, False, True]          # N's AOV is shown as undefined
    # nothing at all in a (E -> B1): conversion and AOV take b's; the whole 30 is sessions
    assert contributions(kpis.explain_change(sparse, *E, *B1)) == {"sessions": 30.0, "conversion_rate": 0.0,
                                                                   "aov": 0.0}
    # nothing in either: every part 0, and the sentence says so
    none = kpis.explain_change(sparse, *E, *E)
    assert contributions(none) == {"sessions": 0.0, "conversion_rate": 0.0, "aov": 0.0}
    assert kpis.change_sentence(none, E, E) == "Revenue was unchanged at $0.00 from 19–25 Jan to 19–25 Jan."
    # orders without sessions in b (B1 -> F): revenue = orders × AOV, o = (1, 2), v = (30, 15):
    # φo = 1·(30 + 15)/2 = 22.5, φv = −15·(1 + 2)/2 = −22.5; sessions and conversion 0 (no session data)
    f = kpis.explain_change(sparse, *B1, *F)
    assert contributions(f) == {"sessions": 0.0, "conversion_rate": 0.0, "aov": -22.5, "orders": 22.5}
    assert f.attrs["change"] == 0.0
    # segments: web a 30 (3 u), b 20 (2 u); email new in b: 10 (1 u). Q 3 -> 3.
    # web: volume 0, mix 3·(2/3 − 1)·10 = −10, price 0; email: mix 3·(1/3)·10 = 10
    seg = kpis.explain_segments(sparse, *B1, *F)
    assert seg[["channel", "change", "volume", "mix", "price"]].values.tolist() == [
        ["email", 10.0, 0.0, 10.0, 0.0], ["web", -10.0, 0.0, -10.0, 0.0]]
    # a segment that disappears (F -> E): all its revenue goes as volume (the total fell to 0 units)
    gone = kpis.explain_segments(sparse, *F, *E)
    assert gone[["channel", "change", "volume", "mix", "price"]].values.tolist() == [
        ["web", -20.0, -20.0, 0.0, 0.0], ["email", -10.0, -10.0, 0.0, 0.0]]


def test_round_parts_keeps_the_total():
    third = Fraction(1, 3)
    assert change.round_parts([third, third, third], 100) == [34, 33, 33]
    assert change.round_parts([-third, -third, -third], -100) == [-33, -33, -34]
    assert change.round_parts([Fraction(1, 200), Fraction(1, 200)], 1) == [1, 0]      # half a cent each
    assert change.cents(0.125) == 13 and change.cents(-0.125) == -13 and change.cents(2.675) == 267  # binary


# -- properties -------------------------------------------------------------------------------------------
def _shapley_reference(a: tuple[float, float, float], b: tuple[float, float, float]) -> list[float]:
    """The plain definition: the average over the 6 orders of each factor's marginal change."""
    out = [0.0, 0.0, 0.0]
    for order in itertools.permutations(range(3)):
        cur = list(a)
        for i in order:
            before = cur[0] * cur[1] * cur[2]
            cur[i] = b[i]
            out[i] += (cur[0] * cur[1] * cur[2] - before) / 6
    return out


period = st.tuples(st.integers(0, 10_000), st.integers(0, 500), st.integers(-50_000, 5_000_000)).map(
    lambda t: {"sessions": t[0], "orders": t[1], "revenue": t[2] / 100 if t[1] else 0.0})


@settings(max_examples=300, deadline=None)
@given(a=period, b=period)
def test_drivers_sum_to_the_change_and_match_the_definition(a, b):
    df = change.decompose(a, b)
    assert total_cents(df) == change.cents(b["revenue"]) - change.cents(a["revenue"])
    if not (a["sessions"] and b["sessions"]):
        return                # no sessions: a degenerate split (test_degenerate_periods); the sum still holds
    fa, fb = ([p["sessions"], p["orders"] / p["sessions"], p["revenue"] / p["orders"] if p["orders"] else None]
              for p in (a, b))
    fa[2] = fa[2] if fa[2] is not None else (fb[2] if fb[2] is not None else 0.0)
    fb[2] = fb[2] if fb[2] is not None else fa[2]
    for got, want in zip(df["contribution"], _shapley_reference(fa, fb), strict=True):
        assert abs(got - want) <= 0.01 + 1e-6 * abs(want)


seg_rows = st.lists(st.tuples(st.integers(-2_000, 200_000), st.integers(-2_000, 200_000), st.integers(0, 50),
                              st.integers(0, 50)), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(rows=seg_rows)
def test_segment_parts_sum_to_each_segment_and_to_the_total(rows):
    df = pd.DataFrame([(f"s{i}", ra / 100, rb / 100, qa, qb) for i, (ra, rb, qa, qb) in enumerate(rows)],
                      columns=["segment", "rev_a", "rev_b", "units_a", "units_b"])
    out = change.split_segments(df)
    cents = out[["change", "volume", "mix", "price"]].map(lambda x: round(x * 100))
    assert (cents["volume"] + cents["mix"] + cents["price"] == cents["change"]).all()
    assert cents["change"].sum() == change.cents(df["rev_b"].sum()) - change.cents(df["rev_a"].sum())
    # the plain formulas where both periods sold units (within a cent of the rounded figures)
    Qa, Qb = df["units_a"].sum(), df["units_b"].sum()
    for r in df.itertuples(index=False):
        if r.units_a > 0 and r.units_b > 0:
            pa, pb = r.rev_a / r.units_a, r.rev_b / r.units_b
            got = out.set_index("segment").loc[r.segment]
            assert abs(got["volume"] - (Qb - Qa) * r.units_a / Qa * pa) <= 0.011
            assert abs(got["price"] - r.units_b * (pb - pa)) <= 0.011


# -- random stores in the warehouse against a plain pandas reference -------------------------------------
_line = st.tuples(st.integers(0, 13), st.sampled_from(["A", "B", "Z"]), st.integers(-2, 5).filter(bool),
                  st.integers(1, 99_999), st.integers(0, 300), st.sampled_from(["web", "email", None]),
                  st.sampled_from([None, None, "cancelled"]), st.integers(0, 6))
_session = st.tuples(st.integers(0, 13), st.booleans())
STORE_PRODUCTS = pd.DataFrame({"sku": ["A", "B"], "name": ["Mug", "Tee"], "category": ["Mugs", "Tees"],
                               "unit_cost": [4.0, 8.0], "price": [10.0, 20.0]})
PA, PB = (date(2026, 3, 1), date(2026, 3, 7)), (date(2026, 3, 8), date(2026, 3, 14))


@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line, min_size=1, max_size=14), sess=st.lists(_session, max_size=10))
def test_random_stores_split_exactly(tmp_path, lines, sess):
    wh = Warehouse.open(url=f"duckdb:///{tmp_path}/prop.duckdb", settings=Settings(store_timezone="UTC"))
    try:
        if wh.is_empty():
            wh.load("products", STORE_PRODUCTS, source="test")
        df = pd.DataFrame([{"order_id": f"o{o}", "ordered_at": f"2026-03-{1 + d:02d} 12:00:00", "customer_id": "c1",
                            "sku": s, "quantity": q, "unit_price": p / 100, "discount": disc / 100, "channel": ch,
                            "status": stt} for i, (d, s, q, p, disc, ch, stt, o) in enumerate(lines)])
        df = df.drop_duplicates(["order_id", "sku"])
        wh.load("orders", df.copy(), source="test")
        ev = pd.DataFrame([{"session_id": f"s{i}", "event_at": f"2026-03-{1 + d:02d} 09:00:00",
                            "event": "purchase" if bought else "page_view"} for i, (d, bought) in enumerate(sess)]
                          or [{"session_id": "s0", "event_at": "2026-01-01 09:00:00", "event": "page_view"}])
        wh.load("events", ev, source="test")
        # the reference, in plain pandas
        live = df[df["status"].isna()].copy()
        live["rev"] = live["quantity"] * live["unit_price"] - live["discount"]
        day = pd.to_datetime(live["ordered_at"]).dt.date
        ev_day = pd.to_datetime(ev["event_at"]).dt.date

        def ref(p):
            cur = live[(day >= p[0]) & (day <= p[1])]
            return {"revenue": cur["rev"].sum(), "orders": cur["order_id"].nunique(),
                    "sessions": ev.loc[(ev_day >= p[0]) & (ev_day <= p[1]), "session_id"].nunique()}, cur

        (ra, cur_a), (rb, cur_b) = ref(PA), ref(PB)
        got = kpis.explain_change(wh, *PA, *PB)
        assert total_cents(got) == change.cents(rb["revenue"]) - change.cents(ra["revenue"])
        want = change.decompose(ra, rb)
        assert contributions(got) == contributions(want)
        seg = kpis.explain_segments(wh, *PA, *PB, dim="channel").set_index("channel")
        for name, cur, col in ((PA, cur_a, "revenue_a"), (PB, cur_b, "revenue_b")):
            by = cur.assign(channel=cur["channel"].fillna("(none)")).groupby("channel")["rev"].sum()
            for ch, value in by.items():
                assert abs(seg.loc[ch, col] - value) <= 0.005 + 1e-9, (name, ch)
        c = seg[["change", "volume", "mix", "price"]].map(lambda x: round(x * 100))
        assert (c["volume"] + c["mix"] + c["price"] == c["change"]).all()
        assert c["change"].sum() == total_cents(got)
    finally:
        wh.dispose()


def test_the_sentence_names_missing_segments_in_words():
    drivers = change.decompose({"revenue": 100.0, "sessions": 10, "orders": 2}, {"revenue": 150.0, "sessions": 10,
                                                                               "orders": 3})
    # sessions unchanged (no part), conversion 0.2 -> 0.3 with AOV 50 both: the whole +50 is conversion
    segs = pd.DataFrame({"category": ["(unknown)", "Mugs"], "change": [60.0, -10.0]})
    assert change.sentence(drivers, PA, PB, segs, dim="category") == (
        "Revenue rose $50.00 (+50.0%) from 1–7 Mar to 8–14 Mar: more orders per session added $50.00. "
        "Products without a category drove most of it (+$60.00).")


def test_the_overview_report_holds_what_changed(wh):
    from lib import reports
    from lib.reports.blocks import Heading, Table, Text

    load_store(wh)
    blocks = reports.build("overview", wh, [("range", "Custom"), ("from", "2026-03-01"), ("to", "2026-03-07"),
                                            ("wc_by", "category")])
    at = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == "What changed")
    text, table = blocks[at + 1], blocks[at + 3]
    assert isinstance(text, Text) and text.markdown.endswith("Mugs drove most of it (+$43.00).")
    assert "more sessions added $193.35" in text.markdown
    assert isinstance(table, Table) and table.frame["Category"].tolist() == ["Mugs", "Tees", "(unknown)"]
