"""lib/ui/app/cache.py: the one cached-query wrapper of the pages (issue 17 point 4)."""
from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest

from lib.ui.app import cache

UI = Path(__file__).resolve().parent.parent / "lib" / "ui"
CALLS: list[tuple] = []


class FakeWarehouse:
    """Not hashable (as a real Warehouse's engine is not): the wrapper must never hash it."""
    __hash__ = None

    def __init__(self, version: str, label: str):
        self.version, self.label, self.lock = version, label, threading.Lock()

    def data_version(self) -> str:
        return self.version


@cache.query(max_entries=8)
def _total(key, wh, n: int) -> tuple:
    CALLS.append(("total", key, n))
    return ("total", wh.version, n)


@cache.query(max_entries=8)
def _other(key, wh, n: int) -> tuple:
    CALLS.append(("other", key, n))
    return ("other", wh.version, n)


@pytest.fixture(autouse=True)
def fresh():
    _total.clear()
    _other.clear()
    CALLS.clear()


def test_cached_per_data_version_warehouse_and_arguments():
    a = FakeWarehouse("v1", "duckdb:///a")
    assert cache.key(a) == ("v1", "duckdb:///a")
    assert _total(cache.key(a), a, 3) == ("total", "v1", 3)
    assert _total(cache.key(a), a, 3) == ("total", "v1", 3)            # served from the cache
    assert len(CALLS) == 1
    _total(cache.key(a), a, 4)                                           # other arguments: computed
    a.version = "v2"                                                     # a new load: computed again
    assert _total(cache.key(a), a, 3) == ("total", "v2", 3)
    b = FakeWarehouse("v2", "postgresql://host/db")                      # same version, other warehouse
    assert _total(cache.key(b), b, 3) == ("total", "v2", 3)
    assert [c[1] for c in CALLS] == [("v1", "duckdb:///a"), ("v1", "duckdb:///a"), ("v2", "duckdb:///a"),
                                     ("v2", "postgresql://host/db")]


def test_each_function_has_a_cache_of_its_own():
    a = FakeWarehouse("v1", "x")
    assert _total(cache.key(a), a, 1) == ("total", "v1", 1)
    assert _other(cache.key(a), a, 1) == ("other", "v1", 1)            # same code shape, same arguments
    assert [c[0] for c in CALLS] == ["total", "other"]


def test_a_key_without_the_warehouse_is_refused():
    a = FakeWarehouse("v1", "x")
    with pytest.raises(TypeError, match="key must be"):
        _total("v1", a, 1)
    with pytest.raises(TypeError, match="key must be"):
        _total(("v1",), a, 1)


def test_pages_cache_queries_only_through_the_wrapper():
    direct = []
    for path in sorted(UI.rglob("*.py")):
        if path == UI / "app" / "cache.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "cache_data":
                direct.append(f"{path.relative_to(UI)}:{node.lineno}")
    assert direct == []
