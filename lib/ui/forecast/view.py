"""The Forecast page: demand forecast of one SKU, one category or the store, and when to trust it.

Controls live in the URL (level, item, fgrain, h, model). Grains: day, week (up to 104) and month
(up to 24); weeks past 13 and months reconcile a weekly or monthly run with the daily one
(lib/forecast/longrun.py, the rule in a caption); a store whose history is monthly only is
forecast by month alone. Everything else comes from the store's
one daily forecast run (lib/forecast/store.py through lib/ui/app/planning.py: 91 days of every SKU,
cached per data version; the first run shows a progress bar), the same run Replenishment and
Pricing read: a shorter horizon is its first days, a week the sum of 7 of its days from the first
forecast day, a category or the store the sum of its SKUs. Tables and sentences come from
lib/forecast/display.py.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import exports, fmt, forecast
from lib.charts import forecast as charts
from lib.forecast import data
from lib.forecast import display as parts
from lib.sharing import links
from lib.ui.app import cache, planning, shell, url_keys
from lib.ui.widgets import downloads, formatting

__all__ = ["render"]

LEVELS = {"SKU": "sku", "Category": "category", "Store": "store"}
MODELS = ["auto", *(m for m in forecast.MODELS if m != "auto")]
SHOWN = {"day": 180, "week": 104, "month": 60}          # history periods on the chart
HORIZON_DAYS = planning.HORIZONS["day"][1]
MIN_PERIODS = {"day": 28, "week": 8, "month": 3}       # less history than this: no forecast
LINK_KEYS = url_keys.PAGES["forecast"]   # the page's URL keys (lib/ui/app/url_keys.py)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MODEL_HELP = ("**auto** backtests every model (seasonal naive, moving average, SES, Theta, ETS, Croston, "
              "SBA, TSB, the boosted model and the ensemble; by month also the ETS family chosen by AICc, its "
              "damped form and their combination with Theta) on three windows, and gives each SKU the "
              "model with the lowest error over all SKUs, unless another model was more than 20% better on that "
              "SKU's own backtest. It chooses per SKU: a category or the store is the sum of those choices, which "
              "is not always the most accurate forecast of the total (the accuracy table says when). Any single "
              "model can be picked instead, for every SKU.")
MEASURES = ("**MASE**: the average error divided by the typical change from {naive_step} in the history before "
            "each window; below 1 the errors were smaller than that change, above 1 larger (worse than that "
            "naive step). **WAPE**: the absolute errors added up, as a share of the units sold. **Bias**: the "
            "forecast minus the units sold, as a share of the units sold (+ over-forecasts, − under-forecasts). "
            "**Coverage**: how often the units sold fell inside the 80% and 95% bands; trustworthy bands hold about "
            "16 and 19 outcomes in 20. **vs seasonal naive**: the change in WAPE against {naive_rule} "
            "(below 0 = fewer errors). Each backtest window is forecast only from the data "
            "before it, and scored on its first {periods}; stockout days are not scored.")
NAIVE_STEP = {"day": "the same weekday a week earlier", "week": "one week to the next",
              "long week": "the same week a year earlier", "month": "the same month a year earlier"}
NAIVE_RULE = {"day": "repeating each weekday's sales of the week before",
              "week": "repeating each weekday's sales of the week before",
              "long week": "repeating each week's sales of a year before",
              "month": "repeating each month's sales of a year before"}


@cache.query(max_entries=8)
def _products(key, wh) -> pd.DataFrame:
    return data.products(wh)[["sku", "name", "category"]].drop_duplicates("sku")


def render() -> None:
    st.title("Forecast")
    st.caption("Expected unit sales per SKU, category or the whole store, with uncertainty bands, and how "
               "accurate each model was on the recent past, so you can judge how far to trust it.")
    link = {k: st.query_params.get(k) for k in LINK_KEYS}
    try:
        wh = shell.warehouse()
        key = cache.key(wh)
        as_of = planning.as_of(wh, key)
        daily = planning.history(wh, key, as_of, "day") if as_of is not None else pd.DataFrame()
        names = _products(key, wh)
        monthly = as_of is not None and not daily.empty and planning.monthly_store(wh, key, as_of)
    except Exception as err:  # noqa: BLE001 - every failure becomes a message
        shell.show_error(err)
        return
    if as_of is None or daily.empty:
        st.info("**No orders loaded yet.** Forecasts are built from the orders feed (units sold per SKU "
                "and day), with the inventory feed marking stockouts: load the demo store or your own "
                "exports first.",
                icon=":material/inbox:")
        st.page_link("pages/data_page.py", label="Go to Data sources", icon=":material/database:")
        return
    p = _controls(daily, names, as_of, monthly)
    _check_link(link, p)
    if monthly and p["grain"] != "month":
        st.warning(f"**No forecast by {p['grain']} for this store.** {planning.MonthlyOnly(p['grain'])}",
                   icon=":material/calendar_month:")
        return
    skus = parts.scope_skus(daily, p["level"], p["item"])
    periods = parts.history_periods(daily, skus, p["grain"])
    if periods < MIN_PERIODS[p["grain"]] and not monthly:     # a monthly store has 3 months or more
        unit, need = parts.UNITS[p["grain"]], MIN_PERIODS[p["grain"]]
        st.warning(f"**Not enough history to forecast {p['title']}.** It has {periods} {unit} of sales "
                   f"history; a forecast and its backtest need at least {need} {unit}. Pick another item, "
                   "switch to days, or load a longer order history.", icon=":material/hourglass_empty:")
        return
    try:
        _body(wh, key, as_of, daily, names, skus, p)
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)


# -- controls ----------------------------------------------------------------------------------------------
def _jump(labels: dict[str, str]) -> None:
    """'Find by name' picked a product: show that SKU (the bound SKU box keeps the id in the URL)."""
    pick = st.session_state.get("find")
    if pick in labels:
        st.session_state["item"] = labels[pick]
    st.session_state["find"] = None


def _grain_changed(first: str) -> None:
    """28 days are not 28 weeks: a new grain starts at its own default horizon (so the link, which leaves a
    default out, opens the same view)."""
    grain = st.session_state.get("fgrain") or first
    st.session_state["h"] = planning.HORIZONS[grain][2]


def _controls(daily: pd.DataFrame, names: pd.DataFrame, as_of: date, monthly: bool = False) -> dict:
    c1, c2, c3, c4, c5, c6 = st.columns([1.8, 1.3, 1.4, 2.1, 0.9, 1.2])      # Grain: day, week and month in full
    # no format_func: a bound widget keeps its *label* in the URL, so the labels are the URL values
    label = c1.segmented_control("Level", list(LEVELS), default="Store", key="level",
                                 bind="query-params") or "Store"
    level = LEVELS[label]
    item, title = None, "the whole store"
    if level != "store":
        options = parts.item_options(daily, level)
        # no default option, so whatever is picked stays in the URL; the best seller when none (or cleared)
        if st.session_state.get("item") not in options and st.query_params.get("item") not in options:
            st.session_state["item"] = _carried(st.session_state.get("item"), level, daily, options)
        item = c2.selectbox(label, options, index=None, key="item", bind="query-params",
                            filter_mode="contains", help="Best sellers of the last 90 days first.")
        item = item or options[0]
        title = item
    name_of = dict(zip(names["sku"].astype(str), names["name"].astype(str), strict=True))
    if level == "sku":
        labels = {f"{s} · {name_of.get(s, '')}": s for s in parts.item_options(daily, "sku")}
        c3.selectbox("Find by name", list(labels), index=None, key="find", placeholder="Type a product name",
                     filter_mode="contains", on_change=_jump, args=(labels,))
        title = f"{item} · {name_of[item]}" if item in name_of else item
    elif level == "category":
        title = f"{item} ({fmt.count(len(parts.scope_skus(daily, level, item)))} SKUs)"
    first = "month" if monthly else "day"
    grain = c4.segmented_control("Grain", list(planning.GRAINS), default=first, key="fgrain",
                                 bind="query-params", on_change=_grain_changed, args=(first,)) or first
    lo, hi, dflt = planning.HORIZONS[grain]
    if st.session_state.get("_h_grain") not in (None, grain) and "h" not in st.query_params:
        st.session_state["h"] = dflt        # a grain changed by the link, not the control: its default too
    st.session_state["_h_grain"] = grain
    unit = parts.UNITS[grain]
    start = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    weeks = f" Weeks are 7-day blocks from the first forecast day ({start:%A})." if grain == "week" else ""
    h = c5.number_input(f"{unit.capitalize()} ahead", min_value=lo, max_value=hi, value=dflt, step=1, key="h",
                        bind="query-params", help=f"{lo} to {hi} {unit} ahead: the daily forecast covers the next "
                                                  f"{HORIZON_DAYS} days; longer weeks and months add a weekly or "
                                                  f"monthly forecast reconciled with it.{weeks}")
    model = c6.selectbox("Model", MODELS, key="model", bind="query-params", help=MODEL_HELP) or "auto"
    end = parts.period_end(as_of, grain, int(h), monthly)
    if monthly and grain == "month":
        start = end - pd.DateOffset(months=int(h)) + pd.Timedelta(days=1)
    rule = parts.grain_rule(as_of, grain, int(h), HORIZON_DAYS, monthly)
    st.caption(f"Data through {as_of:%b %d, %Y} · forecasting {title}, {int(h)} {unit} ahead: "
               f"{start:%a %b %d, %Y} to {end:%a %b %d, %Y}." + weeks + (f" {rule}" if rule else ""))
    return {"label": label, "level": level, "item": item, "title": title, "grain": grain, "h": int(h),
            "model": model, "currency": shell.settings().currency}


def _carried(previous, level: str, daily: pd.DataFrame, options: list[str]) -> str:
    """The item to show after the Level changed: a SKU's own category, a category's best-selling SKU, else
    the best seller."""
    if level == "category":
        own = parts.category_of(daily, previous)
        if own in options:
            return own
    if level == "sku" and previous is not None:
        inside = set(parts.scope_skus(daily, "category", previous))
        best = [s for s in options if s in inside]
        if best:
            return best[0]
    return options[0]


def _check_link(link: dict, p: dict) -> None:
    """Once per session: say which settings of the opening link were not valid (they were ignored)."""
    if st.session_state.get("forecast_link_checked"):
        return
    st.session_state["forecast_link_checked"] = True
    chosen = {"level": p["label"], "item": p["item"], "fgrain": p["grain"], "h": p["h"], "model": p["model"]}
    bad = [f'{k} = "{links.shorten(v)}"' for k, v in link.items()
           if v is not None and not (k == "item" and p["item"] is None) and str(v) != str(chosen[k])]
    if bad:
        st.warning(f"Ignored from the link (not a valid choice here): {', '.join(bad)}. "
                   "Showing the defaults for those instead.", icon=":material/link_off:")


# -- the page body
def _where(p: dict) -> tuple[str, str]:
    """('store' / 'category' / 'SKU', 'at store level' / 'for Home Decor' / 'for this SKU')."""
    if p["level"] == "store":
        return "store", "at store level"
    if p["level"] == "category":
        return "category", f"for {p['item']}"
    return "SKU", "for this SKU"


def _body(wh, key, as_of: date, daily: pd.DataFrame, names: pd.DataFrame, skus: list[str], p: dict) -> None:
    grain, h, model, level = p["grain"], p["h"], p["model"], p["level"]
    only = p["item"] if level != "store" else None
    v = planning.view(wh, key, as_of, level, grain, h, model, only)
    fc, acc = v["forecast"], v["accuracy"]
    per_period = v["skus"]
    scope = per_period[per_period["unique_id"].isin(skus)]
    hist = parts.chart_history(v["history"])
    windows = parts.window_text(int(v["windows"]["windows"].iloc[0]), int(v["windows"]["periods"].iloc[0]), grain)
    if level == "sku":
        note = parts.status_note(v["status"], p["item"], parts.category_of(daily, p["item"]))
        if note:
            st.info(note, icon=":material/info:")
    sold = hist.loc[hist["y"] > 0, "ds"]
    thin = parts.thin_backtest(acc, model, h, parts.UNITS[grain], sold.min() if len(sold) else pd.NaT)
    _tiles(parts.headline(fc, scope, v["history"], h), scope, acc, windows, thin, p)
    ended = level == "sku" and not v["status"].set_index("unique_id").loc[p["item"], "on_sale"]
    _chart(hist, v["backtest"], fc, acc if not thin else acc.iloc[0:0], windows, as_of, p, whole=ended)
    _accuracy(acc, windows, thin, p, scope["model"].iloc[0] if level == "sku" and len(scope) else None)
    _lost(planning.lost_sales(wh, key, as_of), skus, daily, p)
    if level != "sku":
        _breakdown(scope, names, v["recent"], p)
    _models(v["counts"], p)
    _downloads(fc, scope, per_period, names, acc, p)


def _tiles(head: parts.Headline, scope: pd.DataFrame, acc: pd.DataFrame, windows: str, thin: str,
           p: dict) -> None:
    h, unit, model = p["h"], parts.UNITS[p["grain"]], p["model"]
    total, revenue, before = head
    cols = st.columns(4)
    days = f"{h * (7 if p['grain'] == 'week' else 1)} days" if p["grain"] != "month" else f"{h} {unit}"
    cols[0].metric(f"Forecast units, next {h} {unit}", fmt.count(round(total)),
                   help=f"The sum of the SKU forecasts over the next {days}: the same numbers "
                        "Replenishment and Pricing plan with.")
    cols[1].metric("Forecast revenue at today's prices", fmt.money(revenue, p["currency"]),
                   help="Forecast units x each SKU's price in the horizon (scheduled promotions included), "
                        "else its last selling price.")
    cols[2].metric(f"Change vs the previous {h} {unit}", fmt.change_pct(total, before),
                   help=f"Against the {fmt.count(round(before, 1))} units sold in the last {days} of "
                        "history.")
    if p["level"] == "sku" and len(scope) and scope["model"].iloc[0] == parts.NOT_ON_SALE:
        shown, note = parts.NOT_ON_SALE, "No longer on sale: forecast 0."
    elif model == "auto" and p["level"] == "sku":
        shown, note = (scope["model"].iloc[0] if len(scope) else "auto"), "The model auto chose for this SKU."
    elif model == "auto":
        shown, note = "auto", "Each SKU uses the model auto chose for it; see the summary below."
    else:
        shown, note = model, "Picked above for every SKU."
    cols[3].metric("Model", shown, help=note)
    sentence = thin or parts.versus_naive(acc, model, windows)
    if sentence:
        st.caption(f"Backtest: {sentence}")


def _stem(p: dict, what: str) -> str:
    """File names carry the view: what, item, grain, horizon, model."""
    item = p["item"] or "store"
    return downloads.slug(f"forecast {what} {item} by {p['grain']} next {p['h']} {parts.UNITS[p['grain']]} "
                          f"{p['model']}")


def _chart(hist: pd.DataFrame, bt: pd.DataFrame, fc: pd.DataFrame, acc: pd.DataFrame, windows: str,
           as_of: date, p: dict, whole: bool = False) -> None:
    st.subheader("History and forecast")
    # the last SHOWN periods, reaching back to the first backtest window; a SKU no longer on sale: all of it
    start = hist["ds"].drop_duplicates().tail(SHOWN[p["grain"]]).min()
    if len(bt):
        start = min(start, pd.Timestamp(bt["ds"].min()))
    shown = hist if whole else hist[hist["ds"] >= start]
    downloads.chart(charts.forecast_chart(shown, bt, fc, p["grain"]), _stem(p, "chart"), key="fc_chart",
                    width="stretch")
    unit = parts.UNITS[p["grain"]]
    bands = ("Orange: the forecast with its 80% (darker) and 95% (lighter) bands: the units sold should fall "
             "inside the 80% band about 16 times in 20, and inside the 95% band about 19 times in 20.")
    back = (f" Purple, dashed: what {p['model']} forecast for the first {p['h']} {unit} of each of the last "
            f"{windows.split(' x ')[0]} backtest windows, using only the data before each window, with its 80% "
            "band (from the first sale on): compare it with the sales line." if windows else "")
    weekly = {"week": f" (weeks: units sold in 7-day blocks, the last ending {as_of:%a %b %d})",
              "month": " (months: units sold per complete calendar month, stockout days filled at the month's "
                       "in-stock rate, a SKU's first month counted whole at its rate)"}.get(p["grain"], "")
    st.caption(f"Blue: units sold{weekly}. Grey shading: stockouts, darker the more SKUs are out; periods "
               f"with every SKU out have no sales line. {bands}{back} Drag to pan, scroll to zoom.")
    note = parts.coverage_note(acc, p["model"], unit, _where(p)[1])
    if note.startswith("**The bands are too narrow"):
        st.warning(note, icon=":material/warning:")
    elif note:
        st.caption(note)


def _accuracy(acc: pd.DataFrame, windows: str, thin: str, p: dict, chosen: str | None = None) -> None:
    st.subheader("Accuracy per model")
    if acc.empty:
        st.info("The history is too short for a backtest, so there are no accuracy figures yet.",
                icon=":material/hourglass_empty:")
        return
    if thin.startswith("No backtest"):
        st.info(thin, icon=":material/hourglass_empty:")
        return
    if thin:
        st.caption(thin)
    note = parts.level_note(acc, p["model"], _where(p)[0], chosen)
    if note:
        st.caption(note)
    table = parts.accuracy_table(acc, p["model"])
    # the Styler formats what is shown (one decimal, signs); the cells and the downloads stay numbers
    styled = table.style.apply(lambda r: ["background-color: #dbeafe; font-weight: 600" if r.name == 0 else ""
                                          for _ in r], axis=1)
    for col, shown in parts.ACCURACY_SHOWN.items():
        styled = styled.format(shown, subset=[col], na_rep="–")
    downloads.table(styled, _stem(p, "accuracy"), key="fc_acc", hide_index=True, width="stretch",
                    height=38 + 35 * len(table),
                    number_formats=exports.Formats(pct=parts.ACCURACY_PCT, decimal=("MASE",)))
    periods = f"{p['h']} {parts.UNITS[p['grain']]}"
    kind = "long week" if p["grain"] == "week" and p["h"] > planning.DAILY_WEEKS else p["grain"]
    st.caption(f"The highlighted row is the model shown above, measured on the last {windows or 'periods'}: the "
               f"first {periods} of each backtest window. "
               + MEASURES.format(naive_step=NAIVE_STEP[kind], periods=periods, naive_rule=NAIVE_RULE[kind]))


def _lost(lost: pd.DataFrame, skus: list[str], daily: pd.DataFrame, p: dict) -> None:
    s = parts.lost_summary(lost, skus)
    st.subheader("Sales lost to stockouts")
    since = pd.to_datetime(daily["ds"]).min()
    if not s["days"]:
        st.caption(f"No stockout days for {p['title']} since {since:%b %d, %Y}.")
        return
    cols = st.columns(4)
    cols[0].metric("Estimated units lost", fmt.count(round(s["units"], 1)))
    cols[1].metric("Stockout days" if p["level"] == "sku" else "SKU-days out of stock", fmt.count(s["days"]))
    basis = [f"{name} on {fmt.count(n)} day{'' if n == 1 else 's'}" for name, n in
             (("product-page sessions", s["sessions_days"]), ("baseline", s["baseline_days"])) if n]
    st.caption(f"Since {since:%b %d, %Y}; estimated from {' and '.join(basis)}. Stockout days are censored: "
               "the models skip them instead of reading them as zero demand, so a stockout does not drag the "
               "forecast down. **Product-page sessions**: the sessions viewing the SKU on a stockout day x "
               "its units per session on in-stock days. **Baseline** (no page views that day): the average "
               "daily sales of its in-stock days within 14 days either side.")


def _breakdown(scope: pd.DataFrame, names: pd.DataFrame, recent: pd.Series, p: dict) -> None:
    st.subheader(f"SKUs in {p['item'] or 'the whole store'}")
    table = parts.sku_table(scope, names, recent)
    number = st.column_config.NumberColumn
    downloads.table(table, _stem(p, "skus"), key="fc_skus", hide_index=True, width="stretch",
                    height=min(420, 38 + 35 * len(table)),
                    number_formats=exports.Formats(money=("forecast revenue",), decimal=("forecast units",),
                                                   count=("units sold before",), currency=p["currency"]),
                    column_config={"forecast units": number(format="localized"),
                                   "forecast revenue": formatting.money_column("forecast revenue", p["currency"]),
                                   "units sold before": number(format="localized")})
    st.caption(f"The forecast above is the sum of these SKU forecasts; units sold before = the last {p['h']} "
               f"{parts.UNITS[p['grain']]} of history. SKUs no longer on sale are forecast 0.")


def _models(counts: pd.DataFrame, p: dict) -> None:
    st.subheader("Models chosen across the store")
    total, off = parts.count_totals(counts)
    gone = (f" {fmt.count(off)} SKU{'' if off == 1 else 's'} no longer on sale (no stock record up to the last day, "
            "or inactive in the product master) are forecast 0." if off else "")
    if p["model"] != "auto":
        st.caption(f"Every SKU uses {p['model']} (picked above); pick auto to let each SKU use its own choice."
                   + gone)
        return
    downloads.chart(charts.models_chart(counts), f"forecast-models-{p['grain']}-{p['h']}", key="fc_models",
                    width="stretch")
    st.caption(f"How many of the {fmt.count(total)} SKUs use each model: auto keeps the "
               "model with the lowest error over all SKUs, unless another was more than 20% better on a "
               "SKU's own backtest." + gone)


def _downloads(fc: pd.DataFrame, scope: pd.DataFrame, per_period: pd.DataFrame, names: pd.DataFrame,
               acc: pd.DataFrame, p: dict) -> None:
    st.subheader("Downloads")
    label = {"sku": "SKU", "category": "category", "store": "store"}[p["level"]]
    one = parts.item_export(fc, scope, label)
    every = parts.export_frame(per_period, names)
    table = parts.accuracy_table(acc, p["model"])
    c1, c2, c3 = st.columns(3)
    c1.download_button(f"This forecast ({p['label'].lower()}) as CSV", lambda: exports.to_csv_bytes(one),
                       on_click="ignore", file_name=f"{_stem(p, 'of')}.csv", mime="text/csv",
                       icon=":material/download:", key="dl_item")
    # every SKU: built when clicked (an .xlsx of a big catalogue takes seconds)
    every_stem = downloads.slug(f"forecast all skus by {p['grain']} next {p['h']} {parts.UNITS[p['grain']]} "
                                f"{p['model']}")
    c2.download_button("All SKUs as CSV", lambda: exports.to_csv_bytes(every), on_click="ignore",
                       file_name=f"{every_stem}.csv", mime="text/csv", icon=":material/download:",
                       key="dl_all_csv")
    c3.download_button("All SKUs as Excel", lambda: parts.workbook(every, table, p["currency"]), on_click="ignore", file_name=f"{every_stem}.xlsx", icon=":material/download:",
                       key="dl_all_xlsx", mime=XLSX)
    st.caption(f"The files hold numbers, one row per SKU and {p['grain']} (period start = its first day), with "
               "the bands, the model, the price and the revenue; the Excel file adds the accuracy per model of "
               "the view above.")
