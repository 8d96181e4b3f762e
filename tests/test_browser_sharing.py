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
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.server import env_vars, serve
from tests.test_app_pricing import AS_OF, DAYS, T0, order_lines, seed_store
from tests.test_browser import settle

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1400, "height": 1000}
SLOW = 120_000
RANGE = "Last 90 days"                       # also its value in the URL (Streamlit binds the shown label)
CHANNEL = "Web"                              # the web channel as listed and in the URL (in words)
VIEW_NAME = "Monday KPIs"
SHOTS = os.environ.get("BRS_SHOTS")          # a folder: full-page screenshots along the way, for debugging


def _seed_two_versions() -> dict:
    """seed_store, then reload orders without their first ten days: returns both versions and order counts."""
    from lib.settings import Settings
    from lib.warehouse import Warehouse, versions

    seed_store()
    wh = Warehouse.open(settings=Settings.from_env())
    old_rows = int(wh.row_counts()["orders"])
    old_version = wh.data_version()
    lines = order_lines()
    fewer = lines[lines["ordered_at"] >= DAYS[10]].reset_index(drop=True)
    wh.load("orders", fewer, source="upload:orders-recent.csv", as_of=AS_OF, now=T0.replace(hour=13))
    new_rows = int(wh.row_counts()["orders"])
    kept = versions.versions(wh)
    new_version = wh.data_version()
    wh.dispose()
    assert new_rows == len(fewer) < old_rows == len(lines)
    assert kept.loc[0, "version"] == new_version and kept.loc[1, "version"] == old_version, kept
    return {"old": old_version, "new": new_version, "old_rows": old_rows, "new_rows": new_rows}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    data = tmp_path_factory.mktemp("sharing")
    settings = {"SHOPCAST_DATA_DIR": str(data), "SHOPCAST_TIMEZONE": "UTC", "SHOPCAST_CURRENCY": "USD"}
    with env_vars(**settings):
        info = _seed_two_versions()
    with serve(data, **settings) as url:
        yield {**info, "url": url}


@pytest.fixture
def app_url(store) -> str:
    return store["url"]


# -- helpers ---------------------------------------------------------------------------------------------
def shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def new_page(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    return ctx, ctx.new_page()


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def no_exception(page) -> None:
    assert not page.locator('[data-testid="stException"]').count(), \
        page.locator('[data-testid="stException"]').first.inner_text()
    assert "Page not found" not in main_text(page)


def wait_title(page, title: str) -> None:
    page.locator('[data-testid="stMain"] h1', has_text=title).first.wait_for(timeout=SLOW)
    settle(page)


def tile(page, label: str) -> str:
    """The value of the metric tile whose label is exactly `label`."""
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label_re))
    box.first.wait_for(timeout=SLOW)
    assert box.count() == 1, f"{box.count()} metric tiles labelled {label!r}"
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def range_value(page) -> str:
    return page.locator('input[aria-label="Date range"]').input_value()


def channels_text(page) -> str:
    return page.locator('[data-testid="stMultiSelect"]', has_text="Channels").first.inner_text()


def overview_state(page) -> dict[str, str]:
    return {"range": range_value(page), "channels": channels_text(page), "revenue": tile(page, "Revenue")}


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def nav(page, title: str) -> None:
    """Click a page in the sidebar navigation and wait for it to draw."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    time.sleep(0.5)
    settle(page)


def set_overview(page, app_url: str) -> dict[str, str]:
    """Open the Overview, pick the last 90 days and the web channel; returns the page's state."""
    page.goto(app_url + "/overview")
    wait_title(page, "Overview")
    before = tile(page, "Revenue")
    page.locator('[data-testid="stSelectbox"]', has_text="Date range").click()
    page.get_by_role("option", name=RANGE, exact=True).click()
    page.wait_for_function("r => new URLSearchParams(location.search).get('range') === r", arg=RANGE,
                           timeout=30_000)
    settle(page)
    page.locator('[data-testid="stMultiSelect"]', has_text="Channels").locator("input").click()
    page.get_by_role("option", name=CHANNEL, exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("c => new URLSearchParams(location.search).getAll('channel').includes(c)",
                           arg=CHANNEL, timeout=30_000)
    settle(page)
    state = overview_state(page)
    assert state["range"] == RANGE and CHANNEL in state["channels"], state
    assert state["revenue"] != before, "the range and channel did not change the revenue"
    no_exception(page)
    return state


def open_share(page):
    """Open the sidebar's Share popover; returns its body."""
    page.locator('[data-testid="stSidebar"] [data-testid="stPopover"] button', has_text="Share this view").click()
    body = page.locator('[data-testid="stPopoverBody"]')
    body.locator('[data-testid="stCode"]').first.wait_for(timeout=30_000)
    return body


def code_texts(scope) -> list[str]:
    return [t.strip() for t in scope.locator('[data-testid="stCode"] code').all_inner_texts()]


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


def save_view(page, name: str) -> str:
    """Save the current view from the Share box; returns the short link the box then shows."""
    body = open_share(page)
    body.get_by_label("Save this view as").fill(name)
    body.get_by_label("Note (optional)").fill("for the weekly review")
    body.get_by_role("button", name="Save this view").click()
    page.get_by_text(f"Saved “{name}”. Short link:").wait_for(timeout=30_000)
    settle(page)
    short = [t for t in code_texts(page.locator('[data-testid="stPopoverBody"]')) if "views?v=" in t]
    assert len(short) == 1, code_texts(page.locator('[data-testid="stPopoverBody"]'))
    return short[0]


def assert_overview_link(url: str, app_url: str, version: str) -> None:
    assert url.startswith(app_url + "/"), url
    q = query(url)
    assert urlsplit(url).path == "/overview", f"the link does not point at /overview: {url}"
    assert q.get("range") == [RANGE] and q.get("channel") == [CHANNEL] and q.get("dv") == [version], url


# -- tests -----------------------------------------------------------------------------------------------
def test_shared_settings_follow_through_the_sidebar(app_url, browser):
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


def test_copied_link_opens_the_same_view(app_url, store, browser):
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


def test_pinned_data_version_follows_the_user_until_see_the_latest(app_url, store, browser):
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


def test_see_the_latest_drops_the_pinned_version_from_the_url(app_url, store, browser):
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


def test_meeting_mode_hides_the_controls_and_keeps_the_numbers(app_url, store, browser):
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


def test_saved_view_opens_from_its_id(app_url, store, browser):
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


def test_saved_view_short_link(app_url, store, browser):
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


def test_share_box_after_sidebar_navigation_carries_the_shared_settings(app_url, store, browser):
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


def test_tampered_links_are_named_not_crashed(app_url, browser):
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
