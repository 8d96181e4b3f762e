"""The Marketing page: what each channel and campaign cost and brought back, and when acquired customers pay
back their acquisition cost (lib.marketing; the sums and tables in lib.reports.marketing)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import fmt, marketing
from lib.analytics import periods
from lib.charts import marketing as charts
from lib.exports import Formats
from lib.reports import marketing as report
from lib.ui.app import cache, shell
from lib.ui.widgets import controls, downloads

__all__ = ["render"]


@cache.query(max_entries=64)
def _report(key, wh, start: date, end: date, by: str) -> pd.DataFrame:
    return marketing.channel_report(wh, start, end, by=by)


@cache.query(max_entries=32)
def _payback(key, wh, start: date, end: date, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = marketing.payback(wh, start, end, by="channel", as_of=as_of)
    return df, marketing.payback_summary(df, as_of)


@cache.query(max_entries=8)
def _has_spend(key, wh) -> bool:
    return report.has_spend(wh)


def render() -> None:
    st.title("Marketing")
    st.caption("What each channel and campaign cost, what it brought back, and how long the customers it won "
               "take to pay back what they cost (last non-direct touch: see the help).", help=report.ATTRIBUTION)
    opened = shell.open_page(lambda wh, key: controls.data_anchor(wh))
    if opened is None:
        return
    wh, key, anchor = opened
    if anchor is None:
        shell.nothing_loaded("**No orders loaded yet.** The Marketing page sets the spend feed against orders "
                             "and sessions: load the demo store or your own exports first.")
        return
    p = _controls(anchor)
    try:
        with st.spinner("Adding up spend, orders and margin…"):
            cur = _report(key, wh, p["start"], p["end"], p["by"])
            prev = _report(key, wh, *p["prev"], p["by"]) if p["prev"] else None
            spend = _has_spend(key, wh)
            pb = _payback(key, wh, report.payback_start(p["end"]), p["end"], p["as_of"]) if spend else None
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    if not spend:
        st.info("**No spend loaded.** Load the spend feed (a Google Ads, Meta Ads, Klaviyo or Mailchimp report, or "
                "any file with date, channel and spend) on the Sources page to see ROAS, CPA, CAC and payback. "
                "Orders and revenue per channel are below meanwhile.", icon=":material/payments:")
        st.page_link("pages/data_page.py", label="Go to Data sources", icon=":material/database:")
    if cur.empty:
        st.info("No orders, sessions or spend in this date range. Pick a longer range.",
                icon=":material/event_busy:")
        return
    _tiles(cur, prev, p)
    _channel_section(cur, prev, p, spend)
    if spend:
        _payback_section(pb, p)
    with st.expander("How these numbers are attributed"):
        st.markdown(report.ATTRIBUTION)


def _controls(anchor: date) -> dict:
    c1, c2, c3 = st.columns([2, 1.4, 1])
    with c1:
        start, end = controls.date_range(anchor, default="last_30")
    with c2:
        kind = controls.comparison_picker()
    by = c3.segmented_control("By", list(report.BY), default="channel", key="mby", format_func=report.BY.get,
                              bind="query-params") or "channel"
    return {"start": start, "end": end, "prev": periods.comparison(start, end, kind), "by": by,
            "as_of": anchor, "currency": shell.settings().currency}


def _tiles(cur: pd.DataFrame, prev: pd.DataFrame | None, p: dict) -> None:
    t, b = report.totals(cur), report.totals(prev) if prev is not None else None
    money = lambda v: fmt.money(v, p["currency"])  # noqa: E731
    ratio = lambda v: "–" if pd.isna(v) else f"{v:.2f}×"  # noqa: E731
    tiles = [("Spend", "spend", money, "Ad and email spend in the range (the spend feed), every channel."),
             ("Revenue", "revenue", money, "Attributed revenue of every channel, paid or not (returns and "
              "cancelled lines out)."),
             ("ROAS of paid channels", "roas", ratio, "Revenue of the channels with spend / their spend."),
             ("CPA of paid channels", "cpa", money, "Spend / orders of the channels with spend."),
             ("New customers", "new_customers", fmt.count, "Customers whose first order ever falls in the range, "
              "every channel."),
             ("CAC of paid channels", "cac", money, "Spend / new customers whose first order came through a "
              "channel with spend.")]
    cols = [c for _ in range(2) for c in st.columns(3)]       # two rows of three: amounts stay whole
    for col, (label, k, text, help_text) in zip(cols, tiles, strict=True):
        with col.container(border=True):
            st.metric(label, text(t[k]), delta=fmt.change_pct(t[k], b[k]) if b else None,
                      delta_color="inverse" if k in ("spend", "cpa", "cac") else "normal", help=help_text)


def _channel_section(cur: pd.DataFrame, prev: pd.DataFrame | None, p: dict, spend: bool) -> None:
    keys = ("channel", "campaign") if p["by"] == "campaign" else ("channel",)
    table = report.channel_table(report.compared(cur, prev, keys), p["by"])
    st.subheader("Channels" if p["by"] == "channel" else "Campaigns")
    money = [c for c in ("Spend", "Revenue", "Gross margin", "CPA", "CAC") if c in table]
    ratios = [c for c in ("ROAS", "Margin ROAS", "ROAS before") if c in table]
    counts = [c for c in ("Impressions", "Clicks", "Sessions", "Orders", "New customers") if c in table]
    stem = fmt.file_stem(f"marketing-by-{p['by']}", p["start"], p["end"], p["prev"])
    shown, config = _shown(table, money, ratios, counts, p["currency"])
    downloads.table(shown, stem, key="mk_table", hide_index=True, column_config=config, export=table,
                    number_formats=Formats(money=tuple(money), currency=p["currency"]))
    if p["by"] == "campaign":
        st.caption("Orders and sessions carry no campaign: a campaign row shows what it cost, its channel's "
                   "\"(all campaigns)\" row the channel's totals.")
    if spend:
        downloads.chart(charts.roas_bars(report.channel_rows(cur), p["currency"]),
                        fmt.file_stem("marketing-roas", p["start"], p["end"]), key="mk_roas")


def _payback_section(pb: tuple[pd.DataFrame, pd.DataFrame] | None, p: dict) -> None:
    first = report.payback_start(p["end"])
    st.subheader("Cohort payback")
    st.caption(f"Customers whose first order fell in {first:%b %Y} – {p['end']:%b %Y}, by the channel of that "
               "order: their cumulative gross margin per customer, month by month, against what the channel spent "
               "to win each of them (CAC, dashed). A line that crosses its rule has paid back.")
    if pb is None or pb[0].empty:
        st.info("No first orders in these months yet.", icon=":material/event_busy:")
        return
    df, summary = pb
    downloads.chart(charts.payback_chart(df, p["currency"]), fmt.file_stem("marketing-payback", first, p["end"]),
                    key="mk_payback")
    st.caption(f"Per cohort: CAC = the channel's spend that month / the cohort's customers (no spend that month: "
               f"no CAC, nothing to pay back); margin counted through {p['as_of']:%b %d, %Y}; LTV:CAC at k months "
               "once month k has ended.")
    table = report.payback_table(summary)
    shown, config = _shown(table, ["CAC"], [c for c in table if c.startswith("LTV:CAC")],
                           ["Customers", "Paid back in month"], p["currency"])
    config["Paid back in month"] = {**config["Paid back in month"],
                                    "help": "Months after the first order; –: not yet, or no spend to pay back."}
    downloads.table(shown, fmt.file_stem("marketing-payback-by-cohort", first, p["end"]), key="mk_payback_table",
                    hide_index=True, column_config=config, export=table,
                    number_formats=Formats(money=("CAC",), currency=p["currency"]))


def _shown(table: pd.DataFrame, money: list[str], ratios: list[str], counts: list[str], currency: str):
    """(the table as shown, its column config): a column with a missing value (a channel without spend has no
    ROAS; a campaign row no orders) is shown as text, "–" where there is no value, right-aligned; the others
    stay numbers with a format. The downloads get ``table`` itself: numbers."""
    text = {**{c: (lambda v: fmt.money(v, currency)) for c in money}, **{c: (lambda v: f"{v:,.2f}×") for c in ratios},
            **{c: (lambda v: f"{v:,.0f}") for c in counts}}
    shown, config = table.copy(), {}
    for col, as_text in text.items():
        if table[col].isna().any():
            shown[col] = [("–" if pd.isna(v) else as_text(v)) for v in table[col]]
            config[col] = st.column_config.TextColumn(col, alignment="right")
        elif col in money:
            config[col] = st.column_config.NumberColumn(col, format="dollar" if currency == "USD" else "%.2f")
        elif col in ratios:
            config[col] = st.column_config.NumberColumn(col, format="%.2f×")
        else:
            config[col] = st.column_config.NumberColumn(col, format="localized")
    return shown, config
