"""lib/ui/app/compat.py: every Streamlit internal the app relies on still exists in the installed Streamlit,
each patch applies and does what it is for (and what breaks without it), none applies to another
Streamlit, and no other module reaches into Streamlit's internals."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import streamlit
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.state import query_params as qp

from lib import exports
from lib.ui.app import compat, sharing

ROOT = Path(__file__).resolve().parent.parent
INVALID = alt.utils.schemapi.SchemaValidationError
BUNDLE = Path(streamlit.__file__).parent / "static" / "static" / "js"
INTERNAL = ("streamlit.runtime", "streamlit.web", "streamlit.testing", "streamlit.elements", "streamlit.proto")


def test_the_installed_streamlit_is_the_one_the_patches_were_written_for():
    assert compat.supported()
    assert tuple(int(p) for p in streamlit.__version__.split(".")[:2]) == compat.TESTED


def test_no_other_module_reaches_into_streamlits_internals():
    found = []
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "lib").rglob("*.py"))]:
        if path == ROOT / "lib" / "ui" / "app" / "compat.py":
            continue
        text = path.read_text()
        for node in ast.walk(ast.parse(text)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.startswith(INTERNAL)]
        found += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(r"_getframe|_parse_query_string|"
                                                                       r"_altair_globals_lock|streamlit\.elements", text)]
    assert found == []


# -- the page-switch filter and the query-string parser --------------------------------------------------------
def test_the_page_switch_filter_is_replaced_and_can_be_restored(monkeypatch):
    monkeypatch.setattr(qp.QueryParams, "populate_from_query_string", compat.ORIGINAL_POPULATE)
    assert not compat.page_switch_patched()
    assert compat.keep_shared_on_page_switch(("range",))
    assert compat.page_switch_patched() and qp.QueryParams._shopcast_shared_keys == ("range",)
    # what it keeps and what Streamlit's own filter drops: tests/test_history.py


def test_every_parsed_query_string_goes_through_the_wrapper_once(monkeypatch):
    monkeypatch.setattr(qp, "_parse_query_string", compat.ORIGINAL_PARSE)   # Streamlit's own, restored after
    calls = []

    def wrap(original):
        def parse(s):
            calls.append(s)
            return {k: [v.upper() for v in vs] for k, vs in original(s).items()}
        return parse

    assert qp._parse_query_string("a=b") == {"a": ["b"]}             # Streamlit's own: values as given
    assert compat.wrap_query_parser(wrap) and compat.wrap_query_parser(wrap)   # idempotent: wrapped once
    assert qp._parse_query_string("a=b&a=c") == {"a": ["B", "C"]} and calls == ["a=b&a=c"]


# -- the server -------------------------------------------------------------------------------------------------
def test_the_pages_folder_discovery_is_turned_off(monkeypatch):
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    assert compat.disable_pages_directory()
    assert PagesManager.uses_pages_directory is False


def test_outside_a_script_run_nothing_is_a_history_navigation():
    assert compat.history_navigation() is False
    assert issubclass(compat.ScriptControlException, BaseException)


# -- charts -----------------------------------------------------------------------------------------------------
def _bad_chart():
    # a width of "huge" is not in the Vega-Lite schema: Altair's check in to_dict() refuses it
    ch = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_point().encode(x="a:Q")
    ch.width = "huge"
    return ch


def test_a_chart_on_screen_skips_the_schema_check():
    with pytest.raises(INVALID):      # Streamlit's call without the patch
        _bad_chart().to_dict()
    spec = compat.skip_spec_validation(_bad_chart()).to_dict()
    assert spec["width"] == "huge" and spec["mark"] == {"type": "point"}


def test_chart_exports_share_streamlits_altair_lock():
    from streamlit.elements import vega_charts

    assert compat.altair_lock() is vega_charts._altair_globals_lock
    assert exports._altair_lock() is vega_charts._altair_globals_lock


# -- the page's elements by data-testid ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundle() -> str:
    return "\n".join(p.read_text(errors="ignore") for p in BUNDLE.glob("*.js"))


@pytest.mark.parametrize("name", compat.TESTIDS)
def test_every_selected_testid_is_in_the_installed_frontend(bundle, name):
    assert re.search(rf"[`\"']{re.escape(name)}[`\"']", bundle), f"Streamlit {streamlit.__version__} has no {name}"


def test_css_and_scripts_select_only_declared_testids():
    used = set(re.findall(r'data-testid="([^"]+)"', sharing._css()))
    for js in (ROOT / "lib" / "ui" / "assets").glob("*.js"):
        used |= set(re.findall(r"""data-testid=["']([^"']+)["']""", js.read_text()))
    assert used and used <= set(compat.TESTIDS)
    with pytest.raises(KeyError, match="stNoSuchThing"):
        compat.testid("stNoSuchThing")


# -- another Streamlit: nothing is patched ------------------------------------------------------------------------
def test_on_another_streamlit_no_patch_is_applied(monkeypatch, caplog):
    monkeypatch.setattr(streamlit, "__version__", "1.99.0")
    monkeypatch.setattr(qp.QueryParams, "populate_from_query_string", compat.ORIGINAL_POPULATE)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    parser = qp._parse_query_string
    assert not compat.supported()
    assert compat.keep_shared_on_page_switch(("range",)) is False and not compat.page_switch_patched()
    assert compat.wrap_query_parser(lambda original: original) is False and qp._parse_query_string is parser
    assert compat.disable_pages_directory() is False and PagesManager.uses_pages_directory is True
    with pytest.raises(INVALID):
        compat.skip_spec_validation(_bad_chart()).to_dict()
    assert compat.altair_lock() is None and exports._altair_lock() is exports._OWN_LOCK
    assert "was written for Streamlit 1.67, not 1.99.0" in caplog.text
