"""The Forecast page's downloads (lib/forecast/display.py): numbers as numbers, the screen's column names,
money in the store currency in the Excel file. Two SKUs, two days, by hand."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd

from lib.forecast import display as parts

DAYS = pd.to_datetime(["2026-12-06", "2026-12-07"])
FC = pd.DataFrame({"unique_id": ["A", "A", "B", "B"], "ds": list(DAYS) * 2, "yhat": [2.0, 3.0, 0.0, 0.0],
                   "yhat_lo_80": [1.0, 2.0, 0.0, 0.0], "yhat_hi_80": [3.0, 4.5, 0.0, 0.0],
                   "yhat_lo_95": [0.5, 1.0, 0.0, 0.0], "yhat_hi_95": [4.0, 6.0, 0.0, 0.0],
                   "model": ["gbm", "gbm", "not on sale", "not on sale"]})
NAMES = pd.DataFrame({"sku": ["A", "B"], "name": ["Blue mug", "Old mug"], "category": ["Mugs", "Mugs"]})
FUTURE = pd.DataFrame({"unique_id": ["A", "A", "B", "B"], "ds": list(DAYS) * 2, "price": [10.0, 8.0, 5.0, 5.0]})
HISTORY = pd.DataFrame({"unique_id": ["A", "B"], "ds": pd.to_datetime(["2026-12-05"] * 2), "price": [10.0, 5.0]})


def test_every_sku_export_holds_numbers_under_the_screens_names():
    every = parts.export_frame(parts.priced(FC, FUTURE, HISTORY), NAMES)
    assert list(every.columns) == ["SKU", "name", "category", "period start", "forecast units", "80% band low",
                                   "80% band high", "95% band low", "95% band high", "model", "price",
                                   "forecast revenue"]
    a = every[every["SKU"] == "A"]
    assert a["forecast revenue"].tolist() == [20.0, 24.0]                  # 2 x $10, 3 x $8 (a promotion day)
    assert a["period start"].astype(str).tolist() == ["2026-12-06", "2026-12-07"]
    assert every.loc[every["SKU"] == "B", "model"].tolist() == ["not on sale"] * 2


def test_weeks_carry_the_revenue_of_their_days():
    priced = parts.priced(FC, FUTURE, HISTORY)
    weekly = pd.DataFrame({"unique_id": ["A", "B"], "ds": [DAYS[0]] * 2, "yhat": [5.0, 0.0], "model": ["gbm", "x"]})
    out = parts.by_period(priced, weekly, "week").set_index("unique_id")
    assert out.loc["A", "revenue"] == 44.0 and out.loc["A", "price"] == 44.0 / 5       # the week's average price
    assert out.loc["B", "price"] == 5.0                                                 # no units: the first day's


def test_the_excel_file_keeps_numbers_with_currency_and_percent_formats():
    every = parts.export_frame(parts.priced(FC, FUTURE, HISTORY), NAMES)
    acc = parts.accuracy_table(pd.DataFrame({"model": ["auto", "seasonal_naive"], "wape": [0.124, 0.161],
                                             "mase": [0.8, 1.0], "bias": [-0.02, 0.01], "coverage_80": [0.8, 0.7],
                                             "coverage_95": [0.95, 0.9]}), "auto")
    book = openpyxl.load_workbook(io.BytesIO(parts.workbook(every, acc, "EUR")))
    sheet = book["Forecast by SKU"]
    head = [c.value for c in sheet[1]]
    revenue = sheet.cell(row=2, column=head.index("forecast revenue") + 1)
    assert revenue.value == 20.0 and revenue.number_format == '"€"#,##0.00'
    units = sheet.cell(row=2, column=head.index("forecast units") + 1)
    assert units.value == 2.0 and units.number_format == "#,##0.00"
    accuracy = book["Accuracy"]
    head = [c.value for c in accuracy[1]]
    wape = accuracy.cell(row=2, column=head.index("WAPE") + 1)
    assert wape.value == 0.124 and wape.number_format == "0.0%"


def test_headline_and_one_items_export_sum_the_skus_of_its_scope():
    # the store: A sells 2 then 3 units at $10 and $8, B nothing (no longer on sale)
    priced = parts.priced(FC, FUTURE, HISTORY)
    store = pd.DataFrame({"unique_id": ["store", "store"], "ds": DAYS, "yhat": [2.0, 3.0],
                          "yhat_lo_80": [1.0, 2.0], "yhat_hi_80": [3.0, 4.5], "yhat_lo_95": [0.5, 1.0],
                          "yhat_hi_95": [4.0, 6.0], "model": ["auto", "auto"]})
    history = pd.DataFrame({"ds": pd.to_datetime(["2026-12-03", "2026-12-04", "2026-12-05"]), "y": [9.0, 1.0, 4.0]})
    head = parts.headline(store, priced, history, 2)
    assert head == parts.Headline(total=5.0, revenue=44.0, before=5.0)    # 2 + 3; $20 + $24; 1 + 4 sold before
    one = parts.item_export(store, priced, "store")
    assert one["forecast revenue"].tolist() == [20.0, 24.0] and one["store"].tolist() == ["store", "store"]


def test_model_counts_total_and_not_on_sale():
    counts = parts.chosen_counts(FC)
    assert counts.set_index("model")["skus"].to_dict() == {"gbm": 1, "not on sale": 1}
    assert parts.count_totals(counts) == (2, 1)
