"""Shared report controls: date range, comparison, grain, channel filter (all bound to the URL).

The widget keys ("range", "from", "to", "compare", "grain", "channel") are the same on every
page, so a link keeps the same view and later pages can carry them across.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st

from lib import fmt
from lib.analytics import kpis, periods
from lib.sharing.links import LINK_ALIASES, alias
from lib.ui.app import cache, compat, shell

__all__ = ["data_anchor", "data_span", "date_range", "install_link_aliases", "LINK_ALIASES", "alias", "DATE_KEYS",
           "comparison_picker", "grain_picker", "channel_filter", "channel_options"]


# Typed dates apply on Enter and Tab (Streamlit's date field applies them only when it loses focus)
DATE_KEYS = (Path(__file__).resolve().parents[1] / "assets" / "dates.js").read_text()


def _date_keys() -> None:
    """Install assets/dates.js (once per page load; drawn again it is a no-op), out of the way in the sidebar."""
    with st.sidebar:
        st.html(f"<script>{DATE_KEYS}</script>", unsafe_allow_javascript=True)


@cache.query(max_entries=16)
def _span(key, wh) -> tuple[date, date] | None:
    return kpis.order_span(wh)


@cache.query(max_entries=16)
def _channels(key, wh) -> list[str]:
    return kpis.channels(wh)


def data_span(wh) -> tuple[date, date] | None:
    """First and last order dates (cached per data version); None when no orders are loaded."""
    return _span(cache.key(wh), wh)


def data_anchor(wh) -> date | None:
    """The latest order date in the warehouse (the data's "today"); None when there are no orders."""
    span = data_span(wh)
    return None if span is None else span[1]


def date_range(anchor: date, *, default: str = "last_30") -> tuple[date, date]:
    """A preset picker (plus From/To dates for Custom), bound to the URL; returns inclusive dates."""
    presets = list(periods.PRESETS)
    preset = st.selectbox("Date range", presets, index=presets.index(default), key="range",
                          format_func=periods.PRESETS.get, bind="query-params")
    dflt_start, dflt_end = periods.resolve(default if default != "custom" else "last_30", anchor)
    if preset == "custom":
        _date_keys()
        c1, c2 = st.columns(2)
        start = c1.date_input("From", value=dflt_start, key="from", bind="query-params")
        end = c2.date_input("To", value=dflt_end, key="to", bind="query-params")
        try:
            start, end = periods.resolve("custom", anchor, start, end)
        except ValueError:
            st.warning("Pick both a start and an end date; showing the default range meanwhile.",
                       icon=":material/event:")
            start, end = dflt_start, dflt_end
    else:
        start, end = periods.resolve(preset or default, anchor)
    shown = {"range": [periods.PRESETS[preset or default]]}    # as the URL writes it, even when it is
    if preset == "custom":                                      # this page's default (the next may differ)
        shown.update({"from": [start.isoformat()], "to": [end.isoformat()]})
    st.session_state[shell.RANGE_SHOWN] = shown
    st.caption(f"{start:%b %d, %Y} – {end:%b %d, %Y} · Data through {anchor:%b %d, %Y}")
    return start, end


def install_link_aliases() -> bool:
    """Read an old link's value as today's ("range=Month to date" opens "This month"): Streamlit parses
    every query string it receives (a new session, a page switch, Back/Forward) with one function, and
    a widget refuses a label it does not offer. Wraps that function once (lib.ui.app.compat); idempotent."""
    def wrap(original):
        def parse(query_string: str) -> dict[str, list[str]]:
            out = original(query_string)
            for key in LINK_ALIASES:
                if key in out:
                    out[key] = [alias(key, v) if v else v for v in out[key]]
            return out
        return parse

    return compat.wrap_query_parser(wrap)


install_link_aliases()


install_link_aliases()


def comparison_picker(default: str = "previous_period") -> str:
    """Previous period / same period last year / none, bound to the URL (key "compare")."""
    kinds = list(periods.COMPARISONS)
    pick = st.selectbox("Compare with", kinds, index=kinds.index(default), key="compare",
                        format_func=periods.COMPARISONS.get, bind="query-params")
    return pick or default


def grain_picker(default: str = "day", *, with_total: bool = False, key: str = "grain") -> str:
    """Day / week / month (plus "total" when asked) as a segmented control, bound to the URL under ``key``.
    A page whose options differ takes a key of its own: Streamlit hands a keyed widget's value to the
    next page's widget of the same key (Explore's "Total" would reach the Overview)."""
    options = (["total"] if with_total else []) + list(periods.GRAINS)
    pick = st.segmented_control("Grain", options, default=default, key=key,
                                format_func=str.capitalize, bind="query-params")
    return pick or default


def channel_options(wh) -> list[str]:
    """Distinct channels in orders and events (cached per data version)."""
    return _channels(cache.key(wh), wh)


def channel_filter(wh) -> list[str]:
    """Channel multiselect bound to the URL (key "channel"); [] means all channels. Channels read in words
    (Paid search) in the list and in the URL; an old link's key (paid_search) is read as its words."""
    opts = channel_options(wh)
    picked = st.multiselect("Channels", opts, default=None, key="channel", bind="query-params",
                            format_func=fmt.words, placeholder="All channels", disabled=not opts)
    return [c for c in picked if c in opts]
