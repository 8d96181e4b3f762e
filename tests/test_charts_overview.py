"""Overview charts (lib/charts/overview.py): promotions beside the data, not over it; breakdowns against the
comparison period; SKUs by name. Specs are built with Altair's schema check (to_dict validates)."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.analytics import kpis
from lib.charts import overview as charts
from lib.charts.common import COMPARISON, KNOWN_SEGMENTS

START, END = date(2026, 11, 1), date(2026, 11, 30)


def _trend() -> pd.DataFrame:
    cur = pd.DataFrame({"period": pd.date_range("2026-11-01", "2026-11-30"), "value": range(30)})
    prev = pd.DataFrame({"period": pd.date_range("2026-10-01", "2026-10-31"), "value": range(31)})
    return kpis.overlay(cur, prev)


PROMOS = pd.DataFrame({"promo_id": ["BF", "CM", "EARLY"],
                       "start_date": [date(2026, 11, 27), date(2026, 11, 28), date(2026, 10, 20)],
                       "end_date": [date(2026, 11, 30), date(2026, 12, 2), date(2026, 11, 3)],
                       "discount_pct": [20.0, 15.0, 10.0], "scope": ["store-wide", "category Toys", "SKU A"]})


def _marks(spec: dict) -> list[str]:
    if "layer" in spec:
        return [m for s in spec["layer"] for m in _marks(s)]
    mark = spec.get("mark")
    return [mark if isinstance(mark, str) else mark["type"]] if mark else []


def test_promotions_are_drawn_under_the_trend_not_over_its_data():
    spec = charts.trend_chart(_trend(), "Revenue", "money", "day", PROMOS, START, END).to_dict()
    top, lanes = spec["vconcat"]
    assert _marks(top) == ["line"]                         # the trend's own view holds only the lines
    assert _marks(lanes) == ["bar"] and lanes["encoding"]["y"]["field"] == "lane"
    # one time axis: the same domain on both views, first day drawn .. the day after the range
    dom = ["2026-11-01T00:00:00", "2026-12-01T00:00:00"]
    assert top["encoding"]["x"]["scale"]["domain"] == dom and lanes["encoding"]["x"]["scale"]["domain"] == dom
    assert spec["resolve"]["scale"]["x"] == "shared"
    bands = pd.DataFrame(spec["datasets"][lanes["data"]["name"]])
    # clipped to the range (EARLY from Nov 01, CM to the end of Nov 30); BF and CM overlap: two lanes
    assert bands[["promo_id", "lane"]].values.tolist() == [["EARLY", 0], ["BF", 0], ["CM", 1]]
    assert bands["band_start"].tolist()[0].startswith("2026-11-01") and bands["band_end"].tolist()[2].startswith(
        "2026-12-01")


def test_trend_without_promotions_is_the_lines_alone():
    spec = charts.trend_chart(_trend(), "Revenue", "money", "day", None, START, END).to_dict()
    assert _marks(spec) == ["line"] and "vconcat" not in spec


def test_the_time_axis_has_no_tick_between_two_periods():
    # a 7-day range got a tick every 12 hours: each day's label twice (Dec 01, Dec 01, Dec 02, ...)
    for grain, step in (("day", 86_400_000), ("week", 7 * 86_400_000)):
        spec = charts.trend_chart(_trend(), "Revenue", "money", grain, None, START, END).to_dict()
        assert spec["encoding"]["x"]["axis"]["tickMinStep"] == step
    month = charts.trend_chart(_trend(), "Revenue", "money", "month", None, START, END).to_dict()
    assert "tickMinStep" not in month["encoding"]["x"]["axis"]


def test_breakdown_bars_pair_each_value_with_its_comparison_bar():
    df = pd.DataFrame({"channel": ["organic", "paid_search", "tiktok"], "revenue": [70.0, 20.0, 10.0],
                       "previous": [50.0, 30.0, 0.0], "change": [20.0, -10.0, 10.0],
                       "change_pct": [0.4, -1 / 3, float("nan")], "share": [0.7, 0.2, 0.1], "orders": [7, 2, 1],
                       "units": [9, 2, 1]})
    labels = {"organic": "Organic", "paid_search": "Paid search", "tiktok": "Tiktok"}
    spec = charts.breakdown_bars(df, "channel", "Channel", labels=labels).to_dict()
    enc = spec["encoding"]
    assert enc["yOffset"]["field"] == "series" and enc["y"]["field"] == "shown"
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert len(data) == 6 and sorted(set(data["series"])) == ["Comparison period", "This period"]
    assert data.loc[data["series"] == "Comparison period", "amount"].tolist() == [50.0, 30.0, 0.0]
    assert enc["y"]["sort"] == ["Organic", "Paid search", "Tiktok"]          # words on the axis
    scale = dict(zip(enc["color"]["scale"]["domain"], enc["color"]["scale"]["range"], strict=True))
    # each channel in its colour of every page; the comparison period grey
    assert scale["organic"] == KNOWN_SEGMENTS["organic"] and scale["paid_search"] == KNOWN_SEGMENTS["paid_search"]
    assert scale["Comparison period"] == COMPARISON


def test_breakdown_bars_without_a_comparison_and_for_categories():
    df = pd.DataFrame({"category": ["Mugs", "Tees"], "revenue": [63.0, 60.0], "share": [0.51, 0.49],
                       "orders": [4, 2], "units": [7, 3]})
    spec = charts.breakdown_bars(df, "category", "Category").to_dict()
    assert "yOffset" not in spec["encoding"]
    assert set(spec["encoding"]["color"]["scale"]["range"]) == {"#2563eb"}


def test_movers_read_sku_and_product_name():
    df = pd.DataFrame({"sku": ["A", "Z"], "name": ["Mug", None], "revenue": [63.0, 15.0], "previous": [20.0, 0.0],
                       "change": [43.0, 15.0], "change_pct": [2.15, float("nan")], "direction": ["up", "up"]})
    spec = charts.movers_bars(df, "sku", "SKU").to_dict()
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert data["shown"].tolist() == ["A · Mug", "Z"]
