"""ClickHouse's windowFunnel against lib.funnel.compute on chDB (issue 19): where the two agree and where not.

lib.funnel.native.clickhouse_window_funnel_sql (windowFunnel with 'strict_once', 'strict_increase') must give
compute's sequential entered counts on the hand-computed journeys of tests/test_funnel.py and on random logs.
The other modes differ in the cases asserted below, each with a tiny journey explained by hand (times are
seconds after 09:00; pv page_view, vi view_item, atc add_to_cart).
"""
from __future__ import annotations

import os
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import funnel
from lib.funnel.native import clickhouse_window_funnel_sql
from lib.settings import Settings
from lib.warehouse import Warehouse
from lib.warehouse.identity import person_ids
from tests.support.funnel import T0, journeys
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

pytestmark = pytest.mark.clickhouse

DAY = date(2025, 3, 3)
HOUR = timedelta(hours=1)
S3 = ["page_view", "view_item", "add_to_cart"]
S4 = ["page_view", "view_item", "add_to_cart", "purchase"]


@pytest.fixture(scope="module")
def ch(chdb_dir):
    w = Warehouse.open(url=f"chdb:///{chdb_dir}?database=wf{os.getpid()}", settings=Settings(store_timezone="UTC"))
    yield w
    w.dispose()


def counts(result: pd.DataFrame, by: str | None) -> dict:
    """{breakdown value: [entered per step]} of compute's frame or the native SQL's."""
    key = result[by] if by else pd.Series("all", index=result.index)
    return {g: sub.sort_values("step_index")["entered"].astype(int).tolist() for g, sub in result.groupby(key)}


def native(ch, steps, start=DAY, end=DAY, window=HOUR, by=None, unit="session", **kw) -> dict:
    return counts(ch.read(clickhouse_window_funnel_sql(steps, start, end, window, by, unit, **kw)), by)


def compute(ch, steps, start=DAY, end=DAY, window=HOUR, by=None, unit="session") -> dict:
    return counts(funnel.compute(ch, steps, start, end, window=window, unit=unit, by=by), by)


# store, steps, options, the hand-computed entered counts (asserted by tests/test_funnel.py, or explained here)
AGREE = [
    (BEST_ATTEMPT, S3, {}, {"all": [4, 3, 2]}),
    (WINDOW_END, S3, {}, {"all": [2, 2, 1]}),          # a step exactly at the window end counts
    (TWO_PURCHASES, ["view_item", "add_to_cart", "purchase"], {}, {"all": [2, 2, 2]}),
    (REPEATED_STEP, ["view_item", "view_item"], {}, {"all": [2, 1]}),
    (STRICT, S3, {}, {"all": [3, 3, 3]}),
    (TIE, S3, {}, {"all": [1, 1, 1]}),
    (BREAKDOWN, S3, {"by": "channel"}, {"(not set)": [1, 0, 0], "email": [2, 1, 0], "social": [1, 1, 1]}),
    (AGAIN, S3, {"by": "channel"}, {"email": [2, 2, 1], "social": [1, 1, 1]}),
    (PER_USER, S3, {}, {"all": [2, 1, 0]}),
    (PER_USER, S3, {"unit": "user"}, {"all": [2, 1, 1]}),
    # a: pv 0, vi 5, atc 12 -> 3. b: its vi shares pv's second -> 1. c: from pv 100, atc 7000 is past the
    # hour -> 2. d: vi 8 and atc 8 share a second -> 2 (no channel)
    (SCENARIOS, S3, {"by": "channel"}, {"(not set)": [1, 1, 0], "x": [2, 2, 1], "y": [1, 0, 0]}),
    (SCENARIOS, S3, {}, {"all": [4, 3, 1]}),
    (TREND, S3, {"end": date(2025, 3, 4)}, {"all": [4, 3, 2]}),
    (REVENUE, S4, {"window": timedelta(days=1), "by": "channel"}, {"(not set)": [10, 4, 2, 1]}),
    (FIRST_TOUCH, S3, {"unit": "user", "by": "channel"}, {"referral": [1, 1, 0], "social": [1, 1, 0]}),
]


@pytest.mark.parametrize("store, steps, options, want", AGREE)
def test_window_funnel_gives_computes_counts_on_the_hand_computed_journeys(ch, store, steps, options, want):
    ch.load("events", frame(store), source="test")
    assert compute(ch, steps, **options) == want
    assert native(ch, steps, **options) == want


def test_where_strict_increase_alone_differs(ch):
    # pv 0, pv 10, vi 10 for [pv, vi]: compute follows pv 0 -> vi 10. windowFunnel keeps one (start, time) per
    # step: pv 10 replaces pv 0 (the same second sorts step 1 first), and vi 10 is not strictly after it
    ch.load("events", journeys({"t": "0 page_view, 10 page_view, 10 view_item"}), source="test")
    steps = ["page_view", "view_item"]
    assert compute(ch, steps) == {"all": [1, 1]}
    assert native(ch, steps, modes=("strict_increase",)) == {"all": [1, 0]}
    assert native(ch, steps) == {"all": [1, 1]}
    # a repeated step: vi 10 is both step 1 (replacing vi 0) and step 2 (not after itself): "two" stops at 1
    ch.load("events", frame(REPEATED_STEP), source="test")
    assert compute(ch, ["view_item", "view_item"]) == {"all": [2, 1]}
    assert native(ch, ["view_item", "view_item"], modes=("strict_increase",)) == {"all": [2, 0]}


def test_where_no_mode_and_strict_once_alone_differ(ch):
    # pv and vi in the same second: compute needs vi strictly later (1 unit at step 2: none); with no mode, or
    # strict_once alone, windowFunnel sorts the same second by step and counts vi
    ch.load("events", journeys({"t": "0 page_view, 0 view_item"}), source="test")
    steps = ["page_view", "view_item"]
    assert compute(ch, steps) == {"all": [1, 0]}
    assert native(ch, steps, modes=()) == {"all": [1, 1]}
    assert native(ch, steps, modes=("strict_once",)) == {"all": [1, 1]}
    assert native(ch, steps, modes=("strict_deduplication",)) == {"all": [1, 1]}
    # with no mode one event serves two consecutive steps: "one" (a single vi) reaches [vi, vi]'s step 2
    ch.load("events", frame(REPEATED_STEP), source="test")
    assert compute(ch, ["view_item", "view_item"]) == {"all": [2, 1]}
    assert native(ch, ["view_item", "view_item"], modes=()) == {"all": [2, 2]}


def test_strict_order_is_not_computes_strict_order(ch):
    """clean: 3 both ways. interrupted (pv 0, vi 10, pv 15, atc 20): compute's strict order stops at vi
    (its next event is a pv), windowFunnel's strict_order lets a listed step's event interleave -> 3.
    retry (pv 0, begin_checkout 5, vi 10, pv 100, vi 110, atc 120): compute tries the pv at 100 -> 3;
    strict_order ends the scan at the unlisted begin_checkout -> 1."""
    ch.load("events", frame(STRICT), source="test")
    assert counts(funnel.compute(ch, S3, DAY, DAY, window=HOUR, order="strict"), None) == {"all": [3, 3, 2]}
    levels = ch.read(f"SELECT session_id, windowFunnel({HOUR // timedelta(microseconds=1)}, 'strict_order')("
                     "toUInt64(toUnixTimestamp64Micro(event_at)), event = 'page_view', event = 'view_item', "
                     "event = 'add_to_cart') AS level FROM events GROUP BY session_id ORDER BY session_id")
    assert dict(zip(levels.session_id, levels.level.astype(int), strict=True)) == {
        "clean": 3, "interrupted": 3, "retry": 1}
    with pytest.raises(ValueError, match="strict_order"):
        clickhouse_window_funnel_sql(S3, DAY, DAY, modes=("strict_order",))


# -- random logs: many small units -----------------------------------------------------------------
NAMES = ["page_view", "view_item", "add_to_cart", "purchase", "scroll"]
event = st.tuples(st.integers(0, 39), st.integers(0, 30), st.sampled_from(NAMES))   # session, minute, name


def tied(df: pd.DataFrame, steps, unit: str) -> bool:
    """Whether some unit has events of two consecutive steps at one timestamp (a repeated step: any event)."""
    units = person_ids(df) if unit == "user" else df["session_id"]
    names = df.groupby([units, df["event_at"]])["event"].agg(set)
    return any(a in s and b in s for s in names for a, b in zip(steps, steps[1:], strict=False))


@settings(max_examples=5, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(log=st.lists(event, min_size=40, max_size=160),
       steps=st.lists(st.sampled_from(NAMES[:4]), min_size=2, max_size=4),
       window_min=st.sampled_from([1, 5, 15, 60]), unit=st.sampled_from(funnel.UNITS),
       users=st.lists(st.sampled_from([None, "u1", "u2", "u3", "u4"]), min_size=40, max_size=40),
       distinct=st.booleans())
def test_window_funnel_matches_compute_on_random_logs(ch, log, steps, window_min, unit, users, distinct):
    """Exact modes: always compute's counts. strict_increase alone: compute's counts whenever no unit has
    events of two consecutive steps at one timestamp (`distinct` gives every event its own microsecond)."""
    df = pd.DataFrame([{"session_id": f"s{s}", "event": e, "channel": ["email", "social", None][s % 3],
                        "event_at": T0 + timedelta(minutes=m, microseconds=i if distinct else 0),
                        "user_id": users[s]} for i, (s, m, e) in enumerate(log)])
    ch.load("events", df, source="hypothesis")
    window = timedelta(minutes=window_min)
    for by in (None, "channel"):
        want = compute(ch, steps, window=window, unit=unit, by=by)
        assert native(ch, steps, window=window, unit=unit, by=by) == want
        if not tied(df, steps, unit):
            assert native(ch, steps, window=window, unit=unit, by=by, modes=("strict_increase",)) == want
