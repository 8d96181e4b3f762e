"""Small rendering helpers shared by pages: feed cards, tables with readable columns."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.schema import OPTIONAL_FEEDS

__all__ = ["feed_cards", "history_table", "fmt_date", "money_column"]


def fmt_date(value, with_time: bool = False) -> str:
    if value is None or pd.isna(value):
        return "—"
    ts = pd.Timestamp(value)
    return ts.strftime("%Y-%m-%d %H:%M") if with_time else ts.strftime("%Y-%m-%d")


def feed_cards(overview: pd.DataFrame) -> None:
    """One metric card per feed: rows, date range, source."""
    cols = st.columns(len(overview))
    for col, rec in zip(cols, overview.itertuples(index=False), strict=True):
        with col.container(border=True):
            st.metric(rec.feed.capitalize(), f"{rec.rows:,}", help=rec.description)
            if rec.rows:
                rng = f"{fmt_date(rec.first)} → {fmt_date(rec.last)}" if not pd.isna(rec.first) else "catalogue (no dates)"
                st.caption(f"{rng}  \nfrom {rec.source}  \nloaded {fmt_date(rec.loaded_at, True)} UTC")
            else:
                st.caption("not loaded" + (" (optional)" if rec.feed in OPTIONAL_FEEDS else ""))


def history_table(hist: pd.DataFrame) -> pd.DataFrame:
    out = hist[["load_id", "feed", "source", "rows", "loaded_at", "warnings", "checksum"]].copy()
    out["loaded_at"] = out["loaded_at"].map(lambda v: fmt_date(v, True))
    return out.rename(columns={"load_id": "load", "loaded_at": "loaded (UTC)"})


def money_column(label: str, currency: str) -> st.column_config.NumberColumn:
    """A table column of money: Streamlit's currency preset where there is one, else the code in the title."""
    preset = {"USD": "dollar", "EUR": "euro", "JPY": "yen"}.get(currency)
    return st.column_config.NumberColumn(label if preset else f"{label} ({currency})",
                                         format=preset or "%.2f")
