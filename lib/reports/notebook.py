"""A notebook as one self-contained HTML file: its notes, and each view cell built as a report (the same
lib functions and chart builders its page uses) on the notebook's data version: charts as inline SVG,
tables inline, no external resource.

    notebook_html(nb, warehouse_for, currency="USD", progress=None, now=None) -> str

``warehouse_for(data_version)`` gives the warehouse to read (pinned to a kept version, or the latest).
Runs anywhere (a worker thread of the app, a test): no Streamlit.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from html import escape

from lib import reports
from lib.messages import describe_error
from lib.reports import html
from lib.reports.blocks import Alert
from lib.sharing.notebooks import Notebook

__all__ = ["notebook_html", "PAGE_TITLES"]

log = logging.getLogger("shopcast")
PAGE_TITLES = {"": "Home", "overview": "Overview", "funnel": "Funnel", "cohorts": "Cohorts", "marketing": "Marketing",
               "explore": "Explore",
               "forecast": "Forecast", "replenishment": "Replenishment", "pricing": "Pricing & promos"}


def _view(cell, wh, currency: str, progress, today) -> str:
    try:
        blocks = reports.build(cell.page, wh, cell.params, currency=currency, progress=progress, today=today)
    except Exception as err:  # noqa: BLE001 - one view that fails must not lose the file
        log.error("notebook export: view %r failed", cell.page, exc_info=err)
        msg = describe_error(err)
        blocks = [Alert(f"This view could not be exported: {msg.title}", "error")]
    return html.render(blocks)


def notebook_html(nb: Notebook, warehouse_for: Callable[[str], object], *, currency: str = "USD",
                  progress: Callable[[float, str], None] | None = None, now: datetime | None = None,
                  today: date | None = None) -> str:
    """The whole notebook as one HTML document (``today``: the store's date, for purchase orders)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<h1>{escape(nb.name)}</h1>",
             f'<p class="caption">Shopcast notebook · data version {escape(nb.data_version)} · exported {stamp}</p>']
    wh = warehouse_for(nb.data_version)
    n = max(len(nb.cells), 1)
    for i, cell in enumerate(nb.cells):
        if progress:
            progress(i / n, f"cell {i + 1} of {len(nb.cells)}")
        if cell.kind == "markdown":
            parts.append(f'<section class="cell">{html.markdown(cell.text)}</section>')
            continue
        title = escape(cell.text or PAGE_TITLES.get(cell.page, cell.page))

        def sub(f: float, m: str, i=i) -> None:
            if progress:
                progress((i + min(max(f, 0.0), 1.0)) / n, f"cell {i + 1} of {len(nb.cells)}: {m}")
        parts.append(f'<section class="cell"><h2>{title}</h2>{_view(cell, wh, currency, sub, today)}</section>')
    if progress:
        progress(1.0, "done")
    return html.document(nb.name, "\n".join(parts))
