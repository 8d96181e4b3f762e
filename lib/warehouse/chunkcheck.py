"""The checks of a file validated in chunks (lib.warehouse.chunked): failures and warnings in file order,
listed up to a cap with exact counts per rule, and the rules across rows run in SQL over a staging table.

    check = ChunkedCheck("orders", plan, as_of=..., tz="UTC")
    check.start(columns); typed = check.add(raw_part, rows); ...; err = check.error(source)
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from lib.schema import FEEDS, FeedError, Reason
from lib.warehouse.fastload import quote_ident as _q
from lib.warehouse.validation import ROW_OFFSET, ReadPlan, empty_failures, validate_part

__all__ = ["ChunkedCheck", "FAILURE_CAP", "FEEDS_CHUNKED"]

# A person reads and fixes failures from the first ones; 10,000 rows is more than anyone scrolls and a
# few MB at most, whatever the file. The counts per rule stay exact beyond it.
FAILURE_CAP = 10_000
# feeds whose rows are typed one by one (events get per-session keys over the whole file, customers'
# email warnings follow Python's regular expressions: both are validated whole)
FEEDS_CHUNKED = ("orders", "inventory", "products", "promotions")
_ROW = "_row"


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
    """Validates a file's rows in order (`start`, then `add` per part); `finish` adds the rules across rows
    from the staging table."""

    def __init__(self, feed: str, plan: ReadPlan, *, as_of: date | datetime | None = None, tz: str = "UTC",
                 dayfirst: bool = False, cap: int = FAILURE_CAP):
        if feed not in FEEDS_CHUNKED:
            raise ValueError(f"the {feed} feed is not validated in chunks")
        self.feed, self.plan, self.as_of, self.tz, self.dayfirst, self.cap = feed, plan, as_of, tz, dayfirst, cap
        self.spec = FEEDS[feed]
        self.columns: list[str] = []
        self.failures = _Capped(cap)
        self.warnings = _Capped(cap)
        self._across: list[pd.DataFrame] = []

    def start(self, columns: list[str]) -> None:
        """The file's canonical columns: a required one missing is a failure of the whole column."""
        self.columns = list(columns)
        missing = [c.name for c in self.spec.columns if c.required and c.name not in self.columns]
        if missing:
            self.failures.add(pd.DataFrame({"column": missing, "row": pd.array([pd.NA] * len(missing), dtype="Int64"),
                                            "value": [None] * len(missing), "reason": Reason.MISSING_COLUMN}))

    def add(self, part: pd.DataFrame, rows) -> pd.DataFrame:
        """Validate `part` (raw text, canonical headers), whose spreadsheet rows are `rows` (ascending):
        the part typed, feed columns in order plus `_row`."""
        frame, errs, _raw = validate_part(self.feed, part, as_of=self.as_of, tz=self.tz, dayfirst=self.dayfirst,
                                          plan=self.plan, header=False, across_rows=False)
        found = errs.frame(self.spec.names)
        if len(found):
            found["row"] = pd.array(rows[(found["row"] - ROW_OFFSET).to_numpy(dtype=int)], dtype="Int64")
        self.failures.add(found)
        frame[_ROW] = pd.array(rows, dtype="int64")
        return frame

    def empty(self) -> None:
        """The file has no data rows."""
        self._across.append(pd.DataFrame({"column": ["*"], "row": pd.array([pd.NA], dtype="Int64"),
                                          "value": [None], "reason": [Reason.EMPTY_FEED]}))

    has_products = False

    def warn(self, con, typed) -> None:
        """Warnings for the rows of one typed chunk (an Arrow table with `_row`): SKUs not in the product
        feed (table `products` of `con`)."""
        if self.feed in ("orders", "inventory") and "sku" in self.columns and self.has_products:
            con.register("_w", typed.select([_ROW, "sku"]))
            got = con.execute(f"SELECT {_ROW}, sku FROM _w WHERE sku IS NOT NULL AND sku NOT IN "
                              f"(SELECT sku FROM products) ORDER BY {_ROW}").fetchdf()
            con.unregister("_w")
            got.attrs["count"] = len(got)
            self.warnings.add(_failures("sku", got, got["sku"], Reason.UNKNOWN_SKU))

    def repeats(self, con, stage: str) -> None:
        """Duplicate keys and rows over the whole staging table (with `_row`), exactly."""
        spec, cols = self.spec, self.columns
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
        return self._select(con, f"SELECT {_ROW}, {part} FROM (SELECT {_ROW}, {part}, row_number() OVER "
                                  f"(PARTITION BY {part} ORDER BY {_ROW}) AS _n FROM {_q(stage)} WHERE {where}) "
                                  "WHERE _n > 1")

    def _select(self, con, sql: str) -> pd.DataFrame:
        """The first `cap` rows of `sql` by row, and (attrs["count"]) how many there are."""
        n = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
        got = con.execute(f"{sql} ORDER BY {_ROW} LIMIT {int(self.cap) if n else 0}").fetchdf()
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
        out.attrs["counts"] = dict(self.warnings.counts)     # exact, also beyond the listed rows
        return out




def _failures(column: str, got: pd.DataFrame, values: pd.Series, reason: str) -> pd.DataFrame:
    vals = values.astype("string")
    vals = vals.mask(vals.str.strip().eq(""))
    out = pd.DataFrame({"column": column, "row": pd.array(got[_ROW].to_numpy(), dtype="Int64"),
                        "value": vals.to_numpy(dtype=object), "reason": reason})
    out.attrs["count"] = got.attrs["count"]
    return out
