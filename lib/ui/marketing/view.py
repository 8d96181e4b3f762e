"""The Marketing page: spend, ROAS, CPA and CAC per channel or campaign against the previous period, and cohort
payback (cumulative margin per customer against CAC, payback month, LTV:CAC at 3/6/12 months)."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from lib import fmt, marketing
from lib.ui.app import cache, shell
from lib.ui.widgets import controls

__all__ = ["render", "ATTRIBUTION_HELP"]

BYS = {"channel": "Channel", "campaign": "Campaign"}
ATTRIBUTION_HELP = (
    "**Attribution: last non-direct touch on the session that ordered.** An order belongs to the channel of the "
    "session whose purchase event carries its order id; when that session was direct, to the same person's most "
    "recent non-direct session in the 30 days before; with no web event for the order, to the order's own "
    "channel. New customers and CAC count a customer under their first order's channel. Orders and sessions "
    "carry no campaign, so campaign rows show spend, impressions and clicks only. Caveat: one touch gets all the "
    "credit; view-through, cross-device and offline effects are not seen.")
COLUMNS = {"channel": "Channel", "campaign": "Campaign", "spend": "Spend", "impressions": "Impressions",
           "clicks": "Clicks", "sessions": "Sessions", "orders": "Orders", "revenue": "Revenue",
           "gross_margin": "Gross margin", "roas": "ROAS", "margin_roas": "Margin ROAS", "cpa": "CPA",
           "new_customers": "New customers", "cac": "CAC"}


@cache.query(max_entries=32)
def _compare(key, wh, start, end, by) -> pd.DataFrame:
    return marketing.compare(wh, start, end, by)


@cache.query(max_entries=16)
def _payback(key, wh, start, end, as_of) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = marketing.payback(wh, start, end, as_of=as_of)
    return df, marketing.payback_summary(df, as_of)


@cache.query(max_entries=8)
def _spend_rows(key, wh) -> int:
    return int(wh.row_counts()["spend"])


def render() -> None:
    st.title("Marketing")
    st.caption("What each channel cost against the orders, revenue and new customers it brought, and whether "
               "the customers it acquired have paid back their acquisition cost.", help=ATTRIBUTION_HELP)
    opened = shell.open_page(lambda wh, key: (controls.data_anchor(wh), _spend_rows(key, wh)))
    if opened is None:
        return
    wh, key, (anchor, spend_rows) = opened
    if anchor is None:
        shell.nothing_loaded("**No orders loaded yet.** Load the demo store or your order export first.")
        return
    if spend_rows == 0:
        shell.nothing_loaded("**No marketing spend loaded.** Load the spend feed (a Google Ads campaign report, a "
                             "Meta Ads export, an email tool's campaign report with a Cost column, or any table "
                             "of date, channel and spend) to see ROAS, CAC and payback.")
        return
    c1, c2 = st.columns([1, 2])
    by = c1.segmented_control("Rows per", list(BYS), default="channel", key="mby", format_func=BYS.get,
                              bind="query-params") or "channel"
    with c2:
        start, end = controls.date_range(anchor, default="last_30")
    currency = shell.settings().currency
    try:
        with st.spinner("Attributing orders to channels…"):
            report = _compare(key, wh, start, end, by)
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    _tiles(report, by, currency)
    _table(report, by, currency)
    _payback_section(wh, key, start, end, anchor, currency)


def _money(v, currency) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.money(v, currency)


def _ratio(v) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.2f}×"


def _tiles(report: pd.DataFrame, by: str, currency: str) -> None:
    rows = report if by == "channel" else report[report["campaign"].eq(marketing.report.ALL_CAMPAIGNS)]
    cur = {c: float(rows[c].sum()) for c in ("spend", "revenue", "new_customers", "orders")}
    prev = {c: float(rows[f"{c}_prev"].fillna(0.0).sum()) for c in ("spend", "revenue", "new_customers")}
    paid = rows[rows["spend"] > 0]
    roas = float(paid["revenue"].sum()) / cur["spend"] if cur["spend"] else float("nan")
    cac = cur["spend"] / float(paid["new_customers"].sum()) if paid["new_customers"].sum() else float("nan")
    cols = st.columns(4)
    cols[0].metric("Spend", _money(cur["spend"], currency), delta=_money(cur["spend"] - prev["spend"], currency),
                   delta_color="off", border=True, help="All channels, against the previous period of the same length.")
    cols[1].metric("Revenue", _money(cur["revenue"], currency),
                   delta=_money(cur["revenue"] - prev["revenue"], currency), border=True,
                   help="Attributed revenue of every channel, paid or not.")
    cols[2].metric("ROAS of paid channels", _ratio(roas), border=True,
                   help="Revenue of the channels with spend / their spend.")
    cols[3].metric("CAC of paid channels", _money(cac, currency), border=True,
                   help="Spend / new customers whose first order came through a channel with spend.")


def _table(report: pd.DataFrame, by: str, currency: str) -> None:
    cols = [c for c in COLUMNS if c in report.columns]
    shown = report[cols].rename(columns=COLUMNS)
    money = {COLUMNS[c]: st.column_config.NumberColumn(COLUMNS[c], format="%.2f")
             for c in ("spend", "revenue", "gross_margin", "cpa", "cac")}
    ratio = {COLUMNS[c]: st.column_config.NumberColumn(COLUMNS[c], format="%.2f×") for c in ("roas", "margin_roas")}
    st.subheader("By " + ("channel" if by == "channel" else "campaign"))
    st.dataframe(shown, hide_index=True, column_config={**money, **ratio}, width="stretch")
    st.caption(f"Amounts in {currency}. A channel with orders but no spend shows no ROAS or CAC; a campaign row "
               "shows what the campaign cost (orders carry no campaign), its channel's row the totals.")


def _payback_section(wh, key, start, end, as_of, currency) -> None:
    st.subheader("Cohort payback")
    try:
        with st.spinner("Computing cohort payback…"):
            df, summary = _payback(key, wh, start, end, as_of)
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    if summary.empty:
        st.info("No customer made a first purchase in this date range. Pick a longer range.",
                icon=":material/event_busy:")
        return
    st.caption(f"Customers grouped by the month of their first order and that order's channel. CAC = the channel's "
               f"spend that month / the cohort's customers; margin counted through {as_of:%b %d, %Y}; LTV:CAC at "
               "k months once month k has ended. No spend that month: nothing to pay back (no CAC).")
    table = summary.rename(columns={"cohort": "Cohort", "channel": "Channel", "customers": "Customers",
                                    "cac": "CAC", "payback_month": "Paid back in month", "ltv_cac_3": "LTV:CAC 3m",
                                    "ltv_cac_6": "LTV:CAC 6m", "ltv_cac_12": "LTV:CAC 12m"})
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"CAC": st.column_config.NumberColumn("CAC", format="%.2f"),
                                **{c: st.column_config.NumberColumn(c, format="%.2f×")
                                   for c in ("LTV:CAC 3m", "LTV:CAC 6m", "LTV:CAC 12m")}})
