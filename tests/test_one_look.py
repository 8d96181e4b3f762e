"""One look across pages (issue 21, point 10): a channel keeps its colour on the Overview, Cohorts and Explore
charts, and no option on those pages shows a raw key (none, channel, category, paid_search, monthly...).

Colours are read from the chart specs the pages' builders make; options from AppTest runs of the three
pages over the small store of tests/test_kpis.py with its channels renamed to paid_search / email / tiktok.
"""
from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import lib.ui.widgets.controls  # noqa: F401 - old-link aliases, as lib.ui.app.serve installs them for the app
from lib.charts import cohorts as cohort_charts
from lib.charts import explore as explore_charts
from lib.charts import overview as overview_charts
from lib.charts.common import KNOWN_SEGMENTS
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.kpi_store import EVENTS, ORDERS, PRODUCTS, PROMOTIONS
from tests.support.paths import ROOT

CHANNELS = ["paid_search", "email", "tiktok"]          # a known channel, another, and one without a fixed colour
RAW_KEYS = {"none", "channel", "category", "sku", "supplier", "device", "landing_page", "paid_search", "monthly",
            "weekly", "customers", "orders", "revenue", "standard", "rolling", "cumulative", "total", "custom",
            "last_30", "previous_period", "tiktok", "web", "sms"}


def _scale(spec: dict) -> dict[str, str]:
    """value -> colour of the colour encoding of a (possibly layered/concatenated) spec."""
    out = {}
    for part in [spec, *spec.get("layer", []), *spec.get("vconcat", []), *spec.get("hconcat", [])]:
        color = part.get("encoding", {}).get("color", {})
        scale = color.get("scale", {})
        if "domain" in scale and "range" in scale:
            out.update(zip(scale["domain"], scale["range"], strict=True))
    return out


def _colour_of(scale: dict[str, str], channel: str) -> str:
    """A channel's colour, whether the chart names it by key (paid_search) or in words (Paid search)."""
    words = {"paid_search": "Paid search", "email": "Email", "tiktok": "Tiktok"}[channel]
    hits = {scale[k] for k in (channel, words) if k in scale}
    assert len(hits) == 1, (channel, scale)
    return hits.pop()


def test_a_channel_has_one_colour_on_the_overview_cohorts_and_explore_charts():
    by_channel = pd.DataFrame({"channel": CHANNELS, "revenue": [70.0, 20.0, 10.0], "previous": [50.0, 30.0, 5.0],
                               "change": [20.0, -10.0, 5.0], "change_pct": [0.4, -1 / 3, 1.0],
                               "share": [0.7, 0.2, 0.1], "orders": [7, 2, 1], "units": [9, 2, 1]})
    overview = overview_charts.breakdown_bars(by_channel, "channel", "Channel",
                                              labels={"paid_search": "Paid search", "email": "Email",
                                                      "tiktok": "Tiktok"}).to_dict()
    avg = pd.DataFrame({"channel": [c for c in CHANNELS for _ in range(2)], "period": [0, 1] * 3,
                        "rate": [1.0, 0.2, 1.0, 0.3, 1.0, 0.1]})
    cohorts = cohort_charts.compare_curves(avg, "channel", "customers", "month", title="Acquisition channel").to_dict()
    weeks = pd.date_range("2026-11-02", periods=2, freq="W-MON")
    series = pd.DataFrame({"period": [w for w in weeks for _ in CHANNELS], "channel": CHANNELS * 2,
                           "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    explore_lines = explore_charts.lines_chart(series, "channel", "Revenue", "money", "Channel").to_dict()
    explore_bars = explore_charts.bars_chart(series.groupby("channel", as_index=False)["value"].sum(), "channel",
                                             "Revenue", "money", "Channel").to_dict()
    specs = {"overview": overview, "cohorts": cohorts, "explore lines": explore_lines, "explore bars": explore_bars}
    for channel in CHANNELS:
        colours = {page: _colour_of(_scale(spec), channel) for page, spec in specs.items()}
        assert len(set(colours.values())) == 1, (channel, colours)
    assert _colour_of(_scale(overview), "paid_search") == KNOWN_SEGMENTS["paid_search"]
    assert _colour_of(_scale(cohorts), "email") == KNOWN_SEGMENTS["email"]
    # and the legend/axis read words, not keys
    assert set(_scale(cohorts)) == {"Paid search", "Email", "Tiktok"}
    assert set(_scale(explore_lines)) == {"Paid search", "Email", "Tiktok"}


# -- option labels on the pages ---------------------------------------------------------------------------
@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    monkeypatch.setenv("SHOPCAST_CURRENCY", "USD")
    rename = {"web": "paid_search", "sms": "tiktok"}
    wh = Warehouse.open(settings=Settings.from_env())
    wh.load("products", PRODUCTS, source="test:products")
    wh.load("orders", ORDERS.assign(channel=ORDERS["channel"].replace(rename)), source="test:orders")
    wh.load("events", EVENTS.assign(channel=EVENTS["channel"].replace(rename)), source="test:events")
    wh.load("promotions", PROMOTIONS, source="test:promotions")
    wh.dispose()
    return date(2026, 3, 8)


def _run(path: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(path)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _labels(at) -> dict[str, list[str]]:
    """Every option label of the page's selectboxes, multiselects and segmented controls, by widget label."""
    out = {}
    for kind in ("selectbox", "multiselect", "button_group"):
        for w in at.get(kind):
            if kind == "button_group":
                opts = [o.content for o in w.proto.options]
            else:
                opts = list(w.proto.options)
            out[w.proto.label] = opts
    return out


def _raw(label: str) -> bool:
    return label in RAW_KEYS or bool(re.fullmatch(r"[a-z]+(_[a-z]+)+", label))


@pytest.mark.parametrize(("path", "params"), [
    ("pages/overview_page.py", {}),
    ("pages/cohorts_page.py", {"cby": "channel"}),
    ("pages/cohorts_page.py", {"cby": "category", "cmetric": "Revenue"}),
    ("pages/explore_page.py", {"dim": "Channel", "xgrain": "Total"}),
])
def test_no_option_label_on_my_pages_is_a_raw_key(store, path, params):
    at = _run(path, **params)
    labels = _labels(at)
    assert {"Date range", "Channels"} <= set(labels) or {"Date range", "Metric"} <= set(labels), labels
    raw = {name: [o for o in opts if _raw(o)] for name, opts in labels.items()}
    assert not any(raw.values()), raw
    if "Channels" in labels:
        assert {"Paid search", "Email", "Tiktok"} <= set(labels["Channels"]), labels["Channels"]
    if path.endswith("overview_page.py"):
        assert labels["Grain"] == ["Day", "Week", "Month"] and "Last month" in labels["Date range"]
    if path.endswith("cohorts_page.py"):
        assert labels["Breakdown"] == ["No breakdown", "Acquisition channel", "First category"]
        assert labels["Cohorts by"] == ["Monthly", "Weekly"]
    if params.get("cby") == "channel":
        assert set(labels["Cohorts shown for acquisition channel"]) == {"Paid search", "Email", "Tiktok"}
    table = at.dataframe[0].value if at.dataframe else None
    if path.endswith("explore_page.py"):
        assert set(table["Channel"]) == {"Paid search", "Email", "Tiktok"}
