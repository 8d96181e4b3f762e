"""retention() against a plain-pandas reference on random small stores (DuckDB)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from lib import cohorts
from lib.settings import Settings
from lib.warehouse import Warehouse
from lib.warehouse.tables import FEED_TABLES

DAY0 = date(2025, 11, 20)          # random stores straddle a year boundary
SPAN = 120


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    w = Warehouse.open(url=f"duckdb:///{tmp_path_factory.mktemp('prop')}/wh.duckdb",
                       settings=Settings(store_timezone="UTC"))
    yield w
    w.dispose()


order = st.tuples(
    st.integers(0, 5),                          # customer
    st.integers(0, SPAN),                       # day
    st.integers(0, 23),                         # hour
    st.lists(st.tuples(st.integers(-1, 3).filter(bool), st.sampled_from([2.0, 5.5, 10.0]),
                       st.sampled_from([None, 0.0, 1.0]),
                       st.sampled_from([None, "paid", "cancelled", "CANCELLED"]),
                       st.sampled_from([None, "web", "email"])),
             min_size=1, max_size=3),
)


def frame(orders) -> pd.DataFrame:
    rows = []
    for i, (cust, day, hour, lines) in enumerate(orders):
        at = datetime.combine(DAY0 + timedelta(days=day), datetime.min.time()) + timedelta(hours=hour)
        for j, (qty, price, disc, status, channel) in enumerate(lines):
            rows.append(dict(order_id=f"o{i}", ordered_at=at, customer_id=f"c{cust}", sku=f"S{j}", quantity=qty,
                             unit_price=price, discount=disc, channel=channel, status=status))
    return pd.DataFrame(rows)


def index(grain, d) -> int:
    d = pd.Timestamp(d)
    if grain == "month":
        return d.year * 12 + d.month - 1
    return (d.normalize() - pd.Timedelta(days=d.weekday()) - pd.Timestamp("2000-01-03")).days // 7


def to_date(grain, i) -> date:
    if grain == "month":
        return date(i // 12, i % 12 + 1, 1)
    return date(2000, 1, 3) + timedelta(weeks=i)


def reference(df, grain, metric, mode, start, end) -> list[tuple]:
    """Loops over customers and periods, written from the definitions (no SQL, no cleverness)."""
    live = df[df["status"].fillna("").str.lower() != "cancelled"].copy()
    if end is not None:
        live = live[live["ordered_at"] < pd.Timestamp(end + timedelta(days=1))]
    if live.empty:
        return []
    live["idx"] = [index(grain, t) for t in live["ordered_at"]]
    live["rev"] = live["quantity"] * live["unit_price"] - live["discount"].fillna(0)
    last = max(live["idx"])
    first = live.groupby("customer_id")["idx"].min()
    lo = index(grain, start) if start is not None else -10**9
    rows = []
    for c in sorted(set(first)):
        if c < lo:
            continue
        members = set(first[first == c].index)
        mine = live[live["customer_id"].isin(members)]
        for k in range(last - c + 1):
            p = c + k
            if metric == "customers":
                if mode == "standard":
                    v = mine[mine["idx"] == p]["customer_id"].nunique()
                elif mode == "rolling":
                    v = mine[mine["idx"] >= p]["customer_id"].nunique()
                else:
                    v = len(members) if k == 0 else mine[(mine["idx"] > c) & (mine["idx"] <= p)]["customer_id"].nunique()
            else:
                sel = {"standard": mine["idx"] == p, "rolling": mine["idx"] >= p, "cumulative": mine["idx"] <= p}[mode]
                part = mine[sel]
                if metric == "orders":
                    v = sum(g["order_id"].nunique() for _, g in part.groupby(["customer_id", "idx"]))
                else:
                    v = round(float(part["rev"].sum()), 6)
            rows.append((to_date(grain, c), k, len(members), v, round(v / len(members), 6)))
    return rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=st.lists(order, min_size=0, max_size=14),
       start=st.one_of(st.none(), st.integers(0, SPAN)), end=st.one_of(st.none(), st.integers(0, SPAN)))
def test_retention_matches_the_pandas_reference(wh, orders, start, end):
    df = frame(orders)
    if df.empty:
        with wh.engine.begin() as conn:          # an empty feed is refused by a load: clear it
            conn.execute(delete(FEED_TABLES["orders"]))
    else:
        wh.load("orders", df, source="prop", as_of=date(2026, 12, 31))
    start_d = DAY0 + timedelta(days=start) if start is not None else None
    end_d = DAY0 + timedelta(days=end) if end is not None else None
    for grain in cohorts.GRAINS:
        for metric in cohorts.METRICS:
            for mode in cohorts.MODES:
                got = cohorts.retention(wh, grain, metric, mode, start=start_d, end=end_d)
                rows = [(r.cohort, r.period, r.cohort_size, round(float(r.value), 6), round(float(r.rate), 6))
                        for r in got.itertuples(index=False)]
                want = [] if df.empty else reference(df, grain, metric, mode, start_d, end_d)
                assert rows == want, (grain, metric, mode)


def test_a_breakdown_splits_the_same_totals(wh):
    """Summed over channels, every (cohort, period) matches the table without a breakdown."""
    @settings(max_examples=15, deadline=None)
    @given(orders=st.lists(order, min_size=1, max_size=14))
    def check(orders):
        df = frame(orders)
        if df["status"].fillna("").str.lower().eq("cancelled").all():
            return
        wh.load("orders", df, source="prop", as_of=date(2026, 12, 31))
        for metric in cohorts.METRICS:
            for mode in cohorts.MODES:
                whole = cohorts.retention(wh, "month", metric, mode)
                split = cohorts.retention(wh, "month", metric, mode, by="channel")
                assert set(split["channel"]) <= {"web", "email", "(not set)"}
                summed = split.groupby(["cohort", "period"], as_index=False)[["cohort_size", "value"]].sum()
                assert summed["cohort_size"].tolist() == whole["cohort_size"].tolist()
                assert summed["value"].round(6).tolist() == whole["value"].round(6).tolist(), (metric, mode)
    check()
