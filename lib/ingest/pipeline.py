"""From a source to the warehouse: read, map headers, validate, load; plus what is loaded.

The Data page calls these; each returns plain data or raises a typed error
(readers.ReadError, sources.errors.SourceError, schema.FeedError) that the page turns into a
clear message.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from lib.ingest import mapping as mp
from lib.ingest import readers, streaming
from lib.ingest.profiles import PROFILES
from lib.schema import FEEDS
from lib.warehouse import CheckReport, LoadReport, Warehouse, chunked
from lib.warehouse.append import file_rows
from lib.warehouse.tables import FEED_TABLES
from lib.warehouse.validation import coerced

__all__ = ["Prepared", "prepare_file", "prepare_frame", "load_prepared", "check_prepared", "mapped_preview",
           "load_demo", "feed_overview", "preview", "freshness", "demo_dir", "with_feed", "DEMO_LOAD_ORDER"]

DEMO_LOAD_ORDER = ("products", "inventory", "promotions", "orders", "events", "customers", "spend")
Progress = Callable[[float, str], None]


@dataclass
class Prepared:
    """A raw table read from a source, with the feed and column mapping proposed for it."""

    source: str                      # e.g. "upload:orders.csv", "sql:orders", "sheets:<key>/Orders"
    raw: pd.DataFrame
    feed: str
    profile: str
    mapping: dict[str, str | None]
    info: dict = field(default_factory=dict)
    remembered: bool = False
    data: bytes | Path | None = field(default=None, repr=False)   # a big text file, read in full at load time
    filename: str = ""

    @property
    def missing(self) -> list[str]:
        return mp.missing_required(self.feed, self.mapping, self.profile)


def prepare_frame(raw: pd.DataFrame, source: str, feed: str | None = None, wh: Warehouse | None = None,
                  info: dict | None = None) -> Prepared:
    """Guess the feed and mapping for a raw table; a mapping remembered for `source` wins."""
    cols = [str(c) for c in raw.columns]
    feed = feed or mp.guess_feed(cols) or "orders"
    profile = mp.detect_profile(cols)
    mapping = mp.suggest_mapping(feed, cols, profile)
    remembered = False
    if wh is not None:
        saved = wh.get_mapping(source, feed)
        if saved:
            mapping = {k: (v if v in cols else None) for k, v in {**mapping, **saved}.items()}
            remembered = True
    return Prepared(source, raw, feed, profile, mapping, info or {}, remembered)


BIG_FILE_BYTES = readers.FAST_PATH_BYTES
SAMPLE_BYTES = 2 * 2**20


def with_feed(prep: Prepared, feed: str, wh: Warehouse | None = None) -> Prepared:
    """The same source proposed for another feed (the mapping is suggested anew)."""
    again = prepare_frame(prep.raw, prep.source, feed, wh, prep.info)
    again.data, again.filename = prep.data, prep.filename
    return again


def prepare_file(data: bytes | Path, filename: str, feed: str | None = None,
                 wh: Warehouse | None = None) -> Prepared:
    """Read an uploaded file (bytes) or a file on disk (Path) and propose its feed and mapping.

    A big text file is only sampled here (its first 2 MB); the whole file is read at load time.
    """
    name = Path(filename).name
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    if size > BIG_FILE_BYTES and Path(name).suffix.lower() in readers.TEXT_EXTENSIONS:
        if isinstance(data, Path):
            with open(data, "rb") as fh:
                head = fh.read(SAMPLE_BYTES)
        else:
            head = data[:SAMPLE_BYTES]
        head = head[:head.rfind(b"\n") + 1]
        try:
            raw = readers.read_table(head, filename)
        except readers.ReadError:
            raw = None
        if raw is not None and len(raw):
            info = {k: raw.attrs[k] for k in ("encoding", "delimiter", "decimal") if k in raw.attrs}
            info["sample"] = f"first {len(raw):,} rows of {size / 2**20:,.0f} MB"
            prep = prepare_frame(raw, f"upload:{name}", feed, wh, info)
            prep.data, prep.filename = data, filename
            return prep
    raw = readers.read_table(data, filename)
    info = {k: raw.attrs[k] for k in ("encoding", "delimiter", "decimal") if k in raw.attrs}
    return prepare_frame(raw, f"upload:{name}", feed, wh, info)


def load_prepared(wh: Warehouse, prep: Prepared, *, as_of: date | None = None, remember: bool = True,
                  mode: str = "replace") -> LoadReport:
    """Apply the mapping, validate and load (mode "replace" or "append": Warehouse.load). A corrected
    mapping is remembered per source.

    A big UTF-8 CSV whose headers are the feed's own names, loaded to replace the feed, first tries
    the warehouse's direct path (DuckDB reads the file itself); anything doubtful goes through full
    validation.
    """
    report = None
    mp.require_cost(prep.feed, prep.mapping, prep.profile, prep.source)
    if prep.data is not None and mode == "replace":
        report = _load_big_text(wh, prep, as_of)
        if report is None:
            report = _chunked(wh, prep, as_of, load=True)
    if report is None:
        mapped = mp.apply_mapping(_whole(prep).raw, prep.feed, prep.mapping, prep.profile)
        report = wh.load(prep.feed, mapped, source=prep.source, as_of=as_of, mode=mode)
    if remember:
        wh.save_mapping(prep.source, prep.feed, {k: v for k, v in prep.mapping.items() if v})
    return report


def check_prepared(wh: Warehouse, prep: Prepared, *, as_of: date | None = None, mode: str = "replace") -> CheckReport:
    """Validate only: the whole source, mapped, checked exactly as load_prepared(..., mode) would
    check it (Warehouse.check). Changes nothing; raises FeedError listing every problem."""
    mp.require_cost(prep.feed, prep.mapping, prep.profile, prep.source)
    if prep.data is not None and mode == "replace":
        report = _chunked(wh, prep, as_of, load=False)
        if report is not None:
            return report
    mapped = mp.apply_mapping(_whole(prep).raw, prep.feed, prep.mapping, prep.profile)
    return wh.check(prep.feed, mapped, as_of=as_of, mode=mode, source=prep.source)


def mapped_preview(prep: Prepared, wh: Warehouse, rows: int = 20) -> pd.DataFrame:
    """The first `rows` rows of the source as they will be loaded: `row` (the file's row; a Shopify
    return line has its sale line's), then every feed column typed as validation reads it (dates in
    the store timezone, numbers, statuses lower-cased, event names mapped, defaults filled); a value
    that cannot be read is missing (validation names it)."""
    mapped = mp.apply_mapping(prep.raw.head(rows), prep.feed, prep.mapping, prep.profile)
    typed = coerced(prep.feed, mapped, tz=wh.settings.store_timezone, dayfirst=wh.settings.dayfirst)
    typed.insert(0, "row", file_rows(mapped))
    return typed


def _whole(prep: Prepared) -> Prepared:
    """The prepared source with all its rows (a big file is only sampled until it is loaded)."""
    if prep.data is None:
        return prep
    raw = readers.read_table(prep.data, prep.filename)
    return Prepared(prep.source, raw, prep.feed, prep.profile, prep.mapping, prep.info, prep.remembered)


def demo_dir(data_dir: Path, seed: int, scale: float, as_of: date, traffic: float = 1.0,
             holidays: bool = True) -> Path:
    """Where the demo store for these parameters is written (reused when it already exists).

    `traffic` (share of non-buying web sessions written) is in the name only when it is not 1,
    and "-noholidays" only when the retail holidays are turned off.
    """
    extra = (f"-traffic{traffic:g}" if traffic != 1 else "") + ("" if holidays else "-noholidays")
    return Path(data_dir) / f"demo-seed{seed}-scale{scale:g}{extra}-{as_of.isoformat()}"


def _load_big_text(wh: Warehouse, prep: Prepared, as_of: date | None) -> LoadReport | None:
    identity = all(v is None or v == k for k, v in prep.mapping.items())
    if (not identity or prep.profile != "canonical" or not prep.info.get("encoding", "").startswith("utf-8")
            or prep.info.get("decimal") == ","):
        return None
    sample = prep.raw[[c for c in prep.raw.columns if c in FEEDS[prep.feed].names]]
    delimiter = prep.info.get("delimiter", ",")
    if isinstance(prep.data, Path):
        return wh.load_csv(prep.feed, prep.data, prep.source, delimiter=delimiter, sample=sample, as_of=as_of)
    with tempfile.TemporaryDirectory() as tmp:   # DuckDB's reader wants a file: an upload is bytes
        path = Path(tmp) / "upload.csv"
        path.write_bytes(prep.data)
        return wh.load_csv(prep.feed, path, prep.source, delimiter=delimiter, sample=sample, as_of=as_of)


CHUNK_ROWS: int | None = None     # None: pyarrow's blocks (lib.ingest.streaming.BLOCK_BYTES); tests set a few rows


def _chunked(wh: Warehouse, prep: Prepared, as_of: date | None, *, load: bool):
    """A big text file the direct path declined, validated (and loaded) chunk by chunk in bounded memory
    (lib.warehouse.chunked); None when that does not apply (another warehouse, the events feed, a profile
    that fills values down across rows, a file that needs the whole-file reader)."""
    profile = PROFILES.get(prep.profile)
    if (profile is not None and profile.feed == prep.feed) or not chunked.supported(wh, prep.feed):
        return None       # a profile whose columns are rebuilt (filled down, combined): validated whole
    with tempfile.TemporaryDirectory() as tmp:
        path = prep.data
        if not isinstance(path, Path):      # an upload is bytes: the streaming reader wants a file
            path = Path(tmp) / "upload.csv"
            path.write_bytes(prep.data)
        src = streaming.open_text(path, prep.filename, delimiter=prep.info.get("delimiter"), chunk_rows=CHUNK_ROWS)
        if src is None or any(v is not None and v not in src.names for v in prep.mapping.values()):
            return None
        rename = streaming.renamer(prep.mapping)
        tables = streaming.Mapped(src, rename)
        try:
            plan = streaming.read_plan_of(src, rename, prep.feed, wh.settings.dayfirst)
            if load:
                return chunked.load_chunks(wh, prep.feed, tables, plan, prep.source, attrs=src.attrs, as_of=as_of)
            return chunked.check_chunks(wh, prep.feed, tables, plan, attrs=src.attrs, as_of=as_of, source=prep.source)
        except streaming.Declined:
            return None


def load_demo(wh: Warehouse, data_dir: Path, *, seed: int = 7, scale: float = 1.0, as_of: date,
              progress: Progress | None = None, regenerate: bool = False,
              traffic: float = 1.0, holidays: bool = True) -> list[LoadReport]:
    """Generate the demo store (unless already generated for these parameters) and load its feeds.

    `holidays=False` generates it without the retail holiday peaks (lib.demo.generate)."""
    from lib import demo

    progress = progress or (lambda f, m: None)
    out_dir = demo_dir(data_dir, seed, scale, as_of, traffic, holidays)
    if regenerate or not all((out_dir / f"{f}.parquet").exists() for f in DEMO_LOAD_ORDER):
        demo.generate(out_dir, seed=seed, scale=scale, as_of=as_of, fmt="parquet",
                      progress=lambda f, m: progress(0.5 * f, m), traffic=traffic, holidays=holidays)
    reports = []
    for i, feed in enumerate(DEMO_LOAD_ORDER):
        progress(0.5 + 0.5 * i / len(DEMO_LOAD_ORDER), f"Loading {feed}…")
        df = pd.read_parquet(out_dir / f"{feed}.parquet")
        reports.append(wh.load(feed, df, source=f"demo:seed={seed},scale={scale}"
                               + (f",traffic={traffic:g}" if traffic != 1 else "")
                               + ("" if holidays else ",holidays=off"), as_of=as_of))
    progress(1.0, "Demo store loaded")
    return reports


def feed_overview(wh: Warehouse) -> pd.DataFrame:
    """One row per feed: rows, date range, when and from where it was last loaded."""
    cur = wh.current_loads().set_index("feed") if not wh.is_empty() else pd.DataFrame()
    counts = wh.row_counts()
    rows = []
    for feed, spec in FEEDS.items():
        rec = cur.loc[feed] if feed in cur.index else None
        rows.append({
            "feed": feed, "description": spec.description, "rows": counts[feed],
            "first": rec["min_date"] if rec is not None else pd.NaT,
            "last": rec["max_date"] if rec is not None else pd.NaT,
            "loaded_at": rec["loaded_at"] if rec is not None else pd.NaT,
            "source": rec["source"] if rec is not None else None,
            "load_id": int(rec["load_id"]) if rec is not None else None,
        })
    return pd.DataFrame(rows)


def preview(wh: Warehouse, feed: str, limit: int = 200) -> pd.DataFrame:
    """The first `limit` rows of a feed, newest first where the feed has a time column."""
    table = FEED_TABLES[feed]
    cols = [c for c in table.columns if c.name in FEEDS[feed].names]
    q = select(*cols)
    tcol = FEEDS[feed].time_column
    if tcol:
        q = q.order_by(table.c[tcol].desc())
    return wh.read(q.limit(limit))


def freshness(overview: pd.DataFrame, today: date) -> pd.DataFrame:
    """Per loaded history feed (orders, events, inventory): its last date and how many days ago
    that was. Promotions are left out: they are planned ahead, so their dates say nothing of age."""
    history = [f for f, spec in FEEDS.items() if any(c.no_future for c in spec.columns)]
    have = overview[(overview["rows"] > 0) & overview["last"].notna() & overview["feed"].isin(history)].copy()
    have["days_old"] = [(today - pd.Timestamp(v).date()).days for v in have["last"]]
    return have[["feed", "first", "last", "days_old"]].reset_index(drop=True)
