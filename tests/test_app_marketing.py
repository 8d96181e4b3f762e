"""AppTest for the Marketing page on the hand-computed store of tests/test_marketing.py (March 2026)."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from streamlit.testing.v1 import AppTest

import lib.ui.widgets.controls  # noqa: F401 - installs the old-link aliases, as lib.ui.app.serve does for the app
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.app_pages import data_dir, texts  # noqa: F401 - fixture
from tests.support.paths import ROOT
from tests.test_marketing import _events, _orders, _spend

T0 = datetime(2026, 7, 1)


def seed(spend: bool = True) -> None:
    wh = Warehouse.open(settings=Settings.from_env())
    wh.load("products", pd.DataFrame({"sku": ["A", "B"], "name": ["a", "b"], "category": ["x", "x"],
                                      "unit_cost": [4.0, 10.0], "price": [10.0, 30.0]}), source="p", now=T0)
    wh.load("orders", _orders(), source="o", now=T0)
    wh.load("events", _events(), source="e", now=T0)
    if spend:
        wh.load("spend", _spend(), source="s", now=T0)
    wh.dispose()


def page(by: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/marketing_page.py")
    if by:
        at.query_params["mby"] = by
    at.run()
    at.selectbox(key="range").set_value("custom").run()
    at.date_input(key="from").set_value(date(2026, 3, 1)).run()
    at.date_input(key="to").set_value(date(2026, 3, 31)).run()
    assert not at.exception, at.exception
    return at


def test_marketing_page_shows_the_hand_computed_report(data_dir):  # noqa: F811
    seed()
    at = page()
    tiles = {m.label: m.value for m in at.metric}
    # paid channels: paid_search 60 + paid_social 50 + display 12.50 = 122.50 spend, revenue 72 + 30 + 0 = 102;
    # revenue of every channel 72 + 30 + 35 + 10 = 147; paid new customers 2 + 1 = 3: CAC 122.50 / 3
    assert tiles["Spend"] == "$122.50" and tiles["Revenue"] == "$147.00"
    assert tiles["ROAS of paid channels"] == f"{102 / 122.5:,.2f}×"
    assert tiles["CAC of paid channels"] == "$40.83"
    table = at.dataframe[0].value
    assert table["Channel"].tolist() == ["paid_search", "paid_social", "display", "direct", "email"]
    assert table["ROAS"].tolist()[:3] == [1.2, 0.6, 0.0]
    assert table["CAC"].tolist()[:2] == [30.0, 50.0]
    payback = at.dataframe[1].value.set_index("Channel")
    assert payback.loc["paid_search", "Paid back in month"] == 1.0
    assert "last non-direct touch" in at.caption[0].help
    assert not at.error


def test_campaign_rows_from_the_link(data_dir):  # noqa: F811
    seed()
    at = page("Campaign")                  # a bound widget keeps its label in the URL
    table = at.dataframe[0].value
    ps = table[table["Channel"] == "paid_search"]
    assert ps["Campaign"].tolist() == ["Generic", "Brand", "(all campaigns)"]
    assert at.query_params["mby"] == "Campaign"


def test_without_spend_the_page_says_what_to_load(data_dir):  # noqa: F811
    seed(spend=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/marketing_page.py").run()
    assert not at.exception
    assert "No marketing spend loaded" in texts(at)
