"""Real-browser tests of the shared date range on the Overview (the small store of tests/test_kpis.py).

Typed dates: Streamlit 1.67's date field (year / month / day segments) sends a typed date only when the
whole field loses focus; Enter did nothing and Tab from the day went to the field's own calendar
button, so the range shown in the field was not the range used (lib/ui/assets/dates.js fixes both).
Revenue per range, by hand from the store's lines (tests/test_kpis.py): Mar 01..07 = 138;
Mar 02..07 = 138 - 25 - 20 (o3 on 03-01) = 93; Mar 01..05 = 25 + 20 + 40 + 15 + 10 - 10 = 100.
"""
from __future__ import annotations

import time

import pytest

from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.browser import alerts, caption_texts, fresh_page, no_exception, settle, tile
from tests.support.kpi_store import load_store
from tests.support.server import serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    data = tmp_path_factory.mktemp("overview")
    wh = Warehouse.open(settings=Settings(data_dir=data, store_timezone="UTC"))
    load_store(wh)
    wh.dispose()
    with serve(data, SHOPCAST_TIMEZONE="UTC", SHOPCAST_CURRENCY="USD") as url:
        yield url


def _range_caption(page) -> str:
    return next(c for c in caption_texts(page) if "Data through" in c)


def _type_day(page, field: str, day: str) -> None:
    """Click the day segment of the From/To field and type a day, as a person does."""
    seg = page.locator('[data-testid="stDateInput"]').filter(has_text=field).locator('[data-type="day"]')
    seg.click()
    page.keyboard.type(day)
    time.sleep(0.3)


def _wait_caption(page, text: str, timeout: float = 20) -> None:
    end = time.time() + timeout
    while time.time() < end and text not in _range_caption(page):
        time.sleep(0.3)
    settle(page)


@pytest.mark.parametrize(("field", "day", "key", "caption", "revenue", "url"), [
    ("From", "02", "Enter", "Mar 02, 2026 – Mar 07, 2026", "$93.00", "from=2026-03-02"),
    ("To", "05", "Tab", "Mar 01, 2026 – Mar 05, 2026", "$100.00", "to=2026-03-05"),
    ("From", "02", "Tab", "Mar 02, 2026 – Mar 07, 2026", "$93.00", "from=2026-03-02"),
])
def test_a_typed_date_applies_on_enter_and_tab(app_url, browser, field, day, key, caption, revenue, url):
    ctx, page = fresh_page(browser)
    page.goto(f"{app_url}/overview?range=Custom&from=2026-03-01&to=2026-03-07")
    settle(page)
    assert "Mar 01, 2026 – Mar 07, 2026" in _range_caption(page)
    assert tile(page, "Revenue") == "$138.00"
    _type_day(page, field, day)
    page.keyboard.press(key)
    _wait_caption(page, caption)
    assert caption in _range_caption(page), _range_caption(page)
    assert tile(page, "Revenue") == revenue
    assert url in page.url
    no_exception(page)
    ctx.close()


def test_an_old_month_to_date_link_opens_this_month(app_url, browser):
    # links written before "This month" existed say "Month to date"; the data's last day is Mar 08
    ctx, page = fresh_page(browser)
    page.goto(f"{app_url}/overview?range=Month+to+date")
    settle(page)
    assert "Mar 01, 2026 – Mar 08, 2026" in _range_caption(page)
    assert tile(page, "Revenue") == "$158.00"           # 138 + o8 (20) on Mar 08
    assert not alerts(page), alerts(page)              # nothing "ignored from the link"
    assert page.locator('input[aria-label="Date range"]').input_value() == "This month"
    ctx.close()
