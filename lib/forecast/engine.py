"""Rolling-origin backtests, per-series model choice, combination and the final forecast.

One ``Run`` fits every requested model on ``n_windows`` rolling origins (window w ends h
periods after its cutoff; the last window ends at the last history period) and once on the
whole history. Both ``forecast`` and ``backtest`` read from the same run, so asking for both
costs one run (runs are memoised on the data and parameters).

``auto`` chooses per series among the candidates (every base model plus the ``ensemble``, the
mean of ETS, Theta and the global boosted model, and the ``combination``, the mean of the AICc
ETS, Theta and the damped-trend ETS; see ``COMBINATION``): the candidate with the lowest absolute error
over all series' backtest windows (the pooled winner), unless the series' own best candidate
beat it on that series by more than ``SWITCH_MARGIN``. With a few dozen noisy points per series,
a plain per-series minimum mostly picks noise (measured on the benchmark store: WAPE 0.680 for
the plain per-series pick, 0.671 for the pooled winner alone, 0.670 with the margin), and its
backtest looks better than it is, so its intervals under-cover. In ``backtest``, the choice
scored on window w is made from the other windows only, and intervals are calibrated on the
other windows only, so the reported accuracy and coverage are out of sample.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.forecast import ets_family, gbm, local, scoring
from lib.forecast.panel import Panel, from_long

__all__ = ["BASE_MODELS", "ENSEMBLE", "COMBINATION", "MODELS", "NEEDS", "Needs", "Run", "run", "resolve_models",
           "eligible"]

BASE_MODELS = (*local.LOCAL_MODELS, "gbm")
ENSEMBLE = ("ets", "theta", "gbm")
# Combining ETS, Theta and damped trend: combinations beat their members on the M3/M4 data
# (Makridakis & Hibon 2000, Comb S-H-D; Hyndman & Athanasopoulos, fpp3 sec. 13.4; Petropoulos &
# Svetunkov 2020); "auto" offers it only where the ETS family runs (ets_family.AUTO_PERIODS)
COMBINATION = ("autoets", "theta", "damped")
COMBINED = {"ensemble": ENSEMBLE, "combination": COMBINATION}
MODELS = (*BASE_MODELS, "ensemble", "combination", "auto")
LEVELS = (80, 95)
# training rows of the boosted model: 600k for 2,000 SKUs; a small catalogue trains on fewer
# (300k and 600k rows scored the same on the benchmark store, at half the time)
GBM_MAX_ROWS, GBM_MIN_ROWS, GBM_ROWS_PER_SERIES = 600_000, 150_000, 300
SWITCH_MARGIN = 0.2   # a series leaves the pooled winner only for a model >20 % better on its own backtest


@dataclass(frozen=True)
class Needs:
    """What a model needs of a series' training data; a series that lacks it is skipped by that
    model (its forecast is NaN there, and "auto" chooses among the others), never the batch."""

    min_obs: int = 1            # observed periods
    nonneg: bool = False        # no negative value (counts: Poisson loss, Croston's demand sizes)
    season: bool = False        # two full seasons observed (m > 1)

    def holds(self, y: np.ndarray, m: int) -> np.ndarray:
        """(n,) bool: which rows of ``y`` (n, T) meet the needs."""
        obs = ~np.isnan(y)
        nobs = obs.sum(axis=1)
        ok = nobs >= self.min_obs
        if self.nonneg:
            ok &= ~np.any(np.where(obs, y, 0.0) < 0, axis=1)
        if self.season:
            ok &= (m > 1) & (nobs >= 2 * m)
        return ok


# Seasonal naive and the moving average need one value; smoothing needs a change to fit (2), Theta
# a slope (3), damped ETS a level and a trend (4: two initial blocks of at least 2); the AICc
# ETS family checks each form's own needs (ets_family) and falls back to smoothing. The intermittent-
# demand models read demand sizes and the boosted model has a Poisson loss: no negative values.
NEEDS: dict[str, Needs] = {
    "seasonal_naive": Needs(1), "moving_average": Needs(1), "ses": Needs(2), "theta": Needs(3),
    "ets": Needs(4), "croston": Needs(1, nonneg=True), "sba": Needs(1, nonneg=True),
    "tsb": Needs(1, nonneg=True), "gbm": Needs(2, nonneg=True),
    # the ETS family fits simple exponential smoothing when a series is too short for any other form
    "autoets": Needs(2), "damped": Needs(4),
}


def eligible(name: str, y: np.ndarray, m: int) -> np.ndarray:
    """(n,) bool: the series of ``y`` that model ``name`` forecasts (see NEEDS)."""
    return NEEDS.get(name, Needs()).holds(y, m)


_MEMO: OrderedDict[str, Run] = OrderedDict()
_MEMO_SIZE = 4
_MEMO_LOCK = threading.Lock()      # sessions run in threads: the memo is read and written under it

Progress = Callable[[float, str], None]


def resolve_models(model) -> tuple[list[str], list[str]]:
    """(base models to fit, candidates to score) for a model name or a list of names."""
    names = [model] if isinstance(model, str) else list(model)
    if not names:
        raise ValueError("Choose at least one forecasting model.")
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        raise ValueError(f"Unknown forecasting model {unknown[0]!r}: choose one of {', '.join(MODELS)}.")
    cands: list[str] = []
    for m in names:
        cands += [*BASE_MODELS, *COMBINED] if m == "auto" else [m]
    cands = list(dict.fromkeys(cands))
    base = [m for m in BASE_MODELS if m in cands or any(c in cands and m in COMBINED[c] for c in COMBINED)]
    return base, cands


def _for_season(model, base: list[str], cands: list[str], m: int) -> tuple[list[str], list[str]]:
    """Leave the ETS family out of "auto" where it is too slow (see ets_family.AUTO_PERIODS),
    unless it was asked for by name."""
    if m in ets_family.AUTO_PERIODS:
        return base, cands
    asked = {model} if isinstance(model, str) else set(model)
    drop = {c for c in (*ets_family.MODELS, "combination") if c not in asked}
    cands = [c for c in cands if c not in drop]
    return resolve_models(cands)[0] if cands else base, cands


def _fit(name: str, panel: Panel, end: int, h: int, seed: int) -> np.ndarray:
    """Point forecasts (n, h) of one base model trained on periods [0, end); NaN rows for the
    series the model skips (``NEEDS``)."""
    y = panel.y[:, :end]
    ok = eligible(name, y, panel.m)
    out = np.full((panel.n, h), np.nan)
    if not ok.any():
        return out
    if name == "gbm":
        dates = panel.dates.append(panel.future_dates)[: end + h]
        exog = {k: v[ok, : end + h] for k, v in panel.exog.items()}
        groups = {k: v[ok] for k, v in panel.group_codes().items()}
        rows = int(min(GBM_MAX_ROWS, max(GBM_MIN_ROWS, GBM_ROWS_PER_SERIES * int(ok.sum()))))
        out[ok] = gbm.fit_predict(y[ok], h, panel.m, dates=dates, exog=exog, groups=groups, seed=seed,
                                  max_rows=rows)
    else:
        out[ok] = local.LOCAL_MODELS[name](y[ok], h, panel.m)
    return out


def _window_plan(T: int, h: int, n_windows: int, m: int) -> tuple[list[int], int]:
    """Cutoffs (oldest first) and the window length; shortened windows when the history is short.

    The oldest window trains on at least two seasons, or half the history when that is less (and at
    least min(2m, 14) and 3 periods): a seasonal model judged on a window must have seen its season,
    or the choice of model rests on forecasts made from a few weeks of data (a 104-week run on two
    years of weekly history was backtested from 14 weeks). Daily data (m = 7) keeps 14 days."""
    min_train = max(3, min(2 * m, max(14, T // 2)))
    length = h
    if T - n_windows * h < min_train:
        length = max(1, (T - min_train) // n_windows)
    k = n_windows
    while k > 0 and T - k * length < min_train:
        k -= 1
    return [T - w * length for w in range(k, 0, -1)], length


@dataclass
class Run:
    """Everything one call computes; arrays are (windows, series, horizon) unless noted."""

    panel: Panel
    h: int
    candidates: list[str]
    cutoffs: list[int]
    length: int                                     # backtest window length (h unless short)
    truth: np.ndarray
    preds: dict[str, np.ndarray]
    mscale: np.ndarray                              # (W, n) MASE scales
    lscale: np.ndarray                              # (W, n) interval scales
    final: dict[str, np.ndarray]                    # model -> (n, h)
    final_scale: np.ndarray                         # (n,)
    chosen: np.ndarray = field(default=None)        # (n,) candidate index for "auto"

    def pick(self, exclude: int | None = None) -> np.ndarray:
        """(n,) index into candidates: per series, the pooled winner unless the series' own best
        candidate beat it on that series by more than SWITCH_MARGIN (over windows except one).

        Candidates that forecast the series (final forecast not NaN) take part; they are compared on
        the series' backtest points that every one of them forecast (a model that skipped an early
        window, e.g. for want of data, is judged with the others on the later ones). The pooled order
        ranks candidates by their error over the series every candidate was scored on (or, when there
        are none, by mean relative error)."""
        use = (np.arange(len(self.cutoffs)) != exclude)[:, None, None]
        obs = ~np.isnan(self.truth) & use
        n, C = self.truth.shape[1], len(self.candidates)
        fin = np.stack([~np.isnan(self.final[c]).any(axis=1) if c in self.final else np.ones(n, dtype=bool)
                        for c in self.candidates])                          # (C, n) forecasts the series
        pts = obs.copy()
        for k, c in enumerate(self.candidates):
            pts &= ~np.isnan(self.preds[c]) | ~fin[k][None, :, None]
        errs = np.stack([np.where(pts, np.abs(self.preds[c] - self.truth), 0.0).sum(axis=(0, 2))
                         for c in self.candidates])                        # (C, n)
        scored = fin & pts.any(axis=(0, 2))[None, :]
        common = scored.all(axis=0)
        if common.any():
            order = np.argsort(errs[:, common].sum(axis=1), kind="stable")
        else:
            best = errs.min(axis=0, initial=np.inf, where=scored)
            rel = np.where(scored, errs / np.maximum(best, 1e-300), 0.0)
            cnt = scored.sum(axis=1)
            order = np.argsort(np.where(cnt > 0, rel.sum(axis=1) / np.maximum(cnt, 1), np.inf), kind="stable")
        rank = np.empty(C, dtype=np.int64)
        rank[order] = np.arange(C)
        ranked = np.where(scored, rank[:, None], C)                         # (C, n)
        pooled = np.argmin(ranked, axis=0)                                  # best-ranked candidate scored here
        masked = np.where(scored, errs, np.inf)
        own = np.argmin(masked, axis=0)
        cols = np.arange(n)
        switch = masked[own, cols] < (1 - SWITCH_MARGIN) * masked[pooled, cols]
        choice = np.where(switch, own, pooled)
        none = ~scored.any(axis=0)                   # no candidate scored here: the first that forecasts it
        if none.any():
            choice[none] = np.argmax(np.where(fin[:, none], C - rank[:, None], -1), axis=0)
        return choice


def _mean_of(arrays) -> np.ndarray:
    """Mean over the members that forecast each point (NaN where none does)."""
    stack = np.stack(list(arrays))
    cnt = (~np.isnan(stack)).sum(axis=0)
    return np.where(cnt > 0, np.nansum(stack, axis=0) / np.maximum(cnt, 1), np.nan)


def _key(history: pd.DataFrame, *parts) -> str:
    dig = hashlib.sha256()
    dig.update(pd.util.hash_pandas_object(history, index=False).to_numpy().tobytes())
    dig.update(",".join(map(str, history.columns)).encode())
    for p in parts:
        if isinstance(p, pd.DataFrame):
            dig.update(pd.util.hash_pandas_object(p, index=False).to_numpy().tobytes())
        dig.update(repr(p).encode())
    return dig.hexdigest()


def run(history: pd.DataFrame, h: int, freq: str, n_windows: int = 3, model="auto",
        future: pd.DataFrame | None = None, seed: int = 0, progress: Progress | None = None) -> Run:
    """Backtest and forecast; memoised on (data, parameters)."""
    if not isinstance(n_windows, int | np.integer) or n_windows < 1:
        raise ValueError(f"The number of backtest windows must be at least 1 (got {n_windows!r}).")
    key = _key(history, h, freq, n_windows, model, future, seed)
    with _MEMO_LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    base, cands = resolve_models(model)
    panel = from_long(history, h, freq, future)
    base, cands = _for_season(model, base, cands, panel.m)
    cutoffs, length = _window_plan(panel.T, h, n_windows, panel.m)
    steps = len(base) * (len(cutoffs) + 1)
    done = 0

    def tick(msg: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(min(done / steps, 1.0), msg)

    W, n = len(cutoffs), panel.n
    truth = np.stack([panel.y[:, c:c + length] for c in cutoffs]) if W else np.zeros((0, n, length))
    preds: dict[str, np.ndarray] = {}
    for name in base:
        out = np.zeros((W, n, length))
        for w, c in enumerate(cutoffs):
            out[w] = _fit(name, panel, c, length, seed)
            tick(f"Backtest {w + 1}/{W}: {name}")
        preds[name] = out
    final = {}
    for name in base:
        final[name] = _fit(name, panel, panel.T, h, seed)
        tick(f"Forecast: {name}")
    for combo, parts in COMBINED.items():
        if combo in cands:
            members = [m for m in parts if m in base]
            preds[combo] = _mean_of(preds[m] for m in members)
            final[combo] = _mean_of(final[m] for m in members)
    mscale = np.stack([scoring.mase_scale(panel.y[:, :c], panel.m) for c in cutoffs]) if W else np.zeros((0, n))
    span = max(4 * panel.m, 3 * h, 28)
    lscale = np.stack([scoring.level_scale(panel.y[:, :c], span) for c in cutoffs]) if W else np.zeros((0, n))
    result = Run(panel, h, cands, cutoffs, length, truth, {c: preds[c] for c in cands}, mscale, lscale,
                 {c: final[c] for c in cands}, scoring.level_scale(panel.y, span))
    result.chosen = result.pick()
    with _MEMO_LOCK:
        _MEMO[key] = result
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return result
