"""What a scenario does: tiles, the daily chart, the margin waterfall, stock consequences, SKU table;
and the side-by-side comparison of saved scenarios.

Everything under a scenario's result counts the SKUs it reaches (its scope, plus the siblings its
promotions take units from: lib.pricing.scope_rows) over its window, and says so above the tiles, with
the whole store's totals next to it; the comparison counts the whole store (scenarios of different
scopes side by side). Downloads carry the screen's column names and the scenario's name, scope and
dates in their file names (lib.ui.pricing.tables).
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import fmt, pricing
from lib.charts import scenario as charts
from lib.pricing.results import extra_stock, role_counts, scope_caption, sku_table
from lib.pricing.results import skus as _skus
from lib.pricing.simulation import IN_SCOPE, SIBLING
from lib.ui.pricing import tables
from lib.ui.replenish.parts import tile_money
from lib.ui.widgets import downloads
from lib.ui.widgets.formatting import money_column

__all__ = ["show", "comparison", "sku_table", "scope_caption", "daily_export", "STOCK_SHOWN"]


def _delta(new: float, old: float, money: bool, currency: str) -> str:
    diff = new - old
    text = tile_money(abs(diff), currency) if money else fmt.count(abs(round(diff)))
    pct = f" ({fmt.change_pct(new, old)})" if old else ""
    return ("+" if diff >= 0 else "−") + text + pct


def _tiles(s: dict, stock: pd.DataFrame, sc, currency: str) -> None:
    where = f"{_skus(s['skus'])} of the scope ({sc.scope_text()}), {sc.window_text()}"
    cols = st.columns(5)
    cols[0].metric("Units", fmt.count(round(s["units_scenario"])),
                   _delta(s["units_scenario"], s["units_base"], False, currency), border=True,
                   help=f"Units sold, {where}. Baseline: {fmt.count(round(s['units_base']))}.")
    cols[1].metric("Revenue", tile_money(s["revenue_scenario"], currency),
                   _delta(s["revenue_scenario"], s["revenue_base"], True, currency), border=True,
                   help=f"Revenue, {where}. Baseline: {fmt.money(s['revenue_base'], currency)}.")
    cols[2].metric("Gross margin", tile_money(s["margin_scenario"], currency),
                   _delta(s["margin_scenario"], s["margin_base"], True, currency), border=True,
                   help=f"Revenue less units x unit cost, {where}. Baseline: "
                        f"{fmt.money(s['margin_base'], currency)}."
                        + (f" {s['skus_without_cost']} SKUs without a unit cost are left out."
                           if s["skus_without_cost"] else ""))
    cols[3].metric("Incremental units", tables.signed(s["incremental_units"]),
                   f"{tables.signed(-s['cannibalised_units'])} from siblings", "off", delta_arrow="off",
                   border=True, help=f"{sc.window_text()}: units the scope ({sc.scope_text()}) gains (+) or loses "
                                     "(−, after a price rise), and the units its category's other SKUs lose to its "
                                     "promotions (cannibalisation, −). Their sum is the change on the Units tile.")
    extra = extra_stock(stock)
    cols[4].metric("Extra stock to order", tile_money(extra["cost"], currency),
                   f"{_skus(extra['skus'])} · {fmt.count(extra['units'])} units", "off",
                   delta_arrow="off", border=True,
                   help="Beyond what the baseline needs, for the SKUs the scenario changes, from tomorrow to "
                        f"{sc.end:%b %d, %Y}: the orders that keep the lift on the shelf (case packs and MOQs "
                        "applied), at unit cost.")


def _in_words(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Key-like text values (role, elasticity source) as words: 'in scope' -> 'In scope', 'sku' -> 'SKU'."""
    return df.assign(**{c: df[c].map(fmt.words) for c in cols if c in df.columns})


def _sku_config(currency: str) -> dict:
    number = st.column_config.NumberColumn
    return {
        "unique_id": st.column_config.TextColumn("SKU", pinned=True), "category": "Category", "role": "Role",
        "elasticity": number("Elasticity", format="%.2f"), "elasticity_from": "Elasticity from",
        "price_base": money_column("Price, baseline", currency),
        "price_scenario": money_column("Price, scenario", currency),
        "units_base": number("Units, baseline", format="%.0f"),
        "units_scenario": number("Units, scenario", format="%.0f"),
        "revenue_base": money_column("Revenue, baseline", currency),
        "revenue_scenario": money_column("Revenue, scenario", currency),
        "margin_base": money_column("Margin, baseline", currency),
        "margin_scenario": money_column("Margin, scenario", currency),
        "units_change": number("Units change", format="%+.0f"),
        "margin_change": money_column("Margin change", currency)}


def _daily_config(currency: str) -> dict:
    """Columns of the daily download: the SKU table's names, per day, with the 80% bands."""
    number = st.column_config.NumberColumn
    units = {f"{side}{b}": number(f"Units, {name}, 80% {edge}", format="%.2f")
             for side, name in (("base_", "baseline"), ("", "scenario")) for b, edge in (("lo_80", "low"),
                                                                                        ("hi_80", "high"))}
    cfg = _sku_config(currency)
    return {"unique_id": "SKU", "ds": st.column_config.DateColumn("Day", format="YYYY-MM-DD"),
            "category": "Category", "role": "Role", "changed": "Changed",
            "share": number("Share of units reached", format="percent"),
            "elasticity": cfg["elasticity"], "elasticity_from": "Elasticity from",
            "price_base": cfg["price_base"], "price_scenario": cfg["price_scenario"],
            "unit_cost": money_column("Unit cost", currency),
            "units_base": number("Units, baseline", format="%.2f"),
            "units_scenario": number("Units, scenario", format="%.2f"),
            **units, "revenue_base": cfg["revenue_base"], "revenue_scenario": cfg["revenue_scenario"],
            "margin_base": cfg["margin_base"], "margin_scenario": cfg["margin_scenario"],
            "incremental_units": number("Incremental units", format="%.2f"),
            "cannibalised_units": number("Cannibalised units", format="%.2f")}


def daily_export(sim: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Every SKU-day of the scope over the window (each SKU in scope and each sibling, changed or not),
    under the screen's column names; a sibling's role reads Sibling on every day."""
    rows = sim[sim["in_window"] & pricing.scope_rows(sim)]
    rows = rows.assign(role=[IN_SCOPE if r == IN_SCOPE else SIBLING for r in rows["role"]])
    return tables.for_export(_in_words(rows, "role", "elasticity_from"), _daily_config(currency))


def _stock_config(currency: str) -> dict:
    number = st.column_config.NumberColumn
    date = st.column_config.DateColumn
    return {
        "sku": st.column_config.TextColumn("SKU", pinned=True), "name": "Name", "category": "Category",
        "supplier": "Supplier", "on_hand": number("On hand", format="%.0f"),
        "on_order": number("On order", format="%.0f"), "lead_time_days": number("Lead time (d)", format="%d"),
        "demand_base": number("Demand, baseline", format="%.0f",
                              help="Forecast units from tomorrow to the scenario's last day."),
        "demand_scenario": number("Demand, scenario", format="%.0f"),
        "stockout_base": date("Stockout, baseline", format="YYYY-MM-DD"),
        "stockout_scenario": date("Stockout, scenario", format="YYYY-MM-DD"),
        "need_base": number("Short, baseline (units)", format="%.2f"),
        "need_scenario": number("Short, scenario (units)", format="%.2f"),
        "extra_units": number("Extra units needed", format="%.2f"),
        "extra_qty": number("Extra order", format="%d", help="Rounded up to the case pack, at least the MOQ."),
        "extra_cost": money_column("Extra cost", currency),
        "needed_by": date("Needed by", format="YYYY-MM-DD"),
        "order_by": date("Order by", format="YYYY-MM-DD"),
        "in_time": st.column_config.CheckboxColumn("In time"),
        "note": st.column_config.TextColumn("Why", width="large"),
        "case_pack": number("Case pack", format="%.0f"), "moq": number("MOQ", format="%.0f"),
        "unit_cost": money_column("Unit cost", currency)}


STOCK_SHOWN = ["sku", "name", "supplier", "on_hand", "on_order", "lead_time_days", "demand_base", "demand_scenario",
               "stockout_base", "stockout_scenario", "extra_qty", "extra_cost", "order_by", "in_time", "note"]


def _stem(sc, what: str) -> str:
    """File names carry the scenario's name, scope and window: scenario-<name>-<scope>-<start>-to-<end>-<what>."""
    return tables.stem("scenario", sc.name, sc.scope_text(), f"{sc.start:%Y-%m-%d}", "to", f"{sc.end:%Y-%m-%d}",
                       what)


def _stock(stock: pd.DataFrame, sc, saved_as: str | None, currency: str) -> None:
    st.subheader("Stock consequences")
    if stock.empty:
        st.info("The scenario changes no SKU's demand.", icon=":material/inventory_2:")
        return
    short = stock[stock["extra_qty"] > 0]
    late = short[~short["in_time"]]
    if short.empty:
        st.success("**Stock covers the scenario:** no SKU it changes needs more than the baseline's orders.",
                   icon=":material/check_circle:")
    else:
        st.warning(f"**{fmt.count(len(short))} SKU{'' if len(short) == 1 else 's'} need an extra order** to keep "
                   f"the lift on the shelf" + (f"; for {fmt.count(len(late))} an order placed today arrives too "
                                               "late for all of it." if len(late) else "."),
                   icon=":material/local_shipping:")
    tables.table(stock, _stem(sc, "stock"), key="sc_stock_tbl", config=_stock_config(currency), currency=currency,
                 column_order=STOCK_SHOWN, hide_index=True, width="stretch")
    if saved_as:
        st.page_link("pages/replenish_page.py", label=f"Plan replenishment with “{saved_as}”",
                     icon=":material/inventory_2:", query_params={"scenario": saved_as})
    else:
        st.caption("Save the scenario to hand its demand to the Replenishment page.")


def show(sim: pd.DataFrame, stock: pd.DataFrame, sc, *, saved_as: str | None, as_of: date, currency: str) -> None:
    s = pricing.summary(sim, scope_only=True)
    st.subheader(f"Result: {sc.name}")
    st.caption(scope_caption(sc, s, pricing.summary(sim), currency))
    _tiles(s, stock, sc, currency)
    totals = pricing.daily_totals(sim[pricing.scope_rows(sim)])
    c1, c2 = st.columns([1.5, 1])
    with c1:
        metric = st.segmented_control("Daily", list(charts.METRICS), default="units", key="sc_metric",
                                      format_func=lambda m: charts.METRICS[m][0]) or "units"
        downloads.chart(charts.daily(totals, metric, currency), _stem(sc, f"daily-{metric}"), key="sc_daily",
                        width="stretch")
    with c2:
        st.markdown("**Gross margin: baseline to scenario**")
        downloads.chart(charts.margin_waterfall(pricing.waterfall(sim, scope_only=True), currency),
                        _stem(sc, "margin"), key="sc_waterfall", width="stretch")
    _stock(stock, sc, saved_as, currency)
    st.subheader("SKUs")
    table = sku_table(sim)
    roles = role_counts(table)
    st.caption(f"{roles['in_scope']} in scope, {roles['siblings']} siblings losing "
               "units to its promotions; biggest margin change first. Elasticity source: the SKU's own estimate, "
               "its category's, or the store's.")
    tables.table(_in_words(table, "role", "elasticity_from"), _stem(sc, "skus"), key="sc_skus",
                 config=_sku_config(currency), currency=currency, hide_index=True, width="stretch")
    st.caption("Every day of the window for each SKU in scope and each sibling (changed or not), with the 80% "
               "bands:")
    daily = downloads.table_files(None, _stem(sc, "daily"), export=lambda: daily_export(sim, currency),
                                  number_formats=tables.number_formats(_daily_config(currency), currency))
    with st.container(horizontal=True, gap="small"):
        for f, (file_name, mime, make) in daily.items():
            st.download_button(f"Daily results per SKU ({f.upper()})", make, on_click="ignore", file_name=file_name,
                               mime=mime, icon=":material/download:", key=f"sc_dl_daily_{f}")


def comparison(sims: dict[str, pd.DataFrame], stocks: dict[str, pd.DataFrame], *, currency: str) -> None:
    table = pricing.compare(sims, stocks)
    first = table.iloc[0]
    base = pd.DataFrame([{"scenario": "Baseline", "units": first["units_base"], "revenue": first["revenue_base"],
                          "margin": first["margin_base"]}])
    windows = {pd.Timestamp(s.loc[s["in_window"], "ds"].min()) for s in sims.values()}
    st.caption("**Whole store** (every SKU and channel) over each scenario's window, so scenarios with different "
               "scopes compare on the same footing; the Scenario builder shows each one's own scope.")
    if len(windows) > 1:
        st.caption("The scenarios cover different windows: each is measured against the baseline over its own "
                   "window, so compare the changes rather than the totals.")
    view = pd.concat([base, table], ignore_index=True)
    view["margin_pct"] = view["margin"] / view["revenue"]
    number = st.column_config.NumberColumn
    config = {
        "scenario": st.column_config.TextColumn("Scenario", pinned=True),
        "units": number("Units", format="%.0f"), "units_change": number("Units change", format="%+.0f"),
        "revenue": money_column("Revenue", currency), "revenue_change": money_column("Revenue change", currency),
        "margin": money_column("Gross margin", currency),
        "margin_change": money_column("Margin change", currency),
        "margin_pct": number("Margin %", format="percent"),
        "incremental_units": number("Incremental units", format="%+.0f"),
        "cannibalised_units": number("Cannibalised", format="%.0f"),
        "extra_order_qty": number("Extra order (units)", format="%.0f"),
        "extra_order_cost": money_column("Extra order cost", currency),
        "stockouts": number("SKUs stocking out", format="%.0f")}
    name = tables.stem("scenario-comparison", *sims)
    tables.table(view[list(config)], name, key="cmp_tbl", config=config, currency=currency, hide_index=True,
                 width="stretch")
    downloads.chart(charts.compare_bars(table, currency), name, key="cmp_bars", width="stretch")
