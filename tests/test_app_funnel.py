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
from datetime import date

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from lib import exports
from lib.funnel import display as funnel_display
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.funnel_store import AS_OF, T0, events_frame, seed_rows
from tests.support.paths import ROOT

STEPS = ["1 · page_view", "2 · view_item", "3 · add_to_cart", "4 · begin_checkout", "5 · purchase"]


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
    assert df["This range · entered"].tolist() == [7, 6, 4, 3, 2]
    # rates in percent on screen (the files hold fractions)
    assert df["This range · from step 1"].tolist() == pytest.approx([100, 600 / 7, 400 / 7, 300 / 7, 200 / 7])
    assert df["This range · from previous"].tolist() == pytest.approx([100, 600 / 7, 400 / 6, 75, 200 / 3])
    # median time from the previous step: view_item 1,2,1,1,5,1 min -> 1m; add_to_cart 1,1,1,1 -> 1m;
    # begin_checkout 3 (s1), 8 (s5: from its first cart event, 14:02), 2 (s6) -> 3m; purchase 35, 12 -> 23.5m
    assert df["This range · median time"].tolist() == ["–", "1m 00s", "1m 00s", "3m 00s", "23m 30s"]
    assert df["Compared range · entered"].tolist() == [0, 0, 0, 0, 0]
    drop = dropoff_table(at)                                # no row for the last step: nobody drops after it
    assert drop["dropped"].tolist() == [1, 2, 1, 1]
    assert drop["drop rate"].tolist() == pytest.approx([100 / 7, 100 * 2 / 6, 25, 100 / 3])
    # dropped × (completed / entered the step) × $25 average order value: 1 × 2/7, 2 × 2/6, 1 × 2/4, 1 × 2/3
    assert drop["revenue at stake"].tolist() == pytest.approx([50 / 7, 50 / 3, 12.5, 50 / 3])
    body = texts(at)
    # drop rates 1/7, 2/6, 1/4, 1/3: view_item ties begin_checkout at 33.3% and lost more sessions (2)
    assert "**Biggest drop:** 2 · view_item → 3 · add_to_cart: 33.3% of 6 sessions went no further (2)." in body
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
    assert steps_table(at)["This range · entered"].tolist() == [7, 6, 4, 2, 2]
    at.segmented_control(key="order").set_value("sequential").run()
    at.selectbox(key="window").set_value("30 min").run()
    assert not at.exception
    # s1 purchased 40 minutes after its page view
    assert steps_table(at)["This range · entered"].tolist() == [7, 6, 4, 3, 1]
    at.selectbox(key="window").set_value("1 day").run()
    at.segmented_control(key="unit").set_value("user").run()
    assert not at.exception
    # c2's two sessions are one person; the anonymous s4 stays one unit
    assert metrics(at)["Users entering"] == "6"
    assert steps_table(at)["This range · entered"].tolist() == [6, 5, 4, 3, 2]
    at.segmented_control(key="unit").set_value("session").run()
    at.selectbox(key="by").set_value("channel").run()
    assert not at.exception
    seg = frames(at)[1]                      # one row per channel and step, this range and the compared one
    assert seg.columns.tolist() == ["Channel", "step", "entered", "from step 1", "from previous", "median time",
                                    "compared · entered", "compared · from step 1", "from step 1 · change"]
    entered_by = seg.groupby("Channel", sort=False)["entered"].agg(list).to_dict()
    assert entered_by == {"Email": [3, 3, 2, 1, 1], "Paid": [2, 1, 0, 0, 0], "(not set)": [1, 1, 1, 1, 1],
                          "Organic": [1, 1, 1, 1, 0]}
    assert (seg["compared · entered"] == 0).all()
    # email 0, 1/3, 1/2, 0; paid 1/2, 1/1; organic 0, 0, 0, 1/1: paid's view_item and organic's checkout both
    # lost all of their one session; the earlier step is named
    assert "**Biggest drop:** Paid, 2 · view_item → 3 · add_to_cart: 100.0% of 1 session went no further (1)." \
        in texts(at)
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
    assert df["entered"].tolist() == [7, 4]                          # s1, s2, s5, s6 added to cart
    assert df["median time"].tolist() == ["–", "2m 30s"]             # 2, 3, 2, 6 minutes: (2 + 3) / 2
    drop = dropoff_table(at)
    assert drop.columns.tolist() == ["step", "entered", "dropped", "drop rate"]
    assert drop["drop rate"].tolist() == pytest.approx([300 / 7])
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
    assert steps_table(at)["This range · entered"].tolist() == [3, 3, 2, 1, 1]
    seg = frames(at)[1]
    entered_by = seg.groupby("Device", sort=False)["entered"].agg(list).to_dict()
    assert entered_by == {"Desktop": [2, 2, 1, 0, 0], "Mobile": [1, 1, 1, 1, 1]}   # s2, s7; s1
    chip = next(b for b in at.button if b.label.startswith("Segment:"))
    assert chip.label == "Segment: channel = Email ✕"                    # the value in words
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


STEM = "2025-12-07-2026-01-05-sessions-1-day-sequential"     # the default view's range and settings in file names


def test_audience_without_a_customers_feed_says_what_is_missing(data_dir, downloads):
    """c2 (s2) and @c5 (s5) reached add_to_cart without buying; c1 and c6 bought. No customers feed: the file
    holds their ids, and the page says it has no email addresses for an email tool."""
    seed_store(data_dir)
    at = funnel_page()
    body = texts(at)
    assert "**2** identified customers reached add_to_cart (or further) but not purchase" in body
    assert "**No email addresses to import.** No customers feed is loaded, so this file holds Customer ID, " \
           "Abandoned Step, Abandoned At and Cart Value only" in body
    assert any(b.label == "Download the audience as CSV (2 rows)" for b in at.get("download_button"))
    csv = pd.read_csv(io.BytesIO(downloads[f"funnel-audience-{STEM}-add_to_cart.csv"]), dtype=str)
    assert csv.columns.tolist() == ["Customer ID", "Abandoned Step", "Abandoned At", "Cart Value"]
    assert csv["Customer ID"].tolist() == ["'@c5", "c2"]           # '@' neutralised for spreadsheets
    assert csv["Abandoned Step"].tolist() == ["begin_checkout", "add_to_cart"]
    assert csv["Abandoned At"].tolist() == ["2026-01-05 14:10:00", "2026-01-05 11:03:00"]
    assert csv["Cart Value"].astype(float).tolist() == [40.0, 10.0]
    at.selectbox(key="aud").set_value("4 · begin_checkout").run()
    assert "**1** identified customer reached begin_checkout" in texts(at)


def seed_customers(data_dir) -> None:
    wh = Warehouse.open(settings=Settings.from_env())
    wh.load("customers", pd.DataFrame({
        "Customer ID": ["c1", "c2", "@c5", "c6"], "First Name": ["Ann", "Bob", "Eve", "Fay"],
        "Last Name": ["Ash", "Birch", "Elm", "Fir"], "Email": ["ann@shop.example", "Bob@Shop.example",
                                                               "eve@shop.example", "fay@shop.example"],
        "Accepts Email Marketing": ["yes", "yes", "no", "yes"], "Default Address Country Code": ["US", "GB", "FR", "US"],
    }).rename(columns={"Customer ID": "customer_id", "First Name": "first_name", "Last Name": "last_name",
                       "Email": "email", "Accepts Email Marketing": "accepts_marketing",
                       "Default Address Country Code": "country"}), source="upload:customers.csv", as_of=AS_OF, now=T0)
    wh.dispose()


def test_audience_with_a_customers_feed_is_an_email_list(data_dir, downloads):
    """With the customers feed: c2 (Bob, accepts marketing) and @c5 (Eve, does not). By default the file holds
    the people who accept email marketing, under the headers Klaviyo and Mailchimp import; switched off, Eve
    comes too, marked Never subscribed."""
    seed_store(data_dir)
    seed_customers(data_dir)
    at = funnel_page()
    body = texts(at)
    assert "2 of them have a valid email address in the customers feed, 1 accept email marketing." in body
    assert "Email Address, First Name, Last Name, Email Marketing Consent, Country" in body
    csv = pd.read_csv(io.BytesIO(downloads[f"funnel-audience-{STEM}-add_to_cart-subscribed.csv"]), dtype=str)
    assert csv.columns.tolist() == ["Email Address", "First Name", "Last Name", "Email Marketing Consent", "Country",
                                    "Customer ID", "Abandoned Step", "Abandoned At", "Cart Value"]
    assert csv.values.tolist() == [["bob@shop.example", "Bob", "Birch", "Subscribed", "GB", "c2", "add_to_cart",
                                    "2026-01-05 11:03:00", "10"]]
    at.toggle(key="aud_consent").set_value(False).run()
    assert not at.exception
    csv = pd.read_csv(io.BytesIO(downloads[f"funnel-audience-{STEM}-add_to_cart.csv"]), dtype=str)
    assert csv["Email Address"].tolist() == ["eve@shop.example", "bob@shop.example"]     # bigger cart first
    assert csv["Email Marketing Consent"].tolist() == ["Never subscribed", "Subscribed"]


def test_exports_hold_numbers_and_their_names_carry_the_view(data_dir, downloads):
    """Step, segment and drop-off tables download as numbers (counts, fractions, seconds, amounts) under file
    names that say the range, unit, window, order and segment; the XLSX cells carry count, percentage and
    currency formats."""
    import openpyxl

    seed_store(data_dir)
    at = funnel_page({"seg": "channel:email", "compare": "No comparison"})
    assert not at.exception
    name = f"funnel-steps-{STEM}-channel-email"
    steps = pd.read_csv(io.BytesIO(downloads[f"{name}.csv"]))
    assert steps.columns.tolist() == ["step", "entered", "from step 1", "from previous", "median time (s)"]
    assert steps["entered"].tolist() == [3, 3, 2, 1, 1]                      # s1, s2, s7; email only
    assert steps["from step 1"].tolist() == pytest.approx([1, 1, 2 / 3, 1 / 3, 1 / 3])
    assert steps["median time (s)"].tolist()[1:] == [60.0, 60.0, 180.0, 2100.0]   # s1: 35 min to purchase
    drop = pd.read_csv(io.BytesIO(downloads[f"funnel-dropoff-{STEM}-channel-email.csv"]))
    assert drop["revenue at stake"].tolist()[:4] == pytest.approx([0.0, 1 * 1 / 3 * 25, 1 * 1 / 2 * 25, 0.0])
    book = openpyxl.load_workbook(io.BytesIO(downloads[f"funnel-dropoff-{STEM}-channel-email.xlsx"]))
    ws = book.active
    head = [c.value for c in ws[1]]
    cell = {h: ws.cell(row=3, column=i + 1) for i, h in enumerate(head)}
    assert (cell["entered"].value, cell["entered"].number_format) == (3, "#,##0")
    assert cell["drop rate"].number_format == "0.0%" and cell["drop rate"].value == pytest.approx(1 / 3)
    assert cell["revenue at stake"].number_format == '"$"#,##0.00'
    assert cell["revenue at stake"].value == pytest.approx(25 / 3)


def test_a_zero_change_is_grey_without_an_arrow(data_dir):
    """The same seven sessions 30 days earlier: against the previous 30 days nothing changed, so the tiles'
    deltas are plain grey 0.0% / 0.0 pts (a -0.0 or +0.0 used to carry a red or green arrow)."""
    from streamlit.proto.Metric_pb2 import Metric as MetricProto

    seed_store(data_dir)
    wh = Warehouse.open(settings=Settings.from_env())
    ev = events_frame()
    early = ev.assign(session_id="old-" + ev["session_id"],
                      event_at=(pd.to_datetime(ev["event_at"]) - pd.Timedelta(days=30)).astype(str))
    wh.load("events", pd.concat([ev, early], ignore_index=True), source="upload:events.csv", as_of=AS_OF, now=T0)
    wh.dispose()
    at = funnel_page()
    tiles = {m.label: m for m in at.metric}
    for label in ("Sessions entering", "Sessions completing", "Overall conversion"):
        proto = tiles[label].proto
        assert proto.delta in ("0.0%", "0.0 pts"), (label, proto.delta)
        assert proto.color == MetricProto.MetricColor.GRAY, label
        assert proto.direction == MetricProto.MetricDirection.NONE, label


def test_breakdown_shows_the_compared_range_and_channels_in_words(data_dir):
    """By channel against the previous 30 days (the same sessions 30 days earlier, plus one more paid
    session then): each channel's rows carry the compared range's units and conversion, and the change."""
    seed_store(data_dir)
    wh = Warehouse.open(settings=Settings.from_env())
    ev = events_frame()
    early = ev.assign(session_id="old-" + ev["session_id"],
                      event_at=(pd.to_datetime(ev["event_at"]) - pd.Timedelta(days=30)).astype(str))
    extra = pd.DataFrame({"session_id": ["old-s8"], "event_at": ["2025-11-20 09:00"], "event": ["page_view"],
                          "channel": ["paid"], "device": ["mobile"]})
    wh.load("events", pd.concat([ev, early, extra], ignore_index=True), source="upload:events.csv", as_of=AS_OF,
            now=T0)
    wh.dispose()
    at = funnel_page({"by": "Channel"})
    assert [o for o in at.selectbox(key="by").options] == ["No breakdown", "Channel", "Device", "Landing page"]
    seg = frames(at)[1]
    paid = seg[seg["Channel"] == "Paid"]
    assert paid["entered"].tolist() == [2, 1, 0, 0, 0]
    assert paid["compared · entered"].tolist() == [3, 1, 0, 0, 0]           # s3, s4 and the extra s8 then
    assert paid["compared · from step 1"].tolist() == pytest.approx([100, 100 / 3, 0, 0, 0])     # in percent
    # on screen the change is in percentage points: 1/2 - 1/3 = +16.7 pts at view_item
    assert paid["from step 1 · change"].tolist()[1] == pytest.approx(100 * (1 / 2 - 1 / 3))
    email = seg[seg["Channel"] == "Email"]
    assert email["from step 1 · change"].tolist() == pytest.approx([0, 0, 0, 0, 0])
    assert "the dark mark on each bar is the compared range (Nov 07, 2025 – Dec 06, 2025)" in texts(at)


def test_segment_charts_use_the_shared_colours_and_words():
    """Each channel takes its colour from lib.charts.common (email is the same purple on every page) and the
    legend shows 'Paid search' for paid_search, while the data (clicks, URL) keep the value itself."""
    from lib.charts import funnel as fch
    from lib.charts.common import KNOWN_SEGMENTS

    rows = [{"channel": ch, "step_index": k, "step": st, "entered": n, "conversion_from_start": n / 10,
             "conversion_from_previous": 1.0, "median_seconds_from_previous": 5.0}
            for ch in ("paid_search", "email") for k, st, n in ((1, "page_view", 10), (2, "view_item", 5))]
    df = pd.DataFrame(rows)
    for chart in (fch.segment_bars(df, "channel", prev=df),
                  fch.trend_lines(pd.DataFrame({"channel": ["email", "paid_search"], "period": pd.to_datetime(
                      ["2026-01-05", "2026-01-05"]), "entered": [4, 2], "converted": [1, 1],
                      "conversion": [0.25, 0.5]}), "day", "channel")):
        spec = chart.to_dict()
        layer = spec["layer"][0] if "layer" in spec else spec
        color = layer["encoding"]["color"]
        assert color["field"] == "channel"
        colours = dict(zip(color["scale"]["domain"], color["scale"]["range"], strict=True))
        assert colours == {"email": KNOWN_SEGMENTS["email"], "paid_search": KNOWN_SEGMENTS["paid_search"]}
        assert color["title"] == "Channel"
        assert "'paid_search': 'Paid search'" in color["legend"]["labelExpr"]
    assert fch.segment_label("landing_page", "https://x.example/a") == "https://x.example/a"
    assert fch.segment_label("channel", "(not set)") == "(not set)"


def test_csv_safe_and_chart_selection_helpers():
    assert [exports.csv_safe(v) for v in ["=1+1", "+x", "-2", "@a", "\tb", "\rc", "ok", 5]] == \
        ["'=1+1", "'+x", "'-2", "'@a", "'\tb", "'\rc", "ok", 5]
    event = {"selection": {"segment": [{"channel": "email", "step_label": "1 · page_view"}]}}
    assert funnel_display.selected_values(event, "segment", "channel") == ["email"]
    assert funnel_display.selected_values({"selection": {"segment": []}}, "segment", "channel") == []
    assert funnel_display.selected_values({"selection": {}}, "segment", "channel") == []
    assert funnel_display.parse_segments(["channel:email", "landing_page:https://x/y", "bad:z", "device:"]) == \
        {"channel": "email", "landing_page": "https://x/y"}


def test_delta_of_zero_is_no_change_and_file_stems():
    assert funnel_display.delta("-0.0 pts") == {"delta": "0.0 pts", "delta_color": "off", "delta_arrow": "off"}
    assert funnel_display.delta("+0.0%") == {"delta": "0.0%", "delta_color": "off", "delta_arrow": "off"}
    assert funnel_display.delta("-0.1 pts") == {"delta": "-0.1 pts"}
    assert funnel_display.delta("new") == {"delta": "new"}
    assert funnel_display.delta("–") == funnel_display.delta(None) == {"delta": None}
    p = {"steps": ("page_view", "add_to_cart"), "start": date(2026, 1, 1), "end": date(2026, 1, 31), "unit": "user",
         "window": "7 days", "order": "any", "segs": {"landing_page": "/sale", "channel": "paid_search"}}
    assert funnel_display.file_stem("steps", p) == ("funnel-steps-2026-01-01-2026-01-31-page_view-add_to_cart-users-"
                                                  "7 days-any-channel-paid_search-landing_page-/sale")
    from lib.ui.widgets.downloads import slug
    assert slug(funnel_display.file_stem("steps", p)) == ("funnel-steps-2026-01-01-2026-01-31-page_view-add_to_cart-"
                                                        "users-7-days-any-channel-paid_search-landing_page-sale")
