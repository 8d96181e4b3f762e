"""Weeks past the daily run and months (lib/forecast/longrun.py): the long runs reconciled with the daily run,
monthly-only stores, and the daily demand Replenishment plans with at the month grain.

The daily store: 2025-01-01 .. 2026-04-30 (as_of, the last day of April, so the first forecast month is
May 2026, whole). Seasonal naive is the only model, so every forecast can be written down:

    A  1 a day until 2026-01-31, 3 a day from 2026-02-01
    B  2 a day throughout
    C  like B until 2025-12-31, then its records end (no longer on sale: forecast 0)

The daily run (91 days: May 01 .. Jul 30) repeats the last week: A 3 a day, B 2 a day. The monthly run
(complete months Jan 2025 .. Apr 2026) repeats the same month a year earlier: A's May, June 2025 were 31
and 30 units (1 a day), so its factor = daily (May 93 + June 90) / monthly (31 + 30) = 3, and every later
month is 3 x the monthly run: August 2026 = 3 x 31 = 93 ... January 2027 = 3 x 31 = 93, then February 2027
= 3 x February 2026 (3 x 28 = 84) = 252. July straddles the daily run: July 1 .. 30 are daily (90), July 31
the scaled monthly run's share 3 x 31 x 1/31 = 3, so 93. B's factor is (62 + 60) / (62 + 60) = 1.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.forecast import engine, longrun, store
from lib.replenish import months as month_plan
from tests.support import monthly_store

DAYS = pd.date_range("2025-01-01", "2026-04-30")
AS_OF = DAYS[-1].date()
NAIVE = "seasonal_naive"
PRODUCTS = pd.DataFrame({"sku": ["A", "B", "C"], "active": [True] * 3})


def history() -> pd.DataFrame:
    a = np.where(DAYS.month.isin([1]) & (DAYS.year == 2026) | (DAYS.year == 2025), 1.0, 3.0)
    ended = DAYS[DAYS.year == 2025]
    rows = [pd.DataFrame({"unique_id": "A", "ds": DAYS, "y": a, "category": "Things"}),
            pd.DataFrame({"unique_id": "B", "ds": DAYS, "y": 2.0, "category": "Things"}),
            pd.DataFrame({"unique_id": "C", "ds": ended, "y": 2.0, "category": "Other"})]
    return pd.concat(rows, ignore_index=True).assign(in_stock=True)


@pytest.fixture(scope="module")
def daily_run() -> store.StoreRun:
    hist = history()
    r = engine.run(hist, store.HORIZON, "D", store.N_WINDOWS, NAIVE)
    return store.StoreRun(as_of=AS_OF, model=NAIVE, daily=hist, future=pd.DataFrame(), run=r, products=PRODUCTS)


@pytest.fixture(scope="module")
def months(daily_run) -> longrun.Reconciled:
    return longrun.Reconciled(daily_run, longrun.build_long(history(), AS_OF, "month", NAIVE, PRODUCTS), "month")


@pytest.fixture(scope="module")
def weeks(daily_run) -> longrun.Reconciled:
    return longrun.Reconciled(daily_run, longrun.build_long(history(), AS_OF, "week", NAIVE, PRODUCTS), "week")


def yhat(r, level="sku", h=None, only=None) -> list[float]:
    return r.forecast(level, r.grain, h, only=only, model=NAIVE)["yhat"].round(6).tolist()


# -- months -----------------------------------------------------------------------------------------------------
def test_months_are_calendar_months_from_the_first_forecast_day(months):
    p = months.periods()
    assert len(p) == longrun.MONTH_HORIZON == 24
    assert p["start"].iloc[0] == pd.Timestamp("2026-05-01") and p["start"].iloc[-1] == pd.Timestamp("2028-04-01")
    assert p["covered"].iloc[:4].tolist() == [31, 30, 30, 0]           # the daily run ends on Jul 30
    fc = months.forecast("sku", "month", 3, only="A", model=NAIVE)
    assert fc["ds"].dt.strftime("%Y-%m-%d").tolist() == ["2026-05-01", "2026-06-01", "2026-07-01"]


def test_months_the_daily_run_covers_are_its_sums(months, daily_run):
    days = daily_run.forecast("sku", "day", 91, only="A", model=NAIVE)
    by_month = days.groupby(days["ds"].dt.month)["yhat"].sum()
    assert by_month.tolist() == [93.0, 90.0, 90.0]                    # May, June, July 1-30 at 3 a day
    assert yhat(months, h=2, only="A") == [93.0, 90.0]
    assert yhat(months, h=3, only="A")[2] == pytest.approx(90.0 + 3.0)   # + July 31 from the scaled monthly run


def test_later_months_are_the_monthly_run_scaled_to_the_daily_run(months):
    parts = months.parts(NAIVE)
    assert parts["factor"].round(9).tolist()[:2] == [3.0, 1.0]
    assert np.isnan(parts["factor"][2])                                  # C: no monthly forecast left to scale
    a = yhat(months, h=12, only="A")
    assert a[3:] == pytest.approx([93.0, 90.0, 93.0, 90.0, 93.0, 93.0, 252.0, 279.0, 270.0])   # Aug .. Apr
    b = yhat(months, h=12, only="B")
    days = pd.date_range("2026-05-01", periods=12, freq="MS").days_in_month
    assert b == pytest.approx((2.0 * days).tolist())                    # factor 1: 2 a day every month
    assert yhat(months, h=12, only="C") == [0.0] * 12                   # no longer on sale


def test_a_category_and_the_store_are_the_sums_of_their_skus(months):
    skus = months.forecast("sku", "month", 6, model=NAIVE)
    store_ = months.forecast("store", "month", 6, model=NAIVE)
    assert store_["yhat"].tolist() == pytest.approx(skus.groupby("ds")["yhat"].sum().tolist())
    things = months.forecast("category", "month", 6, only="Things", model=NAIVE)
    assert things["yhat"].tolist() == pytest.approx(
        skus[skus["unique_id"].isin(["A", "B"])].groupby("ds")["yhat"].sum().tolist())


def test_the_daily_demand_adds_up_to_each_month(months):
    days = months.daily_demand(6, NAIVE)
    assert days["ds"].min() == pd.Timestamp("2026-05-01") and days["ds"].max() == pd.Timestamp("2026-10-31")
    assert len(days) == 3 * 184                                          # May .. October, every SKU
    a = days[days["unique_id"] == "A"]
    assert a.groupby(a["ds"].dt.month)["yhat"].sum().tolist() == pytest.approx(yhat(months, h=6, only="A"))
    assert a.loc[a["ds"] == pd.Timestamp("2026-07-31"), "yhat"].tolist() == pytest.approx([3.0])
    assert a.loc[a["ds"] == pd.Timestamp("2026-07-30"), "model"].tolist() == [NAIVE]


def test_month_backtest_and_accuracy_come_from_the_monthly_run(months):
    # 16 complete months and at least 14 to train on (engine._window_plan): two windows of one month
    assert months.windows("month", 6) == months.long.windows("month", 6) == (2, 1)
    acc = months.accuracy("store", "month", 6)
    assert acc.equals(months.long.accuracy("store", "month", 6))


def test_a_grain_or_horizon_the_run_does_not_hold_is_refused(months):
    with pytest.raises(ValueError, match="The horizon must be 1 to 24 months"):
        months.forecast("sku", "month", 25, model=NAIVE)
    with pytest.raises(ValueError, match="This forecast is by month: it cannot be shown by week"):
        months.forecast("sku", "week", 4, model=NAIVE)


# -- weeks past 13 --------------------------------------------------------------------------------------------------
def test_weeks_past_the_daily_run_are_the_weekly_run_scaled(weeks, daily_run):
    a = yhat(weeks, h=20, only="A")
    assert a[:13] == [21.0] * 13                                         # 7-day sums of 3 a day
    # the weekly run repeats the week 52 weeks earlier (1 a day, 7 a week): factor 13 x 21 / (13 x 7) = 3
    assert weeks.parts(NAIVE)["factor"][0] == pytest.approx(3.0)
    assert a[13:] == pytest.approx([21.0] * 7)
    first = daily_run.forecast("sku", "week", 13, only="A", model=NAIVE)
    long = weeks.forecast("sku", "week", 20, only="A", model=NAIVE)
    cols = ["yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
    assert long[cols].iloc[:13].to_numpy() == pytest.approx(first[cols].to_numpy())   # the same weeks 1-13


def test_week_history_is_the_daily_runs_blocks(weeks, daily_run):
    h = longrun.week_history(history(), AS_OF)
    a = h[h["unique_id"] == "A"]
    assert a["ds"].iloc[-1] == pd.Timestamp("2026-04-24") and a["y"].iloc[-1] == 21.0
    assert len(a) == len(DAYS) // 7
    assert weeks.history("sku", "week", only="A")["y"].tolist() == \
        daily_run.history("sku", "week", only="A")["y"].tolist()


def test_a_stockout_is_filled_at_the_periods_in_stock_rate():
    d = pd.DataFrame({"unique_id": "X", "ds": pd.date_range("2026-03-01", "2026-04-30"), "y": 2.0,
                      "in_stock": True, "category": "c"})
    d.loc[d["ds"] < pd.Timestamp("2026-03-11"), ["y", "in_stock"]] = [0.0, False]   # 10 days out in March
    m = longrun.month_history(d, pd.Timestamp("2026-04-01"))
    assert m["y"].tolist() == [2.0 * 21 / 21 * 31, 60.0]                 # 42 sold on 21 in-stock days -> 62


# -- monthly-only stores ----------------------------------------------------------------------------------------
def _lines(days: list[str], sku: str = "S") -> pd.DataFrame:
    return pd.DataFrame({"unique_id": sku, "ds": pd.to_datetime(days), "y": 5.0})


def test_a_store_with_one_line_per_sku_and_month_is_monthly():
    firsts = pd.concat([_lines(["2026-01-01", "2026-02-01", "2026-03-01"]),
                        _lines(["2026-02-01", "2026-03-01", "2026-04-01"], "T")])
    assert longrun.monthly_only(firsts)
    assert longrun.monthly_only(_lines(["2026-01-31", "2026-02-28", "2026-03-31"]))     # month ends
    assert not longrun.monthly_only(_lines(["2026-01-01", "2026-02-01"]))                # two months: too few
    assert not longrun.monthly_only(_lines(["2026-01-01", "2026-01-15", "2026-02-01", "2026-03-01"]))
    # a slow seller of a daily store: once a month, but not on one day of the month
    assert not longrun.monthly_only(_lines(["2026-01-03", "2026-02-17", "2026-03-09"]))
    assert not longrun.monthly_only(history())


@pytest.fixture(scope="module")
def monthly_wh(tmp_path_factory):
    from lib.settings import Settings
    from lib.warehouse import Warehouse
    path = tmp_path_factory.mktemp("monthly-store")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHOPCAST_DATA_DIR", str(path))
        mp.delenv("DATABASE_URL", raising=False)
        monthly_store.seed()
        wh = Warehouse.open(settings=Settings.from_env())
        yield wh
        wh.dispose()
        store.clear()


def test_a_monthly_store_is_forecast_by_month(monthly_wh):
    assert longrun.store_is_monthly(monthly_wh, monthly_store.AS_OF)
    r = longrun.month_store_run(monthly_wh, monthly_store.AS_OF, NAIVE)
    assert r.grains == ("month",)
    fc = r.forecast("sku", "month", 6, model=NAIVE)
    assert fc["ds"].iloc[0] == pd.Timestamp("2026-07-01")                # June's line is June's total
    got = fc.pivot(index="ds", columns="unique_id", values="yhat")
    assert got["M1"].tolist() == [160.0, 170.0, 180.0, 190.0, 200.0, 210.0]
    assert got["M2"].tolist() == [40.0] * 6
    assert got["M3"].tolist() == [30.0, 0.0, 0.0, 30.0, 0.0, 0.0]       # months without a line are 0, not gaps
    assert r.forecast("store", "month", 6, model=NAIVE)["yhat"].sum() == 1410.0
    with pytest.raises(ValueError, match="cannot be shown by day"):
        r.forecast("sku", "day", 7, model=NAIVE)


def test_a_monthly_stores_days_spread_each_month(monthly_wh):
    r = longrun.month_store_run(monthly_wh, monthly_store.AS_OF, NAIVE)
    days = longrun.spread_months(r.forecast("sku", "month", 2, model=NAIVE), monthly_store.AS_OF)
    m1 = days[days["unique_id"] == "M1"].set_index("ds")["yhat"]
    assert m1.index.min() == pd.Timestamp("2026-06-02") and m1.index.max() == pd.Timestamp("2026-08-31")
    assert m1["2026-07"].sum() == pytest.approx(160.0) and m1["2026-08"].sum() == pytest.approx(170.0)
    assert m1["2026-06"].tolist() == pytest.approx([160.0 / 31] * 29)     # the rest of June at July's rate


# -- the month view of a plan -----------------------------------------------------------------------------------
def test_month_view_of_one_sku():
    months = pd.DataFrame({"ds": pd.to_datetime(["2026-05-01", "2026-06-01"]), "yhat": [31.0, 60.0],
                           "yhat_lo_80": [25.0, 50.0], "yhat_hi_80": [37.0, 70.0]})
    days = pd.DataFrame({"ds": pd.date_range("2026-05-01", "2026-06-30")})
    days["yhat"] = np.where(days["ds"].dt.month == 5, 1.0, 2.0)
    v = month_plan.month_view(months, days, as_of=pd.Timestamp("2026-04-30").date(), on_hand=40, on_order=10,
                              order_qty=20, lead_days=10)
    assert v.columns.tolist() == month_plan.MONTH_COLUMNS
    assert v["days"].tolist() == [31, 30]
    # May: 40 + 10 + 20 (day 10) - 31 = 39; June: 39 - 60 -> 0 (runs out on June 20)
    assert v["stock at month end"].tolist() == [39.0, 0.0]
    assert v["stock at month end without the order"].tolist() == [19.0, 0.0]
    assert v["runs out"].tolist() == [False, True]
    doubled = month_plan.month_view(months, days, as_of=pd.Timestamp("2026-04-30").date(), on_hand=40,
                                    on_order=10, order_qty=20, lead_days=10, uplift_pct=100)
    assert doubled["forecast units"].tolist() == [62.0, 120.0] and doubled["80% band high"].tolist() == [74.0, 140.0]


def test_the_reports_read_a_monthly_store_by_month(monthly_wh):
    """The notebook/export reports of both pages follow the same links: fgrain=month (the default here) and
    the plan on the month forecast's days."""
    from lib import replenish, reports
    from lib.replenish import view as plan_view
    from lib.reports.blocks import Alert, Table, Tiles

    def tiles(blocks):
        return {t.label: t.value for b in blocks if isinstance(b, Tiles) for t in b.tiles}

    blocks = reports.build("forecast", monthly_wh, [("h", "6"), ("model", NAIVE)])
    assert tiles(blocks)["Forecast units, next 6 months"] == "1,410"
    refused = reports.build("forecast", monthly_wh, [("fgrain", "week")])
    assert isinstance(refused[0], Alert) and "No forecast by week for this store." in refused[0].text
    rep = reports.build("replenishment", monthly_wh, [("sl", "95")], today=pd.Timestamp("2026-06-02").date())
    r = longrun.month_store_run(monthly_wh, monthly_store.AS_OF)
    items = plan_view.plan_inputs(monthly_wh, monthly_store.AS_OF, store.daily_history(monthly_wh, monthly_store.AS_OF))
    need = month_plan.plan_months(items, review_days=7, delay_days=0, shown=6)
    assert need == 6                                          # max(6, ceil(90 / 28) + 1 = 5)
    plan = replenish.plan(items, longrun.month_demand(r, need), as_of=monthly_store.AS_OF, service_level=0.95)
    table = [b for b in rep if isinstance(b, Table) and "SKU" in b.frame.columns][0].frame
    assert dict(zip(table["SKU"], table["Reorder point"].round(1), strict=True)) == \
        dict(zip(plan["sku"], plan["reorder_point"].round(1), strict=True))
    assert dict(zip(plan["sku"], plan["reorder_point"].round(3), strict=True))["M1"] == round(160 / 31 * 37, 3)


class _Version:
    label = "duckdb:///fake-long.duckdb"

    def __init__(self, version: str):
        self.version = version

    def data_version(self) -> str:
        return self.version


def test_the_long_runs_are_shared_per_data_version_and_made_once(monkeypatch, months):
    """Sessions (threads) asking for the same monthly run wait for one computation; new data makes a new one."""
    import threading
    import time

    calls = []

    def build(daily, as_of, grain, model="auto", products=None, progress=None):
        calls.append(grain)
        time.sleep(0.3)
        return months.long
    monkeypatch.setattr(longrun, "build_long", build)
    monkeypatch.setattr(store, "daily_history", lambda wh, as_of: history())
    monkeypatch.setattr(longrun.data, "products", lambda wh: PRODUCTS)
    store.clear()
    got = {}
    threads = [threading.Thread(target=lambda i=i: got.__setitem__(i, longrun.long_run(_Version("v1"), AS_OF, "month")))
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["month"] and len({id(v) for v in got.values()}) == 1
    longrun.long_run(_Version("v1"), AS_OF, "month")
    assert calls == ["month"]                                             # memoised
    longrun.long_run(_Version("v2"), AS_OF, "month")
    assert calls == ["month", "month"]                                    # another data version
    store.clear()


def test_the_model_column_names_the_run_behind_each_period(months):
    fc = months.forecast("sku", "month", 4, model=NAIVE)
    assert fc.loc[fc["unique_id"] == "C", "model"].tolist() == [store.NOT_ON_SALE] * 4
    assert fc.loc[fc["unique_id"] == "A", "model"].tolist() == [NAIVE] * 4


def test_a_part_month_at_the_start_of_the_window_is_dropped_and_a_launch_month_counts_whole():
    d = pd.DataFrame({"unique_id": "X", "ds": pd.date_range("2026-01-20", "2026-04-30"), "y": 1.0,
                      "in_stock": True, "category": "c"})
    late = pd.DataFrame({"unique_id": "Y", "ds": pd.date_range("2026-03-17", "2026-04-30"), "y": 2.0,
                         "in_stock": True, "category": "c"})                     # launched on March 17
    m = longrun.month_history(pd.concat([d, late]), pd.Timestamp("2026-04-01"))
    x, y = m[m["unique_id"] == "X"], m[m["unique_id"] == "Y"]
    assert x["ds"].dt.strftime("%b").tolist() == ["Feb", "Mar", "Apr"]            # January 20-31 left out
    assert x["y"].tolist() == [28.0, 31.0, 30.0]
    assert y["y"].tolist() == [62.0, 60.0]                                       # March: 2 a day x 31 days
