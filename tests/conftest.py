"""Shared fixtures: warehouses on DuckDB and a real PostgreSQL server, the browser setup.

Under CI=true a missing chromium or PostgreSQL fails the run; elsewhere those tests skip with
the reason.
"""
from __future__ import annotations

import importlib.util
import itertools
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# helpers under tests/support/ assert too: rewrite them as pytest rewrites test modules, so a failing
# assert there shows its values (before anything imports them)
pytest.register_assert_rewrite("tests.support")

from tests.support import pgserver  # noqa: E402
from tests.support.ci import require  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    bindir = pgserver.find_bindir()
    require(bindir is not None, "PostgreSQL server binaries not installed (apt-get install postgresql)")
    server = pgserver.PgServer(bindir, tmp_path_factory.mktemp("pg"))
    try:
        server.start()
    except pgserver.PgError as err:
        require(False, f"PostgreSQL did not start: {err}")
    yield server
    server.stop()


_db_counter = itertools.count(1)


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database for one test."""
    return pg_server.create_database(f"t{os.getpid()}_{next(_db_counter)}")


@pytest.fixture(scope="session")
def chdb_dir(tmp_path_factory):
    """The one directory of the embedded ClickHouse engine (chDB hosts one engine per process, at one path)."""
    require(importlib.util.find_spec("chdb") is not None, "chdb not installed (pip install -r requirements.txt)")
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture
def chdb_url(chdb_dir):
    """A fresh, empty database of the embedded ClickHouse engine for one test."""
    return f"chdb:///{chdb_dir}?database=t{os.getpid()}_{next(_db_counter)}"


@pytest.fixture(scope="session")
def chhttp_server(chdb_dir):
    """ClickHouse's HTTP interface over the same embedded engine (tests/support/chhttp.py), in a thread of this
    process: the clickhouse:// (server) path of lib.warehouse runs against it. The server's own time zone is
    not UTC (as many servers' are not): the warehouse's naive-UTC timestamps must not depend on it."""
    from tests.support.chhttp import ChHttpServer

    server = ChHttpServer(chdb_dir, timezone="America/New_York").start()
    yield server
    server.stop()


@pytest.fixture
def chhttp_url(chhttp_server):
    """A fresh, empty database on the ClickHouse HTTP shim for one test (created as an admin would)."""
    name = f"h{os.getpid()}_{next(_db_counter)}"
    chhttp_server.create_database(name)
    return chhttp_server.url(name)


# modules whose warehouse tests do not run on ClickHouse yet (see wh_url)
CLICKHOUSE_NOT_YET: set[str] = set()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres),
                        pytest.param("chdb", marks=pytest.mark.clickhouse),
                        pytest.param("clickhouse-http", marks=pytest.mark.clickhouse)])
def wh_url(request, tmp_path):
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path}/wh.duckdb"
    if request.param in ("chdb", "clickhouse-http"):
        if request.module.__name__.rpartition(".")[2] in CLICKHOUSE_NOT_YET:
            pytest.skip("does not run on ClickHouse yet (tests/conftest.py CLICKHOUSE_NOT_YET)")
        return request.getfixturevalue("chdb_url" if request.param == "chdb" else "chhttp_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def wh(wh_url):
    from lib.settings import Settings
    from lib.warehouse import Warehouse

    w = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
    yield w
    w.dispose()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require(Path(CHROMIUM).exists(), "Debian chromium not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
