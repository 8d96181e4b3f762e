"""Journey 10, Notebooks: a note and two saved views in one notebook; export it as one HTML file and open
that file: notes, charts and tables are there. The export runs on a worker thread: the server keeps
serving (another browser opens a page meanwhile, the exporting session moves on afterwards)."""
from __future__ import annotations

import re
import time

import pytest

from tests.support.browser import (
    SLOW,
    choose,
    download,
    fresh_page,
    main_text,
    nav,
    no_exception,
    overflow,
    save_view,
    settle,
    tile,
    wait_title,
)

pytestmark = pytest.mark.browser

NOTE = "**Monday trading**: revenue over the last 90 days, then the funnel by channel."


def _frames_fit(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] iframe')].map(f => {
        const body = f.contentDocument && f.contentDocument.querySelector('[data-testid="stMainBlockContainer"]');
        return {frame: f.getBoundingClientRect().height, content: body ? body.getBoundingClientRect().height : -1};
    })""")


def test_notebook_with_two_saved_views_exports_one_html_file(demo, browser, journey, tmp_path):
    url = demo["url"]
    ctx, page = fresh_page(browser)
    with journey.step("save the Overview (last 90 days) as a view"):
        page.goto(url + "/overview?range=Last+90+days")
        wait_title(page, "Overview")
        revenue = tile(page, "Revenue")
        save_view(page, "J10 revenue 90 days")
    with journey.step("save the Funnel by channel as a view"):
        page.goto(url + "/funnel?by=Channel")
        wait_title(page, "Funnel")
        entering = tile(page, "Sessions entering")
        save_view(page, "J10 funnel by channel")
    with journey.step("make a notebook with a note and the two views"):
        nav(page, "Notebooks")
        page.get_by_label("New notebook").fill("J10 Monday meeting")
        page.get_by_role("button", name=re.compile("Create")).click()
        page.wait_for_function("() => new URLSearchParams(location.search).has('nb')", timeout=SLOW)
        wait_title(page, "J10 Monday meeting")
        page.get_by_label("Note (markdown)").first.fill(NOTE)
        page.get_by_role("button", name="Add the note").click()
        settle(page)
        for n, name in enumerate(("J10 revenue 90 days", "J10 funnel by channel"), start=1):
            page.get_by_role("tab", name="A saved view").click()
            choose(page, "Saved view", name)
            page.get_by_role("button", name="Add the view").click()
            page.wait_for_function("n => document.querySelectorAll('[data-testid=stMain] iframe').length === n",
                                   arg=n, timeout=SLOW)
            settle(page)
            titles = [t.strip() for t in page.locator('[data-testid="stMain"] h3').all_inner_texts()]
            assert titles[n - 1] == name, titles
        no_exception(page)
    nb_url = page.url
    with journey.step("the embedded views size to their content"):
        end = time.time() + 90
        fits = _frames_fit(page)
        while time.time() < end and (len(fits) != 2 or any(f["content"] < 200 or f["frame"] < f["content"]
                                                           for f in fits)):
            time.sleep(1)
            fits = _frames_fit(page)
        assert len(fits) == 2 and all(f["frame"] >= f["content"] > 200 for f in fits), fits

    with journey.step("export HTML while another browser opens a page"):
        page.get_by_role("button", name="Export HTML").click()
        ctx2, other = fresh_page(browser)
        other.goto(url + "/cohorts")
        wait_title(other, "Cohorts")
        no_exception(other)
        ctx2.close()
        button = page.get_by_role("button", name="Download the HTML file")
        button.wait_for(timeout=SLOW)
        path = download(page, button.click, tmp_path)
    with journey.step("open the file: notes, charts and tables"):
        doc = path.read_text()
        assert path.suffix == ".html" and doc.startswith("<!doctype html>")
        assert "<strong>Monday trading</strong>: revenue over the last 90 days" in doc
        assert "<h2>J10 revenue 90 days</h2>" in doc and "<h2>J10 funnel by channel</h2>" in doc
        kpis = doc.split("<h2>J10 revenue 90 days</h2>")[1].split("<h2>J10 funnel by channel</h2>")[0]
        funnel = doc.split("<h2>J10 funnel by channel</h2>")[1]
        assert f'<div class="label">Revenue</div><div class="value">{revenue}</div>' in kpis
        assert f'<div class="label">Sessions entering</div><div class="value">{entering}</div>' in funnel
        assert kpis.count("<svg") >= 3 and funnel.count("<svg") >= 2
        assert "<table>" in kpis and "<table>" in funnel and "<script" not in doc
    with journey.step("the exporting session moves on through the sidebar"):
        nav(page, "Overview")
        wait_title(page, "Overview")
        no_exception(page)
    with journey.step("meeting mode fits a projector window"):
        page.set_viewport_size({"width": 1217, "height": 900})
        page.goto(nb_url + "&meeting=1")
        wait_title(page, "J10 Monday meeting")
        page.get_by_text("Monday trading").first.wait_for(timeout=SLOW)
        time.sleep(2)
        reach = overflow(page)
        assert reach["right"] <= reach["width"] + 1, reach
        assert "Export HTML" not in main_text(page)
    ctx.close()
