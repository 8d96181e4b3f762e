"""Calibration of pricing.elasticities on panels this project's demo did not generate.

    .venv/bin/python bench/pricing_calibration.py [--seeds 3] [--cats 8] [--skus 15] [--weeks 104]

The panels come from tests/support/pricing_panel.py (its docstring lists what it plants). Grid: the
between-SKU spread of elasticities within a category sd in {0, 0.2, 0.4, 0.6} x mean weekly volume in
{2, 20, 200} units x two promotion/season settings (10 % promotion weeks with a season amplitude of 0.2;
30 % with 0.5), ``--seeds`` seeds each. Every panel mixes SKUs whose list price never moved ("none"),
moved once or twice by 3-8 % ("thin") or every 6-16 weeks ("rich").

Prints, per sd x volume x price class and pooled over seeds and settings: how many SKUs, the share
whose 95 % and 80 % intervals contain the true elasticity, the median absolute error and the median
interval width (95 %); then the per-setting totals and the runtime of pricing.elasticities on one
8 x 15 SKU x 104 week panel (wall clock, the first fit excluded). Targets (issue 15): coverage 92-98 %
(95 %) and 75-85 % (80 %) in every regime; thin SKUs width <= 2 and median error <= 0.5; < 10 s.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.calibration import coverage_table, markdown  # noqa: E402
from tests.support.pricing_panel import panel, score  # noqa: E402

__all__ = ["run", "main"]

SDS = (0.0, 0.2, 0.4, 0.6)
VOLUMES = (2, 20, 200)
SETTINGS = {"promo 10%, season 0.2": (0.1, 0.2), "promo 30%, season 0.5": (0.3, 0.5)}


def run(seeds: int, cats: int, skus: int, weeks: int) -> pd.DataFrame:
    out = []
    for sd in SDS:
        for vol in VOLUMES:
            for name, (promo, season) in SETTINGS.items():
                for seed in range(seeds):
                    p = panel(1000 * seed + 17, sd=sd, volume=vol, promo_rate=promo, season=season,
                              n_cats=cats, n_skus=skus, weeks=weeks)
                    out.append(score(p.sales, p.truth).assign(sd=sd, volume=vol, setting=name, seed=seed))
            print(f"  sd {sd} volume {vol}: done", file=sys.stderr, flush=True)
    return pd.concat(out, ignore_index=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--cats", type=int, default=8)
    ap.add_argument("--skus", type=int, default=15)
    ap.add_argument("--weeks", type=int, default=104)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    r = run(a.seeds, a.cats, a.skus, a.weeks)
    r = r[np.isfinite(r["est"])]
    print(f"{a.seeds} seeds x {len(SETTINGS)} settings per regime, {a.cats} categories x {a.skus} SKUs x "
          f"{a.weeks} weeks per panel ({time.perf_counter() - t0:.0f} s)\n")
    print(markdown(coverage_table(r, ["sd", "volume", "price_class"], "SKUs", 2)))
    print()
    print(markdown(coverage_table(r, ["price_class", "setting"], "SKUs", 2)))
    p = panel(99, sd=0.4, volume=20, n_cats=8, n_skus=15, weeks=104)
    from lib import pricing
    pricing.elasticities(p.sales)
    t = time.perf_counter()
    pricing.elasticities(p.sales)
    print(f"\npricing.elasticities on 120 SKUs x 104 weeks: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
