"""Read a feed from any SQLAlchemy database, read-only, without ever showing the password.

A feed is a table name (``orders`` or ``schema.orders``) or one SELECT / WITH query.
Guards: the query text is checked (one statement, no write keywords), then the read runs in a
read-only transaction where the database has one (PostgreSQL ``SET TRANSACTION READ ONLY``;
DuckDB file opened ``read_only`` with file access disabled; SQLite ``PRAGMA query_only``) and
is always rolled back. Errors become ``SourceError``; messages and logs never hold the password.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import quote, quote_plus

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from lib.sources.errors import SourceError
from lib.warehouse.db_urls import _SECRET_KEY, _parse, describe, redact_url
from lib.warehouse.db_urls import UNREADABLE as _UNREADABLE

__all__ = ["describe", "read_feed", "redact_url", "url_from_config"]

log = logging.getLogger(__name__)

URL_ENV = "SHOPCAST_SOURCE_URL"
_URL_HELP = "Expected e.g. postgresql+psycopg://user:password@host:5432/db or duckdb:///path/shop.duckdb."
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TABLE_NAME = re.compile(rf"{_NAME}(?:\.{_NAME})?")
_WRITES = {"INSERT", "UPDATE", "DELETE", "MERGE", "DROP", "ALTER", "CREATE", "TRUNCATE", "GRANT", "REVOKE"}
_WRITES |= {"ATTACH", "DETACH", "PRAGMA", "INTO", "VACUUM"}
_STARTS_SELECT = re.compile(r"[\s(]*(?:SELECT|WITH)\b", re.IGNORECASE)
_DOLLAR = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")
_E_PREFIX = re.compile(r"(?<![\w$])[eE]\Z")
_NO_TABLE = re.compile(
    r"no such table|table with name .* does not exist|(relation|schema) .* does not exist|table .* doesn't exist",
    re.IGNORECASE,
)
_READ_ONLY = re.compile(r"read-only|readonly|read only", re.IGNORECASE)


def url_from_config(env: Mapping[str, str], secrets: Mapping) -> str | None:
    """``SHOPCAST_SOURCE_URL`` from the environment, else ``secrets["sources"]["sql"]["url"]``, else None."""
    value = (env.get(URL_ENV) or "").strip()
    if value:
        return value
    try:
        value = secrets["sources"]["sql"]["url"]
    except (KeyError, TypeError, AttributeError, FileNotFoundError):  # FileNotFoundError: no secrets.toml
        return None
    return (str(value).strip() or None) if value is not None else None


def _scrub(text: str, url: str) -> str:
    """``text`` with the URL, its password and secret query values (plain or URL-encoded) masked."""
    u, secrets = _parse(url), [url]
    if u is not None:
        found = [u.password or ""]
        for key, value in u.query.items():
            if _SECRET_KEY.search(key):
                found += [value] if isinstance(value, str) else list(value)
        secrets += [form for s in found if s for form in (s, quote(s, safe=""), quote_plus(s))]
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _detail(exc: BaseException, url: str) -> str:
    """The driver's own words, without SQL echo, carets or secrets."""
    lines = [ln.strip() for ln in str(getattr(exc, "orig", None) or exc).splitlines()]
    keep = [
        ln for ln in lines if ln and not ln.startswith(("LINE ", "[SQL", "(Background")) and set(ln) != {"^"}
    ]
    return _scrub((" ".join(keep[:2]).rstrip(" .!") or type(exc).__name__)[:300], url)


class _Rejected(Exception):
    """The query text is not one read-only SELECT (becomes ``not_a_select``)."""


def _skeleton(sql: str, family: str) -> str:
    """``sql`` with comments blanked and literals / quoted names zeroed (positions kept), lexed as
    ``family`` reads it: "postgres" (also DuckDB: E'' escapes, $$ quotes, nested comments),
    "mysql" (backslash escapes, # comments, /*! */ is code) or "standard" (SQLite and others)."""
    pg, my = family == "postgres", family == "mysql"
    out, i, n = list(sql), 0, len(sql)
    while i < n:
        c, two = sql[i], sql[i : i + 2]
        if two == "--" or (my and c == "#"):
            j = sql.find("\n", i)
            j = n if j < 0 else j
        elif two == "/*" and not (my and sql[i + 2 : i + 3] == "!"):
            j, depth = i + 2, 1
            while j < n and depth:
                step = sql[j : j + 2]
                depth += 1 if (pg and step == "/*") else -1 if step == "*/" else 0
                j += 2 if step == "*/" or (pg and step == "/*") else 1
        elif c in "'\"" or (my and c == "`"):
            escapes = my or (pg and c == "'" and _E_PREFIX.search(sql, 0, i))
            j = i + 1
            while j < n and not (sql[j] == c and sql[j + 1 : j + 2] != c):
                j += 2 if (escapes and sql[j] == "\\") or sql[j : j + 2] == c * 2 else 1
            j = min(j + 1, n)
        elif pg and (m := _DOLLAR.match(sql, i)) and not (i and (sql[i - 1].isalnum() or sql[i - 1] in "_$")):
            end = sql.find(m.group(), m.end())
            j = n if end < 0 else end + len(m.group())
        else:
            i += 1
            continue
        out[i:j] = ("0" if c in "'\"`$" else " ") * (j - i)
        i = j
    return "".join(out)


def _check_select(query: str) -> str:
    """The query without trailing ``;`` and comments; ``_Rejected`` unless one SELECT/WITH that
    writes nothing, however a PostgreSQL/DuckDB, MySQL or standard SQL parser would read it."""
    body = ""
    for family in ("postgres", "mysql", "standard"):
        skel = _skeleton(query, family).rstrip(" \t\r\n;")
        if ";" in skel:
            raise _Rejected("it holds more than one statement")
        if not _STARTS_SELECT.match(skel):
            raise _Rejected("it does not start with SELECT or WITH")
        bad = sorted({w.upper() for w in re.findall(r"[A-Za-z_]+", skel)} & _WRITES)
        if bad:
            raise _Rejected(f"it contains {bad[0]}")
        body = body or query[: len(skel)]
    return body


def _statement(query: str, limit: int | None):
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError("limit must be a non-negative integer or None")
    text = query.strip() if isinstance(query, str) else ""
    if not text:
        raise _Rejected("the feed is empty")
    if _TABLE_NAME.fullmatch(text):  # quoted by the dialect's identifier preparer when compiled
        schema, _, name = text.rpartition(".")
        stmt = sa.select(sa.literal_column("*")).select_from(sa.table(name, schema=schema or None))
        return stmt if limit is None else stmt.limit(limit)
    # escape ":word" so SQLAlchemy does not read it as a bind parameter
    clause = sa.text(re.sub(r"(?<![:\w\\]):(?=\w)", r"\\:", _check_select(text)))
    if limit is None:
        return clause
    inner = clause.columns().subquery("shopcast_feed")
    return sa.select(sa.literal_column("*")).select_from(inner).limit(limit)


def _create_engine(url: str) -> Engine:
    u, failure = _parse(url), None
    if u is None:
        raise SourceError(_UNREADABLE, "bad_url", f"The database address could not be read. {_URL_HELP}")
    source, backend, db, kwargs = describe(url), u.get_backend_name(), u.database or "", {}
    local = backend in ("sqlite", "duckdb") and db not in ("", ":memory:") and not db.startswith("md:")
    if local and not db.startswith("file:") and not os.path.exists(db):  # SQLite would quietly create it
        raise SourceError(source, "cannot_connect", f"The database file {db} does not exist. Check the path.")
    if backend == "duckdb":
        kwargs["connect_args"] = {"read_only": True, "config": {"enable_external_access": False}}
    try:
        return sa.create_engine(u, poolclass=NullPool, **kwargs)
    except sa.exc.NoSuchModuleError:
        failure = SourceError(source, "bad_url", f"Unknown database type {u.drivername!r}. {_URL_HELP}")
    except ImportError as exc:
        failure = SourceError(source, "bad_url", f"The driver for {u.drivername} is missing ({exc.name}).")
    except Exception:
        failure = SourceError(source, "bad_url", f"The database address could not be used. {_URL_HELP}")
    raise failure  # raised outside the except blocks: no chained driver exception


def _translate(exc: BaseException, url: str, *, connecting: bool = False) -> SourceError:
    source, detail = describe(url), _detail(exc, url)
    if connecting:
        hint = "Check that the database is running and that host, port, user and password are right."
        if source.startswith("duckdb") and re.search(r"lock|different configuration", detail, re.IGNORECASE):
            hint = "Another program holds the DuckDB file (DuckDB allows one writer): stop it, then retry."
        return SourceError(source, "cannot_connect", f"Could not connect to {source}: {detail}. {hint}")
    if _NO_TABLE.search(detail):
        return SourceError(source, "no_such_table", f"{source} has no such table: {detail}. Check the name.")
    if _READ_ONLY.search(detail):
        return SourceError(
            source, "not_a_select", f"Shopcast only reads; {source} refused a write: {detail}."
        )
    return SourceError(source, "query_failed", f"The query failed on {source}: {detail}. Check the names.")


@contextmanager
def _read_connection(url: str, engine: Engine | None = None) -> Iterator[Connection]:
    """A connection in a read-only transaction that is always rolled back."""
    own, failure = engine is None, None
    engine = _create_engine(url) if engine is None else engine
    try:
        try:
            conn = engine.connect()
        except Exception as exc:
            failure = _translate(exc, url, connecting=True)
        if failure is not None:
            raise failure
        name = conn.dialect.name
        try:
            if name == "postgresql":
                conn.execute(sa.text("SET TRANSACTION READ ONLY"))
            elif name == "sqlite":
                conn.execute(sa.text("PRAGMA query_only = ON"))
            yield conn
        finally:
            try:
                conn.rollback()
                if name == "sqlite":  # the setting outlives the transaction on a pooled connection
                    conn.execute(sa.text("PRAGMA query_only = OFF"))
                    conn.rollback()
            except Exception:  # a broken connection: closing it is enough
                log.debug("rollback failed on %s", describe(url))
            conn.close()
    finally:
        if own:
            engine.dispose()


def read_feed(
    url: str, query: str, *, limit: int | None = None, engine: Engine | None = None
) -> pd.DataFrame:
    """Read a table name or one SELECT/WITH query from ``url`` into a DataFrame, read-only.

    ``limit`` caps the rows (applied in the database). ``engine``: use it instead of creating one
    (``url`` then only labels messages; the caller owns and disposes the engine).
    Raises ``SourceError``: bad_url, cannot_connect, no_such_table, not_a_select, query_failed.
    """
    if engine is not None and not url:
        url = engine.url.render_as_string(hide_password=False)
    source, failure = describe(url), None
    try:
        try:
            stmt = _statement(query, limit)
        except _Rejected as why:
            shown = " ".join(str(query).split())
            shown = _scrub(shown if len(shown) <= 60 else shown[:57] + "...", url)
            failure = SourceError(
                source,
                "not_a_select",
                f"Shopcast only reads data, and {why} (in: {shown!r}). Enter a table name (letters, digits, _; "
                'optionally schema.table) or one SELECT query; quote other names, e.g. SELECT * FROM "Order Lines".',
            )
        if failure is not None:
            raise failure
        log.info("reading feed from %s", source)
        with _read_connection(url, engine) as conn:
            try:
                result = conn.execute(stmt)
                rows, columns = result.fetchall(), list(result.keys())
                return pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)
            except Exception as exc:
                failure = _translate(exc, url)
            raise failure
    except SourceError as err:
        log.warning("source %s failed (%s): %s", err.source, err.reason, err.message)
        failure = err
    raise failure  # outside any except block: no chained exception can carry driver text


def _read_only_probe(url: str, *, engine: Engine | None = None) -> str:
    """``'on'`` when a connection opened the way ``read_feed`` opens one is read-only (for tests)."""
    with _read_connection(url, engine) as conn:
        name = conn.dialect.name
        if name == "postgresql":
            return str(conn.execute(sa.text("SHOW transaction_read_only")).scalar())
        if name == "sqlite":
            return "on" if conn.execute(sa.text("PRAGMA query_only")).scalar() else "off"
        if name == "duckdb":
            mode = conn.execute(sa.text("SELECT current_setting('access_mode')")).scalar()
            return "on" if str(mode).lower() == "read_only" else "off"
        return "unknown"
