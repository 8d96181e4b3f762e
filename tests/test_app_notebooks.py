"""Notebooks page (AppTest): create, add a note, a saved view and a pasted link, reorder, remove; the
HTML export itself is tested in tests/test_reports.py (lib level) and tests/test_browser_notebook_export.py."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from lib.sharing import notebooks as nbs
from lib.sharing import views as sv
from lib.ui.notebooks.view import parse_link
from tests.support.app_views import app, env  # noqa: F401 - the fixture
from tests.support.version_feeds import orders

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


def test_export_runs_off_the_users_thread_with_progress_then_offers_the_file(env, monkeypatch):  # noqa: F811
    """The export (lib.reports.notebook on a lib.jobs worker) does not hold the page's run: the run ends
    with a progress bar while the export is still working, and a later run offers the file."""
    import threading

    from lib.reports import notebook

    release, threads = threading.Event(), []

    def slow_export(nb, warehouse_for, *, currency="USD", progress=None, now=None, today=None):
        threads.append(threading.current_thread().name)
        progress(0.5, "cell 1 of 1")
        assert release.wait(30)
        return "<!doctype html><p>exported</p>"
    monkeypatch.setattr(notebook, "notebook_html", slow_export)
    nb_id = nbs.create_notebook(env, "Slow", env.data_version())
    nbs.save_notebook(env, nbs.get_notebook(env, nb_id).add_view("overview", [("range", "Last 90 days")]))
    at = app("pages/notebooks_page.py", {"nb": nb_id})
    at.button(key="nb_export").click().run()
    assert not at.exception, at.exception
    assert threads and threads[0].startswith("shopcast-job")          # on a worker, not the session's thread
    assert [p.proto.text for p in at.get("progress")] == ["Exporting: cell 1 of 1"]
    assert not at.get("download_button")
    release.set()
    for _ in range(50):                                                 # the worker finishes on its own
        at.run()
        if at.get("download_button"):
            break
    (button,) = at.get("download_button")
    assert button.proto.label == "Download the HTML file" and not at.get("progress")
