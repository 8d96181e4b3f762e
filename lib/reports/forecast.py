"""The Forecast page as a report: tiles, history with the forecast and its bands, and the accuracy table of
one SKU, one category or the store, read from the shared daily run (lib.forecast.store, the same numbers
Replenishment and Pricing plan with; weeks past 13 and months reconciled with a weekly or monthly run, and
a monthly-only store by month, as the page does: lib.forecast.longrun) through the page's own tables and
sentences (lib.forecast.display)."""
from __future__ import annotations

import pandas as pd

from lib import fmt, forecast
from lib.charts import forecast as charts
from lib.forecast import display, longrun, store
from lib.reports import query
from lib.reports.blocks import Alert, Caption, Chart, Heading, Settings, Table, Tile, Tiles

__all__ = ["build", "LEVELS", "HORIZONS", "SHOWN"]

LEVELS = {"SKU": "sku", "Category": "category", "Store": "store"}
HORIZONS = {"day": (7, store.HORIZON, 28), "week": (1, longrun.WEEK_HORIZON, 8),
            "month": (1, longrun.MONTH_HORIZON, 6)}                             # min, max, default periods
SHOWN = {"day": 180, "week": 104, "month": 60}                                  # history periods on the chart


def build(wh, params, *, currency: str = "USD", progress=None) -> list:
    from lib.analytics import kpis

    span = kpis.order_span(wh)
    if span is None:
        return [Alert("No orders loaded yet.", "warning")]
    as_of = span[1]
    q = query.Query(params)
    label = query.pick(q.one("level"), list(LEVELS), "Store")
    level = LEVELS[label]
    monthly = longrun.store_is_monthly(wh, as_of)
    grain = query.pick(q.one("fgrain"), list(HORIZONS), "month" if monthly else "day")
    lo, hi, dflt = HORIZONS[grain]
    h = q.int("h", dflt, lo, hi)
    models = ["auto", *(m for m in forecast.MODELS if m != "auto")]
    model = query.pick(q.one("model"), models, "auto")
    if monthly and grain != "month":
        return [Alert(f"No forecast by {grain} for this store. {longrun.MonthlyOnly(grain)}", "warning")]
    run = longrun.run_for(wh, as_of, grain, h, monthly,
                          progress=(lambda f, m: progress(0.8 * f, f"Forecast: {m}")) if progress else None)
    daily = run.daily
    item = None
    if level != "store":
        options = display.item_options(daily, level)
        item = q.one("item") if q.one("item") in options else options[0]
    unit = display.UNITS[grain]
    where = item or "the whole store"
    out: list = [Settings((("Level", label), *((("Item", item),) if item else ()), ("Grain", grain.capitalize()),
                           ("Ahead", f"{h} {unit}"), ("Model", model)))]
    fc = run.forecast(level, grain, h, only=item, model=model)
    hist = display.chart_history(run.history(level, grain, only=item))
    bt = run.backtest(level, grain, h, only=item, model=model)
    acc = run.accuracy(level, grain, h, only=item)
    per_period = longrun.sku_periods(run, grain, h, model)[0]
    scope = per_period[per_period["unique_id"].isin(display.scope_skus(daily, level, item))]
    head = display.headline(fc, scope, run.history(level, grain, only=item), h)
    tiles = [Tile(f"Forecast units, next {h} {unit}", fmt.count(round(head.total))),
             Tile("Forecast revenue at today's prices", fmt.money(head.revenue, currency)),
             Tile(f"Change vs the previous {h} {unit}", fmt.change_pct(head.total, head.before))]
    out += [Tiles(tuple(tiles)), Heading(f"History and forecast: {where}")]
    start = hist["ds"].drop_duplicates().tail(SHOWN[grain]).min()
    if len(bt):
        start = min(start, pd.Timestamp(bt["ds"].min()))
    out += [Chart(charts.forecast_chart(hist[hist["ds"] >= start], bt, fc, grain)),
            Caption("Orange: the forecast with its 80% (darker) and 95% (lighter) bands: the units sold should fall "
                    "inside the 80% band about 16 times in 20, and inside the 95% band about 19 times in 20.")]
    if not acc.empty:
        out += [Heading("Accuracy per model"), Table(display.accuracy_table(acc, model))]
    out += [Heading("Forecast by period"),
            Table(display.item_export(fc, scope, {"sku": "SKU", "category": "category", "store": "store"}[level]))]
    return out
