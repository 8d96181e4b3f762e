"""The clickhouse:// (server) warehouse path, run against ClickHouse's HTTP interface over chDB
(tests/support/chhttp.py): a wrong password, what goes over HTTP, and the shim's own protocol behaviour."""
from __future__ import annotations

import base64
import gzip
import traceback
import urllib.error
import urllib.request
from datetime import datetime
from urllib.parse import urlencode

import pandas as pd
import pytest
import sqlalchemy.exc

from lib.settings import Settings
from lib.warehouse import Warehouse

pytestmark = pytest.mark.clickhouse

T0 = datetime(2026, 1, 5, 12, 0)


def _http(server, params: dict, body: bytes | None = None, password: str | None = None, headers=None):
    """(status, headers, body) of one raw request to the shim."""
    pw = server.password if password is None else password
    auth = base64.b64encode(f"default:{pw}".encode()).decode()
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}/?{urlencode(params)}", data=body,
                                 headers={"Authorization": f"Basic {auth}", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_a_wrong_password_names_the_server_and_user_never_the_password(chhttp_server, chhttp_url):
    port = chhttp_server.port
    url = chhttp_url.replace(f":{chhttp_server.password}@", ":Wr0ng-S3cret@")
    assert "Wr0ng-S3cret" in url
    with pytest.raises(sqlalchemy.exc.OperationalError) as caught:
        Warehouse.open(url=url, settings=Settings(store_timezone="UTC"))
    message = str(caught.value.orig)
    assert message == (f"The ClickHouse server at 127.0.0.1:{port} refused user 'default': wrong password, or no "
                       "such user (AUTHENTICATION_FAILED, code 516). Check the password in the warehouse URL "
                       "(DATABASE_URL).")
    shown = "".join(traceback.format_exception(caught.value))
    for secret in ("Wr0ng-S3cret", chhttp_server.password, base64.b64encode(b"default:Wr0ng-S3cret").decode()):
        assert secret not in shown


def test_the_right_password_opens_a_warehouse_that_works_over_http(chhttp_server, chhttp_url):
    w = Warehouse.open(url=chhttp_url, settings=Settings(store_timezone="UTC"))
    try:
        assert (w.engine.dialect.name, w.engine.dialect.driver) == ("clickhouse", "http")
        with w.engine.connect() as conn:       # the server's own zone is not UTC: timestamps must not move
            assert str(conn.connection.driver_connection.client.server_tz) == "America/New_York"
        before, arrow = chhttp_server.requests, chhttp_server.seen["insert Arrow"]
        orders = pd.DataFrame({"order_id": ["#1", "#2"], "ordered_at": ["2026-01-01 10:15:00.000001",
                                                                        "2026-01-02 09:00:00"],
                               "customer_id": ["c1", "c2"], "sku": ["TEE-1", "MUG-1"], "quantity": ["2", "1"],
                               "unit_price": ["19.50", "8.00"], "discount": ["1.00", "0"]})
        rep = w.load("orders", orders, source="o.csv", now=T0)
        assert (rep.rows, rep.load_id) == (2, 1)
        got = w.read("SELECT order_id, ordered_at, quantity * unit_price - discount AS net FROM orders "
                     "ORDER BY order_id")
        assert got["order_id"].tolist() == ["#1", "#2"]
        assert got["ordered_at"].tolist() == [pd.Timestamp("2026-01-01 10:15:00.000001"),
                                              pd.Timestamp("2026-01-02 09:00:00")]
        assert got["net"].tolist() == [38.0, 8.0]
        assert chhttp_server.requests > before          # all of it went through the HTTP interface
        assert chhttp_server.seen["insert Arrow"] == arrow + 1     # the rows: one Arrow block (insert_arrow)
    finally:
        w.dispose()


def test_an_sql_error_is_an_http_500_with_clickhouse_code_and_text(chhttp_server):
    status, headers, body = _http(chhttp_server, {"query": "SELECT * FROM no_such_table_here"})
    assert status == 500
    assert headers["X-ClickHouse-Exception-Code"] == "60"
    assert body.decode().startswith("Code: 60. DB::Exception: Unknown table expression identifier "
                                    "'no_such_table_here'")
    assert body.decode().rstrip().endswith(f"(UNKNOWN_TABLE) (version {chhttp_server.version})")


def test_a_bad_password_is_http_401_code_516(chhttp_server):
    status, headers, body = _http(chhttp_server, {"query": "SELECT 1"}, password="nope")
    assert (status, headers["X-ClickHouse-Exception-Code"]) == (401, "516")
    assert body.decode().startswith("Code: 516. DB::Exception: default: Authentication failed")


def test_temporary_tables_stay_in_their_session(chhttp_server):
    s1, s2 = {"session_id": "chhttp-test-s1"}, {"session_id": "chhttp-test-s2"}
    assert _http(chhttp_server, {**s1, "query": "CREATE TEMPORARY TABLE tt (x Int32) ENGINE = Memory"})[0] == 200
    assert _http(chhttp_server, s1, b"INSERT INTO tt FORMAT TabSeparated\n4\n5\n")[0] == 200
    status, headers, body = _http(chhttp_server, {**s1, "query": "SELECT sum(x) FROM tt"})
    assert (status, body, headers["X-ClickHouse-Format"]) == (200, b"9\n", "TabSeparated")
    assert _http(chhttp_server, {**s2, "query": "SELECT sum(x) FROM tt"})[0] == 500     # another session
    assert _http(chhttp_server, {"query": "SELECT sum(x) FROM tt"})[0] == 500           # no session


def test_url_settings_bind_parameters_and_a_compressed_answer(chhttp_server):
    status, headers, body = _http(
        chhttp_server, {"query": "SELECT {n:Int32} * 2 AS v, getSetting('join_use_nulls') AS j FORMAT JSONEachRow",
                        "param_n": "21", "join_use_nulls": "1", "enable_http_compression": "1",
                        "session_id": "chhttp-test-settings"},
        headers={"Accept-Encoding": "gzip"})
    assert (status, headers["Content-Encoding"], headers["X-ClickHouse-Format"]) == (200, "gzip", "JSONEachRow")
    assert gzip.decompress(body) == b'{"v":42,"j":true}\n'
    status, headers, body = _http(chhttp_server, {"query": "SELECT getSetting('join_use_nulls') AS j",
                                                  "session_id": "chhttp-test-settings"})
    assert (status, body) == (200, b"false\n")       # a URL setting is not kept by the session


def test_a_statement_without_result_has_no_format_header(chhttp_server):
    status, headers, body = _http(chhttp_server, {"query": "CREATE DATABASE IF NOT EXISTS chhttp_nores"})
    assert (status, body, "X-ClickHouse-Format" in headers) == (200, b"", False)
    status, headers, body = _http(chhttp_server, {"query": "SELECT 1 WHERE 0"})
    assert (status, body, headers.get("X-ClickHouse-Format")) == (200, b"", "TabSeparated")


def test_the_clients_native_insert_compressed_and_chunked_lands_whole(chhttp_server, chhttp_url):
    """client.insert (Native blocks, lz4 Content-Encoding, a chunked body): the warehouse inserts Arrow blocks
    instead, so this path of the shim is shown here."""
    import clickhouse_connect

    db = chhttp_url.rpartition("/")[2]
    client = clickhouse_connect.get_client(host="127.0.0.1", port=chhttp_server.port, username="default",
                                           password=chhttp_server.password, database=db,
                                           settings={"session_timezone": "UTC"})   # as the warehouse's dialect
    try:
        client.command("CREATE TABLE n (k Int64, s Nullable(String), t DateTime64(6)) ENGINE = MergeTree ORDER BY k")
        seen = dict(chhttp_server.seen)
        client.insert("n", [[1, "a", datetime(2026, 1, 1, 9, 0, 0, 1)], [2, None, datetime(2026, 1, 2)]],
                      column_names=["k", "s", "t"])
        assert chhttp_server.seen["insert Native"] == seen.get("insert Native", 0) + 1
        assert chhttp_server.seen["encoding lz4"] == seen.get("encoding lz4", 0) + 1
        assert chhttp_server.seen["chunked"] == seen.get("chunked", 0) + 1
        assert client.query("SELECT k, s, t FROM n ORDER BY k").result_rows == [
            (1, "a", datetime(2026, 1, 1, 9, 0, 0, 1)), (2, None, datetime(2026, 1, 2))]
    finally:
        client.close()


def test_a_server_that_does_not_answer_is_named_without_the_password():
    import socket

    with socket.socket() as s:          # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret = "N0t-" + "Sh0wn"           # (a traceback shows its frames' source lines)
    url = f"clickhouse://default:{secret}@127.0.0.1:{port}/shop"
    with pytest.raises(sqlalchemy.exc.OperationalError) as caught:
        Warehouse.open(url=url, settings=Settings(store_timezone="UTC"))
    shown = "".join(traceback.format_exception(caught.value))
    assert f"(http://127.0.0.1:{port})" in str(caught.value.orig)
    assert "Connection refused" in str(caught.value.orig)
    assert secret not in shown
