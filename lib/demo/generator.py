"""Orchestrates the demo store: draws every part with its own seeded generator, writes the feeds."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from . import catalog, config, customers, profiles, promos, sales, season, stock, truth, web
from . import spend as spend_part
from .writers import FeedWriter, ids, pick, timestamps

DEFAULT_AS_OF = date(2026, 11, 26)
FORMATS = ("parquet", "csv")
MAX_SCALE = config.MAX_SKUS / config.SKUS_PER_SCALE  # 100: sizes stop growing with the SKU cap
# one seeded child per part; a new part goes at the end, so the earlier parts keep their draws
_PARTS = ["season", "catalog", "promos", "demand", "stock", "orders", "customers", "sales", "web", "profiles",
          "spend"]


def chunk_days(scale: float) -> int:
    """Days of web events generated per chunk (about half a million events each)."""
    return int(np.clip(45 / max(scale, 1e-9), 1, 61))


def id_widths(n_orders: int, n_customers: int) -> dict[str, int]:
    """Digits of the order and customer ids (7 unless the store is very large)."""
    return {"order": max(7, len(str(1_000_000 + n_orders))), "customer": max(7, len(str(n_customers)))}


def generate(out_dir, seed: int = 7, scale: float = 1.0, as_of: date = DEFAULT_AS_OF, fmt: str = "parquet",
             progress: Callable[[float, str], None] | None = None, traffic: float = 1.0,
             holidays: bool = True) -> dict:
    """Generate the demo store into ``out_dir``.

    Args:
        out_dir: directory for products/orders/events/inventory/promotions/customers/spend.<fmt> and truth.json.
        seed: seed of every random draw; same seed, scale and as_of give byte-identical files.
        scale: 1.0 is about 300 SKUs and 250k order lines; sizes grow linearly.
        as_of: last day of the 730-day history (inclusive).
        fmt: "parquet" (default) or "csv".
        progress: optional callable(fraction, message).
        traffic: share of the NON-buying web sessions written (0 < traffic <= 1; default 1, all).
            A seeded subsample: purchase sessions are always written (every order keeps its
            purchase event) and a kept session's rows and id are those of the full run. Lets a
            large order history come with a bounded number of events (benchmarks). Recorded in
            truth.json when below 1; nothing else changes.
        holidays: plant the retail holidays (Thanksgiving week, Black Friday to Cyber Monday,
            December, New Year; default True). False sets every holiday multiplier to 1.0 (see
            season.build; truth.json then says ``"holidays_planted": false``). The seeded generators,
            the catalog, the daily shocks and the promotion calendar (with its Black Friday sale)
            are the same, so the planted parameters differ only by the holiday multipliers (and
            the base-demand scaling that keeps the expected number of order lines); the realised
            orders differ because demand differs.

    Returns:
        {"rows": {feed: n}, "paths": {feed: path}, "seconds": float, ...}.
    """
    t_start = time.perf_counter()
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"scale must be in (0, {MAX_SCALE}]")
    traffic = float(traffic)
    if not 0 < traffic <= 1:
        raise ValueError("traffic must be in (0, 1]")
    if not isinstance(holidays, bool | np.bool_):
        raise TypeError("holidays must be True or False")
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    if not isinstance(as_of, date):
        raise TypeError("as_of must be a datetime.date (or an ISO date string)")

    def report(frac: float, msg: str) -> None:
        if progress is not None:
            progress(float(min(max(frac, 0.0), 1.0)), msg)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # write into a private folder and move the finished files in: a failed run leaves no half files
    work = Path(tempfile.mkdtemp(prefix=".demo-", dir=out))
    try:
        rows, n_sessions, n_customers = _build(work, seed, scale, as_of, fmt, report, traffic, bool(holidays))
        paths = {}
        for f in sorted(work.iterdir()):
            os.replace(f, out / f.name)
            paths[f.stem] = str(out / f.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(1.0, "done")
    return {"out_dir": str(out), "seed": seed, "scale": scale, "traffic": traffic, "holidays": bool(holidays),
            "as_of": as_of.isoformat(),
            "format": fmt, "rows": rows, "paths": paths, "sessions": n_sessions, "customers": n_customers,
            "seconds": round(time.perf_counter() - t_start, 2)}


def _build(out: Path, seed: int, scale: float, as_of: date, fmt: str, report,
           traffic: float = 1.0, holidays: bool = True) -> tuple[dict, int, int]:
    seq = dict(zip(_PARTS, np.random.SeedSequence(seed).spawn(len(_PARTS)), strict=True))
    rngs = {k: np.random.default_rng(v) for k, v in seq.items() if k != "web"}
    dates = season.window(as_of)
    days = len(dates)
    epoch0 = int(dates[0].astype("datetime64[s]").astype(np.int64))

    report(0.0, "catalog and prices")
    seas, season_truth = season.build(rngs["season"], dates, holidays=holidays)
    cat = catalog.build(rngs["catalog"], scale, days)
    pr = promos.build(rngs["promos"], cat, days, season.black_fridays(dates))
    mult = promos.multiplier(pr, cat)
    lam = seas[:, cat.cat] * (cat.list_price / cat.ref_price) ** cat.elasticity * mult * cat.alive(days)
    target = config.LINES_PER_SCALE * cat.n / config.SKUS_PER_SCALE
    cat.base = cat.base * target / float((cat.base * lam / cat.units_per_line).sum())
    lam *= cat.base
    t = truth.base(seed, scale, as_of, dates, cat.n)
    t["seasonality"] = season_truth
    t["promotions"] = truth.promotions(pr, mult, dates, cat)
    del seas, mult

    report(0.05, "demand and stock")
    cell, qty, units = stock.draw_lines(rngs["demand"], lam, cat)
    st = stock.simulate(rngs["stock"], cat, lam, cell, qty, units)
    del cell, qty, units
    exp_orders = (lam / cat.units_per_line).sum(axis=1) / config.BASKET_MEAN_LINES
    interest = web.interest(lam)
    del lam
    t["skus"] = truth.skus(cat, st, dates)
    rows = {}

    def write(feed: str, fn, **kw) -> None:
        w = FeedWriter(out, feed, fmt)
        fn(w, cat=cat, dates=dates, epoch0=epoch0, **kw)
        w.close()
        rows[feed] = w.rows

    write("products", _write_products)
    write("promotions", _write_promotions, pr=pr)
    write("inventory", _write_inventory, st=st)
    line_day, line_sku, line_qty = st.line_day, st.line_sku, st.line_qty
    del st

    report(0.15, "orders and customers")
    od = customers.group(rngs["orders"], line_day, line_sku, line_qty, cat.n)
    del line_day, line_sku, line_qty
    cu = customers.assign(rngs["customers"], od, days)
    ln = sales.build(rngs["sales"], cat, pr, od)
    del pr
    width = id_widths(od.n, len(cu.channel))
    write("orders", _write_orders, od=od, ln=ln, width=width)
    write("customers", _write_customers, rng=rngs["profiles"], n=len(cu.channel), width=width)

    report(0.3, "web events")
    wkids = seq["web"].spawn(2)
    traffic_seq = seq["web"].spawn(1)[0] if traffic < 1 else None  # a third child: the others are unchanged
    wm = web.model(interest, exp_orders, od)
    del interest
    sp = spend_part.build(rngs["spend"], spend_part.expected_sessions(wm.nonbuy_rate, od, days))
    write("spend", _write_spend, sp=sp)
    t["spend"] = spend_part.truth(sp, od, ln)
    del ln, sp
    first_time = epoch0 + cu.first_day * 86400 + cu.first_second
    device = np.random.default_rng(wkids[0]).choice(3, od.n, p=wm.purchase_device)
    ctx = {"catalog": cat, "orders": od, "epoch0": epoch0, "days": days, "device": device,
           "n_customers": len(cu.channel), "first_time": first_time, "width": width}
    w = FeedWriter(out, "events", fmt)
    n_generated, n_sessions = web.write(wkids[1], wm, ctx, w, chunk_days(scale),
                                        lambda f: report(0.3 + 0.68 * f, "web events"),
                                        traffic=traffic, traffic_seq=traffic_seq)
    w.close()
    rows["events"] = w.rows

    report(0.99, "truth.json")
    t.update({
        "customers": customers.truth(cu, od),
        "web": wm.truth(),
        "rows": dict(rows),
        "sessions": int(n_sessions),
        "customers_in_orders": int(len(np.unique(od.customer))),
        "profiles": profiles.truth(),
    })
    if traffic < 1:  # only then: a full run's truth.json stays byte-identical
        t["traffic"] = {"fraction": traffic, "sessions_generated": int(n_generated),
                        "note": "share of non-buying sessions written; purchase sessions all written; "
                                "the planted web rates above are before this subsample"}
    truth.write(out / "truth.json", t)
    return rows, int(n_sessions), t["customers_in_orders"]


def supplier_skus(sku, supplier) -> list[str | None]:
    """The supplier's own code for each SKU, known for every other supplier of config.SUPPLIERS (the first,
    third, ...): its initials and the SKU without the dash ("Northwind Trading", APP-0001 -> NT-APP0001).
    Derived, not drawn: the rest of the store is the same with or without it."""
    known = {s: "".join(w[0] for w in s.replace("&", " ").split()) for s in config.SUPPLIERS[::2]}
    return [f"{known[p]}-{str(k).replace('-', '')}" if p in known else None for k, p in zip(sku, supplier, strict=True)]


def _write_products(w: FeedWriter, cat, **_):
    names = [c[1] for c in config.CATEGORIES]
    w.write({"sku": pa.array(cat.sku.tolist()), "name": pa.array(cat.name.tolist()),
             "category": pick(names, cat.cat), "unit_cost": cat.unit_cost, "price": cat.price,
             "lead_time_days": cat.lead_time.astype(np.int64), "moq": cat.moq.astype(np.int64),
             "case_pack": cat.case_pack.astype(np.int64), "supplier": pa.array(cat.supplier.tolist()),
             "supplier_sku": pa.array(supplier_skus(cat.sku, cat.supplier), pa.string()), "active": cat.active})


def _write_promotions(w: FeedWriter, cat, dates, pr, **_):
    w.write({"promo_id": pa.array(pr.promo_id.tolist()), "start_date": pa.array(dates[pr.start]),
             "end_date": pa.array(dates[pr.end]), "discount_pct": pr.discount,
             "sku": pick(cat.sku, pr.sku), "category": pick([c[1] for c in config.CATEGORIES], pr.cat),
             "type": pa.array(pr.type.tolist()), "channel": pick(["email"], np.where(pr.email_only, 0, -1))})


def _write_inventory(w: FeedWriter, cat, st, dates, **_):
    days = len(dates)
    alive = cat.alive(days)
    step = max(1, 2_000_000 // cat.n)
    for d0 in range(0, days, step):
        dd, ss = np.nonzero(alive[d0:d0 + step])
        w.write({"sku": pick(cat.sku, ss), "date": pa.array(dates[d0 + dd]),
                 "on_hand": st.on_hand[d0 + dd, ss], "on_order": st.on_order[d0 + dd, ss],
                 "location": pick(["main"], np.zeros(len(ss), np.int64))})


def _write_spend(w: FeedWriter, sp, dates, **_):
    w.write(spend_part.columns(sp, dates))


def _write_customers(w: FeedWriter, rng, n, width, **_):
    w.write(profiles.build(rng, n, width["customer"]))


def _write_orders(w: FeedWriter, cat, od, ln, epoch0, width, **_):
    step = 1_000_000
    for i in range(0, ln.n, step):
        o = ln.order[i:i + step]
        w.write({
            "order_id": ids("O", o + 1_000_001, width["order"]),
            "ordered_at": timestamps(epoch0 + od.day[o].astype(np.int64) * 86400 + od.second[o]),
            "customer_id": ids("C", od.customer[o] + 1, width["customer"]),
            "sku": pick(cat.sku, ln.sku[i:i + step]),
            "quantity": ln.qty[i:i + step],
            "unit_price": ln.unit_price[i:i + step],
            "discount": ln.discount[i:i + step],
            "channel": pick(config.CHANNELS, od.channel[o]),
            "status": pick(sales.STATUSES, ln.status[i:i + step]),
            "currency": pick(["USD"], np.zeros(len(o), np.int64)),
        })
