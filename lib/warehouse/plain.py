"""Rows validation would accept as they are, typed in one DuckDB pass (lib.warehouse.chunked).

Validation (lib.warehouse.validation) reads each value on its own once a file's ReadPlan is fixed, so a
row can be judged alone. This compiles the feed's rules into SQL that types a row only when every
value is in a plain form whose reading is not in doubt (text without surrounding spaces; whole
numbers of up to 15 digits; decimals with the plan's decimal mark and no thousands separators;
dates in the plan's first format, zero-padded) and passes every check (required, ranges, allowed
values, no future dates, a promotion's dates and target); text beyond ASCII is always doubtful. Such a row gets exactly the values
validation would give it. Every other row is "doubtful" and goes through validation itself, which
names each failure; a doubtful row may still be valid. Doubt is kept per column (`_doubt` is a bit mask over
the feed's columns): a doubtful row's other values are already exactly validation's, so only its doubtful
columns need validating, unless the feed has rules across a row's columns (promotions: the whole row).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from lib.schema import FEEDS
from lib.warehouse import coerce
from lib.warehouse.fastload import quote_ident as _q
from lib.warehouse.fastload import quote_literal as _lit
from lib.warehouse.validation import ReadPlan

__all__ = ["PlainSql", "compile_plain", "doubt_columns", "SQL_TYPES", "ROW_BIT"]

SQL_TYPES = {"string": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "datetime": "TIMESTAMP",
             "date": "TIMESTAMP", "bool": "BOOLEAN"}
_INT = r"-?[0-9]{1,15}"          # beyond 15 digits a float64 (validation's route) would round it
_FLOAT = {".": r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)", ",": r"-?([0-9]+(,[0-9]*)?|,[0-9]+)"}
_LAYOUT = {"%Y": "[0-9]{4}", "%m": "[0-9]{2}", "%d": "[0-9]{2}", "%H": "[0-9]{2}", "%M": "[0-9]{2}",
           "%S": "[0-9]{2}"}
_TRUE = ("true", "t", "yes", "y", "1", "active", "enabled", "on")
_FALSE = ("false", "f", "no", "n", "0", "inactive", "disabled", "off", "archived", "draft")


@dataclass(frozen=True)
class PlainSql:
    typed: dict[str, str]    # alias -> typed expression over the raw text columns (computed once each)
    exprs: dict[str, str]    # feed column -> its value for a plain row, over the aliases
    doubtful: str            # bit mask over the feed's columns (ROW_BIT: all of them) of the values in doubt

    def select(self, names: list[str], extra: str = "") -> str:
        """SELECT of the feed columns `names` (and `extra`), then `_doubt` (0 for a plain row, else the bit mask
        of its doubtful columns: `doubt_columns`), from the registered `_chunk`."""
        inner = ", ".join(f"{expr} AS {alias}" for alias, expr in self.typed.items())
        outer = ", ".join(f"{self.exprs[c]} AS {_q(c)}" for c in names)
        return (f"SELECT {outer}{extra}, {self.doubtful} AS _doubt FROM (SELECT *{', ' if inner else ''}{inner} "
                "FROM _chunk)")


ROW_BIT = 62       # a rule across the row's columns is in doubt: validate the whole row


def doubt_columns(feed: str, mask: int) -> list[str] | None:
    """The feed's columns whose bits are set in `mask` (an OR of rows' `_doubt`); None for the whole row."""
    if mask >> ROW_BIT & 1:
        return None
    return [c.name for i, c in enumerate(FEEDS[feed].columns) if mask >> i & 1]


def _mask(doubts: dict[int, list[str]]) -> str:
    terms = [f"(CASE WHEN {' OR '.join(f'coalesce({b}, false)' for b in bad)} THEN {1 << bit} ELSE 0 END)"
             for bit, bad in doubts.items() if bad]
    return f"CAST({' + '.join(terms)} AS BIGINT)" if terms else "CAST(0 AS BIGINT)"


def _layout(fmt: str) -> str | None:
    """A regular expression for values written exactly in `fmt`, zero-padded; None for other formats."""
    if not coerce._ARROW_OK.match(fmt):
        return None
    out = ""
    for part in re.findall(r"%[A-Za-z]|.", fmt):
        out += _LAYOUT.get(part, re.escape(part)) if part.startswith("%") else re.escape(part)
    return out


def compile_plain(feed: str, columns: list[str], plan: ReadPlan, decimal: str | None,
                  as_of) -> PlainSql | None:
    """The SQL for a source with these (canonical) columns of text; None when no row can be plain (a
    date column read as epoch numbers, or a format with a timezone: validation reads every row)."""
    spec = FEEDS[feed]
    exprs: dict[str, str] = {}
    typed: dict[str, str] = {}
    doubts: dict[int, list[str]] = {}
    for bit, col in enumerate(spec.columns):
        bad = doubts.setdefault(bit, [])
        sqltype = SQL_TYPES[col.kind]
        if col.name not in columns:
            default = "NULL" if col.default is None else _lit(col.default)
            exprs[col.name] = f"CAST({default} AS {sqltype})"
            continue
        raw, t = _q(col.name), _q(f"__t_{col.name}")
        if col.kind in ("string", "bool"):
            # text that validation would strip or lower-case differently: a space or control character at
            # either end, or any character beyond ASCII (Unicode's spaces, Python's lower-casing rules);
            # the number and date patterns below admit neither
            bad.append(f"(ord({raw}) <= 32 OR ord(right({raw}, 1)) <= 32 OR strlen({raw}) <> length({raw}))")
        if col.kind == "string":
            expr = f"lower({raw})" if col.lower else raw
        elif col.kind in ("int", "float"):
            mark = decimal or plan.decimals.get(col.name) or "."
            pattern = _INT if col.kind == "int" else _FLOAT[mark]
            bad.append(f"({raw} IS NOT NULL AND NOT regexp_full_match({raw}, {_lit(pattern)}))")
            text = f"replace({raw}, ',', '.')" if col.kind == "float" and mark == "," else raw
            expr = f"TRY_CAST({text} AS {sqltype})"
            if col.min_value is not None:
                bad.append(f"{t} < {col.min_value}")
            if col.max_value is not None:
                bad.append(f"{t} > {col.max_value}")
        elif col.kind in ("datetime", "date"):
            dplan = plan.dates.get(col.name, coerce.DatePlan())
            if dplan.epoch_unit is not None:
                return None
            layout = _layout(dplan.formats[0]) if dplan.formats else None
            if dplan.formats and layout is None:
                return None
            if layout is None:       # no value read in the sample: any value is doubtful
                bad.append(f"{raw} IS NOT NULL")
                expr = "CAST(NULL AS TIMESTAMP)"
            else:
                expr = f"try_strptime({raw}, {_lit(dplan.formats[0])})"
                bad.append(f"({raw} IS NOT NULL AND (NOT regexp_full_match({raw}, {_lit(layout)}) OR {t} IS NULL))")
            if col.kind == "date":
                expr = f"date_trunc('day', {expr})"
            if col.no_future and as_of is not None:
                limit = (pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
                bad.append(f"{t} >= TIMESTAMP {_lit(limit)}")
        elif col.kind == "bool":
            low = f"lower({raw})"
            bad.append(f"({raw} IS NOT NULL AND {low} NOT IN ({', '.join(map(_lit, _TRUE + _FALSE))}))")
            expr = f"CASE WHEN {low} IN ({', '.join(map(_lit, _TRUE))}) THEN true WHEN {low} IS NOT NULL THEN false END"
        else:  # pragma: no cover - declarations are code
            return None
        typed[t] = f"CAST({expr} AS {sqltype})"
        if col.allowed is not None:
            bad.append(f"({t} IS NOT NULL AND {t} NOT IN ({', '.join(map(_lit, col.allowed))}))")
        if col.required:
            bad.append(f"{t} IS NULL")
        exprs[col.name] = t if col.default is None else f"coalesce({t}, CAST({_lit(col.default)} AS {sqltype}))"
    if feed == "promotions":
        doubts[ROW_BIT] = [f"{exprs['end_date']} < {exprs['start_date']}",
                           f"({exprs['sku']} IS NULL AND {exprs['category']} IS NULL)"]
    return PlainSql(typed, exprs, _mask(doubts))
