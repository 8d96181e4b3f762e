"""AppTest for the Forecast page on a tiny hand-built store (4 SKUs x 120 days, two categories).

The store, 2026-01-01 (a Thursday) .. 2026-04-30, one order line per SKU and day with units > 0,
every SKU tracked by the inventory feed, no promotions, no web events:

    SKU  name       category  price  units Mon..Sun        a week
    A    Blue mug   Mugs      12     3, 1, 2, 4, 0, 5, 6   21
    B    Red mug    Mugs       8     1, 1, 1, 1, 1, 2, 2    9
    C    Grey tee   Tees      20     2, 2, 2, 2, 2, 4, 4   18
    D    Black tee  Tees      25     0, 1, 0, 1, 0, 2, 1    5

C sells one more unit on the 10th, 20th and 30th of each month (so seasonal naive is not perfect
there). A is out of stock 2026-03-10 .. 03-16 (on hand 0, no sales): one of each weekday, censored.

The page reads the store's one daily run (lib/forecast/store.py: 91 days ahead). With 120 days of
history its three backtest windows are 35 days long (cut after Jan 15, Feb 19 and Mar 26); the
accuracy for a 28-day horizon is measured on the first 28 days of each.

Seasonal naive repeats the last week (Apr 24 .. 30) over the next 28 days, four times:
A 4 x 21 = 84 units (x $12 = $1,008.00), B 4 x 9 = 36 ($288), C 4 x (18 + 1 on Apr 30) = 76
($1,520), D 4 x 5 = 20 ($500); Mugs = 84 + 36 = 120, Tees = 76 + 20 = 96, the store 216 ($3,316).
The 28 days before (Apr 03 .. 30) sold 84 + 36 + (72 + 3: Apr 10, 20, 30) + 20 = 215 units.
A's lost sales: each stockout day d uses the mean of its in-stock days within 14 days either side:
29 days less the 7 out = 22 days, three of each weekday plus one more of d's own weekday, so
(63 + A[weekday d]) / 22 per day, and over the 7 days (one of each weekday) (7 x 63 + 21) / 22 = 21.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import fmt, forecast
from lib.forecast import data, ets_family
from lib.forecast.store import store_run
from lib.settings import Settings
from lib.ui.widgets.downloads import BUTTON_LABELS as GENERIC  # per-chart/per-table buttons
from lib.warehouse import Warehouse
from tests.support.paths import ROOT

AS_OF = date(2026, 4, 30)
T0 = datetime(2026, 5, 1, 9, 0)
DAYS = pd.date_range("2026-01-01", "2026-04-30")
STOCKOUT = pd.date_range("2026-03-10", "2026-03-16")
PATTERNS = {"A": [3, 1, 2, 4, 0, 5, 6], "B": [1, 1, 1, 1, 1, 2, 2], "C": [2, 2, 2, 2, 2, 4, 4],
            "D": [0, 1, 0, 1, 0, 2, 1]}
PRODUCTS = pd.DataFrame({"sku": ["A", "B", "C", "D"], "name": ["Blue mug", "Red mug", "Grey tee", "Black tee"],
                         "category": ["Mugs", "Mugs", "Tees", "Tees"], "unit_cost": [5.0, 3.0, 9.0, 11.0],
                         "price": [12.0, 8.0, 20.0, 25.0]})


def store_frames(days: pd.DatetimeIndex = DAYS) -> dict[str, pd.DataFrame]:
    """Orders and inventory of the store above over ``days``."""
    price = dict(zip(PRODUCTS["sku"], PRODUCTS["price"], strict=True))
    orders, stock = [], []
    for sku, units in PATTERNS.items():
        for d in days:
            out = sku == "A" and d in STOCKOUT
            stock.append((sku, d.date(), 0 if out else 50))
            q = 0 if out else units[d.weekday()] + (sku == "C" and d.day % 10 == 0)
            if q:
                orders.append((f"{sku}{d:%m%d}", d + pd.Timedelta(hours=10), f"c{d.day % 5}", sku, q,
                               price[sku], 0.0))
    return {"products": PRODUCTS,
            "orders": pd.DataFrame(orders, columns=["order_id", "ordered_at", "customer_id", "sku", "quantity",
                                                    "unit_price", "discount"]),
            "inventory": pd.DataFrame(stock, columns=["sku", "date", "on_hand"])}


def seed_store(days: pd.DatetimeIndex = DAYS) -> None:
    wh = Warehouse.open(settings=Settings.from_env())
    for feed, frame in store_frames(days).items():
        wh.load(feed, frame, source=f"upload:{feed}.csv", as_of=AS_OF, now=T0)
    wh.dispose()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The store above in one warehouse for the module (the page caches per data version and warehouse)."""
    path = tmp_path_factory.mktemp("forecast-store")
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, path)
        seed_store()
        yield path


def _environment(mp: pytest.MonkeyPatch, path) -> None:
    mp.setenv("SHOPCAST_DATA_DIR", str(path))
    mp.delenv("DATABASE_URL", raising=False)
    mp.setenv("SHOPCAST_TIMEZONE", "UTC")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    _environment(monkeypatch, tmp_path)
    return tmp_path


def reference_history(grain: str = "day") -> pd.DataFrame:
    """The daily (or weekly) history the forecasting library reads from the store."""
    wh = Warehouse.open(settings=Settings.from_env())
    try:
        daily = data.history(wh, AS_OF)
    finally:
        wh.dispose()
    return daily if grain == "day" else data.weekly(daily)


def forecast_page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/forecast_page.py")
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


def frame(at, column: str) -> pd.DataFrame:
    """The table on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


NAIVE = {"model": "seasonal_naive"}


def test_empty_state_points_to_the_data_page(data_dir):
    at = forecast_page()
    assert at.title[0].value == "Forecast"
    assert "No orders loaded yet" in texts(at)
    assert [link.proto.page for link in at.get("page_link")] == ["data"]          # the Sources page
    assert not at.metric and not at.dataframe and not at.error


def test_too_short_a_history_says_so(data_dir):
    seed_store(DAYS[-10:])
    at = forecast_page()
    assert "Not enough history to forecast the whole store." in texts(at)
    assert "It has 10 days of sales history; a forecast and its backtest need at least 28 days" in texts(at)
    assert not at.metric and not at.error


def test_store_view_by_hand(store):
    at = forecast_page(NAIVE)
    assert metrics(at) == {
        "Forecast units, next 28 days": "216", "Forecast revenue at today's prices": "$3,316.00",
        "Change vs the previous 28 days": "+0.5%",                  # (216 - 215) / 215
        "Model": "seasonal_naive",
        "Estimated units lost": "21", "SKU-days out of stock": "7"}
    assert "Since Jan 01, 2026; estimated from baseline on 7 days." in texts(at)     # no web events
    skus = frame(at, "forecast units")
    assert skus["SKU"].tolist() == ["A", "C", "B", "D"]
    assert skus["forecast units"].tolist() == [84, 76, 36, 20]                   # numbers, not text
    assert skus["forecast revenue"].tolist() == [1008.0, 1520.0, 288.0, 500.0]
    assert skus["units sold before"].tolist() == [84, 75, 36, 20]
    acc = frame(at, "WAPE")
    assert acc["model"].iloc[0] == "seasonal_naive"                              # the shown model first ...
    # ... then every other one auto chose from (the AICc ETS family is for monthly, quarterly and yearly data)
    family = {*ets_family.MODELS, "combination"}
    assert sorted(acc["model"]) == sorted(m for m in forecast.MODELS if m not in family)
    assert len(at.get("vega_lite_chart")) == 1                      # one model: no "models chosen" chart
    assert "Every SKU uses seasonal_naive" in texts(at)
    assert [b.label for b in at.get("download_button") if b.label not in GENERIC] == [
        "This forecast (store) as CSV", "All SKUs as CSV",
        "All SKUs as Excel"]


def test_the_url_reproduces_a_sku_view(store):
    at = forecast_page({"level": "SKU", "item": "A", "fgrain": "day", "h": "14", "model": "seasonal_naive"})
    assert at.segmented_control(key="level").value == "SKU"
    assert at.selectbox(key="item").value == "A"
    assert at.number_input(key="h").value == 14
    assert metrics(at) == {
        "Forecast units, next 14 days": "42", "Forecast revenue at today's prices": "$504.00",   # 2 x 21, x $12
        "Change vs the previous 14 days": "+0.0%", "Model": "seasonal_naive",
        "Estimated units lost": "21", "Stockout days": "7"}
    assert "forecasting A · Blue mug, 14 days ahead: Fri May 01, 2026 to Thu May 14, 2026." in texts(at)
    assert "censored" in texts(at)
    acc = frame(at, "WAPE")
    assert acc.loc[0, "model"] == "seasonal_naive" and acc.loc[0, "WAPE"] == 0.0   # A repeats exactly every week
    # the same view through the widgets
    at = forecast_page(NAIVE)
    at.segmented_control(key="level").set_value("SKU").run()
    at.number_input(key="h").set_value(14).run()
    assert not at.exception and at.selectbox(key="item").value == "A"    # the best seller of the last 90 days
    assert metrics(at)["Forecast units, next 14 days"] == "42"


def test_category_level_sums_the_sku_forecasts(store):
    at = forecast_page({"level": "SKU", "item": "A", "model": "seasonal_naive"})
    at.segmented_control(key="level").set_value("Category").run()
    assert not at.exception and not at.warning
    assert at.selectbox(key="item").value == "Mugs"          # 368 units in the last 90 days, Tees 305
    skus = frame(at, "forecast units")
    assert skus["SKU"].tolist() == ["A", "B"]
    on_screen = float(skus["forecast units"].sum())
    assert metrics(at)["Forecast units, next 28 days"] == fmt.count(on_screen) == "120"
    fc = forecast.forecast(reference_history(), 28, "D", model="seasonal_naive")
    assert fc.loc[fc["unique_id"].isin(["A", "B"]), "yhat"].sum() == pytest.approx(120.0)
    at.selectbox(key="item").set_value("Tees").run()
    assert metrics(at)["Forecast units, next 28 days"] == "96"
    assert metrics(at)["Forecast revenue at today's prices"] == "$2,020.00"     # 76 x 20 + 20 x 25
    assert frame(at, "forecast units")["forecast units"].tolist() == [76, 20]
    assert "forecasting Tees (2 SKUs), 28 days ahead" in texts(at)


def test_single_model_accuracy_against_seasonal_naive(store):
    at = forecast_page({"level": "SKU", "item": "C", "model": "ses"})
    acc = frame(at, "WAPE").set_index("model")
    assert acc.index[0] == "ses"
    # seasonal naive on C over the first 28 days of the windows cut after Jan 15, Feb 19 and Mar 26 repeats
    # the week before each cut: Jan 9-15 holds the +1 of Sat Jan 10 (repeated on Jan 17, 24, 31, Feb 7, while
    # Jan 20, 30 and Feb 10 sell +1: 4 + 3 errors); Feb 13-19 holds none (Feb 20 and Mar 10 missed: 2); Mar 20-26
    # holds the +1 of Fri Mar 20 (repeated Mar 27, Apr 3, 10, 17; Apr 10 sells +1, Mar 30 and Apr 20 missed:
    # 3 + 2). Abs errors 7 + 2 + 5 = 14 over 75 + 74 + 75 = 224 units sold; signed +1 - 2 + 1 = 0
    naive = acc.loc["seasonal_naive"]
    assert naive["WAPE"] == pytest.approx(14 / 224) and naive["bias"] == 0.0
    assert naive["vs seasonal naive"] == 0.0                                # the baseline itself
    wh = Warehouse.open(settings=Settings.from_env())
    ses = store_run(wh, AS_OF).accuracy("sku", "day", 28, only="C").set_index("model").loc["ses"]
    wh.dispose()
    assert acc.loc["ses", ["WAPE", "coverage 80%", "coverage 95%"]].tolist() == pytest.approx(
        [ses["wape"], ses["coverage_80"], ses["coverage_95"]])
    assert acc.loc["ses", "MASE"] == pytest.approx(round(ses["mase"], 2))
    assert acc.loc["ses", "vs seasonal naive"] == pytest.approx(ses["wape"] / (14 / 224) - 1)
    better = "more" if ses["wape"] < 14 / 224 else "less"
    assert f"**ses** was {fmt.pct(abs(1 - ses['wape'] / (14 / 224)), 0)} {better} accurate than seasonal naive " \
           "on the last 3 x 28 days" in texts(at)


def test_find_by_name_opens_that_sku(store):
    at = forecast_page({"level": "SKU", "model": "seasonal_naive"})
    assert at.selectbox(key="item").options == ["A", "C", "B", "D"]      # best sellers of the last 90 days first
    at.selectbox(key="find").set_value("B · Red mug").run()
    assert not at.exception
    assert at.selectbox(key="item").value == "B"
    assert at.selectbox(key="find").value is None
    assert metrics(at)["Forecast units, next 28 days"] == "36"
    assert "No stockout days for B · Red mug" in texts(at)


def test_bad_horizon_in_the_url_is_ignored_with_a_message(store):
    for bad in ("abc", "500"):
        at = forecast_page({"h": bad, "model": "seasonal_naive"})
        assert at.number_input(key="h").value == 28
        assert f'Ignored from the link (not a valid choice here): h = "{bad}"' in texts(at)
        assert metrics(at)["Forecast units, next 28 days"] == "216"


def test_month_grain_resets_a_horizon_past_its_maximum(store):
    at = forecast_page({"level": "SKU", "item": "A", "h": "91", "model": "seasonal_naive"})
    assert at.number_input(key="h").value == 91
    at.segmented_control(key="fgrain").set_value("month").run()
    assert not at.exception
    assert at.number_input(key="h").value == 6                      # 91 is past the 24-month maximum
    assert "Fri May 01, 2026 to Sat Oct 31, 2026." in texts(at)
    # the months the daily run covers are its sums: seasonal naive repeats A's week (Mon..Sun 3, 1, 2, 4, 0, 5, 6);
    # May 2026 (from Friday the 1st) = 4 weeks (84) + Fri 29, Sat 30, Sun 31 (0 + 5 + 6) = 95; June (from
    # Monday the 1st) = 84 + Mon 29, Tue 30 (3 + 1) = 88
    at.number_input(key="h").set_value(2).run()
    assert metrics(at)["Forecast units, next 2 months"] == "183"
    daily = forecast.forecast(reference_history(), 61, "D", model="seasonal_naive")
    assert daily.loc[daily["unique_id"] == "A", "yhat"].sum() == pytest.approx(95 + 88)


def test_a_new_grain_starts_at_its_own_default_horizon(store):
    # 28 days switched to weeks is 8 weeks (the week default), not 28 weeks; back to days, 28 days again
    at = forecast_page({"level": "SKU", "item": "A", "model": "seasonal_naive"})
    assert at.number_input(key="h").value == 28
    at.segmented_control(key="fgrain").set_value("week").run()
    assert at.number_input(key="h").value == 8 and "Forecast units, next 8 weeks" in metrics(at)
    at.number_input(key="h").set_value(30).run()
    at.segmented_control(key="fgrain").set_value("day").run()
    assert at.number_input(key="h").value == 28 and "Forecast units, next 28 days" in metrics(at)


def test_weeks_past_the_daily_run_are_offered(store):
    at = forecast_page({"level": "SKU", "item": "A", "fgrain": "week", "h": "8", "model": "seasonal_naive"})
    assert at.number_input(key="h").max == 104
    # weeks are sums of the daily forecast: seasonal naive repeats A's last week (21 units) eight times
    assert metrics(at)["Forecast units, next 8 weeks"] == "168"
    assert "Fri May 01, 2026 to Thu Jun 25, 2026. Weeks are 7-day blocks from the first forecast day (Friday)." \
        in texts(at)


# -- one forecast whatever the grain and horizon ----------------------------------------------------------------
def test_a_sku_gets_one_forecast_by_day_and_by_week(store):
    """The weekly view is the daily forecast in 7-day blocks from the first forecast day (May 01, a Friday):
    the next 4 weeks are exactly the next 28 days, and the weeks before them end on Apr 30."""
    days = forecast_page({"level": "SKU", "item": "C", "fgrain": "day", "h": "28"})
    weeks = forecast_page({"level": "SKU", "item": "C", "fgrain": "week", "h": "4"})
    assert metrics(days)["Forecast units, next 28 days"] == metrics(weeks)["Forecast units, next 4 weeks"]
    assert metrics(days)["Change vs the previous 28 days"] == metrics(weeks)["Change vs the previous 4 weeks"]
    assert (metrics(days)["Forecast revenue at today's prices"]
            == metrics(weeks)["Forecast revenue at today's prices"])
    wh = Warehouse.open(settings=Settings.from_env())
    run = store_run(wh, AS_OF)
    wh.dispose()
    daily = run.forecast("sku", "day", 28, only="C")["yhat"].to_numpy()
    weekly = run.forecast("sku", "week", 4, only="C")
    assert weekly["ds"].dt.strftime("%a %b %d").tolist() == ["Fri May 01", "Fri May 08", "Fri May 15", "Fri May 22"]
    assert weekly["yhat"].to_numpy() == pytest.approx(daily.reshape(4, 7).sum(axis=1))
    assert metrics(weeks)["Forecast units, next 4 weeks"] == fmt.count(round(daily.sum()))
    hist = run.history("sku", "week", only="C")
    # the last block is Fri Apr 24 .. Thu Apr 30: C's 18 a week plus the extra unit of Apr 30
    assert hist["ds"].iloc[-1] == pd.Timestamp("2026-04-24") and hist["y"].iloc[-1] == 19


def test_band_caption_counts_outcomes_in_twenty(store):
    at = forecast_page(NAIVE)
    text = texts(at)
    assert "inside the 80% band about 16 times in 20, and inside the 95% band about 19 times in 20" in text
    assert "8 and 19 times out of 20" not in text


def test_switching_to_category_keeps_the_skus_own_category(store):
    at = forecast_page({"level": "SKU", "item": "C", "model": "seasonal_naive"})     # C is a tee
    at.segmented_control(key="level").set_value("Category").run()
    assert not at.exception
    assert at.selectbox(key="item").value == "Tees"           # not Mugs, the best-selling category
    assert metrics(at)["Forecast units, next 28 days"] == "96"
    at.segmented_control(key="level").set_value("SKU").run()
    assert at.selectbox(key="item").value == "C"              # back to the category's best seller


def test_downloads_are_named_after_the_view(store):
    at = forecast_page({"level": "SKU", "item": "C", "fgrain": "week", "h": "4", "model": "ses"})
    helps = [b.proto.help for b in at.get("download_button") if b.label in GENERIC]
    assert "Download forecast-accuracy-c-by-week-next-4-weeks-ses as CSV" in helps
    assert "Download forecast-chart-c-by-week-next-4-weeks-ses as PNG" in helps


# -- SKUs with no sales, no longer on sale, launched late -----------------------------------------------------
LAUNCH = pd.DataFrame({"sku": ["E", "F", "G"], "name": ["Green mug", "White tee", "Red cap"],
                       "category": ["Mugs", "Tees", "Tees"], "unit_cost": [4.0, 7.0, 6.0],
                       "price": [10.0, 15.0, 18.0]})


def launch_frames() -> dict[str, pd.DataFrame]:
    """The store above plus E (in stock from Mar 01, never sold), F (3 a day until Feb 28, when its stock
    records end) and G (in stock from Mar 20, 2 a day from Apr 01)."""
    frames = store_frames()
    orders, stock = [], []
    for d in DAYS:
        if d >= pd.Timestamp("2026-03-01"):
            stock.append(("E", d.date(), 20))
        if d <= pd.Timestamp("2026-02-28"):
            stock.append(("F", d.date(), 50))
            orders.append((f"F{d:%m%d}", d + pd.Timedelta(hours=10), "c1", "F", 3, 15.0, 0.0))
        if d >= pd.Timestamp("2026-03-20"):
            stock.append(("G", d.date(), 30))
        if d >= pd.Timestamp("2026-04-01"):
            orders.append((f"G{d:%m%d}", d + pd.Timedelta(hours=10), "c2", "G", 2, 18.0, 0.0))
    frames["products"] = pd.concat([PRODUCTS, LAUNCH], ignore_index=True)
    frames["orders"] = pd.concat([frames["orders"], pd.DataFrame(orders, columns=frames["orders"].columns)],
                                 ignore_index=True)
    frames["inventory"] = pd.concat([frames["inventory"], pd.DataFrame(stock, columns=["sku", "date", "on_hand"])],
                                    ignore_index=True)
    return frames


@pytest.fixture(scope="module")
def launch_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("forecast-launch")
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, path)
        wh = Warehouse.open(settings=Settings.from_env())
        for feed, f in launch_frames().items():
            wh.load(feed, f, source=f"upload:{feed}.csv", as_of=AS_OF, now=T0)
        wh.dispose()
        yield path


def test_a_sku_that_never_sold_says_what_its_forecast_rests_on(launch_store):
    at = forecast_page({"level": "SKU", "item": "E"})
    assert "**No sales yet:** on sale for 61 days (since Mar 01, 2026) without selling a unit, so its forecast " \
           "rests on that zero history alone" in texts(at)
    assert metrics(at)["Forecast units, next 28 days"] == "0"


def test_a_sku_no_longer_on_sale_is_forecast_zero_and_left_out_of_the_total(launch_store):
    at = forecast_page({"level": "SKU", "item": "F", "model": "seasonal_naive"})
    assert "**Not on sale: forecast 0.** Its last day on sale was Feb 28, 2026 (no stock record after it), so it " \
           "is forecast to sell nothing. It sold 177 units in the history before" in texts(at)      # 59 days x 3
    assert metrics(at)["Forecast units, next 28 days"] == "0"
    assert metrics(at)["Model"] == "not on sale"
    # the store: A-D's 216 and G's 4 x 14 = 56 (seasonal naive repeats its last week); nothing for F
    store_view = forecast_page(NAIVE)
    assert metrics(store_view)["Forecast units, next 28 days"] == "272"
    skus = frame(store_view, "forecast units").set_index("SKU")
    assert skus.loc["F", "forecast units"] == 0 and skus.loc["F", "model"] == "not on sale"
    assert "1 SKU no longer on sale (no stock record up to the last day, or inactive in the product master) " \
           "are forecast 0." in texts(store_view)


def _chart_layer(at, series: str) -> pd.DataFrame:
    import pyarrow as pa

    chart = at.get("vega_lite_chart")[0]
    for ds in chart.proto.datasets:
        layer = pa.ipc.open_stream(ds.data.data).read_pandas()
        if "series" in layer and (layer["series"] == series).all():
            return layer
    return pd.DataFrame()


def test_backtest_is_drawn_from_the_first_sale(launch_store):
    # G is in stock from Mar 20 but sells from Apr 01; the last window starts Mar 27
    at = forecast_page({"level": "SKU", "item": "G", "model": "seasonal_naive"})
    back = _chart_layer(at, "Backtest")
    assert len(back) and pd.to_datetime(back["ds"]).min() == pd.Timestamp("2026-04-01")
    assert back["yhat_hi_80"].notna().all()
