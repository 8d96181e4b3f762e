"""Web sessions and events, generated and written in chunks of days (bounded memory).

Purchase sessions are built from the orders (one per order; the purchase event carries the
order_id, ends the session and happens 0-2 s after ordered_at). Non-buying sessions are
drawn per day and channel x device segment so that the segment's session conversion equals
the planted rate; their product views follow unconstrained demand, so product pages keep
getting views while a SKU is out of stock.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import config
from .catalog import Catalog
from .customers import Orders
from .writers import FeedWriter, ids, pick, timestamps

EVENTS = ["page_view", "view_item", "add_to_cart", "begin_checkout", "purchase"]
CUSTOMER_SESSION_SHARE = 0.12  # non-buying sessions by known shoppers (cookie of a customer)
ANON_SESSIONS_PER_USER = 1.5
MAX_SESSION_SECONDS = 2 * 3600
MARGIN_SECONDS = 3 * 3600
COLS = ("t", "snum", "pos", "ev", "user", "cust", "ch", "dv", "land", "sku", "order")


@dataclass
class WebModel:
    """Planted web parameters derived once for the whole run."""

    conversion: np.ndarray  # channels x devices
    purchase_device: np.ndarray  # P(device | purchase)
    nonbuy_rate: np.ndarray  # days x (channel*3 + device): expected non-buying sessions
    interest: np.ndarray  # flat cumulative SKU-view distribution (days x SKUs) + day offset
    anon_pool: int

    def truth(self) -> dict:
        """Planted web parameters for truth.json."""
        return {
            "session_conversion": {ch: {dv: round(float(self.conversion[i, j]), 5)
                                        for j, dv in enumerate(config.DEVICES)}
                                   for i, ch in enumerate(config.CHANNELS)},
            "device_traffic_share": dict(zip(config.DEVICES, config.DEVICE_TRAFFIC_SHARE, strict=True)),
            "nonbuying_funnel": config.FUNNEL,
            "funnel_factor": "step probability * (channel_factor * device_factor) ** "
                             f"{config.FUNNEL_FACTOR_POWER} (view_item: ** {config.FUNNEL_FACTOR_POWER / 2})",
            "landing_mix_home_collection_product_sale_blog": config.LANDING_MIX,
            "customer_session_share": CUSTOMER_SESSION_SHARE,
            "anonymous_user_pool": self.anon_pool,
            "view_interest": "proportional to unconstrained expected units ** 0.8 of live SKUs",
        }


def interest(lam_units: np.ndarray) -> np.ndarray:
    """Flat cumulative SKU-view distribution per day (+ day offset), for searchsorted sampling.

    Views follow unconstrained expected units ** 0.8 of live SKUs (stock does not matter).
    """
    days = lam_units.shape[0]
    w = lam_units**0.8
    w /= np.where((tot := w.sum(axis=1, keepdims=True)) > 0, tot, 1)
    np.cumsum(w, axis=1, out=w)
    w[:, -1] = 1.0
    w += np.arange(days)[:, None]
    return w.ravel()


def model(interest_flat: np.ndarray, exp_orders: np.ndarray, orders: Orders) -> WebModel:
    """Derive conversion rates, purchase devices and non-buying traffic per day and segment."""
    fch = np.array([config.CHANNEL_PARAMS[c][4] for c in config.CHANNELS])
    fdv = np.array(config.DEVICE_CONVERSION_FACTOR)
    share = np.array(config.DEVICE_TRAFFIC_SHARE)
    conv = config.BASE_CONVERSION * fch[:, None] * fdv[None, :]
    pdev = share * fdv / np.sum(share * fdv)
    chmix = np.bincount(orders.channel, minlength=len(fch)) / max(orders.n, 1)
    seg = (chmix[:, None] * pdev[None, :] * (1 - conv) / conv).ravel()
    rate = exp_orders[:, None] * seg[None, :]
    pool = int(round(rate.sum() * (1 - CUSTOMER_SESSION_SHARE) / ANON_SESSIONS_PER_USER))
    return WebModel(conv, pdev, rate, interest_flat, max(pool, 1))


def _sample_sku(rng, wm: WebModel, day: np.ndarray, n_sku: int) -> np.ndarray:
    x = day + rng.random(len(day))
    idx = np.searchsorted(wm.interest, x, side="right")
    return np.clip(idx - day * n_sku, 0, n_sku - 1).astype(np.int64)


def _segments(first_of: np.ndarray, n_rows: int) -> np.ndarray:
    """Position of each row inside its (contiguous) group, given group start flags."""
    start = np.maximum.accumulate(np.where(first_of, np.arange(n_rows), 0))
    return np.arange(n_rows) - start


def _chunk(rng, wm: WebModel, ctx: dict, a: int, b: int, snum0: int, traffic: float = 1.0,
           keep_rng=None) -> dict:
    cat: Catalog = ctx["catalog"]
    od: Orders = ctx["orders"]
    t0 = ctx["epoch0"]
    n_sku = cat.n
    # purchase sessions
    o0, o1 = np.searchsorted(od.day, [a, b])
    p = o1 - o0
    l0, l1 = np.searchsorted(od.line_order, [o0, o1])
    lo = od.line_order[l0:l1] - o0
    lsku = od.line_sku[l0:l1].astype(np.int64)
    m = np.bincount(lo, minlength=p)
    jj = _segments(np.r_[True, lo[1:] != lo[:-1]] if len(lo) else np.zeros(0, bool), len(lo))
    pday = od.day[o0:o1].astype(np.int64)
    # non-buying sessions
    counts = rng.poisson(wm.nonbuy_rate[a:b])
    nseg = counts.shape[1]
    nday = np.repeat(np.repeat(np.arange(a, b), nseg), counts.ravel())
    nsg = np.repeat(np.tile(np.arange(nseg), b - a), counts.ravel())
    q = len(nday)
    ns = np.arange(p, p + q)
    s_ch = np.concatenate([od.channel[o0:o1], nsg // 3]).astype(np.int64)
    s_dv = np.concatenate([ctx["device"][o0:o1], nsg % 3]).astype(np.int64)
    s_day = np.concatenate([pday, nday])
    hourly = np.asarray(config.HOURLY) / np.sum(config.HOURLY)
    start = t0 + nday * 86400 + rng.choice(24, q, p=hourly) * 3600 + rng.integers(0, 3600, q)
    anchor = np.concatenate([t0 + pday * 86400 + od.second[o0:o1] + rng.integers(0, 3, p), start])
    fch = np.array([config.CHANNEL_PARAMS[c][4] for c in config.CHANNELS])
    f = (fch[s_ch[p:]] * np.array(config.DEVICE_CONVERSION_FACTOR)[s_dv[p:]]) ** config.FUNNEL_FACTOR_POWER
    has_view = rng.random(q) < np.clip(config.FUNNEL["view_item"] * np.sqrt(f), 0, 0.9)
    n_view = np.where(has_view, 1 + rng.poisson(0.3, q), 0)
    has_atc = has_view & (rng.random(q) < np.clip(config.FUNNEL["add_to_cart"] * f, 0, 0.6))
    has_chk = has_atc & (rng.random(q) < np.clip(config.FUNNEL["begin_checkout"] * f, 0, 0.8))

    rows = {k: [] for k in ("sess", "key", "ev", "sku", "order")}

    def add(sess, key, ev, sku=-1, order=-1):
        n = len(sess)
        rows["sess"].append(np.asarray(sess, np.int64))
        rows["key"].append(np.broadcast_to(np.asarray(key, float), (n,)))
        rows["ev"].append(np.full(n, ev, np.int8))
        rows["sku"].append(np.broadcast_to(np.asarray(sku, np.int64), (n,)))
        rows["order"].append(np.broadcast_to(np.asarray(order, np.int64), (n,)))

    ps = np.arange(p)
    add(ps, 0.0, 0)
    add(lo, 1 + 3 * jj, 1, lsku)
    rep = rng.random(len(lo)) < 0.1
    add(lo[rep], 1.5 + 3 * jj[rep], 1, lsku[rep])
    add(lo, 2 + 3 * jj, 2, lsku)
    extra = np.repeat(ps, rng.poisson(0.5, p))
    add(extra, rng.uniform(0.5, 3 * m[extra]), 1, _sample_sku(rng, wm, pday[extra], n_sku))
    extra = np.repeat(ps, rng.poisson(0.7, p))
    add(extra, rng.uniform(0.5, 3 * m[extra] + 0.9), 0)
    add(ps, 3 * m + 1.0, 3)
    rep = ps[rng.random(p) < 0.1]
    add(rep, 3 * m[rep] + 1.5, 3)
    add(ps, 3 * m + 2.0, 4, order=np.arange(o0, o1))

    add(ns, 0.0, 0)
    vs = np.repeat(ns, n_view)
    vi = _segments(np.r_[True, vs[1:] != vs[:-1]] if len(vs) else np.zeros(0, bool), len(vs))
    vsku = _sample_sku(rng, wm, s_day[vs], n_sku)
    add(vs, 1 + 2 * vi, 1, vsku)
    first_view = np.full(p + q, -1, np.int64)
    first_view[vs[vi == 0]] = vsku[vi == 0]
    first_view[lo[jj == 0]] = lsku[jj == 0]
    atc = ns[has_atc]
    add(atc, 2.0, 2, first_view[atc])
    rep = atc[rng.random(len(atc)) < 0.1]
    add(rep, 2.5, 2, first_view[rep])
    chk = ns[has_chk]
    add(chk, 2.0 * n_view[has_chk] + 1, 3)
    rep = chk[rng.random(len(chk)) < 0.12]
    add(rep, 2.0 * n_view[rep - p] + 1.5, 3)
    extra = np.repeat(ns, rng.poisson(np.where(has_view, 0.25, 0.10)))
    add(extra, rng.uniform(0.5, 2.0 * n_view[extra - p] + 1.9), 0)

    # users and customers
    s_user = np.empty(p + q, np.int64)
    s_cust = np.full(p + q, -1, np.int64)
    s_from = np.full(p + q, np.inf)
    s_user[:p] = od.customer[o0:o1]
    s_cust[:p] = od.customer[o0:o1]
    s_from[:p] = np.where(od.first[o0:o1], 3 * m + 1.0, 0.0)
    known = rng.random(q) < CUSTOMER_SESSION_SHARE
    kd = nday[known]
    lo_i = np.searchsorted(od.day, kd - 30)
    hi_i = np.searchsorted(od.day, kd + 15)
    pickd = lo_i + (rng.random(len(kd)) * (hi_i - lo_i)).astype(np.int64)
    ok = hi_i > lo_i
    kc = np.where(ok, od.customer[np.minimum(pickd, od.n - 1)], -1)
    anon = ctx["n_customers"] + rng.integers(0, wm.anon_pool, q)
    kidx = np.nonzero(known)[0][ok]
    anon[kidx] = kc[ok]
    s_user[p:] = anon
    s_cust[p + kidx] = kc[ok]
    first_t = ctx["first_time"][kc[ok]]
    s_from[p + kidx] = np.where(start[kidx] >= first_t, 0.0, np.inf)

    # landing pages
    mix = np.cumsum(np.array([config.LANDING_MIX[c] for c in config.CHANNELS]), axis=1)
    ltype = (rng.random(p + q)[:, None] > mix[s_ch]).sum(axis=1)
    ltype = np.where((ltype == 2) & (first_view < 0), 1, ltype)  # no product viewed: a collection
    nb, nc = len(config.BLOG_SLUGS), len(config.CATEGORIES)
    fcat = np.where(first_view >= 0, cat.cat[np.maximum(first_view, 0)], rng.integers(0, nc, p + q))
    land = np.select([ltype == 0, ltype == 1, ltype == 2, ltype == 3],
                     [0, 2 + nb + fcat, 2 + nb + nc + first_view, 1], 2 + rng.integers(0, nb, p + q))

    r = {k: np.concatenate(v) for k, v in rows.items()}
    o = np.argsort((r["sess"] << 20) | (r["key"] * 4096).astype(np.int64), kind="stable")
    r = {k: v[o] for k, v in r.items()}
    n = len(o)
    sess = r["sess"]
    first = np.r_[True, sess[1:] != sess[:-1]]
    gap = np.clip(np.exp(rng.normal(np.log(25.0), 1.0, n)), 1, 900).astype(np.int64)
    gap[first] = 0
    cs = np.cumsum(gap)
    pos = _segments(first, n)
    rel = np.minimum(cs - cs[np.nonzero(first)[0]][np.cumsum(first) - 1], MAX_SESSION_SECONDS)
    last = np.r_[sess[1:] != sess[:-1], True]
    last_rel = np.zeros(p + q, np.int64)
    last_rel[sess[last]] = rel[last]
    is_p = sess < p
    t = np.where(is_p, anchor[sess] - last_rel[sess] + rel, anchor[sess] + rel)
    t = np.clip(t, t0, t0 + ctx["days"] * 86400 - 1)
    s_start = np.zeros(p + q, np.int64)
    s_start[sess[first]] = t[first]  # times never decrease inside a session
    rank = np.empty(p + q, np.int64)
    rank[np.lexsort((np.arange(p + q), s_start))] = np.arange(p + q)
    cust = np.where(r["key"] >= s_from[sess], s_cust[sess], -1)
    out = {"t": t, "snum": snum0 + rank[sess], "pos": pos, "ev": r["ev"], "user": s_user[sess],
           "cust": cust, "ch": s_ch[sess], "dv": s_dv[sess], "land": land[sess], "sku": r["sku"],
           "order": r["order"]}
    n_written = p + q
    if traffic < 1.0:
        # keep every purchase session (each order keeps its purchase event) and a seeded
        # `traffic` share of the others; drawn after everything else, from its own generator,
        # so the kept sessions are exactly the rows a full run writes for them (same ids)
        keep = np.ones(p + q, bool)
        keep[p:] = keep_rng.random(q) < traffic
        rows_kept = keep[sess]
        out = {k: v[rows_kept] for k, v in out.items()}
        n_written = p + int(keep[p:].sum())
    out["n_sessions"] = p + q
    out["n_written"] = n_written
    return out


def write(seed_seq: np.random.SeedSequence, wm: WebModel, ctx: dict, writer: FeedWriter,
          chunk_days: int, progress: Callable[[float], None] | None = None, traffic: float = 1.0,
          traffic_seq: np.random.SeedSequence | None = None) -> tuple[int, int]:
    """Generate all events chunk by chunk and append them to ``writer`` in time order.

    ``traffic`` < 1 writes only that (seeded, ``traffic_seq``) share of the non-buying sessions;
    purchase sessions are always written. Session ids keep their full-run numbering.

    Returns (sessions generated, sessions written).
    """
    days = ctx["days"]
    bounds = list(range(0, days, chunk_days)) + [days]
    kids = seed_seq.spawn(len(bounds) - 1)
    if traffic < 1.0:
        if traffic_seq is None:
            raise ValueError("traffic < 1 needs traffic_seq")
        keep_kids = traffic_seq.spawn(len(bounds) - 1)
    cat: Catalog = ctx["catalog"]
    labels = (["/", "/sale"] + [f"/blog/{s}" for s in config.BLOG_SLUGS]
              + [f"/collections/{c[1].lower().replace(' & ', '-').replace(' ', '-')}" for c in config.CATEGORIES]
              + [f"/products/{s.lower()}" for s in cat.sku])
    width = ctx["width"]
    s_width = max(9, len(str(int(1.2 * (wm.nonbuy_rate.sum() + ctx["orders"].n)))))

    def emit(out: dict) -> None:
        user_hash = (out["user"] * 2654435761 + 40503) % (1 << 32)
        writer.write({
            "session_id": ids("S", out["snum"] + 1, s_width),
            "event_at": timestamps(out["t"]),
            "event": pick(EVENTS, out["ev"]),
            "user_id": ids("u", user_hash, 10),
            "customer_id": ids("C", np.where(out["cust"] >= 0, out["cust"] + 1, -1), width["customer"]),
            "channel": pick(config.CHANNELS, out["ch"]),
            "device": pick(config.DEVICES, out["dv"]),
            "landing_page": pick(labels, out["land"]),
            "sku": pick(cat.sku, out["sku"]),
            "order_id": ids("O", np.where(out["order"] >= 0, out["order"] + 1_000_001, -1), width["order"]),
        })

    pending = None
    snum = 0
    written = 0
    n_chunks = len(bounds) - 1
    # one background thread formats and writes chunk j while chunk j + 1 is generated;
    # writes stay strictly in order, so the file is the same as a sequential run
    with ThreadPoolExecutor(max_workers=1) as pool:
        job = None
        for j in range(n_chunks):
            rng = np.random.default_rng(kids[j])
            keep_rng = np.random.default_rng(keep_kids[j]) if traffic < 1.0 else None
            rows = _chunk(rng, wm, ctx, bounds[j], bounds[j + 1], snum, traffic, keep_rng)
            snum += rows.pop("n_sessions")
            written += rows.pop("n_written")
            if pending is not None:
                rows = {k: np.concatenate([pending[k], rows[k]]) for k in COLS}
            cutoff = ctx["epoch0"] + bounds[j + 1] * 86400 - MARGIN_SECONDS
            ready = np.ones(len(rows["t"]), bool) if j == n_chunks - 1 else rows["t"] < cutoff
            pending = {k: v[~ready] for k, v in rows.items()}
            out = {k: v[ready] for k, v in rows.items()}
            del rows
            # rows of a session are already in step order: a stable sort on (time, session) keeps it
            o = np.argsort(((out["t"] - ctx["epoch0"]) << 34) | out["snum"], kind="stable")
            out = {k: v[o] for k, v in out.items()}
            if job is not None:
                job.result()
            job = pool.submit(emit, out)
            if progress:
                progress((j + 1) / n_chunks)
        if job is not None:
            job.result()
    return snum, written
