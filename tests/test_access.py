"""Access control (off by default), the password door, sharing links and meeting mode."""
from __future__ import annotations

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from lib.access import (
    BACKOFF_MAX,
    OIDC_KEYS,
    Backoff,
    access_config,
    issue_token,
    password_ok,
    server_secret,
    token_ok,
)
from lib.ui.app import gate
from tests.support.paths import ROOT

OIDC = {k: f"x-{k}" for k in OIDC_KEYS}


def test_off_unless_configured_and_the_password_never_in_repr():
    assert access_config(env={}, secrets={}).enabled is False
    cfg = access_config(env={"SHOPCAST_PASSWORD": "s3cret"}, secrets={})
    assert cfg.enabled and cfg.method == "password" and "s3cret" not in repr(cfg)
    assert access_config(env={}, secrets={"shopcast": {"password": "pw"}}).password == "pw"
    assert access_config(env={}, secrets={"auth": OIDC}).method == "oidc"
    incomplete = {k: v for k, v in OIDC.items() if k != "client_secret"}
    assert access_config(env={}, secrets={"auth": incomplete}).enabled is False


@pytest.mark.parametrize("given, ok", [("s3cret", True), ("s3cre", False), ("S3cret", False), ("", False),
                                       (None, False), ("s3cret ", False)])
def test_password_comparison(given, ok):
    assert password_ok(given, "s3cret") is ok
    assert password_ok(given, None) is False and password_ok(given, "") is False


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SHOPCAST_PASSWORD", raising=False)
    return monkeypatch


def test_a_protected_app_shows_only_the_door_until_the_password_is_right(app_env, caplog):
    app_env.setenv("SHOPCAST_PASSWORD", "s3cret")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["src"] = "Demo store"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Shopcast" and "protected by a password" in at.info[0].value
    assert len(at.title) == 1 and not at.sidebar.caption               # no page, no warehouse line
    app_env.setattr(gate, "_client", lambda: "one-browser")            # AppTest's address is not a browser's
    app_env.setattr(gate.compat, "routes_added", lambda: True)         # as under lib.ui.app.serve
    gate.BACKOFF.passed("one-browser")
    at.text_input(key="gate_password").input("hunter2")
    at.button[0].click().run()
    assert "not right" in at.error[0].value and len(at.title) == 1
    # logged with the client's hash, never the attempt
    assert "wrong password from client one-browser; the next attempt waits 1 s" in caplog.text
    assert "hunter2" not in caplog.text
    at.text_input(key="gate_password").input("s3cret")
    at.button[0].click().run()                                         # right, but within a second: refused
    assert "Too many wrong passwords: try again in 1 s." in at.error[0].value and len(at.title) == 1
    time.sleep(1.05)
    at.text_input(key="gate_password").input("s3cret")
    at.button[0].click().run()
    assert not at.exception
    assert any("Warehouse:" in c.value for c in at.sidebar.caption)   # the app itself is open
    assert at.query_params["src"] == "Demo store"                      # the link's state survived
    assert "s3cret" not in str(at.query_params)
    scripts = [h.proto.body for h in at.get("html")]
    nonces = [m for h in scripts for m in re.findall(r"fetch\('/_shopcast/cookie', \{method: 'POST', body: '([\w-]+)'", h)]
    assert len(nonces) == 1 and not any("v2." in h or "document.cookie" in h for h in scripts)   # no token in JS
    token, max_age = gate.HANDOFF.redeem(nonces[0], time.time())          # what the server's route will set
    assert max_age == 12 * 3600 and token_ok(token, server_secret(), "s3cret", time.time())    # remembered, signed
    assert gate.HANDOFF.redeem(nonces[0], time.time()) is None                                 # once
    assert not any("s3cret" in h for h in scripts)                                    # never the password
    assert at.sidebar.button(key="gate_lock") is not None


def test_a_token_expires_and_is_revoked_by_a_new_password_or_secret():
    t = issue_token("k1", "pw", now=1_000_000, seconds=3600, token_id="ab12")
    assert t.startswith("v2.ab12.1000000.1003600.") and len(t.split(".")[4]) == 64 and "pw" not in t
    assert token_ok(t, "k1", "pw", now=1_000_000) and token_ok(t, "k1", "pw", now=1_003_599)
    assert not token_ok(t, "k1", "pw", now=1_003_600)                    # expired, checked on the server
    assert not token_ok(t, "k1", "pw2", now=1_000_100)                   # the password changed
    assert not token_ok(t, "k2", "pw", now=1_000_100)                    # the secret changed
    assert not token_ok(t.replace(".1003600.", ".9999999."), "k1", "pw", now=1_000_100)   # a longer life, forged
    assert not token_ok(t, "k1", "pw", now=1_000_000 - 3600)             # issued in the future
    assert not token_ok(None, "k1", "pw", 0) and not token_ok("junk", "k1", "pw", 0)
    assert not token_ok(t, "k1", None, now=1_000_000)
    other = issue_token("k1", "pw", now=1_000_000)
    assert other.split(".")[1] != issue_token("k1", "pw", now=1_000_000).split(".")[1]   # a random id each


def test_the_secret_comes_from_the_environment_or_secrets_else_this_process():
    assert server_secret(env={"SHOPCAST_SECRET": "e"}, secrets={"shopcast": {"secret": "s"}}) == "e"
    assert server_secret(env={}, secrets={"shopcast": {"secret": "s"}}) == "s"
    own = server_secret(env={}, secrets={})
    assert len(own) == 64 and own == server_secret(env={}, secrets={})


def test_wrong_passwords_wait_longer_each_time_per_client():
    b = Backoff()
    assert b.wait("a", 0.0) == 0.0
    assert [b.failed("a", t) for t in (0.0, 1.0, 3.0, 7.0)] == [1.0, 2.0, 4.0, 8.0]
    assert b.wait("a", 7.0) == 8.0 and b.wait("a", 14.0) == 1.0 and b.wait("a", 15.0) == 0.0
    assert b.wait("b", 7.0) == 0.0                                        # another client is not slowed
    for t in range(10):
        b.failed("a", 100.0 + t)
    assert b.wait("a", 109.0) == BACKOFF_MAX
    b.passed("a")
    assert b.wait("a", 109.0) == 0.0


def test_an_open_app_has_a_share_box_with_the_pages_link(app_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data_page.py")
    at.query_params["src"] = "Demo store"
    at.query_params["seed"] = "11"
    at.run()
    links = [c.value for c in at.sidebar.code]
    assert links[0] == "http://localhost:8501/data?src=Demo+store&seed=11"
    assert links[1] == "http://localhost:8501/data?src=Demo+store&seed=11&meeting=1"
    assert not [h for h in at.get("html") if "display: none" in str(h.proto)]


def test_meeting_mode_hides_the_chrome_and_keeps_the_view(app_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data_page.py")
    at.query_params["meeting"] = "1"
    at.run()
    assert not at.exception
    styles = [str(h.proto) for h in at.get("html")]
    assert any("stSidebar" in s and "stSelectbox" in s for s in styles)
    assert any("Leave meeting mode" in m.value for m in at.markdown)


def test_an_auth_section_in_streamlits_secrets_shows_the_log_in_door(app_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = OIDC                       # Streamlit's own secrets, where st.login reads them
    at.run()
    assert not at.exception
    assert at.title[0].value == "Shopcast" and "Log in with your organisation's account" in at.info[0].value
    assert [b.label for b in at.button] == ["Log in"] and len(at.title) == 1 and not at.sidebar.caption
