"""What a scenario does: tiles, the daily chart, the margin waterfall, stock consequences, SKU table;
and the side-by-side comparison of saved scenarios."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import exports, fmt, pricing
from lib.charts import scenario as charts
from lib.pricing.simulation import IN_SCOPE, SIBLING
from lib.ui import downloads
from lib.ui.formatting import money_column
from lib.ui.replenish_parts import tile_money

__all__ = ["show", "comparison", "sku_table"]


def _delta(new: float, old: float, money: bool, currency: str) -> str:
    diff = new - old
    text = tile_money(abs(diff), currency) if money else fmt.count(abs(round(diff)))
    pct = f" ({fmt.change_pct(new, old)})" if old else ""
    return ("+" if diff >= 0 else "−") + text + pct


def _tiles(s: dict, stock: pd.DataFrame, currency: str) -> None:
    cols = st.columns(5)
    cols[0].metric("Units", fmt.count(round(s["units_scenario"])),
                   _delta(s["units_scenario"], s["units_base"], False, currency), border=True,
                   help=f"Units over the window, all SKUs. Baseline: {fmt.count(round(s['units_base']))}.")
    cols[1].metric("Revenue", tile_money(s["revenue_scenario"], currency),
                   _delta(s["revenue_scenario"], s["revenue_base"], True, currency), border=True,
                   help=f"Baseline: {fmt.money(s['revenue_base'], currency)}.")
    cols[2].metric("Gross margin", tile_money(s["margin_scenario"], currency),
                   _delta(s["margin_scenario"], s["margin_base"], True, currency), border=True,
                   help=f"Revenue less units x unit cost. Baseline: {fmt.money(s['margin_base'], currency)}."
                        + (f" {s['skus_without_cost']} SKUs without a unit cost are left out."
                           if s["skus_without_cost"] else ""))
    cols[3].metric("Incremental units", fmt.count(round(s["incremental_units"])),
                   f"−{fmt.count(round(s['cannibalised_units']))} from siblings", "off", delta_arrow="off",
                   border=True, help="Units the scope gains (or loses, after a price rise) and the units its "
                                     "category's other SKUs lose to its promotions (cannibalisation).")
    extra = stock[stock["extra_qty"] > 0]
    cols[4].metric("Extra stock to order", tile_money(float(extra["extra_cost"].sum()), currency),
                   f"{fmt.count(len(extra))} SKU{'' if len(extra) == 1 else 's'} · "
                   f"{fmt.count(int(extra['extra_qty'].sum()))} units", "off", delta_arrow="off", border=True,
                   help="Beyond what the baseline needs: the orders that keep the lift on the shelf (case packs "
                        "and MOQs applied), at unit cost.")


def sku_table(sim: pd.DataFrame) -> pd.DataFrame:
    """Per changed SKU over the window: units, revenue and margin, baseline vs scenario."""
    w = sim[sim["in_window"] & sim["changed"]]
    if w.empty:
        return pd.DataFrame()
    g = w.groupby(["unique_id", "category", "role"], as_index=False).agg(
        elasticity=("elasticity", "first"), elasticity_from=("elasticity_from", "first"),
        price_base=("price_base", "mean"), price_scenario=("price_scenario", "mean"),
        units_base=("units_base", "sum"), units_scenario=("units_scenario", "sum"),
        revenue_base=("revenue_base", "sum"), revenue_scenario=("revenue_scenario", "sum"),
        margin_base=("margin_base", "sum"), margin_scenario=("margin_scenario", "sum"))
    g["units_change"] = g["units_scenario"] - g["units_base"]
    g["margin_change"] = g["margin_scenario"] - g["margin_base"]
    return g.sort_values("margin_change", key=abs, ascending=False, ignore_index=True)


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
    number = st.column_config.NumberColumn
    cols = ["sku", "name", "supplier", "on_hand", "on_order", "lead_time_days", "demand_base", "demand_scenario",
            "stockout_base", "stockout_scenario", "extra_qty", "extra_cost", "order_by", "in_time", "note"]
    # its CSV is the "Stock consequences (CSV)" button under the results: here only the XLSX twin
    downloads.table(stock[cols], f"scenario-stock-{sc.start:%Y%m%d}-{sc.end:%Y%m%d}", key="sc_stock_tbl",
                    formats=("xlsx",), export=stock, hide_index=True, width="stretch", column_config={
        "sku": st.column_config.TextColumn("SKU", pinned=True), "name": "Name", "supplier": "Supplier",
        "on_hand": number("On hand", format="%.0f"), "on_order": number("On order", format="%.0f"),
        "lead_time_days": number("Lead time (d)", format="%d"),
        "demand_base": number("Demand, baseline", format="%.0f",
                              help="Forecast units from tomorrow to the scenario's last day."),
        "demand_scenario": number("Demand, scenario", format="%.0f"),
        "stockout_base": st.column_config.DateColumn("Stockout, baseline", format="YYYY-MM-DD"),
        "stockout_scenario": st.column_config.DateColumn("Stockout, scenario", format="YYYY-MM-DD"),
        "extra_qty": number("Extra order", format="%d", help="Rounded up to the case pack, at least the MOQ."),
        "extra_cost": money_column("Extra cost", currency),
        "order_by": st.column_config.DateColumn("Order by", format="YYYY-MM-DD"),
        "in_time": st.column_config.CheckboxColumn("In time"), "note": st.column_config.TextColumn("Why",
                                                                                                   width="large")})
    if saved_as:
        st.page_link("pages/replenish_page.py", label=f"Plan replenishment with “{saved_as}”",
                     icon=":material/inventory_2:", query_params={"scenario": saved_as})
    else:
        st.caption("Save the scenario to hand its demand to the Replenishment page.")


def show(sim: pd.DataFrame, stock: pd.DataFrame, sc, *, saved_as: str | None, as_of: date, currency: str) -> None:
    s = pricing.summary(sim)
    st.subheader(f"Result: {sc.name}")
    st.caption(f"{sc.start:%b %d} to {sc.end:%b %d, %Y} · {s['skus_changed']} SKUs change · against the baseline "
               "forecast with today's prices and scheduled promotions. Bands: 80% intervals of the forecast "
               "widened by the elasticity and promotion-lift intervals.")
    _tiles(s, stock, currency)
    totals = pricing.daily_totals(sim)
    stamp = f"{sc.start:%Y%m%d}-{sc.end:%Y%m%d}"
    c1, c2 = st.columns([1.5, 1])
    with c1:
        metric = st.segmented_control("Daily", list(charts.METRICS), default="units", key="sc_metric",
                                      format_func=lambda m: charts.METRICS[m][0]) or "units"
        downloads.chart(charts.daily(totals, metric, currency), f"scenario-daily-{metric}-{stamp}", key="sc_daily",
                        width="stretch")
    with c2:
        st.markdown("**Gross margin: baseline to scenario**")
        downloads.chart(charts.margin_waterfall(pricing.waterfall(sim), currency), f"scenario-margin-{stamp}",
                        key="sc_waterfall", width="stretch")
    _stock(stock, sc, saved_as, currency)
    st.subheader("SKUs")
    table = sku_table(sim)
    st.caption(f"{(table['role'] == IN_SCOPE).sum()} in scope, {(table['role'] == SIBLING).sum()} siblings losing "
               "units to its promotions; biggest margin change first. Elasticity source: the SKU's own estimate, "
               "its category's, or the store's.")
    number = st.column_config.NumberColumn
    downloads.table(table, f"scenario-skus-{stamp}", key="sc_skus", hide_index=True, width="stretch", column_config={
        "unique_id": st.column_config.TextColumn("SKU", pinned=True), "category": "Category", "role": "Role",
        "elasticity": number("Elasticity", format="%.2f"), "elasticity_from": "Elasticity from",
        "price_base": money_column("Price, baseline", currency),
        "price_scenario": money_column("Price, scenario", currency),
        "units_base": number("Units, baseline", format="%.0f"), "units_scenario": number("Units, scenario",
                                                                                         format="%.0f"),
        "revenue_base": money_column("Revenue, baseline", currency),
        "revenue_scenario": money_column("Revenue, scenario", currency),
        "margin_base": money_column("Margin, baseline", currency),
        "margin_scenario": money_column("Margin, scenario", currency),
        "units_change": number("Units change", format="%+.0f"),
        "margin_change": money_column("Margin change", currency)})
    d1, d2 = st.columns(2)
    d1.download_button("Daily results per SKU (CSV)",
                       lambda: exports.to_csv_bytes(sim[sim["in_window"] & sim["changed"]]), on_click="ignore",
                       file_name=f"scenario-{stamp}.csv", mime="text/csv", icon=":material/download:",
                       key="sc_dl_daily")
    d2.download_button("Stock consequences (CSV)", lambda: exports.to_csv_bytes(stock), on_click="ignore",
                       file_name=f"scenario-stock-{stamp}.csv",
                       mime="text/csv", icon=":material/download:", key="sc_dl_stock")


def comparison(sims: dict[str, pd.DataFrame], stocks: dict[str, pd.DataFrame], *, currency: str) -> None:
    table = pricing.compare(sims, stocks)
    first = table.iloc[0]
    base = pd.DataFrame([{"scenario": "Baseline", "units": first["units_base"], "revenue": first["revenue_base"],
                          "margin": first["margin_base"]}])
    windows = {pd.Timestamp(s.loc[s["in_window"], "ds"].min()) for s in sims.values()}
    if len(windows) > 1:
        st.caption("The scenarios cover different windows: each is measured against the baseline over its own "
                   "window, so compare the changes rather than the totals.")
    view = pd.concat([base, table], ignore_index=True)
    view["margin_pct"] = view["margin"] / view["revenue"]
    number = st.column_config.NumberColumn
    cols = ["scenario", "units", "units_change", "revenue", "revenue_change", "margin", "margin_change",
            "margin_pct", "incremental_units", "cannibalised_units", "extra_order_qty", "extra_order_cost",
            "stockouts"]
    downloads.table(view[cols], "scenario-comparison", key="cmp_tbl", hide_index=True, width="stretch", column_config={
        "scenario": st.column_config.TextColumn("Scenario", pinned=True),
        "units": number("Units", format="%.0f"), "units_change": number("Units change", format="%+.0f"),
        "revenue": money_column("Revenue", currency), "revenue_change": money_column("Revenue change", currency),
        "margin": money_column("Gross margin", currency),
        "margin_change": money_column("Margin change", currency),
        "margin_pct": number("Margin %", format="percent"),
        "incremental_units": number("Incremental units", format="%.0f"),
        "cannibalised_units": number("Cannibalised", format="%.0f"),
        "extra_order_qty": number("Extra order (units)", format="%.0f"),
        "extra_order_cost": money_column("Extra order cost", currency),
        "stockouts": number("SKUs stocking out", format="%.0f")})
    downloads.chart(charts.compare_bars(table, currency), "scenario-comparison", key="cmp_bars", width="stretch")
