"""Cached rerun time of every page, and what checking chart specs costs.

    .venv/bin/python bench/reruns.py [--repeat 7]

Data: the load benchmark's demo store (bench/load.py: seed 7, scale 1, as of 2026-11-26; built once
under data/bench/). Each page runs once in Streamlit's AppTest to fill the caches, then --repeat
times more, alternating two settings in the same process:

- ``app``: as the app runs (lib/ui/downloads.VALIDATE_ON_SCREEN = False: Streamlit's ``to_dict()``
  skips the Vega-Lite JSON-schema check of each chart spec; the chart tests validate them);
- ``validated``: Streamlit's own behaviour (every spec checked on every run), the reference.

Prints the median of each and their ratio per page. A cached rerun is what a session waits for after
each click once the data is in the caches, and under load every session queues behind the others'.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGES = ("overview", "funnel", "cohorts", "explore", "forecast", "replenish", "pricing")


def measure(repeat: int) -> list[tuple[str, float, float, int]]:
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    from lib.ui.widgets import downloads

    set_log_level("error")
    out = []
    for name in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.run()
        at.switch_page(f"pages/{name}_page.py")
        at.run()                                          # fills the caches (Forecast: every SKU)
        problems = len(at.exception) + len(at.error)
        secs: dict[bool, list[float]] = {False: [], True: []}
        for k in range(2 * repeat):
            validate = bool(k % 2)
            downloads.VALIDATE_ON_SCREEN = validate
            t = time.perf_counter()
            at.run()
            secs[validate].append(time.perf_counter() - t)
        downloads.VALIDATE_ON_SCREEN = False
        out.append((name, statistics.median(secs[False]), statistics.median(secs[True]), problems))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7, help="timed reruns per page and setting")
    args = ap.parse_args()
    from load import data_dir

    d = data_dir()
    os.environ["SHOPCAST_DATA_DIR"] = str(d)
    os.environ.pop("DATABASE_URL", None)
    os.chdir(ROOT)
    rows = measure(args.repeat)
    print(f"cached page reruns (AppTest, {d.relative_to(ROOT)}, median of {args.repeat} each, alternated)")
    print(f"  {'page':<12} {'app s':>7} {'validated s':>12} {'ratio':>6}")
    for name, app, ref, problems in rows:
        note = f"  ({problems} error elements on the page)" if problems else ""
        print(f"  {name:<12} {app:7.3f} {ref:12.3f} {app / ref:6.2f}{note}")
    app_all, ref_all = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"  {'all pages':<12} {app_all:7.3f} {ref_all:12.3f} {app_all / ref_all:6.2f}")
    return 1 if any(r[3] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
