"""Marketing page and cohort payback timings (issue 20's targets).

    .venv/bin/python bench/marketing.py [--lines 5e6] [--repeat 5] [--seed 11]

1. The Marketing page on the load benchmark's demo store (bench/load.py: seed 7, scale 1; built once under
   data/bench/), in Streamlit's AppTest: the first render (every cache cleared before each run) and the cached
   rerun, median of --repeat each; the Cohorts page measured the same way in the same process as a reference
   (the page the payback section is closest to). Targets: first render < 1 s, cached rerun < 0.2 s.
2. `lib.marketing.payback` on a store of --lines order lines that no constant here was tuned on (its own
   generator and seed, not the demo's: customers with a first order spread over 24 months, repeat orders at a
   geometric rate, five channels, spend per channel and day), in DuckDB, one warm-up then the median of
   --repeat; the reference is hand-written SQL of the same payback (orders' own channel: this store has no web
   events) run on the same warehouse, and the two must agree to the cent or the script exits 1. Target < 1 s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CHANNELS = ("paid_search", "social", "email", "organic", "referral")
START, END = date(2024, 12, 1), date(2026, 11, 30)


# ------------------------------------------------------------------------------ 1. the page
def page_times(repeat: int) -> dict[str, tuple[float, float, int]]:
    import streamlit as st
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")
    out = {}
    for name in ("marketing", "cohorts"):
        first, cached, problems = [], [], 0
        for _ in range(repeat):
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            at.run()
            at.switch_page(f"pages/{name}_page.py")
            t = time.perf_counter()
            at.run()
            first.append(time.perf_counter() - t)
            t = time.perf_counter()
            at.run()
            cached.append(time.perf_counter() - t)
            problems = max(problems, len(at.exception) + len(at.error))
        out[name] = (statistics.median(first), statistics.median(cached), problems)
    return out


# ------------------------------------------------------------------------------ 2. payback at scale
def make_store(lines: int, seed: int) -> dict[str, pd.DataFrame]:
    """Orders (one line per order), products and spend: first orders uniform over the 24 months, each
    customer's later orders a geometric number (mean 1.5) at exponential gaps (mean 60 days)."""
    rng = np.random.default_rng(seed)
    n_cust = int(lines / 2.2)                 # ~2.2 lines per customer once repeats past END are cut
    first = rng.integers(0, (END - START).days + 1, n_cust)
    repeats = rng.geometric(0.4, n_cust) - 1
    counts = repeats + 1
    cust = np.repeat(np.arange(n_cust), counts)
    starts = np.r_[0, np.cumsum(counts)[:-1]]                  # each customer's first line
    gaps = rng.exponential(60.0, len(cust))
    gaps[starts] = 0.0
    run = np.cumsum(gaps)
    day = np.repeat(first, counts) + (run - np.repeat(run[starts], counts)).astype(int)
    keep = day <= (END - START).days
    cust, day = cust[keep], day[keep]
    n = len(cust)
    ch = rng.choice(len(CHANNELS), n_cust, p=[0.3, 0.2, 0.15, 0.25, 0.1])[cust]
    sku = rng.integers(0, 200, n)
    ts = pd.Timestamp(START) + pd.to_timedelta(day, unit="D") + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s")
    orders = pd.DataFrame({"order_id": np.char.add("o", np.arange(n).astype(str)), "ordered_at": ts,
                           "customer_id": np.char.add("c", cust.astype(str)), "sku": np.char.add("s", sku.astype(str)),
                           "quantity": rng.integers(1, 4, n), "unit_price": np.round(rng.uniform(5, 80, n), 2),
                           "channel": np.asarray(CHANNELS)[ch]})
    products = pd.DataFrame({"sku": [f"s{i}" for i in range(200)], "name": [f"Product {i}" for i in range(200)],
                             "category": [f"cat{i % 8}" for i in range(200)],
                             "unit_cost": np.round(rng.uniform(2, 40, 200), 2), "price": 50.0})
    days = pd.date_range(START, END)
    spend = pd.DataFrame([(d.date(), c, float(round(rng.uniform(200, 900), 2)))
                          for d in days for c in ("paid_search", "social", "email")],
                         columns=["date", "channel", "spend"])
    return {"products": products, "orders": orders, "spend": spend}


HAND_SQL = """
WITH live AS (
  SELECT o.customer_id, o.ordered_at, o.channel,
         o.quantity * o.unit_price - coalesce(o.discount, 0) AS revenue,
         CASE WHEN p.sku IS NULL THEN 0
              ELSE o.quantity * o.unit_price - coalesce(o.discount, 0) - o.quantity * p.unit_cost END AS margin
  FROM orders o LEFT JOIN products p USING (sku)
  WHERE coalesce(lower(o.status), '') <> 'cancelled'),
firsts AS (
  SELECT customer_id, min(ordered_at) AS first_at,
         arg_min(coalesce(nullif(channel, ''), 'direct'), ordered_at) AS channel
  FROM live GROUP BY customer_id),
cohort AS (
  SELECT customer_id, channel, date_trunc('month', first_at) AS cohort FROM firsts
  WHERE first_at >= $start AND first_at < $end_excl),
sizes AS (SELECT cohort, channel, count(*) AS customers FROM cohort GROUP BY ALL),
spend_m AS (SELECT date_trunc('month', date) AS cohort, channel, sum(spend) AS spend FROM spend
            WHERE date >= $start AND date < $end_excl GROUP BY ALL),
monthly AS (
  SELECT c.cohort, c.channel,
         (year(l.ordered_at) - year(c.cohort)) * 12 + month(l.ordered_at) - month(c.cohort) AS k,
         sum(l.margin) AS margin
  FROM cohort c JOIN live l USING (customer_id) WHERE l.ordered_at < $as_of_excl GROUP BY ALL)
SELECT s.cohort, s.channel, m.k AS months_since, s.customers, sp.spend / s.customers AS cac,
       sum(m.margin) OVER (PARTITION BY s.cohort, s.channel ORDER BY m.k) / s.customers AS cum_margin_per_customer
FROM sizes s JOIN monthly m USING (cohort, channel) LEFT JOIN spend_m sp USING (cohort, channel)
ORDER BY 1, 2, 3
"""


def payback_times(lines: int, seed: int, repeat: int) -> tuple[int, list[float], list[float], str | None]:
    from bench.analytics import raw_sql
    from lib import marketing
    from lib.warehouse import Warehouse

    d = Path(tempfile.mkdtemp(prefix="bench-payback-"))
    wh = Warehouse.open(url=f"duckdb:///{d}/payback.duckdb")
    frames = make_store(lines, seed)
    t = time.perf_counter()
    for feed in ("products", "orders", "spend"):
        wh.load(feed, frames[feed], source=f"bench:{feed}", as_of=END, now=datetime(2026, 12, 1))
    print(f"  store: {len(frames['orders']):,} order lines, {frames['orders']['customer_id'].nunique():,} customers, "
          f"loaded in {time.perf_counter() - t:.0f} s", flush=True)
    as_of = END
    params = {"start": datetime(2024, 12, 1), "end_excl": datetime(2026, 12, 1), "as_of_excl": datetime(2026, 12, 1)}
    app, hand = [], []
    got = marketing.payback(wh, START, END, as_of=as_of)             # warm-up
    ref = raw_sql(wh, HAND_SQL, params)
    for _ in range(repeat):                                          # alternated, same warehouse
        t = time.perf_counter()
        got = marketing.payback(wh, START, END, as_of=as_of)
        app.append(time.perf_counter() - t)
        t = time.perf_counter()
        ref = raw_sql(wh, HAND_SQL, params)
        hand.append(time.perf_counter() - t)
    wh.dispose()
    return len(frames["orders"]), app, hand, _differ(got, ref)


def _differ(app: pd.DataFrame, ref: pd.DataFrame) -> str | None:
    """None when the app's rows (months with orders) equal the hand SQL's to the cent, else what differs."""
    a = app.assign(cohort=pd.to_datetime(app["cohort"]).dt.to_period("M").astype(str))
    r = ref.assign(cohort=pd.to_datetime(ref["cohort"]).dt.to_period("M").astype(str))
    keys = ["cohort", "channel", "months_since"]
    m = r.merge(a, on=keys, how="left", suffixes=("_hand", "_app"))
    if m["customers_app"].isna().any():
        return f"{int(m['customers_app'].isna().sum())} hand rows missing from the app's"
    for col in ("customers", "cum_margin_per_customer", "cac"):
        x, y = m[f"{col}_hand"].astype(float), m[f"{col}_app"].astype(float)
        bad = ~(np.isclose(x, y, atol=0.005) | (x.isna() & y.isna()))
        if bad.any():
            return f"{col} differs on {int(bad.sum())} rows, e.g. {m.loc[bad, keys].iloc[0].tolist()}"
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=float, default=5e6, help="order lines of the payback store")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=11, help="seed of the payback store")
    ap.add_argument("--skip-page", action="store_true")
    args = ap.parse_args()
    status = 0
    if not args.skip_page:
        from load import data_dir

        d = data_dir()
        os.environ["SHOPCAST_DATA_DIR"] = str(d)
        os.environ.pop("DATABASE_URL", None)
        os.chdir(ROOT)
        print(f"pages (AppTest, {d.relative_to(ROOT)}, median of {args.repeat}; first render with every cache cleared)")
        for name, (first, cached, problems) in page_times(args.repeat).items():
            note = f"  ({problems} error elements)" if problems else ""
            print(f"  {name:<10} first render {first:6.3f} s   cached rerun {cached:6.3f} s{note}")
            status |= bool(problems)
    print(f"cohort payback, DuckDB, seed {args.seed}, median of {args.repeat} after one warm-up (alternated with "
          "hand SQL)")
    n, app, hand, diff = payback_times(int(args.lines), args.seed, args.repeat)
    a, h = statistics.median(app), statistics.median(hand)
    print(f"  {n:,} order lines: app {a:.3f} s ({min(app):.3f}-{max(app):.3f}), hand SQL {h:.3f} s, "
          f"app/hand {a / h:.2f}")
    if diff:
        print(f"  DISAGREE: {diff}")
        status = 1
    else:
        print("  the app's payback equals the hand SQL's on every (cohort, channel, month) to the cent")
    return status


if __name__ == "__main__":
    sys.exit(main())
