"""ClickHouse's HTTP interface in front of the embedded engine (chDB), for the clickhouse:// tests.

    ChHttpServer(path, password).start()   127.0.0.1:<free port>, a thread of this process
    server.url(database)                   clickhouse://default:<password>@127.0.0.1:<port>/<database>
    server.create_database(name)           as an admin would on a real server
    server.requests                        how many requests it answered (a test can show traffic went through it)
    server.seen                            a Counter of what they used: "format Native", "insert Arrow",
                                           "encoding lz4" (a compressed body), "chunked", "session", "error 60"...
    server.stop()

There is no ClickHouse server on this machine, so the warehouse's server path (lib.warehouse.chdialect's
ClickHouseServerDialect: clickhouse-connect's HttpClient) runs against this: the real engine (chDB, the same
one the chdb:/// tests use: chDB hosts one engine per process at one path, so `path` must be that directory)
behind what HttpClient 1.13 sends and reads:

- GET or POST /, the query in the body or the `query` URL parameter (ClickHouse joins the two, the body after
  a newline); `database`, `session_id`, `session_timeout`, `session_check`, `query_id`, `param_<name>` (server-side
  bound parameters), `default_format` and any other URL parameter as a setting of that query; GET /ping;
- the output format named by the query's trailing FORMAT clause (Native, Arrow, JSON, TabSeparated...: chDB's
  own writers), else TabSeparated, X-ClickHouse-Format only for a statement that has a result (as the server);
- an INSERT whose data follows `INSERT INTO t (cols) FORMAT <fmt>` (any format but Values): the data is written
  to a temporary file and read by ``INSERT INTO t (cols) FROM INFILE '<file>' FORMAT <fmt>``;
- compression: a request body with Content-Encoding lz4 (frame), zstd, gzip or deflate is decompressed; a
  response is compressed when enable_http_compression is 1 (the URL's, else the engine's default, which chDB
  reports as 1: so the client sends Accept-Encoding and expects it) and Accept-Encoding names one of those
  (the client's first choice wins: lz4), so the client's decompression runs too;
- headers X-ClickHouse-Query-Id, -Summary (rows and bytes read, written for an insert), -Format,
  -Timezone (the session_timezone setting, else the engine's), -Server-Display-Name;
- errors: HTTP 500 with X-ClickHouse-Exception-Code and the engine's "Code: N. DB::Exception: ... (NAME)
  (version V)" text; a wrong user or password HTTP 401, code 516 (AUTHENTICATION_FAILED), as the server says it;
- sessions: each session_id gets its own chDB connection handle (chdb.connect on the one path), so SET, USE and
  TEMPORARY tables stay in that session; a second request while one runs gets SESSION_IS_LOCKED (373); a
  session idle longer than its session_timeout (default 60 s) is closed; a request without session_id runs on a
  handle of its own, closed after it.

Not implemented: multipart/form-data requests (external data, form-encoded parameters: 400), progress headers
(send_progress_in_http_headers is accepted and ignored), streaming (each response is built whole, with a
Content-Length), a query's own SETTINGS applying to the URL settings, users other than `default`, TLS, quotas,
roles, and KILL QUERY / cancellation. URL settings are applied with SET on the session's handle and reset to
their defaults when a later request no longer sends them (a real server scopes them to the one query).
"""
from __future__ import annotations

import base64
import collections
import contextlib
import gzip
import json
import os
import re
import secrets
import socket
import tempfile
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import chdb

__all__ = ["ChHttpServer", "TRANSPORT_PARAMS"]

# URL parameters the HTTP layer consumes: never settings of the query
TRANSPORT_PARAMS = frozenset({
    "query", "database", "session_id", "session_timeout", "session_check", "query_id", "quota_key", "compress",
    "decompress", "buffer_size", "wait_end_of_query", "client_protocol_version", "role", "user", "password",
    "default_format", "send_progress_in_http_headers", "http_headers_progress_interval_ms",
    "enable_http_compression", "cancel_http_readonly_queries_on_client_close", "http_zlib_compression_level",
})
_INSERT = re.compile(rb"\A\s*INSERT\s+INTO\s+(.+?)\s+FORMAT\s+(\w+)[ \t]*(?:\r?\n|\Z)", re.IGNORECASE | re.DOTALL)
_TRAILING_FORMAT = re.compile(r"\bFORMAT\s+(\w+)\s*;?\s*\Z", re.IGNORECASE)
_CODE = re.compile(r"Code: (\d+)\.")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _quote(value: str) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


class _SqlError(Exception):
    def __init__(self, code: int, message: str, status: int = 500):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class _Session:
    """One chDB connection handle: its SET, USE and temporary tables are the session's."""

    def __init__(self, path: str, timeout: float):
        self.conn = chdb.connect(path)
        self.lock = threading.Lock()
        self.database: str | None = None
        self.applied: dict[str, str] = {}
        self.timeout = timeout
        self.last_used = time.monotonic()
        self.closed = False

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(Exception):
            self.conn.close()


def _decompress(body: bytes, encoding: str | None) -> bytes:
    if not encoding or encoding == "identity" or not body:
        return body
    if encoding == "lz4":
        import lz4.frame

        return lz4.frame.decompress(body)
    if encoding == "zstd":
        from backports import zstd

        return zstd.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    raise _SqlError(1001, f"Code: 1001. DB::Exception: Unknown HTTP Content-Encoding {encoding!r} (shim)", 400)


def _compress(body: bytes, accept: str) -> tuple[bytes, str | None]:
    for enc in (e.strip() for e in accept.split(",")):
        if enc == "lz4":
            import lz4.frame

            return lz4.frame.compress(body), enc
        if enc == "zstd":
            from backports import zstd

            return zstd.compress(body), enc
        if enc == "gzip":
            return gzip.compress(body), enc
        if enc == "deflate":
            return zlib.compress(body), enc
    return body, None


class ChHttpServer:
    def __init__(self, path: str, password: str | None = None, user: str = "default", timezone: str | None = None):
        """timezone: the server's own time zone (what timezone() says when a request sets no session_timezone),
        else the engine's (this process's)."""
        self.path = os.path.realpath(str(path))
        self.timezone = timezone
        self.user = user
        self.password = password if password is not None else secrets.token_urlsafe(12)
        self.requests = 0
        self.seen: collections.Counter[str] = collections.Counter()
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()
        self._admin = None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.version = ""
        self.engine_tz = "UTC"
        self.compression_default = "0"

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> ChHttpServer:
        os.makedirs(self.path, exist_ok=True)
        self._admin = chdb.connect(self.path)       # keeps the engine up between requests
        self.version, self.engine_tz = self._admin.query("SELECT version(), timezone()", "TabSeparated") \
            .bytes().decode().strip().split("\t")
        # the engine's own default (chDB: 1, a server: 0), as system.settings reports it to the client
        self.compression_default = self._admin.query(
            "SELECT value FROM system.settings WHERE name = 'enable_http_compression'", "TabSeparated") \
            .bytes().decode().strip() or "0"
        server = self

        class Handler(_Handler):
            shim = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="chhttp", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for s in sessions:
            with s.lock:
                s.close()
        if self._admin is not None:
            self._admin.close()
            self._admin = None

    def url(self, database: str, password: str | None = None) -> str:
        pw = self.password if password is None else password
        return f"clickhouse://{self.user}:{pw}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        with self._lock:
            self._admin.query(f"CREATE DATABASE IF NOT EXISTS `{name}`", "TabSeparated")

    def session_count(self) -> int:
        with self._lock:
            return len(self._sessions)

    # -- sessions ------------------------------------------------------------------------------
    def _session(self, session_id: str | None, params: dict[str, str]) -> tuple[_Session, bool]:
        """(the session's handle, whether it is a one-request handle to close after)."""
        timeout = float(params.get("session_timeout") or 60)
        if not session_id:
            return _Session(self.path, timeout), True
        now = time.monotonic()
        with self._lock:
            expired = [k for k, s in self._sessions.items()
                       if now - s.last_used > s.timeout and not s.lock.locked() and k != session_id]
            gone = [self._sessions.pop(k) for k in expired]
            s = self._sessions.get(session_id)
            if s is None:
                if params.get("session_check") == "1":
                    raise _SqlError(372, f"Code: 372. DB::Exception: Session {session_id} not found. "
                                         "(SESSION_NOT_FOUND)", 404)
                s = self._sessions[session_id] = _Session(self.path, timeout)
            s.timeout = timeout
        for g in gone:
            with g.lock:
                g.close()
        return s, False

    # -- one request ---------------------------------------------------------------------------
    def authenticate(self, headers, params: dict[str, str]) -> None:
        user, password = params.get("user"), params.get("password")
        auth = headers.get("Authorization") or ""
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        elif headers.get("X-ClickHouse-User"):
            user, password = headers.get("X-ClickHouse-User"), headers.get("X-ClickHouse-Key") or ""
        user = user or "default"
        if user != self.user or (password or "") != self.password:
            raise _SqlError(516, f"Code: 516. DB::Exception: {user}: Authentication failed: password is "
                                 "incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)", 401)

    def run(self, params: dict[str, str], body: bytes) -> tuple[bytes, str | None, dict, str | None]:
        """(response body, its format or None, summary, session timezone) of one request."""
        query = params.get("query", "").encode()
        full = query + b"\n" + body if query and body else (query or body)
        if not full.strip():
            raise _SqlError(62, "Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)", 400)
        settings = {k: v for k, v in params.items() if k not in TRANSPORT_PARAMS and not k.startswith("param_")}
        if self.timezone:
            settings = {"session_timezone": self.timezone, **settings}
        binds = {k[6:]: v for k, v in params.items() if k.startswith("param_")}
        session, transient = self._session(params.get("session_id"), params)
        self._count("session" if not transient else "no session")
        if not session.lock.acquire(blocking=False):
            raise _SqlError(373, f"Code: 373. DB::Exception: Session {params.get('session_id')} is locked by a "
                                 "concurrent client. (SESSION_IS_LOCKED)")
        if session.closed:        # expired between the lookup and the lock: a new one, as the server would
            session.lock.release()
            session, transient = self._session(params.get("session_id"), params)
            session.lock.acquire()
        try:
            self._prepare(session, params.get("database"), settings)
            insert = _INSERT.match(full[:65536])
            if insert and insert.group(2).decode().lower() != "values":
                self._count(f"insert {insert.group(2).decode()}")
                return self._insert(session, insert, full[insert.end():])
            sql = full.decode()
            fmt = _TRAILING_FORMAT.search(sql)
            self._count(f"format {fmt.group(1) if fmt else params.get('default_format') or 'TabSeparated'}")
            if fmt:
                result = self._query(session, sql, fmt.group(1), binds)
                return result.bytes() or b"", fmt.group(1), self._summary(result, False), session_tz(session)
            default = params.get("default_format")
            if default:
                result = self._query(session, sql, default, binds)
                return result.bytes() or b"", default, self._summary(result, False), session_tz(session)
            # TabSeparated by default; a statement with a result has at least its names line this way
            result = self._query(session, sql, "TabSeparatedWithNames", binds)
            out = result.bytes() or b""
            if not out:
                return b"", None, self._summary(result, False), session_tz(session)
            return out[out.find(b"\n") + 1:], "TabSeparated", self._summary(result, False), session_tz(session)
        finally:
            session.last_used = time.monotonic()
            session.lock.release()
            if transient:
                session.close()

    def _count(self, what: str) -> None:
        with self._lock:
            self.seen[what] += 1

    def _query(self, session: _Session, sql: str, fmt: str, binds: dict | None = None):
        try:
            return session.conn.query(sql, fmt, params=binds or {})
        except Exception as err:       # chdb.ChdbError, RuntimeError: the engine's own message
            text = str(err)
            start = text.find("Code: ")
            text = text[start:].strip() if start >= 0 else f"Code: 1001. DB::Exception: {text.strip()}"
            m = _CODE.match(text)
            raise _SqlError(int(m.group(1)) if m else 1001, text) from None

    def _prepare(self, session: _Session, database: str | None, settings: dict[str, str]) -> None:
        for key in [k for k in session.applied if k not in settings]:
            self._query(session, f"SET {key} = DEFAULT", "TabSeparated")
            del session.applied[key]
        for key, value in settings.items():
            if not _NAME.match(key):
                raise _SqlError(115, f"Code: 115. DB::Exception: Unknown setting '{key}'. (UNKNOWN_SETTING)")
            if session.applied.get(key) != value:
                self._query(session, f"SET {key} = {_quote(value)}", "TabSeparated")
                session.applied[key] = value
        if database and database != session.database:
            self._query(session, f"USE `{database}`", "TabSeparated")
            session.database = database

    def _insert(self, session: _Session, insert: re.Match, data: bytes):
        target, fmt = insert.group(1).decode(), insert.group(2).decode()
        fd, tmp = tempfile.mkstemp(suffix=f".{fmt.lower()}", prefix="chhttp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            result = self._query(session, f"INSERT INTO {target} FROM INFILE {_quote(tmp)} FORMAT {fmt}",
                                 "TabSeparated")
        finally:
            os.unlink(tmp)
        return b"", None, self._summary(result, True), session_tz(session)

    @staticmethod
    def _summary(result, written: bool) -> dict:
        try:
            rows, size, ns = result.rows_read(), result.bytes_read(), int(result.elapsed() * 1e9)
        except Exception:
            return {}
        out = {"read_rows": str(rows), "read_bytes": str(size), "written_rows": "0", "written_bytes": "0",
               "total_rows_to_read": str(rows), "result_rows": "0", "result_bytes": "0", "elapsed_ns": str(ns)}
        if written:
            out.update(written_rows=str(rows), written_bytes=str(size), result_rows=str(rows), result_bytes=str(size))
        return out


def session_tz(session: _Session) -> str | None:
    return session.applied.get("session_timezone")


class _Handler(BaseHTTPRequestHandler):
    shim: ChHttpServer
    protocol_version = "HTTP/1.1"
    server_version = "ClickHouse-chhttp-shim"

    def setup(self):
        super().setup()
        # one write per response and no Nagle delay: else each request waits out the peer's delayed ACK (40 ms)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):      # noqa: A002 (quiet: pytest captures nothing useful from it)
        return

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.shim._count("chunked")
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self._headers_buffer.append(b"\r\n")
        head = b"".join(self._headers_buffer)
        self._headers_buffer = []
        self.wfile.write(head + (body if self.command != "HEAD" else b""))

    def do_GET(self):  # noqa: N802
        self._handle(b"")

    def do_POST(self):  # noqa: N802
        self._handle(self._body())

    def _handle(self, body: bytes) -> None:
        shim = self.shim
        with shim._lock:
            shim.requests += 1
        split = urlsplit(self.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        query_id = params.get("query_id") or str(uuid.uuid4())
        base = {"X-ClickHouse-Server-Display-Name": "chhttp-shim", "X-ClickHouse-Query-Id": query_id}
        where = split.path.rstrip("/")
        if where == "/ping" or (where == "" and not body and "query" not in params):
            self._send(200, b"Ok.\n", {**base, "Content-Type": "text/plain; charset=UTF-8"})
            return
        try:
            if split.path.rstrip("/") != "":
                raise _SqlError(1001, f"Code: 1001. DB::Exception: no handler for {split.path} (shim)", 404)
            if (self.headers.get("Content-Type") or "").startswith("multipart/"):
                raise _SqlError(48, "Code: 48. DB::Exception: multipart/form-data requests are not implemented "
                                    "by the test shim (tests/support/chhttp.py). (NOT_IMPLEMENTED)", 400)
            shim.authenticate(self.headers, params)
            if self.headers.get("Content-Encoding"):
                shim._count(f"encoding {self.headers.get('Content-Encoding')}")
            body = _decompress(body, self.headers.get("Content-Encoding"))
            out, fmt, summary, tz = shim.run(params, body)
        except _SqlError as err:
            shim._count(f"error {err.code}")
            text = f"{err.message} (version {shim.version})\n".encode()
            self._send(err.status, text, {**base, "X-ClickHouse-Exception-Code": str(err.code),
                                          "Content-Type": "text/plain; charset=UTF-8"})
            return
        headers = {**base, "X-ClickHouse-Summary": json.dumps(summary, separators=(",", ":")),
                   "X-ClickHouse-Timezone": tz or shim.engine_tz,
                   "Content-Type": "application/octet-stream"}
        if fmt:
            headers["X-ClickHouse-Format"] = fmt
        if params.get("enable_http_compression", shim.compression_default) == "1" and out:
            out, enc = _compress(out, self.headers.get("Accept-Encoding") or "")
            if enc:
                headers["Content-Encoding"] = enc
                shim._count(f"answer {enc}")
        self._send(200, out, headers)
