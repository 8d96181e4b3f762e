"""Journey 5, Explore: revenue by category by week for one channel; download it for a spreadsheet.

The spreadsheet is opened with openpyxl and read the way a spreadsheet reads it: the header names, numbers
as numbers (not text), the currency format, weeks as dates; its total agrees with the total on screen and
with plain SQL over the order lines (cancelled lines left out), and so does one cell.
"""
from __future__ import annotations

import datetime as dt
from datetime import date

import openpyxl
import pytest

from lib import fmt
from tests.support.browser import (
    caption_with,
    download_from,
    fresh_page,
    multipick,
    no_exception,
    pick,
    query,
    wait_title,
)
from tests.support.journeys import check_warehouse

pytestmark = pytest.mark.browser

START, END = date(2026, 9, 7), date(2026, 12, 5)          # Last 90 days, the Explore default
LIVE = "(o.status IS NULL OR lower(o.status) <> 'cancelled')"
REV = "o.quantity * o.unit_price - coalesce(o.discount, 0)"


def _expected(demo) -> dict:
    where = (f"{LIVE} AND o.channel = 'email' AND o.ordered_at >= DATE '{START}' "
             f"AND o.ordered_at < DATE '{END}' + INTERVAL 1 DAY")
    with check_warehouse(demo) as wh:
        total = float(wh.read(f"SELECT sum({REV}) AS r FROM orders o WHERE {where}")["r"].iloc[0])
        cells = wh.read(f"SELECT date_trunc('week', o.ordered_at) AS week, coalesce(p.category, '(unknown)') AS category, "
                        f"sum({REV}) AS revenue FROM orders o LEFT JOIN products p ON p.sku = o.sku WHERE {where} "
                        "GROUP BY 1, 2")
    cells["week"] = [dt.date.fromisoformat(str(w)[:10]) for w in cells["week"]]
    return {"total": total, "cells": cells, "categories": cells["category"].nunique()}


def test_revenue_by_category_by_week_for_email_into_a_spreadsheet(demo, browser, journey, tmp_path):
    want = _expected(demo)
    ctx, page = fresh_page(browser)
    with journey.step("open Explore"):
        page.goto(demo["url"] + "/explore")
        wait_title(page, "Explore")
    no_exception(page)
    with journey.step("revenue by category, by week, email only"):
        pick(page, "Split by", "Category")
        multipick(page, "Channels", "Email")                      # channels read in words
        q = query(page.url)
        assert q.get("dim") == ["Category"] and q.get("channel") == ["Email"], page.url
        caption_with(page, "Sep 07, 2026 – Dec 05, 2026")
        on_screen = caption_with(page, "Total in this table:")
        # every week of the range (13 Mondays: Sep 07 .. Nov 30) for every category sold (zero-filled)
        assert on_screen == f"Total in this table: {fmt.money(want['total'])} ({13 * want['categories']:,} rows).", on_screen

    with journey.step("download it for a spreadsheet (XLSX) and open it"):
        path = download_from(page, "explore_table", "XLSX", tmp_path)
        assert path.name == "revenue-by-category-per-week_2026-09-07_to_2026-12-05_channel-email.xlsx", path
        ws = openpyxl.load_workbook(path).active
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0] == ("Week (from Monday)", "Category", "Revenue")          # the names on screen
        body = rows[1:]
        assert all(isinstance(r[2], (int, float)) for r in body)              # numbers, not "1,234.50" text
        assert all(isinstance(r[0], dt.datetime) for r in body)               # weeks are dates
        assert "$" in ws.cell(row=2, column=3).number_format                  # currency format
        assert "0.00" in ws.cell(row=2, column=3).number_format
        assert len({r[1] for r in body}) == want["categories"] and len(body) == 13 * want["categories"]
        assert round(sum(r[2] for r in body), 2) == round(want["total"], 2)   # the screen's total, to the cent
        assert all(r[2] == round(r[2], 2) for r in body)                      # cents, no float noise (2158.5299999999997)

    with journey.step("one cell against the warehouse"):
        cells = want["cells"].sort_values("revenue", ascending=False)
        top = cells.iloc[0]
        got = {(r[0].date(), r[1]): r[2] for r in body}
        assert got[(top["week"], top["category"])] == pytest.approx(top["revenue"], abs=0.005)
    no_exception(page)
    ctx.close()
