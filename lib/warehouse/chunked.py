"""Full validation, and the load, of a big file in chunks: memory bounded by the chunk, not the file.

A file the direct path (lib.warehouse.fastload) declines (decimal commas, day-first dates, a doubtful
value, mapped headers...) is validated chunk by chunk (Arrow tables of text, file order) under one
validation.ReadPlan taken from the file's first values: the rows whose values are all plain are typed
in DuckDB (lib.warehouse.plain, the values validation gives them), the others go through validation
itself (validation.validate_part, which names each failure), and both are appended, typed, to a
staging table inside the load's transaction. The rules that compare rows
(duplicate keys, exact duplicate rows) then run in SQL over the staging table, with the file's row
numbers. Failures keep their order (row, then the feed's column order) and stop being listed after
`cap` (FAILURE_CAP); their counts per rule are exact over the whole file (FeedError.counts). A valid
file is then swapped in exactly as Warehouse.load does it (versions.archive, the load record, the same
checksum), in the same transaction: a failure anywhere leaves the warehouse as it was.

    report = load_chunks(wh, "orders", tables, plan, source="upload:orders.csv", attrs={"decimal": ","})

DuckDB warehouses only (`supported`); elsewhere the caller validates the whole frame.
"""
from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime

import duckdb
import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select

from lib.schema import FEEDS
from lib.warehouse import checksums, fastload, locks, versions
from lib.warehouse.chunkcheck import _ROW, FAILURE_CAP, FEEDS_CHUNKED, ChunkedCheck, _q
from lib.warehouse.plain import SQL_TYPES, compile_plain, doubt_columns
from lib.warehouse.tables import FEED_TABLES
from lib.warehouse.validation import ROW_OFFSET, ReadPlan

__all__ = ["ChunkedCheck", "load_chunks", "check_chunks", "supported", "FAILURE_CAP", "FEEDS_CHUNKED", "DOUBT_ROWS",
           "HOLD_BYTES"]

# DuckDB shares an Arrow table among its threads batch by batch: 16 of its 2,048-row vectors per batch
# make a 4 MB chunk (about 50k order lines) three or four tasks
_BATCH_ROWS = 16 * 2048
# rows validation must type (lib.warehouse.validation, ~30 ms a call) go through it together once this many
# wait (one DuckDB batch's worth), or once the chunks held reach eight of the reader's 4 MB blocks: the
# memory held stays bounded whatever the file
DOUBT_ROWS = _BATCH_ROWS
HOLD_BYTES = 32 * 2**20


def supported(wh, feed: str) -> bool:
    """True when `feed` can be loaded in chunks into this warehouse."""
    table = FEED_TABLES[feed]
    return (wh.dialect == "duckdb" and feed in FEEDS_CHUNKED
            and [c.name for c in table.columns] == FEEDS[feed].names)


def _unregister(raw, name: str) -> None:
    with contextlib.suppress(duckdb.Error):     # after a failed statement DuckDB refuses it: the error wins
        raw.unregister(name)


class _Rollback(Exception):
    """Ends check_chunks' transaction without keeping anything."""


def _stage_table(raw, check: ChunkedCheck, name: str) -> str:
    """A staging table (the feed's columns without constraints, and `_row`), made anew."""
    cols = ", ".join(f"{_q(c.name)} {SQL_TYPES[c.kind]}" for c in check.spec.columns)
    raw.execute(f"DROP TABLE IF EXISTS {_q(name)}")
    raw.execute(f"CREATE TABLE {_q(name)} ({cols}, {_ROW} BIGINT)")
    return name


def _arrow_schema(check: ChunkedCheck, with_row: bool):
    import pyarrow as pa

    kinds = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "datetime": pa.timestamp("us"),
             "date": pa.timestamp("us"), "bool": pa.bool_()}
    fields = [pa.field(c.name, kinds[c.kind]) for c in check.spec.columns]
    return pa.schema(fields + [pa.field(_ROW, pa.int64())] * with_row)


class _ReadAhead:
    """The file's chunks, read one ahead by a thread of their own: parsing CSV (pyarrow, GIL released) then
    overlaps DuckDB typing the chunk before (1.4 s of 7 at 5M lines were spent waiting for the reader). What
    the reader raises is raised here, in order."""

    _END = object()

    def __init__(self, tables: Iterable, stop: threading.Event):
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._stop = stop
        self._thread = threading.Thread(target=self._read, args=(iter(tables),), name="chunked-reading",
                                        daemon=True)
        self._thread.start()

    def _read(self, tables) -> None:
        try:
            for table in tables:
                if not self._put(table):
                    return
            self._put(self._END)
        except BaseException as exc:        # noqa: BLE001 - handed to the consumer, which raises it
            self._put(exc)

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self):
        return self

    def __next__(self):
        item = self._queue.get()
        if item is self._END:
            self._queue.put(item)
            raise StopIteration
        if isinstance(item, BaseException):
            self._queue.put(item)
            raise item
        return item


class _Typed:
    """The file's chunks typed, in order: plain rows by DuckDB (a connection of its own, in memory), the
    others by validation; `stop_on_failure` ends an iteration at the first chunk with a failure, which
    the next iteration starts with. Unknown-SKU warnings are taken per chunk against `products`."""

    def __init__(self, check: ChunkedCheck, tables: Iterable, attrs: dict, products, progress=None):
        self.check, self.attrs, self.progress = check, attrs, progress
        self._stop_reading = threading.Event()
        self.tables = _ReadAhead(tables, self._stop_reading)
        self.con = duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute("CREATE TABLE products (sku VARCHAR)")
        if products is not None and len(products):
            self.con.register("_p", pd.DataFrame({"sku": pd.Series(products, dtype="string")}))
            self.con.execute("INSERT INTO products SELECT sku FROM _p WHERE sku IS NOT NULL")
            self.con.unregister("_p")
        self.check.has_products = products is not None and len(products) > 0
        self.plain = None
        self._schema = _arrow_schema(check, True)
        self._held: list = []           # typed plain rows read since the last table handed on
        self._doubtful: list = []       # and the raw rows waiting for validation
        self._doubt_typed: list = []    # those rows as the plain SQL typed them, with their `_doubt` masks
        self._held_doubt = self._held_bytes = 0
        self.rows = 0
        self.pending = None
        self.first = True
        self.error: BaseException | None = None
        # a thread types the next chunks while DuckDB writes the previous ones (Arrow, DuckDB and most of
        # pandas' work release the GIL); two chunks ahead bound the memory
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="chunked-typing", daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        try:
            while not self._stop.is_set():
                typed = self._next()
                item = (typed, self.check.failures.total > 0)
                while not self._stop.is_set():
                    try:
                        self._queue.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if typed is None:
                    return
        except BaseException as exc:    # handed to the reading side, which raises it
            self.error = exc
            self._queue.put((exc, True))

    def _take(self):
        typed, failed = self._queue.get()
        if isinstance(typed, BaseException):
            self._queue.put((typed, failed))     # every later read raises it too
            raise typed
        if typed is None:
            self._queue.put((None, failed))      # and every later read ends
        return typed, failed

    def close(self) -> None:
        self._stop.set()
        self._stop_reading.set()
        self._thread.join()
        self.con.close()

    def reader(self, with_row: bool, stop_on_failure: bool):
        import pyarrow as pa

        schema = _arrow_schema(self.check, with_row)

        def batches():
            while True:
                if self.pending is not None:
                    typed, self.pending = self.pending, None
                else:
                    typed, failed = self._take()
                    if typed is None:
                        return
                    if stop_on_failure and failed:
                        self.pending = typed
                        return
                typed = typed if with_row else typed.drop_columns([_ROW])
                yield from typed.cast(schema).to_batches()
        return pa.RecordBatchReader.from_batches(schema, batches())

    def _next(self):
        """The next typed table: the chunks read since the last one, in file order. Rows validation must see
        (doubtful) wait until DOUBT_ROWS of them or HOLD_BYTES of text are held, then go through it at once:
        validation costs ~30 ms a call whatever the rows, so a file with a bad value on every hundredth line
        would otherwise pay it on every chunk (3.7 s of 9 at 5M lines)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        check, names = self.check, self.check.spec.names
        for table in self.tables:
            if self.first:
                self.first = False
                check.start(table.column_names)
                self.plain = compile_plain(check.feed, table.column_names, check.plan, self.attrs.get("decimal"),
                                           check.as_of)
            n = table.num_rows
            if not n:
                continue
            first_row = self.rows + ROW_OFFSET
            table = table.append_column(_ROW, pa.array(np.arange(first_row, first_row + n, dtype=np.int64)))
            if self.plain is None:
                doubtful = table
            else:
                self.con.register("_chunk", pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_ROWS)))
                typed = self.con.sql(self.plain.select(names, f", {_ROW}")).to_arrow_table()
                self.con.unregister("_chunk")
                flag = pc.not_equal(typed.column("_doubt"), 0)
                if pc.any(flag).as_py():
                    self._held.append(typed.filter(pc.invert(flag)).drop_columns(["_doubt"]).cast(self._schema))
                    doubtful = table.filter(flag)
                    self._doubt_typed.append(typed.filter(flag))
                else:
                    self._held.append(typed.drop_columns(["_doubt"]).cast(self._schema))
                    doubtful = table.slice(0, 0)
            if doubtful.num_rows:
                self._doubtful.append(doubtful)
                self._held_doubt += doubtful.num_rows
            self._held_bytes += table.nbytes
            self.rows += n
            if self.progress is not None:
                self.progress(self.rows)
            if self._held_doubt >= DOUBT_ROWS or self._held_bytes >= HOLD_BYTES:
                return self._flush()
        return self._flush() if self._held or self._doubtful else None

    def _flush(self):
        """The held chunks as one typed table (doubtful rows validated together), warnings taken in order."""
        import pyarrow as pa

        parts = self._held
        if self._doubtful:
            parts.append(self._validated(pa.concat_tables(self._doubtful)))
        typed = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
        self._held, self._doubtful, self._doubt_typed, self._held_doubt, self._held_bytes = [], [], [], 0, 0
        self.check.warn(self.con, typed)
        return typed


    def _validated(self, doubtful):
        """The doubtful rows typed: their doubtful columns by validation (which names each failure), the
        others as the plain SQL typed them (the values validation would give: lib.warehouse.plain)."""
        import pyarrow as pa

        rows = doubtful.column(_ROW).to_numpy()
        cols = doubt_typed = None
        if self._doubt_typed:       # None: no plain SQL (every row is validated whole)
            doubt_typed = pa.concat_tables(self._doubt_typed)
            cols = doubt_columns(self.check.feed, int(np.bitwise_or.reduce(doubt_typed.column("_doubt").to_numpy())))
        names = [n for n in doubtful.column_names if n != _ROW] if cols is None else cols
        part = doubtful.select(names).to_pandas()
        part.attrs.update(self.attrs)
        typed = checksums.arrow(self.check.add(part, rows)).cast(self._schema)
        if cols is None:
            return typed
        plain = doubt_typed.drop_columns(["_doubt"]).cast(self._schema)
        return pa.table([typed.column(n) if n in cols else plain.column(n) for n in self._schema.names],
                        schema=self._schema)


def _pass(raw, typed: _Typed, target: str, *, with_row: bool, stop_on_failure: bool = False) -> None:
    """Append the typed chunks to `target` in one statement (DuckDB writes a big insert out as it goes,
    so memory holds about a chunk)."""
    names = typed.check.spec.names
    collist = ", ".join(_q(c) for c in [*names, _ROW][:len(names) + with_row])
    _insert(raw, typed, typed.reader(with_row, stop_on_failure),
            f"INSERT INTO {_q(target)} ({collist}) SELECT {collist} FROM _typed")


def _insert(raw, typed: _Typed, reader, sql: str) -> None:
    """Run `sql` over `reader` registered as `_typed`."""
    raw.register("_typed", reader)
    # row order inside a table means nothing here (`_row` keeps the file's): DuckDB may then write in parallel
    raw.execute("SET preserve_insertion_order = false")
    try:
        raw.execute(sql)
    except duckdb.Error:
        if typed.error is not None:     # DuckDB wraps what the reading side raised: raise it as it was
            raise typed.error from None
        raise
    finally:
        _unregister(raw, "_typed")
        with contextlib.suppress(duckdb.Error):
            raw.execute("SET preserve_insertion_order = true")


def _validate_into(raw, check: ChunkedCheck, tables: Iterable, attrs: dict, feed: str, progress=None):
    """Validate and append to the (emptied) feed table; the rules across rows checked exactly. Returns
    fastload.Stats of the table (rows, checksum total, span); not meaningful when a failure was found."""
    table = FEED_TABLES[feed].name
    products = None
    if feed in ("orders", "inventory"):
        products = raw.execute(f"SELECT sku FROM {_q(FEED_TABLES['products'].name)}").fetchdf()["sku"]
    typed = _Typed(check, tables, attrs, products, progress)
    try:
        _pass(raw, typed, table, with_row=False, stop_on_failure=True)
        if check.failures.total:
            # the load has failed: the rest of the file is still validated (every failure counted) but only
            # the hash that repeated rows share is kept, to find them (FeedError lists them too)
            repeats = _rest_repeats(raw, typed, table, feed)
    finally:
        typed.close()
    if not typed.rows:
        check.empty()
        return None
    stats = None
    if not check.failures.total:
        stats, repeats = fastload.table_stats(raw, table, feed)
    if repeats:
        # some rows may repeat (same hash): type the file again into a staging table that keeps each row's
        # number, and list the repeats exactly (the values were already judged in the first pass)
        stage = _stage_table(raw, check, f"_chunked_stage_{feed}")
        again = ChunkedCheck(feed, check.plan, as_of=check.as_of, tz=check.tz, dayfirst=check.dayfirst, cap=0)
        typed = _Typed(again, tables, attrs, None)
        try:
            _pass(raw, typed, stage, with_row=True)
        finally:
            typed.close()
        check.repeats(raw, stage)
        raw.execute(f"DROP TABLE {_q(stage)}")
    return stats


def _rest_repeats(raw, typed: _Typed, table: str, feed: str) -> bool:
    """Type and validate the rest of the file after a failure (the feed table holds the rows before it);
    True when some rows may repeat a key or a whole row across the file (lib.warehouse.fastload.repeat_hash)."""
    rep = fastload.repeat_hash(feed)
    if rep is None:         # repeats are allowed: nothing to keep
        for _batch in typed.reader(False, False):
            pass
        return False
    rest = f"_chunked_rest_{feed}"
    raw.execute(f"CREATE OR REPLACE TEMP TABLE {_q(rest)} (_h UBIGINT)")
    _insert(raw, typed, typed.reader(False, False), f"INSERT INTO {_q(rest)} SELECT {rep} FROM _typed")
    rows, distinct = raw.execute(f"SELECT count(*), count(DISTINCT _h) FROM (SELECT {rep} AS _h FROM {_q(table)} "
                                 f"UNION ALL SELECT _h FROM {_q(rest)})").fetchall()[0]
    raw.execute(f"DROP TABLE {_q(rest)}")
    return distinct != rows


def _checker(wh, feed, plan, as_of, cap) -> ChunkedCheck:
    return ChunkedCheck(feed, plan, as_of=as_of, tz=wh.settings.store_timezone, dayfirst=wh.settings.dayfirst,
                        cap=cap)


def _summary(stats, feed: str) -> tuple[int, str, object, object]:
    """Rows, checksum (as lib.warehouse.checksums.checksum of the typed frame) and the time span."""
    lo = pd.Timestamp(stats.lo).to_pydatetime() if stats.lo is not None else None
    hi = pd.Timestamp(stats.hi).to_pydatetime() if stats.hi is not None else None
    return stats.rows, checksums.checksum_of(stats.rows, FEEDS[feed].names, stats.checksum_total), lo, hi


def load_chunks(wh, feed: str, tables: Iterable, plan: ReadPlan, source: str, *, attrs: dict | None = None,
                as_of: date | None = None, now: datetime | None = None, cap: int = FAILURE_CAP, progress=None):
    """Validate `tables` (Arrow tables of text in file order, canonical headers; `attrs` as a whole frame's,
    e.g. {"decimal": ","}) and replace the feed with them in one
    transaction, as Warehouse.load(feed, whole frame) would. Raises FeedError (first `cap` failures, exact
    counts); nothing changes then."""
    if not supported(wh, feed):
        raise ValueError(f"the {feed} feed cannot be loaded in chunks into this warehouse")
    with locks.lock_for(wh.engine):     # one load at a time, as Warehouse.load (lib.warehouse.locks)
        return _load_chunks(wh, feed, tables, plan, source, attrs, as_of, now, cap, progress)


def _load_chunks(wh, feed, tables, plan, source, attrs, as_of, now, cap, progress):
    from lib.warehouse.core import LoadReport

    loaded_at = (now or datetime.now(UTC)).replace(tzinfo=None)
    check = _checker(wh, feed, plan, as_of, cap)
    table = FEED_TABLES[feed]
    wh._writable()
    with locks.begin(wh.engine) as conn:
        raw = conn.connection.driver_connection
        before = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        versions.archive(conn, feed)
        conn.execute(delete(table))
        stats = _validate_into(raw, check, tables, attrs or {}, feed, progress)
        err = check.error(source)
        if err is not None:
            raise err
        rows, checksum, lo, hi = _summary(stats, feed)
        warnings = check.warnings_frame()
        load_id = wh._record(conn, feed, source, rows, checksum, loaded_at, lo, hi, warnings.attrs["total"])
        wh._before_commit(feed)
    wh._written()
    versions.record(wh, loaded_at)
    return LoadReport(load_id, feed, source, rows, checksum, loaded_at, lo, hi, warnings, before)


def check_chunks(wh, feed: str, tables: Iterable, plan: ReadPlan, *, attrs: dict | None = None,
                 as_of: date | None = None, source: str | None = None, cap: int = FAILURE_CAP):
    """What load_chunks would do, changing nothing (Warehouse.check for a file read in chunks)."""
    from lib.warehouse.core import CheckReport

    if not supported(wh, feed):
        raise ValueError(f"the {feed} feed cannot be checked in chunks in this warehouse")
    check = _checker(wh, feed, plan, as_of, cap)
    try:
        with wh.engine.begin() as conn:     # the rows written here are rolled back
            raw = conn.connection.driver_connection
            current = int(conn.execute(select(func.count()).select_from(FEED_TABLES[feed])).scalar_one())
            conn.execute(delete(FEED_TABLES[feed]))
            stats = _validate_into(raw, check, tables, attrs or {}, feed)
            err = check.error(source)
            if err is not None:
                raise err
            rows, _checksum, lo, hi = _summary(stats, feed)
            raise _Rollback()
    except _Rollback:
        pass
    return CheckReport(feed, "replace", rows, current, check.warnings_frame(), lo, hi)
