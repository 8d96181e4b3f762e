"""The store's one forecast run (lib/forecast/store.py, views.py): weeks from days, bands per grain,
accuracy per horizon, SKUs no longer on sale, and the thread-safe memo.

The history: three SKUs over 300 days (2026-01-01 .. 2026-10-27, as_of the last day), so that the
91-day run has three full 91-day backtest windows (cut after days 27, 118 and 209). Seasonal naive is
the only model (fast, and its forecasts can be written down):

    A  3, 5, 4, 6, 8, 12, 10 a week, repeated (weekday pattern), + 1 on every 10th day
    B  2 a day, +/- a seeded wobble
    C  like A until day 150, then its stock records end (no longer on sale)
"""
from __future__ import annotations

import threading
import time
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lib.forecast import engine, scoring, store, views

DAYS = pd.date_range("2026-01-01", periods=300)
AS_OF = DAYS[-1].date()
WEEK = [3.0, 5.0, 4.0, 6.0, 8.0, 12.0, 10.0]


def history() -> pd.DataFrame:
    k = np.arange(len(DAYS))
    a = np.array(WEEK)[k % 7] + (k % 10 == 0)
    b = 2.0 + np.random.default_rng(7).integers(-1, 2, len(DAYS))
    rows = [pd.DataFrame({"unique_id": "A", "ds": DAYS, "y": a}),
            pd.DataFrame({"unique_id": "B", "ds": DAYS, "y": b}),
            pd.DataFrame({"unique_id": "C", "ds": DAYS[:150], "y": a[:150]})]
    return pd.concat(rows, ignore_index=True).assign(category="Things", in_stock=True)


def make_run(products: pd.DataFrame | None = None) -> store.StoreRun:
    hist = history()
    r = engine.run(hist, store.HORIZON, "D", store.N_WINDOWS, "seasonal_naive")
    prods = products if products is not None else pd.DataFrame({"sku": ["A", "B", "C"], "active": [True] * 3})
    return store.StoreRun(as_of=AS_OF, model="seasonal_naive", daily=hist, future=pd.DataFrame(), run=r,
                          products=prods)


@pytest.fixture(scope="module")
def run() -> store.StoreRun:
    return make_run()


def test_weeks_are_seven_day_sums_from_the_first_forecast_day(run):
    days = run.forecast("sku", "day", 91, only="A")
    weeks = run.forecast("sku", "week", 13, only="A")
    assert weeks["ds"].iloc[0] == pd.Timestamp("2026-10-28") == days["ds"].iloc[0]     # as_of + 1
    assert (weeks["ds"].diff().dropna() == pd.Timedelta(days=7)).all()
    assert weeks["yhat"].to_numpy() == pytest.approx(days["yhat"].to_numpy().reshape(13, 7).sum(axis=1))
    # seasonal naive repeats A's last 7 days (Oct 21-27, days 293-299: the weekday pattern and no 10th day),
    # so every week is 3 + 5 + 4 + 6 + 8 + 12 + 10 = 48
    assert weeks["yhat"].tolist() == pytest.approx([48.0] * 13)
    assert run.forecast("sku", "week", 4, only="A")["yhat"].sum() == pytest.approx(
        run.forecast("sku", "day", 28, only="A")["yhat"].sum())


def test_history_by_week_ends_at_the_last_day(run):
    weeks = run.history("sku", "week", only="A")
    days = run.history("sku", "day", only="A")
    assert weeks["ds"].iloc[-1] == pd.Timestamp("2026-10-21")                  # Oct 21 .. Oct 27
    assert weeks["y"].iloc[-1] == days["y"].tail(7).sum() == 48.0
    assert len(weeks) == 300 // 7                                               # the incomplete oldest days dropped


def test_weekly_bands_are_calibrated_on_weekly_sums(run):
    """Recompute the weekly bands by hand: residuals of 7-day sums over the backtest windows, scaled by 7 x the
    series' recent daily level, pooled by scoring.calibrate (one block per week)."""
    r = run.run
    truth, pred = r.truth, r.preds["seasonal_naive"]                            # (3, n, 91) daily
    week = lambda a: a.reshape(*a.shape[:-1], 13, 7).sum(axis=-1)               # noqa: E731
    obs = ~np.isnan(truth)
    t_w = np.where(week(obs.astype(float)) > 0, week(np.where(obs, truth, 0.0)), np.nan)
    p_w = np.where(np.isnan(t_w), np.nan, week(np.where(obs, pred, 0.0)))
    y = r.panel.y
    scale = np.stack([7 * scoring.level_scale(y[:, :c], views.SPAN) for c in r.cutoffs])
    final = 7 * scoring.level_scale(y, views.SPAN)
    cal = scoring.calibrate(t_w - p_w, scale, (80, 95), final_scale=final, block=1, max_blocks=13)
    yhat_w = week(np.where(run.status()["on_sale"].to_numpy()[:, None], r.final["seasonal_naive"], 0.0))
    lo, hi = cal.bands(yhat_w, final, (80,))[80]
    got = run.forecast("sku", "week", 13)
    on = got["unique_id"] != "C"                                    # C is no longer on sale: 0, no band
    assert got.loc[on, "yhat_lo_80"].to_numpy() == pytest.approx(lo[:2].reshape(-1))
    assert got.loc[on, "yhat_hi_80"].to_numpy() == pytest.approx(hi[:2].reshape(-1))
    daily = run.forecast("sku", "day", 91, only="B")
    summed = daily["yhat_hi_80"].to_numpy().reshape(13, 7).sum(axis=1)
    assert not np.allclose(got.loc[got["unique_id"] == "B", "yhat_hi_80"], summed)   # not a sum of daily edges


def test_accuracy_for_a_horizon_is_the_first_periods_of_each_window(run):
    acc = run.accuracy("sku", "week", 1).set_index("unique_id").query("model == 'seasonal_naive'")
    assert acc.loc["A", "n_points"] == 3                           # one week in each of the 3 windows
    r = run.run
    t = np.nansum(r.truth[:, 0, :7], axis=1)
    p = np.nansum(r.preds["seasonal_naive"][:, 0, :7], axis=1)
    assert acc.loc["A", "wape"] == pytest.approx(np.abs(p - t).sum() / t.sum())
    days = run.accuracy("sku", "day", 28).set_index("unique_id").query("model == 'seasonal_naive'")
    assert days.loc["A", "n_points"] == 3 * 28
    assert run.windows("day", 28) == (3, 28) and run.windows("week", 13) == (3, 13)


def test_a_sku_no_longer_on_sale_is_forecast_zero(run):
    st = run.status().set_index("unique_id")
    assert not st.loc["C", "on_sale"] and st.loc["C", "ended"]
    assert st.loc["C", "last_day"] == pd.Timestamp("2026-05-30") and st.loc["C", "model"] == store.NOT_ON_SALE
    fc = run.forecast("sku", "day", 28, only="C")
    assert (fc["yhat"] == 0).all() and (fc["yhat_hi_95"] == 0).all() and (fc["model"] == store.NOT_ON_SALE).all()
    # the category is the sum of A and B only
    cat = run.forecast("category", "day", 28)["yhat"].sum()
    assert cat == pytest.approx(run.forecast("sku", "day", 28, only="A")["yhat"].sum()
                                + run.forecast("sku", "day", 28, only="B")["yhat"].sum())


def test_a_sku_marked_inactive_is_forecast_zero():
    r = make_run(pd.DataFrame({"sku": ["A", "B", "C"], "active": [True, False, True]}))
    st = r.status().set_index("unique_id")
    assert not st.loc["B", "on_sale"] and not st.loc["B", "ended"]          # still listed, but inactive
    assert r.forecast("sku", "day", 7, only="B")["yhat"].sum() == 0


class FakeWarehouse:
    label = "duckdb:///fake.duckdb"

    def data_version(self) -> str:
        return "v1"


def test_concurrent_callers_share_one_computation(monkeypatch):
    calls = []

    def compute(wh, as_of, model, progress):
        calls.append(threading.current_thread().name)
        if progress:
            progress(0.5, "half way")
        time.sleep(0.3)
        return object()

    monkeypatch.setattr(store, "_compute", compute)
    store.clear()
    got, ticks = {}, []
    threads = [threading.Thread(target=lambda i=i: got.__setitem__(i, store.store_run(
        FakeWarehouse(), date(2026, 10, 27), progress=lambda f, m: ticks.append(m))), name=f"s{i}")
        for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(v) for v in got.values()}) == 1
    assert ticks.count("half way") == 1
    assert store.store_run(FakeWarehouse(), date(2026, 10, 27)) is got[0]          # a memo hit
    store.clear()


def _until(cond, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_waiting_session_sees_the_makers_progress(monkeypatch):
    # One session makes the run; a second one asks for it meanwhile. The second one's progress bar
    # follows the first one's steps (it used to sit silent until the run was done: 30 s under load).
    step, calls, waiter_ticks, got = threading.Event(), [], [], {}

    def compute(wh, as_of, model, progress):
        calls.append(1)
        progress(0.25, "a quarter")
        step.wait(10)
        step.clear()
        progress(0.75, "three quarters")
        step.wait(10)
        return object()

    monkeypatch.setattr(store, "_compute", compute)
    store.clear()
    maker = threading.Thread(target=lambda: got.__setitem__("maker", store.store_run(FakeWarehouse(), AS_OF)))
    maker.start()
    _until(lambda: calls)
    waiter = threading.Thread(target=lambda: got.__setitem__("waiter", store.store_run(
        FakeWarehouse(), AS_OF, progress=lambda f, m: waiter_ticks.append((f, m)))))
    waiter.start()
    _until(lambda: len(waiter_ticks) == 1)
    step.set()
    _until(lambda: len(waiter_ticks) == 2)
    step.set()
    maker.join(10)
    waiter.join(10)
    assert waiter_ticks == [(0.25, "another session is making it: a quarter"),
                            (0.75, "another session is making it: three quarters")]
    assert len(calls) == 1 and got["maker"] is got["waiter"]
    store.clear()


def test_a_failed_run_is_not_remembered_and_the_next_caller_makes_it(monkeypatch):
    outcomes = iter([RuntimeError("the warehouse went away"), "the run"])

    def compute(wh, as_of, model, progress):
        out = next(outcomes)
        if isinstance(out, Exception):
            raise out
        return out

    monkeypatch.setattr(store, "_compute", compute)
    store.clear()
    with pytest.raises(RuntimeError, match="went away"):
        store.store_run(FakeWarehouse(), AS_OF)
    assert store.store_run(FakeWarehouse(), AS_OF) == "the run"
    assert not store._BUSY and not store._PROGRESS
    store.clear()
