"""Tables and sentences of the Forecast page, built from the planning frames (no widgets here).

    scope_skus(daily, level, item)        the SKUs a SKU / category / store view covers
    item_options(daily, level)            SKUs or categories, best sellers of the last 90 days first
    category_of(daily, sku)               the category of a SKU (None when unknown)
    history_periods(daily, skus, grain)   how many days or weeks of history the scope has
    chart_history(hist)                   the history to draw: from the first period on sale, stockout shares
    priced(fc, future, daily)             daily SKU forecasts with a price per day and revenue
    by_period(priced, weekly, grain)      the priced SKU forecasts per day or per week (7-day sums)
    by_long_period(fc, priced, daily)     SKU forecasts by month (or week past the daily run) with revenue
    period_end(as_of, grain, h)           the last day of a horizon of h days, weeks or months
    grain_rule(as_of, grain, h, ...)      which periods come from which run, in words
    accuracy_table(acc, shown)            accuracy per model as numbers, the shown model first
    window_text(windows, periods, grain)  "3 x 28 days": the backtest windows behind the figures
    versus_naive(acc, shown, windows)     "auto was 23% more accurate than seasonal naive on ..."
    thin_backtest(acc, shown, h, ...)     when too few periods were backtested to judge accuracy
    level_note(acc, shown, where)         when a single model beat auto's per-SKU choice at this level
    coverage_note(acc, shown, unit, where) when the bands held clearly fewer (or more) outcomes than they say
    status_note(status, sku, category)    what a SKU's forecast rests on when it is not on sale or never sold
    sku_table(per_period, names, recent)  the per-SKU breakdown of a category or the store (numbers)
    chosen_counts(fc)                     [model, skus]: how many SKUs each model forecasts
    lost_summary(lost, skus)              units, days and basis of the sales lost to stockouts
    export_frame(per_period, names)       every SKU's forecast for the CSV / XLSX downloads
    headline(fc, scope, history, h)      the tiles' figures: forecast units, revenue, units before
    item_export(fc, scope, label)         one item's forecast for its CSV
    workbook(every, accuracy, currency)   the all-SKU Excel file: numbers with currency/percent formats
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from lib import exports, fmt

__all__ = ["UNITS", "NAIVE", "AUTO", "NOT_ON_SALE", "ACCURACY_PCT", "ACCURACY_SHOWN", "BAND_COLUMNS", "Headline", "headline", "count_totals", "scope_skus", "item_options",
           "category_of", "history_periods", "chart_history", "priced", "by_period", "accuracy_table",
           "window_text", "versus_naive", "thin_backtest", "level_note", "coverage_note", "status_note", "sku_table",
           "chosen_counts", "lost_summary", "export_frame", "item_export", "workbook", "by_long_period",
           "period_end", "grain_rule"]

UNITS = {"day": "days", "week": "weeks", "month": "months"}
NAIVE = "seasonal_naive"
AUTO = "auto"
NOT_ON_SALE = "not on sale"
ACCURACY_PCT = ("WAPE", "bias", "coverage 80%", "coverage 95%", "vs seasonal naive")
BAND_COLUMNS = {"yhat": "forecast units", "yhat_lo_80": "80% band low", "yhat_hi_80": "80% band high",
                "yhat_lo_95": "95% band low", "yhat_hi_95": "95% band high"}


def scope_skus(daily: pd.DataFrame, level: str, item: str | None) -> list[str]:
    """The SKUs behind one SKU, one category or the whole store (sorted)."""
    ids = daily[["unique_id", "category"]].drop_duplicates("unique_id")
    if level == "sku":
        ids = ids[ids["unique_id"] == item]
    elif level == "category":
        ids = ids[ids["category"] == item]
    return sorted(ids["unique_id"].astype(str))


def item_options(daily: pd.DataFrame, level: str) -> list[str]:
    """SKU ids (level "sku") or categories, by units sold over the last 90 days, then by name."""
    col = "unique_id" if level == "sku" else "category"
    ds = pd.to_datetime(daily["ds"])
    recent = daily["y"].where(ds > ds.max() - pd.Timedelta(days=90), 0.0)
    units = recent.groupby(daily[col].astype(str)).sum()
    frame = pd.DataFrame({"name": units.index, "units": units.to_numpy()})
    return frame.sort_values(["units", "name"], ascending=[False, True])["name"].tolist()


def category_of(daily: pd.DataFrame, sku) -> str | None:
    """The category of ``sku`` in the history, None when it is not a SKU there."""
    rows = daily.loc[daily["unique_id"].astype(str) == str(sku), "category"]
    return str(rows.iloc[0]) if len(rows) else None


def history_periods(daily: pd.DataFrame, skus: list[str], grain: str) -> int:
    """Days (or whole weeks, or calendar months touched) from the scope's first day on sale to the last day
    with data."""
    ds = pd.to_datetime(daily.loc[daily["unique_id"].isin(skus), "ds"])
    if ds.empty:
        return 0
    if grain == "month":
        return (ds.max().to_period("M") - ds.min().to_period("M")).n + 1
    days = (ds.max() - ds.min()).days + 1
    return days // 7 if grain == "week" else days


def chart_history(hist: pd.DataFrame) -> pd.DataFrame:
    """[ds, y, censored] from the first period with anything on sale; ``censored`` = the share of the
    SKU-days on sale that were out of stock; y is missing where nothing was observed (all out)."""
    h = hist.sort_values("ds")
    started = (h["y"].notna() | (h["out_share"] > 0)).cummax()
    h = h[started.to_numpy()]
    return pd.DataFrame({"ds": pd.to_datetime(h["ds"]).to_numpy(), "y": h["y"].to_numpy(),
                         "censored": h["out_share"].to_numpy()})


def priced(fc: pd.DataFrame, future: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """SKU forecasts by day with ``price`` (the day's price, else the SKU's last price) and ``revenue``."""
    last = daily.sort_values("ds").groupby("unique_id")["price"].last()
    out = fc.copy()
    if len(future):
        fut = future[["unique_id", "ds", "price"]].assign(ds=pd.to_datetime(future["ds"]))
        out = out.merge(fut, on=["unique_id", "ds"], how="left")
    else:
        out["price"] = np.nan
    out["price"] = out["price"].fillna(out["unique_id"].map(last))
    out["revenue"] = out["yhat"] * out["price"]
    return out


def by_period(daily_priced: pd.DataFrame, weekly: pd.DataFrame | None, grain: str) -> pd.DataFrame:
    """The priced daily SKU forecasts as shown: per day, or per week (``weekly``: the run's weekly SKU
    forecasts with bands calibrated on weekly sums) with the week's revenue and its average price."""
    if grain == "day":
        return daily_priced.reset_index(drop=True)
    first = pd.to_datetime(daily_priced["ds"]).min()
    week = first + pd.to_timedelta((pd.to_datetime(daily_priced["ds"]) - first).dt.days // 7 * 7, unit="D")
    money = daily_priced.assign(ds=week).groupby(["unique_id", "ds"], as_index=False).agg(
        revenue=("revenue", "sum"), first_price=("price", "first"))
    out = weekly.merge(money, on=["unique_id", "ds"], how="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["price"] = np.where(out["yhat"] > 0, out["revenue"] / out["yhat"], out["first_price"])
    return out.drop(columns="first_price")


def by_long_period(fc: pd.DataFrame, daily_priced: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """SKU forecasts per period (``fc``: months, or weeks past the daily run) with ``revenue`` and ``price``:
    the priced daily forecast of the period's days inside the daily run (``daily_priced``, may be empty),
    plus its other units at the SKU's last price (``daily``'s last ``price``)."""
    out = fc.copy()
    out["ds"] = pd.to_datetime(out["ds"])
    last = daily.sort_values("ds").groupby("unique_id")["price"].last() if "price" in daily else pd.Series(
        dtype=float)
    out["_last"] = out["unique_id"].map(last).astype(float)
    if len(daily_priced):
        starts = np.sort(out["ds"].unique())
        d = daily_priced.assign(ds=pd.to_datetime(daily_priced["ds"]))
        d["period"] = starts[np.searchsorted(starts, d["ds"].to_numpy(), side="right") - 1]
        money = d.groupby(["unique_id", "period"], as_index=False).agg(_rev=("revenue", "sum"), _units=("yhat", "sum"))
        out = out.merge(money.rename(columns={"period": "ds"}), on=["unique_id", "ds"], how="left")
    else:
        out["_rev"], out["_units"] = np.nan, np.nan
    rest = (out["yhat"] - out["_units"].fillna(0.0)).clip(lower=0.0)
    out["revenue"] = out["_rev"].fillna(0.0) + rest * out["_last"].fillna(0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["price"] = np.where(out["yhat"] > 0, out["revenue"] / out["yhat"], out["_last"])
    return out.drop(columns=["_last", "_rev", "_units"])


def period_end(as_of, grain: str, h: int, monthly_store: bool = False) -> pd.Timestamp:
    """The last day of a horizon of ``h`` periods from the first forecast day (months: calendar months, the
    first one the rest of the current month; a monthly-only store's first month is the next one)."""
    start = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    if grain == "month":
        first = pd.Timestamp(as_of).to_period("M").start_time + pd.offsets.MonthBegin(1) if monthly_store \
            else start.to_period("M").start_time
        return first + pd.DateOffset(months=int(h)) - pd.Timedelta(days=1)
    return start + pd.Timedelta(days=int(h) * (7 if grain == "week" else 1) - 1)


def grain_rule(as_of, grain: str, h: int, daily_days: int, monthly_store: bool = False) -> str:
    """Which periods of the view come from which run, in words ('' for days and the daily run's weeks)."""
    start = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    last = start + pd.Timedelta(days=daily_days - 1)
    if monthly_store:
        return ("This store's history is monthly (each SKU's sales fall on one day a month), so it is forecast "
                "by month from its monthly totals; days and weeks are not offered.")
    if grain == "week" and h > daily_days // 7:
        return (f"Weeks 1-{daily_days // 7} ({start:%b %d} to {last:%b %d, %Y}) are 7-day sums of the daily "
                "forecast; later weeks come from a weekly run on weekly totals, scaled per SKU so that its "
                f"forecast of those first {daily_days // 7} weeks matches the daily sums.")
    if grain == "month":
        first = start.to_period("M").start_time
        part = f" The first month is the rest of {start:%B} (from {start:%b %d})." if start != first else ""
        return (f"Months are calendar months.{part} The days the daily run covers ({start:%b %d} to "
                f"{last:%b %d, %Y}) are sums of its daily forecast; the later days of each month come from a "
                "monthly run on monthly totals, scaled per SKU so that its forecast of the whole months the "
                "daily run covers matches the daily sums. Bands and accuracy by month come from the monthly "
                "run's own backtest.")
    return ""


ACCURACY_SHOWN = {"MASE": "{:.2f}", "WAPE": "{:.1%}", "bias": "{:+.1%}", "coverage 80%": "{:.0%}",
                  "coverage 95%": "{:.0%}", "vs seasonal naive": "{:+.0%}"}


def accuracy_table(acc: pd.DataFrame, shown: str) -> pd.DataFrame:
    """[model, MASE, WAPE, bias, coverage 80%, coverage 95%, vs seasonal naive] as numbers (fractions for
    the percentages; vs seasonal naive = WAPE / naive's WAPE - 1, so 0 on naive's own row): ``shown``
    first, then by WAPE."""
    a = acc.drop_duplicates("model").copy()
    naive = a.loc[a["model"] == NAIVE, "wape"]
    base = float(naive.iloc[0]) if len(naive) else np.nan
    a["first"] = a["model"] != shown
    a = a.sort_values(["first", "wape"], na_position="last")
    with np.errstate(invalid="ignore", divide="ignore"):
        versus = a["wape"].to_numpy() / base - 1 if base > 0 else np.full(len(a), np.nan)
    return pd.DataFrame({
        "model": a["model"].to_numpy(),
        "MASE": a["mase"].round(2).to_numpy(),
        "WAPE": a["wape"].to_numpy(), "bias": a["bias"].to_numpy(),
        "coverage 80%": a["coverage_80"].to_numpy(), "coverage 95%": a["coverage_95"].to_numpy(),
        "vs seasonal naive": versus,
    })


def window_text(windows: int, periods: int, grain: str) -> str:
    """'3 x 28 days' (the backtest windows scored for the horizon); '' without windows."""
    if not windows or not periods:
        return ""
    return f"{windows} x {periods} {UNITS[grain] if periods != 1 else grain}"


def _row(acc: pd.DataFrame, model: str):
    rows = acc[acc["model"] == model]
    return rows.iloc[0] if len(rows) else None


def versus_naive(acc: pd.DataFrame, shown: str, windows: str) -> str:
    """One sentence comparing the shown model's backtest with seasonal naive on the same windows; ''
    when unknown. A model is called more accurate only when its WAPE is lower AND its MASE is not above
    1 (MASE above 1: its errors were larger than a naive step within the history)."""
    me, naive = _row(acc, shown), _row(acc, NAIVE)
    if shown == NAIVE or me is None or naive is None or not (pd.notna(me["wape"]) and naive["wape"] > 0):
        return ""
    ratio = float(me["wape"] / naive["wape"])
    when = f" on the last {windows}" if windows else ""
    figures = f" (WAPE {fmt.pct(me['wape'])} vs {fmt.pct(naive['wape'])})"
    mase = float(me["mase"]) if pd.notna(me["mase"]) else np.nan
    if abs(ratio - 1) < 0.005:
        return f"**{shown}** was as accurate as seasonal naive{when}{figures}."
    if ratio > 1:
        return f"**{shown}** was {fmt.pct(ratio - 1, 0)} less accurate than seasonal naive{when}{figures}."
    if mase > 1:
        return (f"**{shown}** had a {fmt.pct(1 - ratio, 0)} lower WAPE than seasonal naive{when}{figures}, but "
                f"its MASE is {mase:.2f}: above 1, its errors were larger than the typical change from one "
                "week to the next in the history, so neither forecast is accurate here.")
    return f"**{shown}** was {fmt.pct(1 - ratio, 0)} more accurate than seasonal naive{when}{figures}."


def thin_backtest(acc: pd.DataFrame, shown: str, h: int, unit: str, first_sale) -> str:
    """When the backtest holds fewer scored periods than one horizon (a product launched after the windows
    began, or ended before them): say so instead of comparing models on a handful of points; '' otherwise."""
    me = _row(acc, shown)
    n = int(me["n_points"]) if me is not None and pd.notna(me.get("n_points")) else 0
    if n >= h:
        return ""
    since = f" (its first sale was on {pd.Timestamp(first_sale):%b %d, %Y})" if pd.notna(first_sale) else ""
    if n == 0:
        return (f"No backtest here: none of its sales fall in the backtest windows{since}, so there is nothing to "
                "measure its accuracy on.")
    return (f"Only {n} {unit if n != 1 else unit[:-1]} of its sales fall in the backtest windows{since}: too few to "
            "measure its accuracy or to compare models; the category's figures are a better guide.")


def level_note(acc: pd.DataFrame, shown: str, where: str, chosen: str | None = None) -> str:
    """When auto is shown and a single model had a lower WAPE on these windows: say so, and why auto did not
    take it (``where`` "SKU": the model auto chose for the SKU is ``chosen``)."""
    me = _row(acc, AUTO)
    if shown != AUTO or me is None or pd.isna(me["wape"]):
        return ""
    single = acc[(acc["model"] != AUTO) & acc["wape"].notna()].sort_values("wape")
    if single.empty:
        return ""
    best = single.iloc[0]
    if where == "SKU":
        if chosen is None or best["model"] == chosen or round(float(best["wape"]), 3) >= round(float(me["wape"]), 3):
            return ""
        return (f"On this SKU **{best['model']}** had a lower WAPE than auto's choice, {chosen} ({fmt.pct(best['wape'])} "
                f"vs {fmt.pct(me['wape'])} here). auto keeps the model that wins over all SKUs unless another was "
                "more than 20% better on the SKU's own backtest over whole windows (up to 13 weeks each): with a few dozen noisy "
                "points per SKU, picking each SKU's best model mostly picks noise.")
    if round(float(best["wape"]), 3) >= round(float(me["wape"]), 3):
        return (f"At {where} level auto was the most accurate choice (WAPE {fmt.pct(me['wape'])}; the best single "
                f"model, {best['model']}, {fmt.pct(best['wape'])}).")
    return (f"At {where} level **{best['model']} alone was more accurate than auto** (WAPE {fmt.pct(best['wape'])} "
            f"vs {fmt.pct(me['wape'])}): auto picks a model per SKU from each SKU's own errors, and the sum of "
            f"those picks is not always the best forecast of the total. Pick {best['model']} under Model to use it "
            "for every SKU.")


def coverage_note(acc: pd.DataFrame, shown: str, unit: str, where: str) -> str:
    """A plain warning when the shown model's 80% band held clearly fewer than 16 in 20 backtest outcomes
    (below 70%), or clearly more (above 90%); '' when it is about right or unknown."""
    me = _row(acc, shown)
    if me is None or pd.isna(me["coverage_80"]) or not me.get("n_points", 0):
        return ""
    cov, n = float(me["coverage_80"]), int(me["n_points"])
    held = int(round(cov * n))
    if cov < 0.7:
        return (f"**The bands are too narrow {where}:** in the backtest the 80% band held the units sold in {held} "
                f"of {n} {unit} ({fmt.pct(cov, 0)}), not about 16 in 20, and the 95% band in "
                f"{fmt.pct(me['coverage_95'], 0)}. They are calibrated on only three backtest windows, whose errors "
                "differ more than the band allows: read them as the least uncertainty to expect.")
    if cov > 0.9:
        return (f"**The bands are wider than they need to be {where}:** in the backtest the 80% band held the units "
                f"sold in {held} of {n} {unit} ({fmt.pct(cov, 0)}), more than about 16 in 20.")
    return ""


def status_note(status: pd.DataFrame, sku: str, category: str | None) -> str:
    """What the forecast of ``sku`` rests on when it is not on sale or has never sold; '' otherwise."""
    rows = status[status["unique_id"].astype(str) == str(sku)]
    if rows.empty:
        return ""
    s = rows.iloc[0]
    if not bool(s["on_sale"]):
        why = []
        if bool(s["ended"]):
            why.append(f"its last day on sale was {pd.Timestamp(s['last_day']):%b %d, %Y} (no stock record after it)")
        if s["active"] is False or s["active"] is np.False_:
            why.append("the product master marks it inactive")
        reason = " and ".join(why)
        return (f"**Not on sale: forecast 0.** {reason[0].upper()}{reason[1:]}, so it is forecast to sell nothing. "
                f"It sold {fmt.count(round(float(s['units'])))} units in the history before; a model would otherwise "
                "carry that level forward as if it were still on the shelf.")
    if float(s["units"]) == 0:
        where = f" in {category}" if category else ""
        return (f"**No sales yet:** on sale for {fmt.count(int(s['days']))} days (since "
                f"{pd.Timestamp(s['first_day']):%b %d, %Y}) without selling a unit, so its forecast rests on that "
                "zero history alone and is close to 0; the band is the spread seen on SKUs of a similar size. A new "
                f"product's first weeks cannot be read from its own history: compare with similar SKUs{where}.")
    return ""


def sku_table(per_period: pd.DataFrame, names: pd.DataFrame, recent: pd.Series) -> pd.DataFrame:
    """Per SKU: name, category, model, forecast units and revenue, units sold just before (most first)."""
    g = per_period.groupby("unique_id", sort=False).agg(units=("yhat", "sum"), revenue=("revenue", "sum"),
                                                        model=("model", "first")).reset_index()
    g = g.merge(names.rename(columns={"sku": "unique_id"}), on="unique_id", how="left")
    g["before"] = g["unique_id"].map(recent).fillna(0.0)
    g = g.sort_values(["units", "unique_id"], ascending=[False, True])
    return pd.DataFrame({"SKU": g["unique_id"].to_numpy(), "name": g["name"].to_numpy(),
                         "category": g["category"].to_numpy(), "model": g["model"].to_numpy(),
                         "forecast units": g["units"].round(1).to_numpy(),
                         "forecast revenue": g["revenue"].round(2).to_numpy(),
                         "units sold before": g["before"].round(1).to_numpy()})


def chosen_counts(fc: pd.DataFrame) -> pd.DataFrame:
    """[model, skus]: the number of SKUs whose forecast comes from each model (most first)."""
    per_sku = fc.drop_duplicates("unique_id")["model"]
    counts = per_sku.value_counts()
    return pd.DataFrame({"model": counts.index.astype(str), "skus": counts.to_numpy().astype(int)})


def count_totals(counts: pd.DataFrame) -> tuple[int, int]:
    """(SKUs, of which no longer on sale) over chosen_counts' rows."""
    return int(counts["skus"].sum()), int(counts.loc[counts["model"] == NOT_ON_SALE, "skus"].sum())


def lost_summary(lost: pd.DataFrame, skus: list[str]) -> dict:
    """{units, days, sessions_days, baseline_days} of the stockout days of ``skus`` (days: SKU-days)."""
    rows = lost[lost["unique_id"].isin(skus)] if len(lost) else lost
    basis = rows["basis"].value_counts() if len(rows) else pd.Series(dtype=int)
    return {"units": float(rows["lost_units"].sum()) if len(rows) else 0.0, "days": int(len(rows)),
            "sessions_days": int(basis.get("sessions", 0)), "baseline_days": int(basis.get("baseline", 0))}


def export_frame(per_period: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """Every SKU's forecast per period with its name, category, model, price and revenue (numbers)."""
    out = per_period.merge(names.rename(columns={"sku": "unique_id"}), on="unique_id", how="left")
    cols = {"unique_id": "SKU", "name": "name", "category": "category", "ds": "period start", **BAND_COLUMNS,
            "model": "model", "price": "price", "revenue": "forecast revenue"}
    out = out[list(cols)].rename(columns=cols)
    out["period start"] = pd.to_datetime(out["period start"]).dt.date
    return out


class Headline(NamedTuple):
    total: float        # forecast units over the horizon
    revenue: float      # forecast revenue of the SKUs in scope at today's prices
    before: float       # units sold in the last h periods of history


def headline(fc: pd.DataFrame, scope: pd.DataFrame, history: pd.DataFrame, h: int) -> Headline:
    """The Forecast tiles' figures: the forecast's units, its SKUs' revenue ([unique_id, ds, revenue] rows
    of the scope) and the units of the h history periods before it."""
    return Headline(float(fc["yhat"].sum()), float(scope["revenue"].sum()), float(history["y"].tail(h).sum()))


def item_export(fc: pd.DataFrame, scope: pd.DataFrame, label: str) -> pd.DataFrame:
    """One SKU, category or the store: [<label>, period start, forecast units, bands, model, forecast revenue]
    (the revenue of each period summed over the SKUs of ``scope``, rows [unique_id, ds, revenue])."""
    revenue = scope.groupby(pd.to_datetime(scope["ds"]))["revenue"].sum()
    out = fc.rename(columns={"unique_id": label, "ds": "period start", **BAND_COLUMNS})
    out["period start"] = pd.to_datetime(out["period start"]).dt.date
    out["forecast revenue"] = pd.to_datetime(fc["ds"]).map(revenue).to_numpy()
    return out[[label, "period start", *BAND_COLUMNS.values(), "model", "forecast revenue"]]


def workbook(every: pd.DataFrame, accuracy: pd.DataFrame, currency: str) -> bytes:
    """The all-SKU Excel file: the forecast per SKU and period (price and revenue in the store currency) and
    the accuracy table (percentages as percentages); every cell a number."""
    forecast = exports.Formats(money=("price", "forecast revenue"), decimal=tuple(BAND_COLUMNS.values()),
                               currency=currency)
    return exports.to_xlsx_bytes({"Forecast by SKU": every, "Accuracy": accuracy},
                                 {"Forecast by SKU": forecast,
                                  "Accuracy": exports.Formats(pct=ACCURACY_PCT, decimal=("MASE",))})
