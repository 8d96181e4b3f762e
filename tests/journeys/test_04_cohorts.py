"""Journey 4, Cohorts: monthly retention by acquisition channel; which channel's customers come back most.

The expected numbers are computed here in pandas from the raw order lines of the warehouse (not through
lib.cohorts): a customer's cohort is the month of their first live line, their acquisition channel the
channel of that line (the smallest one when several lines share that instant), and month 1 retention the
share of a cohort with a live line in the month after. The data runs through Dec 05, 2026, so December is
incomplete: November's month 1 is left out of the averages.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib import fmt
from tests.support.browser import (
    caption_with,
    download_from,
    fresh_page,
    main_text,
    no_exception,
    pick,
    query,
    tile,
    wait_title,
)
from tests.support.journeys import check_warehouse

pytestmark = pytest.mark.browser

YEAR_START, AS_OF = date(2026, 1, 1), date(2026, 12, 5)


def _hand(demo) -> dict:
    with check_warehouse(demo) as wh:
        lines = wh.read("SELECT customer_id, ordered_at, channel FROM orders "
                        "WHERE status IS NULL OR lower(status) <> 'cancelled'")
    lines["ordered_at"] = pd.to_datetime(lines["ordered_at"])
    lines["month"] = lines["ordered_at"].dt.year * 12 + lines["ordered_at"].dt.month - 1
    first_at = lines.groupby("customer_id")["ordered_at"].min().rename("first_at")
    firsts = lines.join(first_at, on="customer_id")
    firsts = firsts[firsts["ordered_at"] == firsts["first_at"]]
    people = pd.DataFrame({"first_at": first_at,
                           "channel": firsts.groupby("customer_id")["channel"].min()}).fillna({"channel": "(not set)"})
    people["cohort"] = people["first_at"].dt.year * 12 + people["first_at"].dt.month - 1
    active = set(zip(lines["customer_id"], lines["month"], strict=True))
    people["back_m1"] = [(c, m + 1) in active for c, m in zip(people.index, people["cohort"], strict=True)]
    jan, dec = 2026 * 12, 2026 * 12 + 11
    shown = people[(people["cohort"] >= jan) & (people["cohort"] <= dec)]
    complete = shown[shown["cohort"] + 1 < dec]          # month 1 must be over: cohorts January .. October
    m1 = complete.groupby("channel")["back_m1"].mean()
    new = int(((people["first_at"] >= pd.Timestamp(YEAR_START))
               & (people["first_at"] < pd.Timestamp(AS_OF) + pd.Timedelta(days=1))).sum())
    sep_email = shown[(shown["cohort"] == jan + 8) & (shown["channel"] == "email")]
    return {"m1": m1, "new": new, "sizes": shown.groupby("channel").size(),
            "sep_email": (len(sep_email), int(sep_email["back_m1"].sum()))}


def test_monthly_retention_by_acquisition_channel(demo, browser, journey, tmp_path):
    want = _hand(demo)
    ctx, page = fresh_page(browser)
    with journey.step("open Cohorts (monthly, this year)"):
        page.goto(demo["url"] + "/cohorts")
        wait_title(page, "Cohorts")
        caption_with(page, "Jan 01, 2026 – Dec 05, 2026 · Data through Dec 05, 2026")
        assert tile(page, "New customers in range") == fmt.count(want["new"])
    no_exception(page)

    with journey.step("break down by acquisition channel"):
        pick(page, "Breakdown", "Acquisition channel")
        assert query(page.url).get("cby") == ["Acquisition channel"], page.url
        text = main_text(page)
        assert "Average curve by acquisition channel" in text and "paid_search" not in text
        # December is 5 days old: marked, and kept out of the averages
        caption_with(page, "December 2026 is not over: the data runs through Dec 05, 2026.")

    with journey.step("which channel's customers come back most"):
        m1 = want["m1"].sort_values(ascending=False)
        best = m1.index[0]
        line = caption_with(page, "come back most")
        assert f"through {fmt.words(best)} come back most, {fmt.pct(m1.iloc[0], 0)} in month 1" in line, (line, m1)
        ranking = pd.read_csv(download_from(page, "coh_rank", "CSV", tmp_path))
        assert ranking.columns.tolist()[:3] == ["Acquisition channel", "Customers", "Month 1"]
        assert ranking["Acquisition channel"].tolist() == [fmt.words(c) for c in m1.index]
        assert ranking["Month 1"].tolist() == pytest.approx(m1.tolist(), abs=1e-12)
        assert ranking["Customers"].tolist() == [int(want["sizes"][c]) for c in m1.index]

    with journey.step("check one rate by hand: September's email customers in October"):
        path = download_from(page, "coh_table", "CSV", tmp_path)
        assert path.name.startswith("cohort-table_2026-01-01_to_2026-12-05_grain-month_metric-customers"), path
        table = pd.read_csv(path)
        row = table[(table["Acquisition channel"] == "Email") & (table["Cohort"] == "2026-09")
                    & (table["Months since first purchase"] == 1)].iloc[0]
        size, back = want["sep_email"]
        assert (int(row["Customers in cohort"]), int(row["Customers"])) == (size, back)
        assert row["Retention rate"] == pytest.approx(back / size, abs=1e-12)
        # the November cohort's month 1 is December so far: in the table, marked as not complete
        nov = table[(table["Cohort"] == "2026-11") & (table["Months since first purchase"] == 1)]
        assert len(nov) and not nov["Period complete"].any()
    no_exception(page)
    ctx.close()
