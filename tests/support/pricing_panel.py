"""A weekly SKU price/quantity panel with known elasticities, for calibrating lib.pricing.elasticity.

    panel(seed, sd=0.4, volume=20, promo_rate=0.1, season=0.3, n_cats=8, n_skus=15, weeks=104)
    -> Panel(sales, truth)    sales: weekly rows [sku, category, ds, units, price, promo]
                              truth: [sku, category, elasticity, price_class, category_elasticity]

Separate from lib/demo, and deliberately not the estimator's own model (a GLM with SKU and week effects
and one log-price slope per SKU would fit its own data too well to tell anything):

- category elasticity uniform on [-2.5, -0.8]; SKU elasticity = category's + N(0, sd);
- price classes, a quarter / a quarter / a half of each category's SKUs in turn:
  "none" (list price never moves), "thin" (one or two list-price changes of 3-8 % over the history),
  "rich" (a new list price every 6 to 16 weeks, anywhere within +/-20 % of the SKU's reference);
- mean weekly units at the reference price: ``volume`` x log-normal(0, 0.5) per SKU;
- season: the category's annual cycle (amplitude ``season`` in logs) with a SKU-specific amplitude
  (x exp(N(0, 0.4))) and phase (+ N(0, 0.5) rad), which week effects shared by the category cannot
  absorb; a SKU trend N(0, 0.1) per year in logs;
- demand shocks: AR(1) in logs (rho 0.3, sd 0.1) and gamma-Poisson counts with a SKU shape uniform on
  [3, 30] (overdispersion that differs by SKU and grows with volume);
- promotions: each week with probability ``promo_rate`` a discount of 10, 20 or 30 % whose units move by
  (1 - d)^elasticity x lift, lift = exp(N(0.2, 0.1)) per promotion (beyond the price effect).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from lib.pricing.elasticity import fit_pooled

__all__ = ["panel", "score", "Panel", "PRICE_CLASSES"]

PRICE_CLASSES = ("none", "thin", "rich")
_CLASS_CYCLE = ("none", "rich", "thin", "rich")  # 1/4 none, 1/4 thin, 1/2 rich


class Panel(NamedTuple):
    sales: pd.DataFrame
    truth: pd.DataFrame


def _list_price(rng: np.random.Generator, cls: str, weeks: int) -> np.ndarray:
    """Relative list price per week (1 = reference) for a price class."""
    rel = np.ones(weeks)
    if cls == "thin":
        for at in np.sort(rng.choice(np.arange(15, weeks - 15), size=rng.integers(1, 3), replace=False)):
            rel[at:] *= np.exp(rng.choice([-1, 1]) * rng.uniform(0.03, 0.08))
    elif cls == "rich":
        t = 0
        while t < weeks:
            run = int(rng.integers(6, 17))
            rel[t:t + run] = np.exp(rng.uniform(np.log(0.8), np.log(1.2)))
            t += run
    return rel


def panel(seed: int, *, sd: float = 0.4, volume: float = 20.0, promo_rate: float = 0.1, season: float = 0.3,
          n_cats: int = 8, n_skus: int = 15, weeks: int = 104, start: str = "2024-01-01") -> Panel:
    """One simulated store (see the module docstring); everything drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, periods=weeks, freq="W-MON")
    t = np.arange(weeks)
    frames, truth = [], []
    for c in range(n_cats):
        cat = f"C{c:02d}"
        mu = rng.uniform(-2.5, -0.8)
        phase_c = rng.uniform(0, 2 * np.pi)
        for j in range(n_skus):
            sku = f"{cat}-S{j:02d}"
            cls = _CLASS_CYCLE[j % len(_CLASS_CYCLE)]
            e = mu + sd * rng.standard_normal()
            base = volume * np.exp(0.5 * rng.standard_normal() - 0.125)
            amp = season * np.exp(0.4 * rng.standard_normal())
            seas = amp * np.sin(2 * np.pi * t / 52 + phase_c + 0.5 * rng.standard_normal())
            trend = 0.1 * rng.standard_normal() * t / 52
            shock = np.zeros(weeks)
            eps = 0.1 * np.sqrt(1 - 0.3**2) * rng.standard_normal(weeks)
            shock[0] = 0.1 * rng.standard_normal()
            for k in range(1, weeks):
                shock[k] = 0.3 * shock[k - 1] + eps[k]
            rel = _list_price(rng, cls, weeks)
            promo = np.where(rng.random(weeks) < promo_rate, rng.choice([10.0, 20.0, 30.0], weeks), 0.0)
            lift = np.where(promo > 0, np.exp(0.2 + 0.1 * rng.standard_normal(weeks)), 1.0)
            lam = base * np.exp(seas + trend + shock) * rel**e * (1 - promo / 100) ** e * lift
            shape = rng.uniform(3, 30)
            units = rng.poisson(lam * rng.gamma(shape, 1 / shape, weeks))
            ref = np.exp(rng.uniform(np.log(5), np.log(80)))
            frames.append(pd.DataFrame({"sku": sku, "category": cat, "ds": ds, "units": units,
                                        "price": ref * rel * (1 - promo / 100), "promo": promo}))
            truth.append({"sku": sku, "category": cat, "elasticity": e, "price_class": cls,
                          "category_elasticity": mu})
    return Panel(pd.concat(frames, ignore_index=True), pd.DataFrame(truth))


def score(sales: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Truth rows with the estimate, 95 % and 80 % intervals and whether each covers the truth.

    The same fit and pooling as pricing.elasticities (which reports the 95 % interval only)."""
    parts, res = fit_pooled(sales, levels=(0.95, 0.8))
    rows = []
    for p, r in zip(parts, res, strict=True):
        rows.append(p[["sku", "category"]].assign(est=r.median, lo95=r.lo[0.95], hi95=r.hi[0.95],
                                                  lo80=r.lo[0.8], hi80=r.hi[0.8]))
    m = truth.merge(pd.concat(rows), on=["sku", "category"])
    e = m["elasticity"]
    return m.assign(cov95=(m["lo95"] <= e) & (e <= m["hi95"]), cov80=(m["lo80"] <= e) & (e <= m["hi80"]),
                    err=(m["est"] - e).abs(), width=m["hi95"] - m["lo95"])
