"""AppTest of the month grain on the Forecast and Replenishment pages, on a store whose history is monthly
only (tests/support/monthly_store.py: three SKUs, one order line per SKU and month dated the 1st, 30 months to
2026-06-01). Its hand-computed forecast by seasonal naive for July .. December 2026:
M1 160, 170, 180, 190, 200, 210 (1,110 units, $11,100), M2 40 a month (240, $1,200), M3 30 in July and
October (60, $6,000): the store 1,410 units, $18,300. The six months before (January .. June 2026) sold
M1 100 + 110 + ... + 150 = 750, M2 240, M3 60 (January, April): 1,050, so the change is +34.3%.

On this store every model's backtest is scored on three windows of five months, and seasonal naive repeats
each SKU exactly (WAPE 0), so auto picks it for every SKU and Replenishment's month view shows the same
numbers as the Forecast page.
"""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.support import monthly_store
from tests.support.paths import ROOT


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("monthly-store")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHOPCAST_DATA_DIR", str(path))
        mp.delenv("DATABASE_URL", raising=False)
        mp.setenv("SHOPCAST_TIMEZONE", "UTC")
        monthly_store.seed()
        yield path


def page(path: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page(path)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [i.value for i in at.info]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def frame(at, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_forecast_page_forecasts_a_monthly_store_by_month(store):
    at = page("pages/forecast_page.py", {"model": "seasonal_naive"})
    assert at.segmented_control(key="fgrain").value == "month"          # the default for a monthly store
    assert at.number_input(key="h").value == 6
    assert {m.label: m.value for m in at.metric} == {
        "Forecast units, next 6 months": "1,410", "Forecast revenue at today's prices": "$18,300",
        "Change vs the previous 6 months": "+34.3%", "Model": "seasonal_naive"}
    assert "forecasting the whole store, 6 months ahead: Wed Jul 01, 2026 to Thu Dec 31, 2026." in texts(at)
    assert "This store's history is monthly (each SKU's sales fall on one day a month)" in texts(at)
    skus = frame(at, "forecast units")
    assert skus["SKU"].tolist() == ["M1", "M2", "M3"]
    assert skus["forecast units"].tolist() == [1110.0, 240.0, 60.0]
    assert skus["forecast revenue"].tolist() == [11100.0, 1200.0, 6000.0]
    assert skus["units sold before"].tolist() == [750.0, 240.0, 60.0]
    acc = frame(at, "WAPE")
    assert acc.loc[0, "model"] == "seasonal_naive" and acc.loc[0, "WAPE"] == 0.0
    assert not at.error


def test_a_sku_by_month_through_the_url(store):
    at = page("pages/forecast_page.py", {"level": "SKU", "item": "M3", "fgrain": "month", "h": "4",
                                         "model": "seasonal_naive"})
    assert {m.label: m.value for m in at.metric}["Forecast units, next 4 months"] == "60"   # July + October
    assert "Jul 01, 2026 to Sat Oct 31, 2026" in texts(at)


@pytest.mark.parametrize("grain", ["day", "week"])
def test_days_and_weeks_are_refused_in_words(store, grain):
    at = page("pages/forecast_page.py", {"fgrain": grain})
    assert f"No forecast by {grain} for this store." in texts(at)
    assert "each SKU's sales are recorded on one day of each month" in texts(at)
    assert not at.metric and not at.error


def test_replenishment_plans_a_monthly_store_by_month(store):
    at = page("pages/replenish_page.py", {"sku": "M1"})
    assert at.segmented_control(key="rgrain").value == "month"
    months = frame(at, "stock at month end")
    assert months["month"].astype(str).tolist() == [f"2026-{m:02d}-01" for m in range(7, 13)]
    assert months["forecast units"].tolist() == pytest.approx([160.0, 170.0, 180.0, 190.0, 200.0, 210.0])
    # 500 on hand; June 2-30 at July's rate (160 / 31 a day), then July's 160: 500 - 160 x 60 / 31 left
    assert months["stock at month end"].iloc[0] == pytest.approx(500 - 160 * 60 / 31)
    assert months["runs out"].tolist() == [False, False, True, True, True, True]
    plan = frame(at, "reorder_point")
    assert sorted(plan["sku"]) == ["M1", "M2", "M3"]
    # M1's protection period (30 d lead + 7 d review): June 2-30 (29 d) and July 1-8 at July's rate 160 / 31
    assert plan.set_index("sku").loc["M1", "reorder_point"] == pytest.approx(160 / 31 * 37)
    at = page("pages/replenish_page.py", {"rgrain": "day"})
    assert "The plan uses the month forecast." in texts(at)


def test_replenishment_months_match_the_forecast_page(store):
    fc = page("pages/forecast_page.py", {"level": "Store", "fgrain": "month", "h": "3"})   # auto, as the plan
    units = frame(fc, "forecast units").set_index("SKU")["forecast units"]
    for sku in ("M1", "M2", "M3"):
        rp = page("pages/replenish_page.py", {"sku": sku, "rmonths": "3"})
        months = frame(rp, "stock at month end")
        assert len(months) == 3
        assert months["forecast units"].sum() == pytest.approx(units[sku], abs=0.05)   # the table rounds to 0.1
