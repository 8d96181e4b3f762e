"""Promotions with planted lifts: Black Friday sitewide, category, SKU, bundle and clearance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import config
from .catalog import Catalog


@dataclass
class Promotions:
    """Promotion rows (day indices inclusive) and the promotion applying to each SKU-day."""

    promo_id: np.ndarray
    start: np.ndarray
    end: np.ndarray
    discount: np.ndarray  # percent
    sku: np.ndarray  # SKU index or -1
    cat: np.ndarray  # category index or -1
    type: np.ndarray
    email_only: np.ndarray  # bool: channel == "email", else all channels
    lift: np.ndarray  # planted extra multiplier on top of the price effect
    cell: np.ndarray  # days x SKUs: index of the applying promotion, -1 for none

    @property
    def n(self) -> int:
        return len(self.promo_id)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return np.round(np.maximum(np.exp(rng.normal(np.log(median), sigma, n)), 1.0), 3)


def build(rng: np.random.Generator, cat: Catalog, days: int, black_fridays: list[int]) -> Promotions:
    """Draw the promotion calendar and resolve which promotion applies per SKU-day.

    When promotions overlap on a SKU-day the deepest discount wins (ties: lowest promo_id).
    """
    k = len(config.CATEGORIES)
    cols: dict[str, list] = {c: [] for c in ("start", "end", "discount", "sku", "cat", "type", "email", "lift")}

    def add(start, end, discount, sku, category, kind, email, lift):
        n = len(start)
        for key, val in (("start", start), ("end", end), ("discount", discount), ("sku", sku),
                         ("cat", category), ("type", [kind] * n if isinstance(kind, str) else kind),
                         ("email", email), ("lift", lift)):
            cols[key].extend(np.broadcast_to(np.asarray(val), (n,)).tolist())

    for bf in black_fridays:  # Black Friday to Cyber Monday, every category
        end = min(bf + 3, days - 1)
        add([bf] * k, [end] * k, rng.choice([20.0, 25.0, 30.0], k), -1, np.arange(k), "percent_off",
            False, _lognormal(rng, 1.35, 0.10, k))
        early = rng.choice(k, 3, replace=False)  # email early access
        add([bf - 3] * 3, [bf - 1] * 3, 15.0, -1, early, "percent_off", True, _lognormal(rng, 1.25, 0.10, 3))

    n_cat = rng.poisson(4.0 * days / 365, k)
    cc = np.repeat(np.arange(k), n_cat)
    m = len(cc)
    start = rng.integers(0, days - 7, m)
    add(start, np.minimum(start + rng.integers(5, 15, m) - 1, days - 1), rng.choice([10.0, 15.0, 20.0, 25.0], m),
        -1, cc, "percent_off", rng.random(m) < 0.2, _lognormal(rng, 1.2, 0.12, m))

    m = int(round(0.6 * cat.n))
    s = rng.integers(0, cat.n, m)
    lo = np.maximum(cat.launch[s], 0)
    hi = cat.end[s] - 1
    ok = hi - lo >= 20
    s, lo, hi = s[ok], lo[ok], hi[ok]
    m = len(s)
    start = lo + (rng.random(m) * (hi - lo - 3)).astype(int)
    end = np.minimum(start + rng.integers(3, 15, m) - 1, hi)
    bundle = rng.random(m) < 0.12
    disc = np.where(bundle, 15.0, rng.choice([10.0, 15.0, 20.0, 25.0, 30.0, 35.0], m))
    lift = np.where(bundle, _lognormal(rng, 1.4, 0.12, m), _lognormal(rng, 1.25, 0.15, m))
    add(start, end, disc, s, -1, np.where(bundle, "bundle", "percent_off"), rng.random(m) < 0.15, lift)

    s = np.nonzero(cat.end < days)[0]  # clearance before discontinuation
    m = len(s)
    end = cat.end[s] - 1
    start = np.maximum(end - rng.integers(20, 46, m), np.maximum(cat.launch[s], 0))
    add(start, end, rng.choice([30.0, 40.0, 50.0], m), s, -1, "clearance", False, _lognormal(rng, 1.15, 0.10, m))

    start = np.asarray(cols["start"], dtype=np.int64)
    end = np.asarray(cols["end"], dtype=np.int64)
    sku = np.asarray(cols["sku"], dtype=np.int64)
    category = np.asarray(cols["cat"], dtype=np.int64)
    kind = np.asarray(cols["type"], dtype=object)
    order = np.lexsort((sku, category, kind.astype(str), end, start))
    start, end, sku, category, kind = start[order], end[order], sku[order], category[order], kind[order]
    discount = np.asarray(cols["discount"], dtype=float)[order]
    email = np.asarray(cols["email"], dtype=bool)[order]
    lift = np.asarray(cols["lift"], dtype=float)[order]
    keep = start >= 0
    idx = np.nonzero(keep)[0]
    start, end, sku, category, kind = start[idx], end[idx], sku[idx], category[idx], kind[idx]
    discount, email, lift = discount[idx], email[idx], lift[idx]
    n = len(start)
    promo_id = np.array([f"PR-{i + 1:04d}" for i in range(n)])

    cell = np.full((days, cat.n), -1, dtype=np.int32)
    best = np.zeros((days, cat.n))
    for i in range(n):
        c = np.array([sku[i]]) if sku[i] >= 0 else np.nonzero(cat.cat == category[i])[0]
        ix = np.ix_(np.arange(start[i], end[i] + 1), c)
        sub = best[ix]
        win = discount[i] > sub
        best[ix] = np.where(win, discount[i], sub)
        cell[ix] = np.where(win, i, cell[ix])
    return Promotions(promo_id=promo_id, start=start, end=end, discount=discount, sku=sku, cat=category,
                      type=kind.astype(str), email_only=email, lift=lift, cell=cell)


def multiplier(p: Promotions, cat: Catalog) -> np.ndarray:
    """Planted promotion multiplier per SKU-day (1 where no promotion applies).

    All-channel promotion: lift * (1 - discount)^elasticity. Email-only promotion: the
    blend (1 - s) + s * lift * (1 - discount)^elasticity with s = CHANNEL_PROMO_SHARE.
    """
    has = p.cell >= 0
    i = np.where(has, p.cell, 0)
    effect = p.lift[i] * (1 - p.discount[i] / 100) ** cat.elasticity[None, :]
    s = config.CHANNEL_PROMO_SHARE
    effect = np.where(p.email_only[i], (1 - s) + s * effect, effect)
    return np.where(has, effect, 1.0)
