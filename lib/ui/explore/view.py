"""Explore: pick a metric, a dimension, a grain and filters; get the chart, the table and a CSV."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import fmt
from lib.analytics import explore, kpis
from lib.charts import explore as charts
from lib.exports import Formats
from lib.ui.app import cache, shell
from lib.ui.widgets import controls, downloads
from lib.ui.widgets.formatting import money_column

__all__ = ["render"]

NO_DIM = "none"


@cache.query(max_entries=64)
def _query(key, wh, metric: str, dimension: str | None, grain: str, start: date, end: date,
           channels: tuple[str, ...], categories: tuple[str, ...]) -> pd.DataFrame:
    return explore.query(wh, metric, dimension, grain, start, end,
                         {"channel": list(channels), "category": list(categories)})


@cache.query(max_entries=16)
def _categories(key, wh) -> list[str]:
    return kpis.categories(wh)


@cache.query(max_entries=16)
def _names(key, wh, skus: tuple[str, ...]) -> dict[str, str]:
    return kpis.product_names(wh, skus)


def _dim_label(key: str) -> str:
    return "No split" if key == NO_DIM else explore.DIMENSIONS[key].label


def _unavailable_note(metric: str) -> str | None:
    m = explore.METRICS[metric]
    missing = [k for k in explore.DIMENSIONS if explore.unavailable_reason(metric, k)]
    if not missing:
        return None
    names = ", ".join(explore.DIMENSIONS[k].label for k in missing)
    where = "web sessions" if m.source == "orders" else "order lines and the product feed"
    return (f"Not available for {m.label}: {names}, because they are recorded on {where}, "
            f"not on the {'orders' if m.source == 'orders' else 'sessions'} this metric counts.")


def render() -> None:
    st.title("Explore")
    st.caption("Any metric, split by a dimension, over time or in total. The table behind the chart is below.")
    opened = shell.open_page(lambda wh, key: controls.data_span(wh))
    if opened is None:
        return
    wh, key, span = opened
    if span is None:
        shell.nothing_loaded("**No orders loaded yet.** Load data on the Data page to explore it.")
        return

    metrics = list(explore.METRICS)
    c1, c2, c3 = st.columns([2, 2, 3])
    metric = c1.selectbox("Metric", metrics, key="metric", bind="query-params",
                          format_func=lambda k: explore.METRICS[k].label) or metrics[0]
    m = explore.METRICS[metric]
    dims = [NO_DIM, *explore.dimensions_for(metric)]
    dim = c2.selectbox("Split by", dims, index=1 if len(dims) > 1 else 0, key="dim", bind="query-params",
                       format_func=_dim_label) or NO_DIM
    with c3:
        grain = controls.grain_picker("week", with_total=True, key="xgrain")
    note = _unavailable_note(metric)
    if note:
        st.caption(f":material/info: {note}")

    f1, f2, f3, f4 = st.columns([4, 3, 3, 2])
    with f1:
        start, end = controls.date_range(span[1], default="last_90")
    with f2:
        channels = tuple(controls.channel_filter(wh))
    with f3:
        cats = _categories(key, wh)
        applies = m.source in explore.FILTERS["category"]
        picked = st.multiselect("Categories", cats, key="category", bind="query-params", placeholder="All categories",
                                disabled=not applies or not cats,
                                help=None if applies else "Sessions are not tied to a product category.")
        categories = tuple(c for c in picked if c in cats) if applies else ()
    with f4:
        top = st.number_input("Top N values", min_value=1, max_value=20, value=8, key="top", bind="query-params",
                              help="Lines for the N largest values of the split; the table has them all.")

    dimension = None if dim == NO_DIM else dim
    try:
        df = _query(key, wh, metric, dimension, grain, start, end, channels, categories)
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    names = _names(key, wh, tuple(sorted(df["sku"].unique()))) if dimension == "sku" and len(df) else {}
    stem = fmt.file_stem(f"{metric}{'-by-' + dimension if dimension else ''}-per-{grain}", start, end,
                         channel=channels, category=categories)
    _show(df, m, metric, dimension, grain, start, end, int(top), shell.settings().currency, stem, names)


PERIOD_NAMES = {"day": "Day", "week": "Week (from Monday)", "month": "Month"}


def explore_table(df: pd.DataFrame, m: explore.Metric, dimension: str | None, grain: str,
                  names: dict[str, str] | None = None) -> pd.DataFrame:
    """The table behind the chart, as shown and downloaded: columns named as on screen, periods as dates,
    channels in words, SKUs with their product name, the values as numbers."""
    out = pd.DataFrame(index=df.index)
    if "period" in df:
        out[PERIOD_NAMES[grain]] = pd.to_datetime(df["period"]).dt.date
    if dimension:
        label = explore.DIMENSIONS[dimension].label
        out[label] = charts.shown_values(dimension, df[dimension])
        if dimension == "sku":
            out["Product"] = [(names or {}).get(s) for s in df["sku"]]
    out[m.label] = df["value"].astype(float)
    return out.reset_index(drop=True)


def _show(df: pd.DataFrame, m: explore.Metric, metric: str, dimension: str | None, grain: str, start: date,
          end: date, top: int, currency: str, stem: str, names: dict[str, str]) -> None:
    dim_label = explore.DIMENSIONS[dimension].label if dimension else ""
    if df.empty or df["value"].isna().all():
        st.info(f"No data for {m.label} between {start:%b %d, %Y} and {end:%b %d, %Y} with these filters.",
                icon=":material/search_off:")
        return
    title = f"{m.label}" + (f" by {dim_label.lower()}" if dimension else "") + (
        f", per {grain}" if grain != "total" else ", total")
    st.subheader(title)
    shown = df
    if dimension:
        keep = explore.top_values(df, dimension, top, m.additive)
        shown = df[df[dimension].isin(keep)]
        if len(keep) < df[dimension].nunique():
            st.caption(f"Showing the top {len(keep)} of {df[dimension].nunique()} {dim_label.lower()} values "
                       f"({'by total' if m.additive else 'by average'}).")
    if grain == "total":
        ch = charts.bars_chart(shown, dimension, m.label, m.kind, dim_label, currency)
    else:
        ch = charts.lines_chart(shown, dimension, m.label, m.kind, dim_label, currency)
    downloads.chart(ch, stem, key="explore_chart", width="stretch")
    first, last = explore.partial_ends(start, end, grain)
    if first or last:
        which = " and ".join(w for w, cut in (("first", first), ("last", last)) if cut)
        st.caption(f":material/info: The {which} {grain}{'s are' if first and last else ' is'} only partly inside "
                   "the date range, so additive values read lower there.")
    if m.help:
        st.caption(f"{m.label}: {m.help}.")
    table = explore_table(df, m, dimension, grain, names)
    kind = {"money": "money", "pct": "pct", "count": "count"}[m.kind]
    config = {m.label: money_column(m.label, currency) if kind == "money" else st.column_config.NumberColumn(
        format="percent" if kind == "pct" else "localized")}
    if grain != "total":
        config[PERIOD_NAMES[grain]] = st.column_config.DateColumn(format="YYYY-MM-DD")
    downloads.table(table, stem, key="explore_table", hide_index=True, width="stretch",
                    height=min(420, 38 + 35 * len(table)), column_config=config,
                    number_formats=Formats(**{kind: (m.label,)}, currency=currency))
    if m.additive:
        total = float(table[m.label].sum())
        shown = fmt.money(total, currency) if kind == "money" else fmt.count(total)
        st.caption(f"Total in this table: {shown} ({len(table):,} rows).")
