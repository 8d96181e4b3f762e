"""The first real-browser tests' way of waiting and reading (tests/test_browser.py), kept apart from
tests/support/browser.py's stricter settle: settle waits up to 90 s for a title and for the running-man
widget to go; metric reads a tile."""
from __future__ import annotations

import time

__all__ = ["metric", "settle"]


def settle(page, timeout: float = 90) -> None:
    """Wait until the page has content and the script has stopped running."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout * 1000)
    time.sleep(0.5)
    end = time.time() + timeout
    while time.time() < end and page.locator('[data-testid="stStatusWidget"]').count():
        time.sleep(0.25)
    time.sleep(0.5)


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()
