"""SKU forecasts summed up to a category or the whole store (bottom-up), with their own bands.

Point forecasts add up exactly. Bands do not (quantiles of a sum are not sums of quantiles),
so each level gets its own conformal bands, calibrated on the summed backtest residuals at that
level. Backtest points are summed over the member series whose actual was observed (a censored
stockout day of one SKU drops that SKU from the day's sum on both sides), so scoring at a level
compares like with like.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.forecast import api, engine, scoring

__all__ = ["LEVELS", "rollup"]

LEVELS = ("sku", "category", "store")
STORE = "All products"


def _labels(r: engine.Run, level: str, group: str) -> np.ndarray:
    if level == "store":
        return np.full(r.panel.n, STORE, dtype=object)
    if group not in r.panel.groups:
        raise ValueError(f"The history has no {group!r} column to sum the forecasts by.")
    return np.asarray(r.panel.groups[group], dtype=object)


def rollup(history: pd.DataFrame, h: int, freq: str, level: str = "category", *, group: str = "category",
           n_windows: int = 3, model="auto", future: pd.DataFrame | None = None, seed: int = 0,
           progress=None, only: str | None = None) -> dict[str, pd.DataFrame]:
    """Forecast, backtest and history at ``level`` ("sku", "category" or "store").

    Returns {"forecast": [unique_id, ds, yhat, bands 80/95], "backtest": [unique_id, ds, cutoff,
    model, y, yhat, bands], "history": [unique_id, ds, y (observed units), censored (member
    series out of stock)], "accuracy": [unique_id, model, wape, mase, bias, coverage_80,
    coverage_95]} where unique_id is the SKU, the category or "All products"; ``only`` keeps one
    of them (the SKU level of a big catalogue is otherwise large)."""
    if level not in LEVELS:
        raise ValueError(f"Unknown level {level!r}: choose sku, category or store.")
    r = engine.run(history, h, freq, n_windows, model, future, seed, progress)
    p = r.panel
    if level == "sku":
        labels = p.ids.astype(object)
    else:
        labels = _labels(r, level, group)
    if only is not None:
        keep = labels.astype(str) == str(only)
        if not keep.any():
            raise ValueError(f"Nothing to forecast for {only!r} at the {level} level.")
        labels = np.where(keep, labels.astype(str), "")
    keys, code = np.unique(labels.astype(str), return_inverse=True)
    G = len(keys)

    def gsum(a: np.ndarray) -> np.ndarray:          # (..., n, k) -> (..., G, k)
        moved = np.moveaxis(np.nan_to_num(a), -2, 0)
        out = np.zeros((G, *moved.shape[1:]))
        np.add.at(out, code, moved)
        return np.moveaxis(out, 0, -2)

    idx = api.selected(r)
    yhat = gsum(api._take(r.final, r.candidates, idx))
    obs = ~np.isnan(r.truth)
    truth = np.where(gsum(obs.astype(float)) > 0, gsum(np.where(obs, r.truth, 0.0)), np.nan)
    span = max(4 * p.m, 3 * h, 28)
    gl = gsum(np.where(np.isnan(p.y), 0.0, p.y))
    level_scale = scoring.level_scale(gl, span)
    win_scale = np.stack([scoring.level_scale(gl[:, :c], span) for c in r.cutoffs]) if r.cutoffs else None

    scored = api._scored(r, model)
    bt_frames, acc_rows = [], []
    auto_name = "auto" if "auto" in scored else r.candidates[0]
    for name, (pred, _) in scored.items():
        gp = gsum(np.where(obs, pred, 0.0))
        bands = {}
        if len(r.cutoffs) > 1:
            bands = {lv: (np.full(gp.shape, np.nan), np.full(gp.shape, np.nan)) for lv in api.BT_LEVELS}
            for w in range(len(r.cutoffs)):
                others = [k for k in range(len(r.cutoffs)) if k != w]
                cal = scoring.calibrate(truth[others] - gp[others], win_scale[others], api.BT_LEVELS,
                                        final_scale=win_scale[w])
                for lv, (lo, hi) in cal.bands(gp[w], win_scale[w], api.BT_LEVELS).items():
                    bands[lv][0][w], bands[lv][1][w] = lo, hi
        mscale = np.stack([scoring.mase_scale(gl[:, :c], p.m) for c in r.cutoffs]) if r.cutoffs else None
        met = scoring.series_metrics(truth, gp, mscale, bands) if r.cutoffs else {}
        if met:
            acc_rows.append(pd.DataFrame({"unique_id": keys, "model": name,
                                          **{k: met.get(k, np.nan) for k in
                                             ("wape", "mase", "bias", "coverage_80", "coverage_95")}}))
        for w, c in enumerate(r.cutoffs):
            ds = p.dates[c:c + r.length]
            L = len(ds)
            f = pd.DataFrame({"unique_id": np.repeat(keys, L), "ds": np.tile(ds.to_numpy(), G),
                              "cutoff": p.dates[c - 1], "model": name, "y": truth[w, :, :L].reshape(-1),
                              "yhat": gp[w, :, :L].reshape(-1)})
            for lv in api.BT_LEVELS:
                b = bands.get(lv)
                f[f"yhat_lo_{lv}"] = b[0][w, :, :L].reshape(-1) if b else np.nan
                f[f"yhat_hi_{lv}"] = b[1][w, :, :L].reshape(-1) if b else np.nan
            bt_frames.append(f)

    fc = pd.DataFrame({"unique_id": np.repeat(keys, h), "ds": np.tile(p.future_dates.to_numpy(), G),
                       "yhat": yhat.reshape(-1)})
    if r.cutoffs:
        pick_pred = gsum(np.where(obs, scored[auto_name][0], 0.0))
        cal = scoring.calibrate(truth - pick_pred, win_scale, api.BT_LEVELS, final_scale=level_scale)
        for lv, (lo, hi) in cal.bands(yhat, level_scale, api.BT_LEVELS).items():
            fc[f"yhat_lo_{lv}"], fc[f"yhat_hi_{lv}"] = lo.reshape(-1), hi.reshape(-1)
    else:
        for lv in api.BT_LEVELS:
            fc[f"yhat_lo_{lv}"] = fc[f"yhat_hi_{lv}"] = np.nan
    hist = pd.DataFrame({"unique_id": np.repeat(keys, p.T), "ds": np.tile(p.dates.to_numpy(), G),
                         "y": gl.reshape(-1),
                         "censored": gsum(np.asarray(p.censored, dtype=float)).reshape(-1) > 0})
    if only is not None:
        fc, hist = fc[fc["unique_id"] == str(only)], hist[hist["unique_id"] == str(only)]
        bt = [f[f["unique_id"] == str(only)] for f in bt_frames]
        bt_frames = bt
        acc_rows = [a[a["unique_id"] == str(only)] for a in acc_rows]
    return {"forecast": fc.reset_index(drop=True), "backtest": pd.concat(bt_frames, ignore_index=True) if bt_frames else pd.DataFrame(),
            "history": hist.reset_index(drop=True),
            "accuracy": pd.concat(acc_rows, ignore_index=True) if acc_rows else pd.DataFrame()}
