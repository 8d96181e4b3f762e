"""Read an uploaded file (CSV/TSV/TXT, Excel, Parquet) into a raw DataFrame.

Text files come back with every column as text (empty cells are NaN) and three hints in
`df.attrs`: "encoding", "delimiter" and, when the numbers make it clear, "decimal" ("," or ".").
Excel and Parquet keep their native types. Rows stay in file order on a RangeIndex, so frame
position + 2 is the spreadsheet row (the header is row 1). Bad bytes raise ReadError, never
anything else.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import warnings
from pathlib import Path

import pandas as pd

__all__ = [
    "ReadError", "read_table", "TEXT_EXTENSIONS", "EXCEL_EXTENSIONS", "PARQUET_EXTENSIONS",
    "SUPPORTED_EXTENSIONS", "DELIMITERS", "FAST_PATH_BYTES",
]

TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
PARQUET_EXTENSIONS = (".parquet", ".pq")
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS + EXCEL_EXTENSIONS + PARQUET_EXTENSIONS
DELIMITERS = (",", ";", "\t", "|")
FAST_PATH_BYTES = 20 * 2**20      # text files above this size try pyarrow's parallel reader first
_SAMPLE_CHARS = 64 * 1024
_UNNAMED = re.compile(r"^Unnamed: \d+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_COMMA_DECIMAL = r"[-+]?(?:\d{1,3}(?:\.\d{3})+,\d+|\d{1,9},\d{1,2}|\d{1,9},\d{4,6})"
_DOT_DECIMAL = r"[-+]?(?:\d{1,3}(?:,\d{3})+\.\d+|\d{1,9}\.\d{1,2}|\d{1,9}\.\d{4,6})"
_SEP_LINE = re.compile(r"^sep=([,;\t|])[ \t]*\r?\n")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class ReadError(Exception):
    """A file that cannot be read. `reason` is a stable code; `message` is for the user."""

    UNSUPPORTED_TYPE = "unsupported_type"
    EMPTY_FILE = "empty_file"
    CANNOT_DECODE = "cannot_decode"
    CANNOT_PARSE = "cannot_parse"
    TOO_LARGE = "too_large"

    def __init__(self, filename: str, reason: str, message: str):
        self.filename = filename
        self.reason = reason
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


def read_table(data: bytes | str | Path, filename: str, *, sheet: str | int | None = 0,
               max_bytes: int | None = None) -> pd.DataFrame:
    """Read one uploaded file into a DataFrame.

    Args:
        data: the file's bytes (or a binary file object), or a path (str or Path) to read.
        filename: the file's name as the user knows it; its extension picks the format.
        sheet: Excel only: sheet index or name; None means the first sheet that has data.
        max_bytes: refuse files larger than this (reason "too_large").

    Returns:
        The table in file order on a RangeIndex; text formats give text columns.

    Raises:
        ReadError: unsupported type, empty file, undecodable or unparseable bytes, too large.
    """
    name = Path(str(filename)).name or str(filename)
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise ReadError(name, ReadError.UNSUPPORTED_TYPE, _unsupported_message(name, ext))
    raw = _load_bytes(data, name, max_bytes)
    if raw.startswith(b"PK\x03\x04") and ext in TEXT_EXTENSIONS:
        ext = ".xlsx"             # an Excel workbook saved under a text name
    elif raw.startswith(b"PAR1") and ext in TEXT_EXTENSIONS:
        ext = ".parquet"
    if not raw.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise ReadError(name, ReadError.EMPTY_FILE, f"“{name}” is empty: it has no header row and no data.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if ext in EXCEL_EXTENSIONS:
                df = _read_excel(raw, name, sheet)
            elif ext in PARQUET_EXTENSIONS:
                df = _read_parquet(raw)
            else:
                df = _read_text(raw, name, ext)
    except ReadError:
        raise
    except Exception as exc:  # any parser failure on bad bytes becomes a ReadError
        raise ReadError(name, ReadError.CANNOT_PARSE, _parse_message(name, ext, exc)) from exc
    if df.shape[1] == 0:
        raise ReadError(name, ReadError.EMPTY_FILE, f"“{name}” has no columns: the first row should hold "
                        "the column names.")
    return df


# --- bytes in ----------------------------------------------------------------------------------
def _load_bytes(data, name: str, max_bytes: int | None) -> bytes:
    if isinstance(data, (str, Path)):
        path = Path(data)
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise _too_large(name, path.stat().st_size, max_bytes)
        return path.read_bytes()
    if hasattr(data, "getvalue"):
        data = data.getvalue()
    elif hasattr(data, "read"):
        data = data.read()
    raw = bytes(data)
    if max_bytes is not None and len(raw) > max_bytes:
        raise _too_large(name, len(raw), max_bytes)
    return raw


def _too_large(name: str, size: int, limit: int) -> ReadError:
    return ReadError(name, ReadError.TOO_LARGE, f"“{name}” is {_mb(size)}, more than the {_mb(limit)} "
                     "this app accepts. Export a shorter date range or split the file.")


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


def _unsupported_message(name: str, ext: str) -> str:
    hint = " Open it in Excel and save it as .xlsx or CSV." if ext in (".xls", ".ods", ".numbers") else ""
    return (f"“{name}” is not a file type this app can read.{hint} Use a CSV, TSV or TXT text file, "
            "an Excel workbook (.xlsx) or a Parquet file.")


def _parse_message(name: str, ext: str, exc: Exception) -> str:
    if ext in EXCEL_EXTENSIONS + PARQUET_EXTENSIONS:
        kind = "an Excel workbook" if ext in EXCEL_EXTENSIONS else "a Parquet file"
        return f"“{name}” could not be opened as {kind}: it may be damaged or incomplete."
    why = ("a quote mark (\") opens a value that is never closed" if "EOF inside string" in str(exc)
           else "its rows do not line up with its header")
    return f"“{name}” could not be read as a table: {why}. Check that it is a plain CSV export with one header row."


# --- text --------------------------------------------------------------------------------------
def _read_big_utf8(raw: bytes, ext: str) -> pd.DataFrame | None:
    """Big UTF-8 files go straight from bytes to pyarrow's parallel reader, without decoding the
    whole file in Python first (which doubles memory and time); None means take the full path."""
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[3:] if bom else raw
    head = body[:_SAMPLE_CHARS].decode("utf-8", errors="replace")
    if "\ufffd" in head[:-4] or _SEP_LINE.match(head) or len(_CONTROL.findall(head)) > max(2, len(head) // 200):
        return None
    delimiter = "\t" if ext == ".tsv" else _detect_delimiter(head, truncated=True)
    df = _read_text_fast(head, body, delimiter)
    if df is None:
        return None
    df = _tidy(df)
    df.attrs.update(encoding="utf-8-sig" if bom else "utf-8", delimiter=delimiter)
    if decimal := _decimal_hint(df):
        df.attrs["decimal"] = decimal
    return df


def _read_text(raw: bytes, name: str, ext: str) -> pd.DataFrame:
    if len(raw) > FAST_PATH_BYTES and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        df = _read_big_utf8(raw, ext)
        if df is not None:
            return df
    text, encoding = _decode(raw, name)
    if not text.strip():
        raise ReadError(name, ReadError.EMPTY_FILE, f"“{name}” is empty: it has no header row and no data.")
    sample = text[:_SAMPLE_CHARS]
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        raise ReadError(name, ReadError.CANNOT_DECODE, f"“{name}” does not look like a text file: it holds "
                        "binary data. Export the table again as CSV.")
    hint = _SEP_LINE.match(sample)              # Excel's "sep=;" first line: obey it, skip it
    if hint:
        text, sample = text[hint.end():], sample[hint.end():]
    delimiter = ("\t" if ext == ".tsv" else hint.group(1) if hint
                 else _detect_delimiter(sample, truncated=len(text) > len(sample)))
    df = None
    if len(raw) > FAST_PATH_BYTES:
        utf8 = raw[len(codecs.BOM_UTF8) * (encoding == "utf-8-sig"):] if encoding.startswith("utf-8") \
            and not hint else text.encode("utf-8")
        df = _read_text_fast(text, utf8, delimiter)
    if df is None:
        df = _read_text_pandas(text, delimiter, name)
    df = _tidy(df)
    df.attrs["encoding"] = encoding
    df.attrs["delimiter"] = delimiter
    if decimal := _decimal_hint(df):
        df.attrs["decimal"] = decimal
    return df


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text and its encoding: BOMs, then UTF-8, then cp1252, then charset-normalizer."""
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raw = raw[3:]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    head = raw[:4096]
    if head.count(0) > len(head) // 4:        # UTF-16 without a BOM: every other byte is zero
        enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    western = None
    with contextlib.suppress(UnicodeDecodeError):
        western = raw.decode("cp1252")
    if western is not None and _looks_western(western):
        return western, "cp1252"
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(raw).best()
        if best is not None and best.encoding:
            return raw.decode(best.encoding), best.encoding
    except (LookupError, UnicodeDecodeError, ValueError):
        pass
    if western is not None:
        return western, "cp1252"
    raise ReadError(name, ReadError.CANNOT_DECODE, f"“{name}” uses a character encoding this app cannot "
                    "read. Save it again as “CSV UTF-8” and upload that file.")


def _looks_western(text: str) -> bool:
    """cp1252 decoding fits when accented letters are a small share of the letters."""
    sample = text[:200_000]
    letters = sum(ch.isalpha() for ch in sample)
    accented = sum(ch.isalpha() and ord(ch) > 127 for ch in sample)
    return accented <= max(3, letters * 0.25)


def _detect_delimiter(sample: str, truncated: bool) -> str:
    """csv.Sniffer's pick when the field counts agree with the header, else the most consistent."""
    scores = {}
    for d in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=d) if r]
        except csv.Error:
            continue
        rows = rows[:-1] if truncated and len(rows) > 1 else rows     # the last record may be cut short
        rows = rows[:500]
        if not rows or len(rows[0]) < 2:
            continue
        n = len(rows[0])
        consistent = sum(len(r) == n or (len(r) < n and len(r) > 1) for r in rows) / len(rows)
        exact = sum(len(r) == n for r in rows) / len(rows)
        scores[d] = (consistent >= 0.9, round(exact, 2), n)
    if not scores:
        return ","
    try:
        sniffed = csv.Sniffer().sniff(sample[:16384], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    best = max(scores, key=lambda d: (scores[d], -DELIMITERS.index(d)))
    if sniffed in scores and scores[sniffed][0] and scores[sniffed][:2] == scores[best][:2]:
        return sniffed
    return best


def _read_text_pandas(text: str, delimiter: str, name: str) -> pd.DataFrame:
    kw = dict(sep=delimiter, header=None, dtype=str, keep_default_na=False, na_values=[""],
              skip_blank_lines=False, index_col=False, engine="c", quoting=csv.QUOTE_MINIMAL)
    try:
        body = pd.read_csv(io.StringIO(text), **kw)
        width = body.shape[1]
    except pd.errors.ParserError as exc:
        if not _TOO_MANY_FIELDS.search(str(exc)):
            raise
        width = max(len(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        body = pd.read_csv(io.StringIO(text), names=list(range(width)), **kw)
    header = body.iloc[0].tolist()
    body = body.iloc[1:].reset_index(drop=True)
    n_header = len(next(csv.reader(io.StringIO(text[:_SAMPLE_CHARS], newline=""), delimiter=delimiter), []))
    if all(pd.isna(h) for h in header[:n_header]):
        raise ReadError(name, ReadError.CANNOT_PARSE, f"“{name}”: the first row is empty, but it should "
                        "hold the column names.")
    extra = body.iloc[:, n_header:]
    if n_header < width and extra.notna().any(axis=None):
        bad = int(extra.notna().any(axis=1).to_numpy().argmax())
        raise ReadError(name, ReadError.CANNOT_PARSE, (
            f"“{name}”: row {bad + 2} has more values than the header has columns ({n_header}). A value "
            f"probably contains a {_DELIMITER_NAMES[delimiter]} without quotes around it."))
    body = body.iloc[:, :max(n_header, 1)]
    body.columns = header[:body.shape[1]]
    return body


def _read_text_fast(text: str, utf8: bytes, delimiter: str) -> pd.DataFrame | None:
    """pyarrow's multithreaded reader for big, clean files; None means use the pandas path."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        first = next(csv.reader(io.StringIO(text[:_SAMPLE_CHARS], newline=""), delimiter=delimiter))
        names = _clean_header(first)
        if not names or any(_UNNAMED.match(n) for n in names) or utf8.count(b'"') % 2:
            return None       # odd quotes: pyarrow would swallow the rest of the file silently
        data = utf8 if utf8.endswith(b"\n") and not utf8.endswith((b"\n\n", b"\n\r\n")) \
            else utf8.rstrip(b"\r\n") + b"\n"      # trailing blank lines would be ragged rows
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=16 * 2**20),
            # a line break can only sit inside a quoted value: files without quotes parse in parallel
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=b'"' in data,
                                              ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                quoted_strings_can_be_null=True, null_values=[""]))
        return table.to_pandas()
    except Exception:  # ragged rows, odd quoting...: the pandas path reports them properly
        return None


def _decimal_hint(df: pd.DataFrame) -> str | None:
    comma = dot = 0
    for col in df.columns:
        s = df[col].head(5000).dropna()
        if s.empty or not pd.api.types.is_string_dtype(s):
            continue
        s = s.astype(str).str.strip().str.replace(r"^[€$£¥]\s?|\s?[€$£¥%]$", "", regex=True)
        comma += int(s.str.fullmatch(_COMMA_DECIMAL).sum())
        dot += int(s.str.fullmatch(_DOT_DECIMAL).sum())
    if comma > 9 * dot:
        return ","
    if dot > 9 * comma:
        return "."
    return None


# --- excel and parquet -------------------------------------------------------------------------
def _read_excel(raw: bytes, name: str, sheet: str | int | None) -> pd.DataFrame:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    try:
        sheets = list(wb.sheetnames)
        if sheet is None:
            candidates = sheets
        elif isinstance(sheet, int) and 0 <= sheet < len(sheets):
            candidates = [sheets[sheet]]
        else:
            found = [s for s in sheets if s == sheet] or [s for s in sheets if s.lower() == str(sheet).lower()]
            if not found:
                raise ReadError(name, ReadError.CANNOT_PARSE, f"“{name}” has no sheet {sheet!r}; its sheets "
                                f"are: {', '.join(sheets)}.")
            candidates = found
        rows: list = []
        for title in candidates:
            rows = [list(r) for r in wb[title].iter_rows(values_only=True)]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            if rows:
                break
    finally:
        wb.close()
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    cols = {i: _native([r[i] for r in rows[1:]]) for i in range(width)}
    df = _tidy(pd.DataFrame(cols, index=pd.RangeIndex(len(rows) - 1)).set_axis(rows[0], axis=1))
    df.attrs["sheet"] = title
    return df


def _native(values: list) -> pd.Series:
    s = pd.Series(values, dtype=object)
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return s.astype("Int64") if len(present) < len(values) else s.astype("int64")
    return s.infer_objects()


def _read_parquet(raw: bytes) -> pd.DataFrame:
    df = pd.read_parquet(io.BytesIO(raw))
    if not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index(drop=all(n is None for n in df.index.names))
    df.attrs.clear()
    return _tidy(df)


# --- shared ------------------------------------------------------------------------------------
def _clean_header(values) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i, v in enumerate(values):
        text = "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
        text = text.strip().lstrip("\ufeff").strip() or f"Unnamed: {i}"
        base, k = text, 0
        while text in seen:
            k += 1
            text = f"{base}.{k}"
        seen.add(text)
        names.append(text)
    return names


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Clean headers, drop empty unnamed columns and trailing empty rows, keep a RangeIndex."""
    df.columns = _clean_header(df.columns)
    empty_cols = [c for c in df.columns if _UNNAMED.match(c) and df[c].isna().all()]
    if empty_cols:
        df = df.drop(columns=empty_cols)
    if len(df) and df.shape[1]:
        filled = df.notna().any(axis=1).to_numpy()
        last = len(filled) - int(filled[::-1].argmax()) if filled.any() else 0
        df = df.iloc[:last]
    return df.reset_index(drop=True)
