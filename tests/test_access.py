"""Access control (off by default), the password door, sharing links and meeting mode."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.access import OIDC_KEYS, access_config, password_ok
from lib.ui.app.gate import cookie_token
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


def test_a_protected_app_shows_only_the_door_until_the_password_is_right(app_env):
    app_env.setenv("SHOPCAST_PASSWORD", "s3cret")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["src"] = "Demo store"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Shopcast" and "protected by a password" in at.info[0].value
    assert len(at.title) == 1 and not at.sidebar.caption               # no page, no warehouse line
    at.text_input(key="gate_password").input("wrong")
    at.button[0].click().run()
    assert "not right" in at.error[0].value and len(at.title) == 1
    at.text_input(key="gate_password").input("s3cret")
    at.button[0].click().run()
    assert not at.exception
    assert any("Warehouse:" in c.value for c in at.sidebar.caption)   # the app itself is open
    assert at.query_params["src"] == "Demo store"                      # the link's state survived
    assert "s3cret" not in str(at.query_params)
    scripts = [str(h.proto) for h in at.get("html")]
    assert any(f"shopcast_access={cookie_token('s3cret')}" in h for h in scripts)     # remembered, signed
    assert not any("s3cret" in h for h in scripts)                                    # never the password
    assert at.sidebar.button(key="gate_lock") is not None


def test_the_remembered_token_changes_with_the_password():
    assert cookie_token("a") != cookie_token("b") and len(cookie_token("a")) == 64
    assert cookie_token("a") == cookie_token("a")


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
