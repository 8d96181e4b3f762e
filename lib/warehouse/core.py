"""The warehouse: DuckDB by default, any SQLAlchemy database by URL.

    wh = Warehouse.open()                       # DATABASE_URL / secrets, else data/shopcast.duckdb
    report = wh.load("orders", df, source="upload:orders.csv")   # validate + atomic replace
    report = wh.load("orders", df, source="...", mode="append")   # validate + atomic append
    wh.check("orders", df, mode="append")       # validate only: what a load would do, nothing changes
    df = wh.read(select(...))                   # Core select or SQL text -> DataFrame

A load validates the whole frame first (every failure collected into FeedError), then replaces the feed's table
(or adds to it: lib.warehouse.append) and records the load in one transaction: a failure at any point leaves the
previous rows exactly as they were.
"""
from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, delete, func, insert, select, text
from sqlalchemy.sql import ClauseElement

from lib.schema import FEEDS, FeedError
from lib.settings import Settings
from lib.warehouse import append, checksums, fastload, faults, locks, migrations, pgcopy, tuning, versions
from lib.warehouse.chload import insert_arrow, write_staged
from lib.warehouse.chstaged import execute as clickhouse_execute
from lib.warehouse.db_urls import redact_url
from lib.warehouse.identity import person_keys
from lib.warehouse.tables import (
    FEED_TABLES,
    SCHEMA_VERSION,
    USER_TABLES,
    load_modes,
    loads,
    meta,
    metadata,
    source_mappings,
)
from lib.warehouse.validation import Validated, validate

__all__ = ["Warehouse", "LoadReport", "CheckReport", "redact"]

_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def redact(url: str) -> str:
    """The URL with any password masked: safe to display or log."""
    return redact_url(url)


def _engine(url: str) -> Engine:
    with _LOCK:
        eng = _ENGINES.get(url)
        if eng is None:
            eng = create_engine(url, pool_pre_ping=not url.startswith("duckdb"), connect_args=tuning.connect_args(url))
            _ENGINES[url] = eng
        return eng


@dataclass(frozen=True)
class LoadReport:
    load_id: int
    feed: str
    source: str
    rows: int
    checksum: str
    loaded_at: datetime
    min_date: datetime | None
    max_date: datetime | None
    warnings: pd.DataFrame
    replaced_rows: int
    mode: str = "replace"          # or "append": the rows were added to the feed's `kept_rows`
    kept_rows: int = 0


@dataclass(frozen=True)
class CheckReport:
    """What a load would do (Warehouse.check): the data is valid, nothing was changed."""

    feed: str
    mode: str
    rows: int                      # rows the load would write
    current_rows: int              # rows the feed holds now (replaced, or kept by an append)
    warnings: pd.DataFrame
    min_date: datetime | None
    max_date: datetime | None


def _span(feed: str, frame: pd.DataFrame) -> tuple[datetime | None, datetime | None]:
    """First and last value of the feed's time column in a typed frame (None, None without one)."""
    tcol = FEEDS[feed].time_column
    if tcol and frame[tcol].notna().any():
        return frame[tcol].min().to_pydatetime(), frame[tcol].max().to_pydatetime()
    return None, None


class _FastRejected(Exception):
    """The fast path met something only full validation can judge."""


# DuckDB keeps min/max per row group: events stored by event name, then time, let a funnel read
# only the row groups of its steps and its date range (about 30% less work on 19M events)
_PHYSICAL_ORDER = {"events": "event, event_at"}


VERSION_TTL = 1.0     # seconds a Warehouse keeps its data version (see Warehouse.data_version)


class Warehouse:
    """One warehouse (a SQLAlchemy engine) with the feed tables declared in lib.warehouse.tables."""

    pinned_version: str | None = None      # set on the read-only view of a kept data version (lib.warehouse.versions)
    pinned_loads: dict[str, int] | None = None
    _writes = 0                            # bumped around every load: a data version cached before is void
    _version_cache: tuple[int, float, str] | None = None

    def __init__(self, engine: Engine, settings: Settings, *, pinned: tuple[str, dict] | None = None):
        """``pinned`` (version, {feed: load id}): the read-only view of a kept data version (lib.warehouse.versions),
        whose schema exists already; otherwise the feed tables are created if missing."""
        self.engine = engine
        self.settings = settings
        self.dialect = engine.dialect.name
        if pinned is None:
            self._ensure_schema()
        else:
            self.pinned_version = pinned[0]
            self.pinned_loads = {f: int(i) for f, i in pinned[1].items()}

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None, settings: Settings | None = None) -> Warehouse:
        """Open (creating tables if needed). url None: settings' DATABASE_URL, else the DuckDB file."""
        settings = settings or Settings.from_env()
        if url is None:
            url = settings.warehouse_url
        if url is None:
            path = Path(settings.duckdb_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            url = f"duckdb:///{path}"
        return cls(_engine(url), settings)

    @property
    def label(self) -> str:
        """A safe description of where the data lives (no password)."""
        return self.engine.url.render_as_string(hide_password=True)

    def _ensure_schema(self) -> None:
        with self.engine.begin() as conn:
            meta.create(conn, checkfirst=True)
            row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
            path = migrations.upgrade_path(row[0]) if row is not None else None
            if path:
                for version in path:
                    for step in migrations.MIGRATIONS[version][1]:
                        if callable(step):
                            step(conn)
                        else:
                            conn.execute(text(step))
                row = (SCHEMA_VERSION,)
                conn.execute(delete(meta).where(meta.c.key == "schema_version"))
                conn.execute(insert(meta).values(key="schema_version", value=SCHEMA_VERSION))
            if row is not None and row[0] != SCHEMA_VERSION:
                # feed tables changed shape: rebuild them (loads start afresh)
                for table in reversed(metadata.sorted_tables):
                    if table is not meta and table.name not in USER_TABLES:
                        table.drop(conn, checkfirst=True)
            metadata.create_all(conn, checkfirst=True)
            tuning.ensure_indexes(conn)
            if row is None or row[0] != SCHEMA_VERSION:
                conn.execute(delete(meta).where(meta.c.key == "schema_version"))
                conn.execute(insert(meta).values(key="schema_version", value=SCHEMA_VERSION))

    # -- reading ---------------------------------------------------------------------------
    def read(self, query, params: dict | None = None) -> pd.DataFrame:
        """Run a SQLAlchemy Core select (or SQL text) and return a DataFrame."""
        stmt = text(query) if isinstance(query, str) else query
        if not isinstance(stmt, ClauseElement):
            raise TypeError("query must be a SQLAlchemy selectable or SQL text")
        with self.engine.connect() as conn:
            run = clickhouse_execute if conn.dialect.name == "clickhouse" else Connection.execute   # CTEs read twice
            result = run(conn, stmt, params or {})
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def read_bulk(self, query, params: dict | None = None) -> pd.DataFrame:
        """Like read(), for results of millions of rows: DuckDB hands its columns over natively (about 10x faster
        than building rows; DATE columns arrive as datetime64); other databases go through read()."""
        if self.engine.dialect.name != "duckdb":
            return self.read(query, params)
        stmt = text(query) if isinstance(query, str) else query
        with self.engine.connect() as conn:
            result = conn.execute(stmt, params or {})
            return result.cursor.fetch_df()

    def row_counts(self) -> dict[str, int]:
        """Current number of rows per feed."""
        with self.engine.connect() as conn:
            return {name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                    for name, t in FEED_TABLES.items()}

    def load_history(self, limit: int = 100) -> pd.DataFrame:
        """Recorded loads, newest first; `mode` says whether each replaced or appended to its feed."""
        mode = func.coalesce(load_modes.c.mode, "replace").label("mode")
        q = (select(loads, mode).select_from(loads.outerjoin(load_modes, loads.c.load_id == load_modes.c.load_id))
             .order_by(loads.c.load_id.desc()).limit(limit))
        return self.read(q)

    def current_loads(self) -> pd.DataFrame:
        """The latest load of each feed (one row per loaded feed); a pinned version's loads when pinned."""
        if self.pinned_loads is not None:
            ids = list(self.pinned_loads.values())
            return self.read(select(loads).where(loads.c.load_id.in_(ids)).order_by(loads.c.feed))
        latest = (select(loads.c.feed, func.max(loads.c.load_id).label("load_id"))
                  .group_by(loads.c.feed).cte("latest"))
        q = (select(loads).join(latest, (loads.c.feed == latest.c.feed) & (loads.c.load_id == latest.c.load_id))
             .order_by(loads.c.feed))
        return self.read(q)

    def data_version(self) -> str:
        """Identifies the current data: changes whenever any feed is reloaded.

        A page asks several times per run; the answer is kept VERSION_TTL seconds. A load through this
        Warehouse voids it at once (an answer computed while a load ran is never kept); a load by another
        process (PostgreSQL) shows within VERSION_TTL.
        """
        if self.pinned_version is not None:
            return self.pinned_version
        writes, now = self._writes, time.monotonic()
        hit = self._version_cache
        if hit is not None and hit[0] == writes and now - hit[1] < VERSION_TTL:
            return hit[2]
        value = self._current_version()
        if self._writes == writes:
            self._version_cache = (writes, now, value)
        return value

    def _current_version(self) -> str:
        return versions.version_of((r.feed, r.load_id, r.checksum) for r in self.current_loads().itertuples())

    def is_empty(self) -> bool:
        return self.current_loads().empty

    # -- loading ---------------------------------------------------------------------------
    @locks.serialized
    def load(self, feed: str, df: pd.DataFrame, source: str, *, as_of: date | None = None,
             now: datetime | None = None, mode: str = "replace") -> LoadReport:
        """Validate `df` for `feed` and replace the feed's table with it (mode "append": add it to the
        rows already there, refusing rows the feed already holds: lib.warehouse.append), atomically.

        Raises lib.schema.FeedError (with `.failures`) on bad data; nothing changes then.
        """
        append.check_args(feed, mode)
        loaded_at = (now or datetime.now(UTC)).replace(tzinfo=None)
        if (mode == "replace" and self.dialect == "duckdb" and len(df) >= fastload.FAST_MIN_ROWS
                and fastload.eligible(feed, df)):
            report = self._load_fast(feed, "_stage_text", df.head(2000), source, as_of, loaded_at, frame=df)
            if report is not None:
                return report
        checked = self._validated(feed, df, as_of, source)
        frame = self._with_keys(feed, checked.frame)
        checksum = checksums.checksum(checked.frame)
        lo, hi = _span(feed, frame)
        self._writable()
        writer = write_staged if self.dialect == "clickhouse" else type(self)._write   # ClickHouse: lib.warehouse.chload
        load_id, before, checksum, lo, hi = writer(self, feed, df, checked, frame, checksum, lo, hi, source, loaded_at,
                                                   mode)
        self._written()
        versions.record(self, loaded_at)
        replaced, kept = (before, 0) if mode == "replace" else (0, before)
        return LoadReport(load_id, feed, source, len(frame), checksum, loaded_at, lo, hi,
                          checked.warnings, replaced, mode, kept)

    def _write(self, feed, df, checked, frame, checksum, lo, hi, source, loaded_at, mode):  # load's transaction
        table = FEED_TABLES[feed]
        with locks.begin(self.engine) as conn:
            before = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            if mode == "append":
                found = append.conflicts(conn, feed, checked.frame, append.file_rows(df), self._bulk_insert)
                if len(found):
                    raise FeedError(feed, found, source)
                previous = append.latest_checksum(conn, feed)
            versions.archive(conn, feed)
            if mode == "replace":
                conn.execute(delete(table))
            if mode == "append" and before and feed == "events":
                frame = append.provisional_event_keys(frame)
            self._bulk_insert(conn, table, frame)
            if mode == "append" and before:
                if feed == "events":
                    append.rekey_events(conn)
                checksum = append.chain_checksum(previous, checksum)
                lo, hi = append.feed_span(conn, feed)
            load_id = self._record(conn, feed, source, len(frame), checksum, loaded_at, lo, hi,
                                   len(checked.warnings))
            if mode == "append":
                conn.execute(insert(load_modes).values(load_id=load_id, mode="append"))
            self._before_commit(feed)
        return load_id, before, checksum, lo, hi

    def check(self, feed: str, df: pd.DataFrame, *, as_of: date | None = None, mode: str = "replace",
              source: str | None = None) -> CheckReport:
        """Validate `df` for `feed` exactly as load(..., mode) would (an append also against the rows
        the feed holds), changing nothing. Raises FeedError listing every problem."""
        append.check_args(feed, mode)
        checked = self._validated(feed, df, as_of, source)
        lo, hi = _span(feed, checked.frame)
        with self.engine.connect() as conn:
            current = int(conn.execute(select(func.count()).select_from(FEED_TABLES[feed])).scalar_one())
            if mode == "append":
                found = append.conflicts(conn, feed, checked.frame, append.file_rows(df), self._bulk_insert)
                conn.rollback()
                if len(found):
                    raise FeedError(feed, found, source)
        return CheckReport(feed, mode, len(checked.frame), current, checked.warnings, lo, hi)

    def _validated(self, feed: str, df: pd.DataFrame, as_of, source) -> Validated:
        known = None
        if feed in ("orders", "inventory"):
            known = self.read(select(FEED_TABLES["products"].c.sku))["sku"]
            known = known if len(known) else None
        try:
            return validate(feed, df, as_of=as_of, tz=self.settings.store_timezone,
                            dayfirst=self.settings.dayfirst, known_skus=known)
        except FeedError as err:
            raise FeedError(feed, err.failures, source) from None

    def _load_fast(self, feed: str, source_sql: str, sample: pd.DataFrame, source: str, as_of, loaded_at,
                   frame: pd.DataFrame | None = None) -> LoadReport | None:
        """Checks, casts and insert in one DuckDB statement (lib.warehouse.fastload); None: take the pandas path.

        `source_sql` is a read_csv(...) call, or the stage name under which `frame` is registered.
        """
        table = FEED_TABLES[feed]
        spec = FEEDS[feed]
        self._writable()
        try:
            with locks.begin(self.engine) as conn:
                raw = conn.connection.driver_connection
                raw.execute("SET enable_progress_bar = false")
                if frame is not None:
                    raw.register(source_sql, checksums.arrow(frame[[c for c in spec.names if c in frame.columns]]))
                try:
                    plan = fastload.plan(raw, source_sql, feed, sample, as_of=as_of,
                                         dayfirst=self.settings.dayfirst,
                                         table_columns=[c.name for c in table.columns])
                    if plan is None:
                        return None
                    replaced = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                    versions.archive(conn, feed)
                    conn.execute(delete(table))
                    collist = ", ".join(f'"{c.name}"' for c in table.columns)
                    self._insert_select(raw, table.name, collist, plan.insert_sql)
                    stats = fastload.verify(raw, table.name, feed)
                    if stats is None:
                        raise _FastRejected()
                    warnings = fastload.unknown_skus(raw, source_sql, plan.spec_exprs.get("sku"), table.name,
                                                     FEED_TABLES["products"].name)
                    checksum = checksums.checksum_of(stats.rows, spec.names, stats.checksum_total)
                    lo = pd.Timestamp(stats.lo).to_pydatetime() if stats.lo is not None else None
                    hi = pd.Timestamp(stats.hi).to_pydatetime() if stats.hi is not None else None
                    load_id = self._record(conn, feed, source, stats.rows, checksum, loaded_at, lo, hi,
                                           len(warnings))
                    self._before_commit(feed)
                finally:
                    if frame is not None:
                        with contextlib.suppress(duckdb.Error):   # an aborted transaction refuses it
                            raw.unregister(source_sql)
        except _FastRejected:
            return None
        except duckdb.Error as err:
            # a doubtful value (fastload.REJECT), a ragged CSV line, an odd header...: the pandas
            # path reads and validates everything and reports each failure precisely
            if faults.describe(err) is not None:      # a full disk: the pandas path would only fail the same way
                raise
            return None
        finally:
            if frame is not None:
                with contextlib.suppress(duckdb.Error, NameError):
                    raw.unregister(source_sql)
        self._written()
        versions.record(self, loaded_at)
        return LoadReport(load_id, feed, source, stats.rows, checksum, loaded_at, lo, hi, warnings, replaced)

    @locks.serialized
    def load_csv(self, feed: str, path: str | Path, source: str, *, delimiter: str = ",",
                 sample: pd.DataFrame | None = None, as_of: date | None = None,
                 now: datetime | None = None) -> LoadReport | None:
        """Load a big, clean UTF-8 CSV with canonical headers straight through DuckDB's reader.

        Returns None when this path does not apply (not DuckDB, or any value is doubtful): the
        caller then reads the file and calls `load`, whose validation reports every failure.
        """
        if self.dialect != "duckdb":
            return None
        if sample is None:
            sample = pd.read_csv(path, sep=delimiter, dtype=str, nrows=2000, keep_default_na=False)
        loaded_at = (now or datetime.now(UTC)).replace(tzinfo=None)
        return self._load_fast(feed, fastload.read_csv_sql(str(path), delimiter), sample, source, as_of,
                               loaded_at)

    @staticmethod
    def _insert_select(raw, table: str, collist: str, select_sql: str) -> None:
        order = _PHYSICAL_ORDER.get(table)
        if order:
            raw.execute(f'INSERT INTO "{table}" ({collist}) SELECT * FROM ({select_sql}) ORDER BY {order}')
            return
        # row order inside this table means nothing: letting DuckDB write out of order lets its
        # CSV reader and the insert run in parallel (about 20% faster on 5M lines)
        raw.execute("SET preserve_insertion_order = false")
        try:
            raw.execute(f'INSERT INTO "{table}" ({collist}) {select_sql}')
        finally:
            raw.execute("SET preserve_insertion_order = true")

    @staticmethod
    def _record(conn, feed, source, rows, checksum, loaded_at, lo, hi, warnings) -> int:
        load_id = int(conn.execute(select(func.coalesce(func.max(loads.c.load_id), 0))).scalar_one()) + 1
        conn.execute(insert(loads).values(
            load_id=load_id, feed=feed, source=source, rows=rows, checksum=checksum,
            loaded_at=loaded_at, min_date=lo, max_date=hi, warnings=warnings))
        versions.note(conn, loaded_at)      # the version this load makes, committed with it
        return load_id

    def _written(self) -> None:
        """A load began or committed: any data version computed before is void."""
        self._writes += 1
        self._version_cache = None

    def _writable(self) -> None:
        self._written()
        if self.pinned_version is not None:
            raise PermissionError(f"Data version {self.pinned_version} is a saved, read-only view: load into the "
                                  "live warehouse.")

    def _before_commit(self, feed: str) -> None:
        """Last step inside the load transaction (tests inject failures here)."""

    @staticmethod
    def _with_keys(feed: str, frame: pd.DataFrame) -> pd.DataFrame:
        if feed == "events":
            frame = frame.copy()
            codes, _ = pd.factorize(frame["session_id"], use_na_sentinel=True)
            frame["session_key"] = codes.astype("int64")
            frame["user_key"] = person_keys(frame)
        return frame

    def _bulk_insert(self, conn, table, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        cols = [c.name for c in table.columns]
        frame = frame[cols]
        if self.dialect == "duckdb":
            raw = conn.connection.driver_connection
            name = f"_stage_{table.name}"
            raw.register(name, checksums.arrow(frame))
            try:
                collist = ", ".join(f'"{c}"' for c in cols)
                order = f" ORDER BY {_PHYSICAL_ORDER[table.name]}" if table.name in _PHYSICAL_ORDER else ""
                raw.execute(f'INSERT INTO "{table.name}" ({collist}) SELECT {collist} FROM {name}{order}')
            finally:
                raw.unregister(name)
        elif self.dialect == "postgresql":
            pgcopy.copy_into(conn, table.name, cols, frame)
        elif self.dialect == "clickhouse":
            insert_arrow(conn, table.name, frame)
        else:
            records = frame.astype(object).where(frame.notna(), None).to_dict("records")
            conn.execute(insert(table), records)

    # -- remembered column mappings ---------------------------------------------------------
    def save_mapping(self, source_key: str, feed: str, mapping: dict, now: datetime | None = None) -> None:
        """Remember a (corrected) column mapping for a source."""
        stamp = (now or datetime.now(UTC)).replace(tzinfo=None)
        with self.engine.begin() as conn:
            conn.execute(delete(source_mappings).where(
                (source_mappings.c.source_key == source_key) & (source_mappings.c.feed == feed)))
            conn.execute(insert(source_mappings).values(
                source_key=source_key, feed=feed, mapping_json=json.dumps(mapping, sort_keys=True),
                updated_at=stamp))

    def get_mapping(self, source_key: str, feed: str) -> dict | None:
        q = select(source_mappings.c.mapping_json).where(
            (source_mappings.c.source_key == source_key) & (source_mappings.c.feed == feed))
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return json.loads(row[0]) if row else None

    def dispose(self) -> None:
        """Close pooled connections (releases a DuckDB file lock)."""
        with _LOCK:
            for key, eng in list(_ENGINES.items()):
                if eng is self.engine:
                    del _ENGINES[key]
        self.engine.dispose()
