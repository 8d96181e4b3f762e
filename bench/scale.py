"""Scale benchmark (issue 19): the 4-step funnel by channel and the 24-month cohort table at 20M and 200M events,
on DuckDB and on ClickHouse (the embedded engine, chdb), each against that engine's own hand-written SQL.

    .venv/bin/python bench/scale.py [--events 20e6 200e6] [--engines duckdb chdb] [--repeat 3] [--limit 300]
                                    [--seed 7] [--threads 2]

Data: bench/scale_data.py's generator (not the demo store's), written as Parquet chunks of a million sessions
under data/bench/scale-seed<seed>-<events>/ and loaded chunk by chunk into each engine's own store there (DuckDB:
one INSERT ... SELECT FROM read_parquet per chunk, sorted by event and time as the app's loader stores events;
ClickHouse: the client's Arrow insert per chunk into the app's MergeTree tables, then OPTIMIZE TABLE ... FINAL).
No step holds all the rows in one frame. Both are cached while the generator's parameters match.

Measured, each in a child process of its own (so its peak memory is its own: ru_maxrss, which counts the embedded
engine): one warm-up, then --repeat timed runs; the median is reported. A run that passes --limit seconds is
stopped (the child is killed) and it and every run after it count at the limit.
- funnel: page_view -> view_item -> add_to_cart -> purchase, per session, sequential, window 1 day, by channel,
  over the whole range. App: lib.funnel.compute (its statement also computes the median time between steps,
  which neither hand query does). Hand SQL: DuckDB, bench/analytics.py's FUNNEL_SQL_FIRST_MIN (the fastest of its
  three hand formulations at 20M events); ClickHouse, its native windowFunnel (modes 'strict_once',
  'strict_increase': the ones giving the app's counts, tests/test_funnel_windowfunnel.py) with the first page
  view's channel (lib.funnel.native.clickhouse_window_funnel_sql).
- cohorts: monthly, customers, standard, the 24 cohorts up to the last day. App: lib.cohorts.retention. Hand
  SQL: DuckDB, bench/analytics.py's COHORT_SQL; ClickHouse, one GROUP BY per customer of the months they bought in
  (groupUniqArray), unrolled with ARRAY JOIN.
Every result must agree exactly (app vs hand, and across engines), or the run prints a loud mismatch and exits 1.
Both timers start at the Python call and stop when the DataFrame is in hand.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import queue
import resource
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "data" / "bench"
AS_OF = date(2026, 11, 30)
STEPS = ["page_view", "view_item", "add_to_cart", "purchase"]
WINDOW = timedelta(days=1)
NOT_SET = "(not set)"

COHORT_SQL_CH = """
WITH lines AS (
    SELECT customer_id, toInt64(toYear(ordered_at)) * 12 + toMonth(ordered_at) - 1 AS m FROM orders
    WHERE (status IS NULL OR lower(status) <> 'cancelled') AND ordered_at < toDateTime64('{end_excl}', 6)
),
per AS (SELECT groupUniqArray(m) AS ms, arrayMin(ms) AS c FROM lines GROUP BY customer_id),
vals AS (SELECT c, m - c AS k, count() AS value FROM per ARRAY JOIN ms AS m WHERE c >= {lo} GROUP BY c, k),
sizes AS (SELECT c, value AS cohort_size FROM vals WHERE k = 0),
grid AS (SELECT c, cohort_size, toInt64(arrayJoin(range(toUInt64((SELECT max(m) FROM lines) - c + 1)))) AS k
         FROM sizes)
SELECT makeDate(intDiv(c, 12), c % 12 + 1, 1) AS cohort, k AS period, cohort_size,
       coalesce(vals.value, 0) AS value, coalesce(vals.value, 0) / cohort_size AS rate
FROM grid LEFT JOIN vals USING (c, k)
ORDER BY c, k
"""


def store_dir(seed: int, events: int) -> Path:
    return CACHE / f"scale-seed{seed}-{events // 1_000_000}M"


def _url(engine: str, d: Path) -> str:
    return f"duckdb:///{d / 'duckdb' / 'shopcast.duckdb'}" if engine == "duckdb" else f"chdb:///{d / 'chdb'}?database=scale"


def _open(engine: str, d: Path):
    from lib.warehouse import Warehouse

    if engine == "duckdb":
        (d / "duckdb").mkdir(parents=True, exist_ok=True)
    return Warehouse.open(_url(engine, d))


def _span(info: dict) -> tuple[datetime, datetime, date]:
    start = datetime.fromisoformat(info["first_day"])
    end = datetime.combine(AS_OF, datetime.max.time()).replace(microsecond=0)
    c_start = date(AS_OF.year - 2, AS_OF.month, 1) + timedelta(days=32)
    return start, end, c_start.replace(day=1)


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


# ------------------------------------------------------------------------------ the measured calls

def funnel_app(wh, start, end) -> pd.DataFrame:
    from lib import funnel

    return funnel.compute(wh, STEPS, start, end, window=WINDOW, order="sequential", unit="session", by="channel")


def funnel_hand(wh, engine: str, start, end) -> pd.DataFrame:
    if engine == "duckdb":
        from bench.analytics import FUNNEL_SQL_FIRST_MIN, raw_sql

        df = raw_sql(wh, FUNNEL_SQL_FIRST_MIN, {"start": start, "end": end,
                                                "window_us": int(WINDOW / timedelta(microseconds=1))})
        return df.assign(channel=df["channel"].fillna(NOT_SET))
    from lib.funnel.native import clickhouse_window_funnel_sql

    return wh.read(clickhouse_window_funnel_sql(STEPS, start, end, WINDOW, by="channel"))


def cohort_app(wh, c_start: date) -> pd.DataFrame:
    from lib import cohorts

    return cohorts.retention(wh, grain="month", metric="customers", mode="standard", start=c_start, end=AS_OF)


def cohort_hand(wh, engine: str, c_start: date) -> pd.DataFrame:
    end_excl = datetime.combine(AS_OF + timedelta(days=1), datetime.min.time())
    if engine == "duckdb":
        from bench.analytics import COHORT_SQL, raw_sql

        return raw_sql(wh, COHORT_SQL, {"end_excl": end_excl, "lo": _month_index(c_start)})
    return wh.read(COHORT_SQL_CH.format(end_excl=end_excl.isoformat(sep=" "), lo=_month_index(c_start)))


# ------------------------------------------------------------------------------ child processes

def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def child(args) -> None:
    d = Path(args.dir)
    info = json.loads((d / "info.json").read_text())
    if args.child == "load":
        wh = _open(args.engine, d)
        from bench import scale_data

        t = time.perf_counter()
        (scale_data.load_duckdb if args.engine == "duckdb" else scale_data.load_clickhouse)(wh, d)
        counts = wh.row_counts()
        print(json.dumps({"seconds": time.perf_counter() - t, "peak_gb": _peak_gb(),
                          "events": counts["events"], "orders": counts["orders"]}), flush=True)
        return
    wh = _open(args.engine, d)
    if args.engine == "duckdb":
        wh.read(f"SET threads = {int(args.threads)}")
    start, end, c_start = _span(info)
    calls = {("funnel", "app"): lambda: funnel_app(wh, start, end),
             ("funnel", "hand"): lambda: funnel_hand(wh, args.engine, start, end),
             ("cohorts", "app"): lambda: cohort_app(wh, c_start),
             ("cohorts", "hand"): lambda: cohort_hand(wh, args.engine, c_start)}
    fn = calls[(args.query, args.side)]
    result = None
    for i in range(args.repeat + 1):                     # run 0 is the warm-up
        t = time.perf_counter()
        result = fn()
        print(json.dumps({"run": i, "seconds": time.perf_counter() - t}), flush=True)
    print(json.dumps({"peak_gb": _peak_gb(), "result": result.to_csv(index=False)}), flush=True)


def _spawn(argv: list[str], limit: float, runs: int):
    """Run a child; returns (run seconds list, final dict or None, note). A run silent for `limit` s is killed."""
    proc = subprocess.Popen([sys.executable, __file__, *argv], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout] + [lines.put(None)], daemon=True).start()
    secs, final, note = [], None, ""
    while True:
        try:
            line = lines.get(timeout=limit)
        except queue.Empty:
            proc.kill()
            note = f"run {len(secs)} passed {limit:.0f} s: stopped"
            break
        if line is None:
            break
        msg = json.loads(line)
        if "run" in msg:
            secs.append(msg["seconds"])
        else:
            final = msg
    proc.wait()
    if final is None and not note:
        note = f"child failed (exit {proc.returncode})"
    secs += [limit] * (runs - len(secs))                  # stopped or failed runs count at the limit
    return secs, final, note


# ------------------------------------------------------------------------------ comparing

def norm_funnel(df: pd.DataFrame) -> pd.DataFrame:
    out = df[["channel", "step", "entered"]].astype({"channel": str, "step": str, "entered": "int64"})
    return out[out["entered"] > 0].sort_values(["channel", "step"]).reset_index(drop=True)


def norm_cohorts(df: pd.DataFrame) -> pd.DataFrame:
    df = df[["cohort", "period", "cohort_size", "value", "rate"]].copy()
    df["cohort"] = pd.to_datetime(df["cohort"]).dt.strftime("%Y-%m")
    df = df.astype({"period": "int64", "cohort_size": "int64", "value": "int64", "rate": float})
    return df.sort_values(["cohort", "period"]).reset_index(drop=True)


def differ(a: pd.DataFrame, b: pd.DataFrame, query: str) -> str | None:
    a, b = (norm_funnel(a), norm_funnel(b)) if query == "funnel" else (norm_cohorts(a), norm_cohorts(b))
    if a.shape == b.shape and (a.drop(columns="rate", errors="ignore").equals(b.drop(columns="rate", errors="ignore"))
                               and ("rate" not in a or ((a["rate"] - b["rate"]).abs() <= 1e-12).all())):
        return None
    m = a.merge(b, how="outer", indicator=True)
    return m[m["_merge"] != "both"].head(12).to_string(index=False)


# ------------------------------------------------------------------------------ main

def _parse_events(s: str) -> int:
    return int(float(s))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=_parse_events, nargs="+", default=[20_000_000, 200_000_000])
    ap.add_argument("--engines", nargs="+", default=["duckdb", "chdb"], choices=["duckdb", "chdb"])
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per figure, after one warm-up")
    ap.add_argument("--limit", type=float, default=300.0, help="seconds a run may take before it is stopped")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads (ClickHouse uses its default: cores)")
    ap.add_argument("--child", choices=["load", "run"], help=argparse.SUPPRESS)
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    ap.add_argument("--query", help=argparse.SUPPRESS)
    ap.add_argument("--side", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)

    import duckdb

    from bench.scale_data import generate

    print(f"bench/scale.py: seed {args.seed}, as of {AS_OF}, repeat {args.repeat} after 1 warm-up (medians), "
          f"limit {args.limit:.0f} s per run, DuckDB {duckdb.__version__} threads {args.threads}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    failures, table = [], []
    for n in args.events:
        d = store_dir(args.seed, n)
        t = time.perf_counter()
        info = generate(d, n, args.seed, AS_OF)
        print(f"\n== {info['events']:,} events ({info['sessions']:,} sessions), {info['order_lines']:,} order lines "
              f"(generated {time.perf_counter() - t:.0f} s; cached under {d.relative_to(ROOT)})", flush=True)
        results: dict = {}
        for engine in args.engines:
            stamp = d / f"loaded-{engine}.json"
            loaded = json.loads(stamp.read_text()) if stamp.exists() else {}
            if loaded.get("events") != info["events"]:
                secs, final, note = _spawn(["--child", "load", "--engine", engine, "--dir", str(d)],
                                           limit=24 * 3600, runs=0)
                if final is None:
                    failures.append(f"{engine} load: {note}")
                    print(f"!!! {engine}: load failed: {note}")
                    continue
                loaded = final
                stamp.write_text(json.dumps(loaded))
            print(f"{engine}: loaded in {loaded['seconds']:.0f} s (peak {loaded['peak_gb']:.1f} GB)", flush=True)
            for query in ("funnel", "cohorts"):
                for side in ("hand", "app"):
                    secs, final, note = _spawn(["--child", "run", "--engine", engine, "--dir", str(d), "--query",
                                                query, "--side", side, "--repeat", str(args.repeat),
                                                "--threads", str(args.threads)], args.limit, args.repeat + 1)
                    timed = secs[1:]
                    med = statistics.median(timed)
                    peak = final["peak_gb"] if final else float("nan")
                    res = pd.read_csv(io.StringIO(final["result"])) if final else None
                    results[(engine, query, side)] = (med, peak, res, note)
                    print(f"  {query:8s} {side:5s} median {med:7.2f} s  runs "
                          + " ".join(f"{s:.2f}" for s in timed) + f"  peak {peak:.2f} GB  {note}", flush=True)
        # agreement: app vs hand on each engine, and every engine's app against the first engine's
        for query in ("funnel", "cohorts"):
            ref = None
            for engine in args.engines:
                pair = [results.get((engine, query, s)) for s in ("hand", "app")]
                if any(p is None or p[2] is None for p in pair):
                    if all(p is not None for p in pair):
                        print(f"{engine} {query}: not compared (a side gave no result)")
                        table.append((info["events"], engine, query, pair[1][0], pair[0][0], pair[1][1],
                                      pair[1][3] or pair[0][3]))
                    continue
                diff = differ(pair[0][2], pair[1][2], query)
                if diff:
                    failures.append(f"{n:,} {engine} {query}: app vs hand")
                    print(f"!!! MISMATCH {engine} {query}: app vs hand SQL !!!\n{diff}")
                if ref is None:
                    ref = (engine, pair[1][2])
                elif diff2 := differ(ref[1], pair[1][2], query):
                    failures.append(f"{n:,} {query}: {ref[0]} vs {engine}")
                    print(f"!!! MISMATCH {query}: {ref[0]} vs {engine} !!!\n{diff2}")
                if not diff:
                    print(f"{engine} {query}: app == hand SQL (exact)")
                table.append((info["events"], engine, query, pair[1][0], pair[0][0], pair[1][1], pair[1][3]))
    print("\nevents       engine  query    app s   hand s  app/hand  app peak GB")
    for events, engine, query, app, hand, peak, note in table:
        print(f"{events:>12,} {engine:7s} {query:8s} {app:6.2f}  {hand:6.2f}  {app / hand:7.2f}  {peak:8.2f}  {note}")
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
