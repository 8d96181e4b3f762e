"""AppTest for the Funnel page: a seven-session store whose numbers are worked out by hand below.

    session  customer  channel   device   events (2026-01-05, UTC)
    s1       c1        email     mobile   page_view 10:00, view_item 10:01, add_to_cart 10:02 (A),
                                          begin_checkout 10:05, purchase 10:40            -> 5 steps (40 min)
    s2       c2        email     desktop  page_view 11:00, view_item 11:02, add_to_cart 11:03 (B) -> 3
    s3       c3        paid      mobile   page_view 12:00, view_item 12:01                 -> 2
    s4       (anon)    paid      desktop  page_view 13:00                                   -> 1
    s5       @c5       organic   mobile   page_view 14:00, view_item 14:01, add_to_cart 14:02 (B),
                                          add_to_cart 14:03 (A), begin_checkout 14:10      -> 4 (strict: 3)
    s6       c6        (none)    desktop  page_view 15:00, view_item 15:05, add_to_cart 15:06 (B),
                                          begin_checkout 15:08, purchase 15:20            -> 5 steps (20 min)
    s7       c2        email     desktop  page_view 16:00, view_item 16:01                 -> 2

Orders: o1 (c1) 1 × A at $30, o2 (c6) 2 × B at $10: average order value $25.
Products: A $30, B $10 (list prices: the audience's cart value).
"""
from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from lib import exports
from lib.settings import Settings
from lib.ui import funnel_parts
from lib.warehouse import Warehouse
from tests.conftest import ROOT

T0 = datetime(2026, 1, 6, 9, 0)
AS_OF = date(2026, 1, 6)
SESSIONS = {  # session: (customer, channel, device, [(time, event, sku)])
    "s1": ("c1", "email", "mobile", [("10:00", "page_view", None), ("10:01", "view_item", "A"),
                                     ("10:02", "add_to_cart", "A"), ("10:05", "begin_checkout", None),
                                     ("10:40", "purchase", None)]),
    "s2": ("c2", "email", "desktop", [("11:00", "page_view", None), ("11:02", "view_item", "B"),
                                      ("11:03", "add_to_cart", "B")]),
    "s3": ("c3", "paid", "mobile", [("12:00", "page_view", None), ("12:01", "view_item", "A")]),
    "s4": (None, "paid", "desktop", [("13:00", "page_view", None)]),
    "s5": ("@c5", "organic", "mobile", [("14:00", "page_view", None), ("14:01", "view_item", "B"),
                                        ("14:02", "add_to_cart", "B"), ("14:03", "add_to_cart", "A"),
                                        ("14:10", "begin_checkout", None)]),
    "s6": ("c6", None, "desktop", [("15:00", "page_view", None), ("15:05", "view_item", "B"),
                                   ("15:06", "add_to_cart", "B"), ("15:08", "begin_checkout", None),
                                   ("15:20", "purchase", None)]),
    "s7": ("c2", "email", "desktop", [("16:00", "page_view", None), ("16:01", "view_item", "A")]),
}
STEPS = ["1 · page_view", "2 · view_item", "3 · add_to_cart", "4 · begin_checkout", "5 · purchase"]


def events_frame() -> pd.DataFrame:
    rows = [{"session_id": sid, "event_at": f"2026-01-05 {t}", "event": ev, "customer_id": cust, "channel": ch,
             "device": dev, "sku": sku}
            for sid, (cust, ch, dev, evs) in SESSIONS.items() for t, ev, sku in evs]
    return pd.DataFrame(rows)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    return tmp_path


def seed_store(data_dir) -> None:
    wh = Warehouse.open(settings=Settings.from_env())
    seed_rows(wh)
    wh.dispose()


def seed_rows(wh) -> None:
    """Load the products, orders and events of the seven-session store into `wh`."""
    wh.load("products", pd.DataFrame({"sku": ["A", "B"], "name": ["Apron", "Bowl"], "category": ["Home", "Home"],
                                      "unit_cost": [12.0, 4.0], "price": [30.0, 10.0]}),
            source="upload:products.csv", as_of=AS_OF, now=T0)
    wh.load("orders", pd.DataFrame({"order_id": ["o1", "o2"], "ordered_at": ["2026-01-05 10:40", "2026-01-05 15:20"],
                                    "customer_id": ["c1", "c6"], "sku": ["A", "B"], "quantity": [1, 2],
                                    "unit_price": [30.0, 10.0]}),
            source="upload:orders.csv", as_of=AS_OF, now=T0)
    wh.load("events", events_frame(), source="upload:events.csv", as_of=AS_OF, now=T0)


def funnel_page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/funnel_page.py")
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [i.value for i in at.info]
    parts += [e.value for e in at.error] + [t.value for t in at.title] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frames(at) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def steps_table(at) -> pd.DataFrame:
    return frames(at)[0]


def dropoff_table(at) -> pd.DataFrame:
    return next(f for f in frames(at) if "drop rate" in f.columns)


def test_empty_state_points_to_the_data_page(data_dir):
    at = funnel_page()
    assert at.title[0].value == "Funnel"
    assert "No web events loaded yet" in texts(at)
    assert not at.dataframe and not at.error


def test_loaded_store_shows_the_funnel_dropoff_and_trend(data_dir):
    seed_store(data_dir)
    at = funnel_page()
    m = metrics(at)
    assert m["Sessions entering"] == "7"
    assert m["Sessions completing"] == "2"
    assert m["Overall conversion"] == "28.6%"
    assert m["Median time to convert"] == "30m 00s"       # s6 20 min, s1 40 min: median 30 min
    df = steps_table(at)                                    # compared with Dec 7 – Jan 4: no events there
    assert df["step"].tolist() == STEPS
    assert df["This range · entered"].tolist() == ["7", "6", "4", "3", "2"]
    assert df["This range · from step 1"].tolist() == ["100.0%", "85.7%", "57.1%", "42.9%", "28.6%"]
    assert df["This range · from previous"].tolist() == ["100.0%", "85.7%", "66.7%", "75.0%", "66.7%"]
    # median time from the previous step: view_item 1,2,1,1,5,1 min -> 1m; add_to_cart 1,1,1,1 -> 1m;
    # begin_checkout 3 (s1), 8 (s5: from its first cart event, 14:02), 2 (s6) -> 3m; purchase 35, 12 -> 23.5m
    assert df["This range · median time"].tolist() == ["–", "1m 00s", "1m 00s", "3m 00s", "23m 30s"]
    assert df["Compared range · entered"].tolist() == ["0", "0", "0", "0", "0"]
    drop = dropoff_table(at)
    assert drop["dropped"].tolist() == ["1", "2", "1", "1", "–"]
    assert drop["drop rate"].tolist() == ["14.3%", "33.3%", "25.0%", "33.3%", "–"]
    # dropped × (completed / entered the step) × $25 average order value: 1 × 2/7, 2 × 2/6, 1 × 2/4, 1 × 2/3
    assert drop["revenue at stake"].tolist() == ["$7.14", "$16.67", "$12.50", "$16.67", "–"]
    body = texts(at)
    assert "average order value ($25.00" in body
    assert "no step shows more than the funnel's own 2 completions are worth ($50.00)" in body
    assert "Dec 07, 2025 – Jan 05, 2026 · Data through Jan 05, 2026" in body
    assert "2 sessions reached purchase" in body
    assert len(at.get("vega_lite_chart")) == 3              # funnel, trend, time to convert


def test_order_unit_window_and_breakdown_widgets(data_dir):
    seed_store(data_dir)
    at = funnel_page()
    at.segmented_control(key="order").set_value("strict").run()
    assert not at.exception
    # s5: the step after add_to_cart 14:02 is another add_to_cart, not begin_checkout
    assert steps_table(at)["This range · entered"].tolist() == ["7", "6", "4", "2", "2"]
    at.segmented_control(key="order").set_value("sequential").run()
    at.selectbox(key="window").set_value("30 min").run()
    assert not at.exception
    # s1 purchased 40 minutes after its page view
    assert steps_table(at)["This range · entered"].tolist() == ["7", "6", "4", "3", "1"]
    at.selectbox(key="window").set_value("1 day").run()
    at.segmented_control(key="unit").set_value("user").run()
    assert not at.exception
    # c2's two sessions are one person; the anonymous s4 stays one unit
    assert metrics(at)["Users entering"] == "6"
    assert steps_table(at)["This range · entered"].tolist() == ["6", "5", "4", "3", "2"]
    at.segmented_control(key="unit").set_value("session").run()
    at.selectbox(key="by").set_value("channel").run()
    assert not at.exception
    seg = frames(at)[1]
    assert seg.columns[:3].tolist() == ["step", "email · entered", "email · from step 1"]
    assert seg["email · entered"].tolist() == ["3", "3", "2", "1", "1"]
    assert seg["paid · entered"].tolist() == ["2", "1", "0", "0", "0"]
    assert seg["(not set) · entered"].tolist() == ["1", "1", "1", "1", "1"]
    assert seg["organic · entered"].tolist() == ["1", "1", "1", "1", "0"]
    assert len(at.get("vega_lite_chart")) == 4              # plus the segment bars
    at.segmented_control(key="order").set_value("any").run()
    at.segmented_control(key="grain").set_value("week").run()
    at.segmented_control(key="ttc_from").set_value("Previous step").run()
    assert not at.exception and not at.error


def test_other_steps_and_no_comparison(data_dir):
    seed_store(data_dir)
    at = funnel_page()
    at.selectbox(key="compare").set_value("none").run()
    at.multiselect(key="steps").set_value(["page_view", "add_to_cart"]).run()
    assert not at.exception
    df = steps_table(at)
    assert df.columns.tolist() == ["step", "entered", "from step 1", "from previous", "median time"]
    assert df["entered"].tolist() == ["7", "4"]                      # s1, s2, s5, s6 added to cart
    assert df["median time"].tolist() == ["–", "2m 30s"]             # 2, 3, 2, 6 minutes: (2 + 3) / 2
    drop = dropoff_table(at)
    assert drop.columns.tolist() == ["step", "entered", "dropped", "drop rate"]
    assert drop["drop rate"].tolist() == ["42.9%", "–"]
    assert "The value at stake needs purchase as the last step" in texts(at)
    at.multiselect(key="steps").set_value(["page_view"]).run()
    assert not at.exception
    assert metrics(at)["Overall conversion"] == "100.0%"
    at.multiselect(key="steps").set_value([]).run()
    assert "Pick at least one step" in texts(at)


def test_segment_filter_from_the_url_applies_and_can_be_removed(data_dir):
    seed_store(data_dir)
    at = funnel_page({"seg": "channel:email", "by": "Device"})
    assert metrics(at)["Sessions entering"] == "3"
    assert steps_table(at)["This range · entered"].tolist() == ["3", "3", "2", "1", "1"]
    seg = frames(at)[1]
    assert seg["desktop · entered"].tolist() == ["2", "2", "1", "0", "0"]   # s2, s7
    assert seg["mobile · entered"].tolist() == ["1", "1", "1", "1", "1"]    # s1
    chip = next(b for b in at.button if b.label.startswith("Segment:"))
    assert chip.label == "Segment: channel = email ✕"
    chip.click().run()
    assert not at.exception
    assert metrics(at)["Sessions entering"] == "7"
    assert not [b for b in at.button if b.label.startswith("Segment:")]


def test_bad_url_values_are_ignored(data_dir):
    seed_store(data_dir)
    at = funnel_page({"seg": ["nonsense:x", "channel:"], "order": "drop table", "window": "9 years"})
    assert metrics(at)["Sessions entering"] == "7"
    assert not at.error


def test_empty_range_names_the_data_span(data_dir):
    seed_store(data_dir)
    at = funnel_page()
    at.selectbox(key="range").set_value("custom").run()
    at.date_input(key="from").set_value(date(2025, 6, 1)).run()
    at.date_input(key="to").set_value(date(2025, 6, 30)).run()
    assert not at.exception
    body = texts(at)
    assert "No sessions reached page_view in Jun 01, 2025 – Jun 30, 2025" in body
    assert "The loaded events cover Jan 05, 2026 – Jan 05, 2026" in body


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The files handed to st.download_button, by file name (AppTest's media storage is per run)."""
    files: dict[str, bytes] = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return real(self, path_or_data, mimetype, kind, filename)
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    deferred = MediaFileManager.add_deferred

    def make_now(self, data_callable, mimetype, coordinates, file_name=None, **kw):   # built only on click
        if file_name:
            files[file_name] = data_callable()
        return deferred(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)
    monkeypatch.setattr(MediaFileManager, "add_deferred", make_now)
    return files


def test_audience_csv_lists_abandoned_customers(data_dir, downloads):
    seed_store(data_dir)
    at = funnel_page()
    assert "**2** identified customers reached add_to_cart" in texts(at)
    assert any(b.label == "Download the audience as CSV" for b in at.get("download_button"))
    csv = pd.read_csv(io.BytesIO(downloads["funnel-audience-add_to_cart-2025-12-07-2026-01-05.csv"]), dtype=str)
    assert csv["customer_id"].tolist() == ["'@c5", "c2"]           # '@' neutralised for spreadsheets
    assert csv["last_step"].tolist() == ["begin_checkout", "add_to_cart"]
    assert csv["last_step_at"].tolist() == ["2026-01-05 14:10:00", "2026-01-05 11:03:00"]
    assert csv["cart_value"].astype(float).tolist() == [40.0, 10.0]
    at.selectbox(key="aud").set_value("4 · begin_checkout").run()
    assert "**1** identified customer reached begin_checkout" in texts(at)


def test_csv_safe_and_chart_selection_helpers():
    assert [exports.csv_safe(v) for v in ["=1+1", "+x", "-2", "@a", "\tb", "\rc", "ok", 5]] == \
        ["'=1+1", "'+x", "'-2", "'@a", "'\tb", "'\rc", "ok", 5]
    event = {"selection": {"segment": [{"channel": "email", "step_label": "1 · page_view"}]}}
    assert funnel_parts.selected_values(event, "segment", "channel") == ["email"]
    assert funnel_parts.selected_values({"selection": {"segment": []}}, "segment", "channel") == []
    assert funnel_parts.selected_values({"selection": {}}, "segment", "channel") == []
    assert funnel_parts.parse_segments(["channel:email", "landing_page:https://x/y", "bad:z", "device:"]) == \
        {"channel": "email", "landing_page": "https://x/y"}
