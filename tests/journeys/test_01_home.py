"""Journey 1, Home: see what data is loaded, how fresh it is, and where to go next."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.browser import (
    fresh_page,
    main_text,
    no_exception,
    tile,
    tiles,
    truncated_tiles,
    wait_title,
)
from tests.support.journeys import check_warehouse

pytestmark = pytest.mark.browser

LABELS = {"orders": "Order lines", "events": "Web events", "inventory": "Stock snapshots", "products": "Products",
          "promotions": "Promotions", "customers": "Customers", "spend": "Marketing spend"}
NEXT = {"Overview": ("/overview", "How are sales going?"),
        "Funnel": ("/funnel", "Where do visitors drop out between viewing a product and buying it"),
        "Replenishment": ("/replenishment", "What should we order this week, from whom, and how much?")}


def test_home_shows_the_loaded_feeds_and_where_to_go(demo, browser, journey):
    from lib.ingest import feed_overview, freshness

    with check_warehouse(demo) as wh:
        rows = {k: int(v) for k, v in wh.row_counts().items()}
        overview = feed_overview(wh)
    ctx, page = fresh_page(browser)
    with journey.step("open Home in a fresh browser"):
        page.goto(demo["url"] + "/")
        wait_title(page, "Shopcast")
    no_exception(page)
    text = main_text(page)
    with journey.step("read the feeds"):
        shown = tiles(page)
        assert "Orders" not in shown                           # the orders feed counts lines, not orders
        assert tile(page, "Order lines") == f"{rows['orders']:,}"
        assert not truncated_tiles(page), truncated_tiles(page)   # six feeds in one row cut counts off
        assert {LABELS[f]: shown[LABELS[f]] for f in rows} == {LABELS[f]: f"{n:,}" for f, n in rows.items()}
        assert "2026-12-05" in text, text[:800]
    with journey.step("read how fresh each feed is"):
        today = datetime.now(UTC).date()                      # the server's today (store timezone UTC)
        fresh = freshness(overview, today)
        assert fresh["feed"].tolist() == ["orders", "events", "inventory", "spend"]
        for rec in fresh.itertuples(index=False):
            age = "today" if rec.days_old <= 0 else f"{rec.days_old} day{'s' if rec.days_old != 1 else ''} ago"
            line = f"{LABELS[rec.feed]}: {rec.first:%Y-%m-%d} → {rec.last:%Y-%m-%d} (latest {age})"
            assert line in text, (line, text[:1500])
    with journey.step("read where to go next"):
        for title, (_, question) in NEXT.items():
            assert question in text, (title, text[:1500])
        assert "Needs" not in text                             # the demo store has every feed those pages read
    for title, (path, _) in NEXT.items():
        with journey.step(f"follow the {title} link"):
            page.locator('[data-testid="stMain"]').get_by_role("link", name=title, exact=True).click()
            page.wait_for_url(f"**{path}*", timeout=60_000)
            page.locator('[data-testid="stMain"] h1', has_text=title).first.wait_for(timeout=60_000)
            no_exception(page)
        with journey.step("back to Home"):
            page.go_back()
            wait_title(page, "Shopcast")
    ctx.close()
