"""AppTest for saved views: save from the Share box, list, open by short link (with its data
version), rename, delete; and the page list in lib/ui/app/nav.py matches app.py."""
from __future__ import annotations

import ast
from datetime import datetime

from lib.sharing import views as sv
from lib.ui.app import nav
from tests.support.app_views import (
    AS_OF,
    app,
    env,  # noqa: F401 - fixtures, used by name
)
from tests.support.paths import ROOT
from tests.support.version_feeds import orders


def test_the_navigation_is_built_from_the_one_page_registry():
    # app.py declares no page of its own: every st.Page comes from lib/ui/app/nav.py's registry
    tree = ast.parse((ROOT / "app.py").read_text())
    literal_pages = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "Page"
                     and n.args and isinstance(n.args[0], ast.Constant)]
    assert literal_pages == []
    assert list(nav.PAGES) == [p.url_path for p in nav.REGISTRY] and len(set(nav.PAGES)) == len(nav.REGISTRY)
    assert [s for s in nav.SECTIONS] == ["Overview", "Customers", "Planning", "Data"]
    assert all((ROOT / file).is_file() for file, _ in nav.PAGES.values())


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

