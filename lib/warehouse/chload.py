"""Atomic loads into ClickHouse, which has no transactions: a staging table and EXCHANGE TABLES.

    write_staged(wh, feed, df, checked, frame, checksum, lo, hi, source, loaded_at, mode)
        -> (load_id, rows before, checksum, lo, hi)          (Warehouse.load's step on ClickHouse)
    insert_arrow(conn, table, frame)                         (Warehouse._bulk_insert on ClickHouse)

DuckDB and PostgreSQL replace a feed inside one transaction. On ClickHouse a load builds the feed's new rows in a
staging table of the same shape (``shopcast_stage_<feed>``): the new rows for a replace; for an append, the rows
the feed holds plus the new ones, the web events' keys settled there. Nothing the readers see changes until
``EXCHANGE TABLES stage AND feed``, which swaps the two names in one atomic step (Atomic databases; chDB's default
database supports it too): a query sees either all the old rows or all the new. A failure at any earlier point
drops the staging table and leaves the feed exactly as it was. After the exchange the staging name holds the
replaced rows: it is renamed to the copy that kept data versions read (lib.warehouse.versions'
``shopcast_hist_<feed>_<load id>``), so keeping them costs no copy. Then the load is recorded.

The one window DuckDB and PostgreSQL do not have: a process killed between the exchange and the load record leaves
the new rows under the previous load's record (the data version does not change until the next load). The rows
themselves are never half written. Loads are serialized in the process (lib.warehouse.locks); two processes loading
into one ClickHouse server at once are not (chDB's directory is one process's anyway).
"""
from __future__ import annotations

from sqlalchemy import Column, MetaData, Table, func, insert, select, text

from lib.schema import FeedError
from lib.warehouse import append, versions
from lib.warehouse.clickhouse import insert as insert_arrow
from lib.warehouse.clickhouse import quote
from lib.warehouse.tables import FEED_TABLES, load_modes

__all__ = ["write_staged", "insert_arrow", "STAGE_PREFIX"]

STAGE_PREFIX = "shopcast_stage_"


def _stage_table(table: Table, suffix: str = "") -> Table:
    return Table(f"{STAGE_PREFIX}{table.name}{suffix}", MetaData(),
                 *[Column(c.name, c.type, nullable=c.nullable) for c in table.columns])


def write_staged(wh, feed: str, df, checked, frame, checksum: str, lo, hi, source: str, loaded_at, mode: str):
    """The ClickHouse half of Warehouse.load (see the module docstring)."""
    table = FEED_TABLES[feed]
    stage = _stage_table(table)
    with wh.engine.connect() as conn:
        before = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        previous = None
        if mode == "append":
            found = append.conflicts(conn, feed, checked.frame, append.file_rows(df), wh._bulk_insert)
            if len(found):
                raise FeedError(feed, found, source)
            previous = append.latest_checksum(conn, feed)
        conn.execute(text(f"DROP TABLE IF EXISTS {quote(stage.name)}"))
        conn.execute(text(f"CREATE TABLE {quote(stage.name)} AS {quote(table.name)}"))
        incoming = _stage_table(table, "_new")
        try:
            if mode == "append" and before and feed == "events":     # keys settled over stored + new rows
                conn.execute(text(f"DROP TABLE IF EXISTS {quote(incoming.name)}"))
                conn.execute(text(f"CREATE TABLE {quote(incoming.name)} AS {quote(table.name)}"))
                wh._bulk_insert(conn, incoming, append.provisional_event_keys(frame))
                conn.execute(text(_rekeyed_events(stage.name, incoming.name, [c.name for c in table.columns])))
            elif mode == "append" and before:
                conn.execute(text(f"INSERT INTO {quote(stage.name)} SELECT * FROM {quote(table.name)}"))
                wh._bulk_insert(conn, stage, frame)
            else:
                wh._bulk_insert(conn, stage, frame)
            if mode == "append" and before:
                checksum = append.chain_checksum(previous, checksum)
                lo, hi = _span(conn, feed, stage)
            wh._before_commit(feed)
            replaced = versions._current(conn).get(feed)
            conn.execute(text(f"EXCHANGE TABLES {quote(stage.name)} AND {quote(table.name)}"))
        except BaseException:
            conn.execute(text(f"DROP TABLE IF EXISTS {quote(stage.name)}"))
            raise
        finally:
            conn.execute(text(f"DROP TABLE IF EXISTS {quote(incoming.name)}"))
        if replaced is not None:      # the replaced rows, kept for older data versions
            hist = versions._hist(feed, replaced)
            conn.execute(text(f"DROP TABLE IF EXISTS {quote(hist)}"))
            conn.execute(text(f"RENAME TABLE {quote(stage.name)} TO {quote(hist)}"))
        else:
            conn.execute(text(f"DROP TABLE IF EXISTS {quote(stage.name)}"))
        load_id = wh._record(conn, feed, source, len(frame), checksum, loaded_at, lo, hi, len(checked.warnings))
        if mode == "append":
            conn.execute(insert(load_modes).values(load_id=load_id, mode="append"))
    return load_id, before, checksum, lo, hi


def _span(conn, feed: str, stage: Table):
    from lib.schema import FEEDS

    tcol = FEEDS[feed].time_column
    if not tcol:
        return None, None
    import pandas as pd

    lo, hi = conn.execute(select(func.min(stage.c[tcol]), func.max(stage.c[tcol]))).one()
    return (pd.Timestamp(lo).to_pydatetime() if lo is not None else None,
            pd.Timestamp(hi).to_pydatetime() if hi is not None else None)


# Web events appended to stored ones: lib.warehouse.append's key rule (its UPDATE ... FROM statements, which
# ClickHouse lacks) as one INSERT ... SELECT into the staging table, over the stored rows and the new ones (the
# latter with provisional keys: negative session keys, user key -1). A new row of a stored session takes that
# session's key, a new session the next keys in session_id order; every session with new rows gets the person of
# its identity: the key stored sessions of that identity have, else the next keys in identity order.
_IDENT = "coalesce(max(coalesce(user_id, customer_id)), '~s:' || session_id)"
_REKEY = f"""INSERT INTO {{stage}} ({{cols}})
WITH stored AS (SELECT * FROM {{live}}), incoming AS (SELECT * FROM {{new}}),
 everything AS (SELECT * FROM stored UNION ALL SELECT * FROM incoming),
 new_sessions AS (SELECT DISTINCT session_id FROM incoming),
 tops AS (SELECT max(session_key) AS ms, max(user_key) AS mu FROM stored),
 known_sessions AS (SELECT session_id, max(session_key) AS k FROM stored
  WHERE session_id IN (SELECT session_id FROM new_sessions) GROUP BY session_id),
 fresh_sessions AS (SELECT session_id, (SELECT ms FROM tops) + dense_rank() OVER (ORDER BY session_id) AS k
  FROM (SELECT session_id FROM new_sessions WHERE session_id NOT IN (SELECT session_id FROM stored))),
 idents AS (SELECT session_id, {_IDENT} AS ident FROM everything
  WHERE session_id IN (SELECT session_id FROM new_sessions) GROUP BY session_id),
 known AS (SELECT ident, min(uk) AS k FROM (SELECT session_id, min(user_key) AS uk, {_IDENT} AS ident FROM stored
  WHERE session_id IN (SELECT session_id FROM stored WHERE coalesce(user_id, customer_id) IN (SELECT ident FROM idents))
   AND session_id NOT IN (SELECT session_id FROM new_sessions) GROUP BY session_id) GROUP BY ident),
 fresh AS (SELECT ident, (SELECT mu FROM tops) + dense_rank() OVER (ORDER BY ident) AS k
  FROM (SELECT DISTINCT ident FROM idents)),
 persons AS (SELECT i.session_id AS session_id, coalesce(known.k, fresh.k) AS k FROM idents AS i
  LEFT JOIN known ON known.ident = i.ident LEFT JOIN fresh ON fresh.ident = i.ident)
SELECT {{picked}} FROM everything AS e
 LEFT JOIN known_sessions AS ks ON ks.session_id = e.session_id
 LEFT JOIN fresh_sessions AS fs ON fs.session_id = e.session_id
 LEFT JOIN persons AS p ON p.session_id = e.session_id"""
_KEYED = {"session_key": "if(e.session_key >= 0, e.session_key, coalesce(ks.k, fs.k))",
          "user_key": "if(p.session_id IS NULL, e.user_key, p.k)"}


def _rekeyed_events(stage: str, new: str, columns: list[str]) -> str:
    picked = ", ".join(f"{_KEYED[c]} AS {quote(c)}" if c in _KEYED else f"e.{quote(c)}" for c in columns)
    return _REKEY.format(stage=quote(stage), live=quote("events"), new=quote(new),
                         cols=", ".join(quote(c) for c in columns), picked=picked)
