"""One level (SKU, category or the store) at one grain (day, week or month) of a forecast run.

Built from one ``engine.Run`` of every SKU by day (lib/forecast/store.py makes it):

- Point forecasts add up: a category or the store is the sum of its SKUs' daily forecasts, and a
  week is the sum of 7 days. Weeks start on the forecast's first day (as_of + 1), so week j is days
  7j+1 .. 7j+7 of the horizon and "the next 4 weeks" are exactly "the next 28 days". History by
  week uses the same 7-day blocks, the last one ending at as_of (an incomplete oldest block is
  dropped); a week's history is the units sold in it.
- Backtests are summed the same way, over the SKU-days whose actual was observed: a censored
  stockout day of one SKU drops that SKU-day on both sides, so scoring compares like with like; a
  period with nothing observed is neither scored nor drawn. A window of L days holds L // 7 weeks.
- Bands are conformal at each level and grain: quantiles of that level's own backtest residuals
  (of weekly sums for weeks), scaled per series (its recent level), pooled over series of similar
  size and over blocks of horizon steps. So a weekly band is calibrated on weekly errors, not added
  up from daily quantiles. A backtest window's bands come from the other windows only.
- Accuracy for a horizon of h periods is measured on the first h periods of each window (the
  windows themselves are the run's: 3 windows of the run's horizon, ending at the last day).
- MASE scale: the in-sample mean absolute change from the same weekday a week earlier (days) or
  from the previous week (weeks), in the history before each window.
- A run at a weekly or monthly frequency (lib/forecast/longrun.py) is viewed at its own grain with
  ``step=1`` (one period of the run per period shown): seasonal MASE at the run's season, bands
  pooled per horizon step, series size from its last ``SPAN`` days' worth of periods.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.forecast import scoring

__all__ = ["BANDS", "SPAN", "View", "build", "week_sums"]

BANDS = (80, 95)
SPAN = 84            # days of history that give a series its size for the bands (the last 12 weeks)
STEPS = {"day": 1, "week": 7}
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}   # about; for the size span of a run at that grain


def _sum_by(a: np.ndarray, code: np.ndarray, G: int) -> np.ndarray:
    """(..., n, L) -> (..., G, L): sums over the series of each group (NaN counts as 0)."""
    moved = np.moveaxis(np.nan_to_num(a, nan=0.0), -2, 0)
    out = np.zeros((G, *moved.shape[1:]))
    np.add.at(out, code, moved)
    return np.moveaxis(out, 0, -2)


def _blocks(a: np.ndarray, k: int) -> np.ndarray:
    """(..., L) -> (..., L // k): sums of k consecutive steps from the first (a remainder is dropped)."""
    if k == 1:
        return a
    n = a.shape[-1] // k
    return a[..., : n * k].reshape(*a.shape[:-1], n, k).sum(axis=-1)


def _observed_sum(values: np.ndarray, obs: np.ndarray, code: np.ndarray, G: int, k: int) -> np.ndarray:
    """Sums of the observed values per group and block of k steps; NaN where nothing was observed."""
    total = _blocks(_sum_by(np.where(obs, values, 0.0), code, G), k)
    seen = _blocks(_sum_by(obs.astype(float), code, G), k)
    return np.where(seen > 0, total, np.nan)


def week_sums(a: np.ndarray) -> np.ndarray:
    """(..., T) daily values -> (..., T // 7) sums of 7-day blocks ending at the last day (NaN-aware:
    NaN only where a whole block is NaN)."""
    n = a.shape[-1] // 7
    tail = a[..., a.shape[-1] - n * 7:].reshape(*a.shape[:-1], n, 7)
    seen = (~np.isnan(tail)).sum(axis=-1)
    return np.where(seen > 0, np.nansum(tail, axis=-1), np.nan)


@dataclass
class View:
    """Arrays of one level and grain; G series, W windows, L periods per window, H forecast periods."""

    level: str
    grain: str
    keys: np.ndarray                        # (G,) SKU, category or store label
    members: np.ndarray                     # (n,) group index of each SKU
    dates: pd.DatetimeIndex                 # (T,) history period starts
    hist: np.ndarray                        # (G, T) units sold, NaN = nothing observed
    out_share: np.ndarray                   # (G, T) share of the SKU-days on sale that were out of stock
    first_sale: np.ndarray                  # (G,) datetime64 of the first day with a sale (NaT: none)
    future_dates: pd.DatetimeIndex          # (H,) forecast period starts
    cutoffs: list[pd.Timestamp]             # last history day before each window
    win_dates: list[pd.DatetimeIndex]       # (L,) period starts of each window
    truth: np.ndarray                       # (W, G, L) observed units, NaN = not scored
    preds: dict[str, np.ndarray]            # model -> (W, G, L) backtest forecasts (observed cells)
    win_scale: np.ndarray                   # (W, G) series size before each window
    mscale: np.ndarray                      # (W, G) MASE scale before each window
    scale: np.ndarray                       # (G,) series size at the end of the history
    step: int = 0                           # run periods per period shown (0: the grain's days, STEPS)
    _cal: dict = field(default_factory=dict, repr=False)

    @property
    def step_days(self) -> int:
        return self.step or STEPS[self.grain]

    def _calibrate(self, resid: np.ndarray, scale: np.ndarray, final_scale: np.ndarray) -> scoring.Calibration:
        block = 7 if self.grain == "day" else 1
        return scoring.calibrate(resid, scale, BANDS, final_scale=final_scale, block=block, max_blocks=13)

    def window_bands(self, model: str) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """{level: (lo, hi)} of shape (W, G, L): window w calibrated on the other windows only."""
        key = ("windows", model)
        if key not in self._cal:
            pred = self.preds[model]
            W = pred.shape[0]
            los = {lv: np.full(pred.shape, np.nan) for lv in BANDS}
            his = {lv: np.full(pred.shape, np.nan) for lv in BANDS}
            for w in range(W):
                others = [k for k in range(W) if k != w]
                if not others:
                    continue
                cal = self._calibrate(self.truth[others] - pred[others], self.win_scale[others], self.win_scale[w])
                for lv, (lo, hi) in cal.bands(np.nan_to_num(pred[w]), self.win_scale[w], BANDS).items():
                    los[lv][w] = np.where(np.isnan(pred[w]), np.nan, lo)
                    his[lv][w] = np.where(np.isnan(pred[w]), np.nan, hi)
            self._cal[key] = {lv: (los[lv], his[lv]) for lv in BANDS}
        return self._cal[key]

    def bands(self, model: str, yhat: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Bands of a forecast ``yhat`` (G, H) of ``model``, calibrated on all its backtest windows."""
        if not self.cutoffs:
            nan = np.full(yhat.shape, np.nan)
            return {lv: (nan, nan) for lv in BANDS}
        key = ("final", model)
        if key not in self._cal:
            self._cal[key] = self._calibrate(self.truth - self.preds[model], self.win_scale, self.scale)
        return self._cal[key].bands(yhat, self.scale, BANDS)

    def metrics(self, model: str, h: int) -> dict[str, np.ndarray]:
        """Per series, the backtest figures of ``model`` over the first ``h`` periods of each window."""
        b = {lv: (lo[..., :h], hi[..., :h]) for lv, (lo, hi) in self.window_bands(model).items()}
        return scoring.series_metrics(self.truth[..., :h], self.preds[model][..., :h], self.mscale, b)


def _first_sale(y: np.ndarray, dates: pd.DatetimeIndex, code: np.ndarray, G: int) -> np.ndarray:
    sold = np.nan_to_num(y) > 0
    first = np.where(sold.any(axis=1), sold.argmax(axis=1), len(dates))
    per_group = np.full(G, len(dates))
    np.minimum.at(per_group, code, first)
    stamps = np.append(dates.to_numpy(), np.datetime64("NaT"))
    return stamps[per_group]


def build(run, level: str, grain: str, labels: np.ndarray, preds: dict[str, np.ndarray],
          step: int | None = None) -> View:
    """The View of ``run`` (an engine.Run of SKUs by day; by week or month with ``step=1``) at ``level``
    whose SKUs carry ``labels`` (n,), with the backtest forecasts ``preds`` (model -> (W, n, L)) to score."""
    p = run.panel
    k = STEPS[grain] if step is None else int(step)
    span = SPAN if step is None else max(1, -(-SPAN // PERIOD_DAYS[grain]))
    keys, code = np.unique(np.asarray(labels).astype(str), return_inverse=True)
    G = len(keys)
    seen = ~np.isnan(p.y)
    daily = _observed_sum(p.y, seen, code, G, 1)                               # (G, T) per day
    on_sale = seen | np.asarray(p.censored, dtype=bool)
    out_days = _sum_by(np.asarray(p.censored, dtype=float), code, G)
    sale_days = _sum_by(on_sale.astype(float), code, G)
    if k == 1:
        dates, hist = p.dates, daily
        share = np.where(sale_days > 0, out_days / np.maximum(sale_days, 1), 0.0)
    else:
        n_weeks = p.T // k
        dates = p.dates[p.T - n_weeks * k::k][:n_weeks]
        hist = week_sums(daily)
        od, sd = week_sums(out_days), week_sums(sale_days)
        share = np.where(np.nan_to_num(sd) > 0, np.nan_to_num(od) / np.maximum(np.nan_to_num(sd), 1), 0.0)
    n_future = len(p.future_dates) // k
    future_dates = p.future_dates[::k][:n_future]
    obs = ~np.isnan(run.truth)
    truth = _observed_sum(run.truth, obs, code, G, k)
    agg = {m: np.where(np.isnan(truth), np.nan, _observed_sum(a, obs, code, G, k)) for m, a in preds.items()}
    W = len(run.cutoffs)

    def size(upto: int) -> np.ndarray:
        return k * scoring.level_scale(daily[:, :upto], span)

    def mase(upto: int) -> np.ndarray:
        return scoring.mase_scale(daily[:, :upto], p.m) if k == 1 else scoring.mase_scale(week_sums(daily[:, :upto]), 1)

    L = run.length // k
    return View(level=level, grain=grain, keys=keys, members=code, dates=dates, hist=hist, out_share=share,
                first_sale=_first_sale(p.y, p.dates, code, G), future_dates=future_dates,
                cutoffs=[p.dates[c - 1] for c in run.cutoffs],
                win_dates=[p.dates[c:c + L * k:k] for c in run.cutoffs], truth=truth, preds=agg,
                win_scale=np.stack([size(c) for c in run.cutoffs]) if W else np.zeros((0, G)),
                mscale=np.stack([mase(c) for c in run.cutoffs]) if W else np.zeros((0, G)),
                scale=size(p.T), step=k)
