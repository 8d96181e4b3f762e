"""Real-browser test of the month grain: the Forecast page on a store whose history is monthly only
(tests/support/monthly_store.py, one order line per SKU and month; hand-computed numbers there), on a live server.

A planner opens a link asking for days, reads why the store cannot be forecast by day, picks Month, and
reads the forecast: 1,410 units and $18,300 over July .. December 2026, per SKU 1,110 / 240 / 60.
"""
from __future__ import annotations

import pytest

from tests.support import monthly_store
from tests.support.browser import (
    SLOW,
    alerts,
    caption_texts,
    clipped_options,
    fresh_page,
    grid_rows,
    no_exception,
    number,
    query,
    segment,
    segmented,
    tile,
    wait_title,
)
from tests.support.server import env_vars, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    data = tmp_path_factory.mktemp("monthly-browser")
    settings = {"SHOPCAST_DATA_DIR": str(data), "SHOPCAST_TIMEZONE": "UTC", "SHOPCAST_CURRENCY": "USD"}
    with env_vars(**settings):
        monthly_store.seed()
    with serve(data, **settings) as url:
        yield url


def test_a_monthly_store_is_forecast_by_month_in_the_browser(browser, app_url):
    ctx, page = fresh_page(browser)
    try:
        page.goto(app_url + "/forecast?fgrain=day&model=seasonal_naive")
        wait_title(page, "Forecast")
        no_exception(page)
        refused = [a for a in alerts(page) if "No forecast by day for this store." in a]
        assert refused and "one order line per SKU and month" in refused[0]
        assert not page.locator('[data-testid="stMetric"]').count()

        assert clipped_options(page, "Grain") == []                    # day, week and month all on screen
        segment(page, "month")
        # month is this store's default grain, so the link drops fgrain rather than repeating the default
        page.wait_for_function("() => !location.search.includes('fgrain=day')", timeout=SLOW)
        assert segmented(page, "Grain") == "month"
        assert query(page.url).get("fgrain", ["month"]) == ["month"] and query(page.url)["model"] == ["seasonal_naive"]
        assert tile(page, "Forecast units, next 6 months") == "1,410"
        assert tile(page, "Forecast revenue at today's prices") == "$18,300"
        assert tile(page, "Change vs the previous 6 months") == "+34.3%"
        assert any("6 months ahead: Wed Jul 01, 2026 to Thu Dec 31, 2026." in c and "history is monthly" in c
                   for c in caption_texts(page))
        skus = grid_rows(page.locator('[data-testid="stDataFrame"]').filter(has_text="Oak shelf").first)
        assert [(r["SKU"], number(r["forecast units"])) for r in skus] == [("M1", 1110), ("M2", 240), ("M3", 60)]
        no_exception(page)
    finally:
        ctx.close()
