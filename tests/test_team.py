"""Issue 16: team mode (`make team`): replicas behind nginx on one PostgreSQL warehouse.

Unit tests of the parts (nginx's own `nginx -t` on the configuration, the shares, the refused DuckDB URL,
the shared secret), then a live team of two replicas (lib.ops.team, as `make team` runs it) on a database of
the session's PostgreSQL server, seeded with the small pricing store, driven through the proxy by real
browsers pinned to one replica or the other: a saved view, a link, a saved scenario and a notebook made through one
replica open through the other with the same numbers; a load through one is seen by the other on its next
rerun; stopping the supervisor leaves no process behind.
"""
from __future__ import annotations

import re
import signal
import stat
import subprocess
import time
import urllib.request

import pytest

import tests.support.team as team_support
from lib.ops import nginx
from lib.ops.team import TeamError, shared_secret, warehouse_plan
from lib.settings import Settings
from tests.support.browser import choose
from tests.support.browser_basic import settle
from tests.support.sharing_browser import (
    CHANNEL,
    RANGE,
    overview_state,
    save_view,
    set_overview,
    tile,
    wait_title,
)
from tests.support.team import alive, children, cmdline, need_nginx, pin, replica_shown, start_team

VIEWPORT = {"width": 1400, "height": 1000}
SLOW = 120_000


# -- the parts ---------------------------------------------------------------------------------------------
def test_the_configuration_passes_nginx_own_check(tmp_path):
    need_nginx()
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx.render_config(tmp_path, 8500, [9001, 9002, 9003]))
    res = subprocess.run([team_support.NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    text = conf.read_text()
    assert "upstream r1 { server 127.0.0.1:9001" in text and "upstream r3 { server 127.0.0.1:9003" in text
    assert "listen 127.0.0.1:8500;" in text


def test_new_browsers_are_shared_equally_and_a_known_cookie_keeps_its_replica(tmp_path):
    text = nginx.render_config(tmp_path, 8500, [9001, 9002, 9003])
    assert "33.3% r1;" in text and "33.3% r2;" in text and "* r3;" in text
    assert re.search(r"map \$cookie_shopcast_replica \$shopcast_replica \{\s+r1 r1;\s+r2 r2;\s+r3 r3;\s+"
                     r"default \$shopcast_new_replica;", text)
    one = nginx.render_config(tmp_path, 8500, [9001])
    assert "* r1;" in one and "%" not in one.split("split_clients")[1].split("}")[0]


def test_team_mode_refuses_a_duckdb_warehouse_in_words():
    assert warehouse_plan(Settings(warehouse_url=None)) is None
    pg = "postgresql+psycopg://app:pw@db:5432/shop"
    assert warehouse_plan(Settings(warehouse_url=pg)) == pg
    with pytest.raises(TeamError, match="a DuckDB file cannot be shared by writers in several processes"):
        warehouse_plan(Settings(warehouse_url="duckdb:////srv/shop.duckdb"))


def test_every_replica_gets_the_same_secret_and_a_restart_keeps_it(tmp_path):
    s = Settings(data_dir=tmp_path)
    assert shared_secret(s, env={"SHOPCAST_SECRET": "from-env"}, secrets_toml={"shopcast": {"secret": "x"}}) == "from-env"
    assert shared_secret(s, env={}, secrets_toml={"shopcast": {"secret": "from-toml"}}) == "from-toml"
    first = shared_secret(s, env={}, secrets_toml={})
    kept = tmp_path / "team" / "secret"
    assert len(first) == 64 and kept.read_text() == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert shared_secret(s, env={}, secrets_toml={}) == first


# -- a live team of two ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def team(pg_server, tmp_path_factory):
    need_nginx()
    with start_team(pg_server, tmp_path_factory.mktemp("team")) as t:
        yield t


def _get(url: str, replica: str | None = None):
    req = urllib.request.Request(url, headers={"Cookie": f"{nginx.AFFINITY_COOKIE}={replica}"} if replica else {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, resp.headers


@pytest.mark.postgres
def test_the_proxy_names_the_replica_and_keeps_a_browser_on_it(team):
    for replica in ("r1", "r2"):
        for _ in range(3):
            status, headers = _get(team["url"] + "/_stcore/health", replica)
            assert status == 200 and headers[nginx.REPLICA_HEADER] == replica
    seen = set()
    for _ in range(40):                         # no cookie: a replica is picked and the cookie names it
        _, headers = _get(team["url"] + "/")
        assert headers["Set-Cookie"] == f"{nginx.AFFINITY_COOKIE}={headers[nginx.REPLICA_HEADER]}; Path=/; HttpOnly; SameSite=Lax"
        seen.add(headers[nginx.REPLICA_HEADER])
    assert seen == {"r1", "r2"}
    _, headers = _get(team["url"] + "/", "r7")  # a replica that does not exist (any more) is replaced
    assert headers[nginx.REPLICA_HEADER] in ("r1", "r2")


@pytest.mark.postgres
@pytest.mark.browser
def test_a_saved_view_and_a_link_made_on_one_replica_open_on_the_other(team, browser):
    url = team["url"]
    a = pin(browser, url, "r1", viewport=VIEWPORT)
    page = a.new_page()
    state = set_overview(page, url)
    assert replica_shown(page) == "r1"
    link = page.url
    short = save_view(page, "Team Monday")
    b = pin(browser, url, "r2", viewport=VIEWPORT)
    other = b.new_page()
    other.goto(short)
    wait_title(other, "Overview")
    assert replica_shown(other) == "r2"
    got = overview_state(other)
    assert got["range"] == RANGE and CHANNEL in got["channels"] and got["revenue"] == state["revenue"], got
    other.goto(link)
    wait_title(other, "Overview")
    assert overview_state(other)["revenue"] == state["revenue"]
    assert replica_shown(other) == "r2"
    a.close()
    b.close()


@pytest.mark.postgres
@pytest.mark.browser
def test_a_scenario_saved_on_one_replica_opens_on_the_other(team, browser):
    url, name = team["url"], "Team spring"
    slider = '[data-testid="stSlider"] input[type="range"]'
    a = pin(browser, url, "r1", viewport=VIEWPORT)
    page = a.new_page()
    page.goto(url + "/pricing")
    page.get_by_text("This scenario changes nothing yet").first.wait_for(timeout=SLOW)
    settle(page)
    page.locator(slider).focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => document.querySelector('{slider}').value === '-10'", timeout=30_000)
    settle(page)
    field = page.locator('input[aria-label="Scenario name"]')
    field.fill(name)
    field.press("Enter")
    page.get_by_text(f"Result: {name}").first.wait_for(timeout=SLOW)
    settle(page)
    page.get_by_role("button", name="Save scenario").click()
    page.get_by_text(f"Saved “{name}”.").first.wait_for(timeout=SLOW)
    page.wait_for_function("() => new URLSearchParams(location.search).get('sc') !== null", timeout=30_000)
    settle(page)
    units, margin, link = tile(page, "Units"), tile(page, "Gross margin"), page.url
    b = pin(browser, url, "r2", viewport=VIEWPORT)
    other = b.new_page()
    other.goto(link)
    other.get_by_text(f"Result: {name}").first.wait_for(timeout=SLOW)
    settle(other)
    assert replica_shown(other) == "r2"
    assert other.locator('input[aria-label="Saved scenario"]').input_value() == name
    assert other.locator(slider).input_value() == "-10"
    assert (tile(other, "Units"), tile(other, "Gross margin")) == (units, margin)
    a.close()
    b.close()


@pytest.mark.postgres
@pytest.mark.browser
def test_a_notebook_made_on_one_replica_opens_on_the_other(team, browser):
    url, note = team["url"], "Monday trading for the team"
    a = pin(browser, url, "r1", viewport=VIEWPORT)
    page = a.new_page()
    page.goto(url + "/overview?range=Last+90+days")
    wait_title(page, "Overview")
    save_view(page, "Team notebook view")
    page.goto(url + "/notebooks")
    wait_title(page, "Notebooks")
    page.get_by_label("New notebook").fill("Team meeting")
    page.get_by_role("button", name=re.compile("Create")).click()
    page.wait_for_function("() => new URLSearchParams(location.search).has('nb')", timeout=SLOW)
    wait_title(page, "Team meeting")
    page.get_by_label("Note (markdown)").first.fill(note)
    page.get_by_role("button", name="Add the note").click()
    settle(page)
    page.get_by_role("tab", name="A saved view").click()
    choose(page, "Saved view", "Team notebook view")
    page.get_by_role("button", name="Add the view").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stMain] iframe').length === 1", timeout=SLOW)
    settle(page)
    link = page.url
    b = pin(browser, url, "r2", viewport=VIEWPORT)
    other = b.new_page()
    other.goto(link)
    wait_title(other, "Team meeting")
    other.get_by_text(note).first.wait_for(timeout=SLOW)
    assert replica_shown(other) == "r2"
    other.wait_for_function("() => document.querySelectorAll('[data-testid=stMain] iframe').length === 1",
                            timeout=SLOW)
    titles = [t.strip() for t in other.locator('[data-testid="stMain"] h3').all_inner_texts()]
    assert "Team notebook view" in titles, titles
    a.close()
    b.close()


@pytest.mark.postgres
@pytest.mark.browser
def test_a_load_through_one_replica_is_seen_by_the_other_on_its_next_rerun(team, browser, tmp_path):
    url = team["url"]
    b = pin(browser, url, "r2", viewport=VIEWPORT)
    reader = b.new_page()
    reader.goto(url + "/data")
    settle(reader)
    before = tile(reader, "Order lines")
    assert int(before.replace(",", "")) > 2
    a = pin(browser, url, "r1", viewport=VIEWPORT)
    page = a.new_page()
    page.goto(url + "/data")
    settle(page)
    assert replica_shown(page) == "r1"
    good = tmp_path / "orders_two.csv"
    good.write_text("order_id,ordered_at,customer_id,sku,quantity,unit_price\n"
                    "T1,2026-03-02 10:00,c1,MUG,1,10.00\nT2,2026-03-02 11:00,c2,MUG,2,12.50\n")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    settle(page)
    page.get_by_role("button", name="Validate and replace orders").click()
    settle(page)
    assert "Loaded 2 rows into orders" in page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    time.sleep(1.5)                              # longer than a replica keeps its data version (VERSION_TTL)
    page.reload()                                # the sidebar of the run that loaded was drawn before the load
    settle(page)
    version = page.locator('[data-testid="stSidebar"]').get_by_text("data version").first.inner_text()
    reader.reload()
    settle(reader)
    assert replica_shown(reader) == "r2"
    assert tile(reader, "Order lines") == "2"
    seen = reader.locator('[data-testid="stSidebar"]').get_by_text("data version").first.inner_text()
    assert seen.split("·")[1] == version.split("·")[1]      # the same data version on both replicas
    a.close()
    b.close()


@pytest.mark.postgres
def test_stopping_the_supervisor_stops_every_process_it_started(team):
    proc = team["proc"]
    kids = children(proc.pid)
    names = {cmdline(k) for k in kids}
    assert any("nginx" in n for n in names) and sum("lib.ui.app.serve" in n for n in names) == 2, names
    proc.send_signal(signal.SIGINT)              # what Ctrl-C sends
    assert proc.wait(60) == 0
    deadline = time.monotonic() + 10
    while any(alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [k for k in kids if alive(k)] == []

