"""Validate a frame against a feed declaration, collecting every failure.

`validate` returns the typed frame (canonical columns in declared order, defaults filled) and
the warnings, or raises FeedError whose `.failures` lists every problem found:
column, row (spreadsheet row: header = 1, first data row = 2), value, reason.
"""
from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from lib.schema import EMAIL_PATTERN, FAILURE_COLUMNS, FEEDS, Column, Feed, FeedError, Reason, normalize_event
from lib.warehouse import coerce

__all__ = ["Validated", "validate", "coerced", "canonical_headers", "duplicated_rows", "empty_failures", "ReadPlan",
           "read_plan", "validate_part", "ROW_OFFSET"]

ROW_OFFSET = 2   # frame position 0 is spreadsheet row 2


@dataclass(frozen=True)
class Validated:
    feed: str
    frame: pd.DataFrame
    warnings: pd.DataFrame


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower().lstrip("\ufeff")).strip("_")


def canonical_headers(feed: Feed, columns) -> dict[str, str]:
    """Source header -> canonical name for headers equal to a feed column up to case/spacing."""
    wanted = {_key(n): n for n in feed.names}
    out: dict[str, str] = {}
    for col in columns:
        name = wanted.get(_key(col))
        if name and name not in out.values():
            out[col] = name
    return out


class _Collector:
    def __init__(self):
        self.parts: list[pd.DataFrame] = []

    def add(self, column: str, mask: pd.Series, values: pd.Series | None, reason: str):
        if not mask.any():
            return
        idx = mask[mask].index
        pos = mask.index.get_indexer(idx) if not isinstance(mask.index, pd.RangeIndex) else idx
        vals = values.loc[idx].astype("string") if values is not None else pd.Series(pd.NA, index=idx)
        vals = vals.mask(vals.str.strip().eq("")) if values is not None else vals
        self.parts.append(pd.DataFrame({
            "column": column, "row": pd.array(pd.Index(pos) + ROW_OFFSET, dtype="Int64"),
            "value": vals.to_numpy(dtype=object), "reason": reason}))

    def add_column(self, column: str, reason: str):
        self.parts.append(pd.DataFrame({"column": [column], "row": pd.array([pd.NA], dtype="Int64"),
                                        "value": [None], "reason": [reason]}))

    def frame(self, order: list[str] | None = None) -> pd.DataFrame:
        """All failures, by row (column-level ones first), then in the feed's column order."""
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in FAILURE_COLUMNS}).astype({"row": "Int64"})
        out = pd.concat(self.parts, ignore_index=True)
        pos = {name: i for i, name in enumerate(order or [])}
        out["_pos"] = out["column"].map(lambda c: pos.get(c, -1))
        out = out.sort_values(["row", "_pos"], kind="stable", na_position="first")
        return out.drop(columns="_pos").reset_index(drop=True)


def empty_failures() -> pd.DataFrame:
    """A failures table with no rows (column, row, value, reason)."""
    return _Collector().frame()


@dataclass(frozen=True)
class ReadPlan:
    """The decisions validation takes from a column's first values rather than from each value: the
    decimal mark of each number column and how each date column is read (coerce.DatePlan). Taken from
    the whole frame, or from a file's first rows when it is validated in chunks (lib.warehouse.chunked):
    the same plan gives the same typed values and failures either way."""

    decimals: dict
    dates: dict


def read_plan(feed: str, df: pd.DataFrame, dayfirst: bool = False) -> ReadPlan:
    """The plan for `df` (canonical or near-canonical headers): needs each column's first 2,000 non-blank
    values, so the first rows of a file are enough once every column has that many (or the file ends)."""
    spec = FEEDS[feed]
    df = df.rename(columns=canonical_headers(spec, df.columns))
    decimals, dates = {}, {}
    for col in spec.columns:
        if col.name not in df.columns:
            continue
        raw = df[col.name]
        text = not pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw)
        if col.kind in ("float", "int") and text:
            decimals[col.name] = coerce.guess_decimal(raw.astype("string").str.strip()[~coerce.empty_mask(raw)])
        elif col.kind in ("datetime", "date") and text and not pd.api.types.is_datetime64_any_dtype(raw):
            dates[col.name] = coerce.date_plan(raw, dayfirst)
    return ReadPlan(decimals, dates)


def _coerce(col: Column, raw: pd.Series, tz: str, dayfirst: bool, decimal: str | None,
            errs: _Collector, plan: ReadPlan | None = None) -> tuple[pd.Series, pd.Series]:
    """Typed values and the mask of values already reported as unreadable."""
    bad = pd.Series(False, index=raw.index)
    if col.kind == "string":
        vals = coerce.to_text(raw, lower=col.lower)
    elif col.kind in ("float", "int"):
        vals, bad = coerce.to_number(raw, decimal or (plan.decimals.get(col.name) if plan else None))
        errs.add(col.name, bad, raw, Reason.NOT_NUMERIC)
        if col.kind == "int":
            nonint = coerce.nonint_mask(vals)
            errs.add(col.name, nonint, raw, Reason.NOT_INTEGER)
            vals = vals.where(~nonint)
            bad = bad | nonint
        if col.min_value is not None:
            low = (vals < col.min_value).fillna(False).astype(bool)
            errs.add(col.name, low, raw, Reason.NEGATIVE if col.min_value == 0 else Reason.OUT_OF_RANGE)
        if col.max_value is not None:
            errs.add(col.name, (vals > col.max_value).fillna(False).astype(bool), raw, Reason.OUT_OF_RANGE)
        if col.kind == "int":
            vals = vals.round().astype("Int64")
    elif col.kind in ("datetime", "date"):
        vals, bad = coerce.to_datetime(raw, tz=tz, dayfirst=dayfirst,
                                       plan=plan.dates.get(col.name) if plan else None)
        errs.add(col.name, bad, raw, Reason.UNPARSEABLE_DATE)
        if col.kind == "date":
            vals = vals.dt.normalize().astype("datetime64[us]")
    elif col.kind == "bool":
        vals, bad = coerce.to_bool(raw)
        errs.add(col.name, bad, raw, Reason.NOT_ALLOWED)
    else:  # pragma: no cover - declarations are code
        raise ValueError(f"unknown column kind {col.kind}")
    if col.allowed is not None:
        not_allowed = (vals.notna() & ~vals.isin(col.allowed)).astype(bool)
        errs.add(col.name, not_allowed, raw, Reason.NOT_ALLOWED)
    return vals, bad


def _fill_default(col: Column, vals: pd.Series) -> pd.Series:
    if col.default is None:
        return vals
    return vals.fillna(col.default)


def _missing(n: int, col: Column) -> pd.Series:
    dtype = {"string": "string", "float": "float64", "int": "Int64", "bool": "boolean",
             "datetime": "datetime64[us]", "date": "datetime64[us]"}[col.kind]
    return pd.Series(pd.array([col.default] * n if col.default is not None else [None] * n, dtype=dtype))


def validate(feed: str, df: pd.DataFrame, *, as_of: date | datetime | None = None, tz: str = "UTC",
             dayfirst: bool = False, known_skus=None) -> Validated:
    """Typed, validated copy of `df` for `feed`; raises FeedError listing every failure.

    Args:
        feed: one of orders, events, inventory, products, promotions, customers.
        df: canonical column names (case and spacing tolerated); raw or typed values.
        as_of: dates after this day are errors for orders, events and inventory.
        tz: store timezone; values with an offset (and epoch numbers) are converted to it.
        dayfirst: how to read ambiguous dates such as 03/04/2025 when the column doesn't tell.
        known_skus: product SKUs; order SKUs outside them are warnings (unknown_sku).
    """
    if feed not in FEEDS:
        raise ValueError(f"unknown feed {feed!r}; expected one of {', '.join(FEEDS)}")
    spec = FEEDS[feed]
    source_rows = df.attrs.get("source_rows")
    frame, errs, renamed = validate_part(feed, df, as_of=as_of, tz=tz, dayfirst=dayfirst, header=True)
    if not len(frame):
        errs.add_column("*", Reason.EMPTY_FEED)
    failures = _at_source_rows(errs.frame(spec.names), source_rows)
    if len(failures):
        raise FeedError(feed, failures)
    warnings = _at_source_rows(_warnings(spec, frame, renamed, known_skus), source_rows)
    return Validated(feed, frame, warnings)


def validate_part(feed: str, df: pd.DataFrame, *, as_of=None, tz: str = "UTC", dayfirst: bool = False,
                  plan: ReadPlan | None = None, header: bool = True, across_rows: bool = True
                  ) -> tuple[pd.DataFrame, _Collector, pd.DataFrame]:
    """The typed frame, the failures collected (rows numbered from the frame's first row) and the
    renamed raw frame. `header`: report missing columns; `across_rows`: check the rules that compare
    rows (duplicate keys and rows: lib.warehouse.chunked checks those over a whole file in SQL);
    `plan`: the file's ReadPlan (None: the frame's own)."""
    spec = FEEDS[feed]
    decimal = df.attrs.get("decimal")
    df = df.rename(columns=canonical_headers(spec, df.columns)).reset_index(drop=True)
    errs = _Collector()
    n = len(df)
    out: dict[str, pd.Series] = {}
    present = [c for c in spec.columns if c.name in df.columns]
    for col in spec.columns:
        if col.name not in df.columns:
            if col.required and header:
                errs.add_column(col.name, Reason.MISSING_COLUMN)
            out[col.name] = _missing(n, col)

    def one(col: Column) -> tuple[pd.Series, _Collector]:
        own = _Collector()
        raw = df[col.name]
        vals, bad = _coerce(col, raw, tz, dayfirst, decimal, own, plan)
        if col.required:
            own.add(col.name, (vals.isna() & ~bad).astype(bool), raw, Reason.MISSING_VALUE)
        return _fill_default(col, vals), own

    # columns are independent and the heavy lifting is Arrow compute, which releases the GIL
    if n > 100_000:
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            results = list(pool.map(one, present))
    else:
        results = [one(col) for col in present]
    for col, (vals, own) in zip(present, results, strict=True):
        out[col.name] = vals
        errs.parts.extend(own.parts)
    frame = pd.DataFrame({c: out[c] for c in spec.names})
    _feed_rules(spec, frame, df, errs, as_of, across_rows)
    return frame, errs, df


def _at_source_rows(found: pd.DataFrame, source_rows) -> pd.DataFrame:
    """Failures renumbered to the file's rows when the frame's rows are not the file's one to one
    (attrs["source_rows"]: a Shopify return line is its sale line's row); a problem both rows share
    is listed once."""
    if source_rows is None or found.empty:
        return found
    rows = pd.array(pd.Series(source_rows).to_numpy(), dtype="Int64")
    at = found["row"].notna()
    found = found.copy()
    found.loc[at, "row"] = rows[(found.loc[at, "row"] - ROW_OFFSET).to_numpy(dtype=int)]
    return found.astype({"value": "object"}).drop_duplicates(ignore_index=True)


def coerced(feed: str, df: pd.DataFrame, *, tz: str = "UTC", dayfirst: bool = False) -> pd.DataFrame:
    """The frame as a load would type it, without judging it: every feed column in order, values read
    as validate() reads them (dates in the store timezone, numbers, lower-cased statuses and channels,
    event names mapped), defaults filled, and missing where a value cannot be read. For previews."""
    spec = FEEDS[feed]
    decimal = df.attrs.get("decimal")
    df = df.rename(columns=canonical_headers(spec, df.columns)).reset_index(drop=True)
    out = {}
    for col in spec.columns:
        if col.name not in df.columns:
            out[col.name] = _missing(len(df), col)
            continue
        vals, bad = _coerce(col, df[col.name], tz, dayfirst, decimal, _Collector())
        out[col.name] = _fill_default(col, vals).where(~bad)
    frame = pd.DataFrame(out)
    if feed == "events" and "event" in df.columns:
        frame["event"] = frame["event"].map(normalize_event, na_action="ignore").astype("string")
    return frame


def _feed_rules(spec: Feed, frame: pd.DataFrame, raw: pd.DataFrame, errs: _Collector, as_of,
                across_rows: bool = True) -> None:
    cols = raw.columns
    if spec.name == "events" and "event" in cols:
        names = frame["event"]
        uniq = pd.Series(names.dropna().unique())
        mapping = {u: normalize_event(u) for u in uniq}
        mapped = names.map(mapping)
        errs.add("event", (names.notna() & mapped.isna()).astype(bool), raw["event"], Reason.UNKNOWN_EVENT)
        frame["event"] = mapped.astype("string")
    if as_of is not None:
        limit = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
        for col in spec.columns:
            if col.no_future and col.name in cols:
                errs.add(col.name, (frame[col.name] >= limit).fillna(False).astype(bool), raw[col.name],
                         Reason.FUTURE_DATE)
    if spec.name == "promotions":
        if {"start_date", "end_date"} <= set(cols):
            errs.add("end_date", (frame["end_date"] < frame["start_date"]).fillna(False).astype(bool),
                     raw["end_date"], Reason.END_BEFORE_START)
        neither = frame["sku"].isna() & frame["category"].isna()
        errs.add("sku", neither.astype(bool), None, Reason.NEEDS_SKU_OR_CATEGORY)
    if not across_rows:
        return
    if spec.key and len(frame) and all(k in cols or FEEDS[spec.name].column(k).default is not None
                                       for k in spec.key):
        key = list(spec.key)
        dup = duplicated_rows(frame, key) & frame[key].notna().all(axis=1)
        shown = frame[key[0]].astype("string")
        for extra in key[1:]:
            shown = shown + " / " + frame[extra].astype("string").fillna("")
        errs.add(key[0], dup.astype(bool), shown, Reason.DUPLICATE_KEY)
    present = [c for c in spec.names if c in cols]
    if spec.no_exact_duplicates and len(frame) and present:
        errs.add(present[0], duplicated_rows(frame, present), frame[present[0]], Reason.DUPLICATE_ROW)


def duplicated_rows(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Like DataFrame.duplicated(keep='first') on `columns`, fast on millions of rows.

    A row fingerprint computed by DuckDB (in memory) finds candidate rows; pandas then
    confirms them exactly, so a hash collision can never report a false duplicate.
    """
    sub = frame[columns]
    if len(sub) < 200_000:
        return sub.duplicated(keep="first").astype(bool)
    con = duckdb.connect()
    try:
        con.register("_v", sub)
        cols = ", ".join(f'"{c}"' for c in columns)
        fp = con.execute(f"SELECT hash({cols}) AS h FROM _v").fetchnumpy()["h"]
    finally:
        con.close()
    cand = pd.Series(fp, index=sub.index).duplicated(keep=False).to_numpy()
    out = pd.Series(False, index=sub.index)
    if cand.any():
        out[cand] = sub[cand].duplicated(keep="first").to_numpy()
    return out


def _warnings(spec: Feed, frame: pd.DataFrame, raw: pd.DataFrame, known_skus) -> pd.DataFrame:
    w = _Collector()
    if known_skus is not None and spec.name in ("orders", "inventory") and len(frame):
        known = pd.Index(pd.Series(list(known_skus), dtype="string").dropna().unique())
        uniq = pd.Index(frame["sku"].dropna().unique())
        missing = uniq.difference(known)
        if len(missing):
            w.add("sku", frame["sku"].isin(missing).fillna(False).astype(bool), frame["sku"], Reason.UNKNOWN_SKU)
    if spec.name == "customers" and "email" in raw.columns and len(frame):
        email = frame["email"]
        bad = email.notna() & ~email.str.match(EMAIL_PATTERN).fillna(False).astype(bool)
        w.add("email", bad.astype(bool), raw["email"], Reason.INVALID_EMAIL)
    return w.frame()
