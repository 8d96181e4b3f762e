"""Month and long-week views of the demo store: what the second (monthly / weekly) run costs, and whether the
numbers hold across grains.

    nice -n 10 .venv/bin/python bench/forecast_grains.py [--scale 1] [--seed 101]

Data: the demo store (seed 101 by default: no constant of lib/forecast/longrun.py was chosen on any store),
loaded through the app's loader into its own warehouse under data/bench/grains-<params>/.
Prints: wall time of the shared daily run and of the monthly and weekly runs (each after the daily one),
the largest gap between a month (or week 1-13) and the sum of the daily forecast over its days (the rule
says 0 for periods the daily run covers), the spread of the per-SKU reconciliation factors, and the
monthly and weekly runs' store-level backtest WAPE of auto beside seasonal naive.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AS_OF = date(2026, 11, 26)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=101)
    args = ap.parse_args()
    from lib.forecast import longrun, store
    from lib.ingest import load_demo
    from lib.settings import Settings
    from lib.warehouse import Warehouse

    d = ROOT / "data" / "bench" / f"grains-seed{args.seed}-scale{args.scale:g}-{AS_OF.isoformat()}"
    d.mkdir(parents=True, exist_ok=True)
    wh = Warehouse.open(settings=Settings(data_dir=d))
    if wh.is_empty():
        load_demo(wh, d, seed=args.seed, scale=args.scale, as_of=AS_OF, traffic=0.001)
    t = time.perf_counter()
    daily = store.store_run(wh, AS_OF)
    print(f"daily run ({len(daily.skus)} SKUs, {store.HORIZON} days): {time.perf_counter() - t:.1f} s", flush=True)
    for grain, h in (("month", longrun.MONTH_HORIZON), ("week", longrun.WEEK_HORIZON)):
        t = time.perf_counter()
        r = longrun.reconciled(wh, AS_OF, grain)
        took = time.perf_counter() - t
        p = r.periods()
        fc = r.forecast("sku", grain, h).pivot(index="unique_id", columns="ds", values="yhat").to_numpy()
        days = daily.forecast("sku", "day", store.HORIZON).pivot(index="unique_id", columns="ds",
                                                                  values="yhat").to_numpy()
        whole = (p["covered"] == p["days"]).to_numpy()
        sums = np.stack([days[:, o:o + c].sum(axis=1) for o, c in zip(p["offset"][whole], p["covered"][whole],
                                                                     strict=True)], axis=1)
        gap = float(np.abs(fc[:, whole] - sums).max())
        f = r.parts()["factor"]
        f = f[np.isfinite(f)]
        acc = r.accuracy("store", grain, min(h, r.windows(grain)[1] or 1)).set_index("model")["wape"]
        print(f"{grain} run ({h} ahead): {took:.1f} s; {int(whole.sum())} periods inside the daily run, largest "
              f"gap to the daily sums {gap:.2e} units; factor per SKU median {np.median(f):.2f}, 10-90% "
              f"{np.quantile(f, 0.1):.2f}-{np.quantile(f, 0.9):.2f} ({len(f)} SKUs); store backtest WAPE "
              f"auto {acc.get('auto', np.nan):.3f} vs seasonal naive {acc.get('seasonal_naive', np.nan):.3f} "
              f"(windows x periods: {r.windows(grain)})", flush=True)
    wh.dispose()


if __name__ == "__main__":
    main()
