"""Pieces of the Replenishment page: cached inputs, the URL-bound controls, tiles, the plan table,
the SKU detail and the purchase-order summary (lib/ui/replenish_view.py puts them together)."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from lib import exports, fmt, replenish
from lib.charts import replenish as charts
from lib.ui import downloads, planning
from lib.ui.formatting import money_column

__all__ = ["loaded_feeds", "inputs", "controls", "link_values", "ignored_link_values", "filtered",
           "urgency_order", "level_text", "tiles", "tile_money", "plan_table", "detail_facts",
           "detail_charts", "summary_table", "cash_chart", "plan_csv", "URL_KEYS", "TABLE_COLUMNS"]

CLASSES = ["A", "B", "C"]
CLASS_DAYS = 365      # ABC/XYZ over the last year of sales (less when the history is shorter)
COVER_MAX = 60        # days of cover at which the progress bar is full
URL_KEYS = ("sl", "sla", "slb", "slc", "review", "delay", "uplift", "budget", "sup", "abc", "only")
_TABLE_SKUS = "_replenish_table_skus"      # the SKUs of the table rows, for the row-selection callback


# -- cached inputs -----------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=8)
def _feeds(version: str, where: str, _wh) -> frozenset[str]:
    return frozenset(_wh.current_loads()["feed"].astype(str))


def loaded_feeds(version: str, where: str, wh) -> frozenset[str]:
    """The feeds loaded in the warehouse (cached per data version)."""
    return _feeds(version, where, wh)


@st.cache_data(show_spinner=False, max_entries=8)
def _inputs(version: str, where: str, _wh, as_of: date) -> pd.DataFrame:
    items = replenish.items(_wh, as_of)
    hist = planning.history(_wh, (version, where), as_of, "day")
    # classes over the history there is (up to a year): a young store is not read as a year of zero weeks
    span = (pd.Timestamp(as_of) - pd.to_datetime(hist["ds"]).min()).days + 1 if len(hist) else CLASS_DAYS
    days = int(min(max(span, 7), CLASS_DAYS))
    classes = replenish.classify(replenish.sales_for_classes(hist), as_of=as_of, days=days)
    out = items.merge(classes[["sku", "abc", "xyz"]], on="sku", how="left")
    # no sales in the last year: class C (no revenue) and Z (no demand), as classify() would say
    return out.fillna({"abc": "C", "xyz": "Z"})


def inputs(version: str, where: str, wh, as_of: date) -> pd.DataFrame:
    """Active SKUs with their latest stock (replenish.items) and ABC/XYZ classes, cached per data version."""
    return _inputs(version, where, wh, as_of)


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
                             help="Cap on the cash spent; 0 or empty means no cap. Orders that buy the most "
                                  "expected sales per unit of money are kept first.")
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
    return [f"{k}={','.join(raw)}" for k, raw in link.items()
            if k in widgets and k not in st.query_params and not _matches(raw, widgets[k])]


# -- plan views --------------------------------------------------------------------------------------------
def filtered(plan: pd.DataFrame, p: dict) -> pd.DataFrame:
    """The plan rows matching the supplier, class and "only SKUs to order" filters."""
    keep = np.ones(len(plan), dtype=bool)
    if p["suppliers"]:
        keep &= plan["supplier"].isin(p["suppliers"]).to_numpy()
    if p["abc"]:
        keep &= plan["abc"].isin(p["abc"]).to_numpy()
    if p["only"]:
        keep &= (plan["recommended_qty"] > 0).to_numpy()
    return plan.loc[keep]


def urgency_order(plan: pd.DataFrame) -> pd.DataFrame:
    """Earliest projected stockout first (none last), then fewest days of cover, then SKU."""
    key = plan.assign(_when=pd.to_datetime(plan["stockout_date"]), _cover=plan["days_of_cover"])
    key = key.sort_values(["_when", "_cover", "sku"], na_position="last", kind="stable")
    return key.drop(columns=["_when", "_cover"]).reset_index(drop=True)


def _stockout_in_lead_time(view: pd.DataFrame, as_of: date, delay_days: int) -> pd.Series:
    arrival = pd.Timestamp(as_of) + pd.to_timedelta(view["lead_time_days"] + delay_days, unit="D")
    return pd.to_datetime(view["stockout_date"]) <= arrival


def tile_money(x: float, currency: str) -> str:
    """Whole currency units on a tile ($4,913), compact from 100k ($123.4k)."""
    return fmt.money(x, currency, 0 if abs(x) < 1e5 else None)


def tiles(view: pd.DataFrame, as_of: date, p: dict, currency: str) -> None:
    """SKUs to order, units, cash, stockout risk, overstock (and the cash the budget defers)."""
    to_order = view[view["order_qty"] > 0]
    risk = int(_stockout_in_lead_time(view, as_of, p["delay_days"]).sum())
    over = view[view["overstock"]]
    tied = float((over["on_hand"] * over["unit_cost"]).sum())
    deferred = view[(view["recommended_qty"] > 0) & (view["order_qty"] == 0)]
    cols = st.columns(6 if p["budget"] is not None else 5)
    cols[0].metric("SKUs to order", fmt.count(len(to_order)), border=True)
    cols[1].metric("Units to order", fmt.count(int(to_order["order_qty"].sum())), border=True)
    cols[2].metric("Cash needed", tile_money(float(to_order["order_cost"].sum()), currency), border=True,
                   help="Order quantity x unit cost, summed over the orders to place now.")
    cols[3].metric("Stockout risk", fmt.count(risk), border=True,
                   help="SKUs whose stock (with what is on order) runs out before an order placed today "
                        "would arrive.")
    cols[4].metric("Overstock SKUs", fmt.count(len(over)), f"{tile_money(tied, currency)} tied up", "off",
                   delta_arrow="off", border=True,
                   help="Position above the order-up-to level plus 90 days of demand; the money is their "
                        "stock on hand at unit cost.")
    if p["budget"] is not None:
        cash = float((deferred["recommended_qty"] * deferred["unit_cost"]).sum())
        n = len(deferred)
        cols[5].metric("Deferred", tile_money(cash, currency), f"{fmt.count(n)} SKU{'' if n == 1 else 's'}",
                       "off", delta_arrow="off", border=True,
                       help=f"Budget {fmt.money(p['budget'], currency)}: the cash of the orders left out. "
                            "Orders are kept by expected sales per unit of money until the budget runs out.")


def _pick_row() -> None:
    """Row selection in the plan table picks that SKU in the detail section (the bound "sku" box)."""
    rows = st.session_state["plan_rows"].selection.rows
    skus = st.session_state.get(_TABLE_SKUS, [])
    if rows and rows[0] < len(skus):
        st.session_state["sku"] = skus[rows[0]]


TABLE_COLUMNS = ["sku", "name", "supplier", "abc", "xyz", "on_hand", "on_order", "lead_time_days",
                 "demand_daily", "safety_stock", "reorder_point", "order_up_to", "recommended_qty",
                 "order_qty", "order_cost", "days_of_cover", "stockout_date", "overstock", "reason"]


def plan_table(view: pd.DataFrame, currency: str) -> None:
    """The plan, one row per SKU, in the given order; selecting a row shows it in the detail section."""
    table = view[TABLE_COLUMNS].copy()
    table["stockout_date"] = pd.to_datetime(table["stockout_date"])
    skus = table["sku"].astype(str).tolist()
    st.session_state[_TABLE_SKUS] = skus
    # a link's SKU (?sku=) is the selected row when the table first draws, as the sender saw it
    linked = st.query_params.get("sku")
    selected = {"selection": {"rows": [skus.index(linked)]}} if linked in skus else None
    number = st.column_config.NumberColumn
    config = {
        "sku": st.column_config.TextColumn("SKU", pinned=True), "name": "Name", "supplier": "Supplier",
        "abc": st.column_config.TextColumn("ABC", width=50),
        "xyz": st.column_config.TextColumn("XYZ", width=50),
        "on_hand": number("On hand", format="%.0f"), "on_order": number("On order", format="%.0f"),
        "lead_time_days": number("Lead time (d)", format="%d"),
        "demand_daily": number("Demand / day", format="%.1f", help="Mean forecast demand per day over the "
                               "lead time, delay and review period (demand change applied)."),
        "safety_stock": number("Safety stock", format="%.1f"),
        "reorder_point": number("Reorder point", format="%.1f"),
        "order_up_to": number("Order up to", format="%.1f"),
        "recommended_qty": number("Recommended", format="%d",
                                  help="Rounded up to the case pack, at least the MOQ."),
        "order_qty": number("Order qty", format="%d",
                            help="What to order now (0 when the budget defers it)."),
        "order_cost": money_column("Order cost", currency),
        "days_of_cover": st.column_config.ProgressColumn("Days of cover", format="%.0f", min_value=0,
                                                         max_value=COVER_MAX,
                                                         help=f"On hand / demand per day (bar full at "
                                                              f"{COVER_MAX} days)."),
        "stockout_date": st.column_config.DateColumn("Stockout", format="YYYY-MM-DD",
                                                     help="Projected first day without stock (on order "
                                                          "counted from its arrival)."),
        "overstock": st.column_config.CheckboxColumn("Overstock"),
        "reason": st.column_config.TextColumn("Reason", width="large"),
    }
    # the plan's CSV is the "Full plan (CSV)" button under the purchase orders: here only its XLSX twin
    downloads.table(table, "replenishment-plan", key="plan_rows", formats=("xlsx",), export=view,
                    hide_index=True, width="stretch", height=min(460, 38 + 35 * len(table)),
                    column_config=config, on_select=_pick_row, selection_mode="single-row",
                    selection_default=selected)


def plan_csv(view: pd.DataFrame) -> bytes:
    """The plan rows shown, as CSV (formula-neutralised)."""
    return exports.to_csv_bytes(view)


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
                        f"stock-projection-{row['sku']}-{as_of}", key="rp_projection", width="stretch")
    with c2:
        model = fc["model"].iloc[0] if len(fc) else "none"
        st.markdown(f"**Demand forecast** (model: {model})")
        downloads.chart(charts.demand_band(fc, p["uplift_pct"]), f"demand-forecast-{row['sku']}-{as_of}",
                        key="rp_demand", width="stretch")


# -- purchase orders ---------------------------------------------------------------------------------------
def summary_table(summary: pd.DataFrame, currency: str) -> None:
    """Cash needed per supplier with the Total row."""
    downloads.table(summary, "cash-by-supplier", key="rp_summary", hide_index=True, width="stretch",
                    height=38 + 35 * len(summary),
                 column_config={"supplier": "Supplier",
                                "skus": st.column_config.NumberColumn("SKUs", format="%d"),
                                "units": st.column_config.NumberColumn("Units", format="%d"),
                                "cash_needed": money_column("Cash needed", currency)})


def cash_chart(summary: pd.DataFrame, currency: str) -> None:
    """Bars of the cash needed per supplier."""
    downloads.chart(charts.cash_by_supplier(summary, currency), "cash-by-supplier", key="rp_cash", width="stretch")
