"""Warehouse journeys on DuckDB and PostgreSQL: load, read, atomic replace, history, versions."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import func, select

from lib.schema import FeedError
from lib.settings import Settings
from lib.warehouse import Warehouse, redact
from lib.warehouse.tables import FEED_TABLES, SCHEMA_VERSION

T0 = datetime(2026, 1, 5, 12, 0)


def orders(n_orders: int = 2) -> pd.DataFrame:
    rows = []
    for i in range(1, n_orders + 1):
        rows.append({"order_id": f"#{1000 + i}", "ordered_at": f"2026-01-0{i} 10:15:00", "customer_id": f"c{i}",
                     "sku": "TEE-1", "quantity": "2", "unit_price": "19.50", "discount": "1.00"})
    return pd.DataFrame(rows)


def test_load_then_read_typed_rows(wh):
    rep = wh.load("orders", orders(2), source="upload:orders.csv", now=T0)
    assert (rep.feed, rep.rows, rep.replaced_rows, rep.load_id) == ("orders", 2, 0, 1)
    assert rep.min_date == datetime(2026, 1, 1, 10, 15) and rep.max_date == datetime(2026, 1, 2, 10, 15)
    t = FEED_TABLES["orders"]
    got = wh.read(select(t.c.order_id, t.c.quantity, t.c.unit_price, t.c.discount, t.c.ordered_at)
                  .order_by(t.c.order_id))
    assert got["order_id"].tolist() == ["#1001", "#1002"]
    assert got["quantity"].tolist() == [2, 2]
    assert got["unit_price"].tolist() == [19.5, 19.5]
    assert got["discount"].tolist() == [1.0, 1.0]
    assert pd.Timestamp(got["ordered_at"].iloc[0]) == pd.Timestamp("2026-01-01 10:15")
    # revenue = quantity * unit_price - discount, computed in the warehouse
    rev = wh.read(select(func.sum(t.c.quantity * t.c.unit_price - t.c.discount).label("rev")))
    assert float(rev["rev"].iloc[0]) == pytest.approx(2 * (2 * 19.5 - 1.0))


def test_reload_replaces_and_is_recorded(wh):
    wh.load("orders", orders(2), source="a.csv", now=T0)
    v1 = wh.data_version()
    rep = wh.load("orders", orders(3), source="b.csv", now=T0)
    assert (rep.rows, rep.replaced_rows, rep.load_id) == (3, 2, 2)
    assert wh.row_counts()["orders"] == 3
    hist = wh.load_history()
    assert hist["load_id"].tolist() == [2, 1]
    assert hist["source"].tolist() == ["b.csv", "a.csv"]
    assert hist["rows"].tolist() == [3, 2]
    assert wh.data_version() != v1
    cur = wh.current_loads()
    assert cur["feed"].tolist() == ["orders"] and int(cur["load_id"].iloc[0]) == 2


def test_same_content_gives_same_checksum(wh):
    a = wh.load("orders", orders(2), source="a.csv", now=T0)
    b = wh.load("orders", orders(2).iloc[::-1], source="again.csv", now=T0)
    c = wh.load("orders", orders(3), source="c.csv", now=T0)
    assert a.checksum == b.checksum != c.checksum


def test_bad_load_raises_and_changes_nothing(wh):
    wh.load("orders", orders(2), source="good.csv", now=T0)
    version = wh.data_version()
    bad = orders(3)
    bad.loc[1, "unit_price"] = "abc"
    bad.loc[2, "ordered_at"] = "yesterday-ish"
    with pytest.raises(FeedError) as info:
        wh.load("orders", bad, source="bad.csv", now=T0)
    f = info.value.failures
    assert f[["column", "row", "value", "reason"]].astype(object).values.tolist() == [
        ["unit_price", 3, "abc", "not_numeric"],
        ["ordered_at", 4, "yesterday-ish", "unparseable_date"],
    ]
    assert "bad.csv" in str(info.value) and "row 3" in str(info.value)
    assert wh.row_counts()["orders"] == 2
    assert wh.data_version() == version
    assert len(wh.load_history()) == 1


@pytest.mark.parametrize("step", ["insert", "commit"])
def test_failure_inside_transaction_leaves_previous_rows(wh, monkeypatch, step):
    wh.load("orders", orders(2), source="good.csv", now=T0)
    before = wh.read("SELECT * FROM orders ORDER BY order_id")

    def boom(*args, **kwargs):
        raise RuntimeError(f"injected failure at {step}")

    if step == "insert":
        monkeypatch.setattr(Warehouse, "_bulk_insert", boom)
    else:
        monkeypatch.setattr(Warehouse, "_before_commit", boom)
    with pytest.raises(RuntimeError, match="injected"):
        wh.load("orders", orders(3), source="new.csv", now=T0)
    after = wh.read("SELECT * FROM orders ORDER BY order_id")
    pd.testing.assert_frame_equal(before, after)
    assert wh.load_history()["source"].tolist() == ["good.csv"]


def test_events_get_integer_session_keys(wh):
    ev = pd.DataFrame({"session_id": ["s1", "s1", "s2"], "event_at": [T0, T0, T0],
                       "event": ["Page View", "product_viewed", "page_view"]})
    wh.load("events", ev, source="ev.csv", now=T0)
    got = wh.read("SELECT session_id, session_key, event FROM events ORDER BY session_id, event")
    assert got["event"].tolist() == ["page_view", "view_item", "page_view"]
    keys = dict(zip(got["session_id"], got["session_key"], strict=False))
    assert keys["s1"] != keys["s2"]
    assert got.groupby("session_id")["session_key"].nunique().tolist() == [1, 1]


def test_unknown_skus_are_warnings_not_errors(wh):
    products = pd.DataFrame({"sku": ["TEE-1"], "name": ["Tee"], "category": ["Tops"], "unit_cost": [5], "price": [19.5]})
    wh.load("products", products, source="p.csv", now=T0)
    o = orders(2)
    o.loc[1, "sku"] = "GHOST-9"
    rep = wh.load("orders", o, source="o.csv", now=T0)
    assert rep.rows == 2
    assert rep.warnings[["column", "row", "value", "reason"]].astype(object).values.tolist() == [
        ["sku", 3, "GHOST-9", "unknown_sku"]]


def test_future_dates_rejected_against_as_of(wh):
    with pytest.raises(FeedError) as info:
        wh.load("orders", orders(3), source="o.csv", as_of=date(2026, 1, 2), now=T0)
    assert info.value.failures[["row", "reason"]].astype(object).values.tolist() == [[4, "future_date"]]


def test_mapping_memory(wh):
    assert wh.get_mapping("upload:shopify.csv", "orders") is None
    wh.save_mapping("upload:shopify.csv", "orders", {"order_id": "Name", "sku": "Lineitem sku"}, now=T0)
    wh.save_mapping("upload:shopify.csv", "orders", {"order_id": "Id", "sku": "Lineitem sku"}, now=T0)
    assert wh.get_mapping("upload:shopify.csv", "orders") == {"order_id": "Id", "sku": "Lineitem sku"}


def test_reopen_keeps_data(wh_url):
    from lib.settings import Settings
    w1 = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
    w1.load("orders", orders(2), source="a.csv", now=T0)
    w1.dispose()
    w2 = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
    assert w2.row_counts()["orders"] == 2
    w2.dispose()


def test_redact_hides_password():
    assert redact("postgresql+psycopg://app:s3cr3tPW@db:5432/x") == "postgresql+psycopg://app:***@db:5432/x"
    assert "s3cr3tPW" not in redact("nonsense://:s3cr3tPW@")


def _skip_before_clickhouse(url: str) -> None:
    if url.startswith(("chdb:", "clickhouse:")):
        pytest.skip("no ClickHouse warehouse predates schema 3 (ClickHouse came with it): nothing to upgrade")


def test_schema_1_warehouse_is_upgraded_in_place(wh_url):
    """A warehouse made before events.user_key keeps its data and gains the person keys."""
    _skip_before_clickhouse(wh_url)
    from sqlalchemy import create_engine, text

    eng = create_engine(wh_url)
    with eng.begin() as c:
        c.execute(text("CREATE TABLE shopcast_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"))
        c.execute(text("INSERT INTO shopcast_meta VALUES ('schema_version', '1')"))
        c.execute(text("CREATE TABLE events (session_id TEXT NOT NULL, event_at TIMESTAMP NOT NULL, event TEXT NOT NULL,"
                       " user_id TEXT, customer_id TEXT, channel TEXT, device TEXT, landing_page TEXT, sku TEXT,"
                       " order_id TEXT, session_key BIGINT NOT NULL)"))
        c.execute(text("INSERT INTO events (session_id, event_at, event, user_id, customer_id, session_key) VALUES "
                       "('a', '2026-01-01 10:00', 'page_view', NULL, NULL, 0),"
                       "('a', '2026-01-01 10:01', 'view_item', 'u1', NULL, 0),"
                       "('b', '2026-01-02 10:00', 'page_view', 'u1', NULL, 1),"
                       "('c', '2026-01-02 11:00', 'page_view', NULL, 'c9', 2),"
                       "('d', '2026-01-02 12:00', 'page_view', NULL, NULL, 3)"))
    eng.dispose()
    w = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
    try:
        got = w.read("SELECT session_id, user_key FROM events ORDER BY session_id, event_at")
        keys = dict(zip(got.session_id, got.user_key, strict=False))
        assert len(got) == 5                                          # nothing was lost
        assert keys["a"] == keys["b"] != keys["c"] != keys["d"]      # u1's two sessions are one person
        assert sorted(set(keys.values())) == [0, 1, 2]
        assert w.read("SELECT value FROM shopcast_meta WHERE key = 'schema_version'")["value"].iloc[0] == SCHEMA_VERSION
    finally:
        w.dispose()


def _products(supplier_sku: bool) -> pd.DataFrame:
    df = pd.DataFrame({"sku": ["TEE-1", "MUG-1"], "name": ["Tee", "Mug"], "category": ["Tops", "Home"],
                       "unit_cost": [5.0, 2.0], "price": [19.5, 8.0], "supplier": ["Acme", "Bolt"]})
    return df.assign(supplier_sku=["AC-77", None]) if supplier_sku else df


def test_schema_2_warehouse_gains_supplier_sku_and_keeps_its_data(wh_url):
    """A warehouse made before products.supplier_sku (schema 2) opens with its products, load history and
    the copies kept for older data versions intact, each with the new (empty) column."""
    _skip_before_clickhouse(wh_url)
    from sqlalchemy import text

    from lib import replenish

    w = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
    w.load("products", _products(False), source="p1.csv", now=T0)
    w.load("products", _products(False).assign(price=[21.0, 8.0]), source="p2.csv", now=T0)  # keeps a copy of p1
    with w.engine.begin() as c:                    # back to schema 2: no supplier_sku anywhere
        hist = c.execute(text("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                              "current_schema() AND table_name LIKE 'shopcast_hist_products%'")).scalars().all()
        assert len(hist) == 1
        for name in ["products", *hist]:
            c.execute(text(f'ALTER TABLE "{name}" DROP COLUMN supplier_sku'))
        c.execute(text("UPDATE shopcast_meta SET value = '2' WHERE key = 'schema_version'"))
    version = w.data_version()
    w.dispose()
    w = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
    try:
        assert w.read("SELECT value FROM shopcast_meta WHERE key = 'schema_version'")["value"].iloc[0] == "3"
        got = w.read("SELECT sku, price, supplier_sku FROM products ORDER BY sku")
        assert got.values.tolist() == [["MUG-1", 8.0, None], ["TEE-1", 21.0, None]]
        assert w.read(f'SELECT count(supplier_sku) AS n, count(*) AS m FROM "{hist[0]}"').values.tolist() == [[0, 2]]
        assert len(w.load_history()) == 2 and w.data_version() == version        # the same data version
        assert replenish.items(w, date(2026, 1, 5))["supplier_sku"].isna().all()
        w.load("products", _products(True), source="p3.csv", now=T0)             # and the new column loads
        known = replenish.items(w, date(2026, 1, 5)).set_index("sku")["supplier_sku"]
        assert known["TEE-1"] == "AC-77" and pd.isna(known["MUG-1"])
    finally:
        w.dispose()


def test_a_warehouse_made_before_the_customers_feed_gains_it_and_keeps_its_data(wh_url):
    """The customers feed is a new table: opening a warehouse created without it adds the table (same schema
    version, nothing rebuilt) and every loaded feed, load record and saved mapping stays as it was."""
    from sqlalchemy import create_engine, text

    w = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
    w.load("orders", orders(2), source="a.csv", now=T0)
    w.save_mapping("upload:a.csv", "orders", {"order_id": "Name"}, now=T0)
    w.dispose()
    eng = create_engine(wh_url)
    with eng.begin() as c:                       # the file as an earlier version of the app left it
        c.execute(text("DROP TABLE customers"))
    eng.dispose()
    w = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
    try:
        assert w.row_counts() == {"orders": 2, "events": 0, "inventory": 0, "products": 0, "promotions": 0,
                                  "customers": 0, "spend": 0}
        assert w.load_history()["feed"].tolist() == ["orders"]
        assert w.get_mapping("upload:a.csv", "orders") == {"order_id": "Name"}
        rep = w.load("customers", pd.DataFrame({"customer_id": ["c1", "c2"], "email": ["A@x.example", None],
                                                "accepts_marketing": ["yes", "no"]}), source="c.csv", now=T0)
        assert (rep.rows, rep.min_date) == (2, None)
        got = w.read("SELECT customer_id, email, accepts_marketing FROM customers ORDER BY customer_id")
        assert got.astype(object).where(got.notna(), None).values.tolist() == [["c1", "a@x.example", True],
                                                                             ["c2", None, False]]
        assert w.row_counts()["orders"] == 2
    finally:
        w.dispose()
