"""truth.json: everything the generator planted, for tests and benchmarks to check against."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from . import config
from .catalog import Catalog
from .promos import Promotions
from .stock import Stock


def _iso(dates: np.ndarray, day: int) -> str:
    return str(dates[0] + np.timedelta64(int(day), "D"))


def skus(cat: Catalog, st: Stock, dates: np.ndarray) -> dict:
    """Per-SKU planted demand, price and replenishment parameters, plus realised stockouts."""
    days = len(dates)
    alive = cat.alive(days)
    stockout_days = ((st.on_hand == 0) & alive).sum(axis=0)
    lost = (st.demand - st.sold).sum(axis=0)
    movers = list(config.MOVERS)
    out = {}
    for i, s in enumerate(cat.sku):
        out[str(s)] = {
            "category": config.CATEGORIES[cat.cat[i]][1],
            "elasticity": float(cat.elasticity[i]),
            "base_demand": round(float(cat.base[i]), 6),
            "ref_price": float(cat.ref_price[i]),
            "mover_class": movers[cat.mover[i]],
            "line_dispersion_gamma_shape": float(cat.dispersion[i]),
            "mean_units_per_line": float(cat.units_per_line[i]),
            "launch_date": _iso(dates, cat.launch[i]),
            "end_date": _iso(dates, cat.end[i] - 1) if cat.end[i] < days else None,
            "price_changes": [[_iso(dates, d), p] for d, p in cat.price_changes[i]],
            "safety_z": round(float(st.policy["safety_z"][i]), 4),
            "cover_days": round(float(st.policy["cover_days"][i]), 3),
            "reorder_stop_date": _iso(dates, st.policy["reorder_stop_day"][i]) if cat.end[i] < days else None,
            "purchase_orders": int(st.purchase_orders[i]),
            "demand_units": int(st.demand[:, i].sum()),
            "lost_units": int(lost[i]),
            "stockout_days": int(stockout_days[i]),
        }
    return out


def promotions(p: Promotions, mult: np.ndarray, dates: np.ndarray, cat: Catalog) -> dict:
    """Per-promotion planted lift and its mean total demand multiplier where it applied."""
    flat = p.cell.ravel()
    used = flat >= 0
    n_cells = np.bincount(flat[used], minlength=p.n)
    m_sum = np.bincount(flat[used], weights=mult.ravel()[used], minlength=p.n)
    out = {}
    for i in range(p.n):
        out[str(p.promo_id[i])] = {
            "lift": float(p.lift[i]),
            "discount_pct": float(p.discount[i]),
            "type": str(p.type[i]),
            "channel": "email" if p.email_only[i] else None,
            "sku": str(cat.sku[p.sku[i]]) if p.sku[i] >= 0 else None,
            "category": config.CATEGORIES[p.cat[i]][1] if p.cat[i] >= 0 else None,
            "start_date": _iso(dates, p.start[i]),
            "end_date": _iso(dates, p.end[i]),
            "applied_sku_days": int(n_cells[i]),
            "mean_demand_multiplier": round(float(m_sum[i] / n_cells[i]), 6) if n_cells[i] else None,
        }
    return out


def write(path: Path, truth: dict) -> str:
    """Write truth.json deterministically (sorted keys)."""
    Path(path).write_text(json.dumps(truth, indent=1, sort_keys=True, allow_nan=False) + "\n")
    return str(path)


def base(seed: int, scale: float, as_of, dates: np.ndarray, n_sku: int) -> dict:
    """Run-level facts and the demand formula."""
    return {
        "seed": seed,
        "scale": scale,
        "as_of": as_of.isoformat(),
        "start_date": str(dates[0]),
        "days": len(dates),
        "n_skus": n_sku,
        "currency": "USD",
        "timezone": "store local time, naive timestamps",
        "demand_model": (
            "expected_units[d,s] = base_demand[s] * season[d,category] * (list_price[d,s]/ref_price[s])"
            "^elasticity[s] * promo_multiplier[d,s]; promo_multiplier = lift * (1 - discount_pct/100)"
            "^elasticity for all-channel promotions (i.e. realised price in the price term times the "
            "lift) and (1 - s) + s * lift * (1 - discount_pct/100)^elasticity for email-only ones, "
            f"s = {config.CHANNEL_PROMO_SHARE}; one promotion per SKU-day (deepest discount wins). "
            "Order lines per SKU-day ~ Poisson(expected_units / mean_units_per_line * Gamma(k, 1/k)), "
            "units per line 1 + Poisson(mean_units_per_line - 1); sales = min(demand, opening on_hand)."
        ),
        "inventory_snapshot": "on_hand = opening stock of the day after that morning's receipts; "
                              "on_order = units on open purchase orders; days with on_hand = 0 sell nothing",
        "categories": {c[1]: {"code": c[0], "elasticity_mean": c[4], "lead_time_range": list(c[5]),
                              "return_rate": c[9]} for c in config.CATEGORIES},
        "orders": {"basket_mean_lines": config.BASKET_MEAN_LINES, "cancel_rate": config.CANCEL_RATE,
                   "coupon_first_order": config.COUPON_FIRST_ORDER, "coupon_other": config.COUPON_OTHER,
                   "returns": "same order_id and ordered_at as the sale, negative quantity, status refunded"},
    }
