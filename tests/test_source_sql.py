"""SQL source: reads from DuckDB and SQLite files (and PostgreSQL, marked ``postgres``),
read-only, with every error turned into a SourceError that never shows the password."""

from __future__ import annotations

import logging
import sqlite3
import traceback
import uuid
from urllib.parse import quote

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from lib.sources import sql
from lib.sources.errors import SourceError
from lib.sources.sql import describe, read_feed, redact_url, url_from_config

ROWS = [(1001, "TEE-BLK-M", 2, 19.9), (1002, "MUG-WHT", 1, 8.5), (1003, "TEE-BLK-M", -1, 19.9)]
CREATE = "CREATE TABLE orders (order_id INTEGER, sku VARCHAR, quantity INTEGER, unit_price DOUBLE)"
SECRET = "Zebra@Quartz-91!pw"  # distinctive; '@' and '!' force URL-encoding
ENCODED = quote(SECRET, safe="")


def expected_orders(rows=ROWS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["order_id", "sku", "quantity", "unit_price"])
    return frame.astype({"sku": "str"})


@pytest.fixture(params=["duckdb", "sqlite"])
def db_url(request, tmp_path) -> str:
    """A database file with an ``orders`` table, written with the driver directly and closed."""
    path = tmp_path / f"shop.{request.param}"
    con = duckdb.connect(str(path)) if request.param == "duckdb" else sqlite3.connect(path)
    con.execute(CREATE)
    con.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)", ROWS)
    con.execute('CREATE TABLE "order" (id INTEGER)')  # a reserved word as a table name
    con.execute('INSERT INTO "order" VALUES (7)')
    con.commit()
    con.close()
    return f"{request.param}:///{path}"


def reason_of(url, query, **kwargs) -> SourceError:
    with pytest.raises(SourceError) as caught:
        read_feed(url, query, **kwargs)
    return caught.value


# --- reading --------------------------------------------------------------------------------


def test_reads_a_table_by_name(db_url):
    pd.testing.assert_frame_equal(read_feed(db_url, "orders"), expected_orders())
    pd.testing.assert_frame_equal(read_feed(db_url, " main.orders "), expected_orders())


def test_table_names_are_quoted_by_the_dialect(db_url):
    assert read_feed(db_url, "order")["id"].tolist() == [7]


def test_reads_a_select_query(db_url):
    query = """
        -- units per sku; a comment with a ; and DELETE in it
        WITH lines AS (SELECT sku, quantity FROM orders)
        SELECT sku, SUM(quantity) AS units, 'a; drop table x' AS "update"
        FROM lines GROUP BY sku ORDER BY sku;
    """
    frame = read_feed(db_url, query)
    assert frame.to_dict("list") == {
        "sku": ["MUG-WHT", "TEE-BLK-M"],
        "units": [1, 1],
        "update": ["a; drop table x", "a; drop table x"],
    }


def test_colons_and_percents_in_literals_are_not_parameters(db_url):
    frame = read_feed(db_url, "SELECT ' :sku' AS a, '10:30' AS b, '100%' AS c", limit=5)
    assert frame.iloc[0].tolist() == [" :sku", "10:30", "100%"]


def test_limit_applies_to_tables_and_queries(db_url):
    pd.testing.assert_frame_equal(read_feed(db_url, "orders", limit=2), expected_orders(ROWS[:2]))
    frame = read_feed(db_url, "SELECT order_id FROM orders ORDER BY order_id DESC -- newest", limit=1)
    assert frame["order_id"].tolist() == [1003]
    assert list(read_feed(db_url, "orders", limit=0).columns) == ["order_id", "sku", "quantity", "unit_price"]
    with pytest.raises(ValueError):
        read_feed(db_url, "orders", limit=-1)


# --- only reads -----------------------------------------------------------------------------

REJECTED = [
    "INSERT INTO orders VALUES (9, 'X', 1, 1.0)",
    "UPDATE orders SET quantity = 0",
    "DELETE FROM orders",
    "DROP TABLE orders",
    "CREATE TABLE copy AS SELECT * FROM orders",
    "orders; drop table x",
    "orders; DROP TABLE orders",
    "SELECT 1; DROP TABLE orders",
    "SELECT 1 -- one ;\n; DELETE FROM orders",
    "WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone",
    "SELECT * INTO copy FROM orders",
    "SELECT E'\\''; DROP TABLE orders; --'",  # backslash-escaped quote (PostgreSQL E-string)
    "SELECT 'it\\'; DROP TABLE orders; --'",  # MySQL reads \' as an escaped quote
    "SELECT $$'$$; DROP TABLE orders; --'",  # dollar quoting
    "ATTACH 'other.db' AS other",
    "PRAGMA query_only = OFF",
    "",
    "   ",
]


@pytest.mark.parametrize("query", REJECTED)
def test_rejects_anything_but_one_select_and_leaves_data_unchanged(db_url, query):
    err = reason_of(db_url, query)
    assert err.reason == "not_a_select"
    assert "only reads" in err.message and err.source == describe(db_url)
    pd.testing.assert_frame_equal(read_feed(db_url, "orders"), expected_orders())


@pytest.mark.parametrize(
    "query",
    [
        "SELECT E'\\''; SELECT 2; --'",  # PostgreSQL E-string: \' is a quote inside the string
        "SELECT 'it\\'; SELECT 2; --'",  # MySQL: \' is a quote inside the string
        "SELECT $$'$$; SELECT 2; --'",  # dollar quoting
        "SELECT 1 # '\n; SELECT 2; -- '",  # MySQL # comment
        "SELECT 1 /* /* */ ' */ ; SELECT 2; --'",  # PostgreSQL nests block comments
        "SELECT CASE WHEN 1 = 1 THEN 1 ELSE'a\\' END; SELECT 2; --'",  # ELSE' is not an E-string
        "SELECT /*! ; */ 1",  # MySQL runs /*! */ comments
    ],
)
def test_second_statement_is_found_whichever_way_a_database_reads_quotes(query):
    with pytest.raises(sql._Rejected, match="more than one statement"):
        sql._check_select(query)


def test_semicolons_inside_literals_and_comments_are_fine():
    query = "SELECT 'a;b' AS \"x;y\" /* ; */ -- ;\n;  -- trailing ;"
    assert sql._check_select(query) == "SELECT 'a;b' AS \"x;y\""


def test_connection_is_read_only(db_url):
    assert sql._read_only_probe(db_url) == "on"


def test_a_write_through_the_read_connection_fails(db_url):
    """Below the text checks: the connection read_feed uses refuses writes by itself."""
    with sql._read_connection(db_url) as conn, pytest.raises(sa.exc.DBAPIError, match="(?i)read.?only"):
        conn.execute(sa.text("INSERT INTO orders VALUES (9, 'X', 1, 1.0)"))
    pd.testing.assert_frame_equal(read_feed(db_url, "orders"), expected_orders())


def test_duckdb_cannot_read_other_files(tmp_path):
    path = tmp_path / "shop.duckdb"
    duckdb.connect(str(path)).close()
    (tmp_path / "secret.csv").write_text("a\n1\n")
    err = reason_of(f"duckdb:///{path}", f"SELECT * FROM read_csv('{tmp_path / 'secret.csv'}')")
    assert err.reason == "query_failed" and "disabled" in err.message


def test_given_engine_is_used_and_left_writable(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
    assert read_feed("", "t", engine=engine)["x"].tolist() == [1]
    with engine.begin() as conn:  # PRAGMA query_only was reset on the pooled connection
        conn.execute(sa.text("INSERT INTO t VALUES (2)"))
    assert read_feed("", "SELECT COUNT(*) AS n FROM t", engine=engine)["n"].tolist() == [2]
    engine.dispose()


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["nope", "main.nope", "SELECT * FROM nope"])
def test_missing_table(db_url, query):
    err = reason_of(db_url, query)
    assert err.reason == "no_such_table" and "nope" in err.message


def test_other_query_errors(db_url):
    err = reason_of(db_url, "SELECT no_such_column FROM orders")
    assert err.reason == "query_failed" and "no_such_column" in err.message


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "postgresql+psycopg://app:pw@db.example:notaport/analytics",
        "nosuchdb://app:pw@db.example/analytics",
        "mysql://app:pw@db.example/analytics",  # driver not installed
    ],
)
def test_bad_url(url):
    assert reason_of(url, "orders").reason == "bad_url"


@pytest.mark.parametrize("kind", ["duckdb", "sqlite"])
def test_missing_database_file_is_not_created(tmp_path, kind):
    path = tmp_path / f"missing.{kind}"
    err = reason_of(f"{kind}:///{path}", "orders")
    assert err.reason == "cannot_connect" and str(path) in err.message
    assert not path.exists()


def test_duckdb_file_held_by_a_writer(tmp_path):
    path = tmp_path / "busy.duckdb"
    writer = duckdb.connect(str(path))
    try:
        err = reason_of(f"duckdb:///{path}", "orders")
    finally:
        writer.close()
    assert err.reason == "cannot_connect" and "DuckDB" in err.message


# --- secrets --------------------------------------------------------------------------------


def test_redact_and_describe_hide_the_password():
    url = f"postgresql+psycopg://app:{ENCODED}@127.0.0.1:5544/analytics?sslmode=require&password={ENCODED}"
    assert redact_url(url) == (
        "postgresql+psycopg://app:***@127.0.0.1:5544/analytics?password=redacted&sslmode=require"
    )
    assert describe(url) == "postgresql://app@127.0.0.1:5544/analytics"
    assert describe("duckdb:///data/shop.duckdb") == "duckdb file data/shop.duckdb"
    assert redact_url("not a url") == describe("not a url") == "(unreadable database URL)"


def assert_no_secret(err: SourceError, logs: str) -> None:
    shown = [str(err), repr(err), err.message, err.source, logs, "".join(traceback.format_exception(err))]
    cause = err
    while cause is not None:
        shown.append(str(cause))
        cause = cause.__cause__ or cause.__context__
    for text in shown:
        assert SECRET not in text and ENCODED not in text, text


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text(CREATE))
    yield engine
    engine.dispose()


PG = f"postgresql+psycopg://app:{ENCODED}@127.0.0.1:1/analytics"


@pytest.mark.parametrize(
    ("url", "query", "reason", "use_engine"),
    [
        (f"postgresql+psycopg://app:{ENCODED}@db.example:notaport/analytics", "orders", "bad_url", False),
        (f"nosuchdb://app:{ENCODED}@db.example/analytics", "orders", "bad_url", False),
        (f"mysql://app:{ENCODED}@db.example/analytics", "orders", "bad_url", False),
        (f"{PG}?password={ENCODED}", "orders", "cannot_connect", False),  # port 1: refused at once
        (PG, "nope", "no_such_table", True),  # the URL labels the given engine's errors
        (PG, f"SELECT '{SECRET}' FROM nope", "no_such_table", True),
        (PG, f'SELECT nope_col AS "{SECRET}" FROM orders', "query_failed", True),
        (PG, f"DELETE FROM orders WHERE sku = '{SECRET}'", "not_a_select", True),
    ],
)
def test_password_never_leaks(url, query, reason, use_engine, sqlite_engine, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SourceError) as caught:
        read_feed(url, query, engine=sqlite_engine if use_engine else None)
    assert caught.value.reason == reason
    assert_no_secret(caught.value, caplog.text)


def test_driver_text_is_scrubbed_even_if_it_echoes_the_url_or_password():
    url = f"postgresql+psycopg://app:{ENCODED}@db.example/analytics?sslpassword={ENCODED}"
    exc = RuntimeError(f"failed for {url}: bad password {SECRET!r} ({ENCODED})\nLINE 1: SELECT\n       ^")
    detail = sql._detail(exc, url)
    assert SECRET not in detail and ENCODED not in detail and "db.example" not in detail
    assert detail == "failed for ***: bad password '***' (***)"


def test_url_from_config():
    secrets = {"sources": {"sql": {"url": "duckdb:///data/shop.duckdb"}}}
    assert url_from_config({"SHOPCAST_SOURCE_URL": "sqlite:///a.db"}, secrets) == "sqlite:///a.db"
    assert url_from_config({"SHOPCAST_SOURCE_URL": " "}, secrets) == "duckdb:///data/shop.duckdb"
    assert url_from_config({}, {}) is None
    assert url_from_config({}, {"sources": {"sheets": {}}}) is None


# --- PostgreSQL (needs the pg_url fixture from tests/conftest.py) ---------------------------


@pytest.fixture
def pg_table(pg_url):
    name = f"shopcast_src_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text(CREATE.replace("orders", name).replace("DOUBLE", "DOUBLE PRECISION")))
        conn.execute(
            sa.text(f"INSERT INTO {name} VALUES (:a, :b, :c, :d)"),
            [dict(zip("abcd", r, strict=True)) for r in ROWS],
        )
    yield name
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
    engine.dispose()


@pytest.mark.postgres
def test_postgres_reads_tables_and_queries(pg_url, pg_table):
    pd.testing.assert_frame_equal(read_feed(pg_url, pg_table), expected_orders())
    pd.testing.assert_frame_equal(read_feed(pg_url, f"public.{pg_table}", limit=2), expected_orders(ROWS[:2]))
    frame = read_feed(pg_url, "WITH x AS (SELECT 1 AS one) SELECT *, '100%' AS pct, ' :x' AS c FROM x")
    assert frame.to_dict("list") == {"one": [1], "pct": ["100%"], "c": [" :x"]}
    assert reason_of(pg_url, "no_such_table_here").reason == "no_such_table"
    assert reason_of(pg_url, "nosuchschema.orders").reason == "no_such_table"


@pytest.mark.postgres
def test_postgres_read_transaction_is_read_only(pg_url, pg_table):
    assert sql._read_only_probe(pg_url) == "on"
    with (
        sql._read_connection(pg_url) as conn,
        pytest.raises(sa.exc.DBAPIError, match="read-only transaction"),
    ):
        conn.execute(sa.text(f"DELETE FROM {pg_table}"))
    pd.testing.assert_frame_equal(read_feed(pg_url, pg_table), expected_orders())


def test_warehouse_summary_names_the_engine_and_never_the_password():
    from lib.warehouse.db_urls import UNREADABLE, warehouse_summary

    assert warehouse_summary("clickhouse://shop:s3cret@ch.internal:8123/analytics") == \
        "ClickHouse server: clickhouse://shop@ch.internal:8123/analytics"
    assert warehouse_summary("chdb:////srv/shopcast/ch") == "ClickHouse, embedded in the app (chDB): /srv/shopcast/ch"
    assert warehouse_summary("postgresql+psycopg://app:pw@db:5432/shop") == "PostgreSQL: postgresql://app@db:5432/shop"
    assert warehouse_summary("duckdb:///data/shopcast.duckdb") == "DuckDB, one file on this machine: data/shopcast.duckdb"
    assert warehouse_summary("::not a url::") == UNREADABLE
