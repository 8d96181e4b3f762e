"""Marketing charts (lib/charts/marketing.py): the data they draw, worked by hand."""
from __future__ import annotations

import math

import pandas as pd

from lib.charts import marketing as charts
from lib.reports import marketing as report

# Two monthly cohorts of paid search and one of email. Paid search: Jan 10 customers at CAC 30 (spend 300),
# Feb 30 customers at CAC 20 (spend 600); email: Jan 4 customers at CAC 5; organic has no spend (CAC NaN).
PAYBACK = pd.DataFrame({
    "cohort": ["2026-01", "2026-01", "2026-02", "2026-01", "2026-01"],
    "channel": ["paid_search", "paid_search", "paid_search", "email", "organic"],
    "months_since": [0, 1, 0, 0, 0],
    "customers": [10, 10, 30, 4, 7],
    "cac": [30.0, 30.0, 20.0, 5.0, math.nan],
    "cum_margin_per_customer": [12.0, 33.0, 8.0, 6.0, 9.0],
    "paid_back": [False, True, False, True, False],
})


def test_channel_curves_pool_the_cohorts_that_reached_each_month():
    got = charts.channel_curves(PAYBACK)
    # paid search month 0: both cohorts, 40 customers; margin (10 x 12 + 30 x 8) / 40 = 360 / 40 = 9;
    # CAC (300 + 600) / 40 = 22.5. Month 1: the January cohort alone: 33 per customer against CAC 30.
    # Organic: no spend, no CAC: left out.
    want = pd.DataFrame({"channel": ["email", "paid_search", "paid_search"], "months_since": [0, 0, 1],
                         "customers": [4, 40, 10], "cum_margin_per_customer": [6.0, 9.0, 33.0],
                         "cac": [5.0, 22.5, 30.0]})
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_payback_chart_draws_a_cac_rule_per_channel():
    spec = charts.payback_chart(PAYBACK).to_dict()
    rules = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    data = spec["datasets"][rules["data"]["name"]]
    assert [(d["channel"], d["cac"]) for d in data] == [("Email", 5.0), ("Paid search", 22.5)]


def test_roas_bars_leave_out_channels_without_spend_and_order_by_roas():
    report = pd.DataFrame({"channel": ["organic", "paid_search", "email"], "spend": [0.0, 200.0, 50.0],
                           "revenue": [900.0, 500.0, 400.0], "gross_margin": [400.0, 150.0, 180.0],
                           "roas": [math.nan, 2.5, 8.0]})
    spec = charts.roas_bars(report).to_dict()
    bars = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "bar")
    data = spec["datasets"][bars["data"]["name"]]
    assert [(d["channel"], d["measure"], d["value"]) for d in data] == [
        ("Paid search", "Revenue / spend", 2.5), ("Paid search", "Gross margin / spend", 0.75),
        ("Email", "Revenue / spend", 8.0), ("Email", "Gross margin / spend", 3.6)]
    assert bars["encoding"]["y"]["sort"] == ["Email", "Paid search"]
    assert bars["encoding"]["x"]["scale"] == {"zero": True}       # 8 / 0.75 < 20: a plain axis


def test_roas_bars_go_log_when_one_channel_is_far_ahead():
    # an email list with a flat fee: 192x against 1.2x (and 0.4x of margin) would flatten the paid channels
    report = pd.DataFrame({"channel": ["email", "social"], "spend": [10.0, 100.0], "revenue": [1920.0, 120.0],
                           "gross_margin": [700.0, 40.0], "roas": [192.0, 1.2]})
    bars = next(layer for layer in charts.roas_bars(report).to_dict()["layer"] if layer["mark"]["type"] == "bar")
    assert bars["encoding"]["x"]["scale"] == {"type": "log", "domainMin": 0.1}
    assert "log scale" in bars["encoding"]["x"]["title"]
    # the bars start at 0.1 (the power of ten below 0.4): a log axis has no 0, and bars from 0 were not drawn
    data = next(iter(v for k, v in charts.roas_bars(report).to_dict()["datasets"].items()
                     if v and "base" in v[0]))
    assert {d["base"] for d in data} == {0.1} and bars["encoding"]["x2"] == {"field": "base"}


def test_no_spend_says_so():
    report = pd.DataFrame({"channel": ["organic"], "spend": [0.0], "revenue": [10.0], "gross_margin": [4.0],
                           "roas": [math.nan]})
    spec = charts.roas_bars(report).to_dict()
    assert "load the spend feed" in str(spec)


def test_totals_take_roas_cpa_and_cac_over_the_paid_channels():
    rep = pd.DataFrame({"channel": ["a", "b"], "spend": [100.0, 0.0], "sessions": [50, 150], "orders": [5, 15],
                        "revenue": [300.0, 900.0], "gross_margin": [120.0, 300.0], "new_customers": [4, 6]})
    t = report.totals(rep)
    # b spent nothing: its 900 of revenue is no return on a's 100 of spend
    assert (t["spend"], t["revenue"], t["new_customers"]) == (100.0, 1200.0, 10.0)
    assert (t["roas"], t["margin_roas"], t["cpa"], t["cac"], t["conversion_rate"]) == (3.0, 1.2, 20.0, 25.0, 0.1)
    assert math.isnan(report.totals(rep.assign(spend=0.0))["roas"])


def test_totals_of_a_campaign_report_count_each_channel_once():
    rep = pd.DataFrame({"channel": ["a", "a", "a"], "campaign": ["x", "y", "(all campaigns)"],
                        "spend": [40.0, 60.0, 100.0], "sessions": [math.nan, math.nan, 50],
                        "orders": [math.nan, math.nan, 5], "revenue": [math.nan, math.nan, 300.0],
                        "gross_margin": [math.nan, math.nan, 120.0], "new_customers": [math.nan, math.nan, 4]})
    t = report.totals(rep)
    assert (t["spend"], t["revenue"], t["roas"]) == (100.0, 300.0, 3.0)
