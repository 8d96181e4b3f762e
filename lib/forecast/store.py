"""The store's forecast: one daily run of every SKU per data version, read by every planning page.

    run = store_run(wh, as_of)                   # memoised per warehouse, data version, as_of, model
    run.sku_forecast("day", 28)                  # every SKU, the next 28 days (Replenishment, Pricing)
    run.forecast("category", "week", 8, only="Home Decor", model="auto")
    run.backtest("sku", "day", 28, only="KIT-0012")   run.history("store", "week")
    run.accuracy("store", "week", 8)             # per model: WAPE, MASE, bias, coverage

One run, ``HORIZON`` = 91 days ahead (the longest any page needs: Pricing's 13 weeks, the Forecast
page's longest daily view), with a 3-window rolling-origin backtest of every model (engine.run,
``model`` "auto": every model and their per-SKU choice). Every view reads it:

- a shorter daily horizon is the first h days of it; a weekly view sums 7-day blocks from the first
  forecast day (lib/forecast/views.py), so the next 4 weeks are exactly the next 28 days, and a
  category or the store is the sum of its SKUs. Forecast, Replenishment and Pricing get the same
  number for the same SKU and days;
- any single model is read from the same run (``model=`` of the views), since "auto" fits them all;
- bands are calibrated per level and grain on that level's own backtest errors (views.py);
- a SKU that is no longer on sale is forecast 0 (``status``): its history ends before the last day
  of the data (the inventory feed no longer lists it) or the product master marks it inactive. A
  model would otherwise carry its last known level forward (a planter discontinued a year ago came
  out at 27 units a day). A SKU on sale that never sold keeps its models' forecast, which is 0 or
  close to it: with no sale there is nothing else to go on (``status`` says so).

The memo is thread-safe (sessions run in threads, and exports run off them): one lock guards it,
and concurrent callers for the same key wait for a single computation.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from lib.forecast import data, engine, views

__all__ = ["HORIZON", "HISTORY_DAYS", "N_WINDOWS", "GRAINS", "UNITS", "LEVELS", "STORE", "NOT_ON_SALE", "StoreRun",
           "store_run", "daily_history", "clear"]

HORIZON = 91                 # days: Pricing's 13 weeks; the Forecast page's longest daily view
HISTORY_DAYS = 730
N_WINDOWS = 3
GRAINS = ("day", "week", "month")
UNITS = {"day": "days", "week": "weeks", "month": "months"}
LEVELS = ("sku", "category", "store")
STORE = "All products"
NOT_ON_SALE = "not on sale"
MEMO_SIZE = 6          # runs: a data version's daily run, its monthly and weekly runs and their readings

Progress = Callable[[float, str], None]

_LOCK = threading.Lock()
_RUNS: OrderedDict[tuple, StoreRun] = OrderedDict()
_HISTORY: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_BUSY: dict[tuple, threading.Lock] = {}
_PROGRESS: dict[tuple, tuple[float, str]] = {}     # key -> the maker's last (fraction, text)


def _memo(store: OrderedDict, key: tuple, make: Callable[[Progress | None], object], size: int = MEMO_SIZE,
          progress: Progress | None = None):
    """store[key], made once even when several threads ask at the same time.

    ``make(tick)`` computes the value, reporting through ``tick(fraction, text)`` (None when nobody
    asked for progress). A thread that asks while another one makes it waits, and its own ``progress``
    follows the maker's ("another session is making it: ..."), so no waiting page sits silent."""
    with _LOCK:
        if key in store:
            store.move_to_end(key)
            return store[key]
        gate = _BUSY.setdefault(key, threading.Lock())
    if not gate.acquire(blocking=False):
        _wait(gate, key, progress)
    try:
        with _LOCK:
            if key in store:
                return store[key]

        def tick(fraction: float, text: str) -> None:
            _PROGRESS[key] = (fraction, text)
            if progress is not None:
                progress(fraction, text)
        try:
            value = make(tick)
        except BaseException:
            with _LOCK:
                _BUSY.pop(key, None)
                _PROGRESS.pop(key, None)
            raise
        with _LOCK:                 # stored and no longer busy at once: a newcomer never makes it again
            store[key] = value
            while len(store) > size:
                store.popitem(last=False)
            _BUSY.pop(key, None)
            _PROGRESS.pop(key, None)
        return value
    finally:
        gate.release()


def _wait(gate: threading.Lock, key: tuple, progress: Progress | None, every: float = 0.25) -> None:
    """Block until ``gate`` is ours, relaying the maker's progress to ``progress`` as it changes."""
    shown = None
    while not gate.acquire(timeout=every):
        if progress is None:
            continue
        now = _PROGRESS.get(key, (0.0, "starting"))
        if now != shown:
            progress(now[0], f"another session is making it: {now[1]}")
            shown = now


def clear() -> None:
    """Forget every memoised run (tests)."""
    with _LOCK:
        _RUNS.clear()
        _HISTORY.clear()


def daily_history(wh, as_of: date) -> pd.DataFrame:
    """data.history(wh, as_of, HISTORY_DAYS), memoised per warehouse and data version (read-only)."""
    key = ("history", wh.label, wh.data_version(), as_of)
    return _memo(_HISTORY, key, lambda _tick: data.history(wh, as_of, days=HISTORY_DAYS))


def store_run(wh, as_of: date, model="auto", progress: Progress | None = None) -> StoreRun:
    """The shared run for the data in ``wh`` up to ``as_of`` (memoised; ``progress(fraction, text)``
    is called while it is computed, not on a memo hit)."""
    engine.resolve_models(model)                                    # a clear error for an unknown name
    key = ("run", wh.label, wh.data_version(), as_of, repr(model))
    return _memo(_RUNS, key, lambda tick: _compute(wh, as_of, model, tick), progress=progress)


def _compute(wh, as_of: date, model, progress: Progress | None) -> StoreRun:
    hist = daily_history(wh, as_of)
    if hist.empty:
        raise ValueError("There is no sales history to forecast: load the orders feed first.")
    fut = data.future(wh, hist, HORIZON, as_of, "D")
    r = engine.run(hist, HORIZON, "D", N_WINDOWS, model, fut, progress=progress)
    prods = data.products(wh)
    return StoreRun(as_of=as_of, model=model, daily=hist, future=fut, run=r, products=prods)


@dataclass(eq=False)
class StoreRun:
    """One daily run of every SKU and everything the pages read from it (frames are copies)."""

    as_of: date
    model: object
    daily: pd.DataFrame                 # the history [unique_id, ds, y, price, promo, in_stock, category]
    future: pd.DataFrame                # the horizon's [unique_id, ds, price, promo]
    run: engine.Run
    products: pd.DataFrame
    period: str = "day"                 # one period of ``run``: day (views day and week), week or month
    _views: dict = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # -- per SKU ------------------------------------------------------------------------------------------
    @property
    def skus(self) -> np.ndarray:
        return self.run.panel.ids

    @property
    def models(self) -> list[str]:
        """Models the views can show: every candidate, and "auto" when there is a choice."""
        c = list(self.run.candidates)
        return ["auto", *c] if len(c) > 1 else c

    def _cached(self, key, make):
        with self._lock:
            if key not in self._views:
                self._views[key] = make()
            return self._views[key]

    def _stat(self) -> pd.DataFrame:
        return self._cached("status", self._status)

    def status(self) -> pd.DataFrame:
        """Per SKU: on_sale, ended (its days on sale stop before the last day of the data), first_day and
        last_day on sale, first_sale (NaT: never sold), units (sold in the history), days (on sale), active
        (product master; missing when not given), model (the one auto chose, or "not on sale")."""
        return self._stat().copy()

    def _status(self) -> pd.DataFrame:
        p = self.run.panel
        on = ~np.isnan(p.y) | np.asarray(p.censored, dtype=bool)
        last = np.where(on.any(axis=1), p.T - 1 - on[:, ::-1].argmax(axis=1), -1)
        stamps = np.append(p.dates.to_numpy(), np.datetime64("NaT"))
        sold = np.nan_to_num(p.y) > 0
        first_sale = np.where(sold.any(axis=1), sold.argmax(axis=1), p.T)
        active = pd.Series(p.ids).map(self.products.drop_duplicates("sku").set_index("sku")["active"]
                                      if "active" in self.products else pd.Series(dtype=object))
        ended = last < p.T - 1
        off = ended | active.eq(False).to_numpy()
        first = np.where(on.any(axis=1), on.argmax(axis=1), p.T)
        chosen = np.asarray(self.run.candidates, dtype=object)[
            self.run.chosen if len(self.run.candidates) > 1 else np.zeros(p.n, dtype=int)]
        return pd.DataFrame({"unique_id": p.ids, "on_sale": ~off, "ended": ended, "first_day": stamps[first],
                             "last_day": stamps[last], "first_sale": stamps[first_sale],
                             "units": np.nansum(p.y, axis=1), "days": on.sum(axis=1), "active": active.to_numpy(),
                             "model": np.where(off, NOT_ON_SALE, chosen)})

    def _sku_yhat(self, model: str) -> np.ndarray:
        """(n, HORIZON) daily point forecasts of ``model``; 0 for SKUs no longer on sale."""
        def make():
            r = self.run
            if model == "auto" and len(r.candidates) > 1:
                yhat = np.take_along_axis(np.stack([r.final[c] for c in r.candidates], axis=1),
                                          r.chosen[:, None, None], axis=1)[:, 0]
            else:
                yhat = r.final[self._check(model)]
            return np.where(self._stat()["on_sale"].to_numpy()[:, None], yhat, 0.0)
        return self._cached(("yhat", model), make)

    def _check(self, model: str) -> str:
        """The model's name in this run ("auto" is the only model of a single-model run)."""
        if model == "auto" and len(self.run.candidates) == 1:
            return self.run.candidates[0]
        if model not in self.models:
            raise ValueError(f"Unknown forecasting model {model!r}: choose one of {', '.join(self.models)}.")
        return model

    def _backtest_preds(self) -> dict[str, np.ndarray]:
        """model -> (W, n, L) backtest forecasts; "auto" = per window, the choice made on the other windows."""
        def make():
            r = self.run
            out = {c: r.preds[c] for c in r.candidates}
            W = len(r.cutoffs)
            if len(r.candidates) > 1 and W:
                stack = np.stack([r.preds[c] for c in r.candidates], axis=2)       # (W, n, C, L)
                picks = [r.pick(exclude=w) if W > 1 else r.chosen for w in range(W)]
                out["auto"] = np.stack([np.take_along_axis(stack[w], picks[w][:, None, None], axis=1)[:, 0]
                                        for w in range(W)])
            return out
        return self._cached("preds", make)

    # -- views ----------------------------------------------------------------------------------------------
    @property
    def grains(self) -> tuple[str, ...]:
        """The grains this run can show: a daily run days and weeks (7-day sums), another run its own."""
        return ("day", "week") if self.period == "day" else (self.period,)

    def _step(self, grain: str) -> int | None:
        """Run periods per period shown (None: a daily run's own rule, views.STEPS)."""
        if grain not in GRAINS:
            raise ValueError(f"Unknown grain {grain!r}: choose day, week or month.")
        if grain not in self.grains:
            raise ValueError(f"This forecast is made by {self.period}: it cannot be shown by {grain}.")
        return None if self.period == "day" else 1

    def view(self, level: str, grain: str) -> views.View:
        if level not in LEVELS:
            raise ValueError(f"Unknown level {level!r}: choose sku, category or store.")
        step = self._step(grain)

        def make():
            p = self.run.panel
            if level == "sku":
                labels = p.ids
            elif level == "store":
                labels = np.full(p.n, STORE, dtype=object)
            else:
                labels = np.asarray(p.groups.get("category", np.full(p.n, "(no category)")), dtype=object)
            return views.build(self.run, level, grain, labels, self._backtest_preds(), step=step)
        return self._cached(("view", level, grain), make)

    def _horizon(self, grain: str, h: int | None) -> int:
        step = self._step(grain)
        most = self.run.h // (views.STEPS[grain] if step is None else step)
        h = most if h is None else int(h)
        if not 1 <= h <= most:
            raise ValueError(f"The horizon must be 1 to {most} {UNITS[grain]} (got {h}).")
        return h

    def _rows(self, v: views.View, only: str | None) -> np.ndarray:
        if only is None:
            return np.arange(len(v.keys))
        rows = np.flatnonzero(v.keys == str(only))
        if not len(rows):
            raise ValueError(f"Nothing to forecast for {only!r} at the {v.level} level.")
        return rows

    def forecast(self, level: str, grain: str, h: int | None = None, *, only: str | None = None,
                 model: str = "auto") -> pd.DataFrame:
        """[unique_id, ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95, model] for the first h
        periods; ds = the period's first day."""
        h = self._horizon(grain, h)
        v = self.view(level, grain)
        model = self._check(model)

        def make():
            yhat = views._blocks(views._sum_by(self._sku_yhat(model), v.members, len(v.keys)),
                                 v.step_days)
            return yhat, v.bands(model, yhat)
        yhat, bands = self._cached(("fc", level, grain, model), make)
        rows = self._rows(v, only)
        G = len(rows)
        out = pd.DataFrame({"unique_id": np.repeat(v.keys[rows], h),
                            "ds": np.tile(v.future_dates[:h].to_numpy(), G),
                            "yhat": yhat[rows, :h].reshape(-1)})
        off = np.zeros(G, dtype=bool) if level != "sku" else ~self._stat()["on_sale"].to_numpy()[rows]
        for lv in views.BANDS:                                  # a SKU no longer on sale: 0, no band
            out[f"yhat_lo_{lv}"] = np.where(off[:, None], 0.0, bands[lv][0][rows, :h]).reshape(-1)
            out[f"yhat_hi_{lv}"] = np.where(off[:, None], 0.0, bands[lv][1][rows, :h]).reshape(-1)
        if level == "sku" and model == "auto":
            chosen = self._stat()["model"].to_numpy()
            out["model"] = np.repeat(chosen[rows], h)
        elif level == "sku":
            on = self._stat()["on_sale"].to_numpy()
            out["model"] = np.repeat(np.where(on[rows], model, NOT_ON_SALE), h)
        else:
            out["model"] = model
        return out

    def sku_forecast(self, grain: str = "day", h: int | None = None, model: str = "auto") -> pd.DataFrame:
        """Every SKU's forecast (what Replenishment and Pricing read)."""
        return self.forecast("sku", grain, h, model=model)

    def backtest(self, level: str, grain: str, h: int | None = None, *, only: str | None = None,
                 model: str = "auto") -> pd.DataFrame:
        """[unique_id, ds, cutoff, model, y, yhat, bands] of the first h periods of each window, from each
        series' first sale on, where an actual was observed."""
        h = self._horizon(grain, h)
        v = self.view(level, grain)
        model = self._check(model)
        frames = []
        rows = self._rows(v, only)
        bands = v.window_bands(model) if v.cutoffs else {}       # a history too short for any window
        for w, cut in enumerate(v.cutoffs):
            ds = v.win_dates[w][:h]
            L = len(ds)
            f = pd.DataFrame({"unique_id": np.repeat(v.keys[rows], L), "ds": np.tile(ds.to_numpy(), len(rows)),
                              "cutoff": cut, "model": model, "y": v.truth[w, rows, :L].reshape(-1),
                              "yhat": v.preds[model][w, rows, :L].reshape(-1)})
            for lv in views.BANDS:
                f[f"yhat_lo_{lv}"] = bands[lv][0][w, rows, :L].reshape(-1)
                f[f"yhat_hi_{lv}"] = bands[lv][1][w, rows, :L].reshape(-1)
            first = np.repeat(v.first_sale[rows], L)
            keep = f["yhat"].notna().to_numpy() & ~pd.isna(first) & (f["ds"].to_numpy() >= first)
            frames.append(f[keep])
        cols = ["unique_id", "ds", "cutoff", "model", "y", "yhat",
                *(f"yhat_{s}_{lv}" for lv in views.BANDS for s in ("lo", "hi"))]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)

    def history(self, level: str, grain: str, *, only: str | None = None) -> pd.DataFrame:
        """[unique_id, ds, y (units sold; NaN = nothing observed), out_share (share of the SKU-days on sale
        that were out of stock)]: days, or 7-day blocks ending at the last day of the data."""
        v = self.view(level, grain)
        rows = self._rows(v, only)
        T = len(v.dates)
        return pd.DataFrame({"unique_id": np.repeat(v.keys[rows], T), "ds": np.tile(v.dates.to_numpy(), len(rows)),
                             "y": v.hist[rows].reshape(-1), "out_share": v.out_share[rows].reshape(-1)})

    def recent(self, level: str, grain: str, h: int) -> pd.Series:
        """Units sold per series over the last h periods of the history (days, or 7-day blocks)."""
        v = self.view(level, grain)
        return pd.Series(np.nansum(v.hist[:, -int(h):], axis=1), index=pd.Index(v.keys, name="unique_id"))

    def accuracy(self, level: str, grain: str, h: int | None = None, *, only: str | None = None) -> pd.DataFrame:
        """Per series and model: wape, mase, bias, coverage_80, coverage_95, n_points, abs_error, actual,
        error (the backtest over the first h periods of each window)."""
        h = self._horizon(grain, h)
        v = self.view(level, grain)

        def make():
            frames = []
            for m in self.models:
                met = v.metrics(m, h)
                frames.append(pd.DataFrame({"unique_id": v.keys, "model": m,
                                            **{k: met.get(k, np.full(len(v.keys), np.nan)) for k in
                                               ("wape", "mase", "bias", "coverage_80", "coverage_95", "n_points",
                                                "abs_error", "actual", "error")}}))
            return pd.concat(frames, ignore_index=True)
        acc = self._cached(("acc", level, grain, h), make) if v.cutoffs else pd.DataFrame(
            columns=["unique_id", "model", "wape", "mase", "bias", "coverage_80", "coverage_95", "n_points",
                     "abs_error", "actual", "error"])
        if only is not None:
            self._rows(v, only)
            acc = acc[acc["unique_id"] == str(only)]
        return acc.reset_index(drop=True).copy()

    def windows(self, grain: str, h: int | None = None) -> tuple[int, int]:
        """(number of backtest windows, periods scored in each) for a horizon."""
        h = self._horizon(grain, h)
        v = self.view("store", grain)
        return len(v.cutoffs), min(h, v.truth.shape[-1]) if v.cutoffs else 0
