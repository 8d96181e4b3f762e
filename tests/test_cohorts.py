"""Cohorts, as small journeys with hand-computed answers (DuckDB and PostgreSQL via `wh`).

The store (monthly grain, 2026):
  ana  buys Jan 5 (order a1: Apparel line $10 by email + Beauty line 2 x $5 by affiliate) and
       Mar 2 (a2: Beauty 2 x $5 = $10)
  ben  buys Jan 20 only (b1: Beauty $5 - $1 discount = $4, paid)
  dan  buys Jan 10 (d1: unknown SKU C $2, email) and Feb 15 (d2: Apparel 2 x $10 - $5 = $15)
  cleo buys Feb 1 (c1: Apparel $10, no channel) and Feb 28 (c2: SKU C 3 x $2 = $6, organic)
       and has a cancelled line on Apr 3 (ignored: the data ends with March)
Cohorts: January = ana, ben, dan (3); February = cleo (1). Last period: March.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from lib import cohorts
from tests.support.cohorts_store import AS_OF, PRODUCTS, STORE, line

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def load(wh, rows, products=PRODUCTS):
    if products is not None:
        wh.load("products", products, source="test", as_of=AS_OF)
    wh.load("orders", pd.DataFrame(rows), source="test", as_of=AS_OF)
    return wh


@pytest.fixture
def store(wh):
    return load(wh, STORE)


def table(df, by=None):
    """{(by?, cohort): [values by period]} and the same for rates, read off a retention frame."""
    keys = ([by] if by else []) + ["cohort"]
    values, rates = {}, {}
    for key, grp in df.groupby(keys, sort=True):
        key = key if by else key[0]
        assert grp["period"].tolist() == list(range(len(grp)))
        values[key] = [round(float(v), 6) for v in grp["value"]]
        rates[key] = [round(float(r), 6) for r in grp["rate"]]
    return values, rates


EXPECTED = {
    ("customers", "standard"): {JAN: [3, 1, 1], FEB: [1, 0]},
    ("customers", "rolling"): {JAN: [3, 2, 1], FEB: [1, 0]},      # ana (last seen in Mar) and dan
    ("customers", "cumulative"): {JAN: [3, 1, 2], FEB: [1, 0]},   # came back by p: dan by Feb, ana by Mar
    ("orders", "standard"): {JAN: [3, 1, 1], FEB: [2, 0]},
    ("orders", "rolling"): {JAN: [5, 2, 1], FEB: [2, 0]},
    ("orders", "cumulative"): {JAN: [3, 4, 5], FEB: [2, 2]},
    ("revenue", "standard"): {JAN: [26, 15, 10], FEB: [16, 0]},
    ("revenue", "rolling"): {JAN: [51, 25, 10], FEB: [16, 0]},
    ("revenue", "cumulative"): {JAN: [26, 41, 51], FEB: [16, 16]},
}


@pytest.mark.parametrize("metric,mode", sorted(EXPECTED))
def test_every_metric_and_mode_monthly(store, metric, mode):
    df = cohorts.retention(store, "month", metric, mode)
    assert list(df.columns) == ["cohort", "period", "cohort_size", "value", "rate"]
    assert df["cohort"].tolist() == [JAN, JAN, JAN, FEB, FEB]
    assert df["cohort_size"].tolist() == [3, 3, 3, 1, 1]
    values, rates = table(df)
    expected = EXPECTED[(metric, mode)]
    assert values == {k: [float(v) for v in vs] for k, vs in expected.items()}
    size = {JAN: 3, FEB: 1}
    assert rates == {k: [round(v / size[k], 6) for v in vs] for k, vs in expected.items()}


def test_rates_are_fractions_and_revenue_cumulative_is_ltv_per_customer(store):
    df = cohorts.retention(store, metric="revenue", mode="cumulative")
    jan = df[df["cohort"] == JAN]
    assert jan["rate"].round(6).tolist() == [round(26 / 3, 6), round(41 / 3, 6), 17.0]
    cust = cohorts.retention(store)
    assert cust["rate"].round(6).tolist() == [1.0, round(1 / 3, 6), round(1 / 3, 6), 1.0, 0.0]
    assert cust["period"].dtype == "int64" and cust["value"].dtype == "int64"


def test_elapsed_periods_get_zero_rows_and_nothing_beyond_the_data(store):
    df = cohorts.retention(store)
    feb = df[df["cohort"] == FEB]
    assert feb[["period", "value"]].values.tolist() == [[0, 1], [1, 0]]   # March: nobody, still a row
    assert df["period"].max() == 2          # cleo's cancelled April line does not extend the data


def test_breakdown_by_acquisition_channel(store):
    df = cohorts.retention(store, by="channel")
    assert list(df.columns) == ["channel", "cohort", "period", "cohort_size", "value", "rate"]
    values, _ = table(df, "channel")
    assert values == {
        ("(not set)", FEB): [1, 0],          # cleo's first order has no channel
        ("affiliate", JAN): [1, 0, 1],       # ana: two lines at the same instant, smallest channel wins
        ("email", JAN): [1, 1, 0],           # dan
        ("paid", JAN): [1, 0, 0],            # ben
    }


def test_breakdown_by_first_category(store):
    df = cohorts.retention(store, metric="revenue", by="category")
    values, rates = table(df, "category")
    assert values == {
        ("(not set)", JAN): [2, 15, 0],      # dan's first order: SKU C, not in products
        ("Apparel", FEB): [16, 0],           # cleo
        ("Apparel", JAN): [20, 0, 10],       # ana: $10 Apparel vs $10 Beauty line, tie -> by name
        ("Beauty", JAN): [4, 0, 0],          # ben
    }
    assert rates[("Apparel", JAN)] == [20.0, 0.0, 10.0]


def test_unknown_arguments_raise(store):
    with pytest.raises(ValueError):
        cohorts.retention(store, by="device")
    with pytest.raises(ValueError):
        cohorts.retention(store, metric="sessions")
    with pytest.raises(ValueError):
        cohorts.retention(store, mode="sticky")
    with pytest.raises(ValueError):
        cohorts.retention(store, grain="day")


def test_start_end_pick_whole_cohorts_and_cap_activity(store):
    # February cohorts only; activity up to Feb 20: cleo's Feb 28 order is not seen yet, and dan
    # (first bought in January) is never counted as a new February customer
    df = cohorts.retention(store, metric="orders", start=date(2026, 2, 10), end=date(2026, 2, 20))
    assert df[["cohort", "period", "cohort_size", "value"]].values.tolist() == [[FEB, 0, 1, 1]]
    # start inside January still shows the whole January cohort (ben bought on Jan 20)
    df = cohorts.retention(store, start=date(2026, 1, 31))
    assert df[df["cohort"] == JAN]["cohort_size"].iloc[0] == 3
    # end caps the periods: through January only
    df = cohorts.retention(store, end=date(2026, 1, 31))
    assert df[["cohort", "period", "value"]].values.tolist() == [[JAN, 0, 3]]
    # a start after the data: nothing
    assert cohorts.retention(store, start=date(2026, 6, 1)).empty


def test_empty_warehouse_gives_empty_frames(wh):
    df = cohorts.retention(wh, by="channel")
    assert df.empty and list(df.columns) == ["channel", "cohort", "period", "cohort_size", "value", "rate"]
    assert cohorts.lifecycle(wh).empty
    assert cohorts.average_curve(df).empty


def test_weekly_cohorts_across_the_year_boundary(wh):
    # Weeks start Monday: 2025-12-29 .. 2026-01-04 is one week.
    load(wh, [
        line("e1", "2025-12-31 10:00", "eve", "A", 1, 10.0),
        line("e2", "2026-01-05 10:00", "eve", "A", 1, 10.0),
        line("e3", "2026-01-14 10:00", "eve", "A", 1, 10.0),
        line("f1", "2026-01-04 22:00", "fay", "A", 1, 10.0),
        line("f2", "2026-01-11 09:00", "fay", "A", 1, 10.0),
        line("g1", "2026-01-13 09:00", "gus", "A", 1, 10.0),
    ], products=None)
    wk = cohorts.retention(wh, grain="week")
    values, _ = table(wk)
    assert values == {date(2025, 12, 29): [2, 2, 1], date(2026, 1, 12): [1]}
    ret = cohorts.retention(wh, grain="week", mode="cumulative")
    assert table(ret)[0] == {date(2025, 12, 29): [2, 2, 2], date(2026, 1, 12): [1]}
    month = cohorts.retention(wh, grain="month")
    assert table(month)[0] == {date(2025, 12, 1): [1, 1], date(2026, 1, 1): [2]}
    life = cohorts.lifecycle(wh, grain="week")
    pivot = life.pivot(index="period", columns="status", values="customers")
    assert pivot.loc[date(2025, 12, 29)].to_dict() == {"dormant": 0, "new": 2, "resurrecting": 0, "returning": 0}
    assert pivot.loc[date(2026, 1, 5)].to_dict() == {"dormant": 0, "new": 0, "resurrecting": 0, "returning": 2}
    assert pivot.loc[date(2026, 1, 12)].to_dict() == {"dormant": 1, "new": 1, "resurrecting": 0, "returning": 1}


def test_lifecycle_statuses(store):
    life = cohorts.lifecycle(store)
    assert list(life.columns) == ["period", "status", "customers", "partial"]
    assert not life["partial"].any()                        # no as_of: no period is known to be incomplete
    assert life.drop(columns="partial").values.tolist() == [
        [JAN, "new", 3], [JAN, "returning", 0], [JAN, "resurrecting", 0], [JAN, "dormant", 0],
        [FEB, "new", 1], [FEB, "returning", 1], [FEB, "resurrecting", 0], [FEB, "dormant", 2],
        [MAR, "new", 0], [MAR, "returning", 0], [MAR, "resurrecting", 1], [MAR, "dormant", 2],
    ]
    later = cohorts.lifecycle(store, start=date(2026, 2, 14), end=date(2026, 2, 28))
    assert later.drop(columns="partial").values.tolist() == [[FEB, "new", 1], [FEB, "returning", 1],
                                                             [FEB, "resurrecting", 0], [FEB, "dormant", 2]]


def test_the_incomplete_period():
    # the data's last day: December 5 leaves December incomplete; November 30 ends November
    assert cohorts.incomplete_period("month", date(2026, 12, 5)) == date(2026, 12, 1)
    assert cohorts.incomplete_period("month", date(2026, 11, 30)) is None
    assert cohorts.incomplete_period("month", date(2024, 2, 28)) == date(2024, 2, 1)      # leap year: not over
    # weeks end on Sunday: Sat Dec 5 -> the week of Mon Nov 30; Sun Dec 6 ends it
    assert cohorts.incomplete_period("week", date(2026, 12, 5)) == date(2026, 11, 30)
    assert cohorts.incomplete_period("week", date(2026, 12, 6)) is None
    assert cohorts.incomplete_period("monthly", None) is None


def test_incomplete_period_is_marked_and_left_out_of_averages_and_lifecycle(store):
    # data through Mar 2 (ana's second order): March is 2 days old. Its cells are January's period 2
    # and February's period 1; without them the average is Jan+Feb at period 0, January alone at period 1
    as_of = date(2026, 3, 2)
    df = cohorts.retention(store)
    assert df.loc[cohorts.partial(df, "month", as_of), ["cohort", "period"]].values.tolist() == [[JAN, 2], [FEB, 1]]
    assert not cohorts.partial(df, "month", date(2026, 3, 31)).any()
    avg = cohorts.average_curve(df, "month", as_of)
    # period 1: January's 1 of 3 only (February's 0 of 1 in 2 days of March would pull it to 1/4)
    assert avg["rate"].round(6).tolist() == [1.0, round(1 / 3, 6)]
    by = cohorts.average_curve(cohorts.retention(store, by="channel"), "month", as_of)
    assert by[by["channel"] == "email"][["period", "rate"]].values.tolist() == [[0, 1.0], [1, 1.0]]
    life = cohorts.lifecycle(store, as_of=as_of)
    march = life[life["period"] == MAR]
    # March so far: ana is back (resurrecting); dan and cleo (active in February) are not "dormant" yet
    assert march[["status", "customers"]].values.tolist() == [["new", 0], ["returning", 0], ["resurrecting", 1]]
    assert march["partial"].all() and not life.loc[life["period"] != MAR, "partial"].any()
    assert life[life["period"] == FEB]["customers"].tolist() == [1, 1, 0, 2]     # complete months unchanged


def test_ranking_says_whose_customers_come_back_most(store):
    # acquisition channels (the earliest line; ties: the smallest channel): ana affiliate (Jan, back in Mar),
    # ben paid (Jan), dan email (Jan, back in Feb), cleo (not set) (Feb, nothing after)
    df = cohorts.retention(store, by="channel")
    r = cohorts.ranking(df, "channel")
    assert r.columns.tolist() == ["channel", "customers", 1, 2, 3]
    # month 1: email 1 of 1; the others 0 of 1 (ties: more customers, then the name)
    assert r["channel"].tolist() == ["email", "(not set)", "affiliate", "paid"]
    assert r["customers"].tolist() == [1, 1, 1, 1]
    assert r[1].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert r[2].tolist()[2:] == [1.0, 0.0] and r[2].tolist()[0] == 0.0 and pd.isna(r[2].iloc[1])
    assert r[3].isna().all()                                  # nobody has reached month 3
    # with the data through Mar 2, March is incomplete: cleo's month 1 and every month 2 are March: left out
    late = cohorts.ranking(df, "channel", "month", date(2026, 3, 2))
    assert late["channel"].tolist() == ["email", "affiliate", "paid", "(not set)"]
    assert late[1].tolist()[:3] == [1.0, 0.0, 0.0] and pd.isna(late[1].iloc[3]) and late[2].isna().all()


def test_new_customers_count_the_range_itself(store):
    # first purchases: ana Jan 5, dan Jan 10, ben Jan 20, cleo Feb 1
    assert cohorts.new_customers(store, date(2026, 1, 15), date(2026, 2, 20)) == 2      # ben, cleo
    # while the cohorts shown for that range are the whole of January and February: 3 + 1
    df = cohorts.retention(store, start=date(2026, 1, 15), end=date(2026, 2, 20))
    assert int(df.loc[df["period"] == 0, "cohort_size"].sum()) == 4
    assert cohorts.new_customers(store, date(2026, 2, 2), date(2026, 3, 31)) == 0   # ana's March order: not new
    assert cohorts.new_customers(store, date(2026, 1, 5), date(2026, 1, 5)) == 1    # the day itself counts
    assert cohorts.new_customers(store, date(2026, 1, 1), date(2026, 4, 30)) == 4   # cleo's April line: cancelled


def test_average_curve_is_weighted_by_cohort_size(store):
    avg = cohorts.average_curve(cohorts.retention(store))
    assert list(avg.columns) == ["period", "rate"]
    # period 1: January 1 of 3, February 0 of 1 -> 1/4 (an unweighted mean would say 1/6)
    assert avg["rate"].round(6).tolist() == [1.0, 0.25, round(1 / 3, 6)]
    by = cohorts.average_curve(cohorts.retention(store, by="channel"))
    assert list(by.columns) == ["channel", "period", "rate"]
    email = by[by["channel"] == "email"]
    assert email[["period", "rate"]].values.tolist() == [[0, 1.0], [1, 1.0], [2, 0.0]]


def test_customers_export(store):
    df = cohorts.customers(store, "month", JAN)
    assert list(df.columns) == ["customer_id", "cohort", "first_order_at", "orders", "revenue", "last_order_at"]
    assert df["customer_id"].tolist() == ["ana", "ben", "dan"]
    assert df["cohort"].tolist() == [JAN] * 3
    assert df["orders"].tolist() == [2, 1, 2]
    assert df["revenue"].round(6).tolist() == [30.0, 4.0, 17.0]
    assert df["first_order_at"].tolist() == [pd.Timestamp("2026-01-05 10:00"), pd.Timestamp("2026-01-20 18:00"),
                                             pd.Timestamp("2026-01-10 08:00")]
    assert df["last_order_at"].tolist() == [pd.Timestamp("2026-03-02 09:30"), pd.Timestamp("2026-01-20 18:00"),
                                            pd.Timestamp("2026-02-15 12:00")]
    email = cohorts.customers(store, "month", JAN, by="channel", by_value="email")
    assert email["customer_id"].tolist() == ["dan"]
    capped = cohorts.customers(store, "month", date(2026, 1, 17), end=datetime(2026, 1, 31).date())
    assert capped[["customer_id", "orders", "revenue"]].values.tolist() == [["ana", 1, 20.0], ["ben", 1, 4.0],
                                                                            ["dan", 1, 2.0]]
    feb = cohorts.customers(store, "month", FEB, by="channel", by_value="(not set)")
    assert feb[["customer_id", "orders", "revenue"]].values.tolist() == [["cleo", 2, 16.0]]


def test_chart_builders_take_the_frames(store):
    from lib.charts import cohorts as charts

    df = cohorts.retention(store, metric="revenue", mode="cumulative")
    spec = charts.heatmap(df, "revenue", "month", "cumulative").to_dict()
    assert len(spec["hconcat"]) == 2                        # cohort sizes beside the grid
    cells = charts._prep(df, "month", "revenue", "USD")
    assert cells["label"].tolist() == ["$8.67", "$13.67", "$17.00", "$16.00", "$16.00"]
    assert cells["cell"].tolist() == ["$9", "$14", "$17", "$16", "$16"]      # whole dollars fit a cell
    assert charts.rate_label(1 / 3, "customers") == "33%"
    assert charts.rate_label(0.05, "customers") == "5.0%"
    assert charts.rate_label(2.0, "orders") == "2.00"
    assert charts.cohort_label(date(2026, 1, 5), "week") == "wk 2026-01-05"
    charts.curves(df, cohorts.average_curve(df), "revenue", "month").to_dict()
    by = cohorts.retention(store, by="channel")
    charts.compare_curves(cohorts.average_curve(by), "channel", "customers", "month").to_dict()
    life = charts.lifecycle_bars(cohorts.lifecycle(store), "month").to_dict()
    values = life["datasets"][next(iter(life["datasets"]))]
    dormant = [v["signed"] for v in values if v["status"] == "dormant"]
    assert dormant == [0, -2, -2]                           # drawn below zero; the lib keeps it positive


def test_summary_tiles_by_hand():
    # Jan: 10 customers, 3 back in Feb; Feb: 30 customers, 6 back in Mar (March is over on Mar 31)
    df = pd.DataFrame({"cohort": [date(2026, 1, 1)] * 2 + [date(2026, 2, 1)] * 2, "period": [0, 1, 0, 1],
                       "cohort_size": [10, 10, 30, 30], "value": [10, 3, 30, 6], "rate": [1.0, 0.3, 1.0, 0.2]})
    s = cohorts.summary(df, "month", date(2026, 3, 31))
    assert s == {"in_cohorts": 40, "cohorts": 2, "first_cohort": date(2026, 1, 1), "rate_1": pytest.approx(0.225)}
    # on Mar 15 March is not over: Feb's period 1 is left out of the average
    assert cohorts.summary(df, "month", date(2026, 3, 15))["rate_1"] == pytest.approx(0.3)
    assert cohorts.summary(df[df["period"] == 0], "month", date(2026, 3, 31))["rate_1"] is None
