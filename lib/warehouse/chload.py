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


def _stage_table(table: Table) -> Table:
    return Table(f"{STAGE_PREFIX}{table.name}", MetaData(),
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
        try:
            if mode == "append" and before:
                conn.execute(text(f"INSERT INTO {quote(stage.name)} SELECT * FROM {quote(table.name)}"))
                if feed == "events":
                    frame = append.provisional_event_keys(frame)
            wh._bulk_insert(conn, stage, frame)
            if mode == "append" and before:
                if feed == "events":
                    _rekey_events(conn, stage.name)
                checksum = append.chain_checksum(previous, checksum)
                lo, hi = _span(conn, feed, stage)
            wh._before_commit(feed)
            replaced = versions._current(conn).get(feed)
            conn.execute(text(f"EXCHANGE TABLES {quote(stage.name)} AND {quote(table.name)}"))
        except BaseException:
            conn.execute(text(f"DROP TABLE IF EXISTS {quote(stage.name)}"))
            raise
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


def _rekey_events(conn, stage: str) -> None:
    raise NotImplementedError("appending web events to a ClickHouse warehouse is not supported yet: replace the feed")
