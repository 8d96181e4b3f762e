"""The analysis tabs of the Pricing & promos page: pricing health, elasticities, promotion lift
(lib/ui/pricing/view.py lays them out). Controls are URL-bound (health: ph_days, ph_tol, ph_margin,
ph_check; elasticities: el_cat); a link value a control rejects is named in a notice."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from lib import exports, fmt
from lib.charts import pricing as charts
from lib.pricing import checks as hc
from lib.pricing import elasticity as el
from lib.pricing import promos as pm
from lib.pricing.results import elasticity_tiles, promotion_rows, reading
from lib.ui.app import planning, shell
from lib.ui.pricing import cache as pricing_cache
from lib.ui.pricing import tables
from lib.ui.replenish import parts
from lib.ui.widgets import downloads

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
               "each SKU over the whole range (one row per SKU).")
    cols = st.columns(len(CHECKS))
    for col, check in zip(cols, CHECKS, strict=True):
        r = counts.loc[check]
        skus, found_days, lines = int(r["skus"]), int(r["findings"]), int(r["lines"])
        stake = fmt.money(float(r["revenue_at_stake"]), currency, 0)
        col.metric(fmt.words(check), _plural(skus, "SKU"),
                   f"{stake} at stake" if check == hc.LOW_MARGIN else f"{_plural(found_days, 'SKU-day')} · {stake}",
                   "off",
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
    shown = view.assign(check=view["check"].map(fmt.words),         # keys in words: 'paid_search' -> 'Paid search'
                        channel=[None if c is None or pd.isna(c) else fmt.words(c) for c in view["channel"]])
    tables.table(shown, stem, key="health_tbl", config=config, currency=currency, formats=("xlsx",),
                 hide_index=True, width="stretch", height=_height(len(view)))
    st.download_button("Findings (CSV)", lambda: exports.to_csv_bytes(tables.for_export(shown, config)),
                       icon=":material/download:", on_click="ignore", file_name=f"{stem}.csv", mime="text/csv",
                       key="dl_health")


def _plural(n: int, what: str) -> str:
    return f"{fmt.count(n)} {what}{'' if n == 1 else 's'}"


# -- elasticities ------------------------------------------------------------------------------------------
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
                "Below -1 a price cut raises revenue; between -1 and 0 a price rise does.\n\n"
                "**The 95% interval.** Of 100 SKUs shown with a 95% interval, about 95 have their true "
                "elasticity inside it (checked on simulated stores whose elasticities are known). When it is "
                "wide, the history says little. A SKU whose own price moves were enough gets its own "
                "estimate, pulled toward its category's by how uncertain it is. A SKU whose price moved by "
                f"less than 2%, with fewer than {el.MIN_WEEKS} in-stock weeks or fewer than {el.MIN_UNITS} "
                "units sold has no evidence of its own: its value is **borrowed from its category** "
                "(Estimate: \"Borrowed from its category\"), and its interval is the range a new SKU of "
                "that category would fall in.")
    view = skus[skus["category"].isin(picked)] if picked else skus
    t = elasticity_tiles(view)
    own, fallback = t["own"], t["borrowed"]
    c = st.columns(4)
    c[0].metric("SKUs", fmt.count(t["skus"]), border=True)
    c[1].metric("Own estimate", fmt.count(own), border=True,
                help="SKUs whose own price moves were enough to estimate their elasticity (pulled toward "
                     "the category's by how uncertain it is).")
    c[2].metric("Category estimate", fmt.count(fallback), border=True,
                help=f"SKUs whose value is borrowed from their category: price varied by less than 2%, "
                     f"fewer than {el.MIN_WEEKS} in-stock weeks or fewer than {el.MIN_UNITS} units sold.")
    c[3].metric("Median elasticity", "–" if t["median"] is None else f"{t['median']:.2f}", border=True)
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
    currency = shell.settings().currency
    scope = picked or ["all categories"]
    tables.table(_methods(table[[*el.COLUMNS, "reading"]]),
                 tables.stem("price-elasticity-per-sku", *scope, f"to-{as_of:%Y-%m-%d}"), key="el_skus",
                 config=config, currency=currency, hide_index=True, width="stretch", height=_height(len(table)))
    st.subheader("Per category")
    st.caption("One regression per category on all its SKUs' regular-price moves; the SKU estimates above "
               "are pulled toward these.")
    cats = pricing_cache.category_elasticities(wh, key, as_of)      # same fit as the SKU rows (cached)
    cat_view = cats[cats["category"].isin(picked)] if picked else cats
    cat_table = cat_view.drop(columns=["sku"]).assign(
        reading=[reading(lo, hi) for lo, hi in zip(cat_view["lo"], cat_view["hi"], strict=True)])
    tables.table(_methods(cat_table), tables.stem("price-elasticity-per-category", *scope, f"to-{as_of:%Y-%m-%d}"),
                 key="el_cats", currency=currency, hide_index=True, width="stretch", height=_height(len(cat_table)),
                 config={**config, "n_obs": number("SKU-weeks", format="%d"),
                         "price_cv": number("Median price variation", format="percent")})


# -- promotions --------------------------------------------------------------------------------------------
def _term(x: int) -> str:
    """A signed term of a sum as written: '+ 644', '− 131'."""
    return f"{'−' if x < 0 else '+'} {fmt.count(abs(int(x)))}"


def _net_tiles(total: pd.Series) -> None:
    inc, less_dip, less_cann, net = (int(total[c]) for c in ("incremental", "less_dip", "less_cannibalised", "net"))
    c = st.columns(4)
    c[0].metric("Incremental units", tables.signed(inc), "during the promotions", "off", delta_arrow="off",
                border=True, help="Units sold during the promotions above their baseline (what would have sold "
                                  "anyway): + when they sold more.")
    dip_note = ("above baseline after" if less_dip > 0 else "no change after" if less_dip == 0
                else "below baseline after")
    c[1].metric("Post-promotion dip", tables.signed(less_dip), dip_note, "off", delta_arrow="off", border=True,
                help="Units below baseline in the 7 days after each promotion (demand pulled forward), as they "
                     "count in the net: − when sales fell below baseline, + when they stayed above it.")
    c[2].metric("Cannibalised", tables.signed(less_cann), "from unpromoted siblings", "off", delta_arrow="off",
                border=True, help="Units the promoted SKUs' unpromoted siblings sold below their baseline "
                                  "meanwhile, as they count in the net (− when the siblings lost units).")
    c[3].metric("Net incremental", tables.signed(net), f"= {tables.signed(inc)} {_term(less_dip)} {_term(less_cann)}",
                "off", delta_arrow="off", border=True,
                help="Net incremental = incremental − dip − cannibalised, in whole units per category (so the "
                     "numbers shown add up exactly).")


def promotions_tab(wh, key, as_of: date) -> None:
    """Net incremental units (tiles and per category), lift per type x depth and per promotion, the
    post-promotion dip and cannibalisation per category (the arithmetic: lib.pricing.promos)."""
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
    currency = shell.settings().currency
    cats = pm.promo_categories(promos, planning.history(wh, key, as_of, "day"))
    net = pm.net_incremental(res, cats)
    _net_tiles(net.iloc[-1])
    number = st.column_config.NumberColumn
    stem = f"promotions-to-{as_of:%Y-%m-%d}"
    st.subheader("Net incremental units per category")
    st.caption("Net incremental = incremental − dip − cannibalised. The dip and cannibalised columns show how "
               "they move the net: − when they took units away, + when sales stayed above baseline. Whole "
               "units per category; the last row is their sum.")
    signed_col = {"format": "%+d"}
    tables.table(net, f"{stem}-net-incremental-per-category", key="net_tbl", currency=currency, hide_index=True,
                 width="stretch", height=_height(len(net), 320), config={
                     "category": st.column_config.TextColumn("Category", pinned=True),
                     "promos": number("Promotions", format="%d"),
                     "incremental": number("Incremental units", **signed_col),
                     "less_dip": number("Post-promotion dip", **signed_col,
                                        help="− the units below baseline after the promotions"),
                     "less_cannibalised": number("Cannibalised", **signed_col,
                                                 help="− the units the unpromoted siblings lost"),
                     "net": number("Net incremental", **signed_col)})
    st.subheader("Lift by type and depth")
    st.caption("Lift = units sold / baseline units: 1.0 means the promotion sold nothing extra. Bars are "
               "95% intervals.")
    by_depth = _in_words(res["by_depth"], "type")
    l1, l2 = st.columns([1.3, 1])
    with l1:
        downloads.chart(charts.lift_chart(res["by_depth"]), f"{stem}-lift-by-depth", key="lift_chart", width="stretch")
    lift_cfg = {"lift": number("Lift", format="%.2f"), "lift_lo": number("95% from", format="%.2f"),
                "lift_hi": number("95% to", format="%.2f")}
    with l2:
        tables.table(by_depth, f"{stem}-lift-by-depth", key="lift_tbl", currency=currency, hide_index=True,
                     width="stretch", height=_height(len(by_depth)),
                     config={"type": "Type", "depth_bucket": "Depth (%)",
                             "promos": number("Promotions", format="%d"), **lift_cfg})
    st.subheader("Per promotion")
    table = _in_words(promotion_rows(by_promo, promos, cats), "type")
    tables.table(table, f"{stem}-per-promotion", key="promo_tbl", currency=currency, hide_index=True,
                 width="stretch", height=_height(len(table)), config={
                     "promo_id": st.column_config.TextColumn("Promotion", pinned=True), "type": "Type",
                     "category": "Category",
                     "start_date": st.column_config.DateColumn("Start", format="YYYY-MM-DD"),
                     "end_date": st.column_config.DateColumn("End", format="YYYY-MM-DD"),
                     "discount_pct": number("Discount (%)", format="%.0f"),
                     "days": number("SKU-days", format="%d"), "units": number("Units", format="%.0f"),
                     "baseline": number("Baseline", format="%.1f"),
                     "incremental": number("Incremental", format="%+.1f"), **lift_cfg})
    d1, d2 = st.columns(2)
    with d1:
        st.markdown("**Post-promotion dip per category**")
        g = pm.dip_by_category(res, cats)
        tables.table(g, f"{stem}-dip-per-category", key="dip_tbl", currency=currency, hide_index=True,
                     width="stretch", height=_height(len(g), 320),
                     config={"category": "Category", "promos": number("Promotions", format="%d"),
                             "units": number("Units (7 d after)", format="%.0f"),
                             "baseline": number("Baseline", format="%.1f"),
                             "change": number("Vs baseline", format="percent")})
    with d2:
        st.markdown("**Cannibalisation per category**")
        g = pm.cannibalisation_by_category(res, cats)
        if g.empty:
            st.caption("No SKU-level promotion with unpromoted siblings in its category.")
        else:
            tables.table(g, f"{stem}-cannibalisation-per-category", key="cann_tbl", currency=currency,
                         hide_index=True, width="stretch", height=_height(len(g), 320),
                         config={"category": "Category", "promos": number("Promotions", format="%d"),
                                 "units": number("Sibling units", format="%.0f"),
                                 "baseline": number("Sibling baseline", format="%.1f"),
                                 "cannibalised": number("Cannibalised units", format="%.1f")})


METHOD_WORDS = {el.METHOD_SKU: "SKU, pooled toward its category", el.METHOD_CATEGORY: "Borrowed from its category",
                el.METHOD_POOLED: "Category, pooled across its SKUs"}


def _methods(df: pd.DataFrame) -> pd.DataFrame:
    """The estimate method in words (the keys read 'sku, pooled toward category')."""
    return df.assign(method=df["method"].map(lambda m: METHOD_WORDS.get(m, fmt.words(m))))


def _in_words(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Key-like values (promotion types, estimate methods) as words: 'percent_off' -> 'Percent off'."""
    return df.assign(**{c: df[c].map(fmt.words) for c in cols if c in df.columns})
