"""Real-browser link round trips for the pages tests/test_browser_sharing.py (Overview) and
tests/test_browser_pricing.py (Pricing) do not cover: change a control, take the URL, open it in a
fresh browser and after a reload, and find the same control values and the same numbers."""
from __future__ import annotations

import pytest

from tests.support.browser_basic import settle
from tests.support.sharing_browser import app_url, no_exception, query, store, wait_title  # noqa: F401

pytestmark = pytest.mark.browser


def _state(page) -> dict[str, list[str]]:
    """Every control value and every metric value on the page, in order."""
    main = page.locator('[data-testid="stMain"]')
    selects = [s.input_value() for s in main.locator('[data-testid="stSelectbox"] input').all()]
    sliders = [s.inner_text() for s in main.locator('[data-testid="stSliderThumbValue"]').all()]
    pressed = [b.inner_text() for b in main.locator('[data-testid="stButtonGroup"] [role="radio"][aria-checked="true"]').all()]
    metrics = [m.inner_text().strip() for m in main.locator('[data-testid="stMetricValue"]').all()]
    return {"selects": selects, "sliders": sliders, "pressed": pressed, "metrics": metrics}


def _idle(page, timeout: float = 180) -> None:
    """Wait until no progress bar or spinner is left (a first forecast runs with a progress bar)."""
    page.wait_for_function("() => !document.querySelector('[data-testid=stProgress], [data-testid=stSpinner]')",
                           timeout=timeout * 1000)
    settle(page)


def _change_select(page, label: str) -> None:
    page.locator('[data-testid="stSelectbox"]', has_text=label).first.click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def _change_segment(page, label: str, option: str = "week") -> None:
    """Press ``option`` (the only button of that name on the page) of the control labelled ``label``."""
    assert page.get_by_text(label, exact=True).count() >= 1
    page.locator('[data-testid="stButtonGroup"] button', has_text=option).first.click()


def _change_slider(page, label: str) -> None:
    page.locator('[data-testid="stSlider"]', has_text=label).first.locator('[role="slider"], input').first.focus()
    for _ in range(2):
        page.keyboard.press("ArrowLeft")


CASES = [
    ("cohorts", "Cohorts", _change_select, "Metric", "cmetric"),
    ("explore", "Explore", _change_select, "Split by", "dim"),
    ("forecast", "Forecast", _change_segment, "Grain", "fgrain"),
    ("replenishment", "Replenishment", _change_slider, "Service level", "sl"),
]


@pytest.mark.parametrize("path, title, change, label, key", CASES, ids=[c[0] for c in CASES])
def test_a_changed_control_travels_in_the_link(browser, app_url, path, title, change, label, key):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(f"{app_url}/{path}")
    wait_title(page, title)
    _idle(page)
    change(page, label)
    page.wait_for_function("k => new URLSearchParams(location.search).has(k)", arg=key, timeout=60_000)
    settle(page)
    no_exception(page)
    link, seen = page.url, _state(page)
    if change is _change_segment:
        assert "week" in seen["pressed"], seen        # the state read sees the pressed option
    assert query(link)[key], link
    ctx.close()

    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    again = fresh.new_page()
    again.goto(link)
    wait_title(again, title)
    _idle(again)
    assert _state(again) == seen
    again.reload()
    wait_title(again, title)
    _idle(again)
    assert _state(again) == seen and query(again.url)[key] == query(link)[key]
    no_exception(again)
    fresh.close()
