"""Pieces of the Replenishment page: cached inputs, the URL-bound controls, tiles, the plan table,
the SKU detail and the purchase-order summary (lib/ui/replenish/view.py puts them together)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import exports, fmt, replenish
from lib.charts import replenish as charts
from lib.replenish import files
from lib.replenish import view as plan_view
from lib.sharing import links
from lib.ui.app import cache, planning
from lib.ui.widgets import downloads
from lib.ui.widgets.formatting import money_column

__all__ = ["loaded_feeds", "inputs", "controls", "link_values", "ignored_link_values", "filtered",
           "urgency_order", "level_text", "tiles", "tile_money", "plan_table", "detail_facts",
           "detail_charts", "summary_table", "cash_chart", "plan_csv", "file_name", "URL_KEYS", "TABLE_COLUMNS",
           "BUDGET_RULE"]

CLASSES = ["A", "B", "C"]
COVER_MAX = 60        # days of cover at which the progress bar is full
URL_KEYS = ("sl", "sla", "slb", "slc", "review", "delay", "uplift", "budget", "sup", "abc", "only")
BUDGET_RULE = ("Urgent SKUs are funded first, the earliest projected stockout first (urgent: projected to run out "
               "before an order placed at the next review could arrive); then the others, those buying the most "
               "expected sales per unit of money first. An order that does not fit is cut to the case packs that "
               "fit (at least the MOQ), else deferred.")
_TABLE_SKUS = "_replenish_table_skus"      # the SKUs of the table rows, for the row-selection callback


# -- cached inputs -----------------------------------------------------------------------------------------
@cache.query(max_entries=8)
def _feeds(key, wh) -> frozenset[str]:
    return frozenset(wh.current_loads()["feed"].astype(str))


def loaded_feeds(key, wh) -> frozenset[str]:
    """The feeds loaded in the warehouse (cached per data version)."""
    return _feeds(key, wh)


@cache.query(max_entries=8)
def _inputs(key, wh, as_of: date) -> pd.DataFrame:
    return plan_view.plan_inputs(wh, as_of, planning.history(wh, key, as_of, "day"))


def inputs(key, wh, as_of: date) -> pd.DataFrame:
    """Active SKUs with their latest stock (replenish.items) and ABC/XYZ classes, cached per data version."""
    return _inputs(key, wh, as_of)


# -- controls ----------------------------------------------------------------------------------------------
def level_text(level: float) -> str:
    """0.95 -> '95%', 0.995 -> '99.5%'."""
    return fmt.pct(level, 0 if round(level * 100, 6).is_integer() else 1)


def controls(suppliers: list[str]) -> dict:
    """The what-if controls and filters, all bound to the URL; returns the plan parameters."""
    c1, c2, c3, c4, c5 = st.columns([1.4, 0.8, 0.8, 1.4, 1])
    level = c1.slider("Service level (%)", 80.0, 99.5, 95.0, 0.5, key="sl", bind="query-params",
                      format="%.1f",
                      help="The chance of not running out before the next order arrives (cycle service "
                           "level); sets the safety stock.")
    review = c2.number_input("Review period (days)", 1, 91, 7, 1, key="review", bind="query-params",
                             help="Days between two orders to the same supplier.")
    delay = c3.number_input("Supplier delay (days)", 0, 120, 0, 1, key="delay", bind="query-params",
                            help="Extra days added to every lead time.")
    uplift = c4.slider("Demand change (%)", -50, 100, 0, 5, key="uplift", bind="query-params",
                       help="Scales the forecast up or down, e.g. +20 for an expected promotion.")
    budget = c5.number_input("Budget", min_value=0.0, value=None, step=500.0, format="%.0f", key="budget",
                             bind="query-params", placeholder="No cap",
                             help="Cap on the cash spent on the orders; empty means no cap. " + BUDGET_RULE)
    with st.expander("Service level per ABC class (optional)"):
        st.caption("Override the service level for a revenue class, e.g. 99% for A items and 90% for C "
                   "items. Empty uses the global level.")
        cols = st.columns(3)
        per_class = {c: col.number_input(f"Class {c} (%)", min_value=80.0, max_value=99.9, value=None,
                                         step=0.5, key=f"sl{c.lower()}", bind="query-params",
                                         placeholder="Global")
                     for c, col in zip(CLASSES, cols, strict=True)}
    f1, f2, f3 = st.columns([2.2, 1, 1])
    picked = f1.multiselect("Suppliers", suppliers, default=None, key="sup", bind="query-params",
                            placeholder="All suppliers")
    abc = f2.segmented_control("ABC class", CLASSES, selection_mode="multi", default=None, key="abc",
                               bind="query-params")
    with f3:
        st.write("")
        only = st.toggle("Only SKUs to order", key="only", bind="query-params")
    widgets = {"sl": level, "review": review, "delay": delay, "uplift": uplift, "budget": budget,
               **{f"sl{c.lower()}": v for c, v in per_class.items()}, "sup": picked, "abc": abc, "only": only}
    return {"widgets": widgets, "service_level": float(level) / 100, "review_days": int(review),
            "delay_days": int(delay),
            "uplift_pct": float(uplift), "budget": float(budget) if budget else None,
            "class_service": {c: float(v) / 100 for c, v in per_class.items() if v is not None},
            "suppliers": [s for s in picked if s in suppliers], "abc": list(abc or []), "only": bool(only)}


def _matches(raw: list[str], value) -> bool:
    """Whether a URL value (all its repeats) is what the widget shows."""
    values = value if isinstance(value, list) else [value]
    if len(raw) != len(values):
        return False
    for r, v in zip(raw, values, strict=True):
        if isinstance(v, bool):
            ok = r.lower() == str(v).lower()
        elif isinstance(v, int | float):
            try:
                ok = float(r) == float(v)
            except ValueError:
                ok = False
        else:
            ok = r == str(v)
        if not ok:
            return False
    return True


def link_values() -> dict[str, list[str]]:
    """The page's URL values as the link gave them (read before the widgets, which drop invalid ones)."""
    return {k: st.query_params.get_all(k) for k in URL_KEYS if st.query_params.get_all(k) not in ([], [""])}


def ignored_link_values(link: dict[str, list[str]], widgets: dict) -> list[str]:
    """'key=value' for each URL value a widget rejected (out of range, not an option, not a number)."""
    return [links.link_value(k, raw) for k, raw in link.items()
            if k in widgets and k not in st.query_params and not _matches(raw, widgets[k])]


# -- plan views --------------------------------------------------------------------------------------------
filtered = plan_view.filtered
urgency_order = plan_view.urgency_order


def tile_money(x: float, currency: str) -> str:
    """Whole currency units on a tile ($4,913; $987,654), compact from a million ($1.23M): short enough for
    a quarter of the page's width."""
    return fmt.money(x, currency, 0 if abs(x) < 1e6 else None)


def _skus(n: int) -> str:
    return f"{fmt.count(n)} SKU{'' if n == 1 else 's'}"


def tiles(view: pd.DataFrame, as_of: date, p: dict, currency: str) -> None:
    """Two rows of at most four tiles (a value never cut off at 1400 px): the orders (SKUs, units, cash, and
    what the budget defers), then the risks (stockout risk, overstock); under them, what the counts mean."""
    t = replenish.tally(view, as_of=as_of, delay_days=p["delay_days"])
    budget = p["budget"]
    orders = st.columns(4)
    orders[0].metric("SKUs to order", fmt.count(t.to_order), border=True,
                     help="SKUs with an order to place now: stock plus what is on order at or below the reorder "
                          "point" + (", and funded by the budget." if budget is not None else "."))
    orders[1].metric("Units to order", fmt.count(t.units_to_order), border=True)
    orders[2].metric("Cash needed", tile_money(t.cash_needed, currency),
                     None if budget is None else f"of {tile_money(budget, currency)} budget", "off",
                     delta_arrow="off", border=True,
                     help="Order quantity x unit cost, summed over the orders to place now (the purchase "
                          "orders' total).")
    if budget is not None:
        what = _skus(t.deferred) + (f", {fmt.count(t.cut)} cut" if t.cut else "")
        orders[3].metric("Deferred", tile_money(t.deferred_cash, currency), what, "off", delta_arrow="off", border=True,
                         help=f"Budget {fmt.money(budget, currency)}: the cash of the orders left out or cut. "
                              + BUDGET_RULE)
    risks = st.columns(4)
    risks[0].metric("Stockout risk", fmt.count(t.at_risk), border=True,
                    help="SKUs projected to run out (what is on order counted from the end of the lead time) "
                         "before an order placed today could arrive. See the note under the tiles.")
    risks[1].metric("Overstock SKUs", fmt.count(t.overstock), f"{tile_money(t.tied_up, currency)} tied up", "off",
                    delta_arrow="off", border=True,
                    help="Position above the order-up-to level plus 90 days of demand; the money is their "
                         "stock on hand at unit cost.")
    st.caption(replenish.explain(t, p["delay_days"]))
    if budget is not None:
        st.caption(f"**Budget {fmt.money(budget, currency, 0 if float(budget).is_integer() else 2)}.** "
                   f"{BUDGET_RULE}")


def _pick_row() -> None:
    """Row selection in the plan table picks that SKU in the detail section (the bound "sku" box)."""
    rows = st.session_state["plan_rows"].selection.rows
    skus = st.session_state.get(_TABLE_SKUS, [])
    if rows and rows[0] < len(skus):
        st.session_state["sku"] = skus[rows[0]]


TABLE_COLUMNS = ["sku", "name", "supplier", "abc", "xyz", "on_hand", "on_order", "lead_time_days",
                 "demand_daily", "safety_stock", "reorder_point", "order_up_to", "recommended_qty",
                 "order_qty", "order_cost", "urgent", "days_of_cover", "stockout_date", "overstock", "reason"]


def file_name(kind: str, day: date, p: dict) -> str:
    """A download's name (no extension) with the page's settings: service level, budget, filters..."""
    return files.file_stem(kind, day, service_level=p["service_level"], class_service=p["class_service"],
                           review_days=p["review_days"], delay_days=p["delay_days"], uplift_pct=p["uplift_pct"],
                           budget=p["budget"], suppliers=p["suppliers"], abc=p["abc"], only=p["only"],
                           scenario=st.query_params.get("scenario"))


def plan_table(view: pd.DataFrame, currency: str, name: str) -> None:
    """The plan, one row per SKU, in the given order; selecting a row shows it in the detail section.
    Its XLSX (named `name`) holds the rows shown with the same column names, numbers as numbers."""
    table = view[TABLE_COLUMNS].copy()
    table["stockout_date"] = pd.to_datetime(table["stockout_date"])
    skus = table["sku"].astype(str).tolist()
    st.session_state[_TABLE_SKUS] = skus
    # a link's SKU (?sku=) is the selected row when the table first draws, as the sender saw it
    linked = st.query_params.get("sku")
    selected = {"selection": {"rows": [skus.index(linked)]}} if linked in skus else None
    number = st.column_config.NumberColumn
    h = files.PLAN_HEADERS
    config = {
        "sku": st.column_config.TextColumn(h["sku"], pinned=True), "name": h["name"], "supplier": h["supplier"],
        "abc": st.column_config.TextColumn(h["abc"], width=50),
        "xyz": st.column_config.TextColumn(h["xyz"], width=50),
        "on_hand": number(h["on_hand"], format="%.0f"), "on_order": number(h["on_order"], format="%.0f"),
        "lead_time_days": number(h["lead_time_days"], format="%d"),
        "demand_daily": number(h["demand_daily"], format="%.1f", help="Mean forecast demand per day over the "
                               "lead time, delay and review period (demand change applied)."),
        "safety_stock": number(h["safety_stock"], format="%.1f"),
        "reorder_point": number(h["reorder_point"], format="%.1f"),
        "order_up_to": number(h["order_up_to"], format="%.1f"),
        "recommended_qty": number(h["recommended_qty"], format="%d",
                                  help="Rounded up to the case pack, at least the MOQ."),
        "order_qty": number(h["order_qty"], format="%d",
                            help="What to order now (less, or 0, when the budget cuts or defers it)."),
        "order_cost": money_column(h["order_cost"], currency),
        "urgent": st.column_config.CheckboxColumn(h["urgent"], help="Projected to run out before an order "
                                                  "placed at the next review could arrive: funded first under "
                                                  "a budget."),
        "days_of_cover": st.column_config.ProgressColumn(h["days_of_cover"], format="%.0f", min_value=0,
                                                         max_value=COVER_MAX,
                                                         help=f"On hand / demand per day (bar full at "
                                                              f"{COVER_MAX} days)."),
        "stockout_date": st.column_config.DateColumn(h["stockout_date"], format="YYYY-MM-DD",
                                                     help="Projected first day without stock (on order "
                                                          "counted from its arrival)."),
        "overstock": st.column_config.CheckboxColumn(h["overstock"]),
        "reason": st.column_config.TextColumn(h["reason"], width="large"),
    }
    # the plan's CSV is the "Full plan (CSV)" button under the purchase orders: here only its XLSX twin
    downloads.table(table, name, key="plan_rows", formats=("xlsx",), export=lambda: files.plan_export(view),
                    number_formats=files.plan_formats(currency),
                    hide_index=True, width="stretch", height=min(460, 38 + 35 * len(table)),
                    column_config=config, on_select=_pick_row, selection_mode="single-row",
                    selection_default=selected)


def plan_csv(view: pd.DataFrame) -> bytes:
    """The plan rows shown, as CSV: the page's column names, numbers as numbers (formula-neutralised)."""
    return exports.to_csv_bytes(files.plan_export(view))


# -- SKU detail --------------------------------------------------------------------------------------------
def detail_facts(row: pd.Series, currency: str) -> None:
    """The numbers behind one SKU's recommendation, in one line."""
    facts = [("on hand", fmt.count(row["on_hand"])), ("on order", fmt.count(row["on_order"])),
             ("lead time", f"{fmt.count(row['lead_time_days'])} d"),
             ("service level", level_text(row["service_level"])),
             ("demand over the protection period", fmt.count(round(row["demand_p"], 1))),
             ("safety stock", fmt.count(round(row["safety_stock"], 1))),
             ("reorder point", fmt.count(round(row["reorder_point"], 1))),
             ("order up to", fmt.count(round(row["order_up_to"], 1))),
             ("order", f"{fmt.count(row['order_qty'])} x {fmt.money(row['unit_cost'], currency)} = "
                       f"{fmt.money(row['order_cost'], currency)}")]
    st.caption(" · ".join(f"{k} **{v}**" for k, v in facts))


def detail_charts(row: pd.Series, fc: pd.DataFrame, as_of: date, p: dict) -> None:
    """The SKU's projected stock (with and without the recommended order) and its demand forecast."""
    lead = int(row["lead_time_days"]) + p["delay_days"]
    days = int(min(max(28, 2 * (lead + p["review_days"])), 120))
    proj = charts.projection(fc, as_of=as_of, on_hand=float(row["on_hand"]), on_order=float(row["on_order"]),
                             order_qty=float(row["order_qty"]), lead_days=lead, days=days,
                             uplift_pct=p["uplift_pct"])
    c1, c2 = st.columns([1.6, 1])
    with c1:
        st.markdown("**Projected stock on hand**")
        arrival = pd.Timestamp(as_of) + pd.Timedelta(days=lead) if row["order_qty"] > 0 else None
        downloads.chart(charts.stock_projection(proj, reorder_point=float(row["reorder_point"]),
                                                safety_stock=float(row["safety_stock"]),
                                                arrival=None if arrival is None else arrival.date()),
                        file_name(f"stock-projection-{row['sku']}", as_of, p), key="rp_projection", width="stretch")
    with c2:
        model = fc["model"].iloc[0] if len(fc) else "none"
        st.markdown(f"**Demand forecast** (model: {model})")
        downloads.chart(charts.demand_band(fc, p["uplift_pct"]), file_name(f"demand-forecast-{row['sku']}", as_of, p),
                        key="rp_demand", width="stretch")


# -- purchase orders ---------------------------------------------------------------------------------------
def summary_table(summary: pd.DataFrame, currency: str, name: str) -> None:
    """Cash needed per purchase order (supplier) with the Total row; its files named `name`."""
    h = replenish.PO_HEADERS
    shown = summary.drop(columns="order_date").fillna({"supplier": ""})     # one order date: in the caption
    downloads.table(shown, name, key="rp_summary", hide_index=True, width="stretch",
                    height=38 + 35 * len(summary), export=lambda: files.summary_export(summary),
                    number_formats=files.summary_formats(currency),
                    column_config={"po_number": h["po_number"], "supplier": h["supplier"],
                                   "skus": st.column_config.NumberColumn(h["skus"], format="%d"),
                                   "units": st.column_config.NumberColumn(h["units"], format="%d"),
                                   "cash_needed": money_column(h["cash_needed"], currency)})


def cash_chart(summary: pd.DataFrame, currency: str, name: str) -> None:
    """Bars of the cash needed per supplier."""
    downloads.chart(charts.cash_by_supplier(summary, currency), name, key="rp_cash", width="stretch")
