"""App-wide layout and services shared by every page (the only place pages get the warehouse)."""
from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from lib.messages import describe_error
from lib.settings import Settings
from lib.warehouse import Warehouse

__all__ = ["configure", "settings", "warehouse", "today", "sidebar", "show_error", "data_version"]

log = logging.getLogger("shopcast")


def configure() -> None:
    st.set_page_config(page_title="Shopcast", page_icon=":material/storefront:", layout="wide")


def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _open(url: str | None, data_dir: str) -> Warehouse:
    s = Settings.from_env()
    return Warehouse.open(url=url, settings=s)


def warehouse() -> Warehouse:
    """The warehouse for this app process (opened once, shared across sessions)."""
    s = settings()
    return _open(s.warehouse_url, str(s.data_dir))


def data_version() -> str:
    return warehouse().data_version()


def today() -> date:
    """Today in the store's timezone: the as-of date for validation of uploads."""
    return datetime.now(ZoneInfo(settings().store_timezone)).date()


def sidebar() -> None:
    wh = warehouse()
    with st.sidebar:
        st.caption(f"Warehouse: {wh.dialect} · data version `{wh.data_version()}`")


def show_error(err: BaseException) -> None:
    """Show any error as a clear message (never a traceback); log the details server-side."""
    msg = describe_error(err)
    if msg.table is None and not isinstance(err, (ValueError, LookupError)):
        log.error("unexpected error: %s", type(err).__name__, exc_info=err)
    st.error(f"**{msg.title}**\n\n{msg.detail}" if msg.detail else f"**{msg.title}**")
    if msg.table is not None:
        st.dataframe(msg.table, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(msg.table)))
        st.download_button("Download the problems as CSV", msg.table.to_csv(index=False).encode(),
                           file_name="validation-problems.csv", mime="text/csv", icon=":material/download:")
