"""Forecast charts (lib/charts/forecast.py): layers, encodings, band columns, empty data, tooltips."""
from __future__ import annotations

import pandas as pd

from lib.charts import forecast as charts
from lib.charts.common import COMPARISON, CURRENT, PALETTE


def history(censored=(False, True, False, False, False)) -> pd.DataFrame:
    return pd.DataFrame({"ds": pd.date_range("2026-01-01", periods=5), "y": [3.0, 0.0, 2.0, 5.0, 1.0],
                         "censored": list(censored)})


def backtest() -> pd.DataFrame:
    """Two windows of two days each (cutoffs Jan 1 and Jan 3)."""
    return pd.DataFrame({"ds": pd.to_datetime(["2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"]),
                         "cutoff": pd.to_datetime(["2026-01-01"] * 2 + ["2026-01-03"] * 2),
                         "y": [float("nan"), 2.0, 5.0, 1.0], "yhat": [4.0, 2.5, 4.0, 2.5],
                         "yhat_lo_80": [2.0, 1.0, 2.0, 1.0], "yhat_hi_80": [6.0, 4.25, 6.0, 4.25]})


def future() -> pd.DataFrame:
    return pd.DataFrame({"ds": pd.date_range("2026-01-06", periods=2), "yhat": [1.625, 2.0],
                         "yhat_lo_80": [0.5, 1.0], "yhat_hi_80": [3.0, 3.5],
                         "yhat_lo_95": [0.0, 0.25], "yhat_hi_95": [4.0, 5.0]})


def marks(spec: dict) -> list[str]:
    return [layer["mark"]["type"] for layer in spec["layer"]]


def test_every_layer_with_its_band_columns():
    chart = charts.forecast_chart(history(), backtest(), future())
    spec = chart.to_dict()
    # stockout shade, sales line | backtest band, backtest line | 95% band, 80% band, forecast line
    assert marks(spec) == ["rect", "line", "area", "line", "area", "area", "line"]
    enc = [layer["encoding"] for layer in spec["layer"]]
    assert [e.get("y", {}).get("field") for e in enc] == [None, "y", "yhat_lo_80", "yhat", "yhat_lo_95",
                                                         "yhat_lo_80", "yhat"]
    assert [e.get("y2", {}).get("field") for e in enc] == [None, None, "yhat_hi_80", None, "yhat_hi_95",
                                                          "yhat_hi_80", None]
    assert enc[0]["x2"]["field"] == "end" and "y" not in enc[0]       # the shade spans the full height
    assert enc[0]["opacity"]["field"] == "share" and enc[0]["opacity"]["scale"]["domain"] == [0, 1]
    assert all(e["x"]["field"] == "ds" and e["x"]["type"] == "temporal" for e in enc)
    # the backtest windows are drawn apart (one line per cutoff) and dashed
    assert enc[2]["detail"]["field"] == enc[3]["detail"]["field"] == "window"
    assert spec["layer"][3]["mark"]["strokeDash"] == [5, 3]
    # the 80% band is darker than the 95% band
    assert spec["layer"][5]["mark"]["opacity"] > spec["layer"][4]["mark"]["opacity"]
    # one legend: a shared colour scale over the four series
    scale = enc[1]["color"]["scale"]
    assert scale == {"domain": ["Sales", "Stockout (censored)", "Backtest", "Forecast"],
                     "range": [CURRENT, COMPARISON, PALETTE[3], PALETTE[1]]}
    assert all(e["color"]["scale"] == scale for e in enc)
    assert "params" in spec                                            # pan / zoom on the time axis


def test_layer_data_and_formatted_tooltips():
    chart = charts.forecast_chart(history(), backtest(), future())
    shade, sales, bt_band, _, _, _, fc_line = chart.layer
    assert shade.data["ds"].tolist() == [pd.Timestamp("2026-01-02")]             # the censored day only
    assert shade.data["end"].tolist() == [pd.Timestamp("2026-01-03")]            # one day wide
    assert shade.data["share_label"].tolist() == ["100%"]                        # true: the SKU is out
    assert sales.data["label"].tolist() == ["3", "0", "2", "5", "1"]
    assert bt_band.data["window"].nunique() == 2
    assert bt_band.data["band"].tolist() == ["2 – 6", "1 – 4.2", "2 – 6", "1 – 4.2"]   # 4.25 rounds to 4.2
    assert bt_band.data["actual"].tolist() == ["–", "2", "5", "1"]               # a censored actual: unknown
    assert fc_line.data["label"].tolist() == ["1.6", "2"]                         # 1.625 -> 1.6
    assert fc_line.data["band80"].tolist() == ["0.5 – 3", "1 – 3.5"]
    assert fc_line.data["band95"].tolist() == ["0 – 4", "0.2 – 5"]                # 0.25 -> 0.2 (half to even)
    tips = [t["title"] for t in chart.to_dict()["layer"][6]["encoding"]["tooltip"]]
    assert tips == ["Date", "Forecast", "80% band", "95% band"]


def test_weekly_stockout_shade_spans_the_week():
    h = pd.DataFrame({"ds": pd.to_datetime(["2026-01-05", "2026-01-12"]), "y": [10.0, 0.0],
                      "censored": [False, True]})
    chart = charts.forecast_chart(h, backtest().iloc[:0], future(), grain="week")
    assert chart.layer[0].data["end"].tolist() == [pd.Timestamp("2026-01-19")]
    spec = chart.to_dict()
    assert spec["layer"][0]["encoding"]["tooltip"][0] == {"field": "ds", "format": "%b %d, %Y",
                                                          "title": "Week starting", "type": "temporal"}


def test_stockout_shares_of_a_category_shade_in_proportion():
    chart = charts.forecast_chart(history(censored=[0.0, 0.25, 0.0, 1.0, 0.0]), backtest().iloc[:0], future())
    shade = chart.layer[0].data
    assert shade["ds"].tolist() == [pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-04")]
    assert shade["share"].tolist() == [0.25, 1.0]
    assert shade["share_label"].tolist() == ["25%", "100%"]
    assert chart.to_dict()["layer"][0]["encoding"]["opacity"]["scale"]["range"] == list(charts.SHADE_OPACITY)


def test_without_stockouts_or_backtest_those_layers_and_legend_entries_go():
    chart = charts.forecast_chart(history(censored=[False] * 5), backtest().iloc[:0], future())
    spec = chart.to_dict()
    assert marks(spec) == ["line", "area", "area", "line"]
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["Sales", "Forecast"]


def test_history_only_and_forecast_only():
    only_history = charts.forecast_chart(history(), backtest().iloc[:0], future().iloc[:0]).to_dict()
    assert marks(only_history) == ["rect", "line"]
    only_forecast = charts.forecast_chart(history().iloc[:0], backtest().iloc[:0], future()).to_dict()
    assert marks(only_forecast) == ["area", "area", "line"]


def test_nothing_to_draw_is_a_note():
    chart = charts.forecast_chart(history().iloc[:0], backtest().iloc[:0], future().iloc[:0])
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "text"
    assert chart.data["text"].tolist() == ["No sales history or forecast to draw for this selection."]


def test_models_chart_bars_most_first_with_labels():
    counts = pd.DataFrame({"model": ["ses", "gbm", "croston"], "skus": [3, 12, 1]})
    chart = charts.models_chart(counts)
    spec = chart.to_dict()
    assert marks(spec) == ["bar", "text"]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["gbm", "ses", "croston"]
    assert spec["layer"][0]["encoding"]["x"]["field"] == "skus"
    assert chart.data["label"].tolist() == ["3", "12", "1"]                # both layers share the data
    assert spec["height"] == {"step": 26}                              # one 26 px band per model
    assert charts.models_chart(counts.iloc[:0]).to_dict()["mark"]["type"] == "text"


def test_period_days():
    assert (charts.period_days("day"), charts.period_days("week")) == (1, 7)
