"""A notebook as one self-contained HTML file: markdown cells as text, each view cell's page run
headlessly with its settings and data version (Streamlit's AppTest, in this process, so it shares
the app's warehouse connection and caches), its charts as inline SVG and its tables inline.

    notebook_html(nb, progress=None) -> str
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape

import pandas as pd
import pyarrow as pa

from lib.exports import spec_svg
from lib.notebooks import Notebook
from lib.settings import PROJECT_ROOT
from lib.ui import gate, nav

__all__ = ["notebook_html", "capture", "TABLE_ROWS"]

TABLE_ROWS = 200          # rows of a table written into the file
_CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2rem auto;
padding:0 1.5rem;color:#1f2937}h1{font-size:2rem}h2{margin-top:2.5rem;border-bottom:1px solid #e5e7eb;
padding-bottom:.3rem}.caption{color:#6b7280;font-size:.85rem}.metrics{display:flex;flex-wrap:wrap;gap:.8rem}
.metric{border:1px solid #e5e7eb;border-radius:.5rem;padding:.6rem 1rem;min-width:9rem}.metric .label{color:#6b7280;
font-size:.85rem}.metric .value{font-size:1.6rem;font-weight:600}.metric .delta{font-size:.8rem;color:#374151}
.alert{border-radius:.4rem;padding:.6rem .9rem;margin:.5rem 0;background:#eff6ff}.alert.warning{background:#fffbeb}
.alert.error{background:#fef2f2}.alert.success{background:#f0fdf4}table{border-collapse:collapse;font-size:.8rem;
margin:.5rem 0}td,th{border:1px solid #e5e7eb;padding:.2rem .5rem;text-align:right}th{background:#f9fafb}
.chart svg{max-width:100%;height:auto}.settings{font-size:.8rem;color:#4b5563}.cell{margin-bottom:2rem}"""


def _md(text: str) -> str:
    """Enough markdown for notes: headings, bold, italics, bullet lines, paragraphs (escaped first)."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [escape(line) for line in block.splitlines()]
        lines = [re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", ln) for ln in lines]
        lines = [re.sub(r"(?<!\*)\*(?!\*)(.+?)\*", r"<em>\1</em>", ln) for ln in lines]
        if lines and all(ln.lstrip().startswith(("- ", "* ")) for ln in lines):
            out.append("<ul>" + "".join(f"<li>{ln.lstrip()[2:]}</li>" for ln in lines) + "</ul>")
        elif lines and re.match(r"#{1,4} ", lines[0]):
            level = min(len(lines[0].split(" ")[0]) + 1, 5)
            out.append(f"<h{level}>{lines[0].split(' ', 1)[1]}</h{level}>" + "".join(f"<p>{ln}</p>" for ln in lines[1:]))
        else:
            out.append("<p>" + "<br>".join(lines) + "</p>")
    return "\n".join(out)


def _chart(proto) -> str:
    spec = json.loads(proto.spec)
    datasets = spec.setdefault("datasets", {})
    for ds in proto.datasets:
        frame = pa.ipc.open_stream(ds.data.data).read_all().to_pandas()
        datasets[ds.name] = frame.to_dict("records")
    try:
        return f'<div class="chart">{spec_svg(spec)}</div>'
    except Exception as err:  # noqa: BLE001 - one chart that cannot render must not lose the file
        return f'<p class="caption">(chart not exported: {escape(type(err).__name__)})</p>'


def _table(df: pd.DataFrame) -> str:
    shown = df.head(TABLE_ROWS)
    more = f'<p class="caption">First {TABLE_ROWS} of {len(df):,} rows.</p>' if len(df) > TABLE_ROWS else ""
    keep_index = not isinstance(shown.index, pd.RangeIndex)
    return shown.to_html(index=keep_index, escape=True, border=0, na_rep="") + more


def _walk(node, out: list[str], settings: list[str]) -> None:
    children = node.children.values() if isinstance(getattr(node, "children", None), dict) else []
    metrics: list[str] = []
    for ch in children:
        kind = getattr(ch, "type", "")
        if kind != "metric" and metrics:
            out.append('<div class="metrics">' + "".join(metrics) + "</div>")
            metrics = []
        if kind == "title":
            out.append(f"<h2>{escape(str(ch.value))}</h2>")
        elif kind in ("header", "subheader"):
            out.append(f"<h3>{escape(str(ch.value))}</h3>")
        elif kind == "markdown":
            out.append(_md(str(ch.value)))
        elif kind == "caption":
            out.append(f'<p class="caption">{escape(str(ch.value))}</p>')
        elif kind == "metric":
            delta = f'<div class="delta">{escape(str(ch.delta))}</div>' if getattr(ch, "delta", "") else ""
            metrics.append(f'<div class="metric"><div class="label">{escape(str(ch.label))}</div>'
                           f'<div class="value">{escape(str(ch.value))}</div>{delta}</div>')
        elif kind in ("info", "warning", "error", "success"):
            out.append(f'<div class="alert {kind}">{_md(str(ch.value))}</div>')
        elif kind == "dataframe":
            out.append(_table(ch.value))
        elif kind == "vega_lite_chart":
            out.append(_chart(ch.proto))
        elif kind in ("selectbox", "multiselect", "slider", "date_input", "number_input", "text_input",
                      "button_group", "radio", "toggle", "checkbox", "select_slider"):
            label = getattr(ch, "label", "")
            settings.append(f"{escape(str(label))}: {escape(_value(ch))}")
        else:
            _walk(ch, out, settings)
    if metrics:
        out.append('<div class="metrics">' + "".join(metrics) + "</div>")


def _value(widget) -> str:
    try:
        v = widget.value
    except Exception:  # noqa: BLE001 - a widget without a readable value is left out
        return ""
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v)) or "all"
    return str(v)


def capture(page: str, params, data_version: str) -> tuple[str, list[str]]:
    """Run one page headlessly with its settings; (HTML of its content, its settings as text)."""
    from streamlit.testing.v1 import AppTest

    target = nav.page_file(page)
    if target is None:
        return f'<p class="caption">(this view\'s page "{escape(page)}" no longer exists)</p>', []
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=600)
    gate.inner_session(at.session_state)        # the user exporting is already in
    at.run()
    at.switch_page(target)
    grouped: dict[str, list[str]] = {}
    for k, v in params:
        grouped.setdefault(k, []).append(v)
    grouped["dv"] = [data_version]
    for k, v in grouped.items():
        at.query_params[k] = v if len(v) > 1 else v[0]
    at.run()
    out: list[str] = []
    settings: list[str] = []
    _walk(at.main, out, settings)
    if at.exception:
        out.append('<div class="alert error">This view raised an error when exported.</div>')
    return "\n".join(out), settings


def notebook_html(nb: Notebook, progress: Callable[[float, str], None] | None = None,
                  now: datetime | None = None) -> str:
    """The whole notebook as one HTML document (no external resources)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<h1>{escape(nb.name)}</h1>",
             f'<p class="caption">Shopcast notebook · data version {escape(nb.data_version)} · exported {stamp}</p>']
    for i, cell in enumerate(nb.cells):
        if progress:
            progress(i / max(len(nb.cells), 1), f"Cell {i + 1} of {len(nb.cells)}")
        if cell.kind == "markdown":
            parts.append(f'<section class="cell">{_md(cell.text)}</section>')
            continue
        body, settings = capture(cell.page, cell.params, nb.data_version)
        title = escape(cell.text or nav.page_title(cell.page))
        line = f'<p class="settings">{" · ".join(settings)}</p>' if settings else ""
        parts.append(f'<section class="cell"><h2>{title}</h2>{line}{body}</section>')
    doc = "\n".join(parts)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(nb.name)}</title>'
            f"<style>{_CSS}</style></head><body>{doc}</body></html>")
