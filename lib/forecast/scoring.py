"""Accuracy measures and conformal prediction intervals, on (windows, series, horizon) arrays.

- WAPE = sum|y - yhat| / sum|y|; bias = sum(yhat - y) / sum|y| (positive = over-forecast);
  MASE = mean|y - yhat| / the in-sample mean absolute seasonal-naive step of the training data
  before that window (season m, or 1 when the training data is shorter than 2m), averaged
  over windows; coverage = share of actuals inside [lo, hi]. Censored (NaN) actuals are never
  scored.
- Intervals are split-conformal: backtest residuals divided by a per-series scale, pooled over
  series of similar volume and over blocks of horizon steps, give empirical quantiles; a
  forecast's band is yhat + q * scale, never below 0. Calibrated only on windows other than
  the one being scored, so a backtest's coverage is an honest out-of-sample figure.
"""
from __future__ import annotations

import numpy as np

__all__ = ["mase_scale", "level_scale", "series_metrics", "Calibration", "calibrate", "random_walk_bands"]

MIN_CELL = 150  # residuals per (volume bin, horizon block) before cells are merged


def mase_scale(train: np.ndarray, m: int) -> np.ndarray:
    """(n,) in-sample mean |y_t - y_{t-m}| (NaN-aware); m falls back to 1 for short series."""
    out = np.full(train.shape[0], np.nan)
    for lag in (m, 1) if m > 1 else (1,):
        if train.shape[1] <= lag:
            continue
        d = np.abs(train[:, lag:] - train[:, :-lag])
        cnt = np.sum(~np.isnan(d), axis=1)
        with np.errstate(invalid="ignore"):
            val = np.nansum(d, axis=1) / np.where(cnt > 0, cnt, np.nan)
        use = np.isnan(out) & (cnt >= (lag if lag > 1 else 1)) & (val > 0)   # a season of pairs, else any
        out[use] = val[use]
    return out


def level_scale(train: np.ndarray, span: int) -> np.ndarray:
    """(n,) the size of a series for interval scaling: mean of its last ``span`` observed values,
    plus a tenth of the panel's typical size so that a quiet series still gets a band."""
    n, T = train.shape
    tail = train[:, max(0, T - span):]
    cnt = np.sum(~np.isnan(tail), axis=1)
    with np.errstate(invalid="ignore"):
        mean = np.where(cnt > 0, np.nansum(np.abs(tail), axis=1) / np.maximum(cnt, 1), 0.0)
    typical = float(np.median(mean[mean > 0])) if np.any(mean > 0) else 1.0
    return mean + 0.1 * typical + 1e-9


def series_metrics(y: np.ndarray, yhat: np.ndarray, mscale: np.ndarray,
                   bands: dict[int, tuple[np.ndarray, np.ndarray]]) -> dict[str, np.ndarray]:
    """Per-series figures over windows. y, yhat, band arrays: (W, n, h); mscale: (W, n)."""
    obs = ~np.isnan(y) & ~np.isnan(yhat)          # a point the model did not forecast is not scored
    yv = np.where(obs, y, 0.0)
    err = np.where(obs, yhat - yv, 0.0)
    n_points = obs.sum(axis=(0, 2))
    abs_error = np.abs(err).sum(axis=(0, 2))
    actual = np.abs(yv).sum(axis=(0, 2))
    signed = err.sum(axis=(0, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        wape = np.where(actual > 0, abs_error / actual, np.nan)
        bias = np.where(actual > 0, signed / actual, np.nan)
        per_w = np.abs(err).sum(axis=2) / obs.sum(axis=2)          # (W, n) MAE per window
        mase_w = np.where(np.isfinite(per_w / mscale), per_w / mscale, np.nan)
        n_w = np.sum(~np.isnan(mase_w), axis=0)
        mase = np.where(n_w > 0, np.nansum(mase_w, axis=0) / np.maximum(n_w, 1), np.nan)
    out = {"n_points": n_points, "abs_error": abs_error, "actual": actual, "error": signed,
           "wape": wape, "bias": bias, "mase": mase}
    for level, (lo, hi) in bands.items():
        inside = obs & (yv >= lo - 1e-9) & (yv <= hi + 1e-9)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"coverage_{level}"] = np.where(n_points > 0, inside.sum(axis=(0, 2)) / n_points, np.nan)
    return out


class Calibration:
    """Quantiles of scaled residuals per (volume bin, horizon block), fitted by ``calibrate``."""

    def __init__(self, edges: np.ndarray, blocks: np.ndarray, q: dict[int, np.ndarray]):
        self.edges = edges      # volume-bin edges on the scale
        self.blocks = blocks    # (h,) block index of each horizon step
        self.q = q              # level -> (bins, blocks, 2) lower/upper quantile

    def bands(self, yhat: np.ndarray, scale: np.ndarray, levels, floor=0.0) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """yhat (..., n, h), scale (..., n) -> {level: (lo, hi)}, lo >= floor, lo <= yhat <= hi.

        ``floor``: scalar or (n,) lowest value per series (0 for demand, -inf for a series that
        has negative values)."""
        floor = np.asarray(floor, dtype=float)
        floor = floor[..., None] if floor.ndim else floor
        vb = np.clip(np.searchsorted(self.edges, scale, side="right") - 1, 0, len(self.edges) - 2)
        steps = yhat.shape[-1]       # a horizon longer than the calibrated one reuses its last block
        blocks = self.blocks[np.minimum(np.arange(steps), len(self.blocks) - 1)]
        out = {}
        for level in levels:
            q = self.q[level][vb[..., None], blocks]
            lo = np.maximum(np.minimum(yhat + q[..., 0] * scale[..., None], yhat), floor)
            hi = np.maximum(yhat + q[..., 1] * scale[..., None], yhat)
            out[level] = (lo, hi)
        return out


def calibrate(resid: np.ndarray, scale: np.ndarray, levels, final_scale: np.ndarray | None = None, *,
              block: int = 7, max_blocks: int = 4) -> Calibration:
    """Fit quantiles from residuals (W, n, h) = y - yhat (NaN = not scored) and scales (W, n).

    The horizon is cut into ``h // block`` blocks of steps (at least 1, at most ``max_blocks``), each
    with its own quantiles when it holds enough residuals, so that bands widen with the horizon."""
    W, n, h = resid.shape
    ref = final_scale if final_scale is not None else scale.mean(axis=0)
    r = resid / scale[..., None]
    n_bins = int(np.clip(n // 100, 1, 5))
    edges = np.quantile(ref, np.linspace(0, 1, n_bins + 1)) if n_bins > 1 else np.array([-np.inf, np.inf])
    edges[0], edges[-1] = -np.inf, np.inf
    n_blocks = int(np.clip(h // block, 1, max_blocks))
    blocks = np.minimum(np.arange(h) * n_blocks // h, n_blocks - 1)
    vb = np.clip(np.searchsorted(edges, scale, side="right") - 1, 0, n_bins - 1)   # (W, n)
    flat_r = r.reshape(-1)
    ok = ~np.isnan(flat_r)
    vals = flat_r[ok]
    bins = np.broadcast_to(vb[..., None], r.shape).reshape(-1)[ok]
    blks = np.broadcast_to(blocks, r.shape).reshape(-1)[ok]
    levels = list(levels)
    probs = [p for level in levels for p in ((1 - level / 100) / 2, 1 - (1 - level / 100) / 2)]
    # every level's two quantiles in one call per cell (the same figures as one call per level)
    base = np.quantile(vals, probs) if vals.size else np.tile([-1.0, 1.0], len(levels))
    table = np.zeros((n_bins, n_blocks, len(probs)))
    for b in range(n_bins):
        in_bin = bins == b
        v, k_of = vals[in_bin], blks[in_bin]
        bin_q = np.quantile(v, probs) if v.size >= MIN_CELL else base
        for k in range(n_blocks):
            cell = v[k_of == k]
            table[b, k] = np.quantile(cell, probs) if cell.size >= MIN_CELL else bin_q
    q = {level: table[:, :, 2 * i:2 * i + 2] for i, level in enumerate(levels)}
    return Calibration(edges, blocks, q)


def random_walk_bands(y: np.ndarray, yhat: np.ndarray, levels, floor) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Bands when no backtest residual exists at all (every series too short to hold one out):
    yhat +- z * sigma * sqrt(k) at step k, the random walk's spread, with sigma the root mean
    square of each series' observed one-period changes. A series with no change to measure (one
    value) takes the panel's median sigma relative to its level, or its own level when no series
    has one: wide, because nothing is known."""
    from statistics import NormalDist

    n, T = y.shape
    d = np.diff(y, axis=1) if T > 1 else np.full((n, 0), np.nan)
    cnt = (~np.isnan(d)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.where(cnt > 0, np.sqrt(np.nansum(d * d, axis=1) / np.maximum(cnt, 1)), np.nan)
        level = np.abs(np.nanmean(np.where(np.isnan(y).all(axis=1, keepdims=True), 0.0, y), axis=1))
        rel = sigma / level
    good = np.isfinite(rel) & (cnt > 0)
    fill = float(np.median(rel[good])) if good.any() else 1.0
    sigma = np.where(cnt > 0, sigma, fill * level)
    steps = np.sqrt(np.arange(1, yhat.shape[-1] + 1))
    floor = np.asarray(floor, dtype=float)[:, None]
    out = {}
    for level_pct in levels:
        z = NormalDist().inv_cdf(0.5 + float(level_pct) / 200)
        half = z * sigma[:, None] * steps[None, :]
        out[level_pct] = (np.maximum(yhat - half, floor), yhat + half)
    return out
