"""Tables and sentences of the Forecast page, built from the planning frames (no widgets here).

    scope_skus(daily, level, item)        the SKUs a SKU / category / store view covers
    item_options(daily, level)            SKUs or categories, best sellers of the last 90 days first
    history_periods(daily, skus, grain)   how many days or weeks of history the scope has
    chart_history(level_hist, hist, skus) the history to draw: from launch, stockout shares, gaps
    priced(fc, future, daily)             the SKU forecasts with a price per period and revenue
    accuracy_table(acc, shown)            formatted accuracy per model, the shown model first
    window_text(bt, grain)                "3 x 28 days": the backtest windows behind the figures
    versus_naive(acc, shown, windows)     "auto is 23% more accurate than seasonal naive on ..."
    sku_table(priced, names, recent, cur) the per-SKU breakdown of a category or the store
    chosen_counts(fc)                     [model, skus]: how many SKUs each model forecasts
    lost_summary(lost, skus)              units, days and basis of the sales lost to stockouts
    export_frame(priced, names)           every SKU's forecast for the CSV / XLSX downloads
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib import fmt

__all__ = ["UNITS", "NAIVE", "scope_skus", "item_options", "history_periods", "chart_history", "priced",
           "accuracy_table", "window_text", "versus_naive", "sku_table", "chosen_counts", "lost_summary",
           "export_frame"]

UNITS = {"day": "days", "week": "weeks"}
NAIVE = "seasonal_naive"


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


def history_periods(daily: pd.DataFrame, skus: list[str], grain: str) -> int:
    """Days (or whole weeks) from the scope's first day on sale to the last day with data."""
    ds = pd.to_datetime(daily.loc[daily["unique_id"].isin(skus), "ds"])
    if ds.empty:
        return 0
    days = (ds.max() - ds.min()).days + 1
    return days // 7 if grain == "week" else days


def chart_history(level_hist: pd.DataFrame, hist: pd.DataFrame, skus: list[str]) -> pd.DataFrame:
    """The rolled-up history [ds, y, censored] from the scope's first period on sale, with ``censored``
    the share of its SKUs out of stock; periods with every SKU out have no y (demand unknown)."""
    rows = hist[hist["unique_id"].isin(skus)]
    ds = pd.to_datetime(rows["ds"])
    share = (~rows["in_stock"].astype(bool)).groupby(ds).mean()
    out = level_hist[pd.to_datetime(level_hist["ds"]) >= ds.min()].sort_values("ds")
    out = out.assign(censored=pd.to_datetime(out["ds"]).map(share).fillna(0.0).to_numpy())
    return out.assign(y=out["y"].where(out["censored"] < 1))


def priced(fc: pd.DataFrame, future: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """SKU forecasts with ``price`` (the horizon's price, else the SKU's last price) and ``revenue``."""
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


def _signed(x) -> str:
    """A fraction as a signed percentage: 0.032 -> '+3.2%' (via fmt.change_pct against 1)."""
    return fmt.change_pct(1.0 + float(x), 1.0) if pd.notna(x) else "–"


def accuracy_table(acc: pd.DataFrame, shown: str) -> pd.DataFrame:
    """[model, MASE, WAPE, bias, coverage 80%, coverage 95%, vs seasonal naive]: ``shown`` first, then
    by WAPE."""
    a = acc.drop_duplicates("model").copy()
    naive = a.loc[a["model"] == NAIVE, "wape"]
    base = float(naive.iloc[0]) if len(naive) else np.nan
    a["first"] = a["model"] != shown
    a = a.sort_values(["first", "wape"], na_position="last")
    return pd.DataFrame({
        "model": a["model"].to_numpy(),
        "MASE": a["mase"].round(2).to_numpy(),
        "WAPE": [fmt.pct(v) for v in a["wape"]],
        "bias": [_signed(v) for v in a["bias"]],
        "coverage 80%": [fmt.pct(v, 0) for v in a["coverage_80"]],
        "coverage 95%": [fmt.pct(v, 0) for v in a["coverage_95"]],
        "vs seasonal naive": ["baseline" if m == NAIVE else fmt.change_pct(v, base, 0) if base > 0 else "–"
                              for m, v in zip(a["model"], a["wape"], strict=True)],
    })


def window_text(bt: pd.DataFrame, grain: str) -> str:
    """'3 x 28 days' from a backtest frame of one item and model; '' without windows."""
    if bt.empty:
        return ""
    length = int(bt.groupby("cutoff")["ds"].nunique().max())
    return f"{bt['cutoff'].nunique()} x {length} {UNITS[grain] if length != 1 else grain}"


def versus_naive(acc: pd.DataFrame, shown: str, windows: str) -> str:
    """One sentence comparing the shown model's backtest WAPE with seasonal naive; '' when unknown."""
    w = acc.drop_duplicates("model").set_index("model")["wape"]
    if shown == NAIVE or shown not in w or NAIVE not in w or not (pd.notna(w[shown]) and w[NAIVE] > 0):
        return ""
    ratio = float(w[shown] / w[NAIVE])
    when = f" on the last {windows}" if windows else ""
    figures = f" (WAPE {fmt.pct(w[shown])} vs {fmt.pct(w[NAIVE])})"
    if abs(ratio - 1) < 0.005:
        return f"**{shown}** is as accurate as seasonal naive{when}{figures}."
    better = ratio < 1
    return (f"**{shown}** is {fmt.pct(abs(1 - ratio), 0)} {'more' if better else 'less'} accurate than "
            f"seasonal naive{when}{figures}.")


def sku_table(priced_fc: pd.DataFrame, names: pd.DataFrame, recent: pd.Series, currency: str) -> pd.DataFrame:
    """Per SKU: name, category, model, forecast units and revenue, units sold just before (most first)."""
    g = priced_fc.groupby("unique_id", sort=False).agg(units=("yhat", "sum"), revenue=("revenue", "sum"),
                                                       model=("model", "first")).reset_index()
    g = g.merge(names.rename(columns={"sku": "unique_id"}), on="unique_id", how="left")
    g["before"] = g["unique_id"].map(recent).fillna(0.0)
    g = g.sort_values(["units", "unique_id"], ascending=[False, True])
    return pd.DataFrame({"SKU": g["unique_id"].to_numpy(), "name": g["name"].to_numpy(),
                         "category": g["category"].to_numpy(), "model": g["model"].to_numpy(),
                         "forecast units": [fmt.count(round(v, 1)) for v in g["units"]],
                         "forecast revenue": [fmt.money(v, currency) for v in g["revenue"]],
                         "units sold before": [fmt.count(round(v, 1)) for v in g["before"]]})


def chosen_counts(fc: pd.DataFrame) -> pd.DataFrame:
    """[model, skus]: the number of SKUs whose forecast comes from each model (most first)."""
    per_sku = fc.drop_duplicates("unique_id")["model"]
    counts = per_sku.value_counts()
    return pd.DataFrame({"model": counts.index.astype(str), "skus": counts.to_numpy().astype(int)})


def lost_summary(lost: pd.DataFrame, skus: list[str]) -> dict:
    """{units, days, sessions_days, baseline_days} of the stockout days of ``skus`` (days: SKU-days)."""
    rows = lost[lost["unique_id"].isin(skus)] if len(lost) else lost
    basis = rows["basis"].value_counts() if len(rows) else pd.Series(dtype=int)
    return {"units": float(rows["lost_units"].sum()) if len(rows) else 0.0, "days": int(len(rows)),
            "sessions_days": int(basis.get("sessions", 0)), "baseline_days": int(basis.get("baseline", 0))}


def export_frame(priced_fc: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """Every SKU's forecast per period, with its name, category, price and revenue (for downloads)."""
    out = priced_fc.merge(names.rename(columns={"sku": "unique_id"}), on="unique_id", how="left")
    cols = {"unique_id": "sku", "name": "name", "category": "category", "ds": "period_start",
            "yhat": "forecast", "yhat_lo_80": "low_80", "yhat_hi_80": "high_80", "yhat_lo_95": "low_95",
            "yhat_hi_95": "high_95", "model": "model", "price": "price", "revenue": "forecast_revenue"}
    return out[list(cols)].rename(columns=cols)
