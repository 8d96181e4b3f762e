"""Journey 1, Home: see what data is loaded, how fresh it is, and where to go next."""
from __future__ import annotations

import pytest

from tests.journeys.conftest import check_warehouse
from tests.support.browser import fresh_page, main_text, no_exception, wait_title

pytestmark = pytest.mark.browser


def test_home_shows_the_loaded_feeds_and_where_to_go(demo, browser, journey):
    with check_warehouse(demo) as wh:
        rows = {k: int(v) for k, v in wh.row_counts().items()}
    ctx, page = fresh_page(browser)
    with journey.step("open Home in a fresh browser"):
        page.goto(demo["url"] + "/")
        wait_title(page, "Shopcast")
    no_exception(page)
    text = main_text(page)
    with journey.step("read the feeds"):
        assert f"{rows['orders']:,}" in text, text[:800]
        assert "2026-12-05" in text, text[:800]
    ctx.close()
