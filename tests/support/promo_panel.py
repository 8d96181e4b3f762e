"""A daily SKU panel with planted promotion lifts, for calibrating lib.pricing.promos and effects.

    panel(seed, volume=20, promo_rate=0.1, dev_sd=0.15, n_cats=4, n_skus=8, days=400)
    -> PromoPanel(daily, promotions, truth, elasticities, products)
    score(p) -> {"promo", "depth", "k"}: truth next to the estimates, 95 % and 80 % intervals, coverage

daily       [unique_id, ds, y, price, promo, in_stock, category]   (what promo_lift takes)
promotions  [promo_id, start_date, end_date, discount_pct, sku, category, type, channel (None)]
truth       per promotion [promo_id, type, discount_pct, depth_bucket, k, expected_with, expected_without,
            lift] (see "Truth" below)
elasticities [sku, category, elasticity] the true SKU elasticities; products [sku, category]

Separate from lib/demo and deliberately not promo_lift's own baseline model (SKU fixed effects, day of
week, a category trend and category yearly Fourier terms, Poisson):

- category elasticity uniform on [-2.5, -0.8], SKU elasticity = category's + N(0, 0.3);
- mean weekly units at the regular price: ``volume`` x log-normal(0, 0.5) per SKU; the regular price
  never moves (the price column is regular x (1 - discount));
- day of week: a category profile exp(N(0, 0.15)) per weekday;
- season: a yearly sine of amplitude 0.3 x exp(N(0, 0.4)) per SKU, phase the category's + N(0, 0.5) rad
  (SKU-specific: the baseline's category Fourier terms cannot absorb it); a SKU trend N(0, 0.1) a year;
- demand shocks in logs: AR(1) per SKU (rho 0.6, stationary sd 0.15) plus one AR(1) common to the
  category (rho 0.6, sd 0.07); counts gamma-Poisson with a SKU shape uniform on [3, 30];
- promotion types TYPES with extra lifts K (1.1, 1.3, 1.6); depth 10, 20 or 30 % acting through each SKU's
  elasticity, (1 - d)^e; a per-promotion deviation exp(N(-dev_sd^2 / 2, dev_sd)) (mean one);
- SKU-level promotions of 3-14 days, on about ``promo_rate`` of each SKU's days, and category-level
  promotions of 3-7 days on about ``promo_rate`` / 3 of the days; no promotion overlaps another of the
  same SKU (so every promotion's SKU-days are exactly the days it covers; everything is in stock).

Truth. lam(i, t) is the expected units of SKU i on day t without promotion given the latent demand
(regular price, day of week, season, trend and the realised AR(1) shocks; the gamma-Poisson noise
averaged out); under a promotion of type y and depth d the expectation is
lam x m, m = K[y] x dev x (1 - d)^e_i. Then

- per promotion: lift = sum lam x m / sum lam over its SKU-days (= m for a SKU-level promotion; the
  lam-weighted mean over the category's SKUs for a category-level one): what by_promo.lift estimates;
- per type x depth bucket: sum over its promotions of expected_with / sum of expected_without (the
  pooled ratio by_depth.lift estimates);
- per type: K[y], the mean extra lift a new promotion of that type gets beyond its price effect (the
  deviation has mean one), which promo_effects' k estimates given the elasticities.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["panel", "score", "PromoPanel", "TYPES", "K", "DEPTHS", "bucket"]

TYPES = ("percent_off", "bundle", "flash_sale")
K = {"percent_off": 1.1, "bundle": 1.3, "flash_sale": 1.6}
DEPTHS = (10.0, 20.0, 30.0)


class PromoPanel(NamedTuple):
    daily: pd.DataFrame
    promotions: pd.DataFrame
    truth: pd.DataFrame
    elasticities: pd.DataFrame
    products: pd.DataFrame


def bucket(depth: pd.Series) -> pd.Series:
    """promo_lift's depth bucket label of a discount (DEPTH_BINS, [lo, hi))."""
    from lib.pricing.promos import DEPTH_BINS, DEPTH_LABELS
    return pd.cut(depth.astype(float), DEPTH_BINS, labels=DEPTH_LABELS, right=False).astype(str)


def _ar1(rng: np.random.Generator, shape: tuple, rho: float, sd: float) -> np.ndarray:
    """Stationary AR(1) along the last axis with marginal sd ``sd``."""
    x = np.empty(shape)
    x[..., 0] = sd * rng.standard_normal(shape[:-1])
    eps = sd * np.sqrt(1 - rho**2) * rng.standard_normal(shape)
    for t in range(1, shape[-1]):
        x[..., t] = rho * x[..., t - 1] + eps[..., t]
    return x


def _schedule(rng: np.random.Generator, free: np.ndarray, rate: float, lo: int, hi: int) -> list[tuple[int, int]]:
    """Non-overlapping [start, end] day spans on days still ``free``, covering about ``rate`` of them."""
    spans, t, days = [], 0, len(free)
    mean_len = (lo + hi) / 2
    while True:
        t += int(rng.geometric(min(1.0, rate / mean_len)))  # gap: promotions start at rate / length a day
        n = int(rng.integers(lo, hi + 1))
        if t + n > days:
            return spans
        if free[t:t + n].all():
            spans.append((t, t + n - 1))
            free[t:t + n] = False
            t += n


def panel(seed: int, *, volume: float = 20.0, promo_rate: float = 0.1, dev_sd: float = 0.15, n_cats: int = 4,
          n_skus: int = 8, days: int = 400, start: str = "2024-01-01") -> PromoPanel:
    """One simulated store (see the module docstring); everything drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, periods=days, freq="D")
    t = np.arange(days)
    dow = ds.day_of_week.to_numpy()
    frames, promos, truth, els = [], [], [], []
    for c in range(n_cats):
        cat = f"C{c:02d}"
        e = rng.uniform(-2.5, -0.8) + 0.3 * rng.standard_normal(n_skus)
        base = volume / 7 * np.exp(0.5 * rng.standard_normal(n_skus) - 0.125)
        week = np.exp(0.15 * rng.standard_normal(7))[dow]
        amp = 0.3 * np.exp(0.4 * rng.standard_normal(n_skus))
        phase = rng.uniform(0, 2 * np.pi) + 0.5 * rng.standard_normal(n_skus)
        seas = amp[:, None] * np.sin(2 * np.pi * t[None, :] / 365.25 + phase[:, None])
        trend = 0.1 * rng.standard_normal(n_skus)[:, None] * t[None, :] / 365.25
        shock = _ar1(rng, (n_skus, days), 0.6, 0.15) + _ar1(rng, (1, days), 0.6, 0.07)
        lam = base[:, None] * week[None, :] * np.exp(seas + trend + shock)
        mult = np.ones((n_skus, days))
        depth = np.zeros((n_skus, days))
        free = np.ones((n_skus, days), bool)

        def plant(pid: str, rows: np.ndarray, a: int, b: int, sku: str | None,
                  lam=lam, e=e, mult=mult, depth=depth, cat=cat) -> None:
            y = TYPES[int(rng.integers(len(TYPES)))]
            d = float(rng.choice(DEPTHS))
            dev = float(np.exp(dev_sd * rng.standard_normal() - dev_sd**2 / 2))
            m = K[y] * dev * (1 - d / 100) ** e[rows]
            mult[rows, a:b + 1] = m[:, None]
            depth[rows, a:b + 1] = d
            no = lam[rows, a:b + 1].sum()
            with_ = (lam[rows, a:b + 1] * m[:, None]).sum()
            promos.append({"promo_id": pid, "start_date": ds[a].date(), "end_date": ds[b].date(),
                           "discount_pct": d, "sku": sku, "category": None if sku else cat, "type": y,
                           "channel": None})
            truth.append({"promo_id": pid, "type": y, "discount_pct": d, "k": K[y], "dev": dev,
                          "expected_with": with_, "expected_without": no, "lift": with_ / no,
                          "level": "sku" if sku else "category"})

        common = free.all(axis=0).copy()
        for i, (a, b) in enumerate(_schedule(rng, common, promo_rate / 3, 3, 7)):
            free[:, a:b + 1] = False
            plant(f"{cat}-C{i:03d}", np.arange(n_skus), a, b, None)
        for j in range(n_skus):
            for i, (a, b) in enumerate(_schedule(rng, free[j], promo_rate, 3, 14)):
                plant(f"{cat}-S{j:02d}-P{i:03d}", np.array([j]), a, b, f"{cat}-S{j:02d}")
        shape = rng.uniform(3, 30, n_skus)[:, None]
        y = rng.poisson(lam * mult * rng.gamma(shape, 1 / shape, (n_skus, days)))
        ref = np.exp(rng.uniform(np.log(5), np.log(80), n_skus))[:, None]
        skus = np.array([f"{cat}-S{j:02d}" for j in range(n_skus)])
        frames.append(pd.DataFrame({"unique_id": np.repeat(skus, days), "ds": np.tile(ds, n_skus),
                                    "y": y.ravel().astype(float), "price": (ref * (1 - depth / 100)).ravel(),
                                    "promo": depth.ravel(), "in_stock": True, "category": cat}))
        els.append(pd.DataFrame({"sku": skus, "category": cat, "elasticity": e}))
    tr = pd.DataFrame(truth)
    tr["depth_bucket"] = bucket(tr["discount_pct"])
    el = pd.concat(els, ignore_index=True)
    return PromoPanel(pd.concat(frames, ignore_index=True), pd.DataFrame(promos), tr, el,
                      el[["sku", "category"]].copy())


def _covers(m: pd.DataFrame, true: str) -> pd.DataFrame:
    t = m[true]
    c80 = ((m["lo80"] <= t) & (t <= m["hi80"])).astype(float).where(m["lo80"].notna())  # NaN: no 80 % bounds
    return m.assign(cov95=(m["lo95"] <= t) & (t <= m["hi95"]), cov80=c80, err=(m["est"] - t).abs(),
                    width=m["hi95"] - m["lo95"])


def score(p: PromoPanel) -> dict[str, pd.DataFrame]:
    """Each interval next to its truth (module docstring): "promo" (by_promo, column level: sku or
    category promotion), "depth" (by_depth) and "k" (promo_effects per type, with the true elasticities).
    Columns est, lo95, hi95, lo80, hi80, cov95, cov80, err = |est - truth|, width = hi95 - lo95.
    Runs on code without 80 % intervals too (lift_intervals, promo_effects' level): then lo80/hi80 are NaN."""
    from lib.pricing import promos
    from lib.pricing.effects import ALL_TYPES, promo_effects
    if hasattr(promos, "lift_intervals"):
        out = promos.lift_intervals(p.daily, p.promotions, levels=(0.95, 0.8))
    else:
        out = promos.promo_lift(p.daily, p.promotions)
    cols = {"lift": "est", "lift_lo": "lo95", "lift_hi": "hi95", "lift_lo_80": "lo80", "lift_hi_80": "hi80"}
    res = {}
    b = out["by_promo"].rename(columns=cols).reindex(columns=["promo_id", *cols.values()])
    b = b.merge(p.truth[["promo_id", "type", "discount_pct", "level", "lift"]], on="promo_id")
    res["promo"] = _covers(b, "lift")
    g = p.truth.groupby(["type", "depth_bucket"])[["expected_with", "expected_without"]].sum()
    g = (g["expected_with"] / g["expected_without"]).rename("lift").reset_index()
    dp = out["by_depth"].rename(columns=cols).reindex(columns=["type", "depth_bucket", "promos", *cols.values()])
    res["depth"] = _covers(dp.merge(g, on=["type", "depth_bucket"]), "lift")
    try:
        ks = {lv: promo_effects(out, p.elasticities, p.promotions, p.products, level=lv) for lv in (0.95, 0.8)}
    except TypeError:   # code without the level keyword: 95 % only
        k95 = promo_effects(out, p.elasticities, p.promotions, p.products)
        ks = {0.95: k95, 0.8: k95.assign(k_lo=np.nan, k_hi=np.nan)}
    k = ks[0.95].rename(columns={"k": "est", "k_lo": "lo95", "k_hi": "hi95"}).merge(
        ks[0.8][["type", "k_lo", "k_hi"]].rename(columns={"k_lo": "lo80", "k_hi": "hi80"}), on="type")
    k = k[k["type"] != ALL_TYPES].assign(k=lambda x: x["type"].map(K))
    res["k"] = _covers(k, "k")
    return res
