"""Sharing a view: the page's link (with every control's value) and meeting mode.

- ``share_box(page)`` puts a "Share this view" popover in the sidebar: the link to this page with its
  query parameters and the data version (``dv``: the warehouse keeps the last N versions, so the link
  keeps showing these numbers after new loads, with a banner), ready to copy (st.code has a copy
  button), and the same link in meeting mode.
- ``meeting=1`` in a link turns on meeting mode: no sidebar, no header, no controls (their values
  still come from the link, so the view is the same), wider layout and larger figures, for a screen
  in a meeting room. A small link at the top leaves it.
Only the controls' own values are in a link: no secret ever goes into one.
"""
from __future__ import annotations

from html import escape
from urllib.parse import urlencode

import streamlit as st

from lib.ui.app import compat, shell

__all__ = ["MEETING", "FRAME", "in_meeting", "page_link", "share_box", "meeting_mode", "CONTROL_TESTIDS"]

MEETING = "meeting"
FRAME = "frame"            # frame=1: the view is embedded in a notebook cell (Streamlit hides its own "embed")
CONTROL_TESTIDS = compat.CONTROL_TESTIDS   # Streamlit element types that are controls: hidden in meeting mode


def in_meeting() -> bool:
    return st.query_params.get(MEETING) == "1"


def _params(meeting: bool | None) -> list[tuple[str, str]]:
    out = [(k, v) for k in st.query_params for v in st.query_params.get_all(k) if k not in (MEETING, FRAME)]
    version = shell.data_version()
    if shell.DV not in st.query_params and version != "empty":
        out.append((shell.DV, version))                  # the link keeps showing this data after new loads
    if meeting:
        out.append((MEETING, "1"))
    return out


def page_link(url_path: str, *, meeting: bool | None = None, params: list[tuple[str, str]] | None = None) -> str:
    """The full link to a page: with this page's query parameters (meeting flag added or left out), or
    with exactly ``params``."""
    base = shell.app_root()
    query = urlencode(_params(meeting) if params is None else params)
    path = f"{base}/{url_path}" if url_path else f"{base}/"
    return f"{path}?{query}" if query else path


def share_box(url_path: str, save_form=None) -> None:
    """Sidebar popover with the page's link, ready to copy, and its meeting-mode link; ``save_form(url_path)``
    (lib.ui.views.view.save_form, passed by app.py) draws the "save this view" form under them."""
    with st.sidebar.popover("Share this view", icon=":material/share:", width="stretch"):
        st.caption("Copy this link: it opens this page with the same controls, so the same numbers.")
        st.code(page_link(url_path, meeting=False), language=None, wrap_lines=True)
        st.caption("For the meeting-room screen (no sidebar or controls, larger figures):")
        st.code(page_link(url_path, meeting=True), language=None, wrap_lines=True)
        if save_form is not None and url_path not in ("views", "notebooks"):
            save_form(url_path)


MEETING_SCALE = 1.15       # larger figures on the meeting-room screen


def _css(embedded: bool = False) -> str:
    """Meeting mode's style. Larger type through the root font size (Streamlit sizes text and spacing in
    rem), not a CSS zoom: a zoomed page lays out at the window width and then overflows it. An embedded
    view (a notebook cell) keeps the normal size: its frame is narrower than a screen."""
    t = compat.testid
    controls = ", ".join(f'{t("stElementContainer")}:has({t(c)})' for c in CONTROL_TESTIDS)
    pad = "0.5rem 0.5rem 1rem" if embedded else "1rem 2.5rem 3rem"
    size = "" if embedded else f"html {{ font-size: {16 * MEETING_SCALE:.1f}px; }}"
    return f"""<style>
{t("stSidebar")}, {t("stExpandSidebarButton")},
header{t("stHeader")} {{ display: none !important; }}
{controls} {{ display: none !important; }}
{t("stMainBlockContainer")} {{ max-width: 100% !important; padding: {pad} !important; }}
{size}
</style>"""


def meeting_mode(url_path: str) -> None:
    """Apply meeting mode when the link asks for it (call once per run, before the page)."""
    if not in_meeting():
        return
    embedded = st.query_params.get(FRAME) == "1"
    st.html(_css(embedded))
    if embedded:
        return
    href = escape(page_link(url_path, meeting=False), quote=True)
    st.markdown(f'<div style="text-align:right;font-size:0.8rem"><a href="{href}" target="_self">Leave meeting '
                'mode</a></div>', unsafe_allow_html=True)
