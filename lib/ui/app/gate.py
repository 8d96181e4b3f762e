"""The door: when access control is configured (lib.access), nothing renders until the user is in.

Called by app.py before the navigation, so every page, deep link and saved view goes through it; the
link's path and query parameters stay in the address bar and open once the user is in. After the
right password the browser keeps a signed token (lib.access.issue_token: its own id, issue and expiry
times checked on the server, signed with the server secret; never the password), so a reload and a
notebook's embedded views open without asking again; "Lock" clears it. Wrong passwords are slowed per
client (lib.access.Backoff) and logged without the attempt.
"""
from __future__ import annotations

import hashlib
import logging
import time

import streamlit as st

from lib.access import (
    TOKEN_SECONDS,
    Backoff,
    access_config,
    issue_token,
    password_ok,
    server_secret,
    token_ok,
)

__all__ = ["allowed", "logout_control", "COOKIE", "BACKOFF"]

log = logging.getLogger("shopcast")
BACKOFF = Backoff()             # one per server process: wrong passwords per client

_OK = "_shopcast_access_ok"
_SET_COOKIE = "_shopcast_set_cookie"
_LOCKED = "_shopcast_locked"
COOKIE = "shopcast_access"
COOKIE_SECONDS = TOKEN_SECONDS  # a signed-in browser (and each embedded view in it) stays in for 12 hours


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
    if not st.session_state.get(_LOCKED) and token_ok(st.context.cookies.get(COOKIE), server_secret(),
                                                      cfg.password, time.time()):
        st.session_state[_OK] = True            # signed in earlier in this browser (or another frame of it)
        return True
    _door("This Shopcast is protected by a password.")
    with st.form("gate", border=False):
        given = st.text_input("Password", type="password", key="gate_password")
        sent = st.form_submit_button("Open", icon=":material/lock_open:", type="primary")
    if sent:
        client, now = _client(), time.monotonic()
        wait = BACKOFF.wait(client, now)
        if wait > 0:
            st.error(f"Too many wrong passwords: try again in {wait:.0f} s.", icon=":material/timer:")
        elif password_ok(given, cfg.password):
            BACKOFF.passed(client)
            st.session_state[_OK] = True
            st.session_state[_SET_COOKIE] = True
            st.session_state.pop(_LOCKED, None)
            st.session_state.pop("gate_password", None)
            st.rerun()
        else:
            delay = BACKOFF.failed(client, now)
            log.warning("access: wrong password from client %s; the next attempt waits %.0f s", client, delay)
            st.error("That password is not right.", icon=":material/lock:")
    return False


def _client() -> str:
    """Who is trying, for the throttle and the log: a hash of the browser's address (never the address)."""
    return _client_hash(getattr(st.context, "ip_address", None) or "unknown")


def _client_hash(address: str) -> str:
    return hashlib.sha256(str(address).encode()).hexdigest()[:12]


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
            _cookie(issue_token(server_secret(), cfg.password, time.time()), COOKIE_SECONDS)
        if st.sidebar.button("Lock", icon=":material/lock:", key="gate_lock"):
            st.session_state.pop(_OK, None)
            st.session_state[_LOCKED] = True          # the cookie this session connected with no longer counts
            _cookie("", 0)
            st.sidebar.success("Locked. The next click asks for the password.", icon=":material/lock:")


def _cookie(value: str, max_age: int) -> None:
    st.html(f"<script>document.cookie = '{COOKIE}={value}; path=/; max-age={int(max_age)}; SameSite=Strict';"
            "</script>", unsafe_allow_javascript=True)
