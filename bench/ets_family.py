"""Time and accuracy of the ETS family (lib/forecast/ets_family.py) on synthetic panels.

    nice -n 10 .venv/bin/python bench/ets_family.py [--seed 11]

Prints: wall time of ``autoets`` (fit + forecast) on 617 monthly series x 70 points (h=18) and on a
2,000 x 730 daily panel of Poisson counts with a weekly season (h=28), and, on 300 synthetic
monthly series drawn from ETS-like processes (additive / multiplicative season, trend, damped,
noise; h=18), the MASE of autoets, damped, the old ``ets`` (local_ets), theta, the combination
mean(autoets, theta, damped) and seasonal naive. Synthetic only: no competition data.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib.forecast import ets_family, local  # noqa: E402


def monthly(n: int, T: int, seed: int) -> np.ndarray:
    """Seasonal monthly series: level 50-500, trend (some damped), add/mult season, noise 3-15 %."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    rows = []
    for _ in range(n):
        level = rng.uniform(50, 500)
        slope = rng.choice([0.0, 1.0]) * rng.normal(0, 0.006) * level
        phi = rng.choice([1.0, 0.95])
        trend = level + slope * (phi ** np.arange(1, T + 1)).cumsum()
        amp = rng.uniform(0.05, 0.4)
        shape = rng.normal(0, 1, 12)
        shape = amp * shape / np.abs(shape).max()
        noise = rng.uniform(0.03, 0.15)
        # a random-walk level on top: the smoothing parameters matter
        walk = np.cumsum(rng.normal(0, noise / 3, T))
        if rng.random() < 0.5:
            y = trend * (1 + walk) * (1 + shape[t % 12]) * (1 + rng.normal(0, noise, T))
        else:
            y = trend * (1 + walk) + level * shape[t % 12] + level * rng.normal(0, noise, T)
        rows.append(np.maximum(y, 1.0))
    return np.array(rows)


def mase(y_tr, y_te, f, m):
    scale = np.nanmean(np.abs(y_tr[:, m:] - y_tr[:, :-m]), axis=1)
    return float(np.nanmean(np.nanmean(np.abs(y_te - f), axis=1) / scale))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    ym = monthly(617, 70, a.seed)
    t = time.perf_counter()
    ets_family.autoets(ym, 18, 12)
    print(f"autoets 617 x 70 monthly, h=18: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    local.ets(ym, 18, 12)
    print(f"old ets 617 x 70 monthly, h=18: {time.perf_counter() - t:.2f} s")
    rng = np.random.default_rng(a.seed)
    d = np.arange(730)
    week = np.array([1.0, 0.9, 0.8, 0.9, 1.1, 1.4, 1.5])
    yd = rng.poisson(rng.gamma(1.0, 3.0, (2000, 1)) * week[d % 7][None, :]).astype(float)
    for name, fn in (("autoets", ets_family.autoets), ("old ets", local.ets)):
        t = time.perf_counter()
        fn(yd, 28, 7)
        print(f"{name} 2000 x 730 daily (Poisson, weekly season), h=28: {time.perf_counter() - t:.2f} s")
    y = monthly(300, 90, a.seed + 1)
    tr, te = y[:, :72], y[:, 72:]
    fits = {"autoets": ets_family.autoets(tr, 18, 12), "damped": ets_family.damped(tr, 18, 12),
            "old ets": local.ets(tr, 18, 12), "theta": local.theta(tr, 18, 12),
            "seasonal_naive": local.seasonal_naive(tr, 18, 12)}
    fits["combination"] = np.mean([fits["autoets"], fits["theta"], fits["damped"]], axis=0)
    for name, f in fits.items():
        print(f"MASE {name:>15}: {mase(tr, te, f, 12):.3f}  (300 synthetic monthly series, 72 points, h=18)")


if __name__ == "__main__":
    main()
