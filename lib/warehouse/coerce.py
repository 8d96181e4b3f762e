"""Turn raw column values from real-world files into typed pandas columns.

Each function returns (values, bad) where `bad` marks the non-empty inputs that could not be
read. Nothing here raises on bad data; validation turns `bad` into failures.
Handled: decimal commas and thousands separators, currency signs, accounting negatives,
ISO / US / EU date formats with or without times and timezone offsets, epoch seconds /
milliseconds / microseconds (GA4), Excel-native datetimes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

__all__ = ["empty_mask", "to_number", "to_datetime", "to_bool", "to_text", "guess_decimal", "nonint_mask",
           "best_format", "single_format", "DatePlan", "date_plan"]

# What a number's text loses before it is read: Python's whitespace (exactly what `\s` matches in a str
# pattern, listed because Arrow's RE2 reads `\s` as ASCII only), apostrophes and currency. A pattern
# string, not a compiled one: pandas then runs it through Arrow (RE2) over the whole column at once
# instead of calling Python's re per value (4x faster on a doubtful chunk); both engines read it alike.
_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + \
    "\u2028\u2029\u202f\u205f\u3000"
_STRIP_NUM = f"[{_SPACES}'’$€£¥₹]|(?:USD|EUR|GBP|CAD|AUD|CHF|SEK|NOK|DKK)"
_DATE_SAMPLE = 2000


def empty_mask(s: pd.Series) -> pd.Series:
    """True where a value is missing or blank text."""
    na = s.isna()
    if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
        na = na | s.astype("string").str.strip().eq("").fillna(True)
    return na.astype(bool)


def to_text(s: pd.Series, lower: bool = False) -> pd.Series:
    """Stripped text with blanks as missing; numbers read from Excel lose a trailing '.0'."""
    if is_numeric_dtype(s) and not is_bool_dtype(s):
        vals = s.astype("Float64")
        whole = vals.notna() & (vals % 1 == 0)
        out = s.astype("string")
        out[whole] = vals[whole].astype("Int64").astype("string")
    else:
        out = s.astype("string").str.strip()
    out = out.mask(out.eq(""))
    return out.str.lower() if lower else out


def guess_decimal(sample: pd.Series) -> str:
    """',' when the values use a decimal comma (12,5 / 1.234,50), else '.'."""
    txt = sample.dropna().astype(str).head(_DATE_SAMPLE)
    if txt.empty:
        return "."
    both = txt[txt.str.contains(",", regex=False) & txt.str.contains(".", regex=False)]
    if not both.empty:
        comma_last = (both.str.rfind(",") > both.str.rfind(".")).mean()
        return "," if comma_last > 0.5 else "."
    commas = txt[txt.str.contains(",", regex=False)]
    if not commas.empty and commas.str.contains(r",\d{1,2}$|,\d{4,}$").any():
        return ","
    if txt.str.count(r"\.").gt(1).any():
        return ","   # 1.234.567 : dots are thousands separators
    return "."


def to_number(s: pd.Series, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Float64 values and the mask of unreadable non-empty inputs."""
    if is_bool_dtype(s):
        s = s.astype(object)
    if is_numeric_dtype(s):
        vals = pd.to_numeric(s, errors="coerce").astype("float64")
        return vals, pd.Series(False, index=s.index)
    na = empty_mask(s)
    txt = s.astype("string").str.strip()
    decimal = decimal or guess_decimal(txt[~na])
    if decimal == ".":   # fast path: plain numbers parse directly; only the rest are cleaned
        fast = _arrow_float(txt)
        if fast is not None:
            return fast, pd.Series(False, index=s.index)
        fast = pd.to_numeric(txt.astype(object).where(~na, None), errors="coerce").astype("float64")
        rest = fast.isna() & ~na
        if not rest.any():
            return fast, rest.astype(bool)
        slow, bad = _clean_number(txt[rest], decimal)
        fast[rest] = slow
        out_bad = pd.Series(False, index=s.index)
        out_bad[rest] = bad
        return fast, out_bad
    return _clean_number(txt, decimal, na)


def _arrow_float(txt: pd.Series) -> pd.Series | None:
    """All values cast by Arrow in one vectorised step, or None when any value needs cleaning."""
    try:
        arr = pa.array(txt)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        vals = pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None
    if pc.any(pc.is_nan(vals)).as_py():
        return None   # 'nan' text: the slow path reports it as not a number, whatever the other rows hold
    return pd.Series(vals.to_numpy(zero_copy_only=False), index=txt.index, dtype="float64")


def _clean_number(txt: pd.Series, decimal: str, na: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    na = txt.isna() if na is None else na
    txt = txt.str.replace(_STRIP_NUM, "", regex=True)
    neg = txt.str.match(r"^\(.*\)$").fillna(False)
    txt = txt.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    txt = txt.str.replace(r"^(.*)-$", r"-\1", regex=True)   # trailing minus: 12.50-
    if decimal == ",":
        txt = txt.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        txt = txt.str.replace(",", "", regex=False)
    vals = pd.to_numeric(txt.astype(object).where(~na, None), errors="coerce").astype("float64")
    vals = vals.where(~neg, -vals)
    bad = vals.isna() & ~na
    return vals, bad.astype(bool)


_FORMATS = [  # (format, dayfirst-style or None)
    ("%Y-%m-%d %H:%M:%S %z", None), ("%Y-%m-%d %H:%M:%S%z", None),
    ("%Y-%m-%dT%H:%M:%S.%f%z", None), ("%Y-%m-%dT%H:%M:%S%z", None),
    ("%Y-%m-%d %H:%M:%S", None), ("%Y-%m-%dT%H:%M:%S", None), ("%Y-%m-%d %H:%M", None),
    ("%Y-%m-%dT%H:%M:%S.%f", None), ("%Y-%m-%d %H:%M:%S.%f", None), ("%Y-%m-%d", None),
    ("%Y/%m/%d %H:%M:%S", None), ("%Y/%m/%d", None), ("%Y%m%d", None),
    ("%m/%d/%Y %H:%M:%S", False), ("%m/%d/%Y %H:%M", False), ("%m/%d/%Y %I:%M %p", False),
    ("%m/%d/%Y %I:%M:%S %p", False), ("%m/%d/%Y", False), ("%m/%d/%y", False), ("%m-%d-%Y", False),
    ("%d/%m/%Y %H:%M:%S", True), ("%d/%m/%Y %H:%M", True), ("%d/%m/%Y", True), ("%d/%m/%y", True),
    ("%d.%m.%Y %H:%M:%S", True), ("%d.%m.%Y %H:%M", True), ("%d.%m.%Y", True), ("%d.%m.%y", True),
    ("%d-%m-%Y", True), ("%d %b %Y", True), ("%b %d, %Y", False), ("%d %B %Y", True),
    ("%B %d, %Y", False),
]
_OFFSET = re.compile(r"(?:[+-]\d{2}:?\d{2}|Z|UTC)$")


def _localize(vals: pd.Series, tz: str) -> pd.Series:
    """tz-aware -> store-local naive; naive stays as it is (already store-local)."""
    if getattr(vals.dt, "tz", None) is not None:
        return vals.dt.tz_convert(tz).dt.tz_localize(None)
    return vals


def _from_epoch(num: pd.Series, tz: str) -> pd.Series:
    mag = num.abs().max()
    unit = "ns" if mag > 1e17 else "us" if mag > 1e14 else "ms" if mag > 1e11 else "s"
    vals = pd.to_datetime(num, unit=unit, utc=True, errors="coerce")
    return vals.dt.tz_convert(tz).dt.tz_localize(None)


_ARROW_OK = re.compile(r"^(%[YmdHMS]|[-/. :T])+$")   # formats Arrow's strptime reads like pandas


def _parse_with(txt: pd.Series, fmt: str) -> pd.Series:
    if len(txt) > 50_000 and _ARROW_OK.match(fmt):
        try:
            arr = pc.strptime(pa.array(txt), format=fmt, unit="us", error_is_null=True)
            return pd.Series(arr.to_numpy(zero_copy_only=False), index=txt.index, dtype="datetime64[us]")
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
            pass
    return pd.to_datetime(txt, format=fmt, errors="coerce", utc="%z" in fmt)


def best_format(sample: pd.Series, dayfirst: bool = False) -> tuple[str | None, int]:
    """The format that reads the most sample values (ties: the dayfirst setting, then list order)."""
    scored = []
    for i, (fmt, dfirst) in enumerate(_FORMATS):
        n = int(_parse_with(sample, fmt).notna().sum())
        if n:
            pref = 0 if dfirst is None or dfirst == dayfirst else 1
            scored.append((-n, pref, i, fmt))
    if not scored:
        return None, 0
    best = min(scored)
    return best[3], -best[0]


def single_format(sample: pd.Series, dayfirst: bool = False) -> str | None:
    """The one timezone-free format that reads every sample value, when there is one."""
    fmt, n = best_format(sample, dayfirst)
    if fmt is None or n != len(sample) or not _ARROW_OK.match(fmt):
        return None
    return fmt


@dataclass(frozen=True)
class DatePlan:
    """How a text date column is read, decided from its first values (so a file read in chunks is read
    exactly as the whole file): epoch numbers in `epoch_unit`, else each value by the first of `formats`
    that reads it, else pandas' per-value parser."""

    epoch_unit: str | None = None
    formats: tuple[str, ...] = ()


def _date_text(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Stripped text (missing where blank, trailing Z / UTC written +0000) and the blank mask."""
    na = empty_mask(s)
    txt = s.astype("string").str.strip().mask(na)
    zulu = (txt.str.endswith("Z") | txt.str.endswith("UTC")).fillna(False).astype(bool)
    if zulu.any():
        txt = txt.copy()
        txt[zulu] = txt[zulu].str.replace(r"\s*(UTC|Z)$", "+0000", regex=True)
    return txt, na


def date_plan(s: pd.Series, dayfirst: bool = False) -> DatePlan:
    """The plan for a text column, from its first _DATE_SAMPLE non-blank values: all digits are epoch
    numbers (the unit from their magnitude); else the format that reads most of them, then the one that
    reads most of the rest, up to three."""
    txt, na = _date_text(s)
    head = txt[~na].head(_DATE_SAMPLE)
    if not len(head):
        return DatePlan()
    if head.str.fullmatch(r"\d{9,19}").all():
        mag = pd.to_numeric(head).abs().max()
        return DatePlan(epoch_unit="ns" if mag > 1e17 else "us" if mag > 1e14 else "ms" if mag > 1e11 else "s")
    formats: list[str] = []
    rest = head
    for _ in range(3):
        fmt, _n = best_format(rest, dayfirst)
        if fmt is None:
            break
        formats.append(fmt)
        rest = rest[_parse_with(rest, fmt).isna()]
        if rest.empty:
            break
    return DatePlan(None, tuple(formats))


def to_datetime(s: pd.Series, tz: str = "UTC", dayfirst: bool = False,
                plan: DatePlan | None = None) -> tuple[pd.Series, pd.Series]:
    """Naive timestamps in the store timezone, and the mask of unreadable non-empty inputs.

    Text is read by `plan` (date_plan of the column when None): each value on its own, so reading a
    file in parts gives the same values as reading it whole with the whole file's plan."""
    if is_datetime64_any_dtype(s):
        return _localize(s, tz).astype("datetime64[us]"), pd.Series(False, index=s.index)
    if is_numeric_dtype(s) and not is_bool_dtype(s):
        na = empty_mask(s)
        num = pd.to_numeric(s, errors="coerce")
        if num.dropna().between(19000101, 21001231).all():   # 20261003 style dates
            s = num.astype("Int64").astype("string")
        else:
            vals = _from_epoch(num, tz)
            return vals.astype("datetime64[us]"), (vals.isna() & ~na)
    plan = date_plan(s, dayfirst) if plan is None else plan
    txt, na = _date_text(s)
    if plan.epoch_unit is not None:
        digits = txt.str.fullmatch(r"\d{9,19}").fillna(False).astype(bool)
        num = pd.to_numeric(txt.where(digits), errors="coerce")
        vals = pd.to_datetime(num, unit=plan.epoch_unit, utc=True, errors="coerce")
        vals = vals.dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[us]")
        return vals, (vals.isna() & ~na).astype(bool)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    todo = ~na
    for fmt in plan.formats:
        rest = txt[todo]
        if rest.empty:
            break
        vals = _parse_with(rest, fmt)
        ok = vals.notna()
        if not ok.any():
            continue
        if len(rest) == len(out) and ok.all():      # the common case: one format reads everything
            return _localize(vals, tz).astype("datetime64[us]"), pd.Series(False, index=s.index)
        out.loc[ok[ok].index] = _localize(vals[ok], tz).astype("datetime64[us]")
        todo = todo & out.isna()
    if todo.any():   # last resort for odd but readable values (ISO with odd precision etc.), value by value
        rest = txt[todo]
        has_off = rest.str.contains(_OFFSET).fillna(False)
        for part, utc in ((rest[has_off], True), (rest[~has_off], False)):
            if part.empty:
                continue
            vals = pd.to_datetime(part, format="mixed", dayfirst=dayfirst, errors="coerce", utc=utc)
            ok = vals.notna()
            if ok.any():
                out.loc[ok[ok].index] = _localize(vals[ok], tz).astype("datetime64[us]")
        todo = todo & out.isna()
    return out, todo.astype(bool)


_TRUE = {"true", "t", "yes", "y", "1", "active", "enabled", "on"}
_FALSE = {"false", "f", "no", "n", "0", "inactive", "disabled", "off", "archived", "draft"}


def to_bool(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Booleans (nullable) from true/false, yes/no, 1/0, active/archived."""
    if is_bool_dtype(s):
        return s.astype("boolean"), pd.Series(False, index=s.index)
    na = empty_mask(s)
    txt = to_text(s, lower=True)
    vals = pd.Series(pd.NA, index=s.index, dtype="boolean")
    vals[txt.isin(_TRUE).fillna(False).astype(bool)] = True
    vals[txt.isin(_FALSE).fillna(False).astype(bool)] = False
    bad = vals.isna() & ~na
    return vals, bad.astype(bool)


def nonint_mask(vals: pd.Series) -> pd.Series:
    """True where a float value is not a whole number."""
    return (vals.notna() & (np.floor(vals) != vals)).astype(bool)
