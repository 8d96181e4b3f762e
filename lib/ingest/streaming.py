"""A big UTF-8 text file read chunk by chunk, with the same values as reading it whole.

readers.read_table reads a big clean UTF-8 file with pyarrow in one go; this reads it with pyarrow's
streaming reader (the same options: every column text, blanks missing) one block at a time, so memory
holds a chunk, not the file. Rows keep their order, so a frame's rows are numbered by counting
(spreadsheet row = rows before + position + 2). The chunks carry the attrs read_table gives the whole
file ("encoding", "delimiter", "decimal" from the first 5,000 rows); trailing blank rows are dropped
as read_table drops them.

    src = open_text(path, "orders.csv")          # None: read the file whole (readers.read_table)
    for table in src: ...                        # Arrow tables of text, file order
    plan = read_plan_of(src, mapper, "orders")   # validation.ReadPlan from the first values

`Declined` is raised while iterating when the file turns out to need the whole-file reader (a ragged
line, bytes that are not UTF-8): the caller reads it whole then (nothing has been kept).
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lib.ingest import readers
from lib.schema import FEEDS
from lib.warehouse import coerce
from lib.warehouse.validation import ReadPlan, canonical_headers, read_plan

__all__ = ["TextChunks", "Declined", "Mapped", "open_text", "read_plan_of", "renamer", "BLOCK_BYTES"]

BLOCK_BYTES = 4 * 2**20      # pyarrow reads several blocks ahead: 16 MB blocks held ~330 MB before the first
                             # batch was used, 4 MB ones ~40 MB (pa.total_allocated_bytes, 395 MB file)
_DECIMAL_ROWS = 5000         # readers._decimal_hint looks at a file's first 5,000 rows
_PLAN_VALUES = 2000          # validation.read_plan looks at each column's first 2,000 non-blank values


class Declined(Exception):
    """The file cannot be streamed after all (ragged line, not UTF-8): read it whole."""


class _Body(io.RawIOBase):
    """The file's bytes from `start` (after a BOM) to `end` (before trailing line breaks), then one newline."""

    def __init__(self, path: Path, start: int, end: int):
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._fh.seek(start)
        self._left = end - start
        self._tail = b"\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self._left > 0:
            n = self._fh.readinto(memoryview(buf)[:min(len(buf), self._left)])
            self._left -= n
            return n
        if self._tail:
            buf[:1], self._tail = self._tail, b""
            return 1
        return 0

    def close(self) -> None:
        self._fh.close()
        super().close()


@dataclass
class TextChunks:
    """A text file to read in chunks (iterate it; each iteration reads the file again from the start)."""

    path: Path
    names: list[str]
    delimiter: str
    start: int
    end: int
    quotes: bool
    attrs: dict = field(default_factory=dict)
    chunk_rows: int | None = None

    def __iter__(self) -> Iterator:
        """Arrow tables (every column text, blanks missing) in file order; at least one, maybe empty."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv

        body = _Body(self.path, self.start, self.end)
        held = None      # trailing blank rows of the last chunk: dropped at the end, kept before more data
        yielded = False
        try:
            reader = pacsv.open_csv(
                body,
                read_options=pacsv.ReadOptions(column_names=self.names, skip_rows=1, block_size=BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=self.quotes,
                                                  ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in self.names}, strings_can_be_null=True,
                    quoted_strings_can_be_null=True, null_values=[""]))
            for batch in _batches(reader):
                table = pa.Table.from_batches([batch])
                if held is not None:
                    table = pa.concat_tables([held, table])
                filled = None
                for col in table.columns:
                    valid = pc.is_valid(col)
                    filled = valid if filled is None else pc.or_(filled, valid)
                filled = filled.to_numpy(zero_copy_only=False) if filled is not None else None
                last = len(filled) - int(filled[::-1].argmax()) if filled is not None and filled.any() else 0
                held = table.slice(last) if last < table.num_rows else None
                for part in self._split(table.slice(0, last)):
                    yielded = True
                    yield part
        finally:
            body.close()
        if not yielded:
            yield pa.table({n: pa.array([], pa.string()) for n in self.names})

    def _split(self, table) -> Iterator:
        if not table.num_rows:
            return
        step = self.chunk_rows or table.num_rows
        for lo in range(0, table.num_rows, step):
            yield table.slice(lo, step)


def _batches(reader):
    import pyarrow as pa

    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise Declined(str(exc)) from exc
        yield batch


def open_text(path: Path, filename: str, *, delimiter: str | None = None,
              chunk_rows: int | None = None) -> TextChunks | None:
    """The file as chunks, or None when it needs the whole-file reader: not UTF-8 at its start, a
    "sep=" line, control characters, a header cell left blank, or an odd number of quote marks (the
    cases readers.read_table does not give to pyarrow either). `chunk_rows` cuts the blocks smaller
    (tests)."""
    path = Path(path)
    ext = Path(filename).suffix.lower()
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head_bytes = fh.read(readers._SAMPLE_CHARS + 4)
    if head_bytes.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or not head_bytes.strip():
        return None
    start = 3 if head_bytes.startswith(codecs.BOM_UTF8) else 0
    head = head_bytes[start:start + readers._SAMPLE_CHARS].decode("utf-8", errors="replace")
    if ("\ufffd" in head[:-4] or readers._SEP_LINE.match(head)
            or len(readers._CONTROL.findall(head)) > max(2, len(head) // 200)):
        return None
    delimiter = delimiter or ("\t" if ext == ".tsv" else readers._detect_delimiter(head, truncated=True))
    first = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
    names = readers._clean_header(first)
    if not names or any(readers._UNNAMED.match(n) for n in names):
        return None
    quotes, end = _scan(path, size)
    if quotes % 2 or end <= start:
        return None
    src = TextChunks(path, names, delimiter, start, end, quotes > 0, chunk_rows=chunk_rows)
    src.attrs = {"encoding": "utf-8-sig" if start else "utf-8", "delimiter": delimiter}
    try:
        rows = _first_rows(src, _DECIMAL_ROWS)
    except Declined:
        return None
    if decimal := readers._decimal_hint(rows):
        src.attrs["decimal"] = decimal
    return src


def _scan(path: Path, size: int) -> tuple[int, int]:
    """Quote marks in the file, and where its content ends (before trailing line breaks)."""
    quotes = 0
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK_BYTES):
            quotes += block.count(b'"')
        end = size
        while end > 0:
            fh.seek(max(0, end - 4096))
            tail = fh.read(end - max(0, end - 4096))
            kept = tail.rstrip(b"\r\n")
            end -= len(tail) - len(kept)
            if kept:
                break
    return quotes, end


def _first_rows(src: TextChunks, n: int) -> pd.DataFrame:
    parts, got = [], 0
    with contextlib.closing(iter(TextChunks(src.path, src.names, src.delimiter, src.start, src.end,
                                            src.quotes))) as tables:
        for table in tables:
            parts.append(table.slice(0, n - got).to_pandas())
            got += len(parts[-1])
            if got >= n:
                break
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=src.names)


def read_plan_of(src: TextChunks, mapper: Callable, feed: str, dayfirst: bool = False) -> ReadPlan:
    """validation.read_plan of the whole mapped file (`mapper`: a raw Arrow table -> canonical headers),
    from its first rows only: reads chunks until each number and date column has 2,000 non-blank values
    (or the file ends), keeping only those values."""
    spec = FEEDS[feed]
    wanted = [c.name for c in spec.columns if c.kind in ("float", "int", "datetime", "date")]
    seen: dict[str, list[pd.Series]] = {}
    with contextlib.closing(iter(src)) as tables:
        for table in tables:
            if _plan_sample(spec, wanted, mapper(table).to_pandas(), seen):
                break
    sample = pd.DataFrame({c: pd.concat(parts, ignore_index=True) for c, parts in seen.items()})
    return read_plan(feed, sample, dayfirst)


def _plan_sample(spec, wanted: list[str], mapped: pd.DataFrame, seen: dict) -> bool:
    """Add a chunk's first non-blank values to `seen`; True once every wanted column has enough."""
    mapped = mapped.rename(columns=canonical_headers(spec, mapped.columns))
    todo = [c for c in wanted if c in mapped.columns and sum(map(len, seen.get(c, []))) < _PLAN_VALUES]
    for c in todo:
        s = mapped[c]
        seen.setdefault(c, []).append(s[~coerce.empty_mask(s)].head(_PLAN_VALUES))
    return all(sum(map(len, seen.get(c, []))) >= _PLAN_VALUES for c in wanted if c in mapped.columns)


def renamer(mapping: dict[str, str | None]) -> Callable:
    """A raw Arrow table -> its mapped columns under their canonical names ({canonical: source header})."""
    used = {canon: src for canon, src in mapping.items() if src}

    def rename(table):
        return table.select(list(used.values())).rename_columns(list(used))
    return rename


@dataclass
class Mapped:
    """The chunks of `src` through `mapper`; iterable again (each iteration reads the file anew)."""

    src: TextChunks
    mapper: Callable

    def __iter__(self) -> Iterator:
        return (self.mapper(t) for t in self.src)
