"""Kept data versions: a replaced load stays readable, pinned reads see it, the oldest are forgotten."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import inspect, select

from lib.settings import Settings
from lib.warehouse import Warehouse, versions
from lib.warehouse.tables import FEED_TABLES
from tests.support.version_feeds import orders, products

AS_OF = date(2026, 3, 31)


@pytest.fixture
def kept3(wh_url, tmp_path):
    wh = Warehouse.open(wh_url, settings=Settings(data_dir=tmp_path, data_versions_kept=3))
    yield wh
    wh.dispose()


def price_of_a(w) -> float:
    p = FEED_TABLES["products"]
    return float(w.read(select(p.c.price).where(p.c.sku == "A"))["price"].iloc[0])


def test_a_replaced_load_stays_readable_through_its_version(kept3):
    wh = kept3
    wh.load("products", products(10.0), source="p1", as_of=AS_OF, now=datetime(2026, 4, 1, 9))
    wh.load("orders", orders(3), source="o1", as_of=AS_OF, now=datetime(2026, 4, 1, 10))
    v1 = wh.data_version()
    wh.load("products", products(12.0), source="p2", as_of=AS_OF, now=datetime(2026, 4, 2, 9))
    v2 = wh.data_version()
    assert v1 != v2 and price_of_a(wh) == 12.0
    kept = versions.versions(wh)
    assert kept["version"].tolist()[:2] == [v2, v1] and kept["current"].tolist()[0]

    old = versions.pinned(wh, v1)
    assert old.data_version() == v1
    assert price_of_a(old) == 10.0                              # the copy of the replaced products
    assert len(old.read(select(FEED_TABLES["orders"]))) == 3   # orders did not change: the live table
    assert set(old.current_loads()["source"]) == {"p1", "o1"}
    assert price_of_a(wh) == 12.0                               # the live warehouse is untouched
    with pytest.raises(PermissionError, match="read-only"):
        old.load("products", products(1.0), source="x", as_of=AS_OF)
    old.engine.dispose()

    # orders change too: v1's view of orders must now read the copy, not the live table
    wh.load("orders", orders(5), source="o2", as_of=AS_OF, now=datetime(2026, 4, 3, 9))
    again = versions.pinned(wh, v1)
    assert len(again.read(select(FEED_TABLES["orders"]))) == 3 and price_of_a(again) == 10.0
    assert versions.pinned(wh, wh.data_version()) is wh
    again.engine.dispose()


def test_only_the_newest_n_versions_are_kept_and_their_copies_dropped(kept3):
    wh = kept3
    made = []
    for k in range(5):
        wh.load("products", products(10.0 + k), source=f"p{k}", as_of=AS_OF, now=datetime(2026, 4, 1 + k, 9))
        made.append(wh.data_version())
    kept = versions.versions(wh)["version"].tolist()
    assert kept == made[::-1][:3]
    hist = sorted(n for n in inspect(wh.engine).get_table_names() if n.startswith(versions.HIST_PREFIX))
    assert hist == ["shopcast_hist_products_3", "shopcast_hist_products_4"]   # loads 3 and 4: versions 3, 4
    with pytest.raises(LookupError, match="no longer kept"):
        versions.pinned(wh, made[0])
    with pytest.raises(LookupError, match="no longer kept"):
        versions.pinned(wh, "'; drop table orders; --")
    assert price_of_a(versions.pinned(wh, made[2])) == 12.0
    assert versions.is_kept(wh, made[2]) and not versions.is_kept(wh, made[0])


def test_a_failed_load_keeps_no_copy_and_no_version(kept3, monkeypatch):
    wh = kept3
    wh.load("products", products(10.0), source="p1", as_of=AS_OF, now=datetime(2026, 4, 1, 9))

    def boom(feed):
        raise RuntimeError("disk full")

    monkeypatch.setattr(wh, "_before_commit", boom)
    with pytest.raises(RuntimeError):
        wh.load("products", products(99.0), source="p2", as_of=AS_OF, now=datetime(2026, 4, 2, 9))
    assert price_of_a(wh) == 10.0
    assert len(versions.versions(wh)) == 1
    assert not [n for n in inspect(wh.engine).get_table_names() if n.startswith(versions.HIST_PREFIX)]


def test_a_link_with_a_kept_data_version_shows_that_data_with_a_banner(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.support.paths import ROOT

    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SHOPCAST_PASSWORD", raising=False)
    wh = Warehouse.open(settings=Settings.from_env())
    wh.load("products", products(10.0), source="p1", as_of=AS_OF, now=datetime(2026, 4, 1, 9))
    wh.load("orders", orders(3), source="o1", as_of=AS_OF, now=datetime(2026, 4, 1, 10))
    v1 = wh.data_version()
    wh.load("orders", orders(5), source="o2", as_of=AS_OF, now=datetime(2026, 4, 2, 10))
    v2 = wh.data_version()
    wh.dispose()

    def home(dv: str | None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        if dv:
            at.query_params["dv"] = dv
        at.run()
        assert not at.exception, at.exception
        return at

    def orders_card(at) -> str:
        return next(m.value for m in at.metric if m.label == "Order lines")

    old = home(v1)
    assert orders_card(old) == "3"
    assert "Numbers as they were on Apr 01, 2026 10:00" in old.info[0].value and v1 in old.info[0].value
    assert any(f"dv={v1}" in c.value for c in old.sidebar.code)          # its share link keeps the version
    latest = home(None)
    assert orders_card(latest) == "5" and not latest.info
    assert any(f"dv={v2}" in c.value for c in latest.sidebar.code)
    assert orders_card(home(v2)) == "5"
    gone = home("abcdef123456")
    assert orders_card(gone) == "5" and "no longer kept" in gone.warning[0].value
