"""The door: when access control is configured (lib.access), nothing renders until the user is in.

Called by app.py before the navigation, so every page, deep link and saved view goes through it; the
link's path and query parameters stay in the address bar and open once the user is in.
"""
from __future__ import annotations

import hmac
import secrets

import streamlit as st

from lib.access import access_config, password_ok

__all__ = ["allowed", "logout_control", "INNER_TOKEN", "inner_session"]

_OK = "_shopcast_access_ok"
# a headless run this process starts for an export of a user who is already in (lib.ui.notebook_html)
_INNER = "_shopcast_inner_run"
INNER_TOKEN = secrets.token_hex(16)


def allowed() -> bool:
    cfg = access_config()
    if not cfg.enabled:
        return True
    if hmac.compare_digest(str(st.session_state.get(_INNER, "")), INNER_TOKEN):
        return True
    if cfg.oidc:
        if getattr(st.user, "is_logged_in", False):
            return True
        _door("Log in with your organisation's account to open Shopcast.")
        st.button("Log in", icon=":material/login:", on_click=st.login, type="primary", key="gate_login")
        return False
    if st.session_state.get(_OK):
        return True
    _door("This Shopcast is protected by a password.")
    with st.form("gate", border=False):
        given = st.text_input("Password", type="password", key="gate_password")
        sent = st.form_submit_button("Open", icon=":material/lock_open:", type="primary")
    if sent:
        if password_ok(given, cfg.password):
            st.session_state[_OK] = True
            st.session_state.pop("gate_password", None)
            st.rerun()
        st.error("That password is not right.", icon=":material/lock:")
    return False


def _door(text: str) -> None:
    st.title("Shopcast")
    st.info(text, icon=":material/lock:")


def logout_control() -> None:
    """A log-out button in the sidebar when access control is on."""
    cfg = access_config()
    if cfg.oidc and getattr(st.user, "is_logged_in", False):
        st.sidebar.button("Log out", icon=":material/logout:", on_click=st.logout, key="gate_logout")
    elif cfg.password and st.session_state.get(_OK) and st.sidebar.button("Lock", icon=":material/lock:",
                                                                          key="gate_lock"):
        st.session_state.pop(_OK, None)
        st.rerun()


def inner_session(session_state) -> None:
    """Let a headless run started by this process (for an export) through the door."""
    session_state[_INNER] = INNER_TOKEN
