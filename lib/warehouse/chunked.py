"""Full validation, and the load, of a big file in chunks: memory bounded by the chunk, not the file.

A file the direct path (lib.warehouse.fastload) declines (decimal commas, day-first dates, a doubtful
value, mapped headers...) is validated chunk by chunk with the same code as a whole frame
(validation.validate_part, under one validation.ReadPlan taken from the file's first values), and each
typed chunk is appended to a staging table inside the load's transaction. The rules that compare rows
(duplicate keys, exact duplicate rows) then run in SQL over the staging table, with the file's row
numbers. Failures keep their order (row, then the feed's column order) and stop being listed after
`cap` (FAILURE_CAP); their counts per rule are exact over the whole file (FeedError.counts). A valid
file is then swapped in exactly as Warehouse.load does it (versions.archive, the load record, the same
checksum), in the same transaction: a failure anywhere leaves the warehouse as it was.

    check = ChunkedCheck("orders", plan, tz="UTC")
    report = load_chunks(wh, "orders", chunks, plan, source="upload:orders.csv")

DuckDB warehouses only (`supported`); elsewhere the caller validates the whole frame.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import delete, func, select

from lib.schema import FEEDS, FeedError, Reason
from lib.warehouse import checksums, versions
from lib.warehouse.tables import FEED_TABLES
from lib.warehouse.validation import ReadPlan, empty_failures, validate_part

__all__ = ["ChunkedCheck", "load_chunks", "check_chunks", "supported", "FAILURE_CAP", "FEEDS_CHUNKED"]

# A person reads and fixes failures from the first ones; 10,000 rows is more than anyone scrolls and a
# few MB at most, whatever the file. The counts per rule stay exact beyond it.
FAILURE_CAP = 10_000
# feeds whose rows are typed one by one (events get per-session keys over the whole file: not chunked)
FEEDS_CHUNKED = ("orders", "inventory", "products", "promotions", "customers")
_ROW = "_row"


def supported(wh, feed: str) -> bool:
    """True when `feed` can be loaded in chunks into this warehouse."""
    table = FEED_TABLES[feed]
    return (wh.dialect == "duckdb" and feed in FEEDS_CHUNKED
            and [c.name for c in table.columns] == FEEDS[feed].names)


class _Capped:
    """The first `cap` rows of a sequence of ordered frames, and exact counts per reason."""

    def __init__(self, cap: int):
        self.cap = cap
        self.parts: list[pd.DataFrame] = []
        self.kept = 0
        self.counts: dict[str, int] = {}

    def add(self, found: pd.DataFrame) -> None:
        if not len(found):
            return
        for reason, n in found["reason"].value_counts(sort=False).items():
            self.counts[reason] = self.counts.get(reason, 0) + int(n)
        if self.kept < self.cap:
            part = found.head(self.cap - self.kept)
            self.parts.append(part)
            self.kept += len(part)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return empty_failures()
        return pd.concat(self.parts, ignore_index=True)


class ChunkedCheck:
    """Validates a file's chunks in order; `finish` adds the rules across rows from the staging table."""

    def __init__(self, feed: str, plan: ReadPlan, *, as_of: date | datetime | None = None, tz: str = "UTC",
                 dayfirst: bool = False, known_skus=None, cap: int = FAILURE_CAP):
        if feed not in FEEDS_CHUNKED:
            raise ValueError(f"the {feed} feed is not validated in chunks")
        self.feed, self.plan, self.as_of, self.tz, self.dayfirst, self.cap = feed, plan, as_of, tz, dayfirst, cap
        self.spec = FEEDS[feed]
        self.known = (pd.Index(pd.Series(list(known_skus), dtype="string").dropna().unique())
                      if known_skus is not None else None)
        self.rows = 0
        self.columns: list[str] | None = None      # the raw frame's canonical columns (from the first chunk)
        self.failures = _Capped(cap)
        self.warnings = _Capped(cap)
        self._across: list[pd.DataFrame] = []

    def add(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """The chunk typed (feed columns in order, plus `_row`: its spreadsheet rows)."""
        from lib.warehouse.validation import _warnings

        first = self.columns is None
        frame, errs, renamed = validate_part(self.feed, chunk, as_of=self.as_of, tz=self.tz, dayfirst=self.dayfirst,
                                             plan=self.plan, header=first, across_rows=False)
        if first:
            self.columns = list(renamed.columns)
        found = errs.frame(self.spec.names)
        found["row"] = found["row"] + self.rows
        self.failures.add(found)
        if len(frame):
            warned = _warnings(self.spec, frame, renamed, self.known)
            warned["row"] = warned["row"] + self.rows
            self.warnings.add(warned)
        frame[_ROW] = pd.array(range(self.rows + 2, self.rows + 2 + len(frame)), dtype="int64")
        self.rows += len(frame)
        return frame

    def finish(self, con, stage: str) -> None:
        """Duplicate keys and rows over the whole staging table (DuckDB connection `con`)."""
        spec, cols = self.spec, self.columns or []
        if self.rows == 0:
            self._across.append(pd.DataFrame({"column": ["*"], "row": pd.array([pd.NA], dtype="Int64"),
                                              "value": [None], "reason": [Reason.EMPTY_FEED]}))
            return
        if spec.key and all(k in cols or spec.column(k).default is not None for k in spec.key):
            key = list(spec.key)
            notna = " AND ".join(f"{_q(k)} IS NOT NULL" for k in key)
            got = self._repeats(con, stage, key, notna)
            shown = got[key[0]].astype("string")
            for extra in key[1:]:
                shown = shown + " / " + got[extra].astype("string").fillna("")
            self._across.append(_failures(key[0], got, shown, Reason.DUPLICATE_KEY))
        present = [c for c in spec.names if c in cols]
        if spec.no_exact_duplicates and present:
            got = self._repeats(con, stage, present, "true")
            self._across.append(_failures(present[0], got, got[present[0]], Reason.DUPLICATE_ROW))

    def _repeats(self, con, stage: str, columns: list[str], where: str) -> pd.DataFrame:
        """Rows whose `columns` equal an earlier row's (NULLs equal, as pandas' duplicated), first `cap`
        by row; the count of all of them is added to the failures' counts."""
        part = ", ".join(_q(c) for c in columns)
        rep = (f"SELECT {_ROW}, {part} FROM (SELECT {_ROW}, {part}, row_number() OVER (PARTITION BY {part} "
               f"ORDER BY {_ROW}) AS _n FROM {_q(stage)} WHERE {where}) WHERE _n > 1")
        n = con.execute(f"SELECT count(*) FROM ({rep})").fetchone()[0]
        got = con.execute(f"{rep} ORDER BY {_ROW} LIMIT {int(self.cap)}").fetchdf()
        got.attrs["count"] = int(n)
        return got

    def error(self, source: str | None) -> FeedError | None:
        """The FeedError for everything found (None when the file is valid)."""
        across = [f for f in self._across if len(f)]
        counts = dict(self.failures.counts)
        for f in across:
            reason = f["reason"].iloc[0]
            counts[reason] = counts.get(reason, 0) + int(f.attrs.get("count", len(f)))
        if not counts:
            return None
        found = self.failures.frame()
        if across:
            pos = {name: i for i, name in enumerate(self.spec.names)}
            found = pd.concat([found, *across], ignore_index=True)
            found["_pos"] = found["column"].map(lambda c: pos.get(c, -1))
            found = (found.sort_values(["row", "_pos"], kind="stable", na_position="first")
                     .drop(columns="_pos").head(self.cap).reset_index(drop=True))
        found = found.astype({"row": "Int64"})
        return FeedError(self.feed, found, source, counts=counts)

    def warnings_frame(self) -> pd.DataFrame:
        out = self.warnings.frame().astype({"row": "Int64"})
        out.attrs["total"] = self.warnings.total
        return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _failures(column: str, got: pd.DataFrame, values: pd.Series, reason: str) -> pd.DataFrame:
    vals = values.astype("string")
    vals = vals.mask(vals.str.strip().eq(""))
    out = pd.DataFrame({"column": column, "row": pd.array(got[_ROW].to_numpy(), dtype="Int64"),
                        "value": vals.to_numpy(dtype=object), "reason": reason})
    out.attrs["count"] = got.attrs["count"]
    return out


class _Rollback(Exception):
    """Ends check_chunks' transaction without keeping anything."""


def _stage(raw, check: ChunkedCheck, chunks: Iterable[pd.DataFrame], progress=None) -> str:
    """Validate every chunk and append it, typed, to a staging table (inside the caller's transaction)."""
    stage = f"_chunked_stage_{check.feed}"
    raw.execute(f"DROP TABLE IF EXISTS {_q(stage)}")
    made = False
    for chunk in chunks:
        typed = check.add(chunk)
        table = checksums.arrow(typed)
        raw.register("_chunk", table)
        try:
            if not made:
                raw.execute(f"CREATE TABLE {_q(stage)} AS SELECT * FROM _chunk LIMIT 0")
                made = True
            raw.execute(f"INSERT INTO {_q(stage)} SELECT * FROM _chunk")
        finally:
            raw.unregister("_chunk")
        if progress is not None:
            progress(check.rows)
    if not made:   # an empty file still gets its (empty) table, so the checks below read one
        empty = check.add(pd.DataFrame({c: pd.Series(dtype="string") for c in (check.columns or [])}))
        raw.register("_chunk", checksums.arrow(empty))
        try:
            raw.execute(f"CREATE TABLE {_q(stage)} AS SELECT * FROM _chunk LIMIT 0")
        finally:
            raw.unregister("_chunk")
    check.finish(raw, stage)
    return stage


def _known_skus(wh, feed: str):
    if feed not in ("orders", "inventory"):
        return None
    known = wh.read(select(FEED_TABLES["products"].c.sku))["sku"]
    return known if len(known) else None


def _checker(wh, feed, plan, as_of, cap) -> ChunkedCheck:
    return ChunkedCheck(feed, plan, as_of=as_of, tz=wh.settings.store_timezone, dayfirst=wh.settings.dayfirst,
                        known_skus=_known_skus(wh, feed), cap=cap)


def _summary(raw, feed: str, stage: str) -> tuple[int, str, object, object]:
    """Rows, checksum (as lib.warehouse.checksums.checksum of the typed frame) and the time span."""
    spec = FEEDS[feed]
    cols = ", ".join(_q(c) for c in spec.names)
    tcol = spec.time_column
    span = f"min({_q(tcol)}), max({_q(tcol)})" if tcol else "NULL, NULL"
    rows, total, lo, hi = raw.execute(
        f"SELECT count(*), coalesce(sum(hash({cols})::HUGEINT), 0)::VARCHAR, {span} FROM {_q(stage)}").fetchone()
    lo = pd.Timestamp(lo).to_pydatetime() if lo is not None else None
    hi = pd.Timestamp(hi).to_pydatetime() if hi is not None else None
    return int(rows), checksums.checksum_of(int(rows), spec.names, total), lo, hi


def load_chunks(wh, feed: str, chunks: Iterable[pd.DataFrame], plan: ReadPlan, source: str, *,
                as_of: date | None = None, now: datetime | None = None, cap: int = FAILURE_CAP, progress=None):
    """Validate `chunks` (raw frames in file order, canonical headers) and replace the feed with them in one
    transaction, as Warehouse.load(feed, whole frame) would. Raises FeedError (first `cap` failures, exact
    counts); nothing changes then."""
    from lib.warehouse.core import LoadReport

    if not supported(wh, feed):
        raise ValueError(f"the {feed} feed cannot be loaded in chunks into this warehouse")
    loaded_at = (now or datetime.now(UTC)).replace(tzinfo=None)
    check = _checker(wh, feed, plan, as_of, cap)
    table = FEED_TABLES[feed]
    wh._writable()
    with wh.engine.begin() as conn:
        raw = conn.connection.driver_connection
        stage = _stage(raw, check, chunks, progress)
        err = check.error(source)
        if err is not None:
            raise err
        rows, checksum, lo, hi = _summary(raw, feed, stage)
        warnings = check.warnings_frame()
        before = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        versions.archive(conn, feed)
        conn.execute(delete(table))
        collist = ", ".join(_q(c) for c in FEEDS[feed].names)
        wh._insert_select(raw, table.name, collist, f"SELECT {collist} FROM {_q(stage)}")
        raw.execute(f"DROP TABLE {_q(stage)}")
        load_id = wh._record(conn, feed, source, rows, checksum, loaded_at, lo, hi, warnings.attrs["total"])
        wh._before_commit(feed)
    wh._written()
    versions.record(wh, loaded_at)
    return LoadReport(load_id, feed, source, rows, checksum, loaded_at, lo, hi, warnings, before)


def check_chunks(wh, feed: str, chunks: Iterable[pd.DataFrame], plan: ReadPlan, *, as_of: date | None = None,
                 source: str | None = None, cap: int = FAILURE_CAP):
    """What load_chunks would do, changing nothing (Warehouse.check for a file read in chunks)."""
    from lib.warehouse.core import CheckReport

    if not supported(wh, feed):
        raise ValueError(f"the {feed} feed cannot be checked in chunks in this warehouse")
    check = _checker(wh, feed, plan, as_of, cap)
    try:
        with wh.engine.begin() as conn:     # the staging table lives and dies in this transaction
            raw = conn.connection.driver_connection
            stage = _stage(raw, check, chunks)
            err = check.error(source)
            if err is not None:
                raise err
            rows, _checksum, lo, hi = _summary(raw, feed, stage)
            current = int(conn.execute(select(func.count()).select_from(FEED_TABLES[feed])).scalar_one())
            raise _Rollback()
    except _Rollback:
        pass
    return CheckReport(feed, "replace", rows, current, check.warnings_frame(), lo, hi)
