"""Real-browser tests (Playwright driving Debian's chromium) against a live `streamlit run`."""
from __future__ import annotations

import re

import pytest

from tests.support.browser_basic import metric, settle
from tests.support.server import free_port, serve
from tests.support.workbooks import workbook

pytestmark = pytest.mark.browser


_free_port = free_port       # kept for the browser tests that import it


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("appdata"), SHOPCAST_TIMEZONE="UTC") as url:
        yield url


def test_deep_links_open_the_right_page_with_layout_and_state(app_url, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(app_url + "/data?src=Demo+store&preview=products&seed=11")
    settle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Data sources" in main
    assert "Page not found" not in page.locator("body").inner_text()
    assert "Generate and load the demo store" in main
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Home" in nav and "Sources" in nav and "pages" not in nav
    assert "Warehouse:" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert page.locator('[data-testid="stNumberInput"] input').first.input_value() == "11"
    assert page.locator('input[aria-label="Preview feed"]').input_value() == "products"
    assert not page.locator('[data-testid="stException"]').count()
    ctx.close()


def test_load_demo_reject_bad_file_then_accept_good_file(app_url, browser, tmp_path):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(app_url + "/data?src=Demo+store&scale=0.1")
    settle(page)
    page.get_by_role("button", name=re.compile("Generate and load the demo store")).click()
    page.wait_for_selector('text=Demo store loaded', timeout=180_000)
    settle(page)
    demo_orders = metric(page, "Order lines")
    assert int(demo_orders.replace(",", "")) > 1000

    bad = tmp_path / "orders_bad.csv"
    bad.write_text("order_id,ordered_at,customer_id,sku,quantity,unit_price\n"
                   "A1,2026-01-02 10:00,c1,S1,1,10.00\n"
                   "A2,2026-01-02 11:00,c2,S1,1,abc\n")
    page.goto(app_url + "/data")
    settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    settle(page)
    page.get_by_role("button", name="Validate and replace orders").click()
    settle(page)
    err = page.locator('[data-testid="stAlertContentError"]').inner_text()
    assert "orders_bad.csv was not loaded" in err and "row 3" in err and "unit_price" in err
    assert "unchanged" in err
    assert metric(page, "Order lines") == demo_orders
    assert not page.locator('[data-testid="stException"]').count()

    good = tmp_path / "orders_good.csv"
    good.write_text(bad.read_text().replace("abc", "12.50"))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    settle(page)
    page.get_by_role("button", name="Validate and replace orders").click()
    settle(page)
    assert "Loaded 2 rows into orders" in page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    assert metric(page, "Order lines") == "2"
    ctx.close()


def test_app_source_has_no_traceback_on_bad_deep_link(app_url, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(app_url + "/data?src=Nonsense&preview=%27%3B+drop+table+orders")
    settle(page)
    assert "Data sources" in page.locator('[data-testid="stMain"]').inner_text()
    assert not page.locator('[data-testid="stException"]').count()
    ctx.close()




def test_a_workbook_of_several_sheets_proposes_its_orders_and_loads_two_sheets_at_once(app_url, browser, tmp_path):
    """Issue 18 point 1: the orders are on the workbook's second sheet (the first holds notes). The Data page
    lists the sheets, proposes the orders sheet, and loads the orders and products sheets in one go."""
    book = tmp_path / "shop.xlsx"
    book.write_bytes(workbook())
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(app_url + "/data")
    settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(book))
    # the upload's run may start after settle() has looked (busy machine): wait for its last element, the load
    # button, before reading the page
    page.get_by_role("button", name="Validate and replace orders").wait_for(timeout=120_000)
    settle(page)
    main = page.locator('[data-testid="stMain"]')
    picked = main.locator('[data-testid="stSelectbox"]').filter(has_text="Sheet (4 in this workbook)")
    assert picked.locator("input").input_value() == "Orders (3 rows, looks like orders: 6 of 6 required columns)"
    assert "Validate and replace orders" in main.inner_text()
    page.get_by_text("Load several sheets at once (2 look like feeds)").click()
    settle(page)
    page.get_by_role("button", name="Load 2 sheets").click()
    settle(page)
    done = page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    assert "Loaded products (2 rows), orders (3 rows) from shop.xlsx." in done
    assert metric(page, "Order lines") == "3"
    assert not page.locator('[data-testid="stException"]').count()
    ctx.close()
