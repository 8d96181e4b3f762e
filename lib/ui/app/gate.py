"""The door: when access control is configured (lib.access), nothing renders until the user is in.

Called by app.py before the navigation, so every page, deep link and saved view goes through it; the
link's path and query parameters stay in the address bar and open once the user is in.

Password mode: after the right password the browser keeps a signed token (lib.access.issue_token: its own
id, issue and expiry times checked on the server, signed with the server secret; never the password) in
an HttpOnly, SameSite=Strict, Path=/ cookie (Secure over https) that the SERVER sets: the session puts the
token in HANDOFF under a one-time nonce, the page posts the nonce to COOKIE_PATH (a route served by
cookie_routes, registered by lib.ui.app.serve through compat.add_routes) and the answer's Set-Cookie
stores the token, so page JavaScript never sees it (only the nonce, good once, for a minute). A reload,
another tab and a notebook's embedded views (same-origin iframes, lib/ui/notebooks) send the cookie with
their WebSocket and open without asking again; "Lock" clears it the same way. Without the route (plain
``streamlit run app.py``, another Streamlit) the session opens but the browser is not remembered. Wrong
passwords are slowed per client (lib.access.Backoff) and logged without the attempt.

OpenID Connect mode (an [auth] section in Streamlit's secrets, as st.login reads them): the door's
"Log in" goes to the provider through Streamlit's st.login; once back, the sidebar says who is signed in
and "Log out" (st.logout) returns to the door.
"""
from __future__ import annotations

import hashlib
import logging
import time

import streamlit as st

from lib.access import (
    COOKIE,
    TOKEN_SECONDS,
    AccessConfig,
    Backoff,
    Handoff,
    access_config,
    cookie_header,
    issue_token,
    password_ok,
    server_secret,
    token_ok,
)
from lib.settings import load_secrets
from lib.ui.app import compat

__all__ = ["allowed", "logout_control", "COOKIE", "BACKOFF", "HANDOFF", "COOKIE_PATH", "cookie_routes",
           "config"]

log = logging.getLogger("shopcast")
BACKOFF = Backoff()             # one per server process: wrong passwords per client
HANDOFF = Handoff()             # one per server process: nonces the page exchanges for the cookie
COOKIE_PATH = "/_shopcast/cookie"
_NONCE_BYTES = 256              # a nonce is 32 characters; a longer body is not one

_OK = "_shopcast_access_ok"
_SET_COOKIE = "_shopcast_set_cookie"
_LOCKED = "_shopcast_locked"
COOKIE_SECONDS = TOKEN_SECONDS  # a signed-in browser (and each embedded view in it) stays in for 12 hours


def config() -> AccessConfig:
    """The access configuration: the environment, the project's secrets.toml and Streamlit's own secrets
    (the files st.login reads its [auth] section from, which --secrets.files can point elsewhere)."""
    try:
        own = st.secrets.to_dict()
    except FileNotFoundError:           # no secrets file at all
        own = {}
    return access_config(secrets={**load_secrets(), **own})


def allowed() -> bool:
    cfg = config()
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
    """Who is signed in and a log-out button in the sidebar when access control is on."""
    cfg = config()
    if cfg.oidc and getattr(st.user, "is_logged_in", False):
        who = next((str(st.user.get(k)) for k in ("name", "email", "sub") if st.user.get(k)), "")
        if who:
            st.sidebar.caption(f"Signed in as {who}")
        st.sidebar.button("Log out", icon=":material/logout:", on_click=st.logout, key="gate_logout")
    elif cfg.password and st.session_state.get(_OK):
        if st.session_state.pop(_SET_COOKIE, False):
            _cookie(issue_token(server_secret(), cfg.password, time.time()), COOKIE_SECONDS)
        if st.sidebar.button("Lock", icon=":material/lock:", key="gate_lock"):
            st.session_state.pop(_OK, None)
            st.session_state[_LOCKED] = True          # the cookie this session connected with no longer counts
            _cookie("", 0)
            st.sidebar.success("Locked. The next click asks for the password.", icon=":material/lock:")


def _prefix() -> str:
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _cookie(value: str, max_age: int) -> None:
    """Have the server set (or, empty, clear) the cookie: the page posts a one-time nonce to COOKIE_PATH."""
    if not compat.routes_added():
        log.warning("access: the cookie route is not served (start the app with python -m lib.ui.app.serve); "
                    "this browser is not remembered")
        return
    nonce = HANDOFF.issue(value, max_age, time.time())
    st.html(f"<script>fetch('{_prefix()}{COOKIE_PATH}', {{method: 'POST', body: '{nonce}', "
            "credentials: 'same-origin', cache: 'no-store'});</script>", unsafe_allow_javascript=True)


async def _exchange(request):
    """POST COOKIE_PATH with a nonce as the body: 204 with the Set-Cookie the nonce was issued for, once;
    403 for an unknown, used or expired nonce."""
    from starlette.responses import Response

    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _NONCE_BYTES:
            return Response("Not a sign-in nonce.", status_code=413, media_type="text/plain")
    item = HANDOFF.redeem(body.decode("ascii", "replace").strip(), time.time())
    if item is None:
        return Response("This sign-in has expired: open the app and enter the password again.",
                        status_code=403, media_type="text/plain")
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.headers["Set-Cookie"] = cookie_header(*item, secure=request.url.scheme == "https")
    return response


def cookie_routes(prefix: str = "") -> list:
    """The route the page exchanges a nonce at (for compat.add_routes), under the server's base path."""
    from starlette.routing import Route

    return [Route(f"{prefix}{COOKIE_PATH}", _exchange, methods=["POST"])]
