"""Fast path for big, clean text loads into DuckDB: checks and casts run as one SQL pass.

Validation's reference is lib.warehouse.validation (pandas). For a large frame of raw text columns this
module compiles the same feed declaration into DuckDB expressions and accepts the frame only
when every value is in a strict, unambiguous form that the pandas rules would read the same way
(plain numbers, one date format without a timezone, no surrounding whitespace, no duplicates,
no future dates). Anything else returns None and the caller takes the pandas path, which
produces the exact failure table. So this path can only ever accept what validation accepts,
with identical typed values and checksum (a test holds the two paths equal).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from lib.schema import FEEDS, Column, Reason, normalize_event
from lib.warehouse import coerce

__all__ = ["quote_ident", "quote_literal", "table_stats", "repeat_hash", "FastPlan", "Stats", "eligible", "plan", "verify", "unknown_skus", "read_csv_sql", "REJECT", "FAST_MIN_ROWS"]

FAST_MIN_ROWS = 100_000
_TRIM = " \t\n\r\x0b\x0c\u00a0"
_INT = r"-?[0-9]{1,18}"
_FLOAT = r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_SQLTYPE = {"string": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "datetime": "TIMESTAMP",
            "date": "TIMESTAMP", "bool": "BOOLEAN"}


REJECT = "shopcast-fast-path-rejected"


@dataclass(frozen=True)
class FastPlan:
    insert_sql: str     # SELECT of the table's columns that raises REJECT on the first doubtful row
    spec_exprs: dict    # feed column -> typed expression (for warnings)


@dataclass(frozen=True)
class Stats:
    rows: int
    checksum_total: str
    lo: object
    hi: object


def quote_ident(name: str) -> str:
    """A column or table name quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value) -> str:
    """A text or number quoted as an SQL literal."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


_q, _lit = quote_ident, quote_literal


def _column(col: Column, src: str, df: pd.DataFrame, dayfirst: bool, as_of) -> tuple[str, list[str]] | None:
    """(typed expression, checks that must all be false) for one present column; None: not eligible."""
    raw = _q(src)
    text = f"NULLIF({raw}, '')"
    # text with whitespace at either end goes to pandas (which strips it); numbers and dates
    # need no such check: the number patterns allow no whitespace, and strptime reads the same
    # value with or without surrounding spaces (an NBSP makes it fail, so it is rejected)
    codes = ", ".join(str(ord(ch)) for ch in _TRIM)
    checks = []
    if col.kind == "string":
        checks.append(f"(ord({raw}) IN ({codes}) OR ord(right({raw}, 1)) IN ({codes}))")
        expr = f"lower({text})" if col.lower else text
    elif col.kind in ("int", "float"):
        checks.append(f"({text} IS NOT NULL AND NOT regexp_full_match({raw}, {_lit(_INT if col.kind == 'int' else _FLOAT)}))")
        expr = f"TRY_CAST({text} AS {_SQLTYPE[col.kind]})"
        if col.min_value is not None:
            checks.append(f"{expr} < {col.min_value}")
        if col.max_value is not None:
            checks.append(f"{expr} > {col.max_value}")
    elif col.kind in ("datetime", "date"):
        sample = df[src].dropna().head(2000)
        sample = sample[sample.str.len() > 0]
        fmt = coerce.single_format(sample, dayfirst)
        if fmt is None:
            return None
        expr = f"try_strptime({text}, {_lit(fmt)})"
        checks.append(f"({text} IS NOT NULL AND {expr} IS NULL)")
        if col.kind == "date":
            expr = f"date_trunc('day', {expr})"
        if col.no_future and as_of is not None:
            limit = (pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
            checks.append(f"{expr} >= TIMESTAMP {_lit(limit)}")
    else:
        return None
    expr = f"CAST({expr} AS {_SQLTYPE[col.kind]})"
    if col.required:
        checks.append(f"{expr} IS NULL")
    elif col.default is not None:
        expr = f"coalesce({expr}, CAST({_lit(col.default)} AS {_SQLTYPE[col.kind]}))"
    return expr, checks


def eligible(feed: str, frame: pd.DataFrame) -> bool:
    """Worth trying: a big history feed whose columns are all raw text (not decimal commas)."""
    return (feed in ("orders", "events", "inventory") and frame.attrs.get("decimal") != ","
            and all(pd.api.types.is_string_dtype(frame[c]) for c in frame.columns if c in FEEDS[feed].names))


def plan(con, source_sql: str, feed: str, sample: pd.DataFrame, *, as_of: date | None, dayfirst: bool,
         table_columns: list[str]) -> FastPlan | None:
    """Compile the feed's checks and casts for a text source (a registered frame or a read_csv
    call) into one INSERT ... SELECT; None when the data is not of the strict, plain kind.

    `sample` holds the first rows as text: it picks each date column's single format.
    """
    spec = FEEDS[feed]
    if not eligible(feed, sample):
        return None
    exprs: dict[str, str] = {}
    checks: list[str] = []
    for col in spec.columns:
        if col.name in sample.columns:
            got = _column(col, col.name, sample, dayfirst, as_of)
            if got is None:
                return None
            exprs[col.name], more = got
            checks += more
        elif col.required:
            return None
        else:
            default = "NULL" if col.default is None else _lit(col.default)
            exprs[col.name] = f"CAST({default} AS {_SQLTYPE[col.kind]})"
    if feed == "events":
        names = con.execute(f"SELECT DISTINCT {exprs['event']} FROM {source_sql} LIMIT 501").fetchall()
        if len(names) > 500:
            return None
        mapping = {n[0]: normalize_event(n[0]) for n in names if n[0] is not None}
        if any(v is None for v in mapping.values()):
            return None
        cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in mapping.items())
        exprs["event"] = f"(CASE {exprs['event']} {cases} END)"
    bad = " OR ".join(f"coalesce({c}, false)" for c in checks) or "false"
    keys = {"session_key": f"dense_rank() OVER (ORDER BY {exprs.get('session_id')}) - 1",
            "user_key": "dense_rank() OVER (ORDER BY _ident) - 1"}
    cols = [keys[c] if c in keys else exprs[c] for c in table_columns]
    checked = (f"(SELECT *, CASE WHEN {bad} THEN error({_lit(REJECT)}) END AS _chk "
               f"FROM {source_sql}) WHERE _chk IS NULL")
    if feed == "events":
        # a person is their user_id, else customer_id, stitched across the session; an
        # anonymous session is a person of its own (lib.warehouse.identity describes the same rule)
        ident = f"coalesce({exprs['user_id']}, {exprs['customer_id']})"
        sid = exprs["session_id"]
        checked = (f"(SELECT *, coalesce(max({ident}) OVER (PARTITION BY {sid}), '~s:' || {sid}) AS _ident "
                   f"FROM {checked})")
    sql = f"SELECT {', '.join(cols)} FROM {checked}"
    return FastPlan(sql, exprs)


def verify(con, table: str, feed: str) -> Stats | None:
    """After the insert: row count, checksum and date range; None when rows repeat (dups)."""
    stats, repeats = table_stats(con, table, feed)
    return None if repeats else stats


def _typed_cols(spec) -> dict[str, str]:
    """Each feed column as hashed: dates as timestamps (a DATE column and an Arrow timestamp hash alike)."""
    return {c.name: f"CAST({_q(c.name)} AS TIMESTAMP)" if c.kind == "date" else _q(c.name) for c in spec.columns}


def repeat_hash(feed: str) -> str | None:
    """SQL for the hash that two rows repeating each other share (their key, or the whole row for a feed
    without a key that refuses exact duplicates); None when the feed allows repeats."""
    spec = FEEDS[feed]
    cols = list(spec.key) if spec.key else (spec.names if spec.no_exact_duplicates else [])
    return f"hash({', '.join(_typed_cols(spec)[c] for c in cols)})" if cols else None


def table_stats(con, table: str, feed: str) -> tuple[Stats, bool]:
    """Rows, checksum total and span of a DuckDB table of the feed's columns, and whether some rows may repeat
    a key (or a whole row, for feeds without a key): two rows of equal hash."""
    spec = FEEDS[feed]
    typed = list(_typed_cols(spec).values())
    rep = repeat_hash(feed)
    dup = f"count(DISTINCT {rep})" if rep else "count(*)"
    tcol = spec.time_column
    span = f"min(CAST({_q(tcol)} AS TIMESTAMP)), max(CAST({_q(tcol)} AS TIMESTAMP))" if tcol else "NULL, NULL"
    if rep == f"hash({', '.join(typed)})":
        dup = "count(DISTINCT _h)"     # the row hash serves both the duplicate check and the checksum
    rows, distinct, total, lo, hi = con.execute(
        f"SELECT count(*), {dup}, coalesce(sum(_h::HUGEINT), 0)::VARCHAR, {span} "
        f"FROM (SELECT *, hash({', '.join(typed)}) AS _h FROM {_q(table)})").fetchall()[0]
    return Stats(int(rows), total, lo, hi), distinct != rows


def unknown_skus(con, source_sql: str, sku_expr: str | None, table: str, products: str) -> pd.DataFrame:
    """Warnings (row numbers in the source) for SKUs missing from the product feed."""
    from lib.warehouse.validation import empty_failures

    if sku_expr is None:
        return empty_failures()
    n_products, n_unknown = con.execute(
        f"SELECT (SELECT count(*) FROM {products}), (SELECT count(*) FROM {_q(table)} "
        f"WHERE sku IS NOT NULL AND sku NOT IN (SELECT sku FROM {products}))").fetchall()[0]
    if not n_products or not n_unknown:
        return empty_failures()
    return _unknown_skus(con, source_sql, sku_expr, products)


def _unknown_skus(con, stage: str, sku_expr: str, products: str) -> pd.DataFrame:
    got = con.execute(
        f"SELECT rn + 1 AS row, sku FROM (SELECT row_number() OVER () AS rn, {sku_expr} AS sku FROM {stage}) "
        f"WHERE sku IS NOT NULL AND sku NOT IN (SELECT sku FROM {products}) ORDER BY rn").fetchdf()
    return pd.DataFrame({"column": "sku", "row": pd.array(got["row"], dtype="Int64"),
                         "value": got["sku"].astype(object), "reason": Reason.UNKNOWN_SKU})


def read_csv_sql(path: str, delimiter: str) -> str:
    """DuckDB's parallel CSV reader over a file, every column as text (header row required)."""
    return (f"read_csv({_lit(str(path))}, all_varchar = true, header = true, delim = {_lit(delimiter)}, "
            f"quote = '\"', escape = '\"', strict_mode = true, null_padding = false)")
