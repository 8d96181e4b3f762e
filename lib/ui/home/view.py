"""Home: what data is loaded, its date range and freshness, and where to go next."""
from __future__ import annotations

import streamlit as st

from lib import ingest
from lib.schema import OPTIONAL_FEEDS
from lib.ui.app import shell
from lib.ui.widgets.formatting import feed_cards, feed_label, fmt_date

__all__ = ["render", "NEXT"]

# where a store with data goes next: page, title, icon, the question it answers, the feeds it reads
NEXT = (
    ("pages/overview_page.py", "Overview", ":material/monitoring:",
     "How are sales going? Revenue, orders and customers against the previous period, by channel and category.",
     ("orders",)),
    ("pages/funnel_page.py", "Funnel", ":material/filter_alt:",
     "Where do visitors drop out between viewing a product and buying it, and in which channel?",
     ("events",)),
    ("pages/replenish_page.py", "Replenishment", ":material/inventory_2:",
     "What should we order this week, from whom, and how much?",
     ("orders", "inventory", "products")),
)


def render() -> None:
    wh = shell.warehouse()
    st.title("Shopcast")
    st.caption("Sales, traffic and stock for your store, in one place.")
    overview = ingest.feed_overview(wh)
    if int(overview["rows"].sum()) == 0:
        st.info("**No data loaded yet.** Load the demo store to look around, or upload your own order, "
                "event, inventory and product exports on the Data page.", icon=":material/inbox:")
        st.page_link("pages/data_page.py", label="Go to Data sources", icon=":material/database:",
                     query_params={"src": "Demo store"})
        return
    feed_cards(overview)
    fresh = ingest.freshness(overview, shell.today())
    if not fresh.empty:
        st.subheader("Freshness")
        for rec in fresh.itertuples(index=False):
            age = "today" if rec.days_old <= 0 else f"{rec.days_old} day{'s' if rec.days_old != 1 else ''} ago"
            icon = ":material/check_circle:" if rec.days_old <= 2 else ":material/schedule:"
            st.markdown(f"{icon} **{feed_label(rec.feed)}**: {fmt_date(rec.first)} → {fmt_date(rec.last)} "
                        f"(latest {age})")
    loaded = set(overview.loc[overview["rows"] > 0, "feed"])
    missing = overview.loc[(overview["rows"] == 0) & ~overview["feed"].isin(OPTIONAL_FEEDS), "feed"].tolist()
    st.subheader("Where to go next")
    cols = st.columns(len(NEXT))
    for col, (path, title, icon, question, needs) in zip(cols, NEXT, strict=True):
        with col.container(border=True):
            st.page_link(path, label=title, icon=icon)
            st.caption(question)
            lacking = [feed_label(f).lower() for f in needs if f not in loaded]
            if lacking:
                st.caption(f"Needs {', '.join(lacking)}: not loaded yet.")
    if missing:
        st.warning("Not loaded yet: " + ", ".join(missing) + ". Some pages need them.", icon=":material/warning:")
    st.page_link("pages/data_page.py", label="Load, append or replace data", icon=":material/database:")
