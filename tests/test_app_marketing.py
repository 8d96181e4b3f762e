"""AppTest for the Marketing page on the hand-computed store of tests/test_marketing.py (March 2026)."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from streamlit.testing.v1 import AppTest

import lib.ui.widgets.controls  # noqa: F401 - installs the old-link aliases, as lib.ui.app.serve does for the app
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.app_pages import data_dir, texts  # noqa: F401 - fixture
from tests.support.marketing_store import _events, _orders, _spend
from tests.support.paths import ROOT

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
    # March: spend paid_search 60 + paid_social 50 + display 12.50 = 122.50; revenue of every channel
    # 72 + 30 + 35 (direct) + 10 (email) = 147; the paid channels' revenue 102, their orders O1, O5, O2 and their
    # new customers c1, c4, c2: ROAS 102 / 122.50 = 0.83, CPA = CAC = 122.50 / 3 = 40.83; new customers 4 (+ c5)
    assert tiles["Spend"] == "$122.50" and tiles["Revenue"] == "$147.00"
    assert tiles["ROAS of paid channels"] == "0.83×"
    assert tiles["CPA of paid channels"] == "$40.83" and tiles["CAC of paid channels"] == "$40.83"
    assert tiles["New customers"] == "4"
    table = at.dataframe[0].value
    # the biggest spender first, then the unpaid channels by revenue; channels in words
    assert table["Channel"].tolist() == ["Paid search", "Paid social", "Display", "Direct", "Email"]
    # columns with a missing value read as text ("–": no spend, no ROAS); the downloads hold the numbers
    assert table["ROAS"].tolist() == ["1.20×", "0.60×", "0.00×", "–", "–"]
    assert table["CAC"].tolist()[:2] == ["$30.00", "$50.00"] and table["Spend"].tolist()[0] == 60.0
    # payback: March's paid-search cohort (c1, c4: CAC 60 / 2 = 30) has 16 + 34 = 50 of margin in March (25 each),
    # 50 + 20 (c4's O8 in April) = 70 by April (35 each): paid back in month 1; margin through the data's last
    # order (May 03); LTV:CAC at 3 months waits for June to end
    payback = at.dataframe[1].value
    ps = payback[(payback["Cohort"] == "Mar 2026") & (payback["Channel"] == "Paid search")].iloc[0]
    assert (ps["Customers"], ps["CAC"], ps["Paid back in month"], ps["LTV:CAC 3m"]) == (2, "$30.00", "1", "–")
    assert payback["Cohort"].tolist()[0] == "Mar 2026" and "Feb 2026" in payback["Cohort"].tolist()
    assert "last non-direct touch" in at.caption[0].help
    assert not at.error


def test_campaign_rows_from_the_link(data_dir):  # noqa: F811
    seed()
    at = page("Campaign")                  # a bound widget keeps its label in the URL
    table = at.dataframe[0].value
    ps = table[table["Channel"] == "Paid search"]
    assert ps["Campaign"].tolist() == ["Generic", "Brand", "(all campaigns)"]
    assert {m.label: m.value for m in at.metric}["Spend"] == "$122.50"     # the channel totals, not twice
    assert at.query_params["mby"] == "Campaign"


def test_without_spend_the_page_says_what_to_load(data_dir):  # noqa: F811
    seed(spend=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/marketing_page.py").run()
    assert not at.exception
    assert "No spend loaded" in texts(at)
    # the orders and revenue per channel still show, without ROAS bars or payback
    assert [s.value for s in at.subheader] == ["Channels"]
