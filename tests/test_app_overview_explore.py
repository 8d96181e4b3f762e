"""AppTest for the Overview and Explore pages, on an empty warehouse and on the small store of test_kpis."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

import lib.ui.widgets.controls  # noqa: F401 - installs the old-link aliases (channel=web), as lib.ui.app.serve does for the app
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.kpi_store import load_store
from tests.support.paths import ROOT


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    monkeypatch.setenv("SHOPCAST_CURRENCY", "USD")
    return tmp_path


@pytest.fixture
def store(data_dir):
    wh = load_store(Warehouse.open(settings=Settings.from_env()))
    yield wh


def page(path: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(path)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def tiles(at) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


@pytest.mark.parametrize("path", ["pages/overview_page.py", "pages/explore_page.py"])
def test_empty_warehouse_points_to_the_data_page(data_dir, path):
    at = page(path)
    assert "No orders loaded yet" in texts(at)
    assert not at.error


def test_overview_tiles_for_a_custom_range(store):
    # the store's P (2026-03-01 .. 03-07) against the previous 7 days; values as in tests/test_kpis.py
    at = page("pages/overview_page.py", range="Custom", **{"from": "2026-03-01", "to": "2026-03-07"})
    t = tiles(at)
    assert t["Revenue"] == ("$138.00", "+38.0%")          # 138 vs 100
    assert t["Orders"] == ("5", "+150.0%")                # 5 vs 2
    assert t["Units"] == ("11", "+83.3%")                 # 11 vs 6
    assert t["Average order value"] == ("$27.60", "-44.8%")   # 27.6 vs 50
    assert t["Returns"] == ("$10.00", "new")              # nothing returned before
    assert t["Customers"] == ("4", "+100.0%")
    assert t["New customers"] == ("2", "+0.0%")
    assert t["Returning customers"] == ("2", "new")
    assert t["Returning-customer rate"] == ("50.0%", "+50.0 pts")
    assert t["Sessions"] == ("4", "+300.0%")
    assert t["Conversion rate"] == ("50.0%", "-50.0 pts")    # 2/4 vs 1/1
    assert t["Gross margin"] == ("$71.00", "+18.3%")         # 71 vs 60
    assert t["Gross margin %"] == ("57.7%", "-2.3 pts")      # 71/123 vs 60/100
    color = {m.label: m.proto.color for m in at.metric}
    assert color["Returns"] == MetricProto.MetricColor.RED          # more returns is bad (inverse)
    assert color["Revenue"] == MetricProto.MetricColor.GREEN
    body = texts(at)
    assert "Gross margin covers 89% of revenue: 1 order line" in body
    assert "Compared with Feb 22, 2026 – Feb 28, 2026" in body
    assert "2 promotions" in body


def test_overview_breakdowns_show_the_comparison_period_in_a_table(store):
    # P (Mar 01..07) against C (Feb 22..28): web 73 vs 20, email 55 vs 80, sms 10 vs 0 (tests/test_kpis.py)
    at = page("pages/overview_page.py", range="Custom", **{"from": "2026-03-01", "to": "2026-03-07"})
    frames = [d.value for d in at.dataframe]
    ch = next(f for f in frames if "Channel" in f.columns and "Share" in f.columns)
    assert ch.columns.tolist() == ["Channel", "Revenue", "Comparison revenue", "Change", "Change %", "Share", "Orders",
                                   "Units"]
    assert ch["Channel"].tolist() == ["Web", "Email", "SMS"]            # words, not keys
    assert ch[["Revenue", "Comparison revenue", "Change"]].to_numpy().ravel().tolist() == pytest.approx(
        [73.0, 20.0, 53.0, 55.0, 80.0, -25.0, 10.0, 0.0, 10.0])
    assert ch["Change %"].iloc[0] == pytest.approx(53 / 20) and pd.isna(ch["Change %"].iloc[2])   # numbers, fractions
    cat = next(f for f in frames if "Category" in f.columns and "Share" in f.columns)
    assert cat["Category"].tolist() == ["Mugs", "Tees", "(unknown)"]
    assert cat["Comparison revenue"].tolist() == pytest.approx([20.0, 80.0, 0.0])
    skus = next(f for f in frames if "SKU" in f.columns)
    # movers: A +43 (Mug), Z +15 (no product row), B -20 (Tee): SKU codes with product names beside them
    assert skus[["SKU", "Product"]].fillna("").values.tolist() == [["A", "Mug"], ["Z", ""], ["B", "Tee"]]
    assert skus["Change %"].iloc[2] == pytest.approx(-0.25)
    # the files say what is in them: the range and the comparison range (button help: "Download <file> as CSV")
    helps = [b.proto.help for b in at.get("download_button")]
    assert "Download revenue-by-channel_2026-03-01_to_2026-03-07_vs_2026-02-22_to_2026-02-28 as XLSX" in helps, helps


def test_last_month_is_compared_with_the_calendar_month_before(store):
    # the data's last day is Mar 08: Last month = Feb 01..28 (o1 20 + o2 80; o9 cancelled), against January
    at = page("pages/overview_page.py", range="Last month")
    body = texts(at)
    assert "Feb 01, 2026 – Feb 28, 2026" in body and "Compared with Jan 01, 2026 – Jan 31, 2026." in body
    assert tiles(at)["Revenue"] == ("$100.00", "new")
    at.selectbox(key="range").select("this_month").run()             # Mar 01..08: 138 + o8 20
    # the month so far is not a whole month: the 8 days before (Feb 21..28)
    assert tiles(at)["Revenue"][0] == "$158.00" and "Compared with Feb 21, 2026 – Feb 28, 2026." in texts(at)
    at.selectbox(key="range").select("previous_month").run()         # January: nothing
    assert "No orders in Jan 01, 2026 – Jan 31, 2026" in texts(at)


def test_overview_widgets_change_the_view(store):
    at = page("pages/overview_page.py")
    assert not at.exception
    # default: last 30 days ending at the latest order (03-08): Feb 07 .. Mar 08, everything but o9/o5
    assert tiles(at)["Revenue"][0] == "$258.00"     # 20 + 80 + 138 + 20 (o8 on 03-08)
    at.selectbox(key="range").select("last_7").run()      # Mar 02 .. Mar 08: 55 + 10 - 10 + 38 + 20
    assert not at.exception
    assert tiles(at)["Revenue"][0] == "$113.00"
    at.selectbox(key="compare").select("none").run()
    assert not at.exception and not tiles(at)["Revenue"][1]
    assert "Pick a comparison period" in texts(at)
    at.selectbox(key="compare").select("previous_year").run()
    assert not at.exception
    at.segmented_control(key="grain").set_value("week").run()
    assert not at.exception
    at.selectbox(key="trend").select("conversion_rate").run()
    assert not at.exception
    at.multiselect(key="channel").select("web").run()     # web in Mar 02..08: -10 + 38 + 20
    assert not at.exception and tiles(at)["Revenue"][0] == "$48.00"


def test_overview_what_changed_reads_the_hand_computed_split(store):
    # P against the previous 7 days C (tests/test_change.py computes every figure by hand): revenue 100 -> 138;
    # sessions 1 -> 4 (+193.35), orders per session 2 -> 1.25 (-68.55), AOV 50 -> 27.6 (-86.80)
    at = page("pages/overview_page.py", range="Custom", **{"from": "2026-03-01", "to": "2026-03-07"})
    assert at.code[0].value == (          # the copy-friendly block (the share links come after it)
        "Revenue rose $38.00 (+38.0%) from 22–28 Feb to 1–7 Mar: more sessions added $193.35, fewer orders per "
        "session took away $68.55, and a lower average order value $86.80. Web drove most of it (+$53.00).")
    steps = next(d.value for d in at.dataframe if "Running revenue" in d.value.columns)
    assert steps.values.tolist() == [["22–28 Feb", 100.0, 100.0], ["Sessions", 193.35, 293.35],
                                     ["Orders per session", -68.55, 224.8], ["Average order value", -86.8, 138.0],
                                     ["1–7 Mar", 138.0, 138.0]]
    segs = next(d.value for d in at.dataframe if "Mix" in d.value.columns)
    assert segs[["Channel", "Change", "Volume", "Mix", "Price"]].values.tolist() == [
        ["Web", 53.0, 20.0, 40.0, -7.0], ["Email", -25.0, 80.0, -100.0, -5.0], ["SMS", 10.0, 0.0, 10.0, 0.0]]
    assert "Not enough history to tell unusual days" in texts(at)      # the store has one week before P
    # split by category (a URL key); without a comparison the previous 7 days are the baseline all the same
    at.selectbox(key="compare").select("none").run()
    at.button_group(key="wc_by").set_value("category").run()
    assert at.code[0].value.endswith("Mugs drove most of it (+$43.00).")
    assert "193.35" in at.code[0].value
    assert "the previous period of equal length" in texts(at)


def test_overview_marks_the_planted_unusual_days(data_dir):
    # tests/support/anomaly_store: a $200 email spike on Wed 03-04 (usual $40) and a missing web order on Tue 03-10
    # (usual $30): both flagged, in the section's list and on the daily trend
    from tests.support import anomaly_store

    anomaly_store.load(Warehouse.open(settings=Settings.from_env()), planted=True)
    at = page("pages/overview_page.py", range="Custom", **{"from": "2026-03-01", "to": "2026-03-14"})
    body = texts(at)
    assert "2 unusual days marked on the trend" in body
    assert ("- **Wed Mar 04**: $240.00 against a usual $40.00 (spike); Email +$200.00\n"
            "- **Tue Mar 10**: $10.00 against a usual $30.00 (dip); Web −$20.00") in body


def test_overview_range_without_orders_names_the_data_span(store):
    at = page("pages/overview_page.py", range="Custom", **{"from": "2025-06-01", "to": "2025-06-30"})
    body = texts(at)
    assert "No orders in Jun 01, 2025 – Jun 30, 2025" in body
    assert "covers Feb 20, 2026 – Mar 08, 2026" in body


def test_explore_table_and_controls(store):
    at = page("pages/explore_page.py", metric="Revenue", dim="Channel", xgrain="Total", range="Custom",
              **{"from": "2026-03-01", "to": "2026-03-07"})
    table = at.dataframe[0].value
    # columns named as on screen, channels in words, the values numbers
    assert table.columns.tolist() == ["Channel", "Revenue"]
    assert dict(zip(table["Channel"], table["Revenue"], strict=True)) == {"Email": 55.0, "SMS": 10.0, "Web": 73.0}
    assert {"CSV", "XLSX"} <= {b.label for b in at.get("download_button")}
    helps = [b.proto.help for b in at.get("download_button")]
    assert "Download revenue-by-channel-per-total_2026-03-01_to_2026-03-07 as CSV" in helps, helps
    assert "Device, Landing page" in texts(at)                # why those splits are not offered
    at.selectbox(key="metric").select("conversion_rate").run()
    assert not at.exception
    assert at.selectbox(key="dim").options == ["No split", "Channel", "Device", "Landing page"]
    at.selectbox(key="dim").select("device").run()
    table = at.dataframe[0].value
    assert dict(zip(table["Device"], table["Conversion rate"], strict=True)) == pytest.approx({"Desktop": 1.0,
                                                                                                 "Mobile": 1 / 3})
    at.segmented_control(key="xgrain").set_value("day").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 14                   # 7 days x 2 devices, zero-filled
    assert at.dataframe[0].value.columns.tolist() == ["Day", "Device", "Conversion rate"]


def test_explore_revenue_by_category_by_week_for_one_channel(store):
    # web only, Mar 01..07 by week (Mondays): week of Feb 23 holds Mar 01 (o3: A 25 Mugs, B 20 Tees); week of
    # Mar 02: o6 return A -10 and o7 A 38 (Mugs 28); no Tees. A filtered link names the filters in its files
    at = page("pages/explore_page.py", metric="Revenue", dim="Category", xgrain="Week", range="Custom",
              channel="web", **{"from": "2026-03-01", "to": "2026-03-07"})
    table = at.dataframe[0].value
    assert table.columns.tolist() == ["Week (from Monday)", "Category", "Revenue"]
    got = {(str(w), c): v for w, c, v in table.itertuples(index=False)}
    assert got == {("2026-02-23", "Mugs"): 25.0, ("2026-02-23", "Tees"): 20.0,
                   ("2026-03-02", "Mugs"): 28.0, ("2026-03-02", "Tees"): 0.0}
    assert "Total in this table: $73.00 (4 rows)." in texts(at)          # web's 25 + 20 - 10 + 38
    helps = [b.proto.help for b in at.get("download_button")]
    assert "Download revenue-by-category-per-week_2026-03-01_to_2026-03-07_channel-web as XLSX" in helps, helps
    at.selectbox(key="dim").select("sku").run()
    skus = at.dataframe[0].value
    assert skus.columns.tolist() == ["Week (from Monday)", "SKU", "Product", "Revenue"]
    assert sorted(set(zip(skus["SKU"], skus["Product"], strict=True))) == [("A", "Mug"), ("B", "Tee")]


def test_explore_bad_url_values_fall_back(store):
    at = page("pages/explore_page.py", metric="revenue; DROP TABLE orders", dim="nonsense")
    assert not at.exception and not at.error
    assert at.selectbox(key="metric").value == "revenue"
