"""Forecasts by week past 13 weeks and by month, consistent with the store's daily run.

The daily run (lib/forecast/store.py) covers the next ``store.HORIZON`` = 91 days. Longer views come
from a second shared run per grain, on weekly or monthly totals:

    r = reconciled(wh, as_of, "month")            # the daily run + a monthly run, reconciled
    r.forecast("sku", "month", 12, only="KIT-0012")
    r.daily_demand(6)                             # days of the next 6 months (Replenishment)
    monthly_only(daily)                           # a store whose history is one line per SKU and month
    month_store_run(wh, as_of)                    # such a store's own run, by month

The rule (one forecast per SKU whatever the grain, wherever the daily run reaches):

- a period (a 7-day block from the first forecast day, or a calendar month; the first month is the
  rest of the current one, from the first forecast day) is the sum of the daily forecast over the
  days of it the daily run covers;
- the days past the daily run take the long run's forecast for their period, scaled per SKU by
  ``factor`` = (daily forecast summed over the whole periods the daily run covers) / (the long run's
  forecast of those same periods), times the share of the period's days not covered (a month that
  straddles day 91 is its covered days' daily sum + the scaled monthly forecast of its other days).
  So the long run gives the shape (trend, season) and the daily run the level where both forecast.
  A SKU whose long-run forecast of the overlap is 0 carries the daily run's mean day forward.
- bands, backtests and accuracy of a long view are the long run's own (calibrated on monthly or
  weekly errors); weeks 1-13 keep the daily run's weekly bands, so they do not change with h.
- the long runs' histories: 7-day blocks ending at the last day of data (the daily run's weeks), or
  complete calendar months (the history window's first month only when it starts on the 1st); stockout
  days are filled at the period's in-stock daily rate and a SKU's launch period counts whole at that
  rate (as ``data.weekly`` does), so neither a stockout nor a launch is read as a slump.

A store whose every sale falls on one day of the month (one order line per SKU and month, e.g. on
the 1st) has no daily pattern to forecast: ``monthly_only`` detects it and ``month_store_run``
forecasts it by month from its monthly totals (no daily run at all). The runs are memoised in
store's thread-safe memo, on the data version, like the daily run.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lib.forecast import data, engine, store, views

__all__ = ["DAILY_WEEKS", "MonthlyOnly", "run_for", "sku_periods", "month_demand", "WEEK_HORIZON", "MONTH_HORIZON", "MONTHLY_HISTORY_MONTHS", "MIN_MONTHS", "monthly_only", "store_is_monthly",
           "month_history", "week_history", "build_long", "long_run", "month_store_run", "reconciled", "Reconciled",
           "spread_months"]

WEEK_HORIZON = 104          # weeks: two years, the longest weekly view
MONTH_HORIZON = 24          # months: the longest monthly view
MONTHLY_HISTORY_MONTHS = 120   # a monthly-only store reads up to ten years of months
MIN_MONTHS = 3              # months with sales before a store's one-day-a-month pattern counts as monthly
Z = {80: 1.2815515655446004, 95: 1.959963984540054}


# -- detection and histories ----------------------------------------------------------------------------
def monthly_only(daily: pd.DataFrame) -> bool:
    """True when the history is monthly totals: every SKU sells on at most one day of each month, all the
    store's sales fall on one day of the month (the same day number, or every month's last day), over at
    least ``MIN_MONTHS`` months. A slow seller of a daily store may sell once a month, but not every SKU
    always on the same day of the month: that is how monthly records are dated, not how demand arrives."""
    if daily.empty:
        return False
    sold = daily[pd.to_numeric(daily["y"], errors="coerce").fillna(0) > 0]
    if sold.empty:
        return False
    ds = pd.to_datetime(sold["ds"])
    month = ds.dt.to_period("M")
    if month.nunique() < MIN_MONTHS:
        return False
    if pd.DataFrame({"u": sold["unique_id"].to_numpy(), "m": month.to_numpy()}).duplicated().any():
        return False
    return bool(ds.dt.day.nunique() == 1 or ds.dt.is_month_end.all())


def store_is_monthly(wh, as_of: date, days: int = store.HISTORY_DAYS) -> bool:
    """``monthly_only`` on the store's order lines of the last ``days`` days (the sales themselves, whatever
    the inventory feed tracks)."""
    sales = data.daily_sales(wh, as_of - timedelta(days=days - 1), as_of)
    return monthly_only(sales.rename(columns={"sku": "unique_id", "units": "y"}))


def _filled(d: pd.DataFrame, period: pd.Series, length: pd.Series) -> pd.DataFrame:
    """[unique_id, ds, y, category] per SKU and period: the units sold on its in-stock days / those days x the
    period's ``length`` in days, so a stockout is filled at the period's in-stock rate and a SKU's first
    (launch) period counts as a whole one, as ``data.weekly`` does (y NaN: no in-stock day)."""
    ok = d["in_stock"].astype(bool) if "in_stock" in d else pd.Series(True, index=d.index)
    cat = d["category"] if "category" in d else pd.Series("(no category)", index=d.index)
    g = pd.DataFrame({"unique_id": d["unique_id"].astype(str).to_numpy(), "ds": period.to_numpy(),
                      "units": pd.to_numeric(d["y"], errors="coerce").where(ok).to_numpy(dtype=float),
                      "ok": ok.to_numpy(), "length": np.asarray(length, dtype=float), "category": cat.to_numpy()})
    g = g.groupby(["unique_id", "ds"], as_index=False).agg(units=("units", "sum"), ok=("ok", "sum"),
                                                           length=("length", "first"), category=("category", "first"))
    with np.errstate(invalid="ignore", divide="ignore"):
        g["y"] = np.where(g["ok"] > 0, g["units"] / g["ok"].clip(lower=1) * g["length"], np.nan)
    return g[["unique_id", "ds", "y", "category"]].sort_values(["unique_id", "ds"], ignore_index=True)


def month_history(daily: pd.DataFrame, through: pd.Timestamp) -> pd.DataFrame:
    """Calendar months of the daily history up to the month starting ``through`` (inclusive):
    [unique_id, ds (the 1st), y, category]. The history window's first month is dropped unless the window
    starts on its 1st (730 days back rarely do: a month of a few days would read as a slump for every SKU)."""
    d = daily.copy()
    d["ds"] = pd.to_datetime(d["ds"])
    d = d[d["ds"] < pd.Timestamp(through) + pd.offsets.MonthBegin(1)]
    if len(d) and d["ds"].min().day != 1:
        d = d[d["ds"] >= d["ds"].min() + pd.offsets.MonthBegin(1)]
    month = d["ds"].dt.to_period("M").dt.start_time
    return _filled(d, month, d["ds"].dt.days_in_month)


def week_history(daily: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """7-day blocks ending at ``as_of`` (the daily run's weeks; an incomplete oldest block is dropped):
    [unique_id, ds (the block's first day), y, category]."""
    d = daily.copy()
    d["ds"] = pd.to_datetime(d["ds"])
    back = (pd.Timestamp(as_of) - d["ds"]).dt.days                # 0 on the last day
    whole = (int(back.max()) + 1) // 7 if len(d) else 0
    block = back // 7
    d, block = d[block < whole], block[block < whole]
    return _filled(d, pd.Timestamp(as_of) - pd.to_timedelta(block * 7 + 6, unit="D"), pd.Series(7, index=d.index))


def monthly_store_history(wh, as_of: date) -> pd.DataFrame:
    """A monthly-only store's months: the units sold per SKU and calendar month, over up to
    ``MONTHLY_HISTORY_MONTHS`` months ending with the month of ``as_of``; a month without a line between
    a SKU's first month and the last month is 0 (nothing sold), so an intermittent SKU is not ended."""
    last = pd.Timestamp(as_of).to_period("M").start_time
    start = last - pd.DateOffset(months=MONTHLY_HISTORY_MONTHS - 1)
    sales = data.daily_sales(wh, start.date(), as_of)
    cols = ["unique_id", "ds", "y", "category"]
    if sales.empty:
        return pd.DataFrame({c: [] for c in cols})
    sales["ds"] = pd.to_datetime(sales["ds"]).dt.to_period("M").dt.start_time
    g = sales.groupby(["sku", "ds"], as_index=False)["units"].sum()
    first = g.groupby("sku")["ds"].min()
    grid = pd.concat([pd.DataFrame({"sku": s, "ds": pd.date_range(f, last, freq="MS")}) for s, f in first.items()])
    g = grid.merge(g, on=["sku", "ds"], how="left").fillna({"units": 0.0})
    prods = data.products(wh)[["sku", "category"]].drop_duplicates("sku")
    g = g.merge(prods, on="sku", how="left").fillna({"category": "(no category)"})
    return g.rename(columns={"sku": "unique_id", "units": "y"})[cols].sort_values(["unique_id", "ds"],
                                                                                   ignore_index=True)


# -- the shared runs ------------------------------------------------------------------------------------
def _first_month(as_of: date) -> pd.Timestamp:
    """The calendar month of the first forecast day."""
    return (pd.Timestamp(as_of) + pd.Timedelta(days=1)).to_period("M").start_time


def long_run(wh, as_of: date, grain: str, model="auto", progress=None) -> store.StoreRun:
    """The shared weekly (104 weeks ahead) or monthly (24 months ahead, from the month of the first
    forecast day) run of every SKU of a daily store, on the totals of the daily history."""
    if grain not in ("week", "month"):
        raise ValueError(f"A long run is by week or by month (got {grain!r}).")
    engine.resolve_models(model)
    key = ("long", grain, wh.label, wh.data_version(), as_of, repr(model))

    def make(tick):
        return build_long(store.daily_history(wh, as_of), as_of, grain, model, data.products(wh), tick)
    return store._memo(store._RUNS, key, make, progress=progress)


def build_long(daily: pd.DataFrame, as_of: date, grain: str, model="auto", products: pd.DataFrame | None = None,
               progress=None) -> store.StoreRun:
    """The long run of ``grain`` on a daily history (what ``long_run`` memoises)."""
    if grain == "week":
        hist, h, freq = week_history(daily, as_of), WEEK_HORIZON, "W"
    else:
        hist = month_history(daily, _first_month(as_of) - pd.DateOffset(months=1))
        h, freq = MONTH_HORIZON, "MS"
    if hist.empty:
        unit = "7-day block" if grain == "week" else "calendar month"
        raise ValueError(f"There is no complete {unit} of sales history yet: a forecast by {grain} needs one. "
                         "Forecast by day meanwhile.")
    r = engine.run(hist, h, freq, store.N_WINDOWS, model, None, progress=progress)
    prods = products if products is not None else pd.DataFrame({"sku": pd.Series(dtype=str)})
    return store.StoreRun(as_of=as_of, model=model, daily=hist, future=_no_future(), run=r, products=prods,
                          period=grain)


def _no_future() -> pd.DataFrame:
    return pd.DataFrame({"unique_id": pd.Series(dtype=str), "ds": pd.Series(dtype="datetime64[ns]"),
                         "price": pd.Series(dtype=float), "promo": pd.Series(dtype=float)})


def month_store_run(wh, as_of: date, model="auto", progress=None) -> store.StoreRun:
    """The run of a monthly-only store: every SKU by month from its monthly totals, 24 months ahead from
    the month after the month of ``as_of`` (that month's line is its total). ``daily`` holds the months with
    each SKU's list price."""
    engine.resolve_models(model)
    key = ("month-store", wh.label, wh.data_version(), as_of, repr(model))

    def make(tick):
        hist = monthly_store_history(wh, as_of)
        if hist.empty:
            raise ValueError("There is no sales history to forecast: load the orders feed first.")
        r = engine.run(hist, MONTH_HORIZON, "MS", store.N_WINDOWS, model, None, progress=tick)
        prods = data.products(wh)
        price = prods.drop_duplicates("sku").set_index("sku")["price"] if "price" in prods else pd.Series(dtype=float)
        return store.StoreRun(as_of=as_of, model=model, daily=hist.assign(price=hist["unique_id"].map(price)),
                              future=_no_future(), run=r, products=prods, period="month")
    return store._memo(store._RUNS, key, make, progress=progress)


def reconciled(wh, as_of: date, grain: str, model="auto", progress=None) -> Reconciled:
    """The daily run and the long run of ``grain``, reconciled (see the module docstring)."""
    daily = store.store_run(wh, as_of, model, progress=progress)
    long = long_run(wh, as_of, grain, model, progress=progress)
    key = ("reconciled", grain, wh.label, wh.data_version(), as_of, repr(model))
    return store._memo(store._RUNS, key, lambda _tick: Reconciled(daily, long, grain))


DAILY_WEEKS = store.HORIZON // 7        # weeks the daily run alone covers


class MonthlyOnly(ValueError):
    """A day or week view asked of a store whose history is one line per SKU and month."""

    def __init__(self, grain: str):
        super().__init__(f"This store's sales history is monthly: each SKU's sales are recorded on one day of "
                         f"each month (one order line per SKU and month), so there is no {grain}-by-{grain} "
                         "pattern to read, and a forecast by day or week would only spread months out. It is "
                         "forecast by month: pick Month.")
        self.grain = grain


def run_for(wh, as_of: date, grain: str, h: int, monthly: bool, model="auto", progress=None):
    """The run a view of ``h`` periods by ``grain`` reads: the daily run for days and its 13 weeks; the daily
    run reconciled with a weekly or monthly run past that; a monthly-only store's (``monthly``) monthly run
    (MonthlyOnly for days or weeks there)."""
    if grain not in store.GRAINS:
        raise ValueError(f"Unknown grain {grain!r}: choose day, week or month.")
    if monthly:
        if grain != "month":
            raise MonthlyOnly(grain)
        return month_store_run(wh, as_of, model, progress)
    if grain == "day" or (grain == "week" and h <= DAILY_WEEKS):
        return store.store_run(wh, as_of, model, progress=progress)
    return reconciled(wh, as_of, grain, model, progress)


def sku_periods(r, grain: str, h: int, model: str = "auto") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every SKU's forecast per period with ``price`` and ``revenue``, every SKU's forecast as shown) of a run
    from ``run_for``: days and the daily run's weeks priced day by day (display.by_period); longer periods
    price their days inside the daily run the same way and their other units at the SKU's last price."""
    from lib.forecast import display

    if isinstance(r, store.StoreRun) and r.period == "day":
        days = r.forecast("sku", "day", h * (7 if grain == "week" else 1), model=model)
        weeks = r.forecast("sku", grain, h, model=model) if grain == "week" else None
        return display.by_period(display.priced(days, r.future, r.daily), weeks, grain), days
    every = r.forecast("sku", grain, h, model=model)
    covered = 0 if isinstance(r, store.StoreRun) else int(r.periods()["covered"].iloc[:h].sum())
    days = r.daily_run.forecast("sku", "day", covered, model=model) if covered else every.iloc[0:0]
    return display.by_long_period(every, display.priced(days, r.future, r.daily), r.daily), every


def month_demand(r, months: int, model: str = "auto") -> pd.DataFrame:
    """Every SKU's demand per day over the next ``months`` months of a month run from ``run_for`` (its days add
    up to each month's forecast): what Replenishment plans with at the month grain."""
    if isinstance(r, store.StoreRun):
        return spread_months(r.forecast("sku", "month", months, model=model), r.as_of)
    return r.daily_demand(months, model)


# -- reconciliation ----------------------------------------------------------------------------------------
def _periods(as_of: date, grain: str, n: int, covered_days: int) -> pd.DataFrame:
    """[start, days, calendar (days of the whole week or month), covered (days inside the daily run)]."""
    first = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    if grain == "week":
        start = pd.DatetimeIndex([first + pd.Timedelta(days=7 * j) for j in range(n)])
        days = cal = np.full(n, 7)
    else:
        months = pd.date_range(_first_month(as_of), periods=n, freq="MS")
        start = pd.DatetimeIndex([first, *months[1:]])
        cal = np.asarray(months.days_in_month)
        days = np.asarray(((months + pd.offsets.MonthBegin(1)) - start).days)
    offset = np.asarray((start - first).days)
    covered = np.clip(covered_days - offset, 0, days)
    return pd.DataFrame({"start": start, "days": days, "calendar": cal, "covered": covered, "offset": offset})


@dataclass(eq=False)
class Reconciled:
    """The daily run and a long run (week or month) read as one forecast; the StoreRun reading interface."""

    daily_run: store.StoreRun
    long: store.StoreRun
    grain: str
    _memo: dict = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def as_of(self) -> date:
        return self.daily_run.as_of

    @property
    def daily(self) -> pd.DataFrame:
        return self.daily_run.daily

    @property
    def future(self) -> pd.DataFrame:
        return self.daily_run.future

    @property
    def models(self) -> list[str]:
        return self.daily_run.models

    def status(self) -> pd.DataFrame:
        return self.daily_run.status()

    @property
    def horizon(self) -> int:
        return self.long.run.h

    def periods(self) -> pd.DataFrame:
        return _periods(self.as_of, self.grain, self.horizon, self.daily_run.run.h)

    def _check(self, grain: str, h: int | None) -> int:
        if grain != self.grain:
            raise ValueError(f"This forecast is by {self.grain}: it cannot be shown by {grain}.")
        h = self.horizon if h is None else int(h)
        if not 1 <= h <= self.horizon:
            raise ValueError(f"The horizon must be 1 to {self.horizon} {store.UNITS[grain]} (got {h}).")
        return h

    def parts(self, model: str = "auto") -> dict[str, np.ndarray]:
        """Per daily-run SKU (n, H): ``covered`` (the daily forecast summed over the period's days in the
        daily run), ``rest`` (the scaled long forecast of its other days), ``yhat`` = covered + rest, and
        ``factor`` (n,) (NaN where the daily mean day is carried forward)."""
        def make():
            p = self.periods()
            D = self.daily_run._sku_yhat(model)                          # (n, 91), 0 when not on sale
            n, H = D.shape[0], len(p)
            cum = np.concatenate([np.zeros((n, 1)), np.cumsum(D, axis=1)], axis=1)
            a, b = p["offset"].clip(upper=D.shape[1]).to_numpy(), (p["offset"] + p["covered"]).to_numpy()
            covered = cum[:, np.minimum(b, D.shape[1])] - cum[:, np.minimum(a, D.shape[1])]
            long_ids = pd.Index(self.long.run.panel.ids)
            rows = long_ids.get_indexer(self.daily_run.run.panel.ids)
            L = self.long._sku_yhat(self.long._check(model))[:, :H]
            Lp = np.where(rows[:, None] >= 0, L[np.maximum(rows, 0)], np.nan)
            whole = ((p["covered"] == p["days"]) & (p["days"] == p["calendar"])).to_numpy()
            num, den = covered[:, whole].sum(axis=1), np.nansum(Lp[:, whole], axis=1)
            ok = (den > 1e-9) & (rows >= 0)
            factor = np.where(ok, num / np.where(ok, den, 1.0), np.nan)
            unc = (p["days"] - p["covered"]).to_numpy()
            share = unc / p["calendar"].to_numpy()
            mean_day = D.sum(axis=1) / D.shape[1]
            rest = np.where(ok[:, None], factor[:, None] * np.nan_to_num(Lp) * share, mean_day[:, None] * unc)
            rest = np.maximum(rest, 0.0)
            on = self.daily_run._stat()["on_sale"].to_numpy()[:, None]
            return {"covered": covered, "rest": np.where(on, rest, 0.0), "yhat": np.where(on, covered + rest, 0.0),
                    "factor": factor}
        with self._lock:
            if ("parts", model) not in self._memo:
                self._memo[("parts", model)] = make()
            return self._memo[("parts", model)]

    def forecast(self, level: str, grain: str, h: int | None = None, *, only: str | None = None,
                 model: str = "auto") -> pd.DataFrame:
        """[unique_id, ds, yhat, bands, model] of the first h periods (ds = the period's first day)."""
        h = self._check(grain, h)
        model = self.daily_run._check(model)
        dv = self.daily_run.view(level, "day")
        rows = self.daily_run._rows(dv, only)
        part = self.parts(model)
        yhat = views._sum_by(part["yhat"], dv.members, len(dv.keys))[:, :h]
        lv_ = self.long.view(level, grain)
        lrow = pd.Index(lv_.keys).get_indexer(dv.keys)
        ly = np.zeros((len(lv_.keys), h))
        ly[lrow[lrow >= 0]] = yhat[lrow >= 0]
        lb = lv_.bands(self.long._check(model), np.pad(ly, ((0, 0), (0, lv_.future_dates.size - h)))) \
            if lv_.cutoffs else None
        p = self.periods().iloc[:h]
        G = len(rows)
        out = pd.DataFrame({"unique_id": np.repeat(dv.keys[rows], h), "ds": np.tile(p["start"].to_numpy(), G),
                            "yhat": yhat[rows].reshape(-1)})
        off = np.zeros(G, dtype=bool) if level != "sku" else ~self.daily_run._stat()["on_sale"].to_numpy()[rows]
        for b in views.BANDS:
            for i, s in enumerate(("lo", "hi")):
                band = np.full((G, h), np.nan)
                if lb is not None:
                    got = lrow[rows] >= 0
                    band[got] = lb[b][i][lrow[rows][got], :h]
                out[f"yhat_{s}_{b}"] = np.where(off[:, None], 0.0, band).reshape(-1)
        daily_model = self.daily_run.forecast(level, "day", 1, only=only, model=model)["model"].to_numpy()
        long_model = self._long_models(level, model, dv.keys[rows])
        in_daily = (p["covered"] > 0).to_numpy()
        out["model"] = np.where(np.tile(in_daily, G), np.repeat(daily_model, h), np.repeat(long_model, h))
        if grain == "week":                      # weeks in the daily run keep its weekly bands
            weeks = int(min(h, self.daily_run.run.h // 7))
            first = self.daily_run.forecast(level, "week", weeks, only=only, model=model)
            cols = [f"yhat_{s}_{b}" for b in views.BANDS for s in ("lo", "hi")]
            mask = np.tile(np.arange(h) < weeks, G)
            out.loc[mask, cols] = first[cols].to_numpy()
        return out

    def _long_models(self, level: str, model: str, keys: np.ndarray) -> np.ndarray:
        """The model behind each series' periods past the daily run (per SKU: the long run's choice)."""
        if level != "sku":
            return np.full(len(keys), model, dtype=object)
        st_d = self.daily_run._stat().set_index("unique_id")
        if model == "auto":
            st_l = self.long._stat().set_index("unique_id")["model"]
            chosen = pd.Series(keys).map(st_l).fillna(pd.Series(keys).map(st_d["model"]))
        else:
            chosen = pd.Series(model, index=range(len(keys)), dtype=object)
        off = ~pd.Series(keys).map(st_d["on_sale"]).fillna(True).astype(bool)
        return np.where(off, store.NOT_ON_SALE, chosen.to_numpy(dtype=object))

    def sku_forecast(self, grain: str | None = None, h: int | None = None, model: str = "auto") -> pd.DataFrame:
        return self.forecast("sku", grain or self.grain, h, model=model)

    def backtest(self, level, grain, h=None, *, only=None, model="auto") -> pd.DataFrame:
        self._check(grain, h)
        return self.long.backtest(level, grain, h, only=only, model=model)

    def accuracy(self, level, grain, h=None, *, only=None) -> pd.DataFrame:
        self._check(grain, h)
        return self.long.accuracy(level, grain, h, only=only)

    def windows(self, grain, h=None) -> tuple[int, int]:
        self._check(grain, h)
        return self.long.windows(grain, h)

    def history(self, level, grain, *, only=None) -> pd.DataFrame:
        """Weeks: the daily run's 7-day blocks of units sold; months: the monthly run's complete months."""
        if grain == "week":
            return self.daily_run.history(level, "week", only=only)
        return self.long.history(level, grain, only=only)

    def recent(self, level, grain, h) -> pd.Series:
        return self.daily_run.recent(level, "week", h) if grain == "week" else self.long.recent(level, grain, h)

    def daily_demand(self, h: int | None = None, model: str = "auto") -> pd.DataFrame:
        """Every SKU's demand per day over the first h periods: the daily run's days, then each period's
        scaled long forecast spread evenly over its days past the daily run, with a daily 80%/95% band that
        splits the period's band variance evenly over its days. Summed over a period it is that period's
        forecast (what Replenishment plans with)."""
        h = self._check(self.grain, h)
        days = self.daily_run.sku_forecast("day", None, model)
        fc = self.forecast("sku", self.grain, h, model=model)
        p = self.periods().iloc[:h]
        fc["rest"] = self.parts(model)["rest"][:, :h].reshape(-1)
        fc["unc"] = np.tile((p["days"] - p["covered"]).to_numpy(), len(fc) // h)
        fc["all_days"] = np.tile(p["days"].to_numpy(), len(fc) // h)
        fc["offset"] = np.tile((p["offset"] + p["covered"]).to_numpy(), len(fc) // h)
        extra = spread(fc[fc["unc"] > 0], self.as_of)
        last = pd.Timestamp(self.as_of) + pd.Timedelta(days=int((p["offset"] + p["days"]).iloc[-1]))
        days = days[pd.to_datetime(days["ds"]) < last]
        return pd.concat([days, extra], ignore_index=True).sort_values(["unique_id", "ds"], ignore_index=True)


def spread(fc: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Period rows [unique_id, ds, rest (units to spread), unc (days to spread them over), all_days (the
    period's days), offset (days from the first forecast day to the first day to spread over), bands,
    model] -> one row per day: rest / unc units a day; the band's variance split evenly over all_days."""
    if fc.empty:
        return pd.DataFrame(columns=["unique_id", "ds", "yhat", *(f"yhat_{s}_{b}" for b in views.BANDS
                                                                  for s in ("lo", "hi")), "model"])
    unc = fc["unc"].to_numpy().astype(int)
    rep = fc.loc[fc.index.repeat(unc)]
    k = np.concatenate([np.arange(u) for u in unc])
    first = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    out = pd.DataFrame({"unique_id": rep["unique_id"].to_numpy(),
                        "ds": first + pd.to_timedelta(rep["offset"].to_numpy() + k, unit="D"),
                        "yhat": (rep["rest"] / rep["unc"]).to_numpy()})
    for b in views.BANDS:
        sd = (rep[f"yhat_hi_{b}"] - rep["yhat"]).clip(lower=0) / Z[b] / np.sqrt(rep["all_days"])
        out[f"yhat_lo_{b}"] = np.maximum(out["yhat"] - Z[b] * sd.to_numpy(), 0.0)
        out[f"yhat_hi_{b}"] = out["yhat"] + Z[b] * sd.to_numpy()
    out["model"] = rep["model"].to_numpy()
    return out


def spread_months(fc: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """A monthly-only store's month forecasts [unique_id, ds (the 1st), yhat, bands, model] as days from the
    first forecast day: each month's forecast spread evenly over its days; the days left in the month of
    ``as_of`` (its line is already its total) take the first forecast month's daily rate."""
    f = fc.copy()
    f["ds"] = pd.to_datetime(f["ds"])
    days = f["ds"].dt.days_in_month.to_numpy()
    first = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    f["unc"], f["all_days"], f["rest"] = days, days, f["yhat"]
    f["offset"] = (f["ds"] - first).dt.days.to_numpy()
    lead = f[f["ds"] == f["ds"].min()].copy()
    gap = int(lead["offset"].iloc[0]) if len(lead) else 0
    if gap > 0:
        lead["rest"] = lead["yhat"] / lead["all_days"] * gap
        lead["unc"], lead["offset"] = gap, 0
        f = pd.concat([lead, f], ignore_index=True)
    return spread(f, as_of).sort_values(["unique_id", "ds"], ignore_index=True)
