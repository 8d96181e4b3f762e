"""Deterministic synthetic demo store: products, orders, events, inventory, promotions, customers + truth.json.

Usage::

    .venv/bin/python -m lib.demo --seed 7 --scale 1 --out data/demo --as-of 2026-11-26 [--format csv] [--traffic 1] \
        [--no-holidays]

    from lib.demo import generate
    summary = generate("data/demo", seed=7, scale=1.0, as_of=date(2026, 11, 26), progress=None, traffic=1.0)

``traffic`` (0 < t <= 1, default 1) writes only a seeded share of the NON-buying web sessions
(purchase sessions, hence every order's purchase event, are always written; kept sessions keep
their full-run ids and rows). Recorded in truth.json, and in lib.ingest.demo_dir's name, only
when below 1. ``holidays=False`` (``--no-holidays``) plants no retail holiday peaks (every holiday
multiplier 1.0; same catalog, shocks and promotions; truth.json says so, and demo_dir's name holds
-noholidays). Purchase sessions alone make about 4 events per order line, so 5M lines come with
at least ~20M events: bench/analytics.py uses --scale 18 --traffic 0.005 (4.9M lines, 18.9M events).

Same seed + scale + as_of give byte-identical files (on the same platform and library versions).
All randomness comes from ``numpy.random.default_rng`` children of ``SeedSequence(seed)``; the
history is the 730 days ending at ``as_of``; nothing reads the clock. ``truth.json`` records
every planted parameter (per-SKU elasticity, base demand, category, price changes; per-promotion
lift; seasonality; channel repeat rates; web conversion rates) and realised stockouts.

Sizes (SKUs = 300 x scale, at least 24, at most 30,000, so 0 < scale <= 100; everything else
grows linearly). Measured on a 2-core machine, Parquet:

- scale 1: 300 SKUs in 12 categories, about 269k order lines (105k orders), 49.5k customers,
  4.3M sessions / 8.7M events, 188k inventory rows: 8 s, peak RSS 0.5 GB (CSV: 17 s).
- **--scale 20 is the benchmark size** (at least 2,000 SKUs, 5M order lines and 20M events):
  6,000 SKUs, 5.48M order lines, 0.99M customers, 86.7M sessions / 174M events (events.parquet
  2.1 GB), 3.66M inventory rows: 149 s wall, peak RSS 1.34 GB (resource.getrusage ru_maxrss).
  Events far exceed 20M because a ~2.4 % session conversion means ~32 events per order line;
  events are generated and written a few days at a time (``generator.chunk_days``), so memory
  does not grow with the number of events.
"""

from .generator import generate

__all__ = ["generate"]
