"""Leakage-free features for the global demand model (lib/forecast/gbm.py).

A row is (series i, origin t, step k): the model sees the history of series i up to and
including period t and predicts period j = t + k. Every history-based feature reads periods
<= t only; calendar and exogenous features read the target period j (exogenous regressors
are known for the horizon). Level features are divided by the series scale at the origin,
so that one model serves slow and fast sellers alike.

Base features (``FEATURES``), for a frequency with short / mid / year windows and a
year lag Y (daily 7 / 28 / 364 and Y = 364; weekly 2 / 4 / 52 and Y = 52; monthly
1 / 3 / 12 and Y = 12; quarterly 1 / 2 / 4 and Y = 4; yearly 1 / 2 / 1 and Y = 1) and scale
window S (daily 91, weekly 13, monthly 3, quarterly and yearly 2):

- ``step``: k, the horizon step.
- ``log_scale``: log of the scale = NaN-aware mean of the last S periods (the whole history
  when those are all NaN) + ``SCALE_EPS``; this is the series' own size (a SKU code with
  thousands of levels cannot be a categorical feature, its scale stands in for it).
- ``lag_1`` .. ``lag_7``: y[t], y[t-1], ..., y[t-6] / scale.
- ``mean_short``, ``mean_mid``, ``mean_year``: NaN-aware means of the last windows / scale.
- ``slot_last``, ``slot_mean4``: the last observed value, and the mean of the last 4 seasons,
  in the target's seasonal slot (j - m q for the smallest q with j - m q <= t) / scale.
- ``year_ago``: mean around j - qY, for the fewest whole years q that reach back to t or earlier
  (+- 3 days daily, +- 1 week weekly, never past t) / scale;
  ``year_ago_ratio``: that mean over the mean of the mid window that ended at t - qY (how last
  year moved from this origin's date to the target's date).
- ``zero_share``: share of zero values among the observed values of the last S periods.
- ``nan_share``: share of NaN (censored) periods among the last mid-window periods since launch.
- ``since_sale``: t minus the last period with y > 0 (NaN when never sold); ``age``: t minus
  the series' first observed period, capped at S (a launch ramp, not a time trend).
- ``season_pos``: the target's position in the panel's own season, j mod m (the day of the week
  for daily data, the week of the year for weekly, the month for monthly, the quarter for
  quarterly; NaN when m = 1), so the model learns a season at any frequency, not only from
  the retail calendar below.
- target calendar: ``dow``, ``dom``, ``month``, ``week`` (ISO), ``doy`` and the signed
  distances in days ``to_xmas`` (to the nearest 25 December) and ``to_black_friday`` (to the
  nearest fourth Friday of November), clipped to +-60. The yearly ones (month .. to_black_friday)
  are NaN when the history is shorter than a year plus the horizon: the horizon's dates were
  never seen a year earlier, so they would only act as a time trend.

Exogenous regressors (name -> (n, T + h)), for each name: ``x_<name>`` (value at j) and
``x_<name>_vs_recent`` (value at j minus its mean over the mid window ending at t). For
``price`` also ``x_price_rel`` (price at j / the series' median price over the history) and
``x_price_change`` (price at j / its mean over the mid window ending at t, minus 1).

Groups (name -> (n,) integer codes, negative = unknown): ``g_<name>`` as a native categorical
feature when it has at most 255 levels; otherwise ``g_<name>_freq`` (share of series in the
level) and ``g_<name>_level`` (mean log scale at t of the level's series).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["FEATURES", "SCALE_EPS", "MAX_CATEGORIES", "Frequency", "frequency_of", "calendar", "FeatureBuilder"]

SCALE_EPS = 0.1
MAX_CATEGORIES = 255
N_LAGS = 7
N_SLOT_SEASONS = 4
HOLIDAY_CLIP = 60
FEATURES = ("step", "log_scale", *(f"lag_{q}" for q in range(1, N_LAGS + 1)),
            "mean_short", "mean_mid", "mean_year", "slot_last", "slot_mean4", "year_ago", "year_ago_ratio",
            "zero_share", "nan_share", "since_sale", "age", "season_pos",
            "dow", "dom", "month", "week", "doy", "to_xmas", "to_black_friday")


@dataclass(frozen=True)
class Frequency:
    """Window lengths (in periods) suited to a data frequency."""

    short: int
    mid: int
    year: int
    scale: int
    year_half: int


_DAILY = Frequency(short=7, mid=28, year=364, scale=91, year_half=3)
_WEEKLY = Frequency(short=2, mid=4, year=52, scale=13, year_half=1)
_MONTHLY = Frequency(short=1, mid=3, year=12, scale=3, year_half=0)
_QUARTERLY = Frequency(short=1, mid=2, year=4, scale=2, year_half=0)
_YEARLY = Frequency(short=1, mid=2, year=1, scale=2, year_half=0)


def frequency_of(dates: pd.DatetimeIndex) -> Frequency:
    """Daily, weekly, monthly, quarterly or yearly windows from the median spacing of ``dates``."""
    if len(dates) < 2:
        return _DAILY
    days = float(np.median(np.diff(dates.values.astype("datetime64[s]")).astype(float))) / 86_400
    if days < 4:
        return _DAILY
    if days < 20:
        return _WEEKLY
    if days < 60:
        return _MONTHLY
    return _QUARTERLY if days < 200 else _YEARLY


def _signed_distance(dates: pd.DatetimeIndex, peaks: list[np.datetime64]) -> np.ndarray:
    """Days from each date to the nearest peak (positive = peak ahead), clipped."""
    d = dates.values.astype("datetime64[D]")
    diffs = np.stack([(np.datetime64(p, "D") - d).astype(np.int64) for p in peaks])
    nearest = diffs[np.argmin(np.abs(diffs), axis=0), np.arange(len(d))]
    return np.clip(nearest, -HOLIDAY_CLIP, HOLIDAY_CLIP).astype(float)


def _black_friday(year: int) -> np.datetime64:
    """The day after the fourth Thursday of November."""
    first_thursday = 1 + (3 - pd.Timestamp(year, 11, 1).day_of_week) % 7
    return np.datetime64(f"{year}-11-{first_thursday + 22:02d}")


def calendar(dates: pd.DatetimeIndex) -> np.ndarray:
    """(len(dates), 7) calendar features in the order of FEATURES (dow .. to_black_friday)."""
    years = range(dates.year.min() - 1, dates.year.max() + 2)
    xmas = [np.datetime64(f"{y}-12-25") for y in years]
    return np.column_stack([dates.day_of_week, dates.day, dates.month,
                            dates.isocalendar().week.to_numpy(dtype=float), dates.day_of_year,
                            _signed_distance(dates, xmas),
                            _signed_distance(dates, [_black_friday(y) for y in years])]).astype(float)


class _Cum:
    """NaN-aware window sums of the rows of a 2-D array through cumulative sums."""

    def __init__(self, a: np.ndarray):
        obs = ~np.isnan(a)
        pad = np.zeros((a.shape[0], 1))
        self.values = np.hstack([pad, np.cumsum(np.where(obs, a, 0.0), axis=1)])
        self.counts = np.hstack([pad, np.cumsum(obs, axis=1, dtype=float)])

    def window(self, i: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(sum, count) of the observed values of rows i over periods start..end (inclusive)."""
        last = self.values.shape[1] - 1
        hi = np.clip(end + 1, 0, last)
        lo = np.clip(start, 0, hi)                 # an empty window (start > end) sums to 0
        return self.values[i, hi] - self.values[i, lo], self.counts[i, hi] - self.counts[i, lo]

    def mean(self, i: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """NaN-aware mean over start..end; NaN where nothing was observed."""
        s, c = self.window(i, start, end)
        return np.where(c > 0, s / np.maximum(c, 1.0), np.nan)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, NaN where b is 0 or NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b != 0, a / b, np.nan)


class FeatureBuilder:
    """Precomputes per-series summaries of one panel; ``rows`` builds feature matrices.

    y: (n, T) history; m: season length; dates: T + h dates; exog: name -> (n, T + h);
    groups: name -> (n,) integer codes.
    """

    def __init__(self, y: np.ndarray, m: int, dates: pd.DatetimeIndex,
                 exog: dict[str, np.ndarray] | None = None, groups: dict[str, np.ndarray] | None = None):
        self.y = np.asarray(y, dtype=float)
        n, T = self.y.shape
        self.m = max(int(m), 1)
        self.freq = frequency_of(dates)
        self.calendar = calendar(pd.DatetimeIndex(dates))
        horizon = len(dates) - T
        if self.freq.year + horizon > T:      # no target a year before the horizon: no yearly calendar
            self.calendar[:, 2:] = np.nan
        obs = ~np.isnan(self.y)
        self.first = np.where(obs.any(axis=1), np.argmax(obs, axis=1), T)
        self.cum = _Cum(self.y)
        self.zeros = _Cum(np.where(obs, (self.y == 0).astype(float), np.nan))
        cols = np.arange(T)
        self.last_sale = np.maximum.accumulate(np.where(self.y > 0, cols, -1), axis=1)
        self.exog = {name: np.asarray(x, dtype=float) for name, x in (exog or {}).items()}
        self.exog_cum = {name: _Cum(x) for name, x in self.exog.items()}
        if "price" in self.exog:
            hist = self.exog["price"][:, :T]
            med = np.full(n, np.nan)
            seen = ~np.isnan(hist).all(axis=1)
            med[seen] = np.nanmedian(hist[seen], axis=1)
            self.price_median = med
        self.groups: dict[str, np.ndarray] = {}
        self.group_sizes: dict[str, np.ndarray] = {}
        for name, codes in (groups or {}).items():
            codes = np.asarray(codes)
            known = codes >= 0
            levels, inverse = np.unique(codes[known], return_inverse=True)
            dense = np.full(n, -1, dtype=np.int64)
            dense[known] = inverse
            self.groups[name] = dense
            self.group_sizes[name] = np.bincount(inverse, minlength=len(levels)).astype(float)
        self.names, self.categorical = self._names()

    def _names(self) -> tuple[list[str], np.ndarray]:
        names, cat = list(FEATURES), [False] * len(FEATURES)
        for name in self.exog:
            extra = [f"x_{name}", f"x_{name}_vs_recent"]
            if name == "price":
                extra += ["x_price_rel", "x_price_change"]
            names += extra
            cat += [False] * len(extra)
        for name, sizes in self.group_sizes.items():
            if len(sizes) <= MAX_CATEGORIES:
                names.append(f"g_{name}")
                cat.append(True)
            else:
                names += [f"g_{name}_freq", f"g_{name}_level"]
                cat += [False, False]
        return names, np.array(cat, dtype=bool)

    def scale(self, i: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Series scale at origin t: recent NaN-aware mean (else the whole history's) + SCALE_EPS."""
        recent = self.cum.mean(i, t - self.freq.scale + 1, t)
        overall = self.cum.mean(i, np.zeros_like(t), t)
        level = np.where(np.isnan(recent), overall, recent)
        return np.nan_to_num(level, nan=0.0) + SCALE_EPS

    def rows(self, i: np.ndarray, t: np.ndarray, k: np.ndarray) -> np.ndarray:
        """(len(i), len(names)) float64 features of rows (series i, origin t, step k).

        Requires 0 <= t < T and t + k < T + h; uses history periods <= t only.
        """
        i, t, k = (np.asarray(a, dtype=np.int64) for a in (i, t, k))
        f = self.freq
        j = t + k
        scale = self.scale(i, t)
        cols: list[np.ndarray] = [k.astype(float), np.log(scale)]
        for q in range(N_LAGS):
            back = t - q
            cols.append(np.where(back >= 0, self.y[i, np.maximum(back, 0)], np.nan) / scale)
        for w in (f.short, f.mid, f.year):
            cols.append(self.cum.mean(i, t - w + 1, t) / scale)
        slot_end = j - self.m * ((k + self.m - 1) // self.m)        # last period <= t in j's slot
        slot = np.stack([np.where(slot_end - self.m * q >= 0, self.y[i, np.maximum(slot_end - self.m * q, 0)],
                                  np.nan) for q in range(N_SLOT_SEASONS)], axis=1)
        seen = ~np.isnan(slot)
        recent_slot = np.argmax(seen, axis=1)
        cols.append(np.where(seen.any(axis=1), slot[np.arange(len(i)), recent_slot], np.nan) / scale)
        cols.append(_ratio(np.where(seen, slot, 0.0).sum(axis=1), seen.sum(axis=1).astype(float)) / scale)
        years = (k + f.year - 1) // f.year                          # whole years back to reach <= t
        ago = j - f.year * years
        ly_target = self.cum.mean(i, ago - f.year_half, np.minimum(ago + f.year_half, t))
        ly_origin = self.cum.mean(i, t - f.year * years - f.mid + 1, t - f.year * years)
        cols.append(ly_target / scale)
        cols.append(_ratio(ly_target + SCALE_EPS, ly_origin + SCALE_EPS))
        zeros, counted = self.zeros.window(i, t - f.scale + 1, t)
        cols.append(_ratio(zeros, counted))
        since_launch = np.minimum(t - self.first[i] + 1, f.mid).astype(float)
        _, seen_mid = self.cum.window(i, t - f.mid + 1, t)
        cols.append(_ratio(since_launch - seen_mid, since_launch))
        last = self.last_sale[i, t]
        cols.append(np.where(last >= 0, t - last, np.nan).astype(float))
        cols.append(np.minimum(t - self.first[i], f.scale).astype(float))
        cols.append((j % self.m).astype(float) if self.m > 1 else np.full(len(i), np.nan))
        cols.extend(self.calendar[j].T)
        for name, x in self.exog.items():
            at_target = x[i, j]
            recent = self.exog_cum[name].mean(i, t - f.mid + 1, t)
            cols += [at_target, at_target - recent]
            if name == "price":
                cols += [_ratio(at_target, self.price_median[i]), _ratio(at_target, recent) - 1.0]
        for name, dense in self.groups.items():
            sizes = self.group_sizes[name]
            code = dense[i]
            if len(sizes) <= MAX_CATEGORIES:
                cols.append(np.where(code >= 0, code, np.nan).astype(float))
                continue
            cols.append(np.where(code >= 0, sizes[np.maximum(code, 0)] / len(dense), np.nan))
            cols.append(self._group_level(dense, sizes, i, t))
        return np.column_stack(cols)

    def _group_level(self, dense: np.ndarray, sizes: np.ndarray, i: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Mean log scale at origin t over the series of row i's level (NaN for an unknown level)."""
        origins, inverse = np.unique(t, return_inverse=True)
        n = len(dense)
        every = np.repeat(np.arange(n), len(origins))
        logs = np.log(self.scale(every, np.tile(origins, n))).reshape(n, len(origins))
        known = dense >= 0
        sums = np.zeros((len(sizes), len(origins)))
        np.add.at(sums, dense[known], logs[known])
        code = dense[i]
        return np.where(code >= 0, (sums / sizes[:, None])[np.maximum(code, 0), inverse], np.nan)
