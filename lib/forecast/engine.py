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

__all__ = ["BASE_MODELS", "ENSEMBLE", "COMBINATION", "MODELS", "Run", "run", "resolve_models"]

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
    """Point forecasts (n, h) of one base model trained on periods [0, end)."""
    y = panel.y[:, :end]
    if name == "gbm":
        dates = panel.dates.append(panel.future_dates)[: end + h]
        exog = {k: v[:, : end + h] for k, v in panel.exog.items()}
        rows = int(min(GBM_MAX_ROWS, max(GBM_MIN_ROWS, GBM_ROWS_PER_SERIES * panel.n)))
        return gbm.fit_predict(y, h, panel.m, dates=dates, exog=exog, groups=panel.group_codes(), seed=seed,
                               max_rows=rows)
    return local.LOCAL_MODELS[name](y, h, panel.m)


def _window_plan(T: int, h: int, n_windows: int, m: int) -> tuple[list[int], int]:
    """Cutoffs (oldest first) and the window length; shortened windows when the history is short."""
    min_train = max(3, min(2 * m, 14))
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
        candidate beat it on that series by more than SWITCH_MARGIN (over windows except one)."""
        use = (np.arange(len(self.cutoffs)) != exclude)[:, None, None]
        obs = ~np.isnan(self.truth) & use
        errs = np.stack([np.where(obs, np.abs(self.preds[c] - self.truth), 0.0).sum(axis=(0, 2))
                         for c in self.candidates])                       # (C, n)
        pooled = int(np.argmin(errs.sum(axis=1)))
        own = np.argmin(errs, axis=0)
        n = errs.shape[1]
        switch = errs[own, np.arange(n)] < (1 - SWITCH_MARGIN) * errs[pooled]
        return np.where(switch, own, pooled)


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
            preds[combo] = np.mean([preds[m] for m in members], axis=0)
            final[combo] = np.mean([final[m] for m in members], axis=0)
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
