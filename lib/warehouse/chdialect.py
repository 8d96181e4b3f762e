"""SQLAlchemy dialects for ClickHouse: embedded (chdb:///<dir>) and a server (clickhouse://user:pass@host:8123/db).

Why this route (issue 19): clickhouse-connect (pinned) ships both a SQLAlchemy dialect (a ClickHouse statement
compiler, identifier quoting, reflection) and, since 1.13, an in-process chDB backend behind the same client and
DB-API: one package drives the embedded engine and a server alike, and the warehouse talks to both through the
same client (Arrow inserts: ``client.insert_arrow``). clickhouse-sqlalchemy 0.3.2 requires SQLAlchemy < 2.1
(the app pins 2.1) plus clickhouse-driver and asynch, and talks to servers only; chdb's own DB-API module parses
every result through JSON rows and has no SQL compiler. So the dialects here subclass clickhouse-connect's, with:

- dialect name "clickhouse" for both (so ``@compiles(..., "clickhouse")`` shims serve the embedded engine and a
  server alike; lib.warehouse checks ``dialect.name == "clickhouse"``), registered as the URL schemes ``chdb``
  and ``clickhouse``;
- the types the warehouse declares (DateTime64(6) for timestamps, Date32, Nullable(T) for nullable columns) and
  CREATE TABLE with ENGINE = MergeTree ORDER BY the columns the queries group and sort on (CLICKHOUSE_ORDER), the
  app's own tables updatable (UPDATABLE); an UPDATE without a WHERE gets WHERE 1 (ClickHouse requires one);
- the SQL the app's queries use where ClickHouse spells it differently: percentile_cont(p) WITHIN GROUP (ORDER
  BY x) is quantileExactInclusive(p)(x) (the same linear interpolation); lag/lead OVER (...) are
  lagInFrame/leadInFrame over the whole partition, NULL past its ends (ClickHouse's lag gives 0 there);
- session settings every connection gets (SESSION_SETTINGS): outer joins give NULL, not 0 or ''; a CAST keeps
  NULLs; timestamps are naive UTC, as on DuckDB and PostgreSQL (the store's local time, stored without zone).

chDB hosts one engine per process, at one directory: every engine on a chdb URL in a process shares it (each
pooled connection is a handle onto that one engine), and a URL naming another directory fails while any handle
is open. ``chdb:///<dir>?database=<name>`` opens (creating it if missing) a database inside that directory:
tests use one directory per test session and a database per test, as they use one PostgreSQL server.
ClickHouse has no transactions: lib.warehouse.clickhouse makes loads atomic by EXCHANGE TABLES.
"""
from __future__ import annotations

import itertools
import os
import threading
from datetime import datetime

from clickhouse_connect.cc_sqlalchemy.dialect import ClickHouseDialect
from clickhouse_connect.cc_sqlalchemy.sql.compiler import ChStatementCompiler
from clickhouse_connect.cc_sqlalchemy.sql.ddlcompiler import ChDDLCompiler
from clickhouse_connect.driver.binding import DT64Param, quote_identifier
from sqlalchemy import func
from sqlalchemy.sql import elements, sqltypes
from sqlalchemy.sql.base import _de_clone
from sqlalchemy.sql.compiler import GenericTypeCompiler

from lib.warehouse import chstaged

__all__ = ["ChdbDialect", "ClickHouseServerDialect", "CLICKHOUSE_ORDER", "SESSION_SETTINGS", "UPDATABLE", "column_type"]

# the table settings ClickHouse's lightweight UPDATE needs, for tables declared info={"updatable": True} (the app's
# own rows, lib.warehouse.userrows), which are sorted by nothing: UPDATE cannot change a sorting key's column
UPDATABLE = "enable_block_number_column = 1, enable_block_offset_column = 1"
# MergeTree sorting keys: the columns the funnel (events by step and time), cohort and KPI queries (orders by
# customer and time) filter, group and sort on; other tables by their primary key. Only required columns.
CLICKHOUSE_ORDER = {
    "events": ("event", "event_at"),
    "orders": ("customer_id", "ordered_at"),
    "inventory": ("sku", "date"),
    "products": ("sku",),
    "customers": ("customer_id",),
    "spend": ("channel", "date"),
}
SESSION_SETTINGS = {
    "join_use_nulls": 1,           # an outer join's missing side is NULL (ClickHouse's default: 0 / '')
    "cast_keep_nullable": 1,       # CAST(NULL-able AS T) keeps its NULLs
    "aggregate_functions_null_for_empty": 1,   # min/max/sum of no rows is NULL, as in SQL (ClickHouse: 0, 1970-01-01)
    "session_timezone": "UTC",     # naive timestamps read and written as they are
}
_TYPES = [(sqltypes.BigInteger, "Int64"), (sqltypes.SmallInteger, "Int16"), (sqltypes.Integer, "Int32"),
          (sqltypes.Double, "Float64"), (sqltypes.Float, "Float64"), (sqltypes.Numeric, "Float64"),
          (sqltypes.Boolean, "Bool"), (sqltypes.DateTime, "DateTime64(6)"), (sqltypes.Date, "Date32"),
          (sqltypes.String, "String")]


def column_type(type_) -> str:
    """The ClickHouse type of a SQLAlchemy type (not nullable)."""
    for cls, name in _TYPES:
        if isinstance(type_, cls):
            return name
    raise TypeError(f"no ClickHouse type for {type_!r}")


class _TypeCompiler(GenericTypeCompiler):
    """Types in CAST: as stored, except a date is a Date (Date - DATE '2000-01-03' is allowed; Date32 - Date not)."""

    def process(self, type_, **kw):
        if isinstance(type_, sqltypes.Date) and not isinstance(type_, sqltypes.DateTime):
            return "Date"
        try:
            return column_type(type_)
        except TypeError:
            return super().process(type_, **kw)


class _Compiler(ChStatementCompiler):
    def visit_cte(self, cte, asfrom=False, **kw):
        """A CTE that lib.warehouse.chstaged already made into a temporary table: its name only (with its alias)."""
        base = cte._cte_alias if cte._cte_alias is not None else cte
        if base.name in chstaged.AS_TABLES.get():
            if not asfrom:
                return None
            if kw.get("from_linter") is not None:
                kw["from_linter"].froms[cte._de_clone()] = cte.name
            text = self.preparer.format_alias(base, base.name)
            return text if base is cte else text + self.get_render_as_alias_suffix(self.preparer.quote(cte.name))
        return super().visit_cte(cte, asfrom=asfrom, **kw)

    def visit_withingroup(self, element, **kw):
        fn = element.element
        if getattr(fn, "name", "").lower() == "percentile_cont":
            (frac,) = list(fn.clauses)
            (key,) = list(element.order_by)
            return f"quantileExactInclusive({self.process(frac, **kw)})({self.process(key, **kw)})"
        return super().visit_withingroup(element, **kw)

    def visit_over(self, over, **kw):
        fn = over.element
        name = getattr(fn, "name", "").lower()
        if name in ("lag", "lead") and over.range_ is None and over.rows is None:
            args = list(fn.clauses)
            inner = getattr(func, f"{name}InFrame")(func.toNullable(args[0]), *args[1:])
            whole = inner.over(partition_by=over.partition_by, order_by=over.order_by, rows=(None, None))
            return self.process(whole, **kw)
        return super().visit_over(over, **kw)

    def visit_join(self, join, from_linter=None, **kw):
        if from_linter is not None:      # as SQLAlchemy's own visit_join: a JOIN ... ON true is no cartesian product
            from_linter.edges.update(itertools.product(_de_clone(join.left._from_objects),
                                                        _de_clone(join.right._from_objects)))
        return super().visit_join(join, from_linter=from_linter, **kw)

    def visit_update(self, update_stmt, visiting_cte=None, **kw):
        sql = super().visit_update(update_stmt, visiting_cte=visiting_cte, **kw)
        return sql if update_stmt.whereclause is not None else sql + " WHERE 1"   # ClickHouse's UPDATE needs one

    def visit_cast(self, cast, **kw):
        if isinstance(cast.clause, elements.Null):
            return f"CAST(NULL AS Nullable({column_type(cast.type)}))"
        return super().visit_cast(cast, **kw)


class _DDLCompiler(ChDDLCompiler):
    """CREATE TABLE for the warehouse's tables: MergeTree, or Memory for a temporary table."""

    def get_column_specification(self, column, include_type=True, **kw):
        kind = column_type(column.type)
        if column.nullable and not column.primary_key:
            kind = f"Nullable({kind})"
        return f"{self.preparer.format_column(column)} {kind}"

    def visit_create_table(self, create, **kw):
        table = create.element
        cols = ", ".join(self.get_column_specification(c.element) for c in create.columns)
        temporary = "TEMPORARY" in (table._prefixes or [])
        name = self.preparer.format_table(table)
        if temporary:
            return f"CREATE TEMPORARY TABLE {name} ({cols}) ENGINE = Memory"
        if table.info.get("updatable"):      # the app's own rows: lightweight UPDATE of any column (userrows)
            return f"CREATE TABLE {name} ({cols}) ENGINE = MergeTree ORDER BY tuple() SETTINGS {UPDATABLE}"
        keys = CLICKHOUSE_ORDER.get(table.name) or tuple(c.name for c in table.primary_key.columns)
        order = ", ".join(self.preparer.quote(k) for k in keys)
        return f"CREATE TABLE {name} ({cols}) ENGINE = MergeTree ORDER BY ({order})"

    def visit_drop_table(self, drop, **kw):
        return f"DROP TABLE {self.preparer.format_table(drop.element)}"


def _micro(params):
    """Parameters with datetimes kept to the microsecond (clickhouse-connect renders a plain datetime to the second:
    a funnel's inclusive end, 09:00:00.000001, would become 09:00:00)."""
    if not isinstance(params, dict):
        return params
    return {k: DT64Param(v) if isinstance(v, datetime) else v for k, v in params.items()}


class _Base(ClickHouseDialect):
    name = "clickhouse"
    statement_compiler = _Compiler
    ddl_compiler = _DDLCompiler
    type_compiler_cls = _TypeCompiler
    supports_statement_cache = False

    def do_execute(self, cursor, statement, parameters, context=None):
        super().do_execute(cursor, statement, _micro(parameters), context)

    def do_executemany(self, cursor, statement, parameters, context=None):
        super().do_executemany(cursor, statement, [_micro(p) for p in parameters], context)


def _import_dbapi(cls):
    from clickhouse_connect import dbapi

    return dbapi


_MADE: set[tuple[str, str]] = set()
_MADE_LOCK = threading.Lock()


class ChdbDialect(_Base):
    """chdb:///<dir>[?database=<name>]: the embedded engine (chDB) keeping its data in <dir>."""

    driver = "chdb"
    supports_statement_cache = False       # as clickhouse-connect's dialect (parameters are rendered client-side)
    import_dbapi = classmethod(_import_dbapi)

    def create_connect_args(self, url):
        import importlib.util

        if importlib.util.find_spec("chdb") is None:     # a dev requirement: ~530 MB the app does not need
            raise ModuleNotFoundError("The embedded ClickHouse engine (chdb:/// URLs) needs the chdb package: "
                                      "pip install chdb==4.4.0 chdb-core==26.9.0 (make test installs it).")
        path = os.path.abspath(url.database or ".")
        opts = {"interface": "chdb", "path": path, "database": url.query.get("database") or "default",
                **SESSION_SETTINGS}
        return [], opts

    def connect(self, *cargs, **cparams):
        key = (cparams["path"], cparams["database"])
        with _MADE_LOCK:
            if key[1] != "default" and key not in _MADE:
                os.makedirs(key[0], exist_ok=True)
                first = self.loaded_dbapi.connect(**{**cparams, "database": None})
                try:
                    first.command(f"CREATE DATABASE IF NOT EXISTS {quote_identifier(key[1])}")
                finally:
                    first.close()
                _MADE.add(key)
        return super().connect(*cargs, **cparams)


class ClickHouseServerDialect(_Base):
    """clickhouse://user:password@host:8123/db: a ClickHouse server over HTTP. The tests run it against
    tests/support/chhttp.py (ClickHouse's HTTP interface over chDB): no server on this machine."""

    driver = "http"
    supports_statement_cache = False
    import_dbapi = classmethod(_import_dbapi)

    def create_connect_args(self, url):
        opts = {"host": url.host or "localhost", "port": url.port or 8123, "username": url.username or "default",
                "password": url.password or "", "database": url.database or "default", **SESSION_SETTINGS,
                **{k: v for k, v in url.query.items()}}
        return [], opts

    def connect(self, *cargs, **cparams):
        """A refused sign-in as one sentence naming the server and the user (never the password), instead of
        the client's "Received ClickHouse exception, code: 516, server response: ..." """
        try:
            return super().connect(*cargs, **cparams)
        except self.loaded_dbapi.DatabaseError as err:
            if getattr(err, "code", None) != 516:          # AUTHENTICATION_FAILED
                raise
            where = f"{cparams.get('host')}:{cparams.get('port')}"
            raise self.loaded_dbapi.OperationalError(
                f"The ClickHouse server at {where} refused user {cparams.get('username')!r}: wrong password, or "
                "no such user (AUTHENTICATION_FAILED, code 516). Check the password in the warehouse URL "
                "(DATABASE_URL).", code=516, name="AUTHENTICATION_FAILED") from None
