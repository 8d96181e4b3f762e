"""The AppTest set-up of the saved-views tests (tests/test_app_views.py): env points the app at a fresh
folder holding a small store (two products, three one-line orders), app runs a page of it."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.paths import ROOT
from tests.support.version_feeds import orders, products

__all__ = ["AS_OF", "app", "env"]


AS_OF = date(2026, 3, 31)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SHOPCAST_PASSWORD", raising=False)
    wh = Warehouse.open(settings=Settings.from_env())
    wh.load("products", products(10.0), source="p1", as_of=AS_OF, now=datetime(2026, 4, 1, 9))
    wh.load("orders", orders(3), source="o1", as_of=AS_OF, now=datetime(2026, 4, 1, 10))
    yield wh
    wh.dispose()


def app(page: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    if page:
        at.switch_page(page)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at
