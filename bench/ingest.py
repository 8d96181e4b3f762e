"""Ingest benchmark: a 5-million-line orders CSV into the warehouse.

    .venv/bin/python bench/ingest.py [--lines 5000000] [--repeat 3]

Prints, for the same file in the same run: DuckDB's own `read_csv` into a table (the
reference), and Shopcast's path for a file on disk (sample it, map the headers, validate every
value, load atomically into a fresh DuckDB warehouse: `ingest.prepare_file` + `load_prepared`,
which take the DuckDB direct path for a clean canonical CSV and full pandas validation otherwise). Each run happens in a child process so peak memory
(max RSS) is measured per path. Reports rows/s, peak memory, the median time and the ratio.
Targets (issue 2): ratio <= 1.5, peak memory <= 2 GB.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "data" / "bench"


def make_csv(lines: int, seed: int = 7) -> Path:
    """A realistic canonical orders CSV (cached): ~2.2 lines per order, 60k customers, 2,000 SKUs."""
    path = CACHE / f"orders_{lines}.csv"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    chunk = 1_000_000
    start = pd.Timestamp("2024-11-27").value // 10**9
    with open(path, "w") as fh:
        fh.write("order_id,ordered_at,customer_id,sku,quantity,unit_price,discount,channel,status,currency\n")
        for lo in range(0, lines, chunk):
            n = min(chunk, lines - lo)
            idx = np.arange(lo, lo + n)
            order = idx * 10 // 22
            secs = start + order * (730 * 86400) // (lines * 10 // 22 + 1)
            df = pd.DataFrame({
                "order_id": "#" + pd.Series(order + 100000).astype(str),
                "ordered_at": pd.to_datetime(secs, unit="s").strftime("%Y-%m-%d %H:%M:%S"),
                "customer_id": "C" + pd.Series(rng.integers(0, 60_000, n)).astype(str),
                "sku": "SKU-" + pd.Series(rng.zipf(1.3, n) % 2000).astype(str).str.zfill(4),
                "quantity": rng.choice([1, 1, 1, 2, 2, 3, -1], n),
                "unit_price": np.round(rng.gamma(2.0, 15.0, n) + 1, 2),
                "discount": np.where(rng.random(n) < 0.2, np.round(rng.random(n) * 5, 2), 0.0),
                "channel": rng.choice(["organic", "paid_search", "social", "email", "referral"], n),
                "status": rng.choice(["completed"] * 30 + ["cancelled"], n),
                "currency": "USD",
            })
            df.to_csv(fh, header=False, index=False)
    return path


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
path, mode, work = {path!r}, {mode!r}, {work!r}
t = time.perf_counter()
if mode == "duckdb":
    import duckdb
    con = duckdb.connect(work + "/ref.duckdb")
    con.execute(f"CREATE TABLE orders AS SELECT * FROM read_csv('{{path}}')")
    rows = con.execute("SELECT count(*) FROM orders").fetchone()[0]
    con.close()
else:
    if mode == "shopcast-full":   # force full pandas validation (what a doubtful file gets)
        import lib.warehouse.fastload
        lib.warehouse.fastload.FAST_MIN_ROWS = 10**12
        from lib.warehouse import Warehouse
        Warehouse.load_csv = lambda self, *a, **k: None
    from lib.ingest import prepare_file, load_prepared
    from lib.settings import Settings
    from lib.warehouse import Warehouse
    wh = Warehouse.open(url=f"duckdb:///{{work}}/wh.duckdb", settings=Settings(store_timezone="UTC"))
    from pathlib import Path
    t = time.perf_counter()
    prep = prepare_file(Path(path), "orders.csv", "orders")
    rep = load_prepared(wh, prep, remember=False)
    rows = rep.rows
    wh.dispose()
secs = time.perf_counter() - t
print(json.dumps({{"secs": secs, "rows": rows, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run(path: Path, mode: str) -> dict:
    with tempfile.TemporaryDirectory() as work:
        code = CHILD.format(root=str(ROOT), path=str(path), mode=mode, work=work)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise SystemExit(f"{mode} run failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=5_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    t = time.perf_counter()
    path = make_csv(args.lines)
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.0f} MB ({time.perf_counter() - t:.1f} s to prepare)")
    res: dict[str, list[dict]] = {"duckdb": [], "shopcast": [], "shopcast-full": []}
    for _ in range(args.repeat):   # interleaved so both paths see the same machine state
        for mode in res:
            res[mode].append(run(path, mode))
    med = {m: statistics.median(r["secs"] for r in runs) for m, runs in res.items()}
    for mode, runs in res.items():
        rows = runs[0]["rows"]
        peak = max(r["maxrss_mb"] for r in runs)
        times = ", ".join(f"{r['secs']:.2f}" for r in runs)
        print(f"{mode:13s} median {med[mode]:6.2f} s  [{times}]  {rows / med[mode]:>12,.0f} rows/s  "
              f"peak RSS {peak:,.0f} MB  rows {rows:,}")
    print(f"full pandas validation path (files the direct path declines): "
          f"{med['shopcast-full'] / med['duckdb']:.2f} x duckdb")
    ratio = med["shopcast"] / med["duckdb"]
    peak = max(r["maxrss_mb"] for r in res["shopcast"])
    print(f"ratio shopcast / duckdb read_csv: {ratio:.2f} (target <= 1.5); "
          f"shopcast peak memory {peak / 1024:.2f} GB (target <= 2 GB)")


if __name__ == "__main__":
    main()
