"""Product master: SKUs, categories, life cycles, list-price history and planted demand."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import config


@dataclass
class Catalog:
    """Column arrays of the product master (index = position in sorted SKU order)."""

    sku: np.ndarray  # str
    name: np.ndarray
    cat: np.ndarray  # category index into config.CATEGORIES
    unit_cost: np.ndarray
    price: np.ndarray  # current list price (at as_of)
    lead_time: np.ndarray
    moq: np.ndarray
    case_pack: np.ndarray
    supplier: np.ndarray
    active: np.ndarray
    launch: np.ndarray  # first selling day index (may be negative: launched before the window)
    end: np.ndarray  # first day no longer sold (== days when still active)
    mover: np.ndarray  # index into config.MOVERS
    base: np.ndarray  # planted base demand, units/day at reference price and season 1
    elasticity: np.ndarray
    dispersion: np.ndarray
    units_per_line: np.ndarray
    ref_price: np.ndarray
    list_price: np.ndarray  # days x SKUs
    price_changes: list  # per SKU: [(day index, new price), ...]

    @property
    def n(self) -> int:
        return len(self.sku)

    def alive(self, days: int) -> np.ndarray:
        """Boolean days x SKUs: the SKU is on sale that day."""
        d = np.arange(days)[:, None]
        return (d >= self.launch[None, :]) & (d < self.end[None, :])


def n_skus(scale: float) -> int:
    """Number of SKUs for a scale: 300 per unit of scale, at least 24, capped."""
    return int(min(config.MAX_SKUS, max(24, round(config.SKUS_PER_SCALE * scale))))


def round_price(p: np.ndarray) -> np.ndarray:
    """Shelf-price endings: x.49/x.99 below 10, x.99 above."""
    p = np.asarray(p, dtype=float)
    low = np.ceil(p * 2) / 2 - 0.01
    high = np.round(p) - 0.01
    return np.round(np.maximum(np.where(p < 10, low, high), 1.49), 2)


def _categories(rng: np.random.Generator, n: int) -> np.ndarray:
    shares = np.array([c[2] for c in config.CATEGORIES])
    shares = shares / shares.sum()
    k = len(shares)
    if n >= 2 * k:
        counts = 2 + rng.multinomial(n - 2 * k, shares)
    else:
        counts = np.bincount(np.arange(n) % k, minlength=k)
    return np.repeat(np.arange(k), counts)


def build(rng: np.random.Generator, scale: float, days: int) -> Catalog:
    """Draw the product master, life cycles, list-price paths and demand parameters."""
    n = n_skus(scale)
    cats = config.CATEGORIES
    cat = _categories(rng, n)
    # SKU codes: category code + running number; the arrays stay sorted by SKU
    within = np.zeros(n, dtype=int)
    for c in range(len(cats)):
        idx = np.nonzero(cat == c)[0]
        within[idx] = np.arange(1, len(idx) + 1)
    codes = np.array([cats[c][0] for c in cat])
    sku = np.array([f"{codes[i]}-{within[i]:04d}" for i in range(n)])
    order = np.argsort(sku, kind="stable")
    sku, cat = sku[order], cat[order]

    adj = rng.integers(0, len(config.ADJECTIVES), n)
    var = rng.integers(0, len(config.VARIANTS), n)
    noun_pick = rng.random(n)
    name = np.array([
        f"{config.ADJECTIVES[adj[i]]} {cats[cat[i]][10][int(noun_pick[i] * len(cats[cat[i]][10]))]}"
        f" ({config.VARIANTS[var[i]]})"
        for i in range(n)
    ])

    mover_names = list(config.MOVERS)
    mshare = np.array([config.MOVERS[m][0] for m in mover_names])
    mover = rng.choice(len(mover_names), size=n, p=mshare / mshare.sum())
    mu = np.array([config.MOVERS[m][1] for m in mover_names])[mover]
    base = np.exp(rng.normal(mu, 0.5))
    dispersion = np.array([config.MOVERS[m][2] for m in mover_names])[mover]
    units_per_line = np.array([config.MOVERS[m][3] for m in mover_names])[mover]

    el_mean = np.array([c[4] for c in cats])[cat]
    elasticity = np.round(np.clip(rng.normal(el_mean, 0.35), -3.0, -0.5), 3)

    # life cycle: most SKUs predate the window, some launch inside it, some are discontinued
    launch = np.where(rng.random(n) < 0.25, rng.integers(20, days - 40, n), -rng.integers(30, 1500, n))
    disc = rng.random(n) < 0.12
    lo = np.maximum(launch, 0) + 150
    can = disc & (lo < days - 10)
    end = np.full(n, days)
    end[can] = lo[can] + (rng.random(can.sum()) * (days - 10 - lo[can])).astype(int)
    active = end >= days

    # list-price history
    med = np.array([c[3] for c in cats])[cat]
    ref_price = round_price(np.exp(rng.normal(np.log(med), 0.45)))
    list_price = np.empty((days, n))
    n_changes = rng.choice(5, size=n, p=[0.35, 0.30, 0.20, 0.10, 0.05])
    changes = []
    for i in range(n):
        first, last = max(launch[i], 0) + 14, end[i] - 14
        k = min(int(n_changes[i]), max(0, (last - first) // 45))
        cdays = np.sort(rng.choice(np.arange(first, last), size=k, replace=False)) if k else []
        p, seq = ref_price[i], []
        list_price[:, i] = p
        for d in cdays:
            up = rng.random() < 0.7
            f = rng.uniform(1.04, 1.15) if up else rng.uniform(0.85, 0.95)
            newp = float(round_price(p * f))
            if newp == p:
                newp = float(round_price(p * (1.1 if up else 0.9)))
            list_price[d:, i] = newp
            seq.append((int(d), newp))
            p = newp
        changes.append(seq)
    price = list_price[-1].copy()

    margin = rng.uniform(0.22, 0.68, n)
    unit_cost = np.round(price * (1 - margin), 2)
    lt_lo = np.array([c[5][0] for c in cats])[cat]
    lt_hi = np.array([c[5][1] for c in cats])[cat]
    lead_time = rng.integers(lt_lo, lt_hi + 1)
    case_pack = np.where(price < 15, rng.choice([6, 12, 24], n),
                         np.where(price < 40, rng.choice([2, 4, 6, 12], n), rng.choice([1, 2, 4], n)))
    mult = np.where(mover >= 2, rng.choice([1, 2], n), rng.choice([1, 2, 3, 5, 10], n))
    moq = case_pack * mult
    sup_pairs = [rng.choice(len(config.SUPPLIERS), 2, replace=False) for _ in cats]
    supplier = np.array([config.SUPPLIERS[sup_pairs[cat[i]][int(rng.random() < 0.4)]] for i in range(n)])

    return Catalog(sku=sku, name=name, cat=cat, unit_cost=unit_cost, price=price, lead_time=lead_time,
                   moq=moq, case_pack=case_pack, supplier=supplier, active=active, launch=launch, end=end,
                   mover=mover, base=base, elasticity=elasticity, dispersion=dispersion,
                   units_per_line=units_per_line, ref_price=ref_price, list_price=list_price,
                   price_changes=changes)
