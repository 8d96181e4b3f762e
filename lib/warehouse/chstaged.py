"""Statements with CTEs on ClickHouse, run as a sequence of temporary tables.

    execute(conn, stmt, params) -> result        conn.execute(stmt, params), a select's CTEs computed in steps
    AS_TABLES                                    the CTE names the compiler renders as plain table names

ClickHouse inlines a CTE at every place it is read, and its analyzer works on the inlined tree: the sequential
funnel's plan (a CTE per step, each read by the next ones) became a query tree of 434,000 lines, whose analysis
alone (EXPLAIN PLAN) took 46 s on 3M events, and the query itself over 300 s (WITH ... AS MATERIALIZED only saves
the execution, not the analysis). Here every CTE read more than once is computed once, in dependency order, into
a temporary table of the connection's session (ENGINE = Memory), and the statements after it read that table by
name (the compiler's visit_cte, lib.warehouse.chdialect, renders the names in AS_TABLES without their body).
A CTE read once stays inline in the one statement that reads it. Each temporary table is dropped as soon as the
last statement reading it has run, and all of them when a statement fails, so a connection goes back to the pool
clean.
"""
from __future__ import annotations

import re
from contextvars import ContextVar

from sqlalchemy import literal_column, select
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import Selectable

__all__ = ["execute", "AS_TABLES"]

AS_TABLES: ContextVar[frozenset[str]] = ContextVar("clickhouse_cte_tables", default=frozenset())


def _quote(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def _reads(sql: str, name: str) -> int:
    """How many times `sql` reads the CTE (or table) `name`: FROM / JOIN / IN (SELECT ... FROM name)."""
    return len(re.findall(r"(?:FROM|JOIN)\s+" + re.escape(_quote(name)) + r"(?=[\s),]|$)", sql))


def _compile(conn, stmt, tables: frozenset[str]):
    token = AS_TABLES.set(tables)
    try:
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        return str(compiled), compiled.params
    finally:
        AS_TABLES.reset(token)


class _Rows:
    """The final select's rows, fetched before its temporary tables were dropped."""

    def __init__(self, result):
        self._keys, self._rows = list(result.keys()), result.fetchall()

    def keys(self):
        return self._keys

    def fetchall(self):
        return self._rows


def execute(conn, stmt, params: dict):
    """conn.execute(stmt, params); for a select without parameters, its CTEs read more than once are computed
    first into temporary tables (text and parameterised statements run as they are)."""
    if params or isinstance(stmt, TextClause) or not isinstance(stmt, Selectable):
        return conn.execute(stmt, params)
    full = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    sql = str(full)
    ctes = [c for c in (getattr(full, "ctes", None) or {}) if not c.recursive and _reads(sql, c.name) > 1]
    if not ctes:
        return conn.execute(stmt)
    done: frozenset[str] = frozenset()
    steps = []                                          # (name or None for the final select, sql, params)
    for cte in ctes:          # the body compiled as a subquery, so its columns are named as inside WITH
        body, params = _compile(conn, select(literal_column("*")).select_from(cte.element.subquery("body")), done)
        steps.append((cte.name, body, params))
        done = done | {cte.name}
    final, params = _compile(conn, stmt, done)
    steps.append((None, final, params))
    last_use = {name: max(i for i, (_, body, _) in enumerate(steps) if _reads(body, name)) for name in done}
    made: list[str] = []
    try:
        for i, (name, body, params) in enumerate(steps):
            if name is None:          # compiled again by SQLAlchemy, which names the result's columns
                token = AS_TABLES.set(done)
                try:
                    out = _Rows(conn.execute(stmt))
                finally:
                    AS_TABLES.reset(token)
            else:
                conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {_quote(name)} ENGINE = Memory AS {body}", params)
                made.append(name)
            for gone in [m for m in made if last_use[m] <= i]:
                conn.exec_driver_sql(f"DROP TEMPORARY TABLE IF EXISTS {_quote(gone)}")
                made.remove(gone)
        return out
    finally:
        for name in made:
            conn.exec_driver_sql(f"DROP TEMPORARY TABLE IF EXISTS {_quote(name)}")
