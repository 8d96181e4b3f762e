"""Funnel scenarios: small journeys with hand-computed answers, on DuckDB and PostgreSQL.

Times in the journeys are seconds after T0 (2025-03-03 09:00). Steps abbreviated in comments:
pv page_view, vi view_item, atc add_to_cart, bc begin_checkout, buy purchase.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from lib import funnel
from tests.support.funnel import T0, journeys, reference
from tests.support.funnel_journeys import (
    AGAIN,
    BEST_ATTEMPT,
    BREAKDOWN,
    FIRST_TOUCH,
    PER_USER,
    REPEATED_STEP,
    REVENUE,
    SCENARIOS,
    STRICT,
    TIE,
    TREND,
    TWO_PURCHASES,
    WINDOW_END,
    frame,
)

DAY = date(2025, 3, 3)
S3 = ["page_view", "view_item", "add_to_cart"]


def run(wh, df, steps=S3, **kw):
    wh.load("events", df, source="test")
    kw.setdefault("window", timedelta(hours=1))
    return funnel.compute(wh, steps, kw.pop("start", DAY), kw.pop("end", DAY), **kw)


def entered(result) -> list[int]:
    return result["entered"].tolist()


def test_sequential_best_attempt_counts_not_only_the_first(wh):
    df = frame(BEST_ATTEMPT)
    r = run(wh, df)
    assert entered(r) == [4, 3, 2]
    assert r["step"].tolist() == S3
    assert r["step_index"].tolist() == [1, 2, 3]
    assert r["conversion_from_start"].tolist() == pytest.approx([1.0, 0.75, 0.5])
    assert r["conversion_from_previous"].tolist() == pytest.approx([1.0, 0.75, 2 / 3])
    # late: the attempt from pv 0 finds no vi within the hour, the one from pv 5000 times the steps.
    # pv->vi: late 100, noisy 20, backwards 20 -> median 20. vi->atc: late 100, noisy 20 -> 60
    assert r["median_seconds_from_previous"].tolist()[1:] == pytest.approx([20.0, 60.0])
    assert np.isnan(r["median_seconds_from_previous"].iloc[0])


def test_window_end_is_inclusive(wh):
    df = frame(WINDOW_END)
    r = run(wh, df)
    assert entered(r) == [2, 2, 1]


def test_repeated_steps_and_two_purchases(wh):
    steps = ["view_item", "add_to_cart", "purchase"]
    df = frame(TWO_PURCHASES)
    r = run(wh, df, steps)
    assert entered(r) == [2, 2, 2]
    # vi->atc: twice 10 (vi 0 -> atc 10), once 30 -> 20; atc->buy: twice 40 (atc 10 -> buy 50), once 60 -> 50
    assert r["median_seconds_from_previous"].tolist()[1:] == pytest.approx([20.0, 50.0])


def test_a_step_repeated_in_the_funnel_needs_a_second_occurrence(wh):
    df = frame(REPEATED_STEP)
    r = run(wh, df, ["view_item", "view_item"])
    assert entered(r) == [2, 1]


def test_strict_order_needs_the_very_next_event(wh):
    df = frame(STRICT)
    r = run(wh, df, order="strict")
    assert entered(r) == [3, 3, 2]
    seq = funnel.compute(wh, S3, DAY, DAY, window=timedelta(hours=1), order="sequential")
    assert entered(seq) == [3, 3, 3]


def test_strict_order_treats_simultaneous_events_as_one_moment(wh):
    # vi and an unrelated event share a timestamp: the next moment contains vi, so it counts
    df = frame(TIE)
    assert entered(run(wh, df, order="strict")) == [1, 1, 1]


def test_any_order_counts_distinct_steps_within_one_window(wh):
    df = journeys({
        "reversed": "0 add_to_cart, 10 view_item, 20 page_view",     # all three, in reverse
        "spread": "0 page_view, 4000 view_item, 4100 add_to_cart",   # pv is outside vi's window
        "single": "0 view_item, 30 view_item",                         # one distinct step, twice
    })
    r = run(wh, df, order="any")
    assert entered(r) == [3, 2, 1]
    # 2nd distinct step: reversed 10, spread 100 (window from vi at 4000), single -- -> median 55
    # 3rd: reversed 10
    assert r["median_seconds_from_previous"].tolist()[1:] == pytest.approx([55.0, 10.0])
    with pytest.raises(funnel.FunnelError, match="different event"):
        funnel.compute(wh, ["view_item", "view_item"], DAY, DAY, order="any")


def test_breakdown_uses_the_first_step_1_event(wh):
    df = frame(BREAKDOWN)
    r = run(wh, df, by="channel")
    assert r.columns.tolist()[0] == "channel"
    got = {(row.channel, row.step_index): row.entered for row in r.itertuples()}
    assert got == {("(not set)", 1): 1, ("(not set)", 2): 0, ("(not set)", 3): 0,
                   ("email", 1): 2, ("email", 2): 1, ("email", 3): 0,
                   ("social", 1): 1, ("social", 2): 1, ("social", 3): 1}
    email = r[r.channel == "email"]
    assert email["conversion_from_start"].tolist() == pytest.approx([1.0, 0.5, 0.0])


def test_a_step_done_early_and_again_later_keeps_its_segment(wh):
    # the unit's first atc comes before its vi: the chain must look for the atc after the vi
    df = frame(AGAIN)
    r = run(wh, df, by="channel")
    got = {(row.channel, row.step_index): (row.entered, row.median_seconds_from_previous)
           for row in r.itertuples()}
    assert {k: v[0] for k, v in got.items()} == {("email", 1): 2, ("email", 2): 2, ("email", 3): 1,
                                                 ("social", 1): 1, ("social", 2): 1, ("social", 3): 1}
    # email pv->vi: 20 and 20; vi->atc: again 30 (atc 50 - vi 20). social: 5 and 10
    assert got[("email", 2)][1] == 20.0 and got[("email", 3)][1] == 30.0
    assert got[("social", 2)][1] == 5.0 and got[("social", 3)][1] == 10.0


def test_filters_restrict_the_units(wh):
    df = journeys({"a": "0 page_view, 10 view_item", "b": "0 page_view", "c": "0 page_view"},
                  channel={"a": "email", "b": "social"})
    r = run(wh, df, filters={"channel": ["email", "(not set)"]})
    assert entered(r) == [2, 1, 0]
    with pytest.raises(funnel.FunnelError, match="Cannot filter"):
        funnel.compute(wh, S3, DAY, DAY, filters={"event; DROP TABLE events": ["x"]})


def test_per_user_joins_sessions_of_the_same_person(wh):
    df = frame(PER_USER)
    by_session = run(wh, df)
    assert entered(by_session) == [2, 1, 0]
    by_user = funnel.compute(wh, S3, DAY, DAY, window=timedelta(hours=1), unit="user")
    assert entered(by_user) == [2, 1, 1]
    assert by_user["median_seconds_from_previous"].tolist()[1:] == pytest.approx([10.0, 590.0])


def test_events_outside_the_range_are_ignored(wh):
    late_evening = (datetime(2025, 3, 3, 23, 59) - T0).total_seconds()
    df = journeys({"x": f"{late_evening} page_view, {late_evening + 120} view_item"})  # vi on Mar 4
    assert entered(run(wh, df, start=DAY, end=DAY)) == [1, 0, 0]
    assert entered(funnel.compute(wh, S3, DAY, date(2025, 3, 4), window=timedelta(hours=1))) == [1, 1, 0]
    # datetimes bound inclusively: [09:00, 09:00] keeps the events at exactly 09:00
    df2 = journeys({"y": "0 page_view, 1 view_item"})
    wh.load("events", df2, source="test")
    r = funnel.compute(wh, S3, T0, T0, window=timedelta(hours=1))
    assert entered(r) == [1, 0, 0]


def test_empty_range_gives_zero_rows_per_step(wh):
    df = journeys({"x": "0 page_view"})
    r = run(wh, df, start=date(2024, 1, 1), end=date(2024, 1, 2))
    assert entered(r) == [0, 0, 0]
    assert r["conversion_from_start"].isna().all()
    rb = funnel.compute(wh, S3, date(2024, 1, 1), date(2024, 1, 2), by="channel")
    assert rb.empty and "channel" in rb.columns


@pytest.mark.parametrize("bad, message", [
    (dict(steps=[]), "at least one step"),
    (dict(order="random"), "Unknown step order"),
    (dict(unit="household"), "Unknown unit"),
    (dict(by="password"), "Cannot break down"),
    (dict(window=timedelta(0)), "positive"),
    (dict(start=date(2025, 3, 4), end=date(2025, 3, 3)), "empty"),
])
def test_bad_parameters_raise_a_clear_error(wh, bad, message):
    kw = dict(steps=S3, start=DAY, end=DAY, window=timedelta(hours=1))
    kw.update(bad)
    with pytest.raises(funnel.FunnelError, match=message):
        funnel.compute(wh, **kw)


def test_scenarios_match_the_reference(wh):
    df = frame(SCENARIOS)
    wh.load("events", df, source="test")
    for order in funnel.ORDERS:
        for by in (None, "channel"):
            got = funnel.compute(wh, S3, DAY, DAY, window=timedelta(hours=1), order=order, by=by)
            want = reference(df, S3, timedelta(hours=1), order, by=by)
            pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)


def test_trend_time_to_convert_dropoff_and_audience(wh):
    df = frame(TREND)
    df.loc[(df.session_id == "s4") & (df.event == "add_to_cart"), "sku"] = "A"
    wh.load("products", pd.DataFrame({"sku": ["A"], "name": ["a"], "category": ["k"], "unit_cost": [4.0],
                                      "price": [25.0]}), source="test")
    wh.load("events", df, source="test")
    end = date(2025, 3, 4)
    tr = funnel.trend(wh, S3, DAY, end, window=timedelta(hours=1), grain="day")
    assert tr["period"].dt.date.tolist() == [DAY, end]
    assert tr["entered"].tolist() == [2, 2] and tr["converted"].tolist() == [2, 0]
    assert tr["conversion"].tolist() == pytest.approx([1.0, 0.0])

    ttc = funnel.time_to_convert(wh, S3, DAY, end, window=timedelta(hours=1))
    # from step 1 to atc: s1 90 s (1-2m bucket), s2 400 s (5-10m bucket)
    nonzero = ttc[ttc.units > 0]
    assert nonzero["bucket"].tolist() == ["1–2m", "5–10m"] and nonzero["units"].tolist() == [1, 1]
    assert (ttc["median_seconds"] == 245.0).all()                      # median of 90 s and 400 s
    prev = funnel.time_to_convert(wh, S3, DAY, end, window=timedelta(hours=1), to_step=2, from_start=False)
    # pv->vi: s3 10 s, s1 30 s, s2 200 s (a bucket includes its lower bound)
    assert prev.loc[prev.units > 0, "bucket"].tolist() == ["10–30s", "30s–1m", "2–5m"]
    assert prev.loc[prev.units > 0, "units"].tolist() == [1, 1, 1]

    r = funnel.compute(wh, S3, DAY, end, window=timedelta(hours=1))
    assert entered(r) == [4, 3, 2]
    d = funnel.dropoff(r, 50.0)
    # step 1: 1 dropped, valued like the 4 who reached it (2 completed) -> 1 x 2/4 x 50;
    # step 2: 1 dropped x 2/3 x 50
    assert d["dropped"].tolist()[:2] == [1, 1]
    assert d["value_at_stake"].tolist()[:2] == pytest.approx([25.0, 100 / 3])
    assert np.isnan(d["value_at_stake"].iloc[-1])

    aud = funnel.audience(wh, S3, DAY, end, window=timedelta(hours=1), after_step=1)
    # s3 stopped at view_item, s4 at page_view (its atc came without a vi); s1/s2 completed and are anonymous
    assert aud["customer_id"].tolist() == ["c4", "c3"]          # c4 has the bigger cart (25.0)
    assert aud["last_step"].tolist() == ["page_view", "view_item"]
    assert aud["cart_value"].tolist() == pytest.approx([25.0, 0.0])
    assert aud["last_step_at"].tolist() == [T0 + timedelta(seconds=86400), T0 + timedelta(seconds=86410)]
    aud2 = funnel.audience(wh, S3, DAY, end, window=timedelta(hours=1), after_step=2)
    assert aud2["customer_id"].tolist() == ["c3"]


def test_revenue_at_stake_never_exceeds_what_the_funnel_brought(wh):
    """Ten sessions: all view a page, s0-s3 view an item, s0-s1 add to cart, s0 buys (one order of $60).

    page_view 10 -> view_item 4 -> add_to_cart 2 -> purchase 1; average order value $60, so the funnel's
    own revenue is 1 x $60. A drop-out is valued like the units that reached its step:
    page_view: 6 dropped x 1/10 x $60 = $36; view_item: 2 x 1/4 x $60 = $30; add_to_cart: 1 x 1/2 x $60 = $30.
    (Valued as if each had reached the next step, page_view showed 6 x 1/4 x $60 = $90: more than the $60
    the whole funnel brought.)
    """
    wh.load("events", frame(REVENUE), source="test")
    wh.load("orders", pd.DataFrame({"order_id": ["o1"], "ordered_at": [T0 + timedelta(seconds=30)],
                                    "customer_id": ["c0"], "sku": ["A"], "quantity": [2],
                                    "unit_price": [30.0]}), source="test")
    steps = ["page_view", "view_item", "add_to_cart", "purchase"]
    r = funnel.compute(wh, steps, DAY, DAY)
    assert entered(r) == [10, 4, 2, 1]
    aov = funnel.order_value(wh, DAY, DAY)
    assert aov == pytest.approx(60.0)
    d = funnel.dropoff(r, aov)
    assert d["dropped"].tolist()[:3] == [6, 2, 1]
    assert d["value_at_stake"].tolist()[:3] == pytest.approx([36.0, 30.0, 30.0])
    assert (d["value_at_stake"].iloc[:3] <= 1 * aov).all()


S4 = ["page_view", "view_item", "add_to_cart", "purchase"]


def test_audience_takes_email_name_and_consent_from_the_customers_feed(wh):
    """Who abandoned the cart (reached add_to_cart, no purchase), with their contact details.

    session  customer         events (seconds)                      in the audience?
    a1       c1               pv 0, vi 10, atc 20 (A)                  c1's earlier abandonment
    k1       c1               pv 2000, vi 2010, atc 2020 (B)           c1: latest abandonment, cart $10
    b1       c2               pv 0, vi 10, atc 20 (B), buy 30          no: completed
    c1       C3@Shop.example  pv 100, vi 110, atc 120 (A), 130 (B)     yes, cart $40 (reached atc at 120);
                                                                   matched on email
    d1/d2    c4               abandons at 20, comes back, buys at 530  no: bought after abandoning
    e1       c5               pv 1000, vi 1010, atc 1020 (B)           yes, $10; its email is malformed
    f1       (user u9 only)   pv 0, vi 10, atc 20 (A)                  no: nobody to write to
    g1       c6               pv 0, vi 10, atc 20 (A)                  yes, $30; no marketing consent
    h1       c7               pv 20, vi 30, atc 40 (A)                 yes, $30; not in the customers feed
    """
    df = journeys({
        "a1": "0 page_view, 10 view_item, 20 add_to_cart", "k1": "2000 page_view, 2010 view_item, 2020 add_to_cart",
        "b1": "0 page_view, 10 view_item, 20 add_to_cart, 30 purchase",
        "c1": "100 page_view, 110 view_item, 120 add_to_cart, 130 add_to_cart",
        "d1": "0 page_view, 10 view_item, 20 add_to_cart", "d2": "500 page_view, 510 view_item, 520 add_to_cart, "
                                                                  "530 purchase",
        "e1": "1000 page_view, 1010 view_item, 1020 add_to_cart", "f1": "0 page_view, 10 view_item, 20 add_to_cart",
        "g1": "0 page_view, 10 view_item, 20 add_to_cart", "h1": "20 page_view, 30 view_item, 40 add_to_cart",
    }, customer_id={"a1": "c1", "k1": "c1", "b1": "c2", "c1": "C3@Shop.example", "d1": "c4", "d2": "c4",
                    "e1": "c5", "g1": "c6", "h1": "c7"}, user={"f1": "u9"})
    atc = df.event == "add_to_cart"
    df.loc[atc, "sku"] = "A"
    df.loc[atc & df.session_id.isin(["k1", "b1", "e1"]), "sku"] = "B"
    df.loc[atc & (df.session_id == "c1") & (df.event_at == T0 + timedelta(seconds=130)), "sku"] = "B"
    wh.load("products", pd.DataFrame({"sku": ["A", "B"], "name": ["a", "b"], "category": ["k", "k"],
                                      "unit_cost": [4.0, 2.0], "price": [30.0, 10.0]}), source="test")
    wh.load("events", df, source="test")
    one_hour = timedelta(hours=1)
    before = funnel.audience(wh, S4, DAY, DAY, window=one_hour, after_step=3)
    assert before["customer_id"].tolist() == ["C3@Shop.example", "c7", "c6", "c1", "c5"]
    assert before["email"].isna().all()                    # no customers feed yet: ids only
    wh.load("customers", pd.DataFrame({
        "customer_id": ["c1", "c2", "9001", "c4", "c5", "c6"],
        "email": ["ana@x.example", "bo@x.example", "C3@shop.example", "cy@x.example", "c5@nowhere", "di@x.example"],
        "first_name": ["Ana", "Bo", "Cy", "Cal", "Eve", "Di"], "last_name": ["Diaz", None, "Ng", None, None, "Lo"],
        "accepts_marketing": ["yes", "yes", "yes", "yes", "yes", "no"],
        "country": ["US", "GB", "CA", "US", "FR", "DE"]}), source="test")
    aud = funnel.audience(wh, S4, DAY, DAY, window=one_hour, after_step=3)
    a = aud.astype(object).where(aud.notna(), None)
    assert a["customer_id"].tolist() == ["C3@Shop.example", "c7", "c6", "c1", "c5"]
    assert a["email"].tolist() == ["c3@shop.example", None, "di@x.example", "ana@x.example", "c5@nowhere"]
    assert a["first_name"].tolist() == ["Cy", None, "Di", "Ana", "Eve"]
    assert a["accepts_marketing"].tolist() == [True, None, False, True, True]
    assert a["cart_value"].tolist() == pytest.approx([40.0, 30.0, 30.0, 10.0, 10.0])
    assert a["last_step"].tolist() == ["add_to_cart"] * 5
    assert a["last_step_at"].tolist() == [T0 + timedelta(seconds=s) for s in (120, 40, 20, 2020, 1020)]

    mail = funnel.email_list(aud)                          # consenting people with a valid address only
    assert mail.columns.tolist() == ["Email Address", "First Name", "Last Name", "Email Marketing Consent",
                                     "Country", "Customer ID", "Abandoned Step", "Abandoned At", "Cart Value"]
    assert mail.astype(object).where(mail.notna(), None).values.tolist() == [
        ["c3@shop.example", "Cy", "Ng", "Subscribed", "CA", "C3@Shop.example", "add_to_cart", "2025-03-03 09:02:00",
         40.0],
        ["ana@x.example", "Ana", "Diaz", "Subscribed", "US", "c1", "add_to_cart", "2025-03-03 09:33:40", 10.0]]
    everyone = funnel.email_list(aud, consent_only=False)
    assert everyone["Email Address"].tolist() == ["c3@shop.example", "di@x.example", "ana@x.example"]
    assert everyone["Email Marketing Consent"].tolist() == ["Subscribed", "Never subscribed", "Subscribed"]
    # who can be reached: 3 valid addresses (c5@nowhere is not one), 3 accepting marketing (C3, c1, c5)
    from lib.funnel.audience import reachable

    assert reachable(aud) == (3, 3)


def test_order_value_and_event_names(wh):
    wh.load("orders", pd.DataFrame({
        "order_id": ["o1", "o1", "o2", "o3"], "ordered_at": [T0, T0, T0, T0], "customer_id": ["a", "a", "b", "c"],
        "sku": ["A", "B", "A", "A"], "quantity": [1, 2, 1, 5], "unit_price": [10.0, 5.0, 30.0, 100.0],
        "discount": [0.0, 2.0, 0.0, 0.0], "status": [None, None, None, "cancelled"]}), source="test")
    # o1: 10 + 10 - 2 = 18, o2: 30; o3 cancelled -> (18 + 30) / 2
    assert funnel.order_value(wh, DAY, DAY) == pytest.approx(24.0)
    wh.load("events", journeys({"a": "0 page_view, 1 page_view, 2 purchase, 3 scroll"}), source="test")
    names = funnel.event_names(wh)
    assert names["event"].tolist() == ["page_view", "purchase", "scroll"]
    assert names["events"].tolist() == [2, 1, 1]


def test_breakdown_of_a_person_is_their_first_touch_not_the_smallest_value(wh):
    df = frame(FIRST_TOUCH)
    r = run(wh, df, by="channel", unit="user")
    got = {(row.channel, row.step_index): row.entered for row in r.itertuples()}
    # u1 -> social (its first step-1 event), u2 -> referral (tie at 0: the smaller value wins)
    assert got == {("referral", 1): 1, ("referral", 2): 1, ("referral", 3): 0,
                   ("social", 1): 1, ("social", 2): 1, ("social", 3): 0}
