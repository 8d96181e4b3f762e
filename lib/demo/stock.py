"""Demand draws, stock simulation with reorder points and lead times, lost sales."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import Catalog

EWMA_ALPHA = 0.08  # planner's demand estimate: EWMA of daily sales on in-stock days
DELAY_PROB = 0.2  # chance a purchase order arrives late
DELAY_MEAN_SHARE = 0.3  # mean delay as a share of the lead time


@dataclass
class Stock:
    """Opening stock per day (after the morning's receipts) and the sold order lines."""

    on_hand: np.ndarray  # days x SKUs
    on_order: np.ndarray  # open purchase-order units at snapshot time
    demand: np.ndarray  # days x SKUs units wanted
    sold: np.ndarray  # days x SKUs units sold
    line_day: np.ndarray
    line_sku: np.ndarray
    line_qty: np.ndarray
    policy: dict  # per-SKU replenishment parameters (arrays)
    purchase_orders: np.ndarray  # number of purchase orders placed per SKU


def draw_lines(rng: np.random.Generator, lam_units: np.ndarray, cat: Catalog):
    """Draw demand as order lines: gamma-Poisson line counts per SKU-day, 1 + Poisson units.

    Returns (cell, qty, units) with cell = day * n_sku + sku, sorted by cell.
    """
    days, n = lam_units.shape
    lam_lines = lam_units / cat.units_per_line[None, :]
    k = cat.dispersion[None, :]
    g = rng.gamma(np.broadcast_to(k, lam_lines.shape), 1.0 / k)
    count = rng.poisson(lam_lines * g)
    cell = np.repeat(np.arange(days * n, dtype=np.int64), count.ravel())
    qty = 1 + rng.poisson((cat.units_per_line - 1)[cell % n]).astype(np.int64)
    units = np.bincount(cell, weights=qty, minlength=days * n).reshape(days, n).astype(np.int64)
    return cell, qty, units


def _pack(qty: np.ndarray, moq: np.ndarray, case_pack: np.ndarray) -> np.ndarray:
    q = np.ceil(np.maximum(qty, 1) / case_pack) * case_pack
    return np.maximum(q, moq).astype(np.int64)


def simulate(rng: np.random.Generator, cat: Catalog, lam_units: np.ndarray, cell, qty, units) -> Stock:
    """Run the daily stock loop (vectorised over SKUs) and keep the lines that could be served.

    Snapshot semantics: ``on_hand`` is the opening stock of the day after that morning's
    receipts; a day with on_hand == 0 sells nothing (demand is lost). Continuous review:
    when on_hand + on_order <= reorder point, order up to reorder point + cover days of
    demand (rounded up to the case pack, at least the MOQ); it arrives after the lead time
    plus an occasional supplier delay. Discontinued SKUs stop reordering before their end.
    """
    days, n = units.shape
    lt = cat.lead_time.astype(float)
    z = rng.uniform(0.0, 1.6, n)
    cover = rng.uniform(14, 45, n)
    delay = np.where(rng.random((days, n)) < DELAY_PROB,
                     rng.poisson(DELAY_MEAN_SHARE * np.broadcast_to(lt, (days, n))), 0)
    alive = cat.alive(days)
    first = np.maximum(cat.launch, 0)
    stop = np.where(cat.end < days, cat.end - cat.lead_time - 21, days)
    csum = np.vstack([np.zeros((1, n)), np.cumsum(lam_units, axis=0)])
    hi = np.minimum(first + 28, days)
    dhat = (csum[hi, np.arange(n)] - csum[np.minimum(first, days), np.arange(n)]) / np.maximum(hi - first, 1)
    dhat = np.maximum(dhat, 0.01)

    def rop_of(dh):
        return dh * (lt + 1) + z * np.sqrt(dh * lt)

    start_stock = _pack(rop_of(dhat) + rng.random(n) * dhat * cover, cat.moq, cat.case_pack)
    launch_at = {int(d): np.nonzero(cat.launch == d)[0] for d in np.unique(cat.launch[cat.launch >= 0])}
    oh = np.where(cat.launch <= 0, start_stock, 0).astype(np.int64)
    oo = np.zeros(n, dtype=np.int64)
    receipts = np.zeros((days + int(lt.max() * 3) + 60, n), dtype=np.int64)
    on_hand = np.zeros((days, n), dtype=np.int64)
    on_order = np.zeros((days, n), dtype=np.int64)
    sold = np.zeros((days, n), dtype=np.int64)
    pos_count = np.zeros(n, dtype=np.int64)
    cols = np.arange(n)
    for d in range(days):
        oh += receipts[d]
        oo -= receipts[d]
        if d in launch_at and d > 0:
            i = launch_at[d]
            oh[i] += start_stock[i]
        on_hand[d] = oh
        on_order[d] = oo
        s = np.minimum(units[d], oh)
        s[~alive[d]] = 0
        sold[d] = s
        oh -= s
        upd = alive[d] & (on_hand[d] > 0)
        dhat = np.where(upd, (1 - EWMA_ALPHA) * dhat + EWMA_ALPHA * s, dhat)
        rop = rop_of(dhat)
        need = alive[d] & (d < stop) & (oh + oo <= rop)
        if need.any():
            i = cols[need]
            q = _pack(rop[i] + dhat[i] * cover[i] - oh[i] - oo[i], cat.moq[i], cat.case_pack[i])
            arrive = d + cat.lead_time[i] + delay[d, i]
            receipts[arrive, i] += q
            oo[i] += q
            pos_count[i] += 1

    # keep the lines that fit into what was sold (earlier lines of the day first)
    cum = np.cumsum(qty)
    starts = np.r_[True, cell[1:] != cell[:-1]] if len(cell) else np.zeros(0, bool)
    first_idx = np.maximum.accumulate(np.where(starts, np.arange(len(cell)), 0))
    before = cum - qty - (cum - qty)[first_idx]
    kept = np.clip(sold.ravel()[cell] - before, 0, qty)
    ok = kept > 0
    policy = {"safety_z": z, "cover_days": cover, "reorder_stop_day": stop}
    return Stock(on_hand=on_hand, on_order=on_order, demand=units, sold=sold,
                 line_day=(cell[ok] // n).astype(np.int32), line_sku=(cell[ok] % n).astype(np.int32),
                 line_qty=kept[ok].astype(np.int64), policy=policy, purchase_orders=pos_count)
