"""What a person sees in the browser, read the way they read it: shared by the real-browser tests and
the journeys (tests/journeys/). Playwright pages on Debian's chromium; Streamlit 1.67 test ids."""
from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

__all__ = ["SLOW", "VIEWPORT", "settle", "main_text", "no_exception", "wait_title", "tile", "tiles", "nav",
           "query", "pick", "multipick", "download", "fresh_page", "caption_texts", "alerts", "table_texts",
           "number", "PROMO_X", "GRID_ROW", "promotions_grid", "open_promotion_cell", "add_promotion",
           "promotion_row", "tile_delta", "set_date_range", "by_key", "multipick_typed"]

SLOW = 180_000                               # ms: the first forecast of a store takes its time on 2 cores
VIEWPORT = {"width": 1400, "height": 1000}


def settle(page, timeout: float = 180) -> None:
    """Wait until the page has a title and the script has stopped running (no running-man widget)."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout * 1000)
    time.sleep(0.4)
    end = time.time() + timeout
    while time.time() < end and page.locator('[data-testid="stStatusWidget"]').count():
        time.sleep(0.2)
    time.sleep(0.4)


def fresh_page(browser, **context):
    """A new browser context (no cookies, no session) and its page."""
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True, **context)
    return ctx, ctx.new_page()


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def no_exception(page) -> None:
    """No exception box, no 'page not found', no Python traceback words on screen."""
    exc = page.locator('[data-testid="stException"]')
    assert not exc.count(), exc.first.inner_text()
    text = main_text(page)
    assert "Page not found" not in text and "Traceback" not in text, text[:500]


def wait_title(page, title: str) -> None:
    page.locator('[data-testid="stMain"] h1', has_text=title).first.wait_for(timeout=SLOW)
    settle(page)


def tiles(page) -> dict[str, str]:
    """Every metric tile on screen: label -> value as shown."""
    out = {}
    for box in page.locator('[data-testid="stMetric"]').all():
        label = box.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = box.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def tile(page, label: str) -> str:
    """The value of the one metric tile whose label is exactly ``label``."""
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label_re))
    box.first.wait_for(timeout=SLOW)
    assert box.count() == 1, f"{box.count()} metric tiles labelled {label!r}"
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def number(text: str) -> float:
    """'$1,234.50' / '12.3%' / '1,234' / '−5' as a number (a percentage stays in percent units)."""
    cleaned = re.sub(r"[^0-9.\-−+]", "", text.replace("−", "-"))
    return float(cleaned)


def nav(page, title: str) -> None:
    """Click a page in the sidebar navigation and wait for it to draw."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    time.sleep(0.4)
    settle(page)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the selectbox labelled ``label`` and wait for the rerun."""
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def multipick(page, label: str, option: str) -> None:
    page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first.locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    settle(page)


def download(page, click, dest: Path) -> Path:
    """Run ``click`` (a zero-argument callable that presses a download button); save and return the file."""
    with page.expect_download(timeout=SLOW) as info:
        click()
    d = info.value
    path = Path(dest) / d.suggested_filename
    d.save_as(path)
    return path


def caption_texts(page) -> list[str]:
    return [t.strip() for t in page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]')
            .all_inner_texts()]


def alerts(page) -> list[str]:
    return [t.strip() for t in page.locator('[data-testid="stMain"] [data-testid="stAlert"]').all_inner_texts()]


def table_texts(page) -> list[str]:
    """The accessible text of every st.dataframe grid cell on screen, in reading order."""
    return page.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_inner_texts()


# -- the Pricing & promos builder's promotions table (st.data_editor: a glide-data-grid canvas) ---------------
GRID_ROW = 35                                               # px: the grid's header and row height
PROMO_X = {"discount": 150, "start": 400, "end": 620}       # px into the promotions grid, 1400 px wide page


def promotions_grid(page):
    """The promotions table's canvas (the first grid of the Scenario builder), scrolled into view."""
    grid = page.locator('[data-testid="stDataFrame"]').first.locator('canvas[data-testid="data-grid-canvas"]')
    grid.scroll_into_view_if_needed()
    return grid


def open_promotion_cell(page, row: int, col: str):
    """Double-click one cell of the promotions table; returns its open editor (an input or textarea)."""
    box = promotions_grid(page).bounding_box()
    page.mouse.dblclick(box["x"] + PROMO_X[col], box["y"] + GRID_ROW * (row + 1) + GRID_ROW / 2)
    editor = page.locator(".gdg-input").first
    editor.wait_for(timeout=10_000)
    return editor


def _commit(page, editor, value: str) -> None:
    editor.fill(value)
    page.keyboard.press("Enter")
    editor.wait_for(state="detached", timeout=10_000)
    time.sleep(0.5)
    settle(page)


def add_promotion(page, discount: str, start: str, end: str, row: int = 0) -> None:
    """Type a promotion into the table's trailing blank row (row ``row``): a click there appends a row and
    opens the clicked cell's editor; the row reaches the server once discount, start and end are filled.
    Dates are typed as the table shows them: yyyy-mm-dd."""
    box = promotions_grid(page).bounding_box()
    page.mouse.click(box["x"] + PROMO_X["discount"], box["y"] + GRID_ROW * (row + 1) + GRID_ROW / 2)
    editor = page.locator(".gdg-input").first
    editor.wait_for(timeout=10_000)
    _commit(page, editor, discount)
    _commit(page, open_promotion_cell(page, row, "start"), start)
    _commit(page, open_promotion_cell(page, row, "end"), end)


def promotion_row(page, row: int = 0) -> list[str]:
    """One promotions row as the grid's accessibility table gives it: discount, start, end, type (key)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    return [grid.locator(f'[data-testid="glide-cell-{c}-{row}"]').inner_text().strip() for c in range(1, 5)]


def tile_delta(page, label: str) -> str:
    """The text under the value of the one metric tile labelled exactly ``label`` (its delta)."""
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label_re))
    box.first.wait_for(timeout=SLOW)
    return box.locator('[data-testid="stMetricDelta"]').inner_text().strip()


def set_date_range(page, label: str, start=None, end=None) -> None:
    """Type dates into a st.date_input range labelled ``label`` (its year, month and day segments), as a
    person does with the keyboard, then leave the field; ``None`` keeps that end."""
    field = page.locator('[data-testid="stDateInput"]').filter(has_text=label).first
    for which, day in (("start", start), ("end", end)):
        if day is None:
            continue
        for part, text in (("year", f"{day:%Y}"), ("month", f"{day:%m}"), ("day", f"{day:%d}")):
            field.locator(f'[role="spinbutton"][aria-label="{part}, {label} {which} date"]').click()
            page.keyboard.type(text)
            time.sleep(0.2)
    page.keyboard.press("Tab")
    time.sleep(0.5)
    settle(page)


def by_key(page, key: str):
    """The element a widget with Streamlit key ``key`` renders (its container has the class st-key-<key>)."""
    return page.locator(f".st-key-{key}").first


def multipick_typed(page, label: str, option: str) -> None:
    """Like multipick, typing the option first: long option lists are virtualised (an option far down the
    list is not in the page until the list is filtered or scrolled)."""
    field = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first.locator("input")
    field.click()
    field.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    settle(page)
