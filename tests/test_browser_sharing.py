"""Real-browser tests of sharing a view: Playwright on Debian's chromium against a live server.

The store is the small hand-built one of tests/test_app_pricing.py (4 SKUs, web and store channels, data
through 2026-03-31), loaded before the server starts; the orders feed is then reloaded with its first ten
days dropped, so the warehouse keeps an older data version with more order lines (the one a `dv` link pins).

Covered: the shared settings (date range, channels, data version) following the user through the sidebar
navigation; the Share box's link and meeting link; meeting mode; a pinned data version and its banner;
saving a view and opening its short link; links with tampered values.
"""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest

from tests.support.browser_basic import settle
from tests.support.sharing_browser import (  # noqa: F401 - fixtures, used by name
    CHANNEL,
    RANGE,
    SLOW,
    VIEWPORT,
    app_url,
    channels_text,
    code_texts,
    main_text,
    nav,
    no_exception,
    open_share,
    overview_state,
    query,
    range_value,
    save_view,
    set_overview,
    store,
    tile,
    wait_title,
)

pytestmark = pytest.mark.browser

VIEW_NAME = "Monday KPIs"
SHOTS = os.environ.get("BRS_SHOTS")          # a folder: full-page screenshots along the way, for debugging


# -- helpers ---------------------------------------------------------------------------------------------
def shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def new_page(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    return ctx, ctx.new_page()


def assert_same_overview(page, state: dict[str, str]) -> None:
    got = overview_state(page)
    assert got["range"] == state["range"] and CHANNEL in got["channels"], got
    assert "Store" not in got["channels"], got
    assert got["revenue"] == state["revenue"], (got, state)


def orders_card(page) -> str:
    return tile(page, "Order lines")


def banner(page):
    return page.get_by_text("Numbers as they were on")


def share_links(page) -> tuple[str, str]:
    """The Share box's two links (this view, and the same in meeting mode); closes the popover again."""
    links = code_texts(open_share(page))
    page.keyboard.press("Escape")
    assert len(links) >= 2, links
    return links[0], links[1]


def assert_overview_link(url: str, app_url: str, version: str) -> None:  # noqa: F811
    assert url.startswith(app_url + "/"), url
    q = query(url)
    assert urlsplit(url).path == "/overview", f"the link does not point at /overview: {url}"
    assert q.get("range") == [RANGE] and q.get("channel") == [CHANNEL] and q.get("dv") == [version], url


# -- tests -----------------------------------------------------------------------------------------------
def test_shared_settings_follow_through_the_sidebar(app_url, browser):  # noqa: F811
    ctx, page = new_page(browser)
    state = set_overview(page, app_url)
    shot(page, "1-overview")

    nav(page, "Cohorts")
    wait_title(page, "Cohorts")
    shot(page, "1-cohorts")
    assert range_value(page) == RANGE
    assert query(page.url).get("range") == [RANGE], page.url
    no_exception(page)

    nav(page, "Overview")
    wait_title(page, "Overview")
    shot(page, "1-back")
    assert_same_overview(page, state)
    assert query(page.url).get("range") == [RANGE] and query(page.url).get("channel") == [CHANNEL], page.url
    no_exception(page)
    ctx.close()


def test_copied_link_opens_the_same_view(app_url, store, browser):  # noqa: F811
    ctx, page = new_page(browser)
    state = set_overview(page, app_url)
    link, meeting = share_links(page)
    shot(page, "2-share")
    assert meeting == link + "&meeting=1", (link, meeting)
    assert_overview_link(link, app_url, store["new"])
    ctx.close()

    ctx2, page2 = new_page(browser)
    page2.goto(link)
    wait_title(page2, "Overview")
    shot(page2, "2-fresh")
    assert_same_overview(page2, state)
    assert not banner(page2).count()                   # the latest version: no banner
    no_exception(page2)
    page2.reload()
    wait_title(page2, "Overview")
    assert_same_overview(page2, state)
    no_exception(page2)
    ctx2.close()


def test_pinned_data_version_follows_the_user_until_see_the_latest(app_url, store, browser):  # noqa: F811
    ctx, page = new_page(browser)
    page.goto(f"{app_url}/?dv={store['old']}")
    wait_title(page, "Shopcast")
    banner(page).first.wait_for(timeout=SLOW)
    shot(page, "3-pinned")
    assert orders_card(page) == f"{store['old_rows']:,}"
    no_exception(page)

    nav(page, "Sources")
    wait_title(page, "Data sources")
    shot(page, "3-sources")
    assert query(page.url).get("dv") == [store["old"]], page.url     # Sources itself always shows the live data

    nav(page, "Home")
    wait_title(page, "Shopcast")
    shot(page, "3-home")
    assert banner(page).count(), "the pinned version did not follow back to Home"
    assert orders_card(page) == f"{store['old_rows']:,}"

    page.get_by_role("button", name=re.compile("See the latest")).click()
    banner(page).first.wait_for(state="detached", timeout=30_000)
    settle(page)
    shot(page, "3-latest")
    assert not banner(page).count()
    assert orders_card(page) == f"{store['new_rows']:,}"
    no_exception(page)
    ctx.close()


def test_see_the_latest_drops_the_pinned_version_from_the_url(app_url, store, browser):  # noqa: F811
    ctx, page = new_page(browser)
    page.goto(f"{app_url}/overview?dv={store['old']}&range={RANGE.replace(' ', '+')}")
    wait_title(page, "Overview")
    banner(page).first.wait_for(timeout=SLOW)
    page.get_by_role("button", name=re.compile("See the latest")).click()
    banner(page).first.wait_for(state="detached", timeout=30_000)
    settle(page)
    shot(page, "3b-latest")
    assert query(page.url).get("range") == [RANGE], page.url
    page.wait_for_function("() => !new URLSearchParams(location.search).has('dv')", timeout=15_000)
    page.reload()
    wait_title(page, "Overview")
    shot(page, "3b-reloaded")
    assert not banner(page).count(), "the reload went back to the old data version"
    ctx.close()


def test_meeting_mode_hides_the_controls_and_keeps_the_numbers(app_url, store, browser):  # noqa: F811
    ctx, page = new_page(browser)
    state = set_overview(page, app_url)
    meeting = f"{page.url}&dv={store['new']}&meeting=1"
    ctx.close()

    ctx2, page2 = new_page(browser)
    page2.goto(meeting)
    wait_title(page2, "Overview")
    page2.locator('[data-testid="stMetric"]').first.wait_for(timeout=SLOW)
    settle(page2)
    shot(page2, "4-meeting")
    assert not page2.locator('[data-testid="stSidebar"]').is_visible()
    assert not page2.locator('header[data-testid="stHeader"]').is_visible()
    for testid in ("stSelectbox", "stMultiSelect", "stButtonGroup", "stButton", "stPopover", "stDownloadButton"):
        boxes = page2.locator(f'[data-testid="{testid}"]')
        assert not any(boxes.nth(i).is_visible() for i in range(boxes.count())), f"a visible {testid}"
    metrics = page2.locator('[data-testid="stMetric"]')
    assert any(metrics.nth(i).is_visible() for i in range(metrics.count()))
    revenue = page2.locator('[data-testid="stMetric"]', has_text="Revenue").first
    assert revenue.is_visible()
    assert tile(page2, "Revenue") == state["revenue"]
    leave = page2.get_by_role("link", name="Leave meeting mode")
    assert leave.is_visible()
    href = leave.get_attribute("href") or ""
    assert "meeting" not in query(href) and query(href).get("channel") == [CHANNEL], href
    no_exception(page2)
    ctx2.close()


def test_saved_view_opens_from_its_id(app_url, store, browser):  # noqa: F811
    ctx, page = new_page(browser)
    state = set_overview(page, app_url)
    short = save_view(page, VIEW_NAME)
    shot(page, "5-saved")
    view_id = query(short)["v"][0]
    assert re.fullmatch(r"\w+", view_id), short
    ctx.close()

    ctx2, page2 = new_page(browser)
    page2.goto(f"{app_url}/views?v={view_id}")
    page2.wait_for_function("() => location.pathname === '/overview'", timeout=SLOW)
    wait_title(page2, "Overview")
    shot(page2, "5-opened")
    q = query(page2.url)
    assert q.get("range") == [RANGE] and q.get("channel") == [CHANNEL] and q.get("dv") == [store["new"]], page2.url
    assert_same_overview(page2, state)
    no_exception(page2)

    page2.goto(app_url + "/views")
    wait_title(page2, "Saved views")
    page2.locator('input[aria-label="View"]').wait_for(timeout=30_000)
    assert page2.locator('input[aria-label="View"]').input_value() == VIEW_NAME     # the Manage picker
    no_exception(page2)
    ctx2.close()


def test_saved_view_short_link(app_url, store, browser):  # noqa: F811
    ctx, page = new_page(browser)
    state = set_overview(page, app_url)
    short = save_view(page, VIEW_NAME + " (link)")
    assert re.fullmatch(rf"{re.escape(app_url)}/views\?v=\w+", short), short
    ctx.close()

    ctx2, page2 = new_page(browser)
    page2.goto(short)
    page2.wait_for_function("() => location.pathname === '/overview'", timeout=SLOW)
    wait_title(page2, "Overview")
    assert_overview_link(page2.url, app_url, store["new"])
    assert_same_overview(page2, state)
    no_exception(page2)
    ctx2.close()


def test_share_box_after_sidebar_navigation_carries_the_shared_settings(app_url, store, browser):  # noqa: F811
    ctx, page = new_page(browser)
    set_overview(page, app_url)
    nav(page, "Cohorts")
    wait_title(page, "Cohorts")
    assert query(page.url).get("channel") == [CHANNEL], page.url
    link, _ = share_links(page)
    shot(page, "7-cohorts-share")
    q = query(link)
    assert q.get("range") == [RANGE] and q.get("channel") == [CHANNEL], link

    page.goto(f"{app_url}/?dv={store['old']}")
    wait_title(page, "Shopcast")
    nav(page, "Overview")
    wait_title(page, "Overview")
    banner(page).first.wait_for(timeout=30_000)
    link, _ = share_links(page)
    assert query(link).get("dv") == [store["old"]], link
    ctx.close()


def test_tampered_links_are_named_not_crashed(app_url, browser):  # noqa: F811
    ctx, page = new_page(browser)
    page.goto(app_url + "/overview?range=Bogus&channel=%27%3Bdrop")
    wait_title(page, "Overview")
    notice = page.locator('[data-testid="stAlert"]', has_text="Ignored")   # drawn once the page has run
    notice.first.wait_for(timeout=SLOW)
    shot(page, "6-tampered")
    notices = " ".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
    assert "Ignored" in notices, f"no notice of the ignored link values; alerts: {notices!r}"
    assert "range=Bogus" in notices and "channel=';drop" in notices, notices
    assert range_value(page) == "Last 30 days"            # the defaults instead
    assert "drop" not in channels_text(page) and CHANNEL not in channels_text(page)     # all channels
    tile(page, "Revenue")
    no_exception(page)

    page.goto(app_url + "/views?v=zzzzzzzz")
    wait_title(page, "Saved views")
    shot(page, "6-views")
    assert "No saved view has the id" in main_text(page)
    no_exception(page)
    ctx.close()
