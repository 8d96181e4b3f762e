"""Calibration of promotion lift intervals (pricing.promo_lift, pricing.promo_effects) on daily panels
this project's demo did not generate.

    .venv/bin/python bench/promo_calibration.py [--seeds 6] [--cats 4] [--skus 8] [--days 730]

The panels come from tests/support/promo_panel.py (its docstring lists what it plants and defines each
truth). Grid: mean weekly units {2, 20, 200} x promotion frequency {5 %, 15 % of a SKU's days in
SKU-level promotions, a third of that in category-level ones} x per-promotion deviation of the lift
{none, sd 0.2}, ``--seeds`` seeds each.

Prints three markdown tables, pooled over seeds: per promotion (volume x frequency x deviation x SKU- or
category-level promotion), per type x depth bucket (volume x frequency) and k per type (volume), each
with how many intervals, the share whose 95 % and 80 % intervals contain the truth, the median absolute
error and the median width of the 95 % interval (in lift units: units / baseline, or k); then the runtime
of promo_lift on one panel. Targets (issue 15): 95 % intervals cover 92-98 %, 80 % ones 75-85 %, in
every regime.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.calibration import coverage_table, markdown  # noqa: E402
from tests.support.promo_panel import panel, score  # noqa: E402

__all__ = ["run", "main"]

VOLUMES = (2, 20, 200)
FREQUENCIES = (0.05, 0.15)
DEVIATIONS = (0.0, 0.2)


def run(seeds: int, cats: int, skus: int, days: int) -> dict[str, pd.DataFrame]:
    out: dict[str, list] = {"promo": [], "depth": [], "k": []}
    for vol in VOLUMES:
        for freq in FREQUENCIES:
            for dev in DEVIATIONS:
                for seed in range(seeds):
                    p = panel(1000 * seed + 29, volume=vol, promo_rate=freq, dev_sd=dev, n_cats=cats,
                              n_skus=skus, days=days)
                    for name, r in score(p).items():
                        out[name].append(r.assign(volume=vol, frequency=freq, deviation=dev, seed=seed))
        print(f"  volume {vol}: done", file=sys.stderr, flush=True)
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--cats", type=int, default=4)
    ap.add_argument("--skus", type=int, default=8)
    ap.add_argument("--days", type=int, default=730)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    r = run(a.seeds, a.cats, a.skus, a.days)
    print(f"{a.seeds} seeds per regime, {a.cats} categories x {a.skus} SKUs x {a.days} days per panel "
          f"({time.perf_counter() - t0:.0f} s)\n")
    print("Per promotion (by_promo):\n")
    print(markdown(coverage_table(r["promo"], ["volume", "frequency", "deviation", "level"], "promotions")))
    print("\nPer type x depth bucket (by_depth):\n")
    print(markdown(coverage_table(r["depth"], ["volume", "frequency"], "buckets")))
    print("\nExtra lift k per type (promo_effects, true elasticities):\n")
    print(markdown(coverage_table(r["k"], ["volume", "deviation"], "types")))
    from lib.pricing import promo_lift
    p = panel(99, volume=20, n_cats=a.cats, n_skus=a.skus, days=a.days)
    promo_lift(p.daily, p.promotions)
    t = time.perf_counter()
    promo_lift(p.daily, p.promotions)
    print(f"\npromo_lift on {a.cats * a.skus} SKUs x {a.days} days ({len(p.promotions)} promotions): "
          f"{time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
