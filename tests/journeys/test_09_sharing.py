"""Journey 9, Sharing: change a few controls, copy the link, open it in a fresh browser: the same view;
meeting mode on a projector; save a view and reopen it later."""
from __future__ import annotations

import pytest

from tests.support.browser import (
    SLOW,
    fresh_page,
    no_exception,
    overflow,
    pick,
    press,
    query,
    save_view,
    segmented,
    share_links,
    tile,
    wait_title,
)

pytestmark = pytest.mark.browser

TILES = ("Users entering", "Users completing", "Overall conversion")


def _state(page) -> dict:
    return {"tiles": {k: tile(page, k) for k in TILES},
            "per": segmented(page, "Count per"),
            "window": page.locator('input[aria-label="Conversion window"]').input_value(),
            "range": page.locator('input[aria-label="Date range"]').input_value()}


def test_a_copied_link_a_meeting_screen_and_a_saved_view_show_the_same_funnel(demo, browser, journey):
    url = demo["url"]
    ctx, page = fresh_page(browser)
    with journey.step("change the funnel: per user, a 7-day window, the last 90 days"):
        page.goto(url + "/funnel")
        wait_title(page, "Funnel")
        press(page, "Count per", "User")
        pick(page, "Conversion window", "7 days")
        pick(page, "Date range", "Last 90 days")
        state = _state(page)
        no_exception(page)
    assert state["per"] == "User" and state["window"] == "7 days" and state["range"] == "Last 90 days", state
    assert all(state["tiles"].values()), state
    with journey.step("copy the link from the Share box"):
        link, meeting = share_links(page)
    q = query(link)
    assert q.get("unit") == ["User"] and q.get("window") == ["7 days"] and q.get("range") == ["Last 90 days"], link
    assert "dv" in q and meeting == link + "&meeting=1", (link, meeting)
    ctx.close()

    ctx2, fresh = fresh_page(browser)
    with journey.step("open the link in a fresh browser"):
        fresh.goto(link)
        wait_title(fresh, "Funnel")
        assert _state(fresh) == state
        no_exception(fresh)
    with journey.step("meeting mode on a 1217 px projector window"):
        fresh.set_viewport_size({"width": 1217, "height": 800})
        fresh.goto(meeting)
        wait_title(fresh, "Funnel")
        assert {k: tile(fresh, k) for k in TILES} == state["tiles"]
        assert not fresh.locator('[data-testid="stSidebar"]').is_visible()
        assert not fresh.locator('input[aria-label="Conversion window"]').is_visible()
        reach = overflow(fresh)
        assert reach["right"] <= reach["width"] + 1, reach
    ctx2.close()

    ctx3, later = fresh_page(browser)
    with journey.step("save the view, then reopen it from Saved views"):
        later.goto(link)
        wait_title(later, "Funnel")
        short = save_view(later, "J9 users 7-day window")
        view_id = query(short)["v"][0]
        later.goto(url + "/views")
        wait_title(later, "Saved views")
        later.locator('input[aria-label="View"]').wait_for(timeout=SLOW)
        assert later.locator('input[aria-label="View"]').input_value() == "J9 users 7-day window"   # newest first
        later.goto(f"{url}/views?v={view_id}")
        later.wait_for_function("() => location.pathname === '/funnel'", timeout=SLOW)
        wait_title(later, "Funnel")
        assert _state(later) == state
        no_exception(later)
    ctx3.close()
