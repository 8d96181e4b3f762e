"""Streamlit's internals, in one place.

Every use of a private name or an internal module of Streamlit (``streamlit.runtime``, ``streamlit.web``,
``streamlit.elements``) lives here; the rest of the app uses Streamlit's public API only
(tests/test_compat.py checks the imports). Each patch was written against one Streamlit (TESTED) and is
applied only when that is the installed one: on another version it logs a warning and the app keeps
Streamlit's own behaviour (what that costs is said per patch). tests/test_compat.py proves each still
applies to the installed Streamlit and shows what breaks without it.

    supported()                        the installed Streamlit is TESTED (major.minor)
    keep_shared_on_page_switch(keys)   page switches keep the shared URL keys, Back/Forward every key
    page_switch_patched()              whether that patch is in place
    wrap_query_parser(wrap)            every query string Streamlit parses goes through wrap(original)
    history_navigation()               whether the script run under way is the browser's Back/Forward
    ScriptControlException             raised into a script by a rerun or stop request
    disable_pages_directory()          no pages/ folder discovery before the first st.navigation
    run_cli(argv)                      ``streamlit run ...`` in this process
    add_routes(make), routes_added()   the app's own HTTP routes (make(prefix) -> Starlette routes) served
                                       ahead of Streamlit's; whether they are
    skip_spec_validation(chart)        chart.to_dict() without the JSON-schema check, on screen
    altair_lock()                      Streamlit's lock around Altair's process-wide settings
    TESTIDS, CONTROL_TESTIDS, testid(name)  the data-testid attributes that CSS and assets/*.js select
"""
from __future__ import annotations

import logging
import sys
from functools import partial

import streamlit
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state import query_params as _qp

from lib import exports

__all__ = ["TESTED", "TESTIDS", "CONTROL_TESTIDS", "testid", "supported", "keep_shared_on_page_switch", "page_switch_patched",
           "wrap_query_parser", "history_navigation", "ScriptControlException", "disable_pages_directory",
           "run_cli", "add_routes", "routes_added", "skip_spec_validation", "altair_lock", "ORIGINAL_POPULATE", "ORIGINAL_PARSE"]

log = logging.getLogger("shopcast")
TESTED = (1, 67)

# Elements the meeting-mode CSS (lib/ui/app/sharing.py) and the scripts of lib/ui/assets select by Streamlit's
# data-testid attributes. Not an API: tests/test_compat.py finds each in the installed frontend bundle, and
# checks that the CSS and the scripts select no other.
# (1.67 has no stToggle, stSelectSlider, stDataEditor or stSidebarCollapsedControl, selected before: a
# toggle is an stCheckbox, a select slider an stSlider, the collapsed sidebar's control stExpandSidebarButton)
CONTROL_TESTIDS = ("stSelectbox", "stMultiSelect", "stSlider", "stDateInput", "stNumberInput", "stTextInput",
                   "stButtonGroup", "stRadio", "stCheckbox", "stButton", "stDownloadButton", "stPopover",
                   "stFileUploader", "stFormSubmitButton", "stPageLink", "stTextArea", "stForm")
TESTIDS = tuple(dict.fromkeys((
    "stElementContainer", "stSidebar", "stExpandSidebarButton", "stHeader",
    "stMainBlockContainer", "stMain", "stDateInputField", "stDateInput", "stSidebarNav", "stPageLink",
    "stPageLink-NavLink", *CONTROL_TESTIDS)))


def testid(name: str) -> str:
    """The CSS selector of a Streamlit element by its data-testid (only those declared in TESTIDS)."""
    if name not in TESTIDS:
        raise KeyError(f"data-testid {name!r} is not declared in lib.ui.app.compat.TESTIDS")
    return f'[data-testid="{name}"]'


def supported() -> bool:
    """Whether the installed Streamlit's major.minor is TESTED."""
    try:
        return tuple(int(p) for p in streamlit.__version__.split(".")[:2]) == TESTED
    except ValueError:
        return False


def _skip(what: str, cost: str) -> bool:
    """True (and a warning) when the patch ``what`` must not be applied to this Streamlit."""
    if supported():
        return False
    log.warning("compat: %s was written for Streamlit %d.%d, not %s: not applied (%s)", what, *TESTED,
                streamlit.__version__, cost)
    return True


# -- page switches and Back/Forward (see lib/ui/app/history.py for the why) -------------------------------------
ORIGINAL_POPULATE = _qp.QueryParams.populate_from_query_string
ORIGINAL_PARSE = getattr(_qp, "_parse_query_string", None)     # before any wrapper
_NEEDED = ("_bindings_by_param", "clear_with_no_forward_msg", "set_with_no_forward_msg", "unbind_widget",
           "_send_query_param_msg")


def _history_navigation_of_caller() -> bool:
    """Back/Forward flag of the page switch under way: Streamlit's ScriptRunner, the caller of
    populate_from_query_string (two frames up from here), holds its RerunData in a local ``rerun_data``."""
    frame = sys._getframe(2)
    rerun = frame.f_locals.get("rerun_data") if frame is not None else None
    return bool(getattr(rerun, "is_history_navigation", False))


def _populate(self, query_string: str, valid_script_hashes: set[str] | None = None) -> None:
    """Streamlit's page-switch filter, keeping the shared keys, and every key on Back/Forward."""
    if valid_script_hashes is None:                    # the same page again, or the first load
        return ORIGINAL_POPULATE(self, query_string, valid_script_hashes)
    keep_all = _history_navigation_of_caller()
    shared = getattr(type(self), "_shopcast_shared_keys", ())
    parsed = _qp._parse_query_string(query_string)
    self.clear_with_no_forward_msg()
    stale, dropped = [], False
    for key, values in parsed.items():
        binding = self._bindings_by_param.get(key)
        if binding is not None and binding.script_hash not in valid_script_hashes:
            stale.append(binding.widget_id)            # the new page's widget binds it again
            if not (keep_all or key in shared):
                dropped = True                          # the old page's own setting
                continue
        self.set_with_no_forward_msg(key, values[-1] if len(values) == 1 else (values or ""))
    for widget_id in stale:
        self.unbind_widget(widget_id)
    if dropped:
        self._send_query_param_msg()
    return None


def keep_shared_on_page_switch(shared_keys: tuple[str, ...]) -> bool:
    """Replace Streamlit's page-switch URL filter (idempotent). Without it a page switch drops every URL
    key last drawn by the page left: the shared date range and channels, and on Back/Forward the view of
    the entry. False, and Streamlit's own behaviour, on another Streamlit or when the filter is gone."""
    if _skip("the page-switch URL filter", "Back and page switches may lose the shared settings"):
        return False
    if not hasattr(_qp, "_parse_query_string") or not all(
            hasattr(_qp.QueryParams, n) or n in _qp.QueryParams.__dataclass_fields__ for n in _NEEDED):
        log.warning("compat: this Streamlit has no page-switch URL filter to replace; Back may lose keys")
        return False
    _qp.QueryParams._shopcast_shared_keys = tuple(shared_keys)
    _qp.QueryParams.populate_from_query_string = _populate
    return True


def page_switch_patched() -> bool:
    return _qp.QueryParams.populate_from_query_string is _populate


def wrap_query_parser(wrap) -> bool:
    """Route every query string Streamlit parses (a new session, a page switch, Back/Forward) through
    ``wrap(original)``, once (the wrapper is marked ``shopcast_wrapped``). Without it an old link's value
    (range=Month to date) is refused by the widget. False on another Streamlit or without the parser."""
    if _skip("the query-string parser wrapper", "old links' values are refused"):
        return False
    original = getattr(_qp, "_parse_query_string", None)
    if original is None:
        return False
    if getattr(original, "shopcast_wrapped", False):
        return True
    parse = wrap(original)
    parse.shopcast_wrapped = True
    _qp._parse_query_string = parse
    return True


def history_navigation() -> bool:
    """Whether the script run under way was started by the browser's Back/Forward (False outside a run,
    or on another Streamlit)."""
    if not supported():
        return False
    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


# -- the server ---------------------------------------------------------------------------------------------
def disable_pages_directory() -> bool:
    """Turn off the pages/ folder discovery before the server starts (the app declares its pages with
    st.navigation, which turns it off too, but only once the first session runs: a deep link such as /data
    then shows "Page not found" first). False on another Streamlit."""
    if _skip("turning the pages/ folder discovery off", "a deep link may show 'Page not found' first"):
        return False
    PagesManager.uses_pages_directory = False
    return True


def run_cli(argv: list[str]) -> int:
    """``streamlit <argv>`` in this process (Streamlit's command-line entry point)."""
    from streamlit.web import cli

    sys.argv = ["streamlit", *argv]
    return cli.main()


def _routes_module():
    from streamlit.web.server.starlette import starlette_app

    return starlette_app


def add_routes(make) -> bool:
    """Serve the app's own HTTP routes next to Streamlit's: ``make(prefix)`` returns Starlette routes, where
    prefix is the server's base URL path ("" or "/base"); they are put ahead of Streamlit's own when the
    server builds its routes (call before the server starts; a second call replaces the first). Streamlit
    1.67 runs on Starlette and builds its routes in ``create_streamlit_routes``; its public ``st.App(routes=)``
    would do the same but changes how the app is launched (an ASGI launcher module, its folder on
    sys.path). False on another Streamlit: the routes are not served (for the door: a browser is not
    remembered, the password is asked on each visit)."""
    if _skip("the app's own HTTP routes", "a browser is not remembered after the password"):
        return False
    module = _routes_module()
    current = getattr(module, "create_streamlit_routes", None)
    if current is None:
        log.warning("compat: this Streamlit builds no Starlette routes; the app's own routes are not served")
        return False
    original = getattr(current, "shopcast_original", current)

    def create_streamlit_routes(runtime):
        base = str(streamlit.get_option("server.baseUrlPath") or "").strip("/")
        return [*make(f"/{base}" if base else ""), *original(runtime)]

    create_streamlit_routes.shopcast_original = original
    module.create_streamlit_routes = create_streamlit_routes
    return True


def routes_added() -> bool:
    """Whether add_routes is in place (the server started in this process serves the app's routes)."""
    if not supported():
        return False
    return hasattr(getattr(_routes_module(), "create_streamlit_routes", None), "shopcast_original")


# -- charts -------------------------------------------------------------------------------------------------
def skip_spec_validation(chart):
    """The chart, whose to_dict() (called by Streamlit on every run) skips the Vega-Lite JSON-schema check:
    a third of a cached page rerun (bench/reruns.py); the chart tests validate every spec the app builds.
    Altair charts refuse new attributes, hence object.__setattr__. The chart unchanged on another
    Streamlit (slower reruns)."""
    if not supported() or not callable(getattr(type(chart), "to_dict", None)):
        return chart
    object.__setattr__(chart, "to_dict", partial(type(chart).to_dict, chart, validate=False))
    return chart


def altair_lock():
    """Streamlit's lock around Altair's process-wide data transformer and theme (held while it serialises
    a chart), or None on another Streamlit or before its chart module is loaded. Registered with
    lib.exports on import, so chart exports share it; without it an export could see another session's
    data transformer."""
    if not supported():
        return None
    charts_mod = sys.modules.get("streamlit.elements.vega_charts")
    return getattr(charts_mod, "_altair_globals_lock", None)


exports.share_altair_lock(altair_lock)
