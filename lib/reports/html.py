"""Blocks to HTML: one self-contained document (inline CSS, charts as inline SVG, tables inline; no
external resource, no script), for a notebook exported by lib/reports/notebook.py."""
from __future__ import annotations

import re
from html import escape

import pandas as pd

from lib import exports
from lib.reports.blocks import Alert, Caption, Chart, Heading, Settings, Table, Text, Tiles

__all__ = ["CSS", "TABLE_ROWS", "markdown", "render", "document"]

TABLE_ROWS = 200          # rows of a table written into the file
CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2rem auto;
padding:0 1.5rem;color:#1f2937}h1{font-size:2rem}h2{margin-top:2.5rem;border-bottom:1px solid #e5e7eb;
padding-bottom:.3rem}.caption{color:#6b7280;font-size:.85rem}.metrics{display:flex;flex-wrap:wrap;gap:.8rem}
.metric{border:1px solid #e5e7eb;border-radius:.5rem;padding:.6rem 1rem;min-width:9rem}.metric .label{color:#6b7280;
font-size:.85rem}.metric .value{font-size:1.6rem;font-weight:600}.metric .delta{font-size:.8rem;color:#374151}
.alert{border-radius:.4rem;padding:.6rem .9rem;margin:.5rem 0;background:#eff6ff}.alert.warning{background:#fffbeb}
.alert.error{background:#fef2f2}.alert.success{background:#f0fdf4}table{border-collapse:collapse;font-size:.8rem;
margin:.5rem 0}td,th{border:1px solid #e5e7eb;padding:.2rem .5rem;text-align:right}th{background:#f9fafb}
td:first-child,th:first-child{text-align:left}.chart svg{max-width:100%;height:auto}.settings{font-size:.8rem;
color:#4b5563}.cell{margin-bottom:2rem}"""


def markdown(text: str) -> str:
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


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) >= 1 or v == 0 else f"{v:.4g}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.strftime("%Y-%m-%d %H:%M")
    return str(v)


def _table(df: pd.DataFrame, title: str) -> str:
    shown = df.head(TABLE_ROWS)
    head = "".join(f"<th>{escape(str(c))}</th>" for c in shown.columns)
    rows = "".join("<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>"
                   for row in shown.itertuples(index=False))
    more = f'<p class="caption">First {TABLE_ROWS} of {len(df):,} rows.</p>' if len(df) > TABLE_ROWS else ""
    cap = f'<p class="caption">{escape(title)}</p>' if title else ""
    return f"{cap}<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def _chart(block: Chart) -> str:
    try:
        svg = exports.chart_svg(block.chart).decode()
    except Exception as err:  # noqa: BLE001 - one chart that cannot render must not lose the file
        return f'<p class="caption">(chart not exported: {escape(type(err).__name__)})</p>'
    return f'<div class="chart">{svg}</div>'


def render(blocks: list) -> str:
    """The HTML of a list of blocks (tiles in a row, charts as SVG, tables as HTML tables)."""
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            lv = min(max(b.level, 2), 5)
            out.append(f"<h{lv}>{escape(b.text)}</h{lv}>")
        elif isinstance(b, Text):
            out.append(markdown(b.markdown))
        elif isinstance(b, Caption):
            out.append(f'<p class="caption">{escape(b.text)}</p>')
        elif isinstance(b, Tiles):
            out.append('<div class="metrics">' + "".join(
                f'<div class="metric"><div class="label">{escape(t.label)}</div><div class="value">'
                f'{escape(t.value)}</div>' + (f'<div class="delta">{escape(t.delta)}</div>' if t.delta else "")
                + "</div>" for t in b.tiles) + "</div>")
        elif isinstance(b, Chart):
            out.append(_chart(b))
        elif isinstance(b, Table):
            out.append(_table(b.frame, b.title))
        elif isinstance(b, Alert):
            out.append(f'<div class="alert {escape(b.kind)}">{markdown(b.text)}</div>')
        elif isinstance(b, Settings):
            out.append('<p class="settings">' + " · ".join(f"{escape(k)}: {escape(v)}" for k, v in b.items) + "</p>")
    return "\n".join(out)


def document(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>")
