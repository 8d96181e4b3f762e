"""The analysis tabs of the Pricing & promos page: pricing health, elasticities, promotion lift
(lib/ui/pricing_view.py lays them out). Controls are URL-bound (health: ph_days, ph_tol, ph_margin,
ph_check; elasticities: el_cat); a link value a control rejects is named in a notice."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import streamlit as st

from lib import exports, fmt
from lib.charts import pricing as charts
from lib.pricing import checks as hc
from lib.pricing import elasticity as el
from lib.ui import downloads, planning, pricing_cache, shell
from lib.ui import pricing_tables as tables
from lib.ui import replenish_parts as parts

__all__ = ["health_tab", "elasticity_tab", "promotions_tab", "link_values", "warn_ignored", "CHECKS",
           "HEALTH_KEYS", "reading"]

CHECKS = hc.CHECKS
CHECK_HELP = {
    hc.BELOW_COST: "Sold for less than the unit cost (net of line discounts). At stake: the loss.",
    hc.OFF_LIST: "Average price paid off the list price by more than the tolerance, with no promotion on "
                 "record. At stake: the gap to list x units.",
    hc.UNRECORDED_PROMO: "At least 5% below list on 2+ days running with no promotion on record: a "
                         "promotion that ran without a record. At stake: the gap to list x units.",
    hc.CHANNEL_GAP: "The same SKU sold the same day at prices more than the tolerance apart across "
                    "channels. At stake: the gap x units in the cheapest channel.",
    hc.LOW_MARGIN: "Gross margin over the range below the minimum. At stake: the margin missing to reach "
                   "the minimum.",
}
HEALTH_KEYS = ("ph_days", "ph_tol", "ph_margin", "ph_check")


# -- shared ------------------------------------------------------------------------------------------------
def link_values(keys) -> dict[str, list[str]]:
    """The URL values of ``keys`` as the link gave them (read before the widgets, which drop bad ones)."""
    return {k: st.query_params.get_all(k) for k in keys if st.query_params.get_all(k) not in ([], [""])}


def warn_ignored(link: dict[str, list[str]], widgets: dict) -> None:
    """A notice naming each link value a widget rejected (the widget shows its default instead)."""
    ignored = parts.ignored_link_values(link, widgets)
    if ignored:
        st.warning(f"Ignored from the link (not a valid value): {', '.join(ignored)}. Showing the default "
                   "instead.", icon=":material/link_off:")


def _money(label: str, currency: str) -> st.column_config.NumberColumn:
    preset = {"USD": "dollar", "EUR": "euro", "JPY": "yen"}.get(currency)
    return st.column_config.NumberColumn(label if preset else f"{label} ({currency})", format=preset or "%.2f")


def _height(n: int, cap: int = 460) -> int:
    return min(cap, 38 + 35 * max(n, 1))


# -- pricing health ----------------------------------------------------------------------------------------
def health_tab(wh, key, as_of: date) -> None:
    """Findings of lib.pricing.health over the last N days, tiles per check, the table and a CSV."""
    link = link_values(HEALTH_KEYS)
    c1, c2, c3, c4 = st.columns([1, 1, 1, 2.4])
    days = c1.number_input("Days (up to the last day of data)", 1, 730, 30, 1, key="ph_days",
                           bind="query-params", help="The checks look at this many days ending on the "
                                                     "last day with orders.")
    tol = c2.number_input("Price tolerance (%)", 0.0, 50.0, 2.0, 0.5, key="ph_tol", bind="query-params",
                          format="%.1f", help="How far a price may sit from list (or from another "
                                              "channel's price) before it is flagged.")
    margin = c3.number_input("Minimum margin (%)", 0.0, 95.0, 15.0, 1.0, key="ph_margin", bind="query-params",
                             format="%.1f", help="SKUs whose gross margin over the range is below this "
                                                 "are flagged.")
    picked = c4.multiselect("Checks", CHECKS, default=None, key="ph_check", bind="query-params",
                            format_func=str.capitalize, placeholder="All checks")
    warn_ignored(link, {"ph_days": days, "ph_tol": tol, "ph_margin": margin, "ph_check": picked})
    start = as_of - timedelta(days=int(days) - 1)
    found = pricing_cache.health(wh, key, start, as_of, float(tol) / 100, float(margin) / 100)
    currency = shell.settings().currency
    st.caption(f"{start:%b %d, %Y} – {as_of:%b %d, %Y} · tolerance {fmt.count(tol)}% · minimum margin "
               f"{fmt.count(margin)}% · biggest revenue at stake first.")
    if found.empty:
        st.success(f"**Nothing flagged:** from {start:%b %d} to {as_of:%b %d, %Y} every SKU sold at or above "
                   f"cost, within {fmt.count(tol)}% of list (or under a recorded promotion), at the same price "
                   f"across channels and with at least {fmt.count(margin)}% margin.",
                   icon=":material/check_circle:")
        return
    counts = hc.tally(found).set_index("check")
    st.caption("Each tile counts the **SKUs** a check flagged; under it, the **SKU-days** behind them (one SKU on "
               "one day in one channel: a row of the table below) and the revenue at stake. Low margin looks at "
               "each SKU over the whole range.")
    cols = st.columns(len(CHECKS))
    for col, check in zip(cols, CHECKS, strict=True):
        r = counts.loc[check]
        skus, found_days, lines = int(r["skus"]), int(r["findings"]), int(r["lines"])
        where = "over the range" if check == hc.LOW_MARGIN else _plural(found_days, "SKU-day")
        col.metric(fmt.words(check), _plural(skus, "SKU"),
                   f"{where} · {fmt.money(float(r['revenue_at_stake']), currency, 0)} at stake", "off",
                   delta_arrow="off", border=True,
                   help=f"{CHECK_HELP[check]} Counted: {_plural(skus, 'SKU')}"
                        + ("" if check == hc.LOW_MARGIN else f" on {_plural(found_days, 'SKU-day')} (a SKU on one "
                                                             "day in one channel)")
                        + f", from {_plural(lines, 'sale line')} ({fmt.count(float(r['units']))} units).")
    view = found[found["check"].isin(picked)] if picked else found
    if view.empty:
        st.info("None of the selected checks flagged anything. Clear the check filter to see the others.",
                icon=":material/filter_alt_off:")
        return
    number = st.column_config.NumberColumn
    stem = tables.stem("pricing-health", f"{start:%Y-%m-%d}", "to", f"{as_of:%Y-%m-%d}", f"tolerance-{tol:g}pct",
                       f"min-margin-{margin:g}pct", *picked)
    config = {"check": "Check", "sku": st.column_config.TextColumn("SKU", pinned=True), "name": "Name",
              "category": "Category", "channel": "Channel",
              "day": st.column_config.DateColumn("Day", format="YYYY-MM-DD"),
              "detail": st.column_config.TextColumn("Detail", width="large"),
              "units": number("Units", format="%.0f"),
              "lines": number("Sale lines", format="%d", help="Sale lines (quantity above 0) behind the finding."),
              "revenue_at_stake": _money("Revenue at stake", currency)}
    shown = view.assign(check=view["check"].map(fmt.words))
    tables.table(shown, stem, key="health_tbl", config=config, currency=currency, formats=("xlsx",),
                 hide_index=True, width="stretch", height=_height(len(view)))
    st.download_button("Findings (CSV)", lambda: exports.to_csv_bytes(tables.for_export(shown, config)),
                       icon=":material/download:", on_click="ignore", file_name=f"{stem}.csv", mime="text/csv",
                       key="dl_health")


def _plural(n: int, what: str) -> str:
    return f"{fmt.count(n)} {what}{'' if n == 1 else 's'}"


# -- elasticities ------------------------------------------------------------------------------------------
def reading(lo: float, hi: float) -> str:
    """A plain reading of a 95% interval: elastic (below -1), inelastic (between -1 and 0) or not sure."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo < 1e-9:    # a zero-width interval: no fit
        return "no estimate"
    if hi < -1:
        return "elastic: a price cut raises revenue"
    if lo > -1 and hi < 0:
        return "inelastic: a price rise raises revenue"
    return "not sure"


def elasticity_tab(wh, key, as_of: date) -> None:
    """SKU and category elasticities, how many SKUs got their own estimate, the chart and the tables."""
    skus = pricing_cache.elasticities(wh, key, as_of)
    if skus.empty:
        st.info("No sales history to estimate elasticities from.", icon=":material/inbox:")
        return
    link = link_values(("el_cat",))
    options = sorted(skus["category"].astype(str).unique())
    picked = st.multiselect("Categories", options, default=None, key="el_cat", bind="query-params",
                            placeholder="All categories")
    warn_ignored(link, {"el_cat": picked})
    st.markdown("**How to read it.** The elasticity is the % change in units sold for a 1% price change: "
                "**-1.5 means a 10% price rise loses about 15% of units** (and a 10% cut gains about 15%). "
                "Below -1 a price cut raises revenue; between -1 and 0 a price rise does. The 95% interval "
                "is the range the true value lies in: when it is wide, the history says little.")
    view = skus[skus["category"].isin(picked)] if picked else skus
    own = int((view["method"] == el.METHOD_SKU).sum())
    fallback = int((view["method"] == el.METHOD_CATEGORY).sum())
    c = st.columns(4)
    c[0].metric("SKUs", fmt.count(len(view)), border=True)
    c[1].metric("Own estimate", fmt.count(own), border=True,
                help="SKUs whose own price moves were enough to estimate their elasticity (pulled toward "
                     "the category's by how uncertain it is).")
    c[2].metric("Category estimate", fmt.count(fallback), border=True,
                help=f"SKUs that fall back on their category's elasticity: price varied by less than 2%, "
                     f"fewer than {el.MIN_WEEKS} in-stock weeks or fewer than {el.MIN_UNITS} units sold.")
    c[3].metric("Median elasticity", "–" if view["elasticity"].isna().all()
                else f"{view['elasticity'].median():.2f}", border=True)
    if len(view) and fallback == len(view):
        st.info("No SKU here had enough price variation for its own estimate: all of them use their "
                "category's elasticity, with the wide interval a new SKU of the category would have.",
                icon=":material/info:")
    downloads.chart(charts.elasticity_chart(view), f"price-elasticity-{as_of:%Y-%m-%d}", key="el_chart",
                    width="stretch")
    table = view.assign(reading=[reading(lo, hi) for lo, hi in zip(view["lo"], view["hi"], strict=True)])
    number = st.column_config.NumberColumn
    config = {"sku": st.column_config.TextColumn("SKU", pinned=True), "category": "Category",
              "elasticity": number("Elasticity", format="%.2f"), "lo": number("95% from", format="%.2f"),
              "hi": number("95% to", format="%.2f"),
              "n_obs": number("Weeks", format="%d", help="In-stock weeks of history used."),
              "method": "Estimate", "price_cv": number("Price variation", format="percent",
                                                      help="Coefficient of variation of the weekly regular "
                                                           "price: how much the price moved."),
              "reading": st.column_config.TextColumn("Reading", width="medium")}
    st.subheader("Per SKU")
    downloads.table(table[[*el.COLUMNS, "reading"]], f"price-elasticity-per-sku-{as_of:%Y-%m-%d}", key="el_skus",
                    hide_index=True, width="stretch", height=_height(len(table)), column_config=config)
    st.subheader("Per category")
    st.caption("One regression per category on all its SKUs' regular-price moves; the SKU estimates above "
               "are pulled toward these.")
    cats = pricing_cache.category_elasticities(wh, key, as_of)      # same fit as the SKU rows (cached)
    cat_view = cats[cats["category"].isin(picked)] if picked else cats
    cat_table = cat_view.drop(columns=["sku"]).assign(
        reading=[reading(lo, hi) for lo, hi in zip(cat_view["lo"], cat_view["hi"], strict=True)])
    downloads.table(cat_table, f"price-elasticity-per-category-{as_of:%Y-%m-%d}", key="el_cats", hide_index=True,
                    width="stretch", height=_height(len(cat_table)),
                    column_config={**config, "n_obs": number("SKU-weeks", format="%d"),
                                   "price_cv": number("Median price variation", format="percent")})


# -- promotions --------------------------------------------------------------------------------------------
def _promo_category(wh, key, as_of: date, promos: pd.DataFrame) -> pd.Series:
    """The category of each promotion: its SKU's (from the history), else its own category column."""
    hist = planning.history(wh, key, as_of, "day")
    cat_of = hist.groupby("unique_id")["category"].first() if len(hist) else pd.Series(dtype=object)
    cat = promos["sku"].map(cat_of).fillna(promos["category"]).fillna("(no category)")
    return pd.Series(cat.to_numpy(), index=promos["promo_id"].astype(str)).groupby(level=0).first()


def promotions_tab(wh, key, as_of: date) -> None:
    """Lift per type x depth and per promotion, the post-promotion dip and cannibalisation per category."""
    promos = pricing_cache.promotions(wh, key)
    if promos.empty:
        st.info("**No promotions loaded.** Load the promotions feed (promo id, dates, discount %, SKU or "
                "category) to measure what past promotions added.", icon=":material/inbox:")
        st.page_link("pages/data_page.py", label="Go to Data sources", icon=":material/database:")
        return
    res = pricing_cache.promo_lift(wh, key, as_of)
    by_promo = res["by_promo"]
    if by_promo.empty:
        st.info("None of the loaded promotions ran on in-stock days of the sales history, so there is no "
                "lift to measure.", icon=":material/info:")
        return
    cat = _promo_category(wh, key, as_of, promos)
    dip = res["dip"].assign(category=lambda d: d["promo_id"].astype(str).map(cat))
    cann = res["cannibalisation"]
    incremental = float(by_promo["incremental"].sum())
    dip_lost = float((dip["dip_baseline"] - dip["dip_units"]).sum())
    cannibalised = float(cann["cannibalised_units"].sum())
    c = st.columns(4)
    c[0].metric("Incremental units", fmt.count(round(incremental)), border=True,
                help="Units sold during the promotions above their baseline (what would have sold anyway).")
    c[1].metric("Post-promotion dip", fmt.count(round(dip_lost)), border=True,
                help="Units below baseline in the 7 days after each promotion (demand pulled forward); "
                     "negative when sales stayed above baseline.")
    c[2].metric("Cannibalised", fmt.count(round(cannibalised)), border=True,
                help="Units the promoted SKU's unpromoted siblings sold below their baseline meanwhile.")
    c[3].metric("Net incremental", fmt.count(round(incremental - dip_lost - cannibalised)), border=True,
                help="Incremental units minus the dip and the cannibalised units.")
    st.subheader("Lift by type and depth")
    st.caption("Lift = units sold / baseline units: 1.0 means the promotion sold nothing extra. Bars are "
               "95% intervals.")
    by_depth = res["by_depth"]
    l1, l2 = st.columns([1.3, 1])
    stem = f"promotions-{as_of:%Y-%m-%d}"
    with l1:
        downloads.chart(charts.lift_chart(by_depth), f"{stem}-lift-by-depth", key="lift_chart", width="stretch")
    number = st.column_config.NumberColumn
    lift_cfg = {"lift": number("Lift", format="%.2f"), "lift_lo": number("95% from", format="%.2f"),
                "lift_hi": number("95% to", format="%.2f")}
    with l2:
        downloads.table(by_depth, f"{stem}-lift-by-depth", key="lift_tbl", hide_index=True, width="stretch",
                        height=_height(len(by_depth)),
                        column_config={"type": "Type", "depth_bucket": "Depth (%)",
                                       "promos": number("Promotions", format="%d"), **lift_cfg})
    st.subheader("Per promotion")
    table = by_promo.merge(promos.assign(promo_id=promos["promo_id"].astype(str))
                           [["promo_id", "start_date", "end_date"]].drop_duplicates("promo_id"),
                           on="promo_id", how="left")
    table = table[["promo_id", "type", "start_date", "end_date", "discount_pct", "days", "units", "baseline",
                   "incremental", "lift", "lift_lo", "lift_hi"]].sort_values(["start_date", "promo_id"])
    downloads.table(table, f"{stem}-per-promotion", key="promo_tbl", hide_index=True, width="stretch",
                    height=_height(len(table)),
                    column_config={"promo_id": st.column_config.TextColumn("Promotion", pinned=True),
                                   "type": "Type",
                                   "start_date": st.column_config.DateColumn("Start", format="YYYY-MM-DD"),
                                   "end_date": st.column_config.DateColumn("End", format="YYYY-MM-DD"),
                                   "discount_pct": number("Discount (%)", format="%.0f"),
                                   "days": number("SKU-days", format="%d"), "units": number("Units", format="%.0f"),
                                   "baseline": number("Baseline", format="%.1f"),
                                   "incremental": number("Incremental", format="%.1f"), **lift_cfg})
    d1, d2 = st.columns(2)
    with d1:
        st.markdown("**Post-promotion dip per category**")
        g = dip.groupby("category", as_index=False).agg(promos=("promo_id", "nunique"), units=("dip_units", "sum"),
                                                        baseline=("dip_baseline", "sum"))
        g["change"] = g["units"] / g["baseline"] - 1
        downloads.table(g, f"{stem}-dip-per-category", key="dip_tbl", hide_index=True, width="stretch",
                        height=_height(len(g), 320),
                        column_config={"category": "Category", "promos": number("Promotions", format="%d"),
                                       "units": number("Units (7 d after)", format="%.0f"),
                                       "baseline": number("Baseline", format="%.1f"),
                                       "change": number("Vs baseline", format="percent")})
    with d2:
        st.markdown("**Cannibalisation per category**")
        if cann.empty:
            st.caption("No SKU-level promotion with unpromoted siblings in its category.")
        else:
            g = cann.groupby("category", as_index=False).agg(
                promos=("promo_id", "nunique"), units=("sibling_units", "sum"),
                baseline=("sibling_baseline", "sum"), cannibalised=("cannibalised_units", "sum"))
            downloads.table(g, f"{stem}-cannibalisation-per-category", key="cann_tbl", hide_index=True,
                            width="stretch", height=_height(len(g), 320),
                            column_config={"category": "Category", "promos": number("Promotions", format="%d"),
                                           "units": number("Sibling units", format="%.0f"),
                                           "baseline": number("Sibling baseline", format="%.1f"),
                                           "cannibalised": number("Cannibalised units", format="%.1f")})
