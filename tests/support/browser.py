"""What a person sees in the browser, read the way they read it: shared by the real-browser tests and
the journeys (tests/journeys/). Playwright pages on Debian's chromium; Streamlit 1.67 test ids."""
from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

__all__ = ["SLOW", "VIEWPORT", "settle", "main_text", "no_exception", "wait_title", "tile", "tiles", "nav",
           "query", "pick", "choose", "multipick", "download", "fresh_page", "caption_texts", "alerts", "table_texts",
           "number", "save_view", "overflow", "truncated_tiles", "set_number", "press_slider", "unpick",
           "download_in", "share_links", "segmented", "press", "grid_rows", "grid_with", "tile_delta", "segment",
           "download_from", "caption_with", "to_top", "PROMO_X", "GRID_ROW", "promotions_grid",
           "open_promotion_cell", "add_promotion", "promotion_row", "set_date_range", "by_key", "multipick_typed"]

SLOW = 180_000                               # ms: the first forecast of a store takes its time on 2 cores
VIEWPORT = {"width": 1400, "height": 1000}


def settle(page, timeout: float = 180) -> None:
    """Wait until the page has a title, the script has stopped running (no running-man widget) and
    nothing on screen is left from the run before (Streamlit marks such elements data-stale)."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout * 1000)
    time.sleep(0.4)
    end = time.time() + timeout
    busy = '[data-testid="stStatusWidget"], [data-testid="stMain"] [data-stale="true"]'
    while time.time() < end and page.locator(busy).count():
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


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` by typing it and pressing Enter, as a person does
    with the keyboard (far down a long page its dropdown can open outside the scrolled view)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.locator("input").click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    settle(page)
    assert box.locator("input").input_value() == option, (label, option)


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


def save_view(page, name: str, note: str = "") -> str:
    """Save the current view from the sidebar's Share box; returns the short link the box then shows."""
    page.locator('[data-testid="stSidebar"] [data-testid="stPopover"] button', has_text="Share this view").click()
    body = page.locator('[data-testid="stPopoverBody"]')
    body.get_by_label("Save this view as").fill(name)
    if note:
        body.get_by_label("Note (optional)").fill(note)
    body.get_by_role("button", name="Save this view").click()
    page.get_by_text(f"Saved “{name}”. Short link:").wait_for(timeout=SLOW)
    settle(page)
    short = [t.strip() for t in body.locator('[data-testid="stCode"] code').all_inner_texts() if "views?v=" in t]
    page.keyboard.press("Escape")
    return short[0]


def overflow(page) -> dict:
    """How far the main area's visible content reaches to the right, against the window's width (no
    horizontal overflow: right <= width). Content inside a scrolling or clipping box (a table grid) counts
    only up to that box's edge; the main area's own clipping does not hide anything (a zoomed page that
    is cut off at the window's edge overflows)."""
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        let right = 0;
        for (const e of main.querySelectorAll('*')) {
            if (!e.getClientRects().length) continue;
            let r = e.getBoundingClientRect().right;
            for (let a = e.parentElement; a && a !== main; a = a.parentElement) {
                if (getComputedStyle(a).overflowX !== 'visible') r = Math.min(r, a.getBoundingClientRect().right);
            }
            right = Math.max(right, r);
        }
        return {width: document.documentElement.clientWidth, right: Math.round(right)};
    }""")


def truncated_tiles(page) -> list[str]:
    """The metric tiles whose label, value or delta is cut off (text wider than its box, shown with "…")."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetric"]')].flatMap(box =>
        [...box.querySelectorAll('[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *,'
                                 + '[data-testid="stMetricValue"], [data-testid="stMetricDelta"] *')]
          .filter(e => e.scrollWidth > e.clientWidth + 1)
          .map(e => box.innerText.replace(/\\s+/g, ' ').trim()))""")


def clipped_options(page, label: str) -> list[str]:
    """The options of the segmented control labelled ``label`` that stick out of its column (cut off
    on screen: the column hides what does not fit)."""
    return page.evaluate("""(label) => {
        const box = [...document.querySelectorAll('[data-testid="stButtonGroup"]')]
            .find(g => (g.closest('[data-testid="stElementContainer"]') || g).innerText.includes(label));
        if (!box) return ['(no control ' + label + ')'];
        const col = box.closest('[data-testid="stColumn"]') || box.parentElement;
        const edge = col.getBoundingClientRect().right;
        return [...box.querySelectorAll('button')].filter(b => b.getBoundingClientRect().right > edge + 1)
            .map(b => b.innerText.trim());
    }""", label)


def set_number(page, label: str, value) -> None:
    """Type ``value`` into the number input labelled ``label``, press Enter, wait for the rerun."""
    box = page.locator('[data-testid="stNumberInput"]').filter(has_text=label).first.locator("input")
    box.fill(str(value))
    box.press("Enter")
    time.sleep(0.4)
    settle(page)


def press_slider(page, label: str, times: int) -> None:
    """Move the slider labelled ``label`` by ``times`` steps with the arrow keys (negative: left)."""
    page.locator('[data-testid="stSlider"]', has_text=label).first.locator('[role="slider"], input').first.focus()
    for _ in range(abs(times)):
        page.keyboard.press("ArrowRight" if times > 0 else "ArrowLeft")
    time.sleep(0.4)
    settle(page)


def unpick(page, label: str, option: str) -> None:
    """Remove ``option`` from the multiselect labelled ``label`` (its chip's ✕) and wait for the rerun."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first
    box.get_by_role("button", name=f"Remove {option}", exact=True).click()
    settle(page)


def download_in(page, key: str, label: str, dest: Path) -> Path:
    """Press the download button ``label`` (e.g. "CSV") under the element whose downloads were keyed ``key``
    (lib.ui.widgets.downloads puts them in a container keyed dl_<key>); save and return the file."""
    button = page.locator(f".st-key-dl_{key}").locator("button", has_text=label).first
    button.scroll_into_view_if_needed()
    return download(page, button.click, dest)


def share_links(page) -> tuple[str, str]:
    """The sidebar Share box's two links: this view, and the same in meeting mode (popover closed again)."""
    page.locator('[data-testid="stSidebar"] [data-testid="stPopover"] button', has_text="Share this view").click()
    body = page.locator('[data-testid="stPopoverBody"]')
    body.locator('[data-testid="stCode"]').first.wait_for(timeout=SLOW)
    links = [t.strip() for t in body.locator('[data-testid="stCode"] code').all_inner_texts()]
    page.keyboard.press("Escape")
    return links[0], links[1]


def segmented(page, label: str) -> str:
    """The pressed option of the segmented control (st.segmented_control) labelled ``label``."""
    group = page.locator('[data-testid="stButtonGroup"]').filter(has_text=label).first
    return group.locator('[aria-checked="true"]').first.inner_text().strip()


def press(page, label: str, option: str) -> None:
    """Press ``option`` in the segmented control labelled ``label`` and wait for the rerun."""
    group = page.locator('[data-testid="stButtonGroup"]').filter(has_text=label).first
    group.get_by_role("radio", name=option, exact=True).click()
    settle(page)


def grid_rows(frame) -> list[dict[str, str]]:
    """The rows of one st.dataframe (a ``[data-testid="stDataFrame"]`` locator) as the grid's accessible
    table gives them: header -> cell text. The grid draws the rows in view only: keep such tables short."""
    frame.wait_for(timeout=SLOW)
    grid = frame.locator('[role="grid"]').first
    grid.page.wait_for_function("el => el.querySelectorAll('[role=columnheader]').length > 0",
                                arg=grid.element_handle(), timeout=30_000)
    heads = [h.strip() for h in grid.locator('[role="columnheader"]').all_inner_texts()]
    out = []
    for row in grid.locator('[role="row"]').all()[1:]:
        cells = [c.strip() for c in row.locator('[role="gridcell"]').all_inner_texts()]
        if cells:
            out.append(dict(zip(heads, cells, strict=False)))
    return out


def grid_with(page, header: str, timeout: float = 30) -> list[dict[str, str]]:
    """The rows of the one table in the main area that has a column titled ``header`` (waits for it to
    be drawn)."""
    end = time.time() + timeout
    while True:
        found = [frame for frame in page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').all()
                 if frame.is_visible() and header in [h.strip() for h in
                                                      frame.locator('[role="columnheader"]').all_inner_texts()]]
        if len(found) == 1 or time.time() > end:
            break
        time.sleep(0.3)
    assert len(found) == 1, f"{len(found)} tables with a column {header!r}"
    return grid_rows(found[0])


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
    delta = box.first.locator('[data-testid="stMetricDelta"]')
    return delta.inner_text().strip() if delta.count() else ""


def segment(page, option: str) -> None:
    """Click ``option`` of a segmented control (Streamlit draws them as radio buttons) and wait for the rerun."""
    page.get_by_role("radio", name=option, exact=True).first.click()
    time.sleep(0.3)
    settle(page)


def download_from(page, key: str, label: str, dest: Path) -> Path:
    """Download the file of the button labelled ``label`` ('CSV', 'XLSX', 'PNG') under the table or chart whose
    downloads row has the key ``key`` (lib/ui/widgets/downloads.py: the row is the container ``dl_<key>``)."""
    row = page.locator(f".st-key-dl_{key}")
    row.first.wait_for(timeout=SLOW)
    button = row.first.get_by_role("button", name=re.compile(rf"^\W*{re.escape(label)}\s*$"))
    if not button.count():
        button = row.first.locator("button", has_text=label)
    return download(page, lambda: button.first.click(), dest)


def caption_with(page, text: str) -> str:
    """The first caption on the page that contains ``text`` (AssertionError naming the captions if none)."""
    caps = caption_texts(page)
    hit = next((c for c in caps if text in c), None)
    assert hit is not None, (text, caps)
    return hit


def to_top(page) -> None:
    """Scroll back to the page title (a selectbox clicked far above the viewport may only take the focus)."""
    page.locator('[data-testid="stMain"] h1').first.scroll_into_view_if_needed()
    time.sleep(0.4)


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
