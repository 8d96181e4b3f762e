"""Charts and tables with their downloads: every chart as PNG and SVG, every table as CSV and XLSX.

``chart`` and ``table`` render the element (st.altair_chart / st.dataframe, keyword arguments
passed through, so selection events still come back) and a row of small download buttons under it.
The files are built lazily: st.download_button gets a callable, which Streamlit runs only when the
button is clicked, so a page pays nothing for its exports until someone asks for one (a chart's
PNG takes about 0.1 s, the first one in a process about 1 s while vl-convert warms up).

Tables go through lib.exports, so text cells that a spreadsheet would run as formulas (=, +, -,
@, tab, carriage return) come out neutralised.
"""
from __future__ import annotations

import re
from functools import partial

import pandas as pd
import streamlit as st

from lib import exports
from lib.ui.app import compat

__all__ = ["BUTTON_LABELS", "CHART_FORMATS", "TABLE_FORMATS", "chart", "chart_files", "VALIDATE_ON_SCREEN", "slug", "table", "table_files"]

# format -> (button label, mime type)
CHART_FORMATS = {"png": ("PNG", "image/png"), "svg": ("SVG", "image/svg+xml")}
TABLE_FORMATS = {"csv": ("CSV", "text/csv"),
                 "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
BUTTON_LABELS = frozenset(label for label, _ in (*CHART_FORMATS.values(), *TABLE_FORMATS.values()))


def slug(name: str) -> str:
    """A file-name-safe version of ``name``: lower case, runs of other characters become one '-'."""
    return re.sub(r"[^a-z0-9._]+", "-", str(name).lower()).strip("-._") or "export"


def _export_frame(df, hide_index=None, column_order=None) -> pd.DataFrame:
    """The table as shown: a Styler's data, the shown columns, a meaningful index kept as columns."""
    data = df.data if hasattr(df, "data") and not isinstance(df, pd.DataFrame) else df
    data = pd.DataFrame(data)
    if not hide_index and not isinstance(data.index, pd.RangeIndex):
        data = data.reset_index()
    if column_order is not None:
        data = data[[c for c in column_order if c in data.columns]]
    return data


def chart_files(ch, name: str, formats=tuple(CHART_FORMATS)) -> dict[str, tuple[str, str, object]]:
    """format -> (file name, mime, zero-argument callable making the bytes) for a chart."""
    makers = {"png": partial(exports.chart_png, ch), "svg": partial(exports.chart_svg, ch)}
    return {f: (f"{slug(name)}.{f}", CHART_FORMATS[f][1], makers[f]) for f in formats}


def table_files(df, name: str, formats=tuple(TABLE_FORMATS), export=None, number_formats=None,
                **shown) -> dict[str, tuple[str, str, object]]:
    """format -> (file name, mime, zero-argument callable making the bytes) for a table.

    ``export`` (a DataFrame or a callable returning one) replaces the shown table in the files;
    ``number_formats`` (lib.exports.Formats) gives money, percentage and count columns their
    spreadsheet formats in the XLSX file (the cells stay numbers).
    """
    def data() -> pd.DataFrame:
        if export is not None:
            return _export_frame(export() if callable(export) else export, True)
        return _export_frame(df, shown.get("hide_index"), shown.get("column_order"))
    makers = {"csv": lambda: exports.to_csv_bytes(data()),
              "xlsx": lambda: exports.to_xlsx_bytes({slug(name): data()}, number_formats)}
    return {f: (f"{slug(name)}.{f}", TABLE_FORMATS[f][1], makers[f]) for f in formats}


def _buttons(files: dict, labels: dict, name: str, key: str) -> None:
    with st.container(horizontal=True, gap="small", key=f"dl_{key}"):
        for fmt, (file_name, mime, make) in files.items():
            st.download_button(labels[fmt][0], make, file_name=file_name, mime=mime, key=f"dl_{key}_{fmt}",
                               icon=":material/download:", type="tertiary", on_click="ignore",
                               help=f"Download {name} as {labels[fmt][0]}")


def _widget_key(key: str, kwargs: dict) -> str | None:
    """The element keeps the key only when it is a selection widget (its state lives under it)."""
    return key if kwargs.get("on_select", "ignore") != "ignore" else None


# Streamlit turns a chart into its spec with ``chart.to_dict()``, which checks the whole spec against the
# Vega-Lite JSON schema on every run: a third of a cached page rerun (bench/reruns.py). The chart tests
# validate every spec the app builds; on screen the check is skipped. True: Streamlit's own behaviour.
VALIDATE_ON_SCREEN = False


def _unvalidated(ch):
    return ch if VALIDATE_ON_SCREEN else compat.skip_spec_validation(ch)


def chart(ch, name: str, *, key: str, formats=tuple(CHART_FORMATS), **altair_chart_kwargs):
    """st.altair_chart(ch, **kwargs) with PNG/SVG downloads under it; returns st.altair_chart's value."""
    event = st.altair_chart(_unvalidated(ch), key=_widget_key(key, altair_chart_kwargs), **altair_chart_kwargs)
    _buttons(chart_files(ch, name, formats), CHART_FORMATS, name, key)
    return event


def table(df, name: str, *, key: str, formats=tuple(TABLE_FORMATS), export=None, number_formats=None,
          **dataframe_kwargs):
    """st.dataframe(df, **kwargs) with CSV/XLSX downloads under it; returns st.dataframe's value.

    ``formats`` drops a format that an existing button already offers for the same table; ``export``
    puts other data in the files (the full table behind a preview); ``number_formats``
    (lib.exports.Formats) formats money/percentage/count columns in the XLSX file. Show numbers as
    numbers (formatted with st.column_config), never as preformatted strings, so the files hold numbers.
    """
    event = st.dataframe(df, key=_widget_key(key, dataframe_kwargs), **dataframe_kwargs)
    if formats:
        files = table_files(df, name, formats, export, number_formats,
                            hide_index=dataframe_kwargs.get("hide_index"),
                            column_order=dataframe_kwargs.get("column_order"))
        _buttons(files, TABLE_FORMATS, name, key)
    return event
