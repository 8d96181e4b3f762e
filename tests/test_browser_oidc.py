"""Log in with OpenID Connect through a real browser: Streamlit's st.login (Authlib) against a local
provider (tests/support/oidc.py) on 127.0.0.1, the app's secrets pointing at it (--secrets.files).

The door shows "Log in"; the button goes to the provider, whose page lets us pick the user; back in the
app the pages open and the sidebar says who is signed in; "Log out" goes through the provider's end of
session and back to the door."""
from __future__ import annotations

import pytest

from tests.support.browser import fresh_page
from tests.support.oidc import provider, write_auth_secrets
from tests.support.server import free_port, serve

pytestmark = pytest.mark.browser

WAIT = 60_000
DOOR = "Log in with your organisation's account"
USERS = {"ada": {"name": "Ada Lovelace", "email": "ada@example.com"},
         "grace": {"name": "Grace Hopper", "email": "grace@example.com"}}


@pytest.fixture(scope="module")
def urls(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc")
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    with provider(USERS) as provider_url:
        secrets = write_auth_secrets(folder / "secrets.toml", provider_url, app_url, "cookie-secret-of-this-test")
        with serve(folder, port=port, args=("--secrets.files", str(secrets))) as url:
            assert url == app_url
            yield url, provider_url


def offline(page) -> None:
    """The provider's pages link a stylesheet on a CDN: nothing leaves this machine."""
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
               else route.abort())


def at_the_door(page) -> None:
    page.get_by_text(DOOR).wait_for(timeout=WAIT)
    assert page.get_by_role("button", name="Log out").count() == 0


def test_log_in_at_the_provider_see_who_and_log_out(browser, urls):
    app_url, provider_url = urls
    ctx, page = fresh_page(browser)
    offline(page)
    page.goto(app_url + "/data")
    at_the_door(page)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{provider_url}/**", timeout=WAIT)                 # the provider's own page
    assert "Authorize Client" in page.content()
    page.get_by_role("button", name="grace").click()                      # the mock's chooser: this subject
    page.wait_for_url(f"{app_url}/**", timeout=WAIT)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Signed in as Grace Hopper").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Log out").wait_for(timeout=WAIT)
    assert page.get_by_text(DOOR).count() == 0
    assert sidebar.get_by_text("Warehouse:").count() == 1                  # the app itself is open
    auth = [c for c in ctx.cookies() if c["name"].startswith("_streamlit_user")]
    assert auth and all(c["httpOnly"] for c in auth)                        # Streamlit's own cookie
    page.reload()
    sidebar.get_by_text("Signed in as Grace Hopper").wait_for(timeout=WAIT)  # stays in on a reload
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{provider_url}/**", timeout=WAIT)                 # the provider ends its session
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app_url}/**", timeout=WAIT)
    at_the_door(page)
    assert not [c for c in ctx.cookies() if c["name"].startswith("_streamlit_user")]
    page.reload()
    at_the_door(page)
    ctx.close()


def test_another_user_is_shown_by_their_own_name(browser, urls):
    app_url, provider_url = urls
    ctx, page = fresh_page(browser)
    offline(page)
    page.goto(app_url + "/")
    at_the_door(page)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{provider_url}/**", timeout=WAIT)
    page.get_by_role("button", name="ada").click()
    page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as Ada Lovelace").wait_for(timeout=WAIT)
    ctx.close()
