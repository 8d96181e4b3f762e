"""Notebook export: how long one HTML file of every kind of view takes, and what it does to other work.

    .venv/bin/python bench/notebook_export.py [--scale 0.25] [--seed 11] [--repeat 3]

Data: a demo store (default seed 11, scale 0.25: not the seed the journeys and tests use), generated once
under data/bench/. The notebook holds a note and one view of each analysis page with a control changed
(Overview last 90 days, Funnel by channel, Cohorts by acquisition channel, Explore revenue by category,
Forecast of the best-selling SKU by week, Replenishment at 99%, Pricing health): the export builds each
from the same lib functions and chart builders as its page (lib/reports), on a worker thread as the app
does (lib.jobs).

Prints:
- the first export (cold: the shared forecast run and every query computed) and the median of
  ``--repeat`` warm exports (the forecast run memoised, as after anyone opened Forecast);
- the file size and what it holds (views, inline SVG charts, tables);
- the latency of a query another session would run (the Overview's KPI comparison) while an export runs
  on the worker thread, against the same query with nothing else running (median of as many as fit):
  the export shares one Python interpreter with the sessions, so this is the slowdown a user sees while
  a colleague exports. Before this change the export ran Streamlit's AppTest inside the server and
  stopped it serving anyone (issue 21).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 26)


def _store(scale: float, seed: int):
    from lib.ingest import load_demo
    from lib.settings import Settings
    from lib.warehouse import Warehouse

    data = ROOT / "data" / "bench" / f"notebook-seed{seed}-scale{scale:g}"
    data.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data, store_timezone="UTC")
    wh = Warehouse.open(settings=settings)
    if wh.is_empty():
        t = time.perf_counter()
        load_demo(wh, data, seed=seed, scale=scale, as_of=AS_OF)
        print(f"demo store seed {seed} scale {scale:g} loaded in {time.perf_counter() - t:.1f} s")
    return wh


def _notebook(wh):
    from lib.forecast import data
    from lib.sharing import notebooks as nbs

    daily = data.history(wh, AS_OF)
    top = daily.groupby("unique_id")["y"].sum().idxmax()
    nb = nbs.Notebook("benchnb1", "Bench notebook", wh.data_version()).add_markdown("## Monday\n\n**Notes** here.")
    for page, params in (("overview", [("range", "Last 90 days")]), ("funnel", [("by", "Channel")]),
                         ("cohorts", [("cby", "Acquisition channel")]),
                         ("explore", [("metric", "Revenue"), ("dim", "Category")]),
                         ("forecast", [("level", "SKU"), ("item", top), ("fgrain", "week"), ("h", "8")]),
                         ("replenishment", [("sl", "99")]), ("pricing", [("tab", "Pricing health")])):
        nb = nb.add_view(page, params, page)
    return nb


def _export(nb, wh) -> tuple[float, str]:
    from lib import jobs
    from lib.reports.notebook import notebook_html

    t = time.perf_counter()
    job = jobs.submit(f"bench:{time.time()}", notebook_html, nb, lambda v: wh, now=datetime(2026, 11, 27, 9),
                      today=AS_OF)
    while not job.done:
        time.sleep(0.01)
    if job.error is not None:
        raise job.error
    return time.perf_counter() - t, job.result


def _query(wh) -> float:
    from lib.analytics import kpis

    t = time.perf_counter()
    kpis.compare(wh, date(2026, 8, 29), AS_OF, (date(2026, 5, 31), date(2026, 8, 28)))
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from lib import jobs
    from lib.forecast import store

    wh = _store(args.scale, args.seed)
    nb = _notebook(wh)
    cold, doc = _export(nb, wh)
    warm = [_export(nb, wh)[0] for _ in range(args.repeat)]
    print(f"export of {len(nb.cells) - 1} views + a note: cold {cold:.1f} s, warm median {statistics.median(warm):.1f} s "
          f"({', '.join(f'{w:.1f}' for w in warm)})")
    cells = doc.count('<section class="cell">')
    print(f"file {len(doc) / 1e6:.2f} MB: {cells} cells, {doc.count('<svg')} SVG charts, "
          f"{doc.count('<table>')} tables, {doc.count('could not be exported')} views failed, "
          f"{doc.count('<script')} scripts")
    idle = [_query(wh) for _ in range(7)]
    store.clear()                                   # the next export recomputes the forecast: the busy case
    from lib.reports.notebook import notebook_html
    job = jobs.submit("bench:busy", notebook_html, nb, lambda v: wh, today=AS_OF)
    busy = []
    while not job.done:
        busy.append(_query(wh))
    print(f"another session's query (Overview KPIs, 90 days vs the 90 before): idle median "
          f"{statistics.median(idle):.3f} s; during an export median {statistics.median(busy):.3f} s over "
          f"{len(busy)} runs (ratio {statistics.median(busy) / statistics.median(idle):.2f}), max {max(busy):.3f} s")
    wh.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
