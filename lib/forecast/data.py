"""Demand history from the warehouse, in the long format ``forecast`` takes.

``history(wh, as_of)`` -> DataFrame[unique_id, ds, y, price, promo, in_stock, category], one
row per SKU and day it was on sale:

- y: units sold that day on live lines (returns are not negative demand; cancelled lines
  are not sales);
- in_stock: false when the inventory snapshot shows no stock on hand that morning; those
  days are censored demand for the models, never zero demand;
- price: the price on offer that day, known before the day starts: the regular price (the
  average unit price of the last earlier day that sold without a promotion running; the list
  price before the first such day) less the promotion running that day. Never the day's own
  realised price: that exists only on days with a sale, so a model would read the sale off it;
  promo: the deepest promotion discount (%) covering the SKU (by SKU or its category) that day;
- the days a SKU is on sale: its inventory rows where the inventory feed tracks it, else
  every day from its first sale to ``as_of``.

``weekly(daily)`` turns it into Monday-starting weeks, with demand per week estimated from the
in-stock days (units / in-stock days x 7), so a week with a stockout is not read as a slump.
``lost_sales(wh, daily)`` estimates the units lost on stockout days.
``future(wh, daily, h, as_of)`` holds the horizon's price and scheduled promotions.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Date, and_, cast, distinct, func, select

from lib.analytics.sales import line_revenue, live
from lib.warehouse.tables import FEED_TABLES

__all__ = ["history", "daily_sales", "weekly", "lost_sales", "future", "products", "promo_calendar"]

LOST_WINDOW = 14   # days either side of a stockout used for the no-events baseline


def _daily_sales(wh, start: date, end: date) -> pd.DataFrame:
    o = FEED_TABLES["orders"]
    day = cast(o.c.ordered_at, Date).label("ds")
    q = (select(o.c.sku, day, func.sum(o.c.quantity).label("units"), func.sum(line_revenue(o)).label("revenue"),
                func.sum(o.c.quantity * o.c.unit_price).label("gross"))
         .where(live(o), o.c.quantity > 0, o.c.ordered_at >= start, o.c.ordered_at < end + timedelta(days=1))
         .group_by(o.c.sku, day))
    return wh.read_bulk(q)


def daily_sales(wh, start: date, end: date) -> pd.DataFrame:
    """[sku, ds, units, revenue, gross]: live units sold per SKU and day from ``start`` to ``end``."""
    return _daily_sales(wh, start, end)


def _stock(wh, start: date, end: date) -> pd.DataFrame:
    inv = FEED_TABLES["inventory"]
    q = (select(inv.c.sku, inv.c.date.label("ds"), func.sum(inv.c.on_hand).label("on_hand"))
         .where(inv.c.date >= start, inv.c.date <= end).group_by(inv.c.sku, inv.c.date))
    return wh.read_bulk(q)


def products(wh) -> pd.DataFrame:
    """The product master, one row per SKU."""
    return wh.read(select(FEED_TABLES["products"]))


def _promotions(wh) -> pd.DataFrame:
    return wh.read(select(FEED_TABLES["promotions"]))


def promo_calendar(promos: pd.DataFrame, prods: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """[sku, ds, promo]: the deepest discount (%) covering each SKU on each day (rows with a promo only)."""
    if promos.empty or prods.empty or not len(days):
        return pd.DataFrame({"sku": pd.Series(dtype=str), "ds": pd.Series(dtype="datetime64[ns]"),
                             "promo": pd.Series(dtype=float)})
    cat = prods[["sku", "category"]]
    by_sku = promos[promos["sku"].notna()][["sku", "start_date", "end_date", "discount_pct"]]
    by_cat = promos[promos["sku"].isna() & promos["category"].notna()].drop(columns=["sku"]) \
        .merge(cat, on="category")[["sku", "start_date", "end_date", "discount_pct"]]
    rows = pd.concat([by_sku, by_cat], ignore_index=True)
    rows["start_date"] = pd.to_datetime(rows["start_date"]).clip(lower=days[0])
    rows["end_date"] = pd.to_datetime(rows["end_date"]).clip(upper=days[-1])
    rows = rows[rows["start_date"] <= rows["end_date"]]
    lengths = ((rows["end_date"] - rows["start_date"]).dt.days + 1).to_numpy()
    rep = rows.loc[rows.index.repeat(lengths)]
    offs = np.concatenate([np.arange(k) for k in lengths]) if len(lengths) else np.zeros(0, int)
    out = pd.DataFrame({"sku": rep["sku"].to_numpy(),
                        "ds": rep["start_date"].to_numpy() + pd.to_timedelta(offs, unit="D"),
                        "promo": rep["discount_pct"].to_numpy(dtype=float)})
    return out.groupby(["sku", "ds"], as_index=False)["promo"].max()


def history(wh, as_of: date, days: int = 730) -> pd.DataFrame:
    """Daily demand per SKU for the ``days`` days ending at ``as_of`` (see the module docstring)."""
    start = as_of - timedelta(days=days - 1)
    sales = _daily_sales(wh, start, as_of)
    stock = _stock(wh, start, as_of)
    prods = products(wh)
    cols = ["unique_id", "ds", "y", "price", "promo", "in_stock", "category"]
    if sales.empty and stock.empty:
        return pd.DataFrame({c: [] for c in cols})
    for f in (sales, stock):
        f["ds"] = pd.to_datetime(f["ds"])
    tracked = stock.assign(in_stock=stock["on_hand"] > 0)[["sku", "ds", "in_stock"]]
    untracked = sales[~sales["sku"].isin(stock["sku"].unique())]
    if len(untracked):
        first = untracked.groupby("sku")["ds"].min()
        spans = [pd.DataFrame({"sku": s, "ds": pd.date_range(d, pd.Timestamp(as_of))}) for s, d in first.items()]
        tracked = pd.concat([tracked, pd.concat(spans).assign(in_stock=True)], ignore_index=True)
    g = tracked.merge(sales, on=["sku", "ds"], how="left")
    g["units"] = g["units"].fillna(0.0).astype(float)
    g = g.merge(prods[["sku", "category", "price"]].rename(columns={"price": "list_price"}), on="sku", how="left")
    days_ix = pd.date_range(start, as_of)
    promo = promo_calendar(_promotions(wh), prods, days_ix)
    g = g.merge(promo, on=["sku", "ds"], how="left")
    g["promo"] = g["promo"].fillna(0.0)
    g = g.sort_values(["sku", "ds"], ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        regular_today = (g["gross"] / g["units"]).where((g["units"] > 0) & (g["promo"] == 0))
    regular = regular_today.groupby(g["sku"]).transform(lambda s: s.shift(1).ffill())
    g["price"] = regular.fillna(g["list_price"]) * (1 - g["promo"] / 100)
    g["category"] = g["category"].fillna("(no category)")
    out = g.rename(columns={"sku": "unique_id", "units": "y"})[cols]
    return out.sort_values(["unique_id", "ds"], ignore_index=True)


def weekly(daily: pd.DataFrame) -> pd.DataFrame:
    """Monday-starting weeks; demand = units on in-stock days / in-stock days x 7 (NaN: no such day).

    Only whole weeks are kept, so the last week is not read as a slump."""
    d = daily.copy()
    d["ds"] = pd.to_datetime(d["ds"])
    d["week"] = d["ds"] - pd.to_timedelta(d["ds"].dt.day_of_week, unit="D")
    d["ok_units"] = d["y"].where(d["in_stock"])
    g = d.groupby(["unique_id", "week"], as_index=False).agg(
        units=("ok_units", "sum"), ok_days=("in_stock", "sum"), days=("ds", "size"),
        price=("price", "mean"), promo=("promo", "mean"), category=("category", "first"))
    last_day = d["ds"].max()
    g = g[g["week"] + pd.Timedelta(days=6) <= last_day]
    with np.errstate(invalid="ignore", divide="ignore"):
        g["y"] = np.where(g["ok_days"] > 0, g["units"] / g["ok_days"].clip(lower=1) * 7, np.nan)
    g["in_stock"] = g["ok_days"] > 0
    return g.rename(columns={"week": "ds"})[["unique_id", "ds", "y", "price", "promo", "in_stock", "category"]]


def _view_sessions(wh, skus, start: date, end: date) -> pd.DataFrame:
    e = FEED_TABLES["events"]
    day = cast(e.c.event_at, Date).label("ds")
    q = (select(e.c.sku, day, func.count(distinct(e.c.session_key)).label("sessions"))
         .where(and_(e.c.event == "view_item", e.c.sku.in_(list(skus)),
                     e.c.event_at >= start, e.c.event_at < end + timedelta(days=1)))
         .group_by(e.c.sku, day))
    return wh.read(q)


def lost_sales(wh, daily: pd.DataFrame) -> pd.DataFrame:
    """[unique_id, ds, sessions, lost_units, basis] for every stockout day.

    basis "sessions": the SKU's product-page sessions that day x its units per product-page
    session on in-stock days (when the events feed has such sessions for it); basis
    "baseline": the mean units of its in-stock days within 14 days either side."""
    out_days = daily[~daily["in_stock"].astype(bool)][["unique_id", "ds"]].copy()
    cols = ["unique_id", "ds", "sessions", "lost_units", "basis"]
    if out_days.empty:
        return pd.DataFrame({c: [] for c in cols})
    out_days["ds"] = pd.to_datetime(out_days["ds"])
    skus = out_days["unique_id"].unique()
    span = pd.to_datetime(daily["ds"])
    views = _view_sessions(wh, skus, span.min().date(), span.max().date())
    d = daily[daily["unique_id"].isin(skus)].copy()
    d["ds"] = pd.to_datetime(d["ds"])
    if len(views):
        views["ds"] = pd.to_datetime(views["ds"])
        d = d.merge(views.rename(columns={"sku": "unique_id"}), on=["unique_id", "ds"], how="left")
    else:
        d["sessions"] = np.nan
    d["sessions"] = d["sessions"].fillna(0.0)
    ok = d[d["in_stock"].astype(bool)]
    rate = ok.groupby("unique_id")["y"].sum() / ok.groupby("unique_id")["sessions"].sum().replace(0, np.nan)
    d = d.sort_values(["unique_id", "ds"])
    ok_units = d["y"].where(d["in_stock"].astype(bool))
    roll = ok_units.groupby(d["unique_id"]).transform(
        lambda s: s.rolling(2 * LOST_WINDOW + 1, center=True, min_periods=1).mean())
    d["baseline"] = roll
    res = out_days.merge(d[["unique_id", "ds", "sessions", "baseline"]], on=["unique_id", "ds"], how="left")
    r = res["unique_id"].map(rate)
    use_sessions = r.notna() & (res["sessions"] > 0)
    res["lost_units"] = np.where(use_sessions, res["sessions"] * r, res["baseline"].fillna(0.0))
    res["basis"] = np.where(use_sessions, "sessions", "baseline")
    return res[cols].reset_index(drop=True)


def future(wh, daily: pd.DataFrame, h: int, as_of: date, freq: str = "D") -> pd.DataFrame:
    """[unique_id, ds, price, promo] for the horizon: today's list price and scheduled promotions."""
    prods = products(wh)
    days = pd.date_range(as_of + timedelta(days=1), periods=h * (7 if freq.startswith("W") else 1))
    ids = pd.Series(daily["unique_id"].unique(), name="unique_id")
    grid = ids.to_frame().merge(pd.DataFrame({"ds": days}), how="cross")
    grid = grid.merge(prods[["sku", "price"]].rename(columns={"sku": "unique_id"}), on="unique_id", how="left")
    promo = promo_calendar(_promotions(wh), prods, days).rename(columns={"sku": "unique_id"})
    grid = grid.merge(promo, on=["unique_id", "ds"], how="left")
    grid["promo"] = grid["promo"].fillna(0.0)
    grid["price"] = grid["price"] * (1 - grid["promo"] / 100)
    if freq.startswith("W"):
        grid["ds"] = grid["ds"] - pd.to_timedelta(grid["ds"].dt.day_of_week, unit="D")
        grid = grid.groupby(["unique_id", "ds"], as_index=False)[["price", "promo"]].mean()
    return grid
