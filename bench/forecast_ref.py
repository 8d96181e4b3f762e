"""statsforecast reference forecasts (AutoETS, Theta, ...) for the forecast benchmarks.

Runs ONLY inside the reference venv (statsforecast 2.1.1 needs pandas < 3; build it with
`bash bench/ref_venv.sh`); standalone, imports nothing from lib/:

    bench/.venv-ref/bin/python bench/forecast_ref.py --input series.parquet --output ref.parquet \
        --h 28 --n-windows 3 --season 7 --freq D [--models AutoETS,Theta] [--n-jobs 2] [--min-train N]
    bench/.venv-ref/bin/python bench/forecast_ref.py --mode final --input train.parquet --output ref.parquet \
        --h 18 --season 12 --freq MS --models AutoETS,Theta,DynamicOptimizedTheta,SeasonalNaive

Input parquet: unique_id (str), ds (datetime64), y (float). NaN in y means a censored/unknown day
(e.g. out of stock). Before fitting, NaN are filled by linear interpolation in time between the
nearest known values of the same series, then with 0 at the edges (leading/trailing NaN). Series may
start and end at different dates; days inside a series must be contiguous at `freq`.

Models (MODELS, each with `season_length=season`, 80/95 % intervals): AutoETS, Theta,
DynamicOptimizedTheta, SeasonalNaive. In the default mode `cv` (bench/forecast.py), for each model:
- cross-validation: `n_windows` rolling origins, `step_size=h`, the last window ending at the
  series' last date (its cutoff is the last date minus h). Only series with at least
  `h * n_windows + min_train` days take part (default `min_train` = 2 * season): statsforecast
  rejects shorter series, and AutoETS cannot fit a handful of days;
- a final forecast of h steps beyond each series' last date, on all series.

Output parquet, long format: unique_id, ds, cutoff (NaT for the final forecast), model, yhat,
yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95, y. y is the ORIGINAL input value (NaN on censored
days) for backtest rows and NaN for final-forecast rows, so scoring on it excludes censored days.
Mode `final` (bench/forecast_public.py): no cross-validation; each model is fitted on the whole
input and forecasts h steps beyond each series' last date (`--n-windows` is not used). Its clock
starts with the data frame in hand (read from the parquet) and stops with the forecasts out, the
NaN fill included; its `seconds` hold final_wall and final_cpu only.

stdout: one JSON line with per-model wall/CPU seconds (cross-validation and final separately; CPU
includes the worker processes), series counts and the statsforecast/pandas/numpy versions.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import statsforecast
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, DynamicOptimizedTheta, SeasonalNaive, Theta

__all__ = ["LEVELS", "MODELS", "OUTPUT_COLUMNS", "fill_censored", "to_long", "run_reference", "run_final",
           "main"]

MODELS: dict[str, Callable[[int], Any]] = {
    "AutoETS": lambda season: AutoETS(season_length=season),
    "Theta": lambda season: Theta(season_length=season),
    "DynamicOptimizedTheta": lambda season: DynamicOptimizedTheta(season_length=season),
    "SeasonalNaive": lambda season: SeasonalNaive(season_length=season),
}
LEVELS = (80, 95)
OUTPUT_COLUMNS = ["unique_id", "ds", "cutoff", "model", "yhat", "yhat_lo_80", "yhat_hi_80",
                  "yhat_lo_95", "yhat_hi_95", "y"]


def fill_censored(df: pd.DataFrame) -> pd.DataFrame:
    """Sorted copy of [unique_id, ds, y] with NaN y interpolated linearly in time within each
    series and set to 0 before the first / after the last known value."""
    out = df[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    x = out["ds"].to_numpy("datetime64[ns]").astype(np.int64).astype(float)
    y = out["y"].to_numpy(float)
    known = ~np.isnan(y)
    points = pd.DataFrame({"x": np.where(known, x, np.nan), "y": y})
    groups = points.groupby(out["unique_id"].to_numpy(), sort=False)
    before, after = groups.ffill(), groups.bfill()
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = (x - before["x"].to_numpy()) / (after["x"].to_numpy() - before["x"].to_numpy())
    inside = before["y"].to_numpy() + weight * (after["y"].to_numpy() - before["y"].to_numpy())
    out["y"] = np.where(known, y, np.nan_to_num(inside, nan=0.0))
    return out


def to_long(wide: pd.DataFrame, model: str) -> pd.DataFrame:
    """statsforecast's wide output for one model (columns `model`, `model-lo-80`, ...) in the
    long OUTPUT_COLUMNS layout; `cutoff` becomes NaT when absent (final forecast)."""
    names = {model: "yhat"}
    for level in LEVELS:
        names[f"{model}-lo-{level}"] = f"yhat_lo_{level}"
        names[f"{model}-hi-{level}"] = f"yhat_hi_{level}"
    out = wide.rename(columns=names)
    if "cutoff" not in out:
        out["cutoff"] = pd.Series(pd.NaT, index=out.index, dtype=out["ds"].dtype)
    out["model"] = model
    return out[[c for c in OUTPUT_COLUMNS if c != "y"]]


def _clock() -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process plus its reaped worker processes)."""
    t = os.times()
    return time.perf_counter(), t.user + t.system + t.children_user + t.children_system


def run_reference(series: pd.DataFrame, h: int, n_windows: int, season: int, freq: str,
                  models: list[str], n_jobs: int = 1,
                  min_train: int | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Cross-validation and final forecasts of every model on `series` (see the module docstring).
    Returns the long frame (OUTPUT_COLUMNS) and a report dict (timings, series counts)."""
    min_train = 2 * season if min_train is None else min_train
    filled = fill_censored(series)
    lengths = filled.groupby("unique_id", sort=False)["ds"].transform("size")
    cv_input = filled[lengths >= h * n_windows + min_train]
    report: dict[str, Any] = {"n_series": int(filled["unique_id"].nunique()),
                              "n_series_cv": int(cv_input["unique_id"].nunique()),
                              "min_train": min_train, "seconds": {}}
    parts = []
    for name in models:
        sf = StatsForecast(models=[MODELS[name](season)], freq=freq, n_jobs=n_jobs)
        wall0, cpu0 = _clock()
        cv = sf.cross_validation(h=h, df=cv_input, n_windows=n_windows, step_size=h, level=list(LEVELS))
        wall1, cpu1 = _clock()
        final = sf.forecast(h=h, df=filled, level=list(LEVELS))
        wall2, cpu2 = _clock()
        report["seconds"][name] = {"cv_wall": round(wall1 - wall0, 2), "cv_cpu": round(cpu1 - cpu0, 2),
                                   "final_wall": round(wall2 - wall1, 2),
                                   "final_cpu": round(cpu2 - cpu1, 2)}
        parts += [to_long(cv, name), to_long(final, name)]
    out = pd.concat(parts, ignore_index=True)
    out[["ds", "cutoff"]] = out[["ds", "cutoff"]].astype(series["ds"].dtype)
    actual = series[["unique_id", "ds", "y"]]
    out = out.merge(actual, on=["unique_id", "ds"], how="left", validate="many_to_one")
    out.loc[out["cutoff"].isna(), "y"] = np.nan
    return out[OUTPUT_COLUMNS], report


def run_final(series: pd.DataFrame, h: int, season: int, freq: str, models: list[str],
              n_jobs: int = 1) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fit each model on the whole of `series` and forecast h steps (no cross-validation).
    Returns the long frame (OUTPUT_COLUMNS; cutoff NaT, y NaN) and a report dict (timings)."""
    report: dict[str, Any] = {"n_series": int(series["unique_id"].nunique()), "mode": "final", "seconds": {}}
    parts = []
    for name in models:
        sf = StatsForecast(models=[MODELS[name](season)], freq=freq, n_jobs=n_jobs)
        wall0, cpu0 = _clock()
        final = sf.forecast(h=h, df=fill_censored(series), level=list(LEVELS))
        wall1, cpu1 = _clock()
        report["seconds"][name] = {"final_wall": round(wall1 - wall0, 2), "final_cpu": round(cpu1 - cpu0, 2)}
        parts.append(to_long(final, name))
    out = pd.concat(parts, ignore_index=True)
    out[["ds", "cutoff"]] = out[["ds", "cutoff"]].astype(series["ds"].dtype)
    out["y"] = np.nan
    return out[OUTPUT_COLUMNS], report


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: read the input parquet, write the output parquet, print JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--h", type=int, required=True)
    ap.add_argument("--mode", choices=["cv", "final"], default="cv")
    ap.add_argument("--n-windows", type=int, default=None, help="mode cv only (required there)")
    ap.add_argument("--season", type=int, required=True)
    ap.add_argument("--freq", required=True)
    ap.add_argument("--models", default="AutoETS,Theta")
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--min-train", type=int, default=None)
    args = ap.parse_args(argv)
    models = args.models.split(",")
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        ap.error(f"unknown models {unknown}; choose from {sorted(MODELS)}")
    if args.mode == "cv" and args.n_windows is None:
        ap.error("--n-windows is required in mode cv")
    series = pd.read_parquet(args.input, columns=["unique_id", "ds", "y"])
    if args.mode == "final":
        out, report = run_final(series, args.h, args.season, args.freq, models, args.n_jobs)
    else:
        out, report = run_reference(series, args.h, args.n_windows, args.season, args.freq, models,
                                    args.n_jobs, args.min_train)
    out.to_parquet(args.output, index=False)
    report["versions"] = {"statsforecast": statsforecast.__version__, "pandas": pd.__version__,
                          "numpy": np.__version__}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
