"""`python -m lib.ingest.bootstrap --if-empty --seed 7 --as-of 2026-11-26`: load the demo store.

Used by `make run` before the app starts (the app then owns the DuckDB file).
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from lib.ingest import load_demo
from lib.settings import Settings
from lib.warehouse import Warehouse

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--if-empty", action="store_true", help="do nothing when data is already loaded")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--as-of", type=date.fromisoformat, required=True)
    args = ap.parse_args(argv)
    settings = Settings.from_env()
    wh = Warehouse.open(settings=settings)
    if args.if_empty and not wh.is_empty():
        print(f"warehouse already has data ({wh.label}); not loading the demo store")
        return 0
    t0 = time.time()
    last = [-1]

    def progress(frac: float, msg: str) -> None:
        pct = int(frac * 100)
        if pct // 10 != last[0] // 10:
            print(f"  {pct:3d}% {msg}", flush=True)
        last[0] = pct

    reports = load_demo(wh, settings.data_dir, seed=args.seed, scale=args.scale, as_of=args.as_of,
                        progress=progress)
    for r in reports:
        print(f"  loaded {r.feed:10s} {r.rows:>10,} rows")
    print(f"demo store loaded into {wh.label} in {time.time() - t0:.1f} s")
    wh.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
