"""Notebooks page (AppTest): create, add a note, a saved view and a pasted link, reorder, remove; the
HTML export runs each view headlessly and writes its numbers, charts (SVG) and tables inline."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from lib import notebooks as nbs
from lib import saved_views as sv
from lib.ui.notebook_html import notebook_html
from lib.ui.notebooks_view import parse_link
from tests.test_app_views import app, env  # noqa: F401 - the fixture
from tests.test_versions import orders

AS_OF = date(2026, 3, 31)


def test_build_a_notebook_on_the_page(env):  # noqa: F811
    sv.save_view(env, name="Home view", page="", params=[], data_version=env.data_version())
    at = app("pages/notebooks_page.py")
    assert "No notebooks yet" in at.info[0].value
    at.text_input[0].input("Monday meeting")
    at.button[0].click().run()
    nb_id = at.query_params["nb"]
    assert at.title[0].value == "Monday meeting" and "This notebook is empty" in at.info[0].value
    at.text_area(key="nb_new_note").input("## Week 14\n\n**Orders** were up.")
    at.button(key="nb_add_note").click().run()
    at.button(key="nb_add_view").click().run()
    at.text_input(key="nb_link").input("http://localhost:8501/overview?range=Last+90+days&dv=abc&meeting=1")
    at.text_input(key="nb_link_title").input("KPIs")
    at.button(key="nb_add_link").click().run()
    assert not at.exception, at.exception
    nb = nbs.get_notebook(env, nb_id)
    assert [c.kind for c in nb.cells] == ["markdown", "view", "view"]
    assert nb.cells[2].page == "overview" and nb.cells[2].params == (("range", "Last 90 days"),)
    assert [s.value for s in at.subheader if s.value in ("Home view", "KPIs")] == ["Home view", "KPIs"]
    frames = at.get("iframe")
    assert len(frames) == 2 and "dv=" + nb.data_version in frames[1].proto.src
    assert "meeting=1" in frames[1].proto.src and "range=Last+90+days" in frames[1].proto.src
    at.button(key="nb_up_2").click().run()
    assert [c.text for c in nbs.get_notebook(env, nb_id).cells][1] == "KPIs"
    at.button(key="nb_rm_0").click().run()
    assert [c.kind for c in nbs.get_notebook(env, nb_id).cells] == ["view", "view"]


def test_a_notebook_keeps_its_data_version_until_moved_to_the_latest(env):  # noqa: F811
    nb_id = nbs.create_notebook(env, "Pinned", env.data_version())
    nbs.save_notebook(env, nbs.get_notebook(env, nb_id).add_markdown("note"))
    env.load("orders", orders(5), source="o2", as_of=AS_OF, now=datetime(2026, 4, 2, 10))
    at = app("pages/notebooks_page.py", {"nb": nb_id})
    assert "Numbers as they were on" in at.info[0].value
    at.button(key="nb_repin").click().run()
    assert nbs.get_notebook(env, nb_id).data_version == env.data_version()
    assert "On the latest data." in [c.value for c in at.caption]
    gone = app("pages/notebooks_page.py", {"nb": "nope"})
    assert "No notebook has the id" in gone.warning[0].value


def test_pasted_links_must_be_analysis_pages():
    assert parse_link("http://h:8501/funnel?unit=user&dv=x") == ("funnel", [("unit", "user")])
    with pytest.raises(sv.ViewError, match="analysis page"):
        parse_link("http://h:8501/data?src=Demo+store")
    with pytest.raises(sv.ViewError):
        parse_link("https://evil.example/whatever")


def test_html_export_runs_each_view_with_its_data_version(env, monkeypatch):  # noqa: F811
    v1 = env.data_version()
    env.load("orders", orders(5), source="o2", as_of=AS_OF, now=datetime(2026, 4, 2, 10))
    nb = nbs.Notebook("abcdefgh", "Export <test>", v1).add_markdown("## Notes\n\n- **three** orders then")
    nb = nb.add_view("", [], "Home as it was").add_view("overview", [("range", "Last 90 days")], "KPIs")
    html = notebook_html(nb, now=datetime(2026, 4, 3, 9))
    assert html.startswith("<!doctype html>") and "Export &lt;test&gt;" in html
    assert "<li><strong>three</strong> orders then</li>" in html
    home = html.split("Home as it was")[1].split("KPIs")[0]
    assert re.search(r'class="label">Orders</div><div class="value">3</div>', home)   # v1 had 3 orders
    kpis = html.split("<h2>KPIs</h2>")[1]
    assert "<svg" in kpis and "Date range: last_90" in kpis
    assert "http://" not in html.split("<body>")[1].replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'http://www.w3.org/1999/xlink', "")                                           # nothing to fetch
