"""The eleven Monday-morning journeys of ../shared/USER-JOURNEYS.md, in a real browser.

One demo store (seed 7, scale 0.25: 75 SKUs, about 62,000 order lines and 2.2 million web events,
two years through AS_OF) is generated and loaded once for the whole package, and one server
serves every journey (journeys that save things use names of their own). Each journey reads what a
person reads (tiles, captions, tables, downloaded files) and checks it against the warehouse or a
hand-computed figure; every step is timed, and the times are printed at the end of the run so slow
steps show.
"""
from __future__ import annotations

import contextlib
import shutil
import time

import pytest

from tests.support.journeys import AS_OF, SETTINGS
from tests.support.server import env_vars, serve

SEED, SCALE = 7, 0.25
_TIMES: list[tuple[str, str, float]] = []


@pytest.fixture(scope="package")
def demo(tmp_path_factory):
    """The demo store loaded into a fresh warehouse, and a server over it: {url, data_dir, as_of}."""
    from lib.ingest import load_demo
    from lib.settings import Settings
    from lib.warehouse import Warehouse

    data = tmp_path_factory.mktemp("journeys")
    settings = {"SHOPCAST_DATA_DIR": str(data), **SETTINGS}
    with env_vars(**settings):
        wh = Warehouse.open(settings=Settings.from_env())
        load_demo(wh, data, seed=SEED, scale=SCALE, as_of=AS_OF)
        wh.dispose()
    check = data / "check"                  # a copy for reading expected numbers while the server owns the file
    check.mkdir()
    shutil.copy(data / "shopcast.duckdb", check / "shopcast.duckdb")
    with serve(data, **settings) as url:
        yield {"url": url, "data_dir": data, "as_of": AS_OF, "settings": settings}


class Journey:
    """Times the steps of one journey: ``with j.step("open the Overview"): ...``."""

    def __init__(self, name: str):
        self.name = name

    @contextlib.contextmanager
    def step(self, what: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            _TIMES.append((self.name, what, time.perf_counter() - t0))


@pytest.fixture
def journey(request) -> Journey:
    return Journey(request.node.name.removeprefix("test_"))


def pytest_terminal_summary(terminalreporter):
    if not _TIMES:
        return
    terminalreporter.section("journey steps (seconds to finish)")
    for name, what, secs in _TIMES:
        flag = "  <- slow" if secs > 10 else ""
        terminalreporter.write_line(f"{secs:7.2f}  {name}: {what}{flag}")
