"""Replenishment charts: the stock projection arithmetic by hand, and what each chart draws."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from lib.charts import replenish as charts
from lib.charts.common import COMPARISON, CURRENT, DOWN, PROMO
from tests.support.charts import datasets

AS_OF = date(2026, 3, 31)


def forecast(values: list[float]) -> pd.DataFrame:
    ds = pd.date_range(AS_OF + timedelta(days=1), periods=len(values))
    return pd.DataFrame({"unique_id": "S", "ds": ds, "yhat": values, "yhat_lo_80": [v / 2 for v in values],
                         "yhat_hi_80": [v * 2 for v in values], "model": "ets"})


def test_projection_by_hand_with_lost_sales_and_the_tail_mean():
    # demand 1, 2, 3, 4, 5 on days 1-5, then the mean of the last (up to 7) forecast days = 3 on days 6-8.
    # on hand 4; on order 4 and the order of 10 arrive on day 4 (the morning: arrival minus that day's
    # demand).
    # without the order: 4, 3, 1, 0 (1 - 3: 2 units lost, not owed), 0 + 4 - 4 = 0, 0, 0, 0, 0
    # with the order:    4, 3, 1, 0, 0 + 14 - 4 = 10, 10 - 5 = 5, 5 - 3 = 2, 0 (2 - 3), 0
    proj = charts.projection(forecast([1, 2, 3, 4, 5]), as_of=AS_OF, on_hand=4, on_order=4, order_qty=10,
                             lead_days=4, days=8)
    got = {s: g["units"].tolist() for s, g in proj.groupby("scenario")}
    assert got[charts.WITHOUT_ORDER] == [4, 3, 1, 0, 0, 0, 0, 0, 0]
    assert got[charts.WITH_ORDER] == [4, 3, 1, 0, 10, 5, 2, 0, 0]
    first = proj[proj["scenario"] == charts.WITH_ORDER]
    assert first["demand"].tolist() == [0, 1, 2, 3, 4, 5, 3, 3, 3]
    assert first["ds"].iloc[0] == pd.Timestamp(AS_OF)
    assert first["ds"].iloc[-1] == pd.Timestamp(AS_OF + timedelta(8))


def test_projection_applies_the_uplift_ignores_past_rows_and_clips_negative_forecasts():
    fc = forecast([2, -1, 2])
    past = pd.DataFrame({"unique_id": ["S"], "ds": [pd.Timestamp(AS_OF)], "yhat": [50.0], "yhat_lo_80": [0.0],
                         "yhat_hi_80": [90.0], "model": ["ets"]})
    # +50%: demand 3, 0, 3 (the -1 counts as 0; the as_of row is history, not forecast)
    proj = charts.projection(pd.concat([past, fc]), as_of=AS_OF, on_hand=10, on_order=0, order_qty=0,
                             lead_days=0, days=3, uplift_pct=50)
    no = proj[proj["scenario"] == charts.WITHOUT_ORDER]
    assert no["demand"].tolist() == [0, 3, 0, 3]
    assert no["units"].tolist() == [10, 7, 7, 4]


def test_projection_without_a_forecast_is_flat():
    empty = forecast([]).iloc[:0]
    proj = charts.projection(empty, as_of=AS_OF, on_hand=5, on_order=2, order_qty=0, lead_days=1, days=2)
    assert proj[proj["scenario"] == charts.WITHOUT_ORDER]["units"].tolist() == [5, 7, 7]


def test_cash_by_supplier_leaves_out_the_total_and_labels_money():
    summary = pd.DataFrame({"supplier": ["Acme", "Bolt", "Total"], "skus": [2, 1, 3], "units": [60, 30, 90],
                            "cash_needed": [336.0, 1240.5, 1576.5]})
    chart = charts.cash_by_supplier(summary)
    data = datasets(chart)[0]
    assert data["supplier"].tolist() == ["Acme", "Bolt"]
    assert data["label"].tolist() == ["$336.00", "$1,240.50"]
    assert chart.to_dict()["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 1240.5 * 1.18]  # label room
    spec = chart.to_dict()
    assert spec["layer"][0]["mark"]["type"] == "bar"
    assert spec["layer"][0]["encoding"]["y"]["sort"] == "-x"
    assert spec["layer"][0]["encoding"]["x"]["axis"]["format"] == "$,.0f"
    eur = charts.cash_by_supplier(summary, "EUR").to_dict()
    assert eur["layer"][0]["encoding"]["x"]["title"] == "Cash needed (EUR)"


def test_cash_by_supplier_reads_po_summary_frames():
    # po_summary's Total row has po_number "Total" and no supplier; a supplier named "Total" still has a bar
    summary = pd.DataFrame({"po_number": ["PO-1", "PO-2", "Total"], "supplier": ["Acme", "Total", None],
                            "skus": [2, 1, 3], "units": [60, 30, 90], "cash_needed": [336.0, 12.0, 348.0]})
    data = datasets(charts.cash_by_supplier(summary))[0]
    assert data["supplier"].tolist() == ["Acme", "Total"] and data["label"].tolist() == ["$336.00", "$12.00"]


def test_cash_by_supplier_with_no_orders_says_so():
    only_total = pd.DataFrame({"supplier": ["Total"], "skus": [0], "units": [0], "cash_needed": [0.0]})
    data = datasets(charts.cash_by_supplier(only_total))[0]
    assert data["text"].tolist() == ["No purchase orders to place."]


def test_stock_projection_draws_levels_and_the_arrival():
    proj = charts.projection(forecast([1, 1, 1]), as_of=AS_OF, on_hand=3, on_order=0, order_qty=6,
                             lead_days=2, days=3)
    chart = charts.stock_projection(proj, reorder_point=12.34, safety_stock=2.0, arrival=AS_OF + timedelta(2))
    spec = chart.to_dict()
    assert len(spec["layer"]) == 5            # level rules, their labels, the lines, arrival rule and label
    frames = datasets(chart)
    rules = next(f for f in frames if "color" in f)
    assert rules["label"].tolist() == ["Reorder point 12.3", "Safety stock 2"]
    assert rules["units"].tolist() == [12.34, 2.0] and rules["color"].tolist() == [DOWN, PROMO]
    arrival = next(f for f in frames if "label" in f and "color" not in f)
    assert arrival["label"].tolist() == ["Order arrives Apr 02"]
    lines = spec["layer"][2]
    assert lines["encoding"]["color"]["scale"] == {"domain": [charts.WITH_ORDER, charts.WITHOUT_ORDER],
                                                    "range": [CURRENT, COMPARISON]}
    assert spec["resolve"]["scale"]["color"] == "independent"      # the rules' colours stay out of the legend
    assert len(charts.stock_projection(proj, reorder_point=1, safety_stock=0).to_dict()["layer"]) == 3


def test_demand_band_scales_with_the_uplift():
    data = datasets(charts.demand_band(forecast([2, 4]), uplift_pct=-50))[0]
    assert data["yhat"].tolist() == [1, 2]
    assert data["lo"].tolist() == [0.5, 1] and data["hi"].tolist() == [2, 4]
    note = datasets(charts.demand_band(forecast([]).iloc[:0]))[0]
    assert note["text"].tolist() == ["No forecast for this SKU."]


@pytest.mark.parametrize("days", [1, 30])
def test_projection_has_one_row_per_day_and_scenario(days):
    proj = charts.projection(forecast([1] * 5), as_of=AS_OF, on_hand=100, on_order=0, order_qty=0,
                             lead_days=3, days=days)
    assert len(proj) == 2 * (days + 1)
    assert list(proj.columns) == ["day", "ds", "scenario", "units", "demand"]
    assert proj["units"].iloc[-1] == 100 - days       # one unit a day, nothing arrives
