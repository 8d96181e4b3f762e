"""Real-browser test of the Pricing & promos scenario builder: Playwright on Debian's chromium, live server.

The store is the small hand-built one of tests/test_app_pricing.py (4 SKUs, data through 2026-03-31), loaded
before the server starts (the server then owns the DuckDB file). The test builds a scenario with every kind of
control (a multiselect, the price slider, the name, a promotion row typed into the st.data_editor grid), saves
it, opens its link in a fresh browser, reloads, and deletes it.
"""
from __future__ import annotations

import os
import re
import time

import pytest

from tests.support.browser import add_promotion, open_promotion_cell, promotion_row
from tests.support.browser_basic import settle
from tests.support.pricing_store import seed_store
from tests.support.server import env_vars, serve

pytestmark = pytest.mark.browser

NAME = "Spring mugs"
VIEWPORT = {"width": 1400, "height": 1000}
SLOW = 120_000
PROMO_ROW = ["20", "2026-04-03", "2026-04-05", "percent_off"]   # the grid's accessible cell texts
SLIDER = '[data-testid="stSlider"] input[type="range"]'       # react-aria: the thumb's hidden range input


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    data = tmp_path_factory.mktemp("pricing")
    settings = {"SHOPCAST_DATA_DIR": str(data), "SHOPCAST_TIMEZONE": "UTC", "SHOPCAST_CURRENCY": "USD"}
    with env_vars(**settings):
        seed_store()
    with serve(data, **settings) as url:
        yield url


def tile(page, label: str) -> str:
    """The value of the metric tile whose label is exactly `label` ("Units" is not "Incremental units")."""
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label_re))
    assert box.count() == 1, f"{box.count()} metric tiles labelled {label!r}"
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def shot(page, name: str) -> None:
    """A full-page screenshot into $BRP_SHOTS (a folder), when set: for looking at a failing run."""
    if os.environ.get("BRP_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["BRP_SHOTS"], f"{name}.png"), full_page=True)


def no_errors(page) -> None:
    assert not page.locator('[data-testid="stException"]').count()
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Page not found" not in main and "cannot run yet" not in main


def wait_text(page, text: str, timeout: float = SLOW) -> None:
    page.get_by_text(text).first.wait_for(timeout=timeout)
    settle(page)


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def builder_state(page) -> dict[str, str]:
    return {"saved": page.locator('input[aria-label="Saved scenario"]').input_value(),
            "name": page.locator('input[aria-label="Scenario name"]').input_value(),
            "price": page.locator(SLIDER).input_value(),
            "cats": page.locator('[data-testid="stMultiSelect"]').first.inner_text(),
            "units": tile(page, "Units"), "margin": tile(page, "Gross margin"),
            "result": page.locator('[data-testid="stMain"] h3', has_text="Result:").first.inner_text().strip()}


def open_saved(page, url: str) -> None:
    page.goto(url)
    wait_text(page, f"Result: {NAME}")
    page.get_by_role("link", name=re.compile(f"Plan replenishment with “{NAME}”")).wait_for(timeout=SLOW)


def test_build_save_reopen_and_delete_a_scenario(app_url, browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(app_url + "/pricing")
    wait_text(page, "This scenario changes nothing yet")   # first visit fits the models: allow for it
    assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "Pricing & promos"
    assert page.locator('input[aria-label="Saved scenario"]').input_value() == "New scenario (not saved yet)"
    no_errors(page)

    # scope: the Mugs category
    page.locator('[data-testid="stMultiSelect"]', has_text="Categories").locator("input").click()
    page.get_by_role("option", name="Mugs", exact=True).click()
    page.keyboard.press("Escape")
    settle(page)
    assert "Mugs" in page.locator('[data-testid="stMultiSelect"]').first.inner_text()

    # regular price -10 %: ten steps left on the slider's thumb
    thumb = page.locator(SLIDER)
    thumb.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => document.querySelector('{SLIDER}').value === '-10'", timeout=30_000)
    wait_text(page, "Result: New scenario")

    # the name
    name = page.locator('input[aria-label="Scenario name"]')
    name.fill(NAME)
    name.press("Enter")
    wait_text(page, f"Result: {NAME}")
    units_price_only = tile(page, "Units")

    # a promotion row typed into the st.data_editor grid
    add_promotion(page, "20", "2026-04-03", "2026-04-05")
    page.wait_for_function("units => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => "
                           "m.querySelector('[data-testid=\"stMetricLabel\"]').innerText.trim() === 'Units' && "
                           "m.querySelector('[data-testid=\"stMetricValue\"]').innerText.trim() !== units)",
                           arg=units_price_only, timeout=SLOW)      # the result with the promotion has drawn
    wait_text(page, "Stock consequences")
    assert promotion_row(page) == PROMO_ROW
    assert page.locator('[data-testid="stDataFrame"]').first.locator('[data-testid="glide-cell-1-1"]').count() == 0
    # one date format: the start cell's editor is a text field showing the date as the cell does (a date
    # picker would show the browser's locale, 04/03/2026), and a date typed another way is refused
    editor = open_promotion_cell(page, 0, "start")
    assert editor.evaluate("e => e.type") != "date" and editor.input_value() == "2026-04-03"
    editor.fill("04/05/2026")
    page.keyboard.press("Enter")
    time.sleep(1)
    page.keyboard.press("Escape")
    settle(page)
    assert promotion_row(page) == PROMO_ROW
    before = builder_state(page)
    assert before["units"] != units_price_only, "the promotion did not change the result"
    assert before["price"] == "-10" and before["name"] == NAME and "Mugs" in before["cats"]
    assert "Save the scenario to hand its demand to the Replenishment page." in main_text(page)
    shot(page, "built")
    no_errors(page)

    # save: the name goes into the URL and the select; the result links to Replenishment
    page.get_by_role("button", name="Save scenario").click()
    wait_text(page, f"Saved “{NAME}”.")
    page.wait_for_function("() => /[?&]sc=Spring(\\+|%20)mugs(&|$)/.test(location.search)", timeout=30_000)
    page.get_by_role("link", name=re.compile(f"Plan replenishment with “{NAME}”")).wait_for(timeout=SLOW)
    saved = builder_state(page)
    assert saved["saved"] == NAME
    assert {k: saved[k] for k in ("units", "margin", "price", "name")} == \
           {k: before[k] for k in ("units", "margin", "price", "name")}
    link = page.url
    no_errors(page)

    # the link in a fresh browser context (a new session: everything comes from the warehouse)
    ctx2 = browser.new_context(viewport=VIEWPORT)
    page2 = ctx2.new_page()
    open_saved(page2, link)
    shot(page2, "fresh")
    fresh = builder_state(page2)
    assert fresh["saved"] == NAME and fresh["name"] == NAME and fresh["price"] == "-10"
    assert "Mugs" in fresh["cats"]
    assert (fresh["units"], fresh["margin"]) == (before["units"], before["margin"])
    assert fresh["result"] == f"Result: {NAME}"
    assert promotion_row(page2) == PROMO_ROW
    no_errors(page2)

    # a reload keeps it all
    page2.reload()
    wait_text(page2, f"Result: {NAME}")
    shot(page2, "reloaded")
    assert builder_state(page2) == fresh
    assert promotion_row(page2) == PROMO_ROW
    no_errors(page2)

    # delete: back to a new scenario, the name leaves the URL
    page2.get_by_role("button", name="Delete").click()                  # opens the confirmation
    page2.get_by_role("button", name=f"Delete “{NAME}”").click()
    wait_text(page2, f"Deleted “{NAME}”.")
    page2.wait_for_function("() => !location.search.includes('sc=')", timeout=30_000)
    assert page2.locator('input[aria-label="Saved scenario"]').input_value() == "New scenario (not saved yet)"
    page2.locator('input[aria-label="Saved scenario"]').click()
    options = page2.get_by_role("option").all_inner_texts()
    page2.keyboard.press("Escape")
    assert not any(NAME in o for o in options), options
    no_errors(page2)
    ctx2.close()
    ctx.close()


def test_unknown_scenario_in_the_link_is_named(app_url, browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(app_url + "/pricing?sc=Nope")
    wait_text(page, "no saved scenario is named")
    assert "no saved scenario is named “Nope”" in main_text(page)
    assert page.locator('input[aria-label="Saved scenario"]').input_value() == "New scenario (not saved yet)"
    assert "This scenario changes nothing yet" in main_text(page)
    assert not page.locator('[data-testid="stException"]').count()
    ctx.close()
