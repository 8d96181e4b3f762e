"""The Replenishment page: per-SKU order recommendations from the demand forecast, what-if controls,
purchase orders per supplier.

A link with ``scenario=<saved scenario>`` (from the Pricing & promos page) plans on that pricing
scenario's simulated demand for the SKUs it changes.

Every control lives in the URL (short keys: sl, sla/slb/slc, review, delay, uplift, budget, sup, abc,
only, sku, rgrain, rmonths), so a link reopens the same plan. The forecast is the shared daily SKU
forecast of the Forecast page (lib.ui.app.planning, cached); with "Demand by" month (rgrain), the plan's
days come from the Forecast page's month forecast (the daily run's days, then each month's scaled
monthly forecast spread over its days), and the SKU detail shows the months (rmonths of them) with the
stock left at each month's end. A store whose history is monthly only plans by month. The plan itself
is recomputed on every change, which is instant.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import pricing, replenish
from lib.forecast import store
from lib.pricing.scenario import ScenarioError
from lib.replenish import months as month_plan
from lib.ui.app import planning, shell
from lib.ui.pricing import inputs as scenario_inputs
from lib.ui.replenish import parts
from lib.ui.widgets import downloads

__all__ = ["render"]

HORIZON = store.HORIZON   # forecast days (91, the shared run); the plan extends past them by itself
EMPTY_HINTS = {
    "orders": ("No orders loaded yet.",
               "the orders feed (the sales history the demand forecast is built from)"),
    "products": ("No products loaded yet.", "the product master (unit cost, price, supplier, lead time, MOQ, "
                 "case pack)"),
    "inventory": ("No inventory loaded yet.", "the inventory feed (stock on hand and on order per SKU)"),
}


def render() -> None:
    st.title("Replenishment")
    st.caption("What to buy, from whom and how much: a periodic-review order-up-to plan per SKU from the "
               "demand forecast, with what-if controls that recompute at once.")
    opened = shell.open_page(lambda wh, key: (parts.loaded_feeds(key, wh), planning.as_of(wh, key)))
    if opened is None:
        return
    wh, key, (feeds, as_of) = opened
    missing = [f for f in ("orders", "products", "inventory")
               if f not in feeds or (f == "orders" and as_of is None)]
    if missing:
        _empty(missing)
        return
    try:
        items = parts.inputs(key, wh, as_of)
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    if items.empty:
        _empty(["products"])
        return
    link = parts.link_values()
    p = parts.controls(sorted(items["supplier"].fillna(replenish.NO_SUPPLIER).astype(str).unique()))
    ignored = parts.ignored_link_values(link, p["widgets"])
    if ignored:
        st.warning(f"Ignored from the link (not a valid value): {', '.join(ignored)}. Showing the default "
                   "instead.", icon=":material/link_off:")
    try:
        grain, shown = _grain(planning.monthly_store(wh, key, as_of))
        if grain == "month":
            need = month_plan.plan_months(items, review_days=p["review_days"], delay_days=p["delay_days"],
                                          shown=shown)
            fc = planning.month_demand(wh, key, as_of, need)
            by_month = planning.month_forecast(wh, key, as_of, shown)
        else:
            fc, by_month = planning.run_forecast(wh, key, as_of, "day", HORIZON, "auto")[0], None
        fc = _with_scenario(wh, key, as_of, fc)
        plan = replenish.plan(items, fc, as_of=as_of, service_level=p["service_level"],
                              class_service=p["class_service"] or None, review_days=p["review_days"],
                              delay_days=p["delay_days"], uplift_pct=p["uplift_pct"], budget=p["budget"],
                              currency=shell.settings().currency)
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    _body(plan, fc, as_of, p, items, by_month)


def _grain(monthly: bool) -> tuple[str, int]:
    """("day" | "month", months shown): the "Demand by" control (a monthly-only store plans by month)."""
    c1, c2, _ = st.columns([1.2, 1, 3])
    grain = c1.segmented_control("Demand by", ["day", "month"], default="month" if monthly else "day",
                                 key="rgrain", bind="query-params",
                                 help="day: the daily forecast (91 days, then its last week's mean). month: the "
                                      "Forecast page's month forecast, whose days past the daily run come from "
                                      "the monthly run; the SKU detail shows it by month.") or "day"
    lo, hi, dflt = planning.HORIZONS["month"]
    months = int(c2.number_input("Months shown", lo, hi, dflt, 1, key="rmonths", bind="query-params",
                                 help="Months of the SKU detail's month view.") or dflt)
    if monthly and grain != "month":
        st.warning(f"{planning.MonthlyOnly('day')} The plan uses the month forecast.",
                   icon=":material/calendar_month:")
        grain = "month"
    return grain, months


def _with_scenario(wh, key, as_of: date, fc: pd.DataFrame) -> pd.DataFrame:
    """The forecast with a saved pricing scenario's demand (URL key "scenario"), when the link names one."""
    name = st.query_params.get("scenario")
    if not name:
        return fc
    try:
        sc = pricing.load_scenario(wh, name)
        sim, _ = scenario_inputs.simulate(wh, key, as_of, scenario_inputs.HORIZON, sc)
    except ScenarioError as err:
        st.warning(f"Ignored from the link: {err} Planning on the baseline forecast.", icon=":material/link_off:")
        return fc
    changed = sim.loc[sim["changed"], "unique_id"].nunique()
    c1, c2 = st.columns([4, 1], vertical_alignment="center")
    c1.info(f"**Demand includes the pricing scenario “{sc.name}”** ({sc.start:%b %d} to {sc.end:%b %d}): "
            f"{changed} SKU{'' if changed == 1 else 's'} follow its simulated demand; the others keep the "
            "baseline forecast.", icon=":material/sell:")
    c2.button("Plan without it", icon=":material/close:", key="rp_drop_scenario", on_click=_drop_scenario)
    return pricing.apply_to_forecast(fc, sim)


def _drop_scenario() -> None:
    """Back to the baseline plan: the scenario leaves the address too, so a reload or a copied link keeps
    the baseline (a page link to this page kept ?scenario=)."""
    if "scenario" in st.query_params:
        del st.query_params["scenario"]


def _empty(missing: list[str]) -> None:
    title = EMPTY_HINTS[missing[0]][0]
    needs = "; ".join(EMPTY_HINTS[f][1] for f in missing)
    shell.nothing_loaded(f"**{title}** The replenishment plan needs {needs}. Load the demo store or your own "
                         "exports first.")


def _body(plan: pd.DataFrame, fc: pd.DataFrame, as_of: date, p: dict, items: pd.DataFrame,
          by_month: pd.DataFrame | None = None) -> None:
    scope = parts.filtered(plan, {**p, "only": False})      # the supplier and class filters only
    view = parts.urgency_order(parts.filtered(plan, p))
    currency = shell.settings().currency
    st.caption(f"Data through {as_of:%b %d, %Y} · orders placed today arrive after each SKU's lead time"
               + (f" + {p['delay_days']} d supplier delay" if p["delay_days"] else "")
               + ". Filters narrow the tiles, table and purchase orders; the budget applies to all SKUs.")
    if len(scope) and int(scope["recommended_qty"].sum()) == 0:
        st.success(f"**Nothing to order at a {parts.level_text(p['service_level'])} service level:** every "
                   "SKU's position is above its reorder point.", icon=":material/check_circle:")
    if view.empty:
        if scope.empty:
            st.info("No SKU matches these filters. Clear the supplier or class filter.",
                    icon=":material/filter_alt_off:")
        return
    parts.tiles(view, as_of, p, currency)
    st.subheader("Order plan")
    st.caption("Orders to place now first, then orders the budget deferred, then the other SKUs; each group "
               "most urgent first (earliest projected stockout, then fewest days of cover). Select a row to "
               "see its reasoning and stock projection below.")
    parts.plan_table(view, currency, parts.file_name("replenishment-plan", as_of, p))
    _detail(view, fc, as_of, p, currency, by_month)
    _purchase_orders(view, items, as_of, p, currency)


def _detail(view: pd.DataFrame, fc: pd.DataFrame, as_of: date, p: dict, currency: str,
            by_month: pd.DataFrame | None = None) -> None:
    st.subheader("SKU detail")
    skus = view["sku"].astype(str).tolist()
    sku = st.selectbox("SKU", skus, key="sku", bind="query-params",
                       help="Pick a SKU, or select a row of the order plan.") or skus[0]
    row = view.loc[view["sku"].astype(str) == sku].iloc[0]
    st.markdown(f"**{row['name']}** · {row['supplier']} · class {row['abc'] or '–'}{row['xyz'] or ''}")
    st.info(row["reason"], icon=":material/lightbulb:")
    parts.detail_facts(row, currency)
    own = fc[fc["unique_id"].astype(str) == sku]
    parts.detail_charts(row, own, as_of, p)
    if by_month is not None:
        _months(row, own, by_month[by_month["unique_id"].astype(str) == sku], as_of, p)


def _months(row: pd.Series, own: pd.DataFrame, months: pd.DataFrame, as_of: date, p: dict) -> None:
    st.markdown("**By month**")
    table = month_plan.month_view(months, own, as_of=as_of, on_hand=float(row["on_hand"]),
                                  on_order=float(row["on_order"]), order_qty=float(row["order_qty"]),
                                  lead_days=int(row["lead_time_days"]) + p["delay_days"], uplift_pct=p["uplift_pct"])
    number = st.column_config.NumberColumn
    downloads.table(table, parts.file_name(f"months-{row['sku']}", as_of, p), key="rp_months", hide_index=True,
                    width="stretch", column_config={c: number(format="%.1f") for c in table.columns
                                                    if c not in ("month", "days", "runs out")})
    st.caption("Forecast units per calendar month: the Forecast page's month numbers for this SKU (the first month "
               "from the first forecast day), times the demand change. Stock at month end: on hand, less the "
               "forecast demand, plus the stock on order and the recommended order when they arrive after the "
               "lead time; demand beyond the stock is lost.")


def _purchase_orders(view: pd.DataFrame, items: pd.DataFrame, as_of: date, p: dict, currency: str) -> None:
    st.subheader("Purchase orders")
    today = shell.today()          # orders are placed today (the store's timezone); the data ends on as_of
    summary = replenish.po_summary(view, items, order_date=today, delay_days=p["delay_days"])
    if len(summary) == 1:       # only the Total row
        st.info("No purchase orders to place for these SKUs.", icon=":material/inventory:")
        return
    st.caption(f"One order per supplier, dated today ({today:%b %d, %Y}): the SKUs to buy now, with quantities "
               "rounded to case packs and MOQs (orders deferred by the budget are left out). Each line's expected "
               "arrival is today plus its lead time" + (f" + {p['delay_days']} d supplier delay" if p["delay_days"]
                                                        else "") + ".")
    parts.summary_table(summary, currency, parts.file_name("cash-by-supplier", today, p))
    parts.cash_chart(summary, currency, parts.file_name("cash-by-supplier-chart", today, p))
    d1, d2, d3 = st.columns(3)
    po_name = downloads.slug(parts.file_name("purchase-orders", today, p))
    kw = {"order_date": today, "delay_days": p["delay_days"], "currency": currency}
    # the files are made only when clicked (the XLSX alone took 0.2 s of every rerun)
    d1.download_button("Purchase orders (CSV)", lambda: replenish.po_csv(view, items, **kw), on_click="ignore",
                       file_name=f"{po_name}.csv", mime="text/csv", icon=":material/download:", key="dl_po_csv")
    d2.download_button("Purchase orders (XLSX)", lambda: replenish.po_xlsx(view, items, **kw), on_click="ignore",
                       file_name=f"{po_name}.xlsx", icon=":material/download:", key="dl_po_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    plan_name = downloads.slug(parts.file_name("replenishment-plan", as_of, p))
    d3.download_button("Full plan (CSV)", lambda: parts.plan_csv(view), on_click="ignore",
                       file_name=f"{plan_name}.csv", mime="text/csv", icon=":material/download:", key="dl_plan")
