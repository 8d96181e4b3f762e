"""Overview's "What changed" section: revenue's change against the comparison period (the previous period of
equal length when none is picked) as a waterfall of sessions × conversion × AOV, the channel or category
split into volume, mix and price, a sentence to paste into a report, and the daily anomaly flags."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import fmt, kpis
from lib.analytics import anomalies as anomaly_lib
from lib.analytics import periods
from lib.charts import change as charts
from lib.exports import Formats
from lib.ui.app import cache
from lib.ui.widgets import downloads
from lib.ui.widgets.formatting import money_column

__all__ = ["section", "periods_of", "unusual_days"]

SPLITS = {"channel": "Channel", "category": "Category"}


@cache.query(max_entries=64)
def _segments(key, wh, a: tuple[date, date], b: tuple[date, date], dim: str, channels: tuple[str, ...]):
    return kpis.explain_segments(wh, *a, *b, dim=dim, channels=list(channels))


@cache.query(max_entries=64)
def _summary(key, wh, start: date, end: date, channels: tuple[str, ...]) -> dict:
    return kpis.summary(wh, start, end, list(channels))


@cache.query(max_entries=64)
def _anomalies(key, wh, start: date, end: date, metric: str, channels: tuple[str, ...]) -> pd.DataFrame:
    return kpis.anomalies(wh, start, end, metric, channels=list(channels))


def unusual_days(wh, key, start: date, end: date, metric: str, channels: tuple[str, ...]) -> pd.DataFrame | None:
    """The flagged days of a daily revenue/orders/sessions trend, for marking them on it (None otherwise)."""
    if metric not in anomaly_lib.ANOMALY_METRICS:
        return None
    df = _anomalies(key, wh, start, end, metric, channels)
    return df[df["flag"].notna()]


def periods_of(start: date, end: date, prev: tuple[date, date] | None) -> tuple[tuple[date, date], tuple[date, date]]:
    """(baseline a, compared b): the comparison period, else the previous period of equal length."""
    return (prev or periods.comparison(start, end, "previous_period")), (start, end)


def _drivers(key, wh, cmp: pd.DataFrame, a, prev, channels) -> pd.DataFrame:
    """The split from the tiles' own numbers (no query) when they have a comparison, else one summary."""
    by = cmp.set_index("kpi")
    now = {k: by.loc[k, "value"] for k in ("revenue", "sessions", "orders")}
    before = ({k: by.loc[k, "previous"] for k in now} if prev is not None else _summary(key, wh, *a, channels))
    return kpis.decompose(before, now)


def section(wh, key, start: date, end: date, prev: tuple[date, date] | None, channels: tuple[str, ...],
            cmp: pd.DataFrame, currency: str) -> None:
    st.subheader("What changed")
    a, b = periods_of(start, end, prev)
    st.caption(f"Revenue in {fmt.span(*b)} against {fmt.span(*a)}"
               f"{'' if prev else ' (the previous period of equal length: no comparison is picked)'}, split into "
               "sessions × orders per session × average order value; each driver's part is its "
               "Shapley share, so the parts add up to the change to the cent.")
    drivers = _drivers(key, wh, cmp, a, prev, channels)
    dim = st.segmented_control("Split by", list(SPLITS), default="channel", key="wc_by", format_func=SPLITS.get,
                               bind="query-params") or "channel"
    segs = _segments(key, wh, a, b, dim, channels)
    text = kpis.change_sentence(drivers, a, b, segs, dim=dim, currency=currency)
    st.code(text, language=None, wrap_lines=True)
    left, right = st.columns([3, 2])
    stem = fmt.file_stem("what-changed", start, end, a, channel=channels)
    with left:
        downloads.chart(charts.waterfall_chart(drivers, fmt.span(*a), fmt.span(*b), currency), stem,
                        key="ov_waterfall", width="stretch")
    with right:
        steps = charts.waterfall_data(drivers, fmt.span(*a), fmt.span(*b))
        table = steps.rename(columns={"step": "Step", "amount": "Amount", "end": "Running revenue"})[
            ["Step", "Amount", "Running revenue"]]
        downloads.table(table, stem, key="ov_waterfall_tbl", hide_index=True, width="stretch",
                        number_formats=Formats(money=("Amount", "Running revenue"), currency=currency),
                        column_config={c: money_column(c, currency) for c in ("Amount", "Running revenue")})
    _segments_table(segs, dim, a, b, currency, fmt.file_stem(f"what-changed-by-{dim}", start, end, a,
                                                             channel=channels))
    _anomaly_part(wh, key, start, end, channels, currency)


def _segments_table(segs: pd.DataFrame, dim: str, a, b, currency: str, stem: str) -> None:
    if segs.empty:
        st.caption("No orders in either period.")
        return
    st.caption(f"By {SPLITS[dim].lower()}: **volume** = the change in units sold at {fmt.span(*a)}'s mix and price, "
               "**mix** = the shift of units towards or away from the segment, **price** = the change in revenue "
               "per unit within it. Volume + mix + price = the segment's change.")
    shown = segs.copy()
    if dim == "channel":
        shown[dim] = shown[dim].map(fmt.words)
    money = ("Before", "After", "Change", "Volume", "Mix", "Price")
    table = shown.rename(columns={dim: SPLITS[dim], "revenue_a": "Before", "revenue_b": "After", "change": "Change",
                                  "volume": "Volume", "mix": "Mix", "price": "Price"})
    downloads.table(table, stem, key="ov_change_segments", hide_index=True, width="stretch",
                    number_formats=Formats(money=money, currency=currency),
                    column_config={c: money_column(c, currency) for c in money})


def _anomaly_part(wh, key, start: date, end: date, channels: tuple[str, ...], currency: str) -> None:
    metric = st.selectbox("Unusual days in", list(anomaly_lib.ANOMALY_METRICS), key="anom", bind="query-params",
                          format_func=lambda k: kpis.KPIS[k].label, width=260) or "revenue"
    df = _anomalies(key, wh, start, end, metric, channels)
    if df.empty or df["baseline"].isna().all():
        st.caption("Not enough history to tell unusual days: each day is compared with the same weekday in the "
                   "8 weeks before it (at least 4 of them).")
        return
    k = kpis.KPIS[metric]
    downloads.chart(charts.anomaly_chart(df, k.label, k.kind, currency),
                    fmt.file_stem(f"{metric}-unusual-days", start, end, channel=channels), key="ov_anomalies",
                    width="stretch")
    flagged = df[df["flag"].notna()]
    if flagged.empty:
        st.caption("No unusual day: every day is inside its band (the same weekday's median over the 8 weeks "
                   "before it ± 3 robust deviations, at least ± 10%).")
        return
    value = (lambda x: fmt.money(x, currency)) if k.kind == "money" else fmt.count
    lines = [f"- **{d:%a %b %d}**: {value(v)} against a usual {value(m)} ({'spike' if f == 'spike' else 'dip'})"
             f"{f'; {drv}' if drv else ''}"
             for d, v, m, f, drv in zip(flagged["date"], flagged["value"], flagged["baseline"], flagged["flag"],
                                        flagged["drivers"], strict=True)]
    st.markdown("Unusual days:\n" + "\n".join(lines))
