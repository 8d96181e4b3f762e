"""The live server of the sharing tests (tests/test_browser_sharing.py) and how they read it: the store
(tests/support/pricing_store.py's, its orders feed then reloaded without its first ten days, so an older
data version with more order lines is kept), and helpers that set the Overview's date range and channel,
read its state and save a view; waits of up to SLOW ms."""
from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.browser_basic import settle
from tests.support.pricing_store import AS_OF, DAYS, T0, order_lines, seed_store
from tests.support.server import env_vars, serve

__all__ = ["CHANNEL", "RANGE", "SLOW", "VIEWPORT", "app_url", "channels_text", "code_texts", "main_text",
           "nav", "no_exception", "open_share", "overview_state", "query", "range_value", "save_view",
           "set_overview", "store", "tile", "wait_title"]


VIEWPORT = {"width": 1400, "height": 1000}
SLOW = 120_000
RANGE = "Last 90 days"                       # also its value in the URL (Streamlit binds the shown label)
CHANNEL = "Web"                              # the web channel as listed and in the URL (in words)


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
