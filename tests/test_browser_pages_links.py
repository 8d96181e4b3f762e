"""Real-browser link round trips for the Data, Saved views and Notebooks pages, and the browser's
back/forward buttons across pages (one history entry per page): change something, take the URL, open it in a fresh browser
context and after a reload, and find the same control values, the same table and the same text.

The store is the small hand-built one of tests/test_app_pricing.py (orders, products, inventory,
promotions through 2026-03-31) plus the seven-session events feed of tests/test_app_funnel.py, so the
Funnel page has something to count. Everything is loaded before the server starts (the server then owns
the DuckDB file); saved views and notebooks are made through the UI.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import urlsplit

import pandas as pd
import pytest

from tests.support.browser import choose
from tests.support.browser_basic import settle
from tests.support.funnel_store import events_frame
from tests.support.pricing_store import seed_store
from tests.support.server import env_vars, serve
from tests.support.sharing_browser import (
    CHANNEL,
    RANGE,
    SLOW,
    VIEWPORT,
    channels_text,
    main_text,
    nav,
    no_exception,
    overview_state,
    query,
    range_value,
    save_view,
    set_overview,
    tile,
    wait_title,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "Monday trading meeting"
SPEND = pd.DataFrame({"date": [dt.date(2026, 3, 2), dt.date(2026, 3, 16)], "channel": ["web", "web"],
                      "campaign": ["Brand", "Spring"], "spend": [100.0, 200.0]})
NOTE = "**Weekly note**: web revenue is up; restock the aprons before the promotion."
NOTE_SHOWN = "Weekly note: web revenue is up; restock the aprons before the promotion."


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from datetime import date, datetime

    from lib.settings import Settings
    from lib.warehouse import Warehouse

    data = tmp_path_factory.mktemp("pageslinks")
    settings = {"SHOPCAST_DATA_DIR": str(data), "SHOPCAST_TIMEZONE": "UTC", "SHOPCAST_CURRENCY": "USD"}
    with env_vars(**settings):
        seed_store()
        wh = Warehouse.open(settings=Settings.from_env())
        wh.load("events", events_frame(), source="upload:events.csv", as_of=date(2026, 3, 31),
                now=datetime(2026, 4, 1, 13, 0))
        wh.load("spend", SPEND, source="upload:google_ads.csv", as_of=date(2026, 3, 31),
                now=datetime(2026, 4, 1, 13, 5))
        rows = {k: int(v) for k, v in wh.row_counts().items()}
        wh.dispose()
    assert rows["events"] == len(events_frame()) and rows["orders"] > 0 and rows["inventory"] > 0, rows
    with serve(data, **settings) as url:
        yield {"url": url, "rows": rows}


@pytest.fixture
def app_url(store) -> str:
    return store["url"]


# -- helpers ---------------------------------------------------------------------------------------------
def _fresh(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    return ctx, ctx.new_page()


def _open(page, url: str, title: str) -> None:
    page.goto(url)
    wait_title(page, title)


def _wait_param(page, key: str, value: str) -> None:
    page.wait_for_function("([k, v]) => new URLSearchParams(location.search).get(k) === v", arg=[key, value],
                           timeout=30_000)
    settle(page)


def _pressed(page) -> list[str]:
    """The pressed options of every segmented control / pills on the page."""
    main = page.locator('[data-testid="stMain"]')
    return [b.inner_text().strip()
            for b in main.locator('[data-testid="stButtonGroup"] [role="radio"][aria-checked="true"]').all()]


def _metrics(page) -> list[str]:
    main = page.locator('[data-testid="stMain"]')
    return [m.inner_text().strip() for m in main.locator('[data-testid="stMetricValue"]').all()]


def _grid(page, n: int = 0) -> dict:
    """The n-th table on the page: its column headers, its row count and its first row (the grid's a11y table)."""
    frame = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').nth(n)
    frame.wait_for(timeout=SLOW)
    grid = frame.locator('[role="grid"]').first
    page.wait_for_function("el => el.querySelectorAll('[role=columnheader]').length > 0",
                           arg=grid.element_handle(), timeout=30_000)
    heads = [h.strip() for h in grid.locator('[role="columnheader"]').all_inner_texts()]
    first = [c.strip() for c in grid.locator('[role="row"]').nth(1).locator('[role="gridcell"]').all_inner_texts()]
    return {"columns": heads, "rows": grid.get_attribute("aria-rowcount"), "first": dict(zip(heads, first, strict=True))}


def _grid_cells(page, n: int = 0) -> list[str]:
    grid = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').nth(n).locator('[role="grid"]')
    return [c.strip() for c in grid.first.locator('[role="gridcell"]').all_inner_texts()]


# -- 1. Data page ----------------------------------------------------------------------------------------
def _data_state(page) -> dict:
    return {"preview": page.locator('input[aria-label="Preview feed"]').input_value(),
            "source": _pressed(page),
            "seed": page.locator('[data-testid="stNumberInput"] input').first.input_value(),
            "table": _preview_table(page),
            "cards": _metrics(page)}


def _preview_table(page) -> dict:
    """The preview's header, row count and newest date (rows sharing that date may come in any order)."""
    table = _grid(page, 0)
    table["first"] = {k: v for k, v in table["first"].items() if k in ("Date", "Ordered at", "Event at")}
    return table


def test_data_page_source_and_preview_travel_in_the_link(app_url, store, browser):
    ctx, page = _fresh(browser)
    _open(page, app_url + "/data", "Data sources")
    default = _preview_table(page)
    assert page.locator('input[aria-label="Preview feed"]').input_value() == "orders"
    assert _pressed(page) == ["Upload a file"]

    choose(page, "Preview feed", "inventory")
    _wait_param(page, "preview", "inventory")
    page.locator('[data-testid="stButtonGroup"] button', has_text="Demo store").click()
    _wait_param(page, "src", "Demo store")
    page.get_by_role("button", name=re.compile("Generate and load the demo store")).wait_for(timeout=30_000)
    settle(page)
    no_exception(page)
    link, seen = page.url, _data_state(page)
    assert seen["preview"] == "inventory" and seen["source"] == ["Demo store"] and seen["seed"] == "7", seen
    assert "On hand" in seen["table"]["columns"] and "On hand" not in default["columns"], (seen, default)
    assert seen["table"]["first"] == {"Date": "2026-03-31"} and default["first"]["Ordered at"].startswith("2026-03-31")
    want_rows = min(200, store["rows"]["inventory"])
    assert seen["table"]["rows"] == str(want_rows + 1), seen       # aria-rowcount counts the header row
    assert query(link) == {"src": ["Demo store"], "preview": ["inventory"]}, link
    ctx.close()

    ctx2, page2 = _fresh(browser)
    _open(page2, link, "Data sources")
    page2.get_by_role("button", name=re.compile("Generate and load the demo store")).wait_for(timeout=30_000)
    assert _data_state(page2) == seen
    no_exception(page2)
    page2.reload()
    wait_title(page2, "Data sources")
    page2.get_by_role("button", name=re.compile("Generate and load the demo store")).wait_for(timeout=30_000)
    assert _data_state(page2) == seen
    assert query(page2.url) == query(link), page2.url
    no_exception(page2)
    ctx2.close()


# -- 2. Saved views --------------------------------------------------------------------------------------
def _views_state(page) -> dict:
    picker = page.locator('input[aria-label="View"]')
    picker.wait_for(timeout=30_000)
    codes = [t.strip() for t in page.locator('[data-testid="stMain"] [data-testid="stCode"] code').all_inner_texts()]
    return {"picker": picker.input_value(), "codes": codes, "table": _grid(page, 0), "cells": _grid_cells(page, 0)}


def test_saved_view_list_and_short_link_round_trip(app_url, browser):
    name = "Pages links: web, 90 days"
    ctx, page = _fresh(browser)
    state = set_overview(page, app_url)
    short = save_view(page, name)
    view_id = query(short)["v"][0]
    _open(page, app_url + "/views", "Saved views")
    listed = _views_state(page)
    assert name in listed["cells"] and "Overview" in listed["cells"], listed
    assert listed["picker"] == name and listed["codes"] == [short], (listed, short)
    assert short.endswith(f"/views?v={view_id}") and listed["table"]["rows"] == "2", listed     # header + 1
    ctx.close()

    # the list page, in a fresh browser and after a reload
    ctx2, page2 = _fresh(browser)
    _open(page2, app_url + "/views", "Saved views")
    assert _views_state(page2) == listed
    page2.reload()
    wait_title(page2, "Saved views")
    assert _views_state(page2) == listed
    no_exception(page2)

    # the short link: the view's page, with its settings and its data version; a reload keeps them
    page2.goto(short)
    page2.wait_for_function("() => location.pathname === '/overview'", timeout=SLOW)
    wait_title(page2, "Overview")
    opened = page2.url
    q = query(opened)
    assert q.get("range") == [RANGE] and q.get("channel") == [CHANNEL] and q.get("dv"), opened
    assert overview_state(page2) == state
    page2.reload()
    wait_title(page2, "Overview")
    assert query(page2.url) == q, page2.url
    assert overview_state(page2) == state
    no_exception(page2)
    ctx2.close()


# -- 3. Notebooks ----------------------------------------------------------------------------------------
def _notebook_state(page) -> dict:
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text(NOTE_SHOWN).first.wait_for(timeout=30_000)
    note = main.locator('[data-testid="stMarkdownContainer"]', has_text=NOTE_SHOWN)
    return {"title": main.locator("h1").first.inner_text().strip(), "note": note.first.inner_text().strip(),
            "bold": note.first.locator("strong").first.inner_text().strip(), "notes": note.count()}


def test_notebook_link_opens_the_same_notebook(app_url, browser):
    ctx, page = _fresh(browser)
    _open(page, app_url + "/notebooks", "Notebooks")
    page.get_by_label("New notebook").fill(NOTEBOOK)
    page.get_by_role("button", name=re.compile("Create")).click()
    page.wait_for_function("() => new URLSearchParams(location.search).has('nb')", timeout=30_000)
    wait_title(page, NOTEBOOK)
    nb_id = query(page.url)["nb"][0]
    assert "This notebook is empty" in main_text(page)
    page.get_by_label("Note (markdown)").first.fill(NOTE)
    page.get_by_role("button", name="Add the note").click()
    page.locator('[data-testid="stMain"]').get_by_text(NOTE_SHOWN).first.wait_for(timeout=30_000)
    settle(page)
    no_exception(page)
    link, seen = page.url, _notebook_state(page)
    assert query(link).get("nb") == [nb_id], link
    assert seen == {"title": NOTEBOOK, "note": NOTE_SHOWN, "bold": "Weekly note", "notes": 1}, seen
    ctx.close()

    ctx2, page2 = _fresh(browser)
    _open(page2, link, NOTEBOOK)
    assert _notebook_state(page2) == seen
    assert "This notebook is empty" not in main_text(page2)
    page2.reload()
    wait_title(page2, NOTEBOOK)
    assert _notebook_state(page2) == seen and query(page2.url).get("nb") == [nb_id], page2.url
    no_exception(page2)

    _open(page2, app_url + "/notebooks", "Notebooks")                 # the index lists it with its one cell
    assert page2.get_by_role("link", name=re.compile(rf"{re.escape(NOTEBOOK)} · 1 cells")).count() == 1
    ctx2.close()


# -- 4. Back / forward -----------------------------------------------------------------------------------
def _funnel_state(page) -> dict:
    main = page.locator('[data-testid="stMain"]')
    main.locator('[data-testid="stMetric"]').first.wait_for(timeout=SLOW)
    active = [t.strip() for t in main.locator('[role="radio"][aria-checked="true"]').all_inner_texts()]
    return {"range": range_value(page), "active": active, "metrics": _metrics(page)}


def _title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def _where(url: str) -> tuple[str, dict]:
    """(path, query) of a URL, the query order ignored."""
    return urlsplit(url).path, {k: sorted(v) for k, v in query(url).items()}


def _history_move(page, step) -> None:
    step()
    time.sleep(1.5)
    settle(page)
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=SLOW)
    settle(page)


def _screen_matches_url(page) -> str:
    """Whatever entry the browser is on, the page, the date range, the channels and the unit on screen are
    the ones its URL says (an absent key: the control's default). Returns the page title."""
    path, q = _where(page.url)
    title = _title(page)
    assert title == {"/overview": "Overview", "/funnel": "Funnel"}.get(path), (page.url, title)
    assert range_value(page) == q.get("range", ["Last 30 days"])[0], (page.url, range_value(page))
    if title == "Overview":
        shown = [c for c in ("Web", "Store") if c in channels_text(page)]
        assert shown == q.get("channel", []), (page.url, channels_text(page))
        tile(page, "Revenue")
    else:
        assert q.get("unit", ["Session"])[0] in _funnel_state(page)["active"], (page.url, _funnel_state(page))
    no_exception(page)
    return title


def _overview_then_funnel(page, app_url) -> dict:
    """Overview with the last 90 days and the web channel, then Funnel through the sidebar, then count users."""
    over = set_overview(page, app_url)
    over_url = page.url
    nav(page, "Funnel")
    wait_title(page, "Funnel")
    before = _funnel_state(page)
    before_url = page.url
    assert before["range"] == RANGE and query(before_url).get("range") == [RANGE], (before, before_url)
    assert query(before_url).get("channel") == [CHANNEL], before_url
    assert "Session" in before["active"] and "User" not in before["active"], before
    page.get_by_role("radio", name="User", exact=True).click()
    _wait_param(page, "unit", "User")
    after = _funnel_state(page)
    # the URL changes with the click, before the run it starts: settle() may look first and see the old tiles
    end = time.time() + 30
    while after["metrics"] == before["metrics"] and time.time() < end:
        time.sleep(0.3)
        after = _funnel_state(page)
    assert "User" in after["active"] and after["range"] == RANGE, after
    assert after["metrics"] != before["metrics"], "counting users did not change the funnel"
    return {"over": over, "over_url": over_url, "before": before, "before_url": before_url,
            "after": after, "after_url": page.url}


def test_back_and_forward_screen_agrees_with_the_url(app_url, browser):
    """Every Back and Forward step draws what the URL of that history entry says (page, range, channels,
    unit): the app never shows one thing while the address bar says another."""
    ctx, page = _fresh(browser)
    seen = _overview_then_funnel(page, app_url)
    visited = []
    for step in (page.go_back, page.go_forward, page.go_back, page.go_forward):    # two entries: overview, funnel
        _history_move(page, step)
        visited.append((_screen_matches_url(page), page.url))
    assert _where(visited[0][1]) != _where(seen["after_url"]), visited       # Back did move
    assert visited[-1][0] == "Funnel", visited                               # and Forward came back
    ctx.close()


def test_back_returns_to_the_overview_as_left_and_forward_to_the_funnel(app_url, browser):
    """Streamlit 1.67 alone left phantom entries here (``/overview`` with no parameters): lib/ui/app/history.py."""
    ctx, page = _fresh(browser)
    seen = _overview_then_funnel(page, app_url)

    _history_move(page, page.go_back)
    back = _where(page.url)
    # the unit change replaced the Funnel's entry (bound widgets do not add history), so one Back is the
    # Overview as the user left it; the Funnel before the change would do as well
    if back[0] == "/funnel":
        assert back == _where(seen["before_url"]) and _funnel_state(page) == seen["before"], page.url
    else:
        assert back == _where(seen["over_url"]), (page.url, seen["over_url"])
        assert overview_state(page) == seen["over"], page.url
    assert range_value(page) == RANGE, page.url                    # the shared date range survives
    no_exception(page)

    _history_move(page, page.go_forward)
    assert _where(page.url) == _where(seen["after_url"]), (page.url, seen["after_url"])
    assert _title(page) == "Funnel" and _funnel_state(page) == seen["after"], page.url
    no_exception(page)
    ctx.close()


def test_one_history_entry_per_page_and_each_view_comes_back(app_url, browser):
    """Overview (90 days, web) -> Funnel (users) -> Replenishment -> Overview through the sidebar: one
    browser history entry per page switch; every page's URL carries the shared range and channel (the
    Replenishment page has neither control, the Overview after it still shows both) and not the Funnel's
    own unit; then Back three times and Forward three times show each page exactly as it was left."""
    ctx, page = _fresh(browser)
    seen = _overview_then_funnel(page, app_url)
    length = page.evaluate("history.length")
    nav(page, "Replenishment")
    wait_title(page, "Replenishment")
    repl_url = page.url
    assert query(repl_url) == {"range": [RANGE], "channel": [CHANNEL]}, repl_url
    nav(page, "Overview")
    wait_title(page, "Overview")
    assert _where(page.url) == _where(seen["over_url"]), (page.url, seen["over_url"])
    assert overview_state(page) == seen["over"]
    last_url = page.url
    assert page.evaluate("history.length") == length + 2, "a page switch added more than one entry"

    entries = [(repl_url, "Replenishment"), (seen["after_url"], "Funnel"), (seen["over_url"], "Overview")]
    for url, title in entries:
        _history_move(page, page.go_back)
        assert _where(page.url) == _where(url) and _title(page) == title, (page.url, url)
    assert overview_state(page) == seen["over"]
    for url, title in [(seen["after_url"], "Funnel"), (repl_url, "Replenishment"), (last_url, "Overview")]:
        _history_move(page, page.go_forward)
        assert _where(page.url) == _where(url) and _title(page) == title, (page.url, url)
        if title == "Funnel":
            assert _funnel_state(page) == seen["after"], page.url
    assert overview_state(page) == seen["over"]
    no_exception(page)
    ctx.close()


def _grain(page) -> list[str]:
    return [t for t in _pressed(page) if t in ("Total", "Day", "Week", "Month")]


def _set_grain(page, label: str) -> None:
    page.locator('[data-testid="stMain"]').get_by_role("radio", name=label, exact=True).first.click()
    _wait_param(page, "grain", label)
    settle(page)


def test_back_keeps_a_setting_the_next_page_names_the_same(app_url, browser):
    """Overview and Funnel both have a "Grain" (URL key ``grain``). Overview by week, then Funnel by
    month: Back shows the Overview by week and Forward the Funnel by month (Streamlit 1.67 alone drops
    a key on Back when another page has drawn a widget for it since: the Overview came back by day)."""
    ctx, page = _fresh(browser)
    _open(page, app_url + "/overview", "Overview")
    _set_grain(page, "Week")
    over_url = page.url
    nav(page, "Funnel")
    wait_title(page, "Funnel")
    _set_grain(page, "Month")
    funnel_url = page.url

    _history_move(page, page.go_back)
    assert _where(page.url) == _where(over_url) and _title(page) == "Overview", (page.url, over_url)
    assert _grain(page) == ["Week"], page.url
    _history_move(page, page.go_forward)
    assert _where(page.url) == _where(funnel_url) and _title(page) == "Funnel", (page.url, funnel_url)
    assert _grain(page) == ["Month"], page.url
    no_exception(page)
    ctx.close()


def _metric(page) -> str:
    return page.locator('[data-testid="stMain"] input[aria-label="Metric"]').first.input_value()


def test_cohorts_metric_is_its_own(app_url, browser):
    """Explore and Cohorts each have a "Metric" of their own: Explore on Units does not put a metric
    in the Cohorts link (it did when both used the key ``metric``: Streamlit hands a keyed widget's
    value to the next page's widget of the same key), and each comes back on Back/Forward."""
    ctx, page = _fresh(browser)
    _open(page, app_url + "/explore", "Explore")
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]', has_text="Metric").first.click()
    page.get_by_role("option", name="Units", exact=True).click()
    _wait_param(page, "metric", "Units")
    settle(page)
    explore_url = page.url
    nav(page, "Cohorts")
    wait_title(page, "Cohorts")
    assert "metric" not in query(page.url) and _metric(page) == "Customers", page.url
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]', has_text="Metric").first.click()
    page.get_by_role("option", name="Revenue", exact=True).click()
    _wait_param(page, "cmetric", "Revenue")
    settle(page)
    cohorts_url = page.url

    _history_move(page, page.go_back)
    assert _where(page.url) == _where(explore_url) and _metric(page) == "Units", (page.url, explore_url)
    _history_move(page, page.go_forward)
    assert _where(page.url) == _where(cohorts_url) and _metric(page) == "Revenue", (page.url, cohorts_url)
    no_exception(page)
    ctx.close()


def test_marketing_view_travels_in_the_link(app_url, browser):
    """Marketing (issue 20): rows per campaign and a custom range, then the link in a fresh browser: the same
    control, the same tiles and the same table (web's two campaigns, $100 + $200 of spend in March)."""
    ctx, page = _fresh(browser)
    _open(page, app_url + "/marketing?range=Custom&from=2026-03-01&to=2026-03-31", "Marketing")
    settle(page)
    assert tile(page, "Spend") == "$300.00"
    page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"]').get_by_role(
        "radio", name="Campaign", exact=True).click()
    _wait_param(page, "mby", "Campaign")
    link = page.url
    before = {"pressed": _pressed(page), "tiles": _metrics(page), "table": _grid_cells(page, 0)}
    assert "Campaign" in before["pressed"] and "Brand" in before["table"] and "Spring" in before["table"], before
    ctx.close()
    ctx, page = _fresh(browser)
    _open(page, link, "Marketing")
    settle(page)
    after = {"pressed": _pressed(page), "tiles": _metrics(page), "table": _grid_cells(page, 0)}
    assert after == before and query(page.url)["mby"] == ["Campaign"], (after, before)
    no_exception(page)
    ctx.close()
