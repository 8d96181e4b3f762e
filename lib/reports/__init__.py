"""Pages as reports: the content of a view (its tiles, charts and tables) built from the same lib
functions and chart builders the page uses, without Streamlit, for the notebook HTML export.

    blocks = reports.build("overview", wh, [("range", "Last 90 days")], currency="USD")
    html = reports.html.render(blocks)

One module per page (lib/reports/<page>.py) with ``build(wh, params, *, currency, progress)``.
"""
from __future__ import annotations

from importlib import import_module

from lib.reports.blocks import Alert

__all__ = ["PAGES", "build"]

# url path -> module under lib.reports
PAGES = {"overview": "overview", "funnel": "funnel", "cohorts": "cohorts", "marketing": "marketing", "explore": "explore",
         "forecast": "forecast", "replenishment": "replenishment", "pricing": "pricing", "": "home"}


def build(page: str, wh, params, *, currency: str = "USD", today=None, progress=None) -> list:
    """The blocks of one view; a page with no report says so (never raises for an unknown page).
    ``today``: the date purchase orders are placed on (the store's today, from the app)."""
    name = PAGES.get(page)
    if name is None:
        return [Alert(f'This view\'s page "{page}" cannot be exported.', "warning")]
    mod = import_module(f"lib.reports.{name}")
    extra = {"today": today} if name == "replenishment" else {}
    return mod.build(wh, list(params), currency=currency, progress=progress, **extra)
