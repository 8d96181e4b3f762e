"""The password door in a real browser (Playwright on Debian's chromium, a live `python -m lib.ui.app.serve`).

The token is kept in an HttpOnly, SameSite=Strict, Path=/ cookie that the server sets when the page posts
the one-time nonce of its session (lib/ui/app/gate.py): page JavaScript never sees it. A reload, another
tab and a same-origin embedded view open without the password; "Lock" clears the cookie; an expired
token, one signed with another secret and a nonce used twice are refused.
"""
from __future__ import annotations

import time

import pytest

from lib.access import COOKIE, TOKEN_SECONDS, issue_token, token_ok
from lib.ui.app.gate import COOKIE_PATH
from tests.support.browser import fresh_page
from tests.support.server import serve

pytestmark = pytest.mark.browser

PASSWORD = "correct horse"
SECRET = "secret-of-this-test-server"
WAIT = 60_000
DOOR = "protected by a password"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("access"), SHOPCAST_PASSWORD=PASSWORD, SHOPCAST_SECRET=SECRET) as url:
        yield url


def at_the_door(page) -> None:
    page.get_by_text(DOOR).wait_for(timeout=WAIT)
    assert page.get_by_role("button", name="Lock").count() == 0


def inside(page) -> None:
    """The app itself: the sidebar's Lock button, no password field."""
    page.get_by_role("button", name="Lock").wait_for(timeout=WAIT)
    assert page.get_by_text(DOOR).count() == 0 and page.get_by_label("Password", exact=True).count() == 0


def exchanged(page):
    """Expect the page's post of its nonce to the cookie route (use as a context manager)."""
    return page.expect_response(lambda r: r.url.endswith(COOKIE_PATH) and r.request.method == "POST",
                                timeout=WAIT)


def sign_in(page, password: str = PASSWORD):
    page.get_by_label("Password", exact=True).fill(password)
    with exchanged(page) as answer:
        page.get_by_role("button", name="Open").click()
    return answer.value


def the_cookie(ctx) -> dict | None:
    found = [c for c in ctx.cookies() if c["name"] == COOKIE]
    assert len(found) <= 1
    return found[0] if found else None


def test_the_server_sets_an_httponly_cookie_that_page_javascript_never_sees(browser, app_url):
    ctx, page = fresh_page(browser)
    page.goto(app_url + "/")
    at_the_door(page)
    assert the_cookie(ctx) is None
    answer = sign_in(page)
    assert answer.status == 204 and answer.headers["cache-control"] == "no-store"
    inside(page)
    cookie = the_cookie(ctx)
    assert cookie is not None
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"], cookie["secure"]) == (True, "Strict", "/", False)
    assert token_ok(cookie["value"], SECRET, PASSWORD, time.time())
    assert abs(cookie["expires"] - (time.time() + TOKEN_SECONDS)) < 120           # 12 hours from now
    assert COOKIE not in page.evaluate("document.cookie")                           # out of JavaScript's reach
    assert cookie["value"] not in page.content()                                     # nor anywhere in the page
    # the nonce the page posted was good once: replayed, it is refused and sets nothing
    nonce = answer.request.post_data
    replay = ctx.request.post(app_url + COOKIE_PATH, data=nonce)
    assert replay.status == 403 and "set-cookie" not in replay.headers
    assert "expired" in replay.text()
    ctx.close()


def test_a_reload_another_tab_and_an_embedded_view_open_and_lock_asks_again(browser, app_url):
    ctx, page = fresh_page(browser)
    page.goto(app_url + "/")
    at_the_door(page)
    sign_in(page)
    inside(page)
    page.reload()
    inside(page)                                                  # the cookie opened it, no password
    other = ctx.new_page()
    other.goto(app_url + "/data")
    inside(other)
    # a notebook's embedded view: a same-origin frame, its own session, opened by the same cookie
    page.evaluate("""src => { const f = document.createElement('iframe'); f.id = 'embedded'; f.src = src;
                              f.style.height = '600px'; document.body.appendChild(f); }""",
                  app_url + "/?meeting=1&embed=true")
    frame = page.frame_locator("#embedded")
    frame.locator('[data-testid="stApp"]').wait_for(timeout=WAIT)
    frame.locator('[data-testid="stMain"] h1').first.wait_for(timeout=WAIT)
    assert frame.get_by_text(DOOR).count() == 0
    with exchanged(page) as answer:
        page.get_by_role("button", name="Lock").click()
    assert answer.value.status == 204
    page.get_by_text("Locked.").wait_for(timeout=WAIT)
    assert the_cookie(ctx) is None                                # cleared by the server
    page.reload()
    at_the_door(page)
    other.reload()
    at_the_door(other)
    ctx.close()


@pytest.mark.parametrize("token, opens", [
    (lambda now: issue_token(SECRET, PASSWORD, now), True),                              # sanity: a good one opens
    (lambda now: issue_token(SECRET, PASSWORD, now - TOKEN_SECONDS - 60), False),         # issued 12 h 1 min ago
    (lambda now: issue_token("another secret", PASSWORD, now), False),                    # signed elsewhere
    (lambda now: issue_token(SECRET, "an old password", now), False),                     # before a new password
], ids=["valid", "expired", "other-secret", "old-password"])
def test_only_a_live_token_of_this_server_opens(browser, app_url, token, opens):
    ctx, page = fresh_page(browser)
    ctx.add_cookies([{"name": COOKIE, "value": token(time.time()), "url": app_url, "httpOnly": True,
                      "sameSite": "Strict"}])
    page.goto(app_url + "/")
    if opens:
        inside(page)
    else:
        at_the_door(page)
    ctx.close()


def test_a_wrong_password_sets_no_cookie(browser, app_url):
    ctx, page = fresh_page(browser)
    page.goto(app_url + "/")
    at_the_door(page)
    page.get_by_label("Password", exact=True).fill("wrong")
    page.get_by_role("button", name="Open").click()
    page.get_by_text("That password is not right.").wait_for(timeout=WAIT)
    assert the_cookie(ctx) is None
    ctx.close()
