"""Writes to the app's own small tables (saved views, notebooks, saved scenarios) that behave the same on DuckDB,
PostgreSQL and ClickHouse, so lib.sharing and lib.pricing need not know the engine.

    insert_new(wh, table, row) -> bool            the row, unless one with its primary key exists (then False)
    upsert(wh, table, row, overwrite=True) -> bool   insert, or replace the row with that key; False (nothing
                                                  written) when it exists and overwrite is False
    writing(wh) -> conn                           a connection for one write (a `with` block; see below)
    changed(conn, stmt) -> int                    run an UPDATE or DELETE in it: the number of rows it changed

DuckDB and PostgreSQL: a transaction per write; the primary key refuses a repeated id (IntegrityError) and an
upsert is one INSERT ... ON CONFLICT DO UPDATE (PostgreSQL's syntax, DuckDB's too), retried when a concurrent
write conflicts; the driver's rowcount says what an UPDATE or DELETE changed.

ClickHouse has no transactions, no unique constraint and no useful rowcount (chDB reports 1 for any DELETE or
UPDATE). Options weighed (issue 19):

- ALTER TABLE ... UPDATE / DELETE mutations: they rewrite whole parts and run asynchronously unless
  mutations_sync = 1; heavier than the lightweight statements below for a one-row change, and a different
  statement from the UPDATE the other engines run.
- ReplacingMergeTree with a version column, read with FINAL: duplicates are collapsed only at read time (every
  reader must say FINAL, including the tests' own SQL), a delete needs a tombstone column, and it still cannot
  refuse a repeated id, which save_view's retry and save_scenario(overwrite=False) rely on.
- A per-operation rewrite through a staging table and EXCHANGE TABLES (as lib.warehouse.chload loads a feed):
  atomic, but a copy of the whole table per saved view, and a plain UPDATE (the tests tamper with a scenario
  by one) would still fail.
- Lightweight DELETE and UPDATE (chosen): ClickHouse 26.9 in chDB 4.4 runs both synchronously; ``DELETE FROM``
  masks the rows at once (lightweight_deletes_sync), ``UPDATE ... SET ... WHERE`` writes a patch part that
  readers apply at once. UPDATE needs the table settings enable_block_number_column and
  enable_block_offset_column, and cannot change a column of the sorting key, so these tables are created with
  ORDER BY tuple() (a few hundred rows: lookups by id scan them anyway) and those settings
  (lib.warehouse.chdialect.UPDATABLE). The same SQLAlchemy
  statements then run on all three engines. (ClickHouse's docs still call lightweight updates beta; a server
  without them refuses the UPDATE.)

Uniqueness on ClickHouse is check-then-write under one lock per database in this process
(lib.warehouse.locks.store_lock, not the load lock: a save does not wait for a long load): Streamlit serves every session from one process, so no
two writes to these tables interleave, and the count taken before an UPDATE or DELETE is exact. Two processes
writing to one ClickHouse server at once are not serialized (as for loads; chDB's directory is one process's).
A write is one statement (an upsert that finds the row is one UPDATE), so a reader never sees a half-saved row.
"""
from __future__ import annotations

import contextlib
import time

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, IntegrityError

from lib.warehouse.clickhouse import is_clickhouse
from lib.warehouse.locks import store_lock

__all__ = ["insert_new", "upsert", "writing", "changed"]

@contextlib.contextmanager
def writing(wh):
    """A connection for one write: engine.begin() on DuckDB (holding the store lock: one process owns the file,
    so its sessions' writes queue instead of failing on each other's optimistic transactions) and PostgreSQL;
    on ClickHouse engine.connect() holding the store lock (no transactions: every statement lands as it runs).
    A warehouse pinned to a kept data version is read-only (on ClickHouse its database holds only views)."""
    if getattr(wh, "pinned_version", None) is not None:
        raise ValueError("A warehouse pinned to a data version is read-only: save through the live warehouse.")
    if is_clickhouse(wh.engine):
        with store_lock(wh.engine), wh.engine.connect() as conn:
            yield conn
    elif wh.engine.dialect.name == "duckdb":
        with store_lock(wh.engine), wh.engine.begin() as conn:
            yield conn
    else:
        with wh.engine.begin() as conn:
            yield conn


def changed(conn, stmt) -> int:
    """Run an UPDATE or DELETE statement; the number of rows it changed (ClickHouse: counted just before, which
    is exact inside ``writing``)."""
    if not is_clickhouse(conn):
        return conn.execute(stmt).rowcount
    where = [stmt.whereclause] if stmt.whereclause is not None else []
    n = int(conn.execute(select(func.count()).select_from(stmt.table).where(*where)).scalar_one())
    if n:
        conn.execute(stmt)
    return n


def _key(table, row: dict):
    keys = list(table.primary_key.columns)
    cond = keys[0] == row[keys[0].name]
    for c in keys[1:]:
        cond = cond & (c == row[c.name])
    return cond


def _exists(conn, table, row: dict) -> bool:
    return conn.execute(select(func.count()).select_from(table).where(_key(table, row))).scalar_one() > 0


def insert_new(wh, table, row: dict) -> bool:
    """Insert `row` unless a row with its primary key exists: True when inserted."""
    if is_clickhouse(wh.engine):
        with writing(wh) as conn:
            if _exists(conn, table, row):
                return False
            conn.execute(insert(table).values(**row))
            return True
    try:
        with writing(wh) as conn:
            conn.execute(insert(table).values(**row))
        return True
    except IntegrityError:
        return False


def upsert(wh, table, row: dict, overwrite: bool = True) -> bool:
    """Insert `row`, or (overwrite) replace the other columns of the row with its primary key. False, with nothing
    written, when that row exists and overwrite is False. Concurrent upserts of one key all succeed: the last wins."""
    keys = {c.name for c in table.primary_key.columns}
    rest = {k: v for k, v in row.items() if k not in keys}
    if is_clickhouse(wh.engine):
        with writing(wh) as conn:
            if not _exists(conn, table, row):
                conn.execute(insert(table).values(**row))
            elif not overwrite:
                return False
            else:
                conn.execute(update(table).where(_key(table, row)).values(**rest))
            return True
    stmt = pg_insert(table).values(**row)
    if overwrite:
        stmt = stmt.on_conflict_do_update(index_elements=list(table.primary_key.columns), set_=rest)
    for attempt in range(1, 11):
        try:
            with writing(wh) as conn:
                conn.execute(stmt)
            return True
        except DBAPIError as err:              # IntegrityError included
            msg = str(err).lower()
            duplicate = isinstance(err, IntegrityError) or "duplicate key" in msg
            if duplicate and not overwrite:
                return False
            # a concurrent save of the same key committed first (DuckDB reports it at commit): try again
            if attempt == 10 or not (duplicate or "conflict" in msg):
                raise
            time.sleep(0.01 * attempt)
    return True
