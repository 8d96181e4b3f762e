"""Back and Forward return to the views the user saw: one browser history entry per page.

Two flaws of Streamlit 1.67 (the pinned version) broke the browser's Back button across pages:

1. Its frontend pushes a history entry for every query-string message of the server, under the path
   shown at that moment. On a page switch the server sends such messages *before* the new page's path
   is pushed (it drops the old page's widget-bound keys; the app carries the shared settings), so the
   page left got extra entries such as ``/overview`` (no parameters: a view never shown), and Back
   landed there. ``guard()`` installs a small script (assets/history.js) in the page: a push to the
   path already shown updates the current entry instead, and is dropped while a link to another page
   is being followed (the new page's entry gets the query as it stands then).
2. On a page switch its server drops every URL key whose widget was last drawn by another page. Right
   for the keys a page leaves behind, wrong for the settings shared by all pages (date range, channels,
   data version) and wrong for Back/Forward, where the URL of the entry is the view to show: Back to
   Explore through Cohorts lost Explore's metric (both pages have a "metric"), Back to Overview through
   Funnel lost the date range. ``install()`` keeps those keys (lib.ui.app.compat.keep_shared_on_page_switch: Streamlit internals live there).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib.ui.app import compat

__all__ = ["guard", "install", "installed", "SCRIPT"]

SCRIPT = (Path(__file__).resolve().parents[1] / "assets" / "history.js").read_text()


def install(shared_keys: tuple[str, ...]) -> bool:
    """Replace Streamlit's page-switch URL filter (lib.ui.app.compat.keep_shared_on_page_switch; idempotent).
    False, and Streamlit's own behaviour, when this Streamlit is not the one it was written against."""
    return compat.keep_shared_on_page_switch(shared_keys)


def installed() -> bool:
    return compat.page_switch_patched()


def guard() -> None:
    """Install the browser's half (assets/history.js: once per page load; drawn again it is a no-op)."""
    with st.sidebar:
        st.html(f"<script>{SCRIPT}</script>", unsafe_allow_javascript=True)
