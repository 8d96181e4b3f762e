"""AppTest for saved views: save from the Share box, list, open by short link (with its data
version), rename, delete; and the page list in lib/ui/nav.py matches app.py."""
from __future__ import annotations

import ast
from datetime import datetime

from lib import saved_views as sv
from lib.ui import nav
from tests.support.app_views import (
    AS_OF,
    app,
    env,  # noqa: F401 - fixtures, used by name
)
from tests.support.paths import ROOT
from tests.support.version_feeds import orders


def test_nav_lists_exactly_the_pages_app_py_registers():
    tree = ast.parse((ROOT / "app.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "Page"]
    registered = {next((k.value.value for k in c.keywords if k.arg == "url_path"), ""): c.args[0].value
                  for c in calls}
    assert registered == {k: v[0] for k, v in nav.PAGES.items()}


def test_save_from_the_share_box_then_list_rename_and_delete(env):  # noqa: F811
    at = app("pages/data_page.py", {"src": "Demo store", "seed": "11"})
    at.sidebar.text_input[0].input("Demo setup")          # "Save this view as"
    at.sidebar.button[-1].click().run()                   # the form's submit button
    assert not at.exception, at.exception
    assert "Saved “Demo setup”." in at.sidebar.success[0].value
    views = sv.list_views(env)
    assert views["name"].tolist() == ["Demo setup"] and views["page"].tolist() == ["data"]
    assert views["params"].iloc[0] == [("src", "Demo store"), ("seed", "11")]
    assert views["data_version"].iloc[0] == env.data_version()
    view_id = views["view_id"].iloc[0]
    assert at.sidebar.code[-1].value.endswith(f"/views?v={view_id}")

    page = app("pages/views_page.py")
    shown = page.dataframe[0].value
    assert shown["name"].tolist() == ["Demo setup"] and shown["data"].tolist() == ["latest"]
    assert shown["page"].tolist() == ["Sources"]
    page.text_input[0].set_value("Demo store setup")
    page.text_area[0].set_value("seed 11 for the workshop")
    page.button[0].click().run()
    assert sv.get_view(env, view_id)["name"] == "Demo store setup"
    assert sv.get_view(env, view_id)["note"] == "seed 11 for the workshop"
    page.button(key="sv_delete").click().run()
    assert sv.list_views(env).empty
    assert "No saved views yet" in page.info[0].value


def test_a_short_link_opens_the_views_page_settings_and_data_version(env):  # noqa: F811
    v1 = env.data_version()
    view_id = sv.save_view(env, name="Home then", page="", params=[], data_version=v1)
    env.load("orders", orders(5), source="o2", as_of=AS_OF, now=datetime(2026, 4, 2, 10))
    at = app("pages/views_page.py", {"v": view_id})
    assert at.query_params["dv"] == v1
    assert next(m.value for m in at.metric if m.label == "Order lines") == "3"     # the data as saved
    assert "Numbers as they were on" in at.info[0].value
    gone = app("pages/views_page.py", {"v": "zzzzzzzz"})
    assert "No saved view has the id" in gone.warning[0].value

