"""Journey 2, Overview: revenue last month against the month before, by channel; which categories and products
moved most; change the date range and the grain.

Every number read off the page is checked against the warehouse, computed here in plain SQL over the order
lines (line revenue = quantity x unit price - discount; cancelled lines left out), not through lib.analytics.kpis.
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
    no_exception,
    pick,
    query,
    segment,
    settle,
    table_texts,
    tile,
    tile_delta,
    to_top,
    wait_title,
)
from tests.support.journeys import check_warehouse

pytestmark = pytest.mark.browser

NOV, OCT = (date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 10, 1), date(2026, 10, 31))
LAST_90 = (date(2026, 9, 7), date(2026, 12, 5))
LIVE = "(status IS NULL OR lower(status) <> 'cancelled')"
REV = "quantity * unit_price - coalesce(discount, 0)"
WORDS = {"organic": "Organic", "paid_search": "Paid search", "email": "Email", "social": "Social",
         "referral": "Referral"}


def _between(rng: tuple[date, date]) -> str:
    return f"ordered_at >= DATE '{rng[0]}' AND ordered_at < DATE '{rng[1]}' + INTERVAL 1 DAY"


def _expected(demo) -> dict:
    with check_warehouse(demo) as wh:
        total = {k: float(wh.read(f"SELECT sum({REV}) AS r FROM orders WHERE {LIVE} AND {_between(r)}")["r"].iloc[0])
                 for k, r in (("nov", NOV), ("oct", OCT), ("last90", LAST_90))}
        by_channel = wh.read(
            f"SELECT channel, sum(CASE WHEN {_between(NOV)} THEN {REV} ELSE 0 END) AS nov, "
            f"sum(CASE WHEN {_between(OCT)} THEN {REV} ELSE 0 END) AS oct FROM orders "
            f"WHERE {LIVE} AND ordered_at >= DATE '{OCT[0]}' AND ordered_at < DATE '2026-12-01' GROUP BY channel")
        by_sku = wh.read(
            f"SELECT o.sku, p.name, p.category, sum(CASE WHEN {_between(NOV)} THEN {REV} ELSE 0 END) AS nov, "
            f"sum(CASE WHEN {_between(OCT)} THEN {REV} ELSE 0 END) AS oct FROM orders o "
            f"LEFT JOIN products p ON p.sku = o.sku WHERE {LIVE} AND ordered_at >= DATE '{OCT[0]}' "
            f"AND ordered_at < DATE '2026-12-01' GROUP BY o.sku, p.name, p.category")
    by_sku["change"] = by_sku["nov"] - by_sku["oct"]
    by_cat = by_sku.groupby("category", as_index=False)[["nov", "oct", "change"]].sum()
    return {**total, "by_channel": by_channel, "by_sku": by_sku, "by_cat": by_cat}


def test_revenue_last_month_by_channel_movers_and_another_range(demo, browser, journey, tmp_path):
    want = _expected(demo)
    ctx, page = fresh_page(browser)
    with journey.step("open the Overview"):
        page.goto(demo["url"] + "/overview")
        wait_title(page, "Overview")
    no_exception(page)

    with journey.step("pick Last month: November against October"):
        pick(page, "Date range", "Last month")
        assert query(page.url).get("range") == ["Last month"], page.url
        caption_with(page, "Nov 01, 2026 – Nov 30, 2026 · Data through Dec 05, 2026")
        # the previous period of a calendar month is the calendar month before: all 31 days of October
        caption_with(page, "Compared with Oct 01, 2026 – Oct 31, 2026.")
    with journey.step("read the revenue tile"):
        assert tile(page, "Revenue") == fmt.money(want["nov"])          # e.g. $188,443: one money format
        assert tile_delta(page, "Revenue") == fmt.change_pct(want["nov"], want["oct"])

    with journey.step("revenue by channel: the table and its download"):
        caption_with(page, "Nov 01, 2026 – Nov 30, 2026 (colour) against Oct 01, 2026 – Oct 31, 2026 (grey).")
        cells = table_texts(page)
        assert "Paid search" in cells and "paid_search" not in cells          # channels in words
        path = download_from(page, "ov_by_channel_tbl", "CSV", tmp_path)
        assert path.name == ("revenue-by-channel_2026-11-01_to_2026-11-30_vs_2026-10-01_to_2026-10-31.csv"), path
        got = pd.read_csv(path)
        assert got.columns.tolist() == ["Channel", "Revenue", "Comparison revenue", "Change", "Change %", "Share",
                                        "Orders", "Units"]
        exp = want["by_channel"].assign(Channel=lambda d: d["channel"].map(WORDS)).set_index("Channel")
        got = got.set_index("Channel")
        assert sorted(got.index) == sorted(exp.index)
        for ch in exp.index:                       # numbers as numbers, to the cent
            assert got.loc[ch, "Revenue"] == pytest.approx(exp.loc[ch, "nov"], abs=0.005)
            assert got.loc[ch, "Comparison revenue"] == pytest.approx(exp.loc[ch, "oct"], abs=0.005)
            assert got.loc[ch, "Change %"] == pytest.approx((exp.loc[ch, "nov"] - exp.loc[ch, "oct"]) / exp.loc[ch, "oct"],
                                                            rel=1e-9)
        assert round(got["Revenue"].sum(), 2) == round(want["nov"], 2)
        assert got["Share"].sum() == pytest.approx(1.0)

    with journey.step("which products moved most: codes with names"):
        skus = want["by_sku"].sort_values(["change", "sku"], ascending=[False, True])
        top, bottom = skus.iloc[0], skus.sort_values(["change", "sku"]).iloc[0]
        path = download_from(page, "ov_movers_tbl_sku", "CSV", tmp_path)
        movers = pd.read_csv(path)
        assert movers.columns.tolist() == ["SKU", "Product", "Revenue", "Comparison revenue", "Change", "Change %"]
        assert movers.iloc[0][["SKU", "Product"]].tolist() == [top["sku"], top["name"]]
        assert movers.iloc[0]["Change"] == pytest.approx(top["change"], abs=0.005)
        loser = movers[movers["Change"] < 0].iloc[0]           # gains first, then losses biggest first
        assert [loser["SKU"], loser["Product"]] == [bottom["sku"], bottom["name"]]
        assert loser["Change"] == pytest.approx(bottom["change"], abs=0.005)
        assert top["name"] in table_texts(page)                          # the name beside the code on screen
    with journey.step("which categories moved most"):
        page.get_by_role("tab", name="Categories").click()
        settle(page)
        cats = want["by_cat"].sort_values(["change", "category"], ascending=[False, True])
        path = download_from(page, "ov_movers_tbl_category", "CSV", tmp_path)
        moved = pd.read_csv(path)
        assert moved.iloc[0]["Category"] == cats.iloc[0]["category"]
        assert moved.iloc[0]["Change"] == pytest.approx(cats.iloc[0]["change"], abs=0.005)

    with journey.step("change the range to the last 90 days, by week"):
        to_top(page)
        pick(page, "Date range", "Last 90 days")
        segment(page, "Week")
        q = query(page.url)
        assert q.get("range") == ["Last 90 days"] and q.get("grain") == ["Week"], page.url
        caption_with(page, "Sep 07, 2026 – Dec 05, 2026")
        # Dec 05 is a Saturday: the last week (Nov 30 .. Dec 06) is cut short by the range
        caption_with(page, "The last week is only partly inside the range.")
        assert tile(page, "Revenue") == fmt.money(want["last90"])
    no_exception(page)
    ctx.close()
