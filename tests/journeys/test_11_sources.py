"""Journey 11, Sources: upload a broken orders file and read what is wrong; upload a Shopify orders export
and check the mapping before loading.

On the shared journey server nothing is loaded (every other journey reads that store): the broken file and
the Shopify export are only validated there, and the data is checked unchanged. Loading, a refused load
and a refused append run on a server of this module's own, over an empty store.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.browser import (
    fresh_page,
    grid_with,
    main_text,
    nav,
    no_exception,
    settle,
    tile,
    wait_title,
)
from tests.support.journeys import SETTINGS, check_warehouse
from tests.support.server import serve

pytestmark = pytest.mark.browser

SHOPIFY = Path(__file__).resolve().parents[1] / "fixtures" / "shopify_orders_small.csv"
BROKEN_FACTS = "4 rows · 6 columns · format: plain column names"
SHOPIFY_FACTS = "7 rows · 35 columns · format: Shopify orders export"
BROKEN = ("order_id,ordered_at,customer_id,sku,quantity,unit_price\n"
          "J11-1,2026-11-02 10:00,c1,PEN-0001,1,12.50\n"
          "J11-2,2026-11-02 11:00,c2,PEN-0001,2,abc\n"           # row 3: not a number
          "J11-3,soon,c3,PEN-0001,1,4.00\n"                       # row 4: not a date
          "J11-4,2026-11-03 09:00,c4,PEN-0001,-1,-3.00\n")        # row 5: a negative price
PROBLEMS = [  # file, row, column, value, rule: what the table says, read by hand from BROKEN
    ["orders_j11_broken.csv", "3", "unit_price", "abc", "not a number"],
    ["orders_j11_broken.csv", "4", "ordered_at", "soon", "not a date/time this app can read"],
    ["orders_j11_broken.csv", "5", "unit_price", "-3.00", "must not be negative"],
]
# the Shopify export's lines after mapping (tests/fixtures/shopify_orders_small.csv, by hand): file row,
# order, SKU, quantity, unit price, status; -0500 times read into the store's UTC
PREVIEW = [
    ["2", "#2001", "2026-11-02 15:04:12", "MUG-1", "2", "20", "completed"],
    ["3", "#2001", "2026-11-02 15:04:12", "BEAN-1", "1", "18", "completed"],
    ["4", "#2002", "2026-11-03 15:59:00", "KET-1", "2", "40", "completed"],
    ["4", "#2002", "2026-11-03 15:59:00", "KET-1", "-2", "35", "refunded"],     # refunded: a return line
    ["5", "#2003", "2026-11-04 13:30:00", "MCH-1", "1", "300", "cancelled"],    # Cancelled at is set
    ["6", "#2004", "2026-11-05 14:15:00", "FLT-1", "1", "12", "cancelled"],     # voided
    ["7", "#2005", "2026-11-06 22:45:30", "MUG-2", "1", "30", "partially_refunded"],
    ["8", "#2005", "2026-11-06 22:45:30", "SYR-1", "3", "2.5", "partially_refunded"],
]


def upload(page, path: Path, facts: str) -> None:
    """Upload a file and wait until the page has read it (``facts``: the start of the caption it shows)."""
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]', has_text=facts).first.wait_for(
        timeout=60_000)
    settle(page)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    settle(page)


def data_version(page) -> str:
    """The data version the sidebar shows."""
    found = re.search(r"data version\s+(\w+)", page.locator('[data-testid="stSidebar"]').inner_text())
    assert found, page.locator('[data-testid="stSidebar"]').inner_text()[:300]
    return found.group(1)


def mapped_to(page, label: str) -> str:
    """The file column a feed column is mapped from, as its select box shows it (``label`` as on screen,
    with " *" for a required column)."""
    box = page.locator(f'[data-testid="stMain"] [data-testid="stSelectbox"] input[aria-label="{label}"]')
    assert box.count() == 1, (label, box.count())
    return box.input_value()


def message(page, kind: str) -> str:
    """The text of the first success / error / warning box in the main area (its icon left out)."""
    box = page.locator(f'[data-testid="stMain"] [data-testid="stAlertContent{kind.capitalize()}"]').first
    box.wait_for(timeout=60_000)
    return box.locator('[data-testid="stMarkdownContainer"]').first.inner_text().strip()


def error_title(page) -> str:
    return message(page, "error")


def test_sources_broken_file_and_shopify_export(demo, browser, journey, tmp_path):
    with check_warehouse(demo) as wh:
        lines = int(wh.row_counts()["orders"])
    broken = tmp_path / "orders_j11_broken.csv"
    broken.write_text(BROKEN)
    ctx, page = fresh_page(browser)
    with journey.step("open Sources in a fresh browser"):
        page.goto(demo["url"] + "/data")
        wait_title(page, "Data sources")
        assert tile(page, "Order lines") == f"{lines:,}"
        version = data_version(page)

    with journey.step("upload a broken orders file and validate it"):
        upload(page, broken, BROKEN_FACTS)
        assert "Validate only" in main_text(page)
        click(page, "Validate only")
        no_exception(page)
        assert error_title(page).startswith("orders_j11_broken.csv would not load into orders: 3 problems found. "
                                            "Nothing was changed.")
        table = grid_with(page, "rule")
        assert [[r["file"], r["row"], r["column"], r["value"], r["rule"]] for r in table] == PROBLEMS
    with journey.step("the data is unchanged (Sources and Home)"):
        assert tile(page, "Order lines") == f"{lines:,}" and data_version(page) == version
        nav(page, "Home")
        assert tile(page, "Order lines") == f"{lines:,}"
        nav(page, "Sources")

    with journey.step("upload a Shopify orders export and read the mapping"):
        upload(page, SHOPIFY, SHOPIFY_FACTS)
        text = main_text(page)
        assert "format: Shopify orders export" in text and "How a Shopify orders export becomes order lines." in text
        assert "not a marketing channel: Channel is left empty" in text
        page.locator('[data-testid="stExpander"]', has_text="Column mapping").locator("summary").click()
        assert mapped_to(page, "Channel") == "—"                       # not "Source" (web, pos, ...)
        assert mapped_to(page, "Status") == "Financial Status"
        assert mapped_to(page, "Order id *") == "Name" and mapped_to(page, "Quantity *") == "Lineitem quantity"
    with journey.step("read the preview of the mapped lines"):
        rows = grid_with(page, "Row")
        assert [[r["Row"], r["Order id"], r["Ordered at"], r["SKU"], r["Quantity"], r["Unit price"], r["Status"]]
                for r in rows] == PREVIEW
        assert {r["Channel"] for r in rows} == {""}
    with journey.step("validate the export only: nothing changes"):
        click(page, "Validate only")
        no_exception(page)
        assert message(page, "success") == (f"Valid: 8 rows would be loaded into orders (replacing the {lines:,} rows there now). "
                      "Nothing was changed.")
        # the demo catalogue has none of these SKUs: one warning per file row (a return line shares its row)
        assert message(page, "warning").startswith("7 warnings (loaded anyway): 7 × SKU not in the product feed")
        assert tile(page, "Order lines") == f"{lines:,}" and data_version(page) == version
    ctx.close()

    own = tmp_path / "own-store"
    own.mkdir()
    with serve(own, **SETTINGS) as url:
        ctx, page = fresh_page(browser)
        with journey.step("own server: a broken file's load is refused"):
            page.goto(url + "/data")
            wait_title(page, "Data sources")
            upload(page, broken, BROKEN_FACTS)
            assert "The orders feed is empty" in main_text(page)
            click(page, "Validate and replace orders")
            assert error_title(page).startswith("orders_j11_broken.csv was not loaded into orders: 3 problems "
                                                "found. The data already loaded is unchanged.")
            assert [[r["file"], r["row"], r["column"], r["value"], r["rule"]]
                    for r in grid_with(page, "rule")] == PROBLEMS
            assert tile(page, "Order lines") == "0"
        with journey.step("own server: load the Shopify export"):
            upload(page, SHOPIFY, SHOPIFY_FACTS)
            click(page, "Validate and replace orders")
            no_exception(page)
            assert message(page, "success").startswith("Loaded 8 rows into orders from shopify_orders_small.csv (replacing 0).")
            assert tile(page, "Order lines") == "8"
        with journey.step("own server: appending the same export again is refused"):
            page.get_by_text("Append to the feed", exact=True).click()
            said = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]', has_text="Append:")
            said.first.wait_for(timeout=60_000)
            settle(page)
            assert said.first.inner_text().startswith(
                "Append: the file's rows are added to the 8 rows already in orders. A row that is already there "
                "(same order id and SKU) stops the load")
            click(page, "Validate and append to orders")
            assert error_title(page).startswith("shopify_orders_small.csv was not loaded into orders: 8 problems")
            refused = grid_with(page, "rule")
            assert [(r["row"], r["value"], r["reason"]) for r in refused[:2]] == [
                ("2", "#2001 / MUG-1", "already_loaded"), ("3", "#2001 / BEAN-1", "already_loaded")]
            assert tile(page, "Order lines") == "8"
        ctx.close()
