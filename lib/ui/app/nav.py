"""The app's pages, declared once: app.py builds the navigation from this registry, and every module that
links to a page, names it or checks a URL path reads it here.

    REGISTRY                    Page(url_path, file, title, icon, section), in navigation order
    SECTIONS                    {section: [Page, ...]} in order (the sidebar's groups)
    PAGES                       {url_path: (page file, title)}
    page_file(url_path) / page_title(url_path)
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["Page", "REGISTRY", "SECTIONS", "PAGES", "page_file", "page_title"]


class Page(NamedTuple):
    url_path: str          # "" for Home, the default page
    file: str
    title: str
    icon: str
    section: str


REGISTRY: tuple[Page, ...] = (
    Page("", "pages/home_page.py", "Home", ":material/home:", "Overview"),
    Page("overview", "pages/overview_page.py", "Overview", ":material/monitoring:", "Overview"),
    Page("funnel", "pages/funnel_page.py", "Funnel", ":material/filter_alt:", "Customers"),
    Page("cohorts", "pages/cohorts_page.py", "Cohorts", ":material/group:", "Customers"),
    Page("marketing", "pages/marketing_page.py", "Marketing", ":material/campaign:", "Customers"),
    Page("explore", "pages/explore_page.py", "Explore", ":material/explore:", "Customers"),
    Page("forecast", "pages/forecast_page.py", "Forecast", ":material/query_stats:", "Planning"),
    Page("replenishment", "pages/replenish_page.py", "Replenishment", ":material/inventory_2:", "Planning"),
    Page("pricing", "pages/pricing_page.py", "Pricing & promos", ":material/sell:", "Planning"),
    Page("data", "pages/data_page.py", "Sources", ":material/database:", "Data"),
    Page("views", "pages/views_page.py", "Saved views", ":material/bookmarks:", "Data"),
    Page("notebooks", "pages/notebooks_page.py", "Notebooks", ":material/book_2:", "Data"),
)
SECTIONS: dict[str, list[Page]] = {}
for _p in REGISTRY:
    SECTIONS.setdefault(_p.section, []).append(_p)
PAGES: dict[str, tuple[str, str]] = {p.url_path: (p.file, p.title) for p in REGISTRY}


def page_file(url_path: str) -> str | None:
    return PAGES.get(url_path, (None, None))[0]


def page_title(url_path: str) -> str:
    return PAGES.get(url_path, (None, url_path or "Home"))[1]
