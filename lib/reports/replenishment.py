"""The Replenishment page as a report: the tiles, what the counts mean, the order plan (most urgent first)
and the cash per purchase order, from the shared daily forecast run and the same plan function, filters
and ordering as the page (lib.replenish.view); with rgrain=month (or a monthly-only store) on the month
forecast's days, as the page plans (lib.forecast.longrun)."""
from __future__ import annotations

from datetime import date, timedelta

from lib import fmt, replenish
from lib.analytics import kpis
from lib.charts import replenish as charts
from lib.forecast import longrun, store
from lib.replenish import files, months
from lib.replenish import view as plan_view
from lib.reports import query
from lib.reports.blocks import Alert, Caption, Chart, Heading, Settings, Table, Tile, Tiles

__all__ = ["build", "params_of"]

CLASSES = ("A", "B", "C")


def params_of(q: query.Query, suppliers: list[str]) -> dict:
    """The plan settings of a link, with the page's ranges and defaults (a value out of range is dropped)."""
    per_class = {c: q.float(f"sl{c.lower()}", None, 80.0, 99.9) for c in CLASSES}
    budget = q.float("budget", None, 0.0, 1e12)
    return {"service_level": (q.float("sl", 95.0, 80.0, 99.5) or 95.0) / 100, "review_days": q.int("review", 7, 1, 91),
            "delay_days": q.int("delay", 0, 0, 120), "uplift_pct": float(q.int("uplift", 0, -50, 100)),
            "budget": budget or None,
            "class_service": {c: v / 100 for c, v in per_class.items() if v is not None},
            "suppliers": [s for s in q.all("sup") if s in suppliers], "abc": [c for c in q.all("abc") if c in CLASSES],
            "only": (q.one("only") or "").lower() == "true"}


def build(wh, params, *, currency: str = "USD", progress=None, today: date | None = None) -> list:
    span = kpis.order_span(wh)
    if span is None:
        return [Alert("No orders loaded yet.", "warning")]
    as_of = span[1]
    today = today or as_of + timedelta(days=1)
    tick = (lambda f, m: progress(0.8 * f, f"Forecast: {m}")) if progress else None
    items = plan_view.plan_inputs(wh, as_of, store.daily_history(wh, as_of))
    if items.empty:
        return [Alert("No products loaded yet.", "warning")]
    q = query.Query(params)
    p = params_of(q, sorted(items["supplier"].fillna(replenish.NO_SUPPLIER).astype(str).unique()))
    monthly = longrun.store_is_monthly(wh, as_of)
    by_month = monthly or q.one("rgrain") == "month"
    if by_month:
        need = months.plan_months(items, review_days=p["review_days"], delay_days=p["delay_days"],
                                  shown=q.int("rmonths", 6, 1, months.MAX_MONTHS))
        demand = longrun.month_demand(longrun.run_for(wh, as_of, "month", need, monthly, progress=tick), need)
    else:
        demand = store.store_run(wh, as_of, progress=tick).sku_forecast("day", store.HORIZON)
    plan = replenish.plan(items, demand, as_of=as_of,
                          service_level=p["service_level"], class_service=p["class_service"] or None,
                          review_days=p["review_days"], delay_days=p["delay_days"], uplift_pct=p["uplift_pct"],
                          budget=p["budget"], currency=currency)
    shown = plan_view.urgency_order(plan_view.filtered(plan, p))
    settings = [("Demand by", "month" if by_month else "day"), ("Service level", fmt.pct(p["service_level"])), ("Review period", f"{p['review_days']} days"),
                ("Supplier delay", f"{p['delay_days']} days"), ("Demand change", f"{p['uplift_pct']:+.0f}%"),
                ("Budget", fmt.money(p["budget"], currency) if p["budget"] else "no cap")]
    if p["suppliers"]:
        settings.append(("Suppliers", ", ".join(p["suppliers"])))
    if p["abc"]:
        settings.append(("ABC class", ", ".join(p["abc"])))
    out: list = [Settings(tuple(settings))]
    if shown.empty:
        return [*out, Alert("No SKU matches these filters.", "info")]
    t = replenish.tally(shown, as_of=as_of, delay_days=p["delay_days"])
    to_order = shown[shown["order_qty"] > 0]
    over = shown[shown["overstock"]]
    out += [Tiles((Tile("SKUs to order", fmt.count(t.to_order)),
                   Tile("Units to order", fmt.count(int(to_order["order_qty"].sum()))),
                   Tile("Cash needed", fmt.money(float(to_order["order_cost"].sum()), currency)),
                   Tile("Stockout risk", fmt.count(t.at_risk)), Tile("Overstock SKUs", fmt.count(len(over))))),
            Caption(replenish.explain(t, p["delay_days"]).replace("**", "")),
            Heading("Order plan"), Caption("Orders to place now first, then orders the budget deferred, then the "
                                           "other SKUs; each group most urgent first."),
            Table(files.plan_export(shown[[c for c in files.PLAN_HEADERS if c in shown]]))]
    summary = replenish.po_summary(shown, items, order_date=today, delay_days=p["delay_days"])
    if len(summary) > 1:
        out += [Heading("Purchase orders"), Chart(charts.cash_by_supplier(summary, currency)),
                Table(files.summary_export(summary.drop(columns="order_date")))]
    return out
