"""CLI: ``python -m lib.demo --seed 7 --scale 1 --out data/demo --as-of 2026-11-26 [--format csv] [--traffic 1]
[--no-holidays]``."""

from __future__ import annotations

import argparse
import json
import resource
import sys
from datetime import date

from .generator import DEFAULT_AS_OF, FORMATS, generate


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate the demo store, print a JSON summary."""
    ap = argparse.ArgumentParser(prog="python -m lib.demo", description="Generate the Shopcast demo store.")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--out", default="data/demo")
    ap.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF,
                    help=f"last day of history, inclusive (default {DEFAULT_AS_OF.isoformat()})")
    ap.add_argument("--format", choices=FORMATS, default="parquet")
    ap.add_argument("--traffic", type=float, default=1.0,
                    help="share of non-buying web sessions written, 0 < t <= 1 (default 1: all); "
                         "purchase sessions are always written")
    ap.add_argument("--no-holidays", action="store_true",
                    help="plant no retail holidays (every holiday multiplier 1.0; promotions unchanged)")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args(argv)

    def progress(frac: float, msg: str) -> None:
        sys.stderr.write(f"\r[{'#' * int(frac * 30):<30}] {frac:5.1%} {msg:<40}")
        if frac >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()

    summary = generate(args.out, seed=args.seed, scale=args.scale, as_of=args.as_of, fmt=args.format,
                       progress=None if args.quiet else progress, traffic=args.traffic,
                       holidays=not args.no_holidays)
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
