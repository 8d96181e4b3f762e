"""Overview: KPI tiles against a comparison period, the trend with promotions, what changed, breakdowns, movers."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import fmt
from lib.analytics import explore, kpis, periods
from lib.charts import overview as charts
from lib.exports import Formats
from lib.reports import overview as report
from lib.ui.app import cache, shell
from lib.ui.overview import change as what_changed
from lib.ui.widgets import controls, downloads
from lib.ui.widgets.formatting import money_column

__all__ = ["render", "TILE_ROWS", "TREND_METRICS"]

TILE_ROWS = [
    ["revenue", "orders", "units", "aov", "returns"],
    ["customers", "new_customers", "returning_customers", "returning_rate"],
    ["sessions", "conversion_rate", "gross_margin", "margin_pct"],
]
TREND_METRICS = ["revenue", "orders", "units", "aov", "customers", "new_customers", "gross_margin",
                 "margin_pct", "sessions", "conversion_rate"]


# -- cached queries (keyed on the data version; the warehouse itself is not hashed) ------------------
@cache.query(max_entries=64)
def _compare(key, wh, start: date, end: date, prev: tuple[date, date] | None,
             channels: tuple[str, ...]) -> pd.DataFrame:
    return kpis.compare(wh, start, end, prev, list(channels))


@cache.query(max_entries=64)
def _trend(key, wh, start: date, end: date, grain: str, metric: str,
           channels: tuple[str, ...]) -> pd.DataFrame:
    return kpis.trend(wh, start, end, grain, metric, list(channels))


@cache.query(max_entries=64)
def _breakdown(key, wh, start: date, end: date, prev: tuple[date, date] | None, dim: str,
               channels: tuple[str, ...]) -> pd.DataFrame:
    return kpis.breakdown_compare(wh, start, end, prev, dim, list(channels))


@cache.query(max_entries=64)
def _movers(key, wh, start: date, end: date, prev: tuple[date, date], dim: str,
            channels: tuple[str, ...]) -> pd.DataFrame:
    return kpis.movers(wh, start, end, prev, dim=dim, n=5, channels=list(channels))


@cache.query(max_entries=64)
def _promos(key, wh, start: date, end: date) -> pd.DataFrame:
    return kpis.promotion_periods(wh, start, end)


# -- formatting ------------------------------------------------------------------------------------------
_value = report.tile_value


def _delta(rec) -> str | None:
    """The change shown under a tile: '+12.3%' (money, counts) or '+1.2 pts' (rates); None without one."""
    return report.tile_delta(rec) or None


def _span_text(rng: tuple[date, date] | None) -> str:
    return "" if rng is None else f"{rng[0]:%b %d, %Y} – {rng[1]:%b %d, %Y}"


def _tiles(df: pd.DataFrame, prev: tuple[date, date] | None, currency: str) -> None:
    recs = {r.kpi: r for r in df.itertuples(index=False)}
    for row in TILE_ROWS:
        cols = st.columns(5)
        for col, key in zip(cols, row, strict=False):
            rec = recs[key]
            before = f"{_value(rec.previous, rec.kind, currency)} in {_span_text(prev)}" if prev else None
            with col.container(border=True):
                st.metric(rec.label, _value(rec.value, rec.kind, currency), delta=_delta(rec),
                          delta_color="normal" if rec.up_is_good else "inverse",
                          help=f"Comparison: {before}" if before else None)
    cov, missing = df.attrs.get("margin_coverage"), df.attrs.get("uncosted_lines", 0)
    if missing and cov is not None and not pd.isna(cov):
        st.caption(f":material/info: Gross margin covers {fmt.pct(cov, 0)} of revenue: {missing:,} order "
                   f"line{'s' if missing != 1 else ''} with SKUs missing from the product feed have no unit cost.")


# -- page ------------------------------------------------------------------------------------------------
def render() -> None:
    st.title("Overview")
    opened = shell.open_page(lambda wh, key: controls.data_span(wh))
    if opened is None:
        return
    wh, key, span = opened
    if span is None:
        shell.nothing_loaded("**No orders loaded yet.** Load the demo store or your own order export on the Data "
                             "page to see revenue, customers and conversion here.")
        return
    c1, c2, c3, c4 = st.columns([3, 2, 2, 3], vertical_alignment="top")
    with c1:
        start, end = controls.date_range(span[1])
    with c2:
        kind = controls.comparison_picker()
    with c3:
        grain = controls.grain_picker()
    with c4:
        channels = tuple(controls.channel_filter(wh))
    prev = periods.comparison(start, end, kind)
    currency = shell.settings().currency
    try:
        _body(wh, key, span, start, end, prev, grain, channels, currency)
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)


def _body(wh, key, span, start, end, prev, grain, channels, currency) -> None:
    cmp = _compare(key, wh, start, end, prev, channels)
    by = cmp.set_index("kpi")
    if by.loc["orders", "value"] == 0:
        st.info(f"**No orders in {_span_text((start, end))}.** The loaded data covers {_span_text(span)}; "
                "pick a range inside it.", icon=":material/event_busy:")
        return
    if prev:
        st.caption(f"Compared with {_span_text(prev)}.")
    _tiles(cmp, prev, currency)

    st.subheader("Trend")
    metric = st.selectbox("Metric", TREND_METRICS, key="trend", bind="query-params",
                          format_func=lambda k: kpis.KPIS[k].label, width=260)
    cur = _trend(key, wh, start, end, grain, metric, channels)
    old = _trend(key, wh, prev[0], prev[1], grain, metric, channels) if prev else None
    promos = _promos(key, wh, start, end)
    k = kpis.KPIS[metric]
    flags = what_changed.unusual_days(wh, key, start, end, metric, channels) if grain == "day" else None
    downloads.chart(charts.trend_chart(kpis.overlay(cur, old), k.label, k.kind, grain, promos, start, end, currency,
                                       flags=flags),
                    fmt.file_stem(f"{metric}-trend-by-{grain}", start, end, prev, channel=channels), key="ov_trend",
                    width="stretch")
    first, last = explore.partial_ends(start, end, grain)
    if first or last:
        which = " and ".join(w for w, cut in (("first", first), ("last", last)) if cut)
        st.caption(f":material/info: The {which} {grain}{'s are' if first and last else ' is'} only partly inside "
                   "the range.")
    if flags is not None and len(flags):
        st.caption(f":material/troubleshoot: {len(flags)} unusual day{'s' if len(flags) != 1 else ''} marked on the "
                   "trend (outside the same weekday's usual band; see What changed below).")
    if len(promos):
        st.caption(f":material/sell: Under the trend: {len(promos)} promotion{'s' if len(promos) != 1 else ''} "
                   "running in this range, one bar each (hover a bar for its discount and scope).")

    what_changed.section(wh, key, start, end, prev, channels, cmp, currency)

    for dim, title in (("channel", "Channel"), ("category", "Category")):
        _breakdown_section(_breakdown(key, wh, start, end, prev, dim, channels), dim, title, start, end, prev,
                           channels, currency)

    st.subheader("Top and bottom movers")
    if prev is None:
        st.caption("Pick a comparison period to see which SKUs and categories moved most.")
    else:
        st.caption(f"Revenue change against {_span_text(prev)}.")
        tabs = st.tabs(["SKUs", "Categories"])
        for tab, dim, title in ((tabs[0], "sku", "SKU"), (tabs[1], "category", "Category")):
            with tab:
                _movers_section(_movers(key, wh, start, end, prev, dim, channels), dim, title, currency,
                                fmt.file_stem(f"movers-by-{dim}", start, end, prev, channel=channels))

    if len(promos):
        with st.expander(f"Promotions in this range ({len(promos)})", icon=":material/sell:"):
            table = promos.rename(columns={"promo_id": "Promotion", "start_date": "Start", "end_date": "End",
                                           "discount_pct": "Discount %", "scope": "Applies to"})
            downloads.table(table, fmt.file_stem("promotions", start, end), key="ov_promos", hide_index=True,
                            width="stretch", column_config={"Discount %": st.column_config.NumberColumn(format="%g%%")})


def _breakdown_section(df: pd.DataFrame, dim: str, title: str, start: date, end: date,
                       prev: tuple[date, date] | None, channels: tuple[str, ...], currency: str) -> None:
    """Revenue by channel or category: the bars (this period beside the comparison period) and the table."""
    st.subheader(f"Revenue by {title.lower()}")
    if df.empty or not (df["revenue"].abs().sum() or df["previous"].abs().sum()):
        st.caption("No orders in this range.")
        return
    if prev:
        st.caption(f"{_span_text((start, end))} (colour) against {_span_text(prev)} (grey).")
    shown = {v: fmt.words(v) if dim == "channel" else v for v in df[dim].astype(str)}
    stem = fmt.file_stem(f"revenue-by-{dim}", start, end, prev, channel=channels)
    downloads.chart(charts.breakdown_bars(df, dim, title, currency, labels=shown), stem, key=f"ov_by_{dim}",
                    width="stretch")
    table = report.breakdown_table(df, dim, title, prev)
    money = [c for c in ("Revenue", "Comparison revenue", "Change") if c in table]
    downloads.table(table, stem, key=f"ov_by_{dim}_tbl", hide_index=True, width="stretch",
                    number_formats=Formats(money=tuple(money), pct=("Change %", "Share"), count=("Orders", "Units"),
                                           currency=currency),
                    column_config={**{c: money_column(c, currency) for c in money},
                                   "Change %": st.column_config.NumberColumn(format="percent",
                                                                             help="Empty: nothing before"),
                                   "Share": st.column_config.NumberColumn(format="percent"),
                                   "Orders": st.column_config.NumberColumn(format="localized"),
                                   "Units": st.column_config.NumberColumn(format="localized")})


def _movers_section(df: pd.DataFrame, dim: str, title: str, currency: str, stem: str) -> None:
    if df.empty:
        st.caption("No revenue changes between the two periods.")
        return
    downloads.chart(charts.movers_bars(df, dim, title, currency), stem, key=f"ov_movers_{dim}", width="stretch")
    table = report.movers_table(df, dim, title)
    money = ("Revenue", "Comparison revenue", "Change")
    downloads.table(table, stem, key=f"ov_movers_tbl_{dim}", hide_index=True, width="stretch",
                    number_formats=Formats(money=money, pct=("Change %",), currency=currency),
                    column_config={**{c: money_column(c, currency) for c in money},
                                   "Change %": st.column_config.NumberColumn(format="percent",
                                                                             help="Empty: no revenue before")})
