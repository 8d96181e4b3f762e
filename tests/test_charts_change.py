"""What changed charts (lib/charts/change.py): the waterfall's bars and the anomaly flags, read from the spec."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.analytics import change
from lib.charts import change as charts
from lib.charts.common import DOWN, UP


def _drivers() -> pd.DataFrame:
    # the kpi store's C -> P split (tests/test_change.py): 100 -> 138 = +193.35 − 68.55 − 86.80
    return change.decompose({"revenue": 100.0, "sessions": 1, "orders": 2}, {"revenue": 138.0, "sessions": 4,
                                                                              "orders": 5})


def test_waterfall_bars_float_from_the_running_total():
    spec = charts.waterfall_chart(_drivers(), "22–28 Feb", "1–7 Mar").to_dict()
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert data[["step", "kind", "start", "end", "amount"]].values.tolist() == [
        ["22–28 Feb", "total", 0.0, 100.0, 100.0],
        ["Sessions", "up", 100.0, 293.35, 193.35],
        ["Orders per session", "down", 293.35, 224.8, -68.55],
        ["Average order value", "down", 224.8, 138.0, -86.8],
        ["1–7 Mar", "total", 0.0, 138.0, 138.0]]
    assert spec["encoding"]["x"]["sort"] == ["22–28 Feb", "Sessions", "Orders per session", "Average order value",
                                             "1–7 Mar"]
    assert spec["encoding"]["y2"]["field"] == "end"


def test_anomaly_points_are_the_flagged_days_only():
    df = pd.DataFrame({"date": [date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 10)],
                       "value": [30.0, 240.0, 10.0], "baseline": [30.0, 40.0, 30.0], "lo": [21.0, 28.0, 21.0],
                       "hi": [39.0, 52.0, 39.0], "flag": [None, "spike", "dip"], "gap": [0.0, 200.0, -20.0],
                       "top_segment": [None, "email", "web"], "drivers": ["", "Email +$200.00", "Web −$20.00"]})
    spec = charts.anomaly_chart(df, "Revenue").to_dict()
    layers = spec["layer"]
    assert [lay["mark"]["type"] for lay in layers] == ["area", "line", "line", "point"]
    pts = pd.DataFrame(spec["datasets"][layers[3]["data"]["name"]])
    assert pts[["flag", "value", "drivers"]].values.tolist() == [["spike", 240.0, "Email +$200.00"],
                                                                 ["dip", 10.0, "Web −$20.00"]]
    assert layers[3]["encoding"]["color"]["scale"]["range"] == [UP, DOWN]


def test_unusual_days_are_marked_on_the_overview_trend():
    from lib.analytics import kpis
    from lib.charts import overview

    cur = pd.DataFrame({"period": pd.date_range("2026-03-01", "2026-03-10"), "value": [30.0] * 10})
    flags = pd.DataFrame({"date": [date(2026, 3, 4)], "value": [240.0], "baseline": [40.0], "flag": ["spike"],
                          "drivers": ["Email +$200.00"]})
    spec = overview.trend_chart(kpis.overlay(cur, None), "Revenue", "money", "day", None, date(2026, 3, 1),
                                date(2026, 3, 10), flags=flags).to_dict()
    lines, points = spec["layer"]
    assert lines["mark"]["type"] == "line" and points["mark"]["type"] == "point"
    pts = pd.DataFrame(spec["datasets"][points["data"]["name"]])
    assert pts[["period", "value", "flag", "drivers"]].values.tolist() == [
        ["2026-03-04T00:00:00", 240.0, "spike", "Email +$200.00"]]
    assert spec["resolve"]["scale"]["color"] == "independent"
    # without flags the trend is unchanged: the lines alone
    assert "layer" not in overview.trend_chart(kpis.overlay(cur, None), "Revenue", "money", "day").to_dict()
