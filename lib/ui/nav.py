"""The app's pages by URL path (app.py registers the same ones; tests/test_saved_views_page.py checks)."""
from __future__ import annotations

__all__ = ["PAGES", "page_file", "page_title"]

# url_path -> (page file, title)
PAGES: dict[str, tuple[str, str]] = {
    "": ("pages/home_page.py", "Home"),
    "overview": ("pages/overview_page.py", "Overview"),
    "funnel": ("pages/funnel_page.py", "Funnel"),
    "cohorts": ("pages/cohorts_page.py", "Cohorts"),
    "explore": ("pages/explore_page.py", "Explore"),
    "forecast": ("pages/forecast_page.py", "Forecast"),
    "replenishment": ("pages/replenish_page.py", "Replenishment"),
    "pricing": ("pages/pricing_page.py", "Pricing & promos"),
    "data": ("pages/data_page.py", "Sources"),
    "views": ("pages/views_page.py", "Saved views"),
    "notebooks": ("pages/notebooks_page.py", "Notebooks"),
}


def page_file(url_path: str) -> str | None:
    return PAGES.get(url_path, (None, None))[0]


def page_title(url_path: str) -> str:
    return PAGES.get(url_path, (None, url_path or "Home"))[1]
