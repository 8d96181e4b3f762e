"""The door: when access control is configured (lib.access), nothing renders until the user is in.

Called by app.py before the navigation, so every page, deep link and saved view goes through it; the
link's path and query parameters stay in the address bar and open once the user is in. After the
right password the browser keeps a signed token (cookie, 12 hours, never the password), so a reload
and a notebook's embedded views open without asking again; "Lock" clears it.
"""
from __future__ import annotations

import hashlib
import hmac

import streamlit as st

from lib.access import access_config, password_ok

__all__ = ["allowed", "logout_control", "cookie_token", "COOKIE"]

_OK = "_shopcast_access_ok"
_SET_COOKIE = "_shopcast_set_cookie"
_LOCKED = "_shopcast_locked"
COOKIE = "shopcast_access"
COOKIE_SECONDS = 12 * 3600      # a signed-in browser (and each embedded view in it) stays in for 12 hours


def allowed() -> bool:
    cfg = access_config()
    if not cfg.enabled:
        return True
    if cfg.oidc:
        if getattr(st.user, "is_logged_in", False):
            return True
        _door("Log in with your organisation's account to open Shopcast.")
        st.button("Log in", icon=":material/login:", on_click=st.login, type="primary", key="gate_login")
        return False
    if st.session_state.get(_OK):
        return True
    if not st.session_state.get(_LOCKED) and hmac.compare_digest(str(st.context.cookies.get(COOKIE, "")),
                                                                 cookie_token(cfg.password)):
        st.session_state[_OK] = True            # signed in earlier in this browser (or another frame of it)
        return True
    _door("This Shopcast is protected by a password.")
    with st.form("gate", border=False):
        given = st.text_input("Password", type="password", key="gate_password")
        sent = st.form_submit_button("Open", icon=":material/lock_open:", type="primary")
    if sent:
        if password_ok(given, cfg.password):
            st.session_state[_OK] = True
            st.session_state[_SET_COOKIE] = True
            st.session_state.pop(_LOCKED, None)
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
    elif cfg.password and st.session_state.get(_OK):
        if st.session_state.pop(_SET_COOKIE, False):
            _cookie(cookie_token(cfg.password), COOKIE_SECONDS)
        if st.sidebar.button("Lock", icon=":material/lock:", key="gate_lock"):
            st.session_state.pop(_OK, None)
            st.session_state[_LOCKED] = True          # the cookie this session connected with no longer counts
            _cookie("", 0)
            st.sidebar.success("Locked. The next click asks for the password.", icon=":material/lock:")


def cookie_token(password: str | None) -> str:
    """What the browser keeps after a right password: an HMAC of a fixed label under the password (the
    password itself never leaves the server); changing the password signs everyone out."""
    return hmac.new(str(password or "").encode(), b"shopcast-access-v1", hashlib.sha256).hexdigest()


def _cookie(value: str, max_age: int) -> None:
    st.html(f"<script>document.cookie = '{COOKIE}={value}; path=/; max-age={int(max_age)}; SameSite=Strict';"
            "</script>", unsafe_allow_javascript=True)
