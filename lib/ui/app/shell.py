"""App-wide layout and services shared by every page (the only place pages get the warehouse)."""
from __future__ import annotations

import contextlib
import logging
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import streamlit as st
from streamlit.errors import StreamlitAPIException

from lib.messages import describe_error
from lib.settings import Settings
from lib.sharing import links
from lib.ui.app import cache, compat, history
from lib.warehouse import Warehouse, faults, versions

__all__ = ["configure", "settings", "warehouse", "live_warehouse", "today", "sidebar", "show_error", "data_version",
           "version_banner", "open_page", "page_fault", "nothing_loaded", "pinned_request", "warehouse_at", "DV", "SHARED", "RANGE_SHOWN", "LINK_OPEN", "carry_shared", "remember_shared", "link_guard",
           "link_report", "app_root"]

DV = "dv"    # URL key: the data version a link shows
SHARED = ("range", "from", "to", "channel", DV)    # URL keys that follow the user from page to page
RANGE_SHOWN = "_shopcast_range_shown"               # session key: the date range a page drew, URL-style
LINK_OPEN = "_shopcast_link_open"                   # session key: the next page opens a link, as it is
LIVE_PAGES = ("data", "views", "notebooks")          # pages that always work on the live data

log = logging.getLogger("shopcast")
ICON = Path(__file__).resolve().parents[1] / "assets" / "shopcast.png"


def configure() -> None:
    # a local file: a ":material/...:" page icon makes every browser fetch it from fonts.gstatic.com
    st.set_page_config(page_title="Shopcast", page_icon=str(ICON), layout="wide")
    if not history.installed():             # Back/Forward keep the view (see lib/ui/app/history.py)
        history.install(SHARED)


def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _open(url: str | None, data_dir: str) -> Warehouse:
    s = Settings.from_env()
    return Warehouse.open(url=url, settings=s)


def live_warehouse() -> Warehouse:
    """The warehouse for this app process (opened once, shared across sessions): the latest data."""
    s = settings()
    return _open(s.warehouse_url, str(s.data_dir))


@st.cache_resource(show_spinner=False, max_entries=8)
def _pinned(url: str | None, data_dir: str, version: str, current: str) -> Warehouse:
    return versions.pinned(live_warehouse(), version)


def pinned_request() -> str | None:
    """The data version a link asks for (URL key dv), when it is a kept one other than the latest."""
    dv = st.query_params.get(DV)
    if not dv:
        return None
    live = live_warehouse()
    if dv == live.data_version() or not versions.is_kept(live, dv):
        return None
    return dv


def warehouse() -> Warehouse:
    """The warehouse pages read: the latest data, or the kept data version a link pins (URL key dv)."""
    dv = pinned_request()
    if dv is None:
        return live_warehouse()
    s = settings()
    return _pinned(s.warehouse_url, str(s.data_dir), dv, live_warehouse().data_version())


def warehouse_at(version: str) -> Warehouse:
    """The warehouse as it was at a kept data version (the latest when it is current or no longer kept)."""
    live = live_warehouse()
    if version == live.data_version() or not versions.is_kept(live, version):
        return live
    s = settings()
    return _pinned(s.warehouse_url, str(s.data_dir), version, live.data_version())


def data_version() -> str:
    return warehouse().data_version()


def version_banner(page) -> None:
    """Say which data a link shows when it pins an older version (or asks for one no longer kept)."""
    dv = st.query_params.get(DV)
    if not dv or getattr(page, "url_path", None) in LIVE_PAGES:
        return
    live = live_warehouse()
    if dv == live.data_version():
        return
    if pinned_request() is None:
        st.warning(f"This link was made on data version `{dv[:12]}`, which is no longer kept (the warehouse "
                   f"keeps the last {settings().data_versions_kept}). Showing the latest data.",
                   icon=":material/history:")
        return
    kept = versions.versions(live).set_index("version")
    made = kept.at[dv, "made_at"]
    c1, c2 = st.columns([5, 1], vertical_alignment="center")
    c1.info(f"**Numbers as they were on {made:%b %d, %Y %H:%M}** (data version `{dv}`, the one this link was "
            "made on). Newer data has been loaded since.", icon=":material/history:")
    if c2.button("See the latest", icon=":material/update:", key="dv_latest"):
        del st.query_params[DV]             # out of the address bar too, so a reload or a copy stays latest
        st.rerun()


def today() -> date:
    """Today in the store's timezone: the as-of date for validation of uploads."""
    return datetime.now(ZoneInfo(settings().store_timezone)).date()


def sidebar() -> None:
    """The warehouse and data version in the sidebar. The first read of every run: when the warehouse is
    unreachable (its file held by another program, its disk full) the run ends here, with that said in words
    (the next run tries again)."""
    try:
        wh = warehouse()
        version = wh.data_version()
    except Exception as err:
        if faults.describe(err) is None:
            raise
        show_error(err)
        st.stop()
    replica = settings().replica
    served = f" · replica `{replica}`" if replica else ""      # team mode (lib.ops.team): which process serves
    with st.sidebar:
        st.caption(f"Warehouse: {wh.dialect} · data version `{version}`{served}")


def page_fault(err: BaseException) -> bool:
    """For the frame around a page: True once a warehouse fault (lib.warehouse.faults) the page met is shown
    in words; False for anything else."""
    if faults.describe(err) is None:
        return False
    show_error(err)
    return True


def open_page(first_reads):
    """(warehouse, key, first_reads(warehouse, key)) for a page's opening reads, or None once their error is
    shown in words (show_error). key: lib.ui.app.cache.key, for the page's cached queries."""
    try:
        wh = warehouse()
        key = cache.key(wh)
        return wh, key, first_reads(wh, key)
    except Exception as err:  # noqa: BLE001 - every failure becomes a message
        show_error(err)
        return None


def nothing_loaded(message: str) -> None:
    """A page's empty state: what is missing (markdown) and the way to the Sources page."""
    st.info(message, icon=":material/inbox:")
    st.page_link("pages/data_page.py", label="Go to Data sources", icon=":material/database:")


def show_error(err: BaseException, checking: bool = False) -> None:
    """Show any error as a clear message (never a traceback); log the details server-side.
    `checking`: the error came from a validation that was not going to load anything."""
    fault = faults.describe(err)        # the database went away or its disk is full: say so, not "something"
    if fault is not None:
        log.warning("warehouse fault: %s: %s", type(err).__name__, str(err).splitlines()[0][:200] if str(err) else "")
        st.error(f"**{fault[0]}**\n\n{fault[1]}", icon=":material/cloud_off:")
        return
    msg = describe_error(err, checking)
    if msg.table is None and not isinstance(err, (ValueError, LookupError)):
        log.error("unexpected error: %s", type(err).__name__, exc_info=err)
    st.error(f"**{msg.title}**\n\n{msg.detail}" if msg.detail else f"**{msg.title}**")
    if msg.table is not None:
        st.dataframe(msg.table, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(msg.table)))
        st.download_button("Download the problems as CSV", msg.table.to_csv(index=False).encode(),
                           file_name="validation-problems.csv", mime="text/csv", icon=":material/download:")


def carry_shared(url_path: str) -> None:
    """On arriving at another page, bring the shared settings (date range, channels, data version) the
    page before had and the URL does not say. The page before passes only the keys its own widgets
    bind (Streamlit's rule), so a page without a date range would otherwise drop it. Not on Back/Forward
    (the entry's URL is the view) nor when a saved view is opened (the view says what it wants)."""
    ss = st.session_state
    before = ss.get("_shopcast_page")
    ss["_shopcast_page"] = url_path
    opening_link = ss.pop(LINK_OPEN, False)
    if before is None or before == url_path or not ss.get("_shopcast_shared") or opening_link:
        return
    if _history_navigation():
        return
    carry = {k: v for k, v in ss["_shopcast_shared"].items() if not st.query_params.get_all(k)}
    if "range" in carry:                         # a range of the page before comes with its own dates
        carry.update({k: v for k, v in ss["_shopcast_shared"].items() if k in ("from", "to")})
    if not carry:
        return
    try:                        # one write, one message
        st.query_params.update(carry)
    except StreamlitAPIException:
        for key, values in carry.items():
            with contextlib.suppress(StreamlitAPIException):   # bound to a widget: Streamlit brings that itself
                st.query_params[key] = values


def _history_navigation() -> bool:
    return compat.history_navigation()


def remember_shared() -> None:
    """After a page ran: the shared settings as they now are (a cleared filter is forgotten too). The
    date range is the one the page drew, written out even where it is that page's default: the next
    page may have another default."""
    shared = {k: st.query_params.get_all(k) for k in SHARED if st.query_params.get_all(k)}
    shown = st.session_state.pop(RANGE_SHOWN, None)
    if shown:
        shared = {k: v for k, v in shared.items() if k not in ("range", "from", "to")} | shown
    st.session_state["_shopcast_shared"] = shared


def _url() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def link_guard(url_path: str, own_notices: frozenset[str]):
    """Before a page runs: when its URL came from outside (a link, a bookmark, back/forward), keep a
    place at the top for a notice about link values the page's widgets refuse. Returns a token for
    link_report."""
    raw = _url()
    outside = raw != st.session_state.get("_shopcast_url_end")
    slot = st.empty()       # always drawn (empty), so the page's elements keep their places between runs
    return raw, (slot if outside and url_path not in own_notices else None)


def link_report(token) -> None:
    """After the page ran: the values the widgets dropped from the link (unknown option, malformed
    number or date) are named in the kept place; they were never used."""
    raw, slot = token
    now = _url()
    st.session_state["_shopcast_url_end"] = now
    if slot is None:
        return
    dropped = [links.link_value(k, v) for k, v in raw.items() if k not in now and any(v)]
    if dropped:
        slot.warning(f"Ignored from the link (not a valid value): {', '.join(dropped)}. Showing the default "
                     "instead.", icon=":material/link_off:")


def app_root() -> str:
    """The app's address without the page: st.context.url ends with the current page's path."""
    from urllib.parse import urlsplit

    from lib.ui.app import nav

    url = st.context.url or "http://localhost:8501"
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1] if path else ""
    if last and last in nav.PAGES:
        path = path[: -len(last)].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"
