"""bench/load_wire.py against a real server: a wire session opens pages and reports what went wrong."""
from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.pricing_store import seed_store
from tests.support.server import env_vars, serve

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from load_wire import WireSession  # noqa: E402


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    data = tmp_path_factory.mktemp("wire")
    settings = {"SHOPCAST_DATA_DIR": str(data), "SHOPCAST_TIMEZONE": "UTC", "SHOPCAST_CURRENCY": "USD"}
    with env_vars(**settings):
        seed_store()
    with serve(data, **settings) as u:
        yield u


def test_wire_session_runs_pages_and_names_failures(url):
    results: list = []
    errors: list = []

    async def go():
        w = WireSession(url, "t", results, errors)
        await w.open(120)
        pages = dict(w.pages)
        w.where = "Overview"
        await w.step("open", "overview", "range=Last+7+days", 120)
        w.where = "Nowhere"
        await w.step("open", "no-such-page", "", 120)
        w.where = "Forecast"                    # no run answers in a millisecond: a timeout
        await w.step("open", "forecast", "", 0.001)
        await w.close()
        return pages

    # its own thread: the Playwright fixtures of the browser tests keep an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        pages = pool.submit(asyncio.run, go()).result()
    # the navigation message names every page; home is the empty path
    assert {"", "overview", "funnel", "cohorts", "forecast", "replenishment", "pricing"} <= set(pages)
    assert [(where, action, out) for where, action, _, out in results] == [
        ("Overview", "open", False), ("Nowhere", "open", False), ("Forecast", "open", True)]
    assert all(secs > 0 for _, _, secs, _ in results)
    # the step that timed out is counted at its limit, not dropped
    assert results[-1][2] == 0.001
    assert [(where, kind) for where, kind, _ in errors] == [
        ("Nowhere", "open: page not found"), ("Forecast", "open: timeout")]
