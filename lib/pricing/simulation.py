"""Run a pricing scenario against the baseline demand forecast.

    simulate(baseline, scenario, *, elasticities, products, effects=None, cannibalisation=None,
             shares=None) -> DataFrame, one row per SKU-day of the baseline (SIM_COLUMNS)
    daily_totals(sim) / summary(sim, scope_only=False) / waterfall(sim, scope_only=False)
    compare({name: sim}, stock=None)

Baseline. ``baseline`` is the daily SKU forecast joined to the ``future`` inputs it was made on
(effects.baseline_frame): yhat with its 80/95% bands, and the price (regular price less the scheduled
promotion) and promo (scheduled discount %) of each day. The scenario is a change to those inputs:
on its SKUs and days the regular price becomes price x (1 + c) and the promotion the deeper of the
scheduled one and the scenario's own (discount d', type with extra lift k').

Demand response (the estimated effects, lib.pricing.effects). A SKU-day's demand relative to its
demand at the regular price without promotion is G = (1 + c)^e x (1 - d')^e x k' (e: the SKU's
elasticity; no promotion: (1 - 0)^e x 1). The baseline already holds G_b = (1 - d_b)^e x k_all for a
scheduled promotion (k_all: the pooled lift of all types) or 1, so in the channels the scenario reaches
(share s of the SKU's units) demand is multiplied by q = G / G_b and elsewhere it is unchanged:

    units = yhat x r, r = (1 - s) + s x q
    revenue = yhat x ((1 - s) x price + s x q x price'), price' = regular x (1 + c) x (1 - d')
    margin = revenue - units x unit_cost

Cannibalisation: on a day a SKU of the scope gets a promotion deeper than scheduled, the category's SKUs
outside the scope lose rate x s x their baseline units (rate: effects.cannibalisation_rates; s: the
mean reach of the promoted SKUs), never more in total than the promoted SKUs gained that day.

Bands: the baseline's 80/95% bands times the lowest and highest r over the ends of the elasticity and
type-lift intervals, so they carry both the forecast's and the effects' uncertainty (siblings: times
their own ratio). Rows the scenario does not touch are copied from the baseline, so a scenario that
changes nothing returns the baseline exactly. A SKU without an elasticity takes its category's median
(then the store's), with the widest interval among them; ``elasticity_from`` says which.
"""
from __future__ import annotations

from itertools import product as cartesian

import numpy as np
import pandas as pd

from lib.pricing.effects import ALL_TYPES
from lib.pricing.scenario import Scenario, ScenarioError

__all__ = ["simulate", "daily_totals", "summary", "scope_rows", "waterfall", "compare", "SIM_COLUMNS", "MAX_COMPARE",
           "IN_SCOPE", "SIBLING", "OTHER", "WATERFALL_STEPS"]

IN_SCOPE, SIBLING, OTHER = "in scope", "sibling", "other"
MAX_COMPARE = 4
Z = {80: 1.2815515655446004, 95: 1.959963984540054}
BANDS = ("lo_80", "hi_80", "lo_95", "hi_95")
SIM_COLUMNS = ["unique_id", "ds", "category", "role", "in_window", "changed", "share", "elasticity",
               "elasticity_from", "price_base", "price_scenario", "unit_cost", "units_base", "units_scenario",
               *(f"base_{b}" for b in BANDS), *BANDS, "revenue_base", "revenue_scenario", "margin_base",
               "margin_scenario", "incremental_units", "cannibalised_units"]
WATERFALL_STEPS = ["Baseline margin", "Price change", "Extra units", "Cannibalised", "Scenario margin"]


def _elasticity(skus: pd.Series, cats: pd.Series, el: pd.DataFrame) -> pd.DataFrame:
    e = el[el["sku"].notna() & el["elasticity"].notna()].astype({"sku": str})
    own = e.drop_duplicates("sku").set_index("sku")
    ecat = e.merge(pd.DataFrame({"sku": skus.to_numpy(), "cat": cats.to_numpy()}).drop_duplicates("sku"),
                   on="sku", how="left")
    by_cat = ecat.groupby("cat").agg(e=("elasticity", "median"), lo=("lo", "min"), hi=("hi", "max"))
    out = pd.DataFrame({"e": skus.map(own["elasticity"]), "lo": skus.map(own["lo"]), "hi": skus.map(own["hi"])})
    src = np.where(out["e"].notna(), "sku", "")
    for col in ("e", "lo", "hi"):
        out[col] = out[col].fillna(cats.map(by_cat[col]))
    src = np.where((src == "") & out["e"].notna(), "category", src)
    if len(e):
        out = out.fillna({"e": e["elasticity"].median(), "lo": e["lo"].min(), "hi": e["hi"].max()})
    src = np.where((src == "") & out["e"].notna(), "store", src)
    out["from"] = np.where(src == "", "none (no price response)", src)
    return out.fillna({"e": 0.0, "lo": 0.0, "hi": 0.0})


def _k(effects: pd.DataFrame | None, kind) -> tuple[float, float, float]:
    if effects is None or effects.empty:
        return 1.0, 1.0, 1.0
    t = effects.set_index("type")
    key = kind if kind in t.index else ALL_TYPES if ALL_TYPES in t.index else None
    return (1.0, 1.0, 1.0) if key is None else (float(t.at[key, "k"]), float(t.at[key, "k_lo"]),
                                                float(t.at[key, "k_hi"]))


def _prepare(baseline: pd.DataFrame, products: pd.DataFrame, sc: Scenario) -> pd.DataFrame:
    need = {"unique_id", "ds", "yhat", "price", "promo", *(f"yhat_{b}" for b in BANDS)}
    missing = sorted(need - set(baseline.columns))
    if missing:
        raise ScenarioError(f"The baseline forecast lacks column(s) {', '.join(missing)}.")
    b = baseline.assign(unique_id=baseline["unique_id"].astype(str), ds=pd.to_datetime(baseline["ds"]))
    if b.duplicated(["unique_id", "ds"]).any():
        raise ScenarioError("The baseline forecast has more than one row for a SKU and day.")
    first, last = b["ds"].min(), b["ds"].max()
    if b.empty or pd.Timestamp(sc.start) < first or pd.Timestamp(sc.end) > last:
        span = "is empty" if b.empty else f"covers {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        raise ScenarioError(f"The scenario runs {sc.start} to {sc.end} but the baseline forecast {span}: "
                            "choose dates inside the forecast horizon.")
    pr = products.astype({"sku": str}).drop_duplicates("sku").set_index("sku")
    b["category"] = b["unique_id"].map(pr["category"]).fillna("(no category)").astype(str)
    b["unit_cost"] = b["unique_id"].map(pr["unit_cost"]).astype(float)
    return b.sort_values(["unique_id", "ds"], ignore_index=True)


def _share(b: pd.DataFrame, sc: Scenario, shares: pd.DataFrame | None) -> np.ndarray:
    if not sc.channels:
        return np.ones(len(b))
    if shares is None or shares.empty:
        raise ScenarioError("A scenario limited to channels needs each SKU's sales by channel; none were given.")
    sh = shares[shares["channel"].isin(sc.channels)].astype({"sku": str}).groupby("sku")["share"].sum()
    return b["unique_id"].map(sh).fillna(0.0).clip(0.0, 1.0).to_numpy()


def simulate(baseline: pd.DataFrame, scenario: Scenario, *, elasticities: pd.DataFrame, products: pd.DataFrame,
             effects: pd.DataFrame | None = None, cannibalisation: pd.DataFrame | None = None,
             shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """Daily baseline vs scenario per SKU: units, revenue, margin and bands (see the module docstring)."""
    sc = scenario
    b = _prepare(baseline, products, sc)
    scope = np.ones(len(b), bool) if not (sc.skus or sc.categories) else \
        (b["unique_id"].isin(sc.skus) | b["category"].isin(sc.categories)).to_numpy()
    ds = b["ds"].to_numpy()
    window = (ds >= np.datetime64(sc.start)) & (ds <= np.datetime64(sc.end))
    s = _share(b, sc, shares)
    c = sc.price_change_pct / 100.0
    d_b = b["promo"].to_numpy(float) / 100.0
    d_s = np.zeros(len(b))
    k_s = np.ones((3, len(b)))                      # point, lo, hi of the scenario promotion's type lift
    for p in sc.promotions:
        on = scope & (ds >= np.datetime64(p.start)) & (ds <= np.datetime64(p.end)) & (p.discount_pct / 100 > d_s)
        d_s[on] = p.discount_pct / 100
        k_s[:, on] = np.array(_k(effects, p.type))[:, None]
    deeper = d_s > d_b
    changed = scope & window & (s > 0) & ((c != 0) | deeper)

    el = _elasticity(b["unique_id"], b["category"], elasticities)
    k_all = _k(effects, ALL_TYPES)[0]
    price_b = b["price"].to_numpy(float)
    regular = price_b / np.maximum(1 - d_b, 1e-9)
    d_new = np.where(deeper, d_s, d_b)
    g_b = np.where(d_b > 0, k_all, 1.0)             # the (1 - d_b)^e term is added per elasticity below

    def ratio(e, k):
        g = (1 + c) ** e * (1 - d_new) ** e * np.where(deeper, k, g_b)
        return g / (g_b * (1 - d_b) ** e)

    q = ratio(el["e"].to_numpy(), k_s[0])
    ends = [ratio(el[a].to_numpy(), k_s[i]) for a, i in cartesian(("lo", "hi"), (1, 2))]
    r = (1 - s) + s * q
    r_lo = (1 - s) + s * np.minimum.reduce([q, *ends])
    r_hi = (1 - s) + s * np.maximum.reduce([q, *ends])
    u_b = b["yhat"].to_numpy(float)
    shelf = regular * (1 + c) * (1 - d_new)

    out = pd.DataFrame({"unique_id": b["unique_id"], "ds": b["ds"], "category": b["category"]})
    out["role"] = np.where(scope, IN_SCOPE, OTHER).astype(object)
    out["in_window"], out["share"] = window, np.where(scope, s, 0.0)
    out["elasticity"], out["elasticity_from"] = el["e"].to_numpy(), el["from"].to_numpy()
    out["price_base"], out["unit_cost"], out["units_base"] = price_b, b["unit_cost"].to_numpy(), u_b
    units = np.where(changed, u_b * r, u_b)
    revenue_b = u_b * price_b
    revenue = np.where(changed, u_b * ((1 - s) * price_b + s * q * shelf), revenue_b)
    out["price_scenario"] = np.where(changed, shelf, price_b)
    bands = {}
    for bnd in BANDS:
        base = b[f"yhat_{bnd}"].to_numpy(float)
        out[f"base_{bnd}"] = base
        bands[bnd] = np.where(changed, base * (r_lo if bnd.startswith("lo") else r_hi), base)

    cann = _cannibalised(out, changed & deeper, s, u_b, units, cannibalisation)
    sib = cann > 0
    out.loc[sib, "role"] = SIBLING
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(sib, (u_b - cann) / u_b, 1.0)
    units = np.where(sib, u_b - cann, units)
    revenue = np.where(sib, units * price_b, revenue)
    for bnd in BANDS:
        out[bnd] = np.where(sib, bands[bnd] * keep, bands[bnd])
    out["changed"] = changed | sib
    out["units_scenario"] = units
    out["revenue_base"], out["revenue_scenario"] = revenue_b, revenue
    cost = out["unit_cost"].to_numpy()
    out["margin_base"] = revenue_b - u_b * cost
    out["margin_scenario"] = np.where(out["changed"], revenue - units * cost, out["margin_base"])
    out["incremental_units"] = np.where(scope, units - u_b, 0.0)
    out["cannibalised_units"] = cann
    return out[SIM_COLUMNS]


def _cannibalised(out: pd.DataFrame, promoted: np.ndarray, s: np.ndarray, u_b: np.ndarray, units: np.ndarray,
                  rates: pd.DataFrame | None) -> np.ndarray:
    """Units the unpromoted siblings lose on the days a SKU of their category gets a scenario promotion."""
    cann = np.zeros(len(out))
    if rates is None or rates.empty or not promoted.any():
        return cann
    key = pd.MultiIndex.from_arrays([out["category"], out["ds"]])
    pr = pd.DataFrame({"reach": s, "gain": np.maximum(units - u_b, 0.0)})[promoted]
    per_day = pr.groupby([key[promoted].get_level_values(0), key[promoted].get_level_values(1)]).agg(
        reach=("reach", "mean"), gain=("gain", "sum"))
    rate = out["category"].map(rates.set_index("category")["rate"]).fillna(0.0).to_numpy()
    sib = (out["role"] == OTHER).to_numpy() & key.isin(per_day.index) & (rate > 0)
    if not sib.any():
        return cann
    reach = per_day["reach"].reindex(key[sib]).to_numpy()
    want = rate[sib] * reach * u_b[sib]
    total = pd.Series(want).groupby([key[sib].get_level_values(0), key[sib].get_level_values(1)]).transform("sum")
    gain = per_day["gain"].reindex(key[sib]).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(total.to_numpy() > gain, gain / total.to_numpy(), 1.0)
    cann[sib] = want * np.nan_to_num(scale)
    return cann


def _band_sum(units: pd.Series, edge: pd.Series, z: float) -> float:
    """Band edge of a sum of independent SKU-days from each day's band edge (normal approximation)."""
    return float(np.sqrt(np.nansum(((edge - units) / z) ** 2)))


def daily_totals(sim: pd.DataFrame, window_only: bool = True) -> pd.DataFrame:
    """Per day: baseline and scenario units (with 80/95% bands), revenue and margin, summed over SKUs.

    Bands of a total assume the SKU-days' errors are independent (each band edge read as z sigma).
    """
    d = sim[sim["in_window"]] if window_only else sim
    rows = []
    for day, g in d.groupby("ds", sort=True):
        row = {"ds": day}
        for side, units in (("base", g["units_base"]), ("scenario", g["units_scenario"])):
            total = float(units.sum())
            row[f"units_{side}"] = total
            pre = "base_" if side == "base" else ""
            for lv in (80, 95):
                row[f"{side}_lo_{lv}"] = max(total - Z[lv] * _band_sum(units, g[f"{pre}lo_{lv}"], Z[lv]), 0.0)
                row[f"{side}_hi_{lv}"] = total + Z[lv] * _band_sum(units, g[f"{pre}hi_{lv}"], Z[lv])
        for col in ("revenue_base", "revenue_scenario", "margin_base", "margin_scenario"):
            row[col] = float(g[col].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def scope_rows(sim: pd.DataFrame) -> pd.Series:
    """The rows of the SKUs a scenario reaches: every SKU in its scope, plus the siblings its promotions
    take units from (a SKU with a SIBLING row on any day), on every day. Other SKUs keep the baseline's
    numbers, so a change summed over these rows is the whole store's change."""
    sib = sim.loc[sim["role"] == SIBLING, "unique_id"].unique()
    return (sim["role"] == IN_SCOPE) | sim["unique_id"].isin(sib)


def summary(sim: pd.DataFrame, scope_only: bool = False) -> dict:
    """Totals over the scenario window; margins only over SKUs with a unit cost.

    ``scope_only``: only the SKUs the scenario reaches (scope_rows: its scope and the siblings that
    lose units to it), else the whole store. The changes (scenario - baseline) are the same either
    way; the totals and the percentages differ. skus_in_scope / skus_siblings count those SKUs.
    """
    w = sim[sim["in_window"]]
    reach = scope_rows(w)
    if scope_only:
        w = w[reach]
    costed = w[w["unit_cost"].notna()]
    out = {k: float(w[k].sum()) for k in ("units_base", "units_scenario", "revenue_base", "revenue_scenario",
                                           "incremental_units", "cannibalised_units")}
    out["margin_base"] = float(costed["margin_base"].sum())
    out["margin_scenario"] = float(costed["margin_scenario"].sum())
    out["skus_changed"] = int(w.loc[w["changed"], "unique_id"].nunique())
    out["skus_without_cost"] = int(w.loc[w["unit_cost"].isna(), "unique_id"].nunique())
    out["skus_in_scope"] = int(w.loc[w["role"] == IN_SCOPE, "unique_id"].nunique())
    out["skus_siblings"] = int(w.loc[w["role"] == SIBLING, "unique_id"].nunique())
    out["skus"] = int(w["unique_id"].nunique())
    out["days"] = int(w["ds"].nunique())
    return out


def waterfall(sim: pd.DataFrame, scope_only: bool = False) -> pd.DataFrame:
    """Baseline margin -> price effect on baseline units -> extra units -> cannibalised siblings -> scenario.

    The margins are the whole store's, or with ``scope_only`` those of the SKUs the scenario reaches (as
    in summary); the three steps between them are the same either way.

    Per changed SKU-day with average scenario price a = revenue / units (the shelf price when no unit
    is sold): price effect = baseline units x (a - baseline price), volume effect = (units - baseline
    units) x (a - unit cost); the two add up to the margin change exactly. Siblings' volume effect is
    their cannibalisation. SKUs without a unit cost are left out.
    """
    w = sim[sim["in_window"] & sim["unit_cost"].notna()]
    if scope_only:
        w = w[scope_rows(w)]
    ch = w[w["changed"]]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(ch["units_scenario"] > 0, ch["revenue_scenario"] / ch["units_scenario"], ch["price_scenario"])
    price = ch["units_base"] * (a - ch["price_base"])
    volume = (ch["units_scenario"] - ch["units_base"]) * (a - ch["unit_cost"])
    sib = (ch["role"] == SIBLING).to_numpy()
    base, scen = float(w["margin_base"].sum()), float(w["margin_scenario"].sum())
    amounts = [base, float(price.sum()), float(volume[~sib].sum()), float(volume[sib].sum()), scen]
    kinds = ["total", "change", "change", "change", "total"]
    return pd.DataFrame({"step": WATERFALL_STEPS, "amount": amounts, "kind": kinds})


def compare(sims: dict[str, pd.DataFrame], stock: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One row per scenario (at most MAX_COMPARE): its window totals, the change against the baseline
    (whose totals are in units_base, revenue_base, margin_base) and, given stock_impact results, the extra
    orders and stockouts it brings."""
    if not sims:
        raise ScenarioError("Pick at least one scenario to compare.")
    if len(sims) > MAX_COMPARE:
        raise ScenarioError(f"Compare at most {MAX_COMPARE} scenarios at a time (got {len(sims)}).")
    rows = []
    for name, sim in sims.items():
        s = summary(sim)
        st = (stock or {}).get(name)
        rows.append({"scenario": name, "units": s["units_scenario"], "revenue": s["revenue_scenario"],
                     "margin": s["margin_scenario"], "units_change": s["units_scenario"] - s["units_base"],
                     "revenue_change": s["revenue_scenario"] - s["revenue_base"],
                     "margin_change": s["margin_scenario"] - s["margin_base"],
                     "incremental_units": s["incremental_units"], "cannibalised_units": s["cannibalised_units"],
                     "extra_order_qty": float(st["extra_qty"].sum()) if st is not None else np.nan,
                     "extra_order_cost": float(st["extra_cost"].sum()) if st is not None else np.nan,
                     "stockouts": int(st["stockout_scenario"].notna().sum()) if st is not None else np.nan,
                     "units_base": s["units_base"], "revenue_base": s["revenue_base"],
                     "margin_base": s["margin_base"]})
    return pd.DataFrame(rows)
