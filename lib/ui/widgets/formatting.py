"""Small rendering helpers shared by pages: feed cards, tables with readable columns."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import fmt
from lib.messages import source_label
from lib.schema import FEEDS, OPTIONAL_FEEDS

__all__ = ["feed_cards", "feed_label", "history_table", "fmt_date", "money_column", "preview_columns", "FEED_LABELS"]

# what one row of each feed is, for tiles and headings: the orders feed counts order lines, not orders
FEED_LABELS = {"orders": "Order lines", "events": "Web events", "inventory": "Stock snapshots",
               "products": "Products", "promotions": "Promotions", "customers": "Customers",
               "spend": "Marketing spend"}


def feed_label(feed: str) -> str:
    return FEED_LABELS.get(feed) or fmt.words(feed)


def fmt_date(value, with_time: bool = False) -> str:
    if value is None or pd.isna(value):
        return "—"
    ts = pd.Timestamp(value)
    return ts.strftime("%Y-%m-%d %H:%M") if with_time else ts.strftime("%Y-%m-%d")


CARDS_PER_ROW = 3          # six feeds in one row cut their counts off ("266,…") at 1400 px


def feed_cards(overview: pd.DataFrame) -> None:
    """One metric card per feed (rows, date range, source), three to a row so no count is cut off."""
    recs = list(overview.itertuples(index=False))
    cols = [c for start in range(0, len(recs), CARDS_PER_ROW) for c in st.columns(CARDS_PER_ROW)]
    for col, rec in zip(cols, recs, strict=False):
        with col.container(border=True):
            st.metric(feed_label(rec.feed), f"{rec.rows:,}", help=f"The {rec.feed} feed: {rec.description}")
            if rec.rows:
                rng = f"{fmt_date(rec.first)} → {fmt_date(rec.last)}" if not pd.isna(rec.first) else "catalogue (no dates)"
                st.caption(f"{rng}  \nfrom {source_label(rec.source)}  \nloaded {fmt_date(rec.loaded_at, True)} UTC")
            else:
                st.caption("not loaded" + (" (optional)" if rec.feed in OPTIONAL_FEEDS else ""))


def history_table(hist: pd.DataFrame) -> pd.DataFrame:
    out = hist[["load_id", "feed", "source", "rows", "loaded_at", "warnings", "checksum"]].copy()
    out.insert(2, "how", hist["mode"].map({"append": "appended"}).fillna("replaced") if "mode" in hist
               else "replaced")
    out["source"] = out["source"].map(source_label)
    out["loaded_at"] = out["loaded_at"].map(lambda v: fmt_date(v, True))
    return out.rename(columns={"load_id": "load", "loaded_at": "loaded (UTC)"})


def preview_columns(df: pd.DataFrame, feed: str) -> dict:
    """Column settings for a typed preview of a feed: titles in words, dates, numbers."""
    kinds = {c.name: c.kind for c in FEEDS[feed].columns}
    out = {"row": st.column_config.NumberColumn("Row", format="%d", help="The row in the file (the header is row 1)")}
    for name in df.columns:
        kind = kinds.get(name)
        title = fmt.words(name)
        if kind == "datetime":
            out[name] = st.column_config.DatetimeColumn(title, format="YYYY-MM-DD HH:mm:ss")
        elif kind == "date":
            out[name] = st.column_config.DateColumn(title, format="YYYY-MM-DD")
        elif kind == "int":
            out[name] = st.column_config.NumberColumn(title, format="%d")
        elif kind == "float":
            out[name] = st.column_config.NumberColumn(title, format="%.2f")
        elif kind is not None:
            out[name] = st.column_config.Column(title)
    return out


def money_column(label: str, currency: str) -> st.column_config.NumberColumn:
    """A table column of money: Streamlit's currency preset where there is one, else the code in the title."""
    preset = {"USD": "dollar", "EUR": "euro", "JPY": "yen"}.get(currency)
    return st.column_config.NumberColumn(label if preset else f"{label} ({currency})",
                                         format=preset or "%.2f")
