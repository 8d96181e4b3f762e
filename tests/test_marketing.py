"""lib.marketing on a tiny store computed by hand (every engine: the `wh` fixture), and on the demo store.

The store (products A: cost 4, B: cost 10; Z has no product row), March 2026:

  order  customer  day    lines                                    revenue  margin  purchase session  -> channel
  O0     c3        02-15  A 1 x 10                                  (before March: c3 is not new in March)
  O1     c1        03-02  A 2 x 10 - 2 discount                     18       10      S1 paid_search    paid_search
  O2     c2        03-05  B 1 x 30                                  30       20      S2 direct         paid_social
         (S2 is direct: c2's person u2 had S3 paid_social on 02-20, 13 days before; S10 email on 03-06 is after)
  O3     c1        03-10  A 1 x 10; B 1 x 30 cancelled (ignored)     10        6      none, own 'email' email
  O4     c3        03-12  A 3 x 10, return A -1 x 10                20       12      S5 direct         direct
         (u3's only other session, S9 email on 02-08, is 32 days before: outside the 30-day look-back)
  O5     c4        03-20  B 2 x 30 - 6 discount                     54       34      S6 paid_search    paid_search
  O6     c5        03-25  Z 1 x 15 (uncosted: margin 0)             15        0      none, own NULL    direct
  O7     c1        05-03  A 5 x 10                                  (after March: payback only)  margin 30
  O8     c4        04-10  B 1 x 30                                  (after March: payback only)  margin 20

Sessions starting in March: S1, S6 paid_search; S2, S5 direct; S7 paid_social; S8, S10 email.
Spend in March: paid_search Brand 20 (03-02) + Generic 40 (03-20) = 60; paid_social 50; display 12.50;
paid_search 100 on 02-28 is outside.
New customers (first order ever in March): c1, c4 (paid_search), c2 (paid_social), c5 (direct).
"""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib import marketing
from lib.warehouse.tables import FEED_TABLES
from tests.support.marketing_store import _events, _orders, _spend, ts  # noqa: F401 - the store above

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
T0 = datetime(2026, 7, 1)


@pytest.fixture
def store(wh):
    wh.load("products", pd.DataFrame({"sku": ["A", "B"], "name": ["a", "b"], "category": ["x", "x"],
                                      "unit_cost": [4.0, 10.0], "price": [10.0, 30.0]}), source="p", now=T0)
    wh.load("orders", _orders(), source="o", now=T0)
    wh.load("events", _events(), source="e", now=T0)
    wh.load("spend", _spend(), source="s", now=T0)
    return wh


NAN = np.nan


def test_channel_report_by_hand(store):
    got = marketing.channel_report(store, *MARCH)
    expected = pd.DataFrame(
        [  # channel, spend, impressions, clicks, sessions, orders, revenue, margin, roas, margin_roas, cpa, new, cac
            ("paid_search", 60.0, 3000.0, 130.0, 2.0, 2.0, 72.0, 44.0, 1.2, 44 / 60, 30.0, 2.0, 30.0),
            ("paid_social", 50.0, 5000.0, NAN, 1.0, 1.0, 30.0, 20.0, 0.6, 0.4, 50.0, 1.0, 50.0),
            ("display", 12.5, 4000.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, NAN, 0.0, NAN),
            ("direct", 0.0, NAN, NAN, 2.0, 2.0, 35.0, 12.0, NAN, NAN, NAN, 1.0, NAN),
            ("email", 0.0, NAN, NAN, 2.0, 1.0, 10.0, 6.0, NAN, NAN, NAN, 0.0, NAN),
        ], columns=marketing.report.REPORT_COLUMNS)
    expected["channel"] = expected["channel"].astype(object)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)
    assert not np.isinf(got.select_dtypes("number").to_numpy()).any()


def test_campaign_rows_and_channel_totals(store):
    got = marketing.channel_report(store, *MARCH, by="campaign")
    ps = got[got.channel == "paid_search"]
    assert ps["campaign"].tolist() == ["Generic", "Brand", "(all campaigns)"]
    assert ps["spend"].tolist() == [40.0, 20.0, 60.0]
    assert ps["roas"].iloc[:2].isna().all() and ps["roas"].iloc[2] == pytest.approx(1.2)
    assert got.loc[got.campaign.eq("(all campaigns)"), "channel"].tolist() == [
        "direct", "display", "email", "paid_search", "paid_social"]


def test_previous_period(store):
    assert marketing.previous_period(*MARCH) == (date(2026, 1, 29), date(2026, 2, 28))
    got = marketing.compare(store, *MARCH).set_index("channel")
    # February: paid_search spent 100 (02-28); O0 (c3, direct: no purchase event, no own channel) 10 revenue
    assert got.loc["paid_search", "spend_prev"] == 100.0 and got.loc["paid_search", "spend_change"] == -40.0
    assert got.loc["direct", "revenue_prev"] == 10.0 and got.loc["direct", "revenue_change"] == 25.0


def test_payback_by_hand(store):
    """paid_search March cohort: c1 and c4, CAC 60 / 2 = 30. Margin per month: March 10 + 6 + 34 = 50,
    April 20 (O8), May 30 (O7), June 0: cumulative per customer 25, 35, 50, 50: paid back in month 1.
    paid_social: c2, CAC 50, 20 in March and nothing after: never. direct: c5, no spend: CAC NaN."""
    got = marketing.payback(store, *MARCH, as_of=date(2026, 6, 30))
    assert got.columns.tolist() == marketing.payback.__globals__["PAYBACK_COLUMNS"]
    ps = got[got.channel == "paid_search"]
    assert ps["months_since"].tolist() == [0, 1, 2, 3]
    assert ps["cohort"].tolist() == [date(2026, 3, 1)] * 4 and ps["customers"].tolist() == [2] * 4
    assert ps["cac"].tolist() == [30.0] * 4
    assert ps["cum_margin_per_customer"].tolist() == pytest.approx([25.0, 35.0, 50.0, 50.0], abs=1e-9)
    assert ps["paid_back"].tolist() == [False, True, True, True]
    soc = got[got.channel == "paid_social"]
    assert soc["cum_margin_per_customer"].tolist() == pytest.approx([20.0] * 4) and not soc["paid_back"].any()
    direct = got[got.channel == "direct"]
    assert direct["cac"].isna().all() and direct["cum_margin_per_customer"].tolist() == [0.0] * 4
    assert sorted(set(got.channel)) == ["direct", "paid_search", "paid_social"] and len(got) == 12

    summary = marketing.payback_summary(got, date(2026, 6, 30)).set_index("channel")
    assert summary.loc["paid_search", "payback_month"] == 1.0
    assert summary.loc["paid_search", "ltv_cac_3"] == pytest.approx(50 / 30, abs=1e-12)   # June ended on 06-30
    assert np.isnan(summary.loc["paid_search", "ltv_cac_6"]) and np.isnan(summary.loc["paid_search", "ltv_cac_12"])
    assert np.isnan(summary.loc["paid_social", "payback_month"])
    assert summary.loc["paid_social", "ltv_cac_3"] == pytest.approx(0.4, abs=1e-12)
    assert np.isnan(summary.loc["direct", "ltv_cac_3"])
    # as_of defaults to the latest live order's day (05-03): months 0..2, and month 3 is not observed
    dflt = marketing.payback(store, *MARCH)
    assert dflt["months_since"].max() == 2 and marketing.last_order_date(store) == date(2026, 5, 3)
    assert np.isnan(marketing.payback_summary(dflt, date(2026, 5, 3)).set_index("channel")
                    .loc["paid_search", "ltv_cac_3"])
    every = marketing.payback(store, *MARCH, by=None, as_of=date(2026, 6, 30))
    assert every["channel"].unique().tolist() == ["(all channels)"]
    assert every["cac"].iloc[0] == pytest.approx((60 + 50 + 12.5) / 4)


def test_empty_warehouse_gives_empty_frames(wh):
    rep = marketing.channel_report(wh, *MARCH)
    assert rep.empty and rep.columns.tolist() == marketing.report.REPORT_COLUMNS
    assert marketing.payback(wh, *MARCH).empty


def test_spend_without_any_order_still_appears(wh):
    wh.load("spend", _spend(), source="s", now=T0)
    got = marketing.channel_report(wh, *MARCH).set_index("channel")
    assert got.loc["paid_search", "spend"] == 60.0 and got.loc["paid_search", "orders"] == 0.0
    assert got.loc["paid_search", "roas"] == 0.0 and np.isnan(got.loc["paid_search", "cpa"])


def test_the_spend_table_is_declared_from_the_feed():
    assert [c.name for c in FEED_TABLES["spend"].columns] == ["date", "channel", "campaign", "spend", "currency",
                                                               "impressions", "clicks"]


@pytest.mark.parametrize("scale", [0.1])
def test_demo_store_recovers_the_planted_roas(wh, tmp_path, scale):
    """Over the whole history, the report's ROAS per paid channel against truth.json (planted: revenue as the
    generator attributes it / spend). The demo's purchase sessions carry the order's channel, so the
    attribution recovers it exactly (within 1e-6; truth.json rounds ROAS to 6 decimals)."""
    from lib.ingest import pipeline

    as_of = date(2026, 11, 26)
    pipeline.load_demo(wh, tmp_path, seed=7, scale=scale, as_of=as_of)
    out = pipeline.demo_dir(tmp_path, 7, scale, as_of, 1.0, True)
    truth = json.loads((Path(out) / "truth.json").read_text())["spend"]["by_channel"]
    got = marketing.channel_report(wh, date(2024, 11, 27), as_of).set_index("channel")
    for ch in ("paid_search", "social", "email"):
        assert got.loc[ch, "spend"] == pytest.approx(truth[ch]["spend"], abs=0.01)
        assert got.loc[ch, "roas"] == pytest.approx(truth[ch]["roas"], rel=1e-6), ch
    assert np.isnan(got.loc["organic", "roas"]) and got.loc["organic", "spend"] == 0.0


def test_the_marketing_report_shows_what_the_page_shows(store):
    # the notebook / HTML export of a /marketing view: the same tiles, tables and charts as the page, read from
    # the link's own values (range, compare, mby), on every engine
    from lib import reports
    from lib.reports.blocks import Chart, Table, Tiles

    blocks = reports.build("marketing", store, [("range", "Custom"), ("from", "2026-03-01"), ("to", "2026-03-31"),
                                                ("compare", "No comparison")], currency="USD")
    tiles = {t.label: t.value for b in blocks if isinstance(b, Tiles) for t in b.tiles}
    assert tiles == {"Spend": "$122.50", "Revenue": "$147.00", "ROAS of paid channels": "0.83×",
                     "CPA of paid channels": "$40.83", "New customers": "4", "CAC of paid channels": "$40.83"}
    tables = [b.frame for b in blocks if isinstance(b, Table)]
    assert tables[0]["Channel"].tolist() == ["Paid search", "Paid social", "Display", "Direct", "Email"]
    ps = tables[1][(tables[1]["Cohort"] == "Mar 2026") & (tables[1]["Channel"] == "Paid search")].iloc[0]
    assert (ps["CAC"], ps["Paid back in month"]) == (30.0, 1.0)
    assert sum(isinstance(b, Chart) for b in blocks) == 2                 # ROAS bars and payback curves
