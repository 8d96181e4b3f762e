"""The server-set cookie of the password door: one-time nonces (lib.access.Handoff), the Set-Cookie value
(lib.access.cookie_header), the route that exchanges a nonce for it (lib.ui.app.gate.cookie_routes, run
by Starlette's test client), and its registration ahead of Streamlit's routes (lib.ui.app.compat.add_routes)."""
from __future__ import annotations

import logging
import time

import pytest
import streamlit
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.web.server.starlette import starlette_app

from lib.access import NONCE_SECONDS, Handoff, cookie_header
from lib.ui.app import compat, gate


def test_a_nonce_is_good_once_and_for_a_minute():
    box = Handoff()
    a = box.issue("v2.ab.1.2.sig", 43200, now=1000.0)
    b = box.issue("", 0, now=1000.0)
    assert a != b and len(a) == 32 and len(box) == 2
    assert box.redeem(a, now=1000.0 + NONCE_SECONDS - 1) == ("v2.ab.1.2.sig", 43200)
    assert box.redeem(a, now=1000.0) is None                              # used
    assert box.redeem(b, now=1000.0 + NONCE_SECONDS) is None              # expired (and dropped)
    assert len(box) == 0
    assert box.redeem(None, 0) is None and box.redeem("", 0) is None and box.redeem("made-up", 0) is None


def test_the_cookie_is_httponly_strict_and_secure_over_https():
    assert cookie_header("v2.ab.1.2.f0", 43200, secure=False) == \
        "shopcast_access=v2.ab.1.2.f0; Max-Age=43200; Path=/; HttpOnly; SameSite=Strict"
    assert cookie_header("v2.ab.1.2.f0", 43200, secure=True).endswith("; HttpOnly; SameSite=Strict; Secure")
    assert cookie_header("", 0, secure=False) == "shopcast_access=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"
    for bad in ("a;b", "a b", "a\r\nSet-Cookie: x=1", "é"):
        with pytest.raises(ValueError):
            cookie_header(bad, 1, secure=False)


@pytest.fixture
def client():
    gate.HANDOFF._items.clear()
    with TestClient(Starlette(routes=gate.cookie_routes("/base")), base_url="http://127.0.0.1") as c:
        yield c


def test_the_route_exchanges_a_nonce_for_the_cookie_once(client):
    nonce = gate.HANDOFF.issue("v2.ab.1.2.f0", 43200, time.time())
    answer = client.post("/base/_shopcast/cookie", content=nonce)
    assert answer.status_code == 204 and answer.headers["cache-control"] == "no-store"
    assert answer.headers["set-cookie"] == \
        "shopcast_access=v2.ab.1.2.f0; Max-Age=43200; Path=/; HttpOnly; SameSite=Strict"
    again = client.post("/base/_shopcast/cookie", content=nonce)
    assert again.status_code == 403 and "set-cookie" not in again.headers
    assert again.text == "This sign-in has expired: open the app and enter the password again."
    assert client.get("/base/_shopcast/cookie").status_code == 405                # only a POST
    assert client.post("/base/_shopcast/cookie", content="x" * 300).status_code == 413
    assert client.post("/_shopcast/cookie", content=nonce).status_code == 404       # under the base path only


def test_over_https_the_cookie_is_secure_and_lock_clears_it():
    gate.HANDOFF._items.clear()
    with TestClient(Starlette(routes=gate.cookie_routes()), base_url="https://shop.example") as c:
        answer = c.post("/_shopcast/cookie", content=gate.HANDOFF.issue("", 0, time.time()))
    assert answer.headers["set-cookie"] == "shopcast_access=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict; Secure"


def test_the_routes_come_ahead_of_streamlits_and_replace_an_earlier_registration(monkeypatch):
    monkeypatch.setattr(starlette_app, "create_streamlit_routes", lambda runtime: ["streamlit's"])
    assert not compat.routes_added()
    assert compat.add_routes(lambda prefix: [f"first{prefix}"])
    assert compat.add_routes(lambda prefix: [f"mine{prefix}"])                    # replaces, does not stack
    assert compat.routes_added()
    assert starlette_app.create_streamlit_routes(None) == ["mine", "streamlit's"]
    monkeypatch.setattr(streamlit, "get_option",
                        lambda name: "/shop/" if name == "server.baseUrlPath" else None)
    assert starlette_app.create_streamlit_routes(None) == ["mine/shop", "streamlit's"]


def test_on_another_streamlit_no_route_is_added_and_the_browser_is_not_remembered(monkeypatch, caplog):
    monkeypatch.setattr(streamlit, "__version__", "9.9.0")
    before = starlette_app.create_streamlit_routes
    with caplog.at_level(logging.WARNING, logger="shopcast"):
        assert compat.add_routes(gate.cookie_routes) is False
    assert starlette_app.create_streamlit_routes is before and compat.routes_added() is False
    assert "not applied (a browser is not remembered after the password)" in caplog.text
