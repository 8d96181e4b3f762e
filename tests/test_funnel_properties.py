"""Property tests: lib.funnel.compute equals a plain-Python reference on random event logs (DuckDB)."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import funnel
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.funnel import T0, reference

NAMES = ["page_view", "view_item", "add_to_cart", "purchase", "scroll"]


@pytest.fixture(scope="module")
def duck(tmp_path_factory):
    w = Warehouse.open(url=f"duckdb:///{tmp_path_factory.mktemp('fp')}/wh.duckdb",
                       settings=Settings(store_timezone="UTC"))
    yield w
    w.dispose()


event = st.tuples(st.integers(0, 3), st.integers(0, 30), st.sampled_from(NAMES))   # session, minute, name
logs = st.lists(event, min_size=1, max_size=40)


def frame(log, users) -> pd.DataFrame:
    rows = [{"session_id": f"s{s}", "event_at": T0 + timedelta(minutes=m), "event": e,
             "channel": ["email", "social", None][s % 3], "user_id": users[s]} for s, m, e in log]
    return pd.DataFrame(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(log=logs,
       steps=st.lists(st.sampled_from(NAMES[:4]), min_size=1, max_size=4),
       window_min=st.sampled_from([1, 5, 15, 60]),
       order=st.sampled_from(funnel.ORDERS),
       unit=st.sampled_from(funnel.UNITS),
       by=st.sampled_from([None, "channel"]),
       users=st.lists(st.sampled_from([None, "u1", "u2"]), min_size=4, max_size=4))
def test_compute_matches_reference(duck, log, steps, window_min, order, unit, by, users):
    if order == "any":
        steps = list(dict.fromkeys(steps))
    df = frame(log, users)
    duck.load("events", df, source="hypothesis")
    window = timedelta(minutes=window_min)
    got = funnel.compute(duck, steps, date(2025, 3, 3), date(2025, 3, 3), window=window, order=order,
                         unit=unit, by=by)
    want = reference(df, steps, window, order, unit=unit, by=by)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)


@given(counts=st.lists(st.integers(0, 10_000), min_size=2, max_size=10), value=st.floats(0.01, 10_000))
def test_revenue_at_stake_of_a_step_never_exceeds_the_funnels_own_revenue(counts, value):
    """Whatever the step counts, each step's revenue at stake is at most completed units x value."""
    entered = sorted(counts, reverse=True)          # a funnel never grows from one step to the next
    result = pd.DataFrame({"step_index": range(1, len(entered) + 1), "step": [f"e{i}" for i in range(len(entered))],
                           "entered": entered})
    d = funnel.dropoff(result, value)
    stake = d["value_at_stake"].iloc[:-1]
    assert (stake.fillna(0) <= entered[-1] * value * (1 + 1e-12)).all()
