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
   Funnel lost the date range. ``install()`` keeps those keys (:func:`_populate`).
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import streamlit as st
from streamlit.runtime.state import query_params as _qp

__all__ = ["guard", "install", "installed", "SCRIPT"]

log = logging.getLogger("shopcast")
SCRIPT = (Path(__file__).with_name("assets") / "history.js").read_text()
_ORIGINAL = _qp.QueryParams.populate_from_query_string


def _history_navigation() -> bool:
    """Whether the page switch being made is the browser's Back/Forward (read from the caller of the
    caller: Streamlit's ScriptRunner holds it as ``rerun_data``; False when it cannot be told)."""
    frame = sys._getframe(2)
    rerun = frame.f_locals.get("rerun_data") if frame is not None else None
    return bool(getattr(rerun, "is_history_navigation", False))


def _populate(self, query_string: str, valid_script_hashes: set[str] | None = None) -> None:
    """Streamlit's page-switch filter, keeping the shared keys, and every key on Back/Forward."""
    if valid_script_hashes is None:                    # the same page again, or the first load
        return _ORIGINAL(self, query_string, valid_script_hashes)
    keep_all = _history_navigation()
    shared = getattr(type(self), "_shopcast_shared_keys", ())
    parsed = _qp._parse_query_string(query_string)
    self.clear_with_no_forward_msg()
    stale, dropped = [], False
    for key, values in parsed.items():
        binding = self._bindings_by_param.get(key)
        if binding is not None and binding.script_hash not in valid_script_hashes:
            stale.append(binding.widget_id)            # the new page's widget binds it again
            if not (keep_all or key in shared):
                dropped = True                          # the old page's own setting
                continue
        self.set_with_no_forward_msg(key, values[-1] if len(values) == 1 else (values or ""))
    for widget_id in stale:
        self.unbind_widget(widget_id)
    if dropped:
        self._send_query_param_msg()
    return None


def install(shared_keys: tuple[str, ...]) -> bool:
    """Replace Streamlit's page-switch URL filter (idempotent). False, and Streamlit's own behaviour,
    when this Streamlit is not the one it was written against."""
    needed = ("_bindings_by_param", "clear_with_no_forward_msg", "set_with_no_forward_msg", "unbind_widget",
              "_send_query_param_msg")
    if not hasattr(_qp, "_parse_query_string") or not all(
            hasattr(_qp.QueryParams, n) or n in _qp.QueryParams.__dataclass_fields__ for n in needed):
        log.warning("history: this Streamlit has no page-switch URL filter to replace; Back may lose keys")
        return False
    _qp.QueryParams._shopcast_shared_keys = tuple(shared_keys)
    _qp.QueryParams.populate_from_query_string = _populate
    return True


def installed() -> bool:
    return _qp.QueryParams.populate_from_query_string is _populate


def guard() -> None:
    """Install the browser's half (assets/history.js: once per page load; drawn again it is a no-op)."""
    with st.sidebar:
        st.html(f"<script>{SCRIPT}</script>", unsafe_allow_javascript=True)
