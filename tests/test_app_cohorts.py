"""AppTest for the Cohorts page (the store of tests/test_cohorts.py: ana, ben, dan, cleo)."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.conftest import ROOT
from tests.test_cohorts import AS_OF, PRODUCTS, STORE

T0 = datetime(2026, 4, 5, 12, 0)
TABLE = ["cohort", "period", "customers in cohort"]


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
    return at.dataframe[0].value


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
    assert df[TABLE].values.tolist() == [["2026-01", 0, "3"], ["2026-01", 1, "3"], ["2026-01", 2, "3"],
                                         ["2026-02", 0, "1"], ["2026-02", 1, "1"]]
    assert df["customers"].tolist() == ["3", "1", "1", "1", "0"]
    assert df["rate"].tolist() == ["100%", "33%", "33%", "100%", "0%"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["New customers in range"] == "4"
    assert metrics["Weighted average, month 1"] == "25%"
    assert len(at.get("vega_lite_chart")) == 3        # heatmap, curves, lifecycle
    assert any(b.label == "Download the table as CSV" for b in at.get("download_button"))


def test_metric_mode_grain_and_breakdown_widgets(data_dir):
    seed_store(data_dir)
    at = cohorts_page()
    at.selectbox(key="cmetric").set_value("revenue").run()
    assert not at.exception
    assert table(at)["revenue"].tolist() == ["$26.00", "$15.00", "$10.00", "$16.00", "$0.00"]
    at.selectbox(key="cmode").set_value("cumulative").run()
    assert not at.exception
    df = table(at)
    assert df["revenue"].tolist() == ["$26.00", "$41.00", "$51.00", "$16.00", "$16.00"]
    assert df["per customer"].tolist() == ["$8.67", "$13.67", "$17.00", "$16.00", "$16.00"]
    at.segmented_control(key="cgrain").set_value("weekly").run()
    assert not at.exception
    assert table(at)["cohort"].iloc[0] == "wk 2026-01-05"
    at.selectbox(key="cby").set_value("channel").run()
    assert not at.exception
    assert table(at)["channel"].unique().tolist() == ["(not set)", "affiliate", "email", "paid"]
    assert len(at.get("vega_lite_chart")) == 4        # plus the average curve per channel


def test_view_from_the_url_and_customer_export(data_dir):
    seed_store(data_dir)
    at = cohorts_page({"cmetric": "Orders", "cmode": "Rolling", "cby": "category"})
    df = table(at)
    assert df[df["category"] == "Apparel"]["orders"].tolist() == ["2", "1", "1", "2", "0"]
    at.selectbox(key="export_cohort").select_index(0).run()
    assert not at.exception
    assert "1 customer · revenue so far $17.00" in texts(at)      # dan: first order SKU C, no category
    assert any(b.label == "Export customers as CSV" for b in at.get("download_button"))
