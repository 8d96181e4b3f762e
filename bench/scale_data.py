"""Synthetic web events and order lines for bench/scale.py, written in chunks (never one big frame).

    generate(out_dir, events, seed, as_of)   Parquet chunks events-NNN.parquet / orders-NNN.parquet (cached)
    load_duckdb(wh, out_dir)                 the chunks into the warehouse's tables, one INSERT per chunk
    load_clickhouse(wh, out_dir)             the same through ClickHouse's Arrow insert, then OPTIMIZE ... FINAL

This generator is not lib.demo's: sessions are independent of one another (no calendar, no stock), made only to
have the shapes the funnel and cohort queries meet at scale, and no query plan was tuned on it.

Per session (a chunk holds CHUNK_SESSIONS of them; chunk i draws from numpy's generator seeded (seed, i)):
- start: uniform over the 24 months ending `as_of`, whole seconds; a channel (6 values, 2% NULL), device, landing page;
  a person (user_key) drawn uniformly from sessions / 3 people, so people come back across months;
- page views: 1 + Poisson(5), at uniform times over the session's length (Exponential, mean 15 min, + 1 min);
  the first at the start (the landing);
- the funnel: view_item (65% of sessions; 1 + Poisson(1.5) of them), add_to_cart (30% of those), begin_checkout
  (60% of those), purchase (70% of those): each step an Exponential time after the previous one (means 60, 90, 60,
  120 s) — so about 8 events and 8% buying sessions. 3% of buying-path sessions have two consecutive steps' times
  swapped (a step done before the previous one); 1% have their later steps 20-40 h later (past a 1-day window).
- a purchase makes an order (order_id o<session>, customer c<user>) of 1 + Poisson(0.6) lines at the purchase time,
  3% of lines cancelled.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["generate", "load_duckdb", "load_clickhouse", "EVENTS_PER_SESSION", "CHUNK_SESSIONS"]

EVENTS_PER_SESSION = 8.0          # expected, from the rates above (used to size the number of sessions)
CHUNK_SESSIONS = 1_000_000
CHANNELS = np.array(["organic", "paid_search", "social", "email", "direct", "referral"], dtype=object)
CHANNEL_P = [0.30, 0.25, 0.15, 0.10, 0.12, 0.08]
DEVICES = np.array(["mobile", "desktop", "tablet"], dtype=object)
PAGES = np.array(["/", "/sale", "/products/a", "/products/b", "/blog"], dtype=object)
EVENT_COLUMNS = ["session_id", "event_at", "event", "user_id", "customer_id", "channel", "device", "landing_page",
                 "sku", "order_id", "session_key", "user_key"]
ORDER_COLUMNS = ["order_id", "ordered_at", "customer_id", "sku", "quantity", "unit_price", "discount", "channel",
                 "status", "currency"]
NAMES = ("page_view", "view_item", "add_to_cart", "begin_checkout", "purchase")


def _prefixed(prefix: str, keys: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    s = pc.binary_join_element_wise(prefix, pc.cast(pa.array(keys), pa.string()), "")
    return s if mask is None else pc.if_else(pa.array(mask), s, pa.nulls(len(keys), pa.string()))


def _chunk(rng: np.random.Generator, s0: int, n: int, n_users: int, lo_s: int, span_s: int):
    """(events, orders) Arrow tables for sessions s0 .. s0+n-1."""
    sess = np.arange(s0, s0 + n, dtype=np.int64)
    start = lo_s + rng.integers(0, span_s - 2 * 86400, n)           # seconds since 1970, leaving room for the session
    user = rng.integers(0, n_users, n).astype(np.int64)
    ch = rng.choice(len(CHANNELS), n, p=CHANNEL_P)
    ch_null = rng.random(n) < 0.02
    dev = rng.integers(0, len(DEVICES), n)
    page = rng.integers(0, len(PAGES), n)
    length = (rng.exponential(900, n) + 60).astype(np.int64)
    # page views
    n_pv = 1 + rng.poisson(5, n)
    pv_s = np.repeat(np.arange(n), n_pv)
    first_pv = np.r_[0, np.cumsum(n_pv)[:-1]]
    pv_off = (rng.random(len(pv_s)) * length[pv_s]).astype(np.int64)
    pv_off[first_pv] = 0
    # the funnel path: depth 1 (page views only) .. 5 (purchase)
    depth = 1 + (rng.random(n) < 0.65)
    for p, d in ((0.30, 2), (0.60, 3), (0.70, 4)):
        depth += (depth == d) & (rng.random(n) < p)
    gaps = np.stack([rng.exponential(m, n) for m in (60, 90, 60, 120)], axis=1).astype(np.int64) + 1
    step_t = np.cumsum(gaps, axis=1) + (rng.random(n) * np.minimum(length, 300)).astype(np.int64)[:, None]
    swap = (rng.random(n) < 0.03) & (depth >= 3)
    k = rng.integers(0, 3, n)                                        # swap steps k+1 and k+2 (view_item .. purchase)
    k = np.minimum(k, np.maximum(depth - 3, 0))
    rows = np.flatnonzero(swap)
    a, b = step_t[rows, k[rows]], step_t[rows, k[rows] + 1]
    step_t[rows, k[rows]], step_t[rows, k[rows] + 1] = b, a
    late = (rng.random(n) < 0.01) & (depth >= 3)
    step_t[late, 1:] += rng.integers(20 * 3600, 40 * 3600, late.sum())[:, None]
    # extra view_items for sessions that viewed
    n_vi = np.where(depth >= 2, rng.poisson(1.5, n), 0)
    vi_s = np.repeat(np.arange(n), n_vi)
    vi_off = (rng.random(len(vi_s)) * length[vi_s]).astype(np.int64)
    parts_s, parts_off, parts_ev = [pv_s, vi_s], [pv_off, vi_off], [np.zeros(len(pv_s), np.int8),
                                                                    np.ones(len(vi_s), np.int8)]
    for step in range(1, 5):                                         # view_item .. purchase on the path
        who = np.flatnonzero(depth >= step + 1)
        parts_s.append(who)
        parts_off.append(step_t[who, step - 1])
        parts_ev.append(np.full(len(who), step, np.int8))
    es = np.concatenate(parts_s)
    ev = np.concatenate(parts_ev)
    at = (start[es] + np.concatenate(parts_off)) * 1_000_000
    names = pa.array(np.array(NAMES, dtype=object)[ev], pa.string())
    skus = rng.integers(0, 500, len(es))
    buy = ev == 4
    events = pa.table({
        "session_id": _prefixed("s", sess[es]),
        "event_at": pa.array(at.astype("datetime64[us]")),
        "event": names,
        "user_id": _prefixed("u", user[es], mask=(user[es] % 5) < 2),
        "customer_id": _prefixed("c", user[es], mask=buy),
        "channel": pa.array(np.where(ch_null[es], None, CHANNELS[ch[es]]), pa.string()),
        "device": pa.array(DEVICES[dev[es]], pa.string()),
        "landing_page": pa.array(PAGES[page[es]], pa.string()),
        "sku": _prefixed("SKU", skus, mask=(ev == 1) | (ev == 2)),
        "order_id": _prefixed("o", sess[es], mask=buy),
        "session_key": pa.array(sess[es]),
        "user_key": pa.array(user[es]),
    })
    # orders: one per purchase
    bs = np.flatnonzero(depth >= 5)
    n_lines = 1 + rng.poisson(0.6, len(bs))
    ls = np.repeat(bs, n_lines)
    at_o = (start[ls] + step_t[ls, 3]) * 1_000_000
    m = len(ls)
    orders = pa.table({
        "order_id": _prefixed("o", sess[ls]),
        "ordered_at": pa.array(at_o.astype("datetime64[us]")),
        "customer_id": _prefixed("c", user[ls]),
        "sku": _prefixed("SKU", rng.integers(0, 500, m)),
        "quantity": pa.array(rng.integers(1, 4, m).astype(np.int64)),
        "unit_price": pa.array(np.round(rng.uniform(5, 120, m), 2)),
        "discount": pa.array(np.zeros(m)),
        "channel": pa.array(np.where(ch_null[ls], None, CHANNELS[ch[ls]]), pa.string()),
        "status": pa.array(np.where(rng.random(m) < 0.03, "cancelled", None), pa.string()),
        "currency": pa.array(np.full(m, "USD", dtype=object), pa.string()),
    })
    return events, orders


def generate(out: Path, events: int, seed: int, as_of: date) -> dict:
    """Parquet chunks for about `events` events (cached: reused while info.json matches)."""
    out.mkdir(parents=True, exist_ok=True)
    info_path = out / "info.json"
    want = {"events_target": events, "seed": seed, "as_of": as_of.isoformat(), "generator": 1}
    if info_path.exists():
        info = json.loads(info_path.read_text())
        if {k: info.get(k) for k in want} == want:
            return info
    for p in out.glob("*.parquet"):
        p.unlink()
    sessions = int(round(events / EVENTS_PER_SESSION))
    n_users = max(1, sessions // 3)
    hi = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    lo_d = date(as_of.year - 2, as_of.month, 1) + timedelta(days=32)
    lo = datetime(lo_d.year, lo_d.month, 1)                                   # 24 whole months + as_of's month
    lo_s, span_s = int(lo.timestamp() - datetime(1970, 1, 1).timestamp()), int((hi - lo).total_seconds())
    n_ev = n_ord = 0
    for i, s0 in enumerate(range(0, sessions, CHUNK_SESSIONS)):
        rng = np.random.default_rng([seed, i])
        ev, od = _chunk(rng, s0, min(CHUNK_SESSIONS, sessions - s0), n_users, lo_s, span_s)
        pq.write_table(ev, out / f"events-{i:03d}.parquet", compression="zstd")
        pq.write_table(od, out / f"orders-{i:03d}.parquet", compression="zstd")
        n_ev, n_ord = n_ev + ev.num_rows, n_ord + od.num_rows
        print(f"  chunk {i}: {n_ev:,} events, {n_ord:,} order lines", flush=True)
    info = {**want, "sessions": sessions, "events": n_ev, "order_lines": n_ord, "first_day": lo.date().isoformat()}
    info_path.write_text(json.dumps(info, indent=2))
    return info


def _chunks(out: Path, feed: str) -> list[Path]:
    return sorted(out.glob(f"{feed}-*.parquet"))


def load_duckdb(wh, out: Path) -> None:
    """Each chunk in one INSERT, sorted as the app's loader stores events (by event, then time)."""
    order = {"events": "ORDER BY event, event_at", "orders": "ORDER BY ordered_at"}
    with wh.engine.begin() as conn:
        for feed, cols in (("events", EVENT_COLUMNS), ("orders", ORDER_COLUMNS)):
            conn.exec_driver_sql(f'DELETE FROM "{feed}"')
            collist = ", ".join(cols)
            for p in _chunks(out, feed):
                conn.exec_driver_sql(f"INSERT INTO \"{feed}\" ({collist}) SELECT {collist} "
                                     f"FROM read_parquet('{p}') {order[feed]}")


def load_clickhouse(wh, out: Path) -> None:
    """Each chunk through the client's Arrow insert (the app's path), then the parts merged (OPTIMIZE FINAL)."""
    with wh.engine.connect() as conn:
        client = conn.connection.driver_connection.client
        for feed in ("events", "orders"):
            client.command(f"TRUNCATE TABLE {feed}")
            for p in _chunks(out, feed):
                client.insert_arrow(feed, pq.read_table(p))
            client.command(f"OPTIMIZE TABLE {feed} FINAL")
