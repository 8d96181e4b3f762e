"""The public forecasting calls: ``forecast``, ``backtest``, ``backtest_predictions``, ``accuracy``.

See lib/forecast/panel.py for what ``history`` and ``future`` hold, and engine.py for how
models are backtested and chosen.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.forecast import engine, local, scoring

__all__ = ["forecast", "backtest", "backtest_predictions", "accuracy", "chosen_models", "selected"]

BT_LEVELS = (80, 95)


def _levels(level) -> tuple[int, ...]:
    levels = (level,) if isinstance(level, int | float) else tuple(level)
    for lv in levels:
        if not 0 < float(lv) < 100:
            raise ValueError(f"A prediction interval level must be between 0 and 100 (got {lv!r}).")
    return tuple(int(lv) if float(lv).is_integer() else float(lv) for lv in levels)


def selected(r: engine.Run, exclude: int | None = None) -> np.ndarray:
    """(n,) candidate index per series: the per-series pick, or the only candidate."""
    if len(r.candidates) == 1:
        return np.zeros(r.panel.n, dtype=np.int64)
    return r.pick(exclude) if exclude is not None else r.chosen


def _take(arrays: dict[str, np.ndarray], cands: list[str], idx: np.ndarray) -> np.ndarray:
    """Per series i, arrays[cands[idx[i]]][..., i, :]."""
    stack = np.stack([arrays[c] for c in cands])                  # (C, ..., n, h)
    moved = np.moveaxis(stack, 0, -2)                             # (..., n, C, h)
    pick = np.expand_dims(idx, tuple(range(moved.ndim - 3))) if moved.ndim > 3 else idx
    return np.take_along_axis(moved, pick[..., None, None], axis=-2)[..., 0, :]


def _final_bands(r: engine.Run, idx: np.ndarray, yhat: np.ndarray, levels) -> dict:
    floor = local.floor(r.panel.y)
    resid = r.truth - _take(r.preds, r.candidates, idx) if r.cutoffs else np.zeros((0, r.panel.n, 1))
    if not np.isfinite(resid).any():
        return scoring.random_walk_bands(r.panel.y, yhat, levels, floor)
    cal = scoring.calibrate(resid, r.lscale, levels, final_scale=r.final_scale)
    return cal.bands(yhat, r.final_scale, levels, floor)


def chosen_models(r: engine.Run) -> np.ndarray:
    """(n,) the model name each series' forecast comes from."""
    return np.asarray(r.candidates, dtype=object)[selected(r)]


def forecast(history: pd.DataFrame, h: int, freq: str, level=(80, 95), model="auto",
             future: pd.DataFrame | None = None, *, n_windows: int = 3, seed: int = 0,
             progress=None) -> pd.DataFrame:
    """DataFrame[unique_id, ds, yhat, yhat_lo_<L>, yhat_hi_<L>..., model], one row per series and period.

    ``model``: "auto" (per-series choice among every model and the ensemble, from rolling-origin
    backtests), one of engine.MODELS, or a list of them to choose among. Forecasts are never
    negative; the bands are conformal, calibrated on the backtest residuals of the chosen model.
    """
    levels = _levels(level)
    r = engine.run(history, h, freq, n_windows, model, future, seed, progress)
    idx = selected(r)
    yhat = np.nan_to_num(_take(r.final, r.candidates, idx), nan=0.0)   # nothing observed: 0
    bands = _final_bands(r, idx, yhat, levels)
    p = r.panel
    out = pd.DataFrame({"unique_id": np.repeat(p.ids, h), "ds": np.tile(p.future_dates.to_numpy(), p.n),
                        "yhat": yhat.reshape(-1)})
    for lv in levels:
        out[f"yhat_lo_{lv}"] = bands[lv][0].reshape(-1)
        out[f"yhat_hi_{lv}"] = bands[lv][1].reshape(-1)
    out["model"] = np.repeat(chosen_models(r), h)
    return out


def _window_bands(r: engine.Run, pred: np.ndarray, preds_other) -> dict:
    """Bands per window, each calibrated on the residuals of the other windows only."""
    W = len(r.cutoffs)
    los = {lv: np.full(pred.shape, np.nan) for lv in BT_LEVELS}
    his = {lv: np.full(pred.shape, np.nan) for lv in BT_LEVELS}
    for w in range(W):
        others = [k for k in range(W) if k != w]
        if not others:
            continue
        resid = r.truth[others] - preds_other(w)[others]
        if not np.isfinite(resid).any():
            continue
        cal = scoring.calibrate(resid, r.lscale[others], BT_LEVELS, final_scale=r.lscale[w])
        b = cal.bands(pred[w], r.lscale[w], BT_LEVELS, local.floor(r.panel.y[:, :r.cutoffs[w]]))
        for lv in BT_LEVELS:
            los[lv][w], his[lv][w] = b[lv]
    return {lv: (los[lv], his[lv]) for lv in BT_LEVELS}


def _scored(r: engine.Run, model) -> dict[str, tuple[np.ndarray, dict]]:
    """model name -> (predictions (W, n, L), bands) for every candidate, plus "auto" when asked."""
    out = {}
    for c in r.candidates:
        pred = r.preds[c]
        out[c] = (pred, _window_bands(r, pred, lambda w, p=pred: p))
    wants_pick = len(r.candidates) > 1 and (model == "auto" or not isinstance(model, str))
    if wants_pick:
        W = len(r.cutoffs)
        picks = [selected(r, exclude=w) if W > 1 else selected(r) for w in range(W)]
        pred = np.stack([_take({c: r.preds[c][w] for c in r.candidates}, r.candidates, picks[w])
                         for w in range(W)]) if W else np.zeros_like(r.truth)
        out["auto"] = (pred, _window_bands(
            r, pred, lambda w: np.stack([_take({c: r.preds[c][k] for c in r.candidates}, r.candidates, picks[w])
                                         for k in range(W)])))
    return out


def backtest(history: pd.DataFrame, h: int, freq: str, n_windows: int = 3, model="auto", *,
             future: pd.DataFrame | None = None, seed: int = 0, progress=None) -> pd.DataFrame:
    """Per series and model: mase, wape, bias, coverage_80, coverage_95 (+ n_points, abs_error,
    actual, error sums for pooling). "auto" adds a row per series for the per-series choice."""
    r = engine.run(history, h, freq, n_windows, model, future, seed, progress)
    frames = []
    for name, (pred, bands) in _scored(r, model).items():
        met = scoring.series_metrics(r.truth, pred, r.mscale, bands)
        frames.append(pd.DataFrame({"unique_id": r.panel.ids, "model": name, **met}))
    cols = ["unique_id", "model", "mase", "wape", "bias", "coverage_80", "coverage_95",
            "n_points", "abs_error", "actual", "error"]
    return pd.concat(frames, ignore_index=True)[cols]


def accuracy(bt: pd.DataFrame) -> pd.DataFrame:
    """Pooled figures per model from ``backtest``: WAPE and bias over all points, mean MASE,
    coverage weighted by points, and the WAPE relative to seasonal naive (below 1 = better)."""
    g = bt.groupby("model", sort=False)
    out = pd.DataFrame({
        "wape": g["abs_error"].sum() / g["actual"].sum(),
        "mase": g["mase"].mean(),
        "bias": g["error"].sum() / g["actual"].sum(),
        "coverage_80": (bt["coverage_80"] * bt["n_points"]).groupby(bt["model"]).sum() / g["n_points"].sum(),
        "coverage_95": (bt["coverage_95"] * bt["n_points"]).groupby(bt["model"]).sum() / g["n_points"].sum(),
        "series": g["unique_id"].nunique(),
    })
    if "seasonal_naive" in out.index:
        out["vs_naive"] = out["wape"] / out.loc["seasonal_naive", "wape"]
    return out.reset_index()


def backtest_predictions(history: pd.DataFrame, h: int, freq: str, n_windows: int = 3, model="auto", *,
                         future: pd.DataFrame | None = None, seed: int = 0) -> pd.DataFrame:
    """Long frame [unique_id, ds, cutoff, model, y, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95,
    yhat_hi_95] of every scored backtest window (for plotting the backtest over the history)."""
    r = engine.run(history, h, freq, n_windows, model, future, seed)
    p = r.panel
    frames = []
    for name, (pred, bands) in _scored(r, model).items():
        for w, c in enumerate(r.cutoffs):
            ds = p.dates[c:c + r.length]
            L = len(ds)
            frame = pd.DataFrame({"unique_id": np.repeat(p.ids, L), "ds": np.tile(ds.to_numpy(), p.n),
                                  "cutoff": p.dates[c - 1], "model": name,
                                  "y": r.truth[w, :, :L].reshape(-1), "yhat": pred[w, :, :L].reshape(-1)})
            for lv in BT_LEVELS:
                frame[f"yhat_lo_{lv}"] = bands[lv][0][w, :, :L].reshape(-1)
                frame[f"yhat_hi_{lv}"] = bands[lv][1][w, :, :L].reshape(-1)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
