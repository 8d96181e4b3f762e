"""AppTest for the Cohorts page (the store of tests/test_cohorts.py: ana, ben, dan, cleo)."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import lib.ui.widgets.controls  # noqa: F401 - installs the old-link aliases, as lib.ui.app.serve does for the app
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.cohorts_store import AS_OF, PRODUCTS, STORE
from tests.support.paths import ROOT

T0 = datetime(2026, 4, 5, 12, 0)
TABLE = ["Cohort", "Months since first purchase", "Customers in cohort"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    return tmp_path


def seed_store(data_dir):
    wh = Warehouse.open(settings=Settings.from_env())
    wh.load("products", PRODUCTS, source="upload:products.csv", as_of=AS_OF, now=T0)
    wh.load("orders", pd.DataFrame(STORE), source="upload:orders.csv", as_of=AS_OF, now=T0)
    wh.dispose()


def cohorts_page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/cohorts_page.py")
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [i.value for i in at.info]
    parts += [e.value for e in at.error] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


def table(at) -> pd.DataFrame:
    """The cohort table (with a breakdown, the ranking table comes first)."""
    return next(d.value for d in at.dataframe if "Cohort" in d.value.columns)


def ranking(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Month 1" in d.value.columns or "Week 1" in d.value.columns)


def test_empty_state_points_to_the_data_page(data_dir):
    at = cohorts_page()
    assert at.title[0].value == "Cohorts"
    assert "No orders loaded yet" in texts(at)
    assert not at.dataframe


def test_loaded_store_shows_the_cohort_table(data_dir):
    seed_store(data_dir)
    at = cohorts_page()
    # data through Apr 3 (cleo's cancelled line), year to date: January and February cohorts
    df = table(at)
    # numbers as numbers (the downloads hold what the table holds), columns named as on screen
    assert df[TABLE].values.tolist() == [["2026-01", 0, 3], ["2026-01", 1, 3], ["2026-01", 2, 3],
                                         ["2026-02", 0, 1], ["2026-02", 1, 1]]
    assert df["Customers"].tolist() == [3, 1, 1, 1, 0]
    assert df["Retention rate"].tolist() == pytest.approx([1.0, 1 / 3, 1 / 3, 1.0, 0.0])
    assert df["Period complete"].all()         # the orders feed runs to Apr 03: March is over
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["New customers in range"] == "4"
    assert metrics["Weighted average, month 1"] == "25%"
    assert len(at.get("vega_lite_chart")) == 3        # heatmap, curves, lifecycle
    assert {"CSV", "XLSX"} <= {b.label for b in at.get("download_button")}


def test_new_customers_count_the_caption_range_and_march_is_marked_incomplete(data_dir):
    # Jan 15 .. Mar 02 (the data's last live day): first purchases ben (Jan 20) and cleo (Feb 01) only,
    # while the cohorts shown are whole January and February (3 + 1). March is 2 days old: it is marked,
    # and the month-1 average leaves out February's March (0 of 1): January's 1 of 3
    seed_store(data_dir)
    at = cohorts_page({"range": "Custom", "from": "2026-01-15", "to": "2026-03-02"})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["New customers in range"] == "2"
    assert metrics["Weighted average, month 1"] == "33%"
    body = texts(at)
    assert "whole months, Jan 01, 2026 – Mar 02, 2026: 4 customers, of whom 2 made their first purchase" in body
    assert "March 2026 is not over: the data runs through Mar 02, 2026" in body
    df = table(at)
    assert df.loc[~df["Period complete"], ["Cohort", "Months since first purchase"]].values.tolist() == [
        ["2026-01", 2], ["2026-02", 1]]


def test_metric_mode_grain_and_breakdown_widgets(data_dir):
    seed_store(data_dir)
    at = cohorts_page()
    at.selectbox(key="cmetric").set_value("revenue").run()
    assert not at.exception
    assert table(at)["Revenue"].tolist() == pytest.approx([26.0, 15.0, 10.0, 16.0, 0.0])
    at.selectbox(key="cmode").set_value("cumulative").run()
    assert not at.exception
    df = table(at)
    assert df["Revenue"].tolist() == pytest.approx([26.0, 41.0, 51.0, 16.0, 16.0])
    assert df["Revenue per customer"].tolist() == pytest.approx([26 / 3, 41 / 3, 17.0, 16.0, 16.0])
    at.segmented_control(key="cgrain").set_value("weekly").run()
    assert not at.exception
    assert table(at)["Cohort"].iloc[0] == "wk 2026-01-05"
    assert "Weeks since first purchase" in table(at).columns
    at.selectbox(key="cby").set_value("channel").run()
    assert not at.exception
    # values and options in words, not keys
    assert table(at)["Acquisition channel"].unique().tolist() == ["(not set)", "Affiliate", "Email", "Paid"]
    assert at.selectbox(key="cby").format_func("none") == "No breakdown"
    assert [at.selectbox(key="cval").format_func(v) for v in at.selectbox(key="cval").options] == [
        "(not set)", "Affiliate", "Email", "Paid"]
    # whose customers come back most (weekly, Jan 1 .. Apr 3; March and April are over): dan (email, Jan 10,
    # week of Jan 05) is back in the week of Feb 09 (week 5); ana (affiliate) in week 8; ben (paid) never
    rank = ranking(at)
    assert rank.columns.tolist() == ["Acquisition channel", "Customers", "Week 1", "Week 2", "Week 3"]
    assert rank["Customers"].sum() == 4 and set(rank["Acquisition channel"]) == {"(not set)", "Affiliate", "Email",
                                                                                  "Paid"}
    assert len(at.get("vega_lite_chart")) == 4        # plus the average curve per channel


def test_view_from_the_url_and_customer_export(data_dir):
    seed_store(data_dir)
    # cby=category: a link from before the breakdown read in words (now "First category")
    at = cohorts_page({"cmetric": "Orders", "cmode": "Rolling", "cby": "category"})
    df = table(at)
    assert df[df["First category"] == "Apparel"]["Orders"].tolist() == [2, 1, 1, 2, 0]
    at.selectbox(key="export_cohort").select_index(0).run()
    assert not at.exception
    assert "1 customer · revenue so far $17.00" in texts(at)      # dan: first order SKU C, no category
    assert any(b.label == "Export customers as CSV" for b in at.get("download_button"))


def test_which_channels_customers_come_back_most(data_dir):
    # monthly, Jan 1 .. Apr 3: dan (email) is back in month 1 (February); ana (affiliate) only in month 2;
    # ben (paid) and cleo (not set) never
    seed_store(data_dir)
    at = cohorts_page({"cby": "Acquisition channel"})
    rank = ranking(at)
    assert rank["Acquisition channel"].tolist() == ["Email", "(not set)", "Affiliate", "Paid"]
    assert rank["Month 1"].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert rank["Month 2"].tolist()[2] == 1.0
    assert "customers first reached through **Email** come back most, 100% in month 1" in texts(at)
