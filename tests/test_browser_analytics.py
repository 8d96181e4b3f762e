"""Real-browser tests of the analytics pages (Funnel, Cohorts): Playwright on Debian's chromium, live server.

The store is the seven-session one of tests/test_app_funnel.py, loaded before the server starts (the
server then owns the DuckDB file).
"""
from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from lib.charts.common import KNOWN_SEGMENTS
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.browser_basic import metric, settle
from tests.support.funnel_store import seed_rows
from tests.support.server import serve

pytestmark = pytest.mark.browser

CHARTS = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    data = tmp_path_factory.mktemp("analytics")
    wh = Warehouse.open(settings=Settings(data_dir=data, store_timezone="UTC"))
    seed_rows(wh)
    wh.dispose()
    with serve(data, SHOPCAST_TIMEZONE="UTC") as url:
        yield url


def charts_drawn(page, n: int, timeout: float = 60) -> None:
    """Wait until at least `n` Vega-Lite charts have drawn (a canvas or an svg each)."""
    page.wait_for_function(f"() => document.querySelectorAll('{CHARTS}').length >= {n}", timeout=timeout * 1000)


def no_errors(page) -> None:
    assert not page.locator('[data-testid="stException"]').count()
    assert "Page not found" not in page.locator("body").inner_text()


def test_funnel_renders_and_controls_update_the_url(app_url, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(app_url + "/funnel")
    settle(page)
    charts_drawn(page, 3)                                   # funnel, trend, time to convert
    assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "Funnel"
    assert metric(page, "Sessions entering") == "7"
    assert metric(page, "Sessions completing") == "2"
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Funnel" in nav and "Cohorts" in nav

    page.get_by_role("radio", name="Strict", exact=True).click()
    page.wait_for_function("() => location.search.includes('order=Strict')", timeout=30_000)
    settle(page)
    charts_drawn(page, 3)
    assert metric(page, "Sessions completing") == "2"

    page.locator('input[aria-label="Breakdown"]').click()
    page.get_by_role("option", name="Channel", exact=True).click()
    page.wait_for_function("() => location.search.includes('by=Channel')", timeout=30_000)
    settle(page)
    charts_drawn(page, 4)                                   # plus the segment bars
    assert "Click a bar to filter the page" in page.locator('[data-testid="stMain"]').inner_text()
    no_errors(page)
    ctx.close()


def _click_colour(page, chart, hex_colour: str, until: str) -> None:
    """Click the pixels of one colour in a drawn chart (a bar of that segment) until the page's script `until`
    is true. The middle such pixel first; then, fresh screenshot each time, the one a third and two thirds in:
    on a busy machine the chart may still be laid out again after it was first drawn, or the middle pixel may
    fall on the legend's swatch of the same colour, and the click then selects nothing."""
    rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    for share in (2, 3, 1.5):
        chart.scroll_into_view_if_needed()
        time.sleep(0.5)
        box = chart.bounding_box()
        img = Image.open(io.BytesIO(chart.screenshot())).convert("RGB")
        hits = [(x, y) for y in range(img.height // 3, img.height) for x in range(0, img.width, 2)
                if all(abs(a - b) < 12 for a, b in zip(img.getpixel((x, y)), rgb, strict=True))]
        assert hits, f"no {hex_colour} pixels in the chart"
        x, y = hits[int(len(hits) / share)]
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            page.wait_for_function(until, timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    page.wait_for_function(until, timeout=10_000)


def _metric_settles(page, label: str, expected: str, seconds: float = 30) -> str:
    """The metric's value once it reads `expected`, or what it reads after `seconds`: settle() can look between
    the click and the run it starts, and the tiles shown then are the previous run's."""
    end = time.time() + seconds
    value = metric(page, label)
    while value != expected and time.time() < end:
        time.sleep(0.3)
        value = metric(page, label)
    return value


def test_clicking_a_segment_bar_filters_the_page(app_url, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(app_url + "/funnel?by=Channel")
    settle(page)
    charts_drawn(page, 4)
    time.sleep(1)
    # email has its own colour on every page (lib.charts.common.segment_color)
    _click_colour(page, page.locator('[data-testid="stVegaLiteChart"]').nth(1), KNOWN_SEGMENTS["email"],
                  "() => location.search.includes('seg=channel%3Aemail')")
    chip = page.get_by_role("button", name=re.compile("Segment: channel = Email"))
    chip.wait_for(timeout=30_000)
    settle(page)
    assert _metric_settles(page, "Sessions entering", "3") == "3"
    chip.click()
    page.wait_for_function("() => !location.search.includes('seg=')", timeout=30_000)
    page.wait_for_function("() => !document.body.innerText.includes('Segment: channel')", timeout=30_000)
    settle(page)
    assert _metric_settles(page, "Sessions entering", "7") == "7"
    no_errors(page)
    ctx.close()


def test_cohorts_metric_control_redraws_its_charts(app_url, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(app_url + "/cohorts")
    settle(page)
    assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "Cohorts"
    charts_drawn(page, 3)                                   # heatmap, curves, lifecycle
    page.locator('input[aria-label="Metric"]').click()
    page.get_by_role("option", name="Revenue", exact=True).click()
    page.wait_for_function("() => location.search.includes('cmetric=Revenue')", timeout=30_000)
    settle(page)
    charts_drawn(page, 3)
    assert page.locator('input[aria-label="Metric"]').input_value() == "Revenue"
    no_errors(page)
    ctx.close()


def test_funnel_deep_link_restores_the_view_in_a_fresh_browser(app_url, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(app_url + "/funnel?order=Strict&unit=User&window=30+min&by=Device&seg=channel%3Aemail")
    settle(page)
    charts_drawn(page, 4)
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("h1").first.inner_text() == "Funnel"
    active = [t.strip() for t in main.locator('[role="radio"][aria-checked="true"]').all_inner_texts()]
    assert "Strict" in active and "User" in active
    assert page.locator('input[aria-label="Conversion window"]').input_value() == "30 min"
    assert page.locator('input[aria-label="Breakdown"]').input_value() == "Device"
    assert main.get_by_role("button", name="Segment: channel = Email ✕").count() == 1
    # email: c1 (s1) and c2 (s2, s7); strict, 30 minutes: c1 stops at begin_checkout (purchase after 40 min)
    assert metric(page, "Users entering") == "2"
    assert metric(page, "Users completing") == "0"
    assert "Warehouse:" in page.locator('[data-testid="stSidebar"]').inner_text()
    no_errors(page)
    ctx.close()
