"""Forecast, Replenishment and Pricing show the same demand for the same SKU and days (AppTest).

The Pricing page's store (tests/test_app_pricing.py: 4 SKUs x 140 days, data through 2026-03-31, no
lead times in the product feed, so every SKU takes the default 14 days). MUG's protection period on
Replenishment is 14 + 7 (review) = 21 days: Apr 01 .. Apr 21. The three pages read the store's one
forecast run (lib.forecast.store), so:

    Forecast, MUG, next 21 days (by day)  ==  Forecast, MUG, next 3 weeks (by week)
    ==  Replenishment, MUG: demand per day x 21  ==  Pricing, scope MUG, window Apr 01 .. 21: baseline units

all equal to the run's MUG forecast summed over those 21 days.
"""
from __future__ import annotations

from datetime import date

import pytest
import sklearn.ensemble  # noqa: F401 - loads the OpenMP runtime, so that threadpool_limits can see it
from streamlit.testing.v1 import AppTest
from threadpoolctl import threadpool_limits

from lib import fmt
from lib.forecast import store
from lib.replenish.inputs import DEFAULT_LEAD_TIME
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.paths import ROOT
from tests.support.pricing_store import AS_OF, data_dir, seed_store  # noqa: F401

WINDOW = (date(2026, 4, 1), date(2026, 4, 21))


def open_page(path: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page(path)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_three_planning_pages_read_the_same_forecast(data_dir):  # noqa: F811
    seed_store()
    wh = Warehouse.open(settings=Settings.from_env())
    with threadpool_limits(limits=1):             # the boosted model's default thread pool crawls on 2 busy cores
        run = store.store_run(wh, AS_OF)           # the run every page reads (memoised per data version)
        wh.dispose()
        exact = float(run.forecast("sku", "day", 21, only="MUG")["yhat"].sum())
        assert exact > 0

        days = open_page("pages/forecast_page.py", {"level": "SKU", "item": "MUG", "fgrain": "day", "h": "21"})
        weeks = open_page("pages/forecast_page.py", {"level": "SKU", "item": "MUG", "fgrain": "week", "h": "3"})
        assert metrics(days)["Forecast units, next 21 days"] == fmt.count(round(exact))
        assert metrics(weeks)["Forecast units, next 3 weeks"] == fmt.count(round(exact))

        rep = open_page("pages/replenish_page.py")
        mug = rep.dataframe[0].value.set_index("sku").loc["MUG"]
        assert mug["lead_time_days"] == DEFAULT_LEAD_TIME == 14
        assert mug["demand_daily"] * 21 == pytest.approx(exact, rel=1e-9)

        pricing = open_page("pages/pricing_page.py")
        pricing.multiselect(key="sc_skus").set_value(["MUG"])
        pricing.slider(key="sc_price").set_value(-10)
        pricing.date_input(key="sc_window").set_value(WINDOW)
        pricing.run()
        assert not pricing.exception, pricing.exception
        table = next(d.value for d in pricing.dataframe if "units_base" in d.value.columns).set_index("unique_id")
        assert table.loc["MUG", "units_base"] == pytest.approx(exact, rel=1e-9)
