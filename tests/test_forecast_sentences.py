"""The Forecast page's sentences about accuracy (lib/forecast/display.py), on hand-made accuracy rows.

The store-level figures of issue 21: gbm alone WAPE 10.7%, auto 12.4%, seasonal naive 16.1%; auto's
80% band held 26 of 40 weekly outcomes (65%).
"""
from __future__ import annotations

import pandas as pd

from lib.forecast import display as parts


def acc(**rows) -> pd.DataFrame:
    """model=(wape, mase[, coverage_80, coverage_95, n_points])."""
    out = []
    for model, v in rows.items():
        cov80, cov95, n = (v[2], v[3], v[4]) if len(v) > 2 else (0.8, 0.95, 84)
        out.append({"model": model, "wape": v[0], "mase": v[1], "bias": 0.0, "coverage_80": cov80,
                    "coverage_95": cov95, "n_points": n})
    return pd.DataFrame(out)


def test_a_mase_above_one_is_never_called_more_accurate():
    text = parts.versus_naive(acc(auto=(0.124, 1.12), seasonal_naive=(0.161, 1.31)), "auto", "3 x 28 days")
    assert "more accurate" not in text
    # 1 - 0.124 / 0.161 = 23% lower WAPE
    assert text == ("**auto** had a 23% lower WAPE than seasonal naive on the last 3 x 28 days (WAPE 12.4% vs "
                    "16.1%), but its MASE is 1.12: above 1, its errors were larger than the typical change from "
                    "one week to the next in the history, so neither forecast is accurate here.")


def test_lower_wape_and_mase_below_one_is_more_accurate():
    text = parts.versus_naive(acc(auto=(0.124, 0.85), seasonal_naive=(0.161, 1.31)), "auto", "3 x 28 days")
    assert text == "**auto** was 23% more accurate than seasonal naive on the last 3 x 28 days (WAPE 12.4% vs 16.1%)."
    worse = parts.versus_naive(acc(ses=(0.2, 0.9), seasonal_naive=(0.16, 1.0)), "ses", "")
    assert worse == "**ses** was 25% less accurate than seasonal naive (WAPE 20.0% vs 16.0%)."      # 0.2 / 0.16


def test_a_single_model_better_than_auto_at_the_store_is_said():
    text = parts.level_note(acc(auto=(0.124, 0.8), gbm=(0.107, 0.7), seasonal_naive=(0.161, 1.0)), "auto", "store")
    assert text.startswith("At store level **gbm alone was more accurate than auto** (WAPE 10.7% vs 12.4%): auto "
                           "picks a model per SKU from each SKU's own errors")
    assert parts.level_note(acc(auto=(0.10, 0.8), gbm=(0.107, 0.7)), "auto", "store") == (
        "At store level auto was the most accurate choice (WAPE 10.0%; the best single model, gbm, 10.7%).")
    assert parts.level_note(acc(auto=(0.124, 0.8), gbm=(0.107, 0.7)), "gbm", "store") == ""   # auto not shown


def test_bands_that_held_too_few_outcomes_are_called_too_narrow():
    text = parts.coverage_note(acc(auto=(0.124, 0.8, 0.65, 0.87, 40)), "auto", "weeks", "at store level")
    assert text.startswith("**The bands are too narrow at store level:** in the backtest the 80% band held the "
                           "units sold in 26 of 40 weeks (65%), not about 16 in 20, and the 95% band in 87%.")
    assert parts.coverage_note(acc(auto=(0.124, 0.8, 0.79, 0.94, 40)), "auto", "weeks", "at store level") == ""
    wide = parts.coverage_note(acc(auto=(0.1, 0.8, 0.95, 1.0, 40)), "auto", "weeks", "for this SKU")
    assert wide.startswith("**The bands are wider than they need to be for this SKU:** in the backtest the 80% "
                           "band held the units sold in 38 of 40 weeks (95%)")


def test_accuracy_table_holds_numbers_with_the_shown_model_first():
    t = parts.accuracy_table(acc(gbm=(0.107, 0.7), auto=(0.124, 0.8), seasonal_naive=(0.16, 1.0)), "auto")
    assert t["model"].tolist() == ["auto", "gbm", "seasonal_naive"]
    assert t["WAPE"].tolist() == [0.124, 0.107, 0.16]
    assert t["vs seasonal naive"].round(6).tolist() == [round(0.124 / 0.16 - 1, 6), round(0.107 / 0.16 - 1, 6), 0.0]


def test_a_backtest_with_fewer_periods_than_the_horizon_is_not_used_to_judge():
    """KIT-0012 first sold on Sep 27, 2026: only 5 of the 8 weeks after the last window's cut fall after it."""
    rows = acc(auto=(1.0, 1.4, 0.0, 0.2, 5), seasonal_naive=(1.0, 1.4, 0.0, 0.2, 5))
    assert parts.thin_backtest(rows, "auto", 8, "weeks", pd.Timestamp("2026-09-27")) == (
        "Only 5 weeks of its sales fall in the backtest windows (its first sale was on Sep 27, 2026): too few to "
        "measure its accuracy or to compare models; the category's figures are a better guide.")
    none = acc(auto=(float("nan"), float("nan"), float("nan"), float("nan"), 0))
    assert parts.thin_backtest(none, "auto", 28, "days", pd.Timestamp("2024-12-06")).startswith(
        "No backtest here: none of its sales fall in the backtest windows (its first sale was on Dec 06, 2024)")
    assert parts.thin_backtest(rows, "auto", 4, "weeks", pd.Timestamp("2026-09-27")) == ""


def test_on_a_sku_a_model_better_than_autos_choice_is_said_with_the_reason():
    rows = acc(auto=(0.284, 0.71), gbm=(0.284, 0.71), moving_average=(0.234, 0.58), seasonal_naive=(0.387, 0.94))
    assert parts.level_note(rows, "auto", "SKU", "gbm") == (
        "On this SKU **moving_average** had a lower WAPE than auto's choice, gbm (23.4% vs 28.4% here). auto keeps "
        "the model that wins over all SKUs unless another was more than 20% better on the SKU's own backtest over "
        "whole windows (up to 13 weeks each): with a few dozen noisy points per SKU, picking each SKU's best model mostly picks "
        "noise.")
    assert parts.level_note(rows, "auto", "SKU", "moving_average") == ""          # auto took the best one
