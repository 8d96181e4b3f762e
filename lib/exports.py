"""Exports for download: tables as CSV and XLSX bytes, charts as SVG and PNG bytes.

A text cell that begins with =, +, -, @, tab or carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (CSV injection). Every exported text cell that starts so gets a
leading apostrophe, which spreadsheets show as text. Numbers and dates are left as they are.

Charts are rendered offline by vl-convert (Vega-Lite compiled in-process, system fonts, no
network): the chart's data is inlined into the spec and external data requests are refused.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import math
import threading
from dataclasses import dataclass

import pandas as pd

__all__ = ["FORMULA_START", "Formats", "chart_png", "chart_spec", "chart_svg", "csv_safe", "denoise", "neutralise",
           "share_altair_lock",
           "spec_svg", "to_csv_bytes", "to_xlsx_bytes", "XLSX_FORMATS"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SIGNIFICANT = 15          # a double holds 15-17 significant digits; the rest is representation noise


def csv_safe(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and text column names) are csv_safe."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_datetime64_any_dtype(s) \
                and not pd.api.types.is_bool_dtype(s):
            out[col] = [csv_safe(v) for v in s]
    out.columns = [csv_safe(str(c)) for c in out.columns]
    return out


def denoise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose float cells are rounded to 15 significant digits: 2158.5299999999997 -> 2158.53
    (sums of cents carry binary noise in the last digits; no real figure here has more precision)."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s):
            out[col] = [_round_sig(v) for v in s]
            out[col] = out[col].astype(s.dtype)
    return out


def _round_sig(v):
    try:
        if not math.isfinite(v) or v == 0:
            return v
    except TypeError:            # None, pd.NA
        return v
    return float(f"{v:.{SIGNIFICANT}g}")


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV of ``df`` (no index), neutralised, floats without binary noise. Numbers stay
    numbers: give a table its raw values (fractions, seconds, amounts), never display strings."""
    return neutralise(denoise(df)).to_csv(index=False, float_format=f"%.{SIGNIFICANT}g").encode()


@dataclass(frozen=True)
class Formats:
    """How the numeric columns of a table read in a spreadsheet (XLSX number formats): ``money``
    columns in the store currency, ``pct`` columns are fractions shown as percentages, ``count``
    columns whole numbers with thousands separators, ``decimal`` columns two decimals."""

    money: tuple[str, ...] = ()
    pct: tuple[str, ...] = ()
    count: tuple[str, ...] = ()
    decimal: tuple[str, ...] = ()
    currency: str = "USD"

    def number_formats(self) -> dict[str, str]:
        """column -> Excel number format."""
        out = {c: XLSX_FORMATS["count"] for c in self.count}
        out |= {c: XLSX_FORMATS["decimal"] for c in self.decimal}
        out |= {c: XLSX_FORMATS["pct"] for c in self.pct}
        out |= {c: money_format(self.currency) for c in self.money}
        return out


XLSX_FORMATS = {"count": "#,##0", "decimal": "#,##0.00", "pct": "0.0%"}


def money_format(currency: str) -> str:
    """Excel's number format for amounts in ``currency``: $#,##0.00 (negative in brackets is not used:
    a minus sign reads the same in every locale)."""
    from lib.fmt import CURRENCY_SYMBOLS

    sym = CURRENCY_SYMBOLS.get(currency, f"{currency} ").replace('"', "")
    return f'"{sym}"#,##0.00'


def _naive_times(df: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones: tz-aware datetime columns keep their wall-clock time, zone dropped."""
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype):
            df[col] = df[col].dt.tz_localize(None)
    return df


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame], formats: dict[str, Formats] | Formats | None = None) -> bytes:
    """An .xlsx workbook with one sheet per entry (names cut to Excel's 31 characters), neutralised,
    floats without noise; ``formats`` (one for every sheet, or per sheet name) sets number formats
    (currency, percentages, thousands) on the named columns, so the cells stay numbers."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in sheets.items():
            safe = "".join("_" if ch in '[]:*?/\\' else ch for ch in str(name))[:31] or "Sheet"
            out = _naive_times(neutralise(denoise(df)))
            out.to_excel(xl, sheet_name=safe, index=False)
            fm = formats.get(name) if isinstance(formats, dict) else formats
            if fm is not None:
                _apply_formats(xl.sheets[safe], out, fm)
    return buf.getvalue()


def _apply_formats(ws, df: pd.DataFrame, fm: Formats) -> None:
    from openpyxl.utils import get_column_letter

    wanted = fm.number_formats()
    for i, col in enumerate(df.columns, start=1):
        number_format = wanted.get(str(col))
        if number_format is None:
            continue
        letter = get_column_letter(i)
        for cell in ws[letter][1:]:
            cell.number_format = number_format


# Altair's data transformer and theme are process-wide settings. Streamlit changes them under its
# own lock while it serialises a chart; the app shares that lock (lib.ui.app.compat registers it) so that a
# chart exported in one session never sees another session's transformer.
_OWN_LOCK = threading.Lock()
EXPORT_WIDTH = 640         # continuous charts without an explicit width ("stretch" in the app)
EXPORT_HEIGHT = 300


_shared_lock = None        # set by share_altair_lock: a callable returning Streamlit's lock or None


def share_altair_lock(provider) -> None:
    """Take the lock ``provider()`` returns (lib.ui.app.compat.altair_lock: Streamlit's) when it returns one."""
    global _shared_lock
    _shared_lock = provider


def _altair_lock():
    return (_shared_lock() if _shared_lock else None) or _OWN_LOCK


def chart_spec(chart) -> dict:
    """The Vega-Lite spec of an Altair chart (any layer/facet/concat) with its data inlined."""
    import altair as alt

    with _altair_lock(), alt.data_transformers.enable("default", max_rows=None):
        spec = chart.to_dict()
    view = spec.setdefault("config", {}).setdefault("view", {})
    view["continuousWidth"] = EXPORT_WIDTH
    view["continuousHeight"] = EXPORT_HEIGHT
    spec.setdefault("background", "white")
    return spec


def _json_value(v):
    """JSON for what Altair leaves in inline data: dates (object columns), numpy scalars, decimals."""
    if isinstance(v, (dt.date, dt.time)):               # datetime and pd.Timestamp included
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if hasattr(v, "item"):                              # numpy scalar
        return v.item()
    if pd.isna(v):
        return None
    raise TypeError(f"cannot put {type(v).__name__} in a chart spec")


def _spec_json(chart) -> str:
    return json.dumps(chart_spec(chart), default=_json_value)


def spec_svg(spec: dict) -> str:
    """SVG markup of a Vega-Lite spec (data inline), rendered offline."""
    import vl_convert as vlc

    view = spec.setdefault("config", {}).setdefault("view", {})
    view.setdefault("continuousWidth", EXPORT_WIDTH)
    view.setdefault("continuousHeight", EXPORT_HEIGHT)
    spec.setdefault("background", "white")
    return vlc.vegalite_to_svg(json.dumps(spec, default=_json_value), allowed_base_urls=[])


def chart_svg(chart) -> bytes:
    """An SVG file (UTF-8 bytes) of an Altair chart, rendered offline."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(_spec_json(chart), allowed_base_urls=[]).encode()


def chart_png(chart, scale: float = 2) -> bytes:
    """A PNG file of an Altair chart at ``scale`` times its CSS size, rendered offline."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(_spec_json(chart), scale=scale, allowed_base_urls=[]))
