"""Table exports for download: CSV and XLSX bytes with spreadsheet formulas neutralised.

A text cell that begins with =, +, -, @, tab or carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (CSV injection). Every exported text cell that starts so gets a
leading apostrophe, which spreadsheets show as text. Numbers and dates are left as they are.
"""

from __future__ import annotations

import io

import pandas as pd

__all__ = ["FORMULA_START", "csv_safe", "neutralise", "to_csv_bytes", "to_xlsx_bytes"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV of ``df`` (no index), neutralised."""
    return neutralise(df).to_csv(index=False).encode()


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per entry (names cut to Excel's 31 characters), neutralised."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in sheets.items():
            safe = "".join("_" if ch in '[]:*?/\\' else ch for ch in str(name))[:31] or "Sheet"
            neutralise(df).to_excel(xl, sheet_name=safe, index=False)
    return buf.getvalue()
