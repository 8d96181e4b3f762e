"""The page-switch URL filter of lib/ui/app/history.py, on Streamlit's own QueryParams (the pinned version):
which keys of the incoming URL the new page gets."""
from __future__ import annotations

import pytest
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.runtime.state import query_params as qp_module
from streamlit.runtime.state.query_params import QueryParams

from lib.ui.app import compat, history, shell

OLD, NEW, MAIN = "hash-overview", "hash-funnel", "hash-main"
URL = "range=Last+90+days&channel=Web&channel=Store&trend=orders&dv=v7&unit=User"   # channels in words


@pytest.fixture(autouse=True)
def patched():
    original = qp_module.QueryParams.populate_from_query_string
    assert history.install(shell.SHARED), "this Streamlit no longer has the filter history.py replaces"
    yield
    qp_module.QueryParams.populate_from_query_string = original


def _left_overview() -> QueryParams:
    """A session whose Overview drew range, channel and trend (bound), and a Funnel unit widget drawn
    earlier still registered; dv is a plain key."""
    qp = QueryParams()
    for key in ("range", "channel", "trend"):
        qp.bind_widget(key, f"w-{key}", "string_value", OLD)
    qp.bind_widget("unit", "w-unit", "string_value", NEW)
    return qp


def _switch(qp: QueryParams, query: str, rerun_data: RerunData) -> dict:
    # Streamlit's ScriptRunner calls the filter with its RerunData in a local named rerun_data
    qp.populate_from_query_string(query, {MAIN, NEW})
    return {k: qp.get_all(k) for k in qp}


def test_sidebar_switch_keeps_the_shared_keys_and_drops_the_old_pages_own():
    qp = _left_overview()
    got = _switch(qp, URL, RerunData(query_string=URL))
    assert got == {"range": ["Last 90 days"], "channel": ["Web", "Store"], "dv": ["v7"], "unit": ["User"]}
    # the old page's bindings are gone: the new page's widgets bind the keys again
    assert not qp.is_bound("range") and not qp.is_bound("trend") and qp.is_bound("unit")


def test_back_or_forward_keeps_every_key_of_the_entry():
    qp = _left_overview()
    got = _switch(qp, URL, RerunData(query_string=URL, is_history_navigation=True))
    assert got == {"range": ["Last 90 days"], "channel": ["Web", "Store"], "trend": ["orders"], "dv": ["v7"],
                   "unit": ["User"]}
    assert not qp.is_bound("trend")


def test_streamlits_own_filter_dropped_the_shared_keys():
    """Why the patch exists: without it the shared range and channels never reach the next page."""
    qp_module.QueryParams.populate_from_query_string = compat.ORIGINAL_POPULATE
    got = _switch(_left_overview(), URL, RerunData(query_string=URL))
    assert got == {"dv": ["v7"], "unit": ["User"]}


def test_same_page_rerun_is_streamlits_own():
    qp = _left_overview()
    qp.populate_from_query_string(URL)
    assert qp.get_all("trend") == ["orders"] and qp.is_bound("trend")

