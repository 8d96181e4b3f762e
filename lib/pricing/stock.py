"""What a scenario does to stock: who runs out, when, and the extra order that covers the lift.

    stock_impact(sim, items, as_of) -> DataFrame, one row per SKU the scenario changes (STOCK_COLUMNS)
    scenario_demand(sim) -> the scenario's daily demand in the forecast's shape, for replenish.plan
    apply_to_forecast(forecast, sim) -> another forecast (e.g. the replenishment page's) with the
        scenario's effect on the SKUs it changes, and nothing else

Arithmetic, per SKU, on days k = 1 .. K (as_of + k; K = the scenario's last day), with replenishment's
convention that stock on order is on the shelf from the morning of day L = lead_time_days:

* available(k) = on_hand + on_order x [k >= L]; cum(k) = forecast mean demand of days 1..k;
* need = max(0, max_k cum(k) - available(k)): the units missing to sell through day K without a gap,
  for the baseline (need_base) and the scenario (need_scenario);
* extra_units = max(0, need_scenario - need_base): what the lift needs beyond what the baseline
  already needs (the regular plan orders that); extra_qty = extra_units rounded up to the case pack,
  at least the MOQ (rounded up to the case pack), 0 when nothing is missing (lib.replenish.packs, the
  Replenishment plan's rule: a fractional case pack or MOQ rounds up to whole units);
* stockout_base / stockout_scenario = as_of + the first k with cum(k) > available(k) (None: no stockout
  by day K); needed_by = as_of + the first k where the scenario is short by more than need_base;
  order_by = needed_by - L; in_time = order_by >= as_of (an order placed on as_of arrives in time).

Means, not service levels: the replenishment page adds safety stock on top, when it is opened with the
scenario's demand (scenario_demand).
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from lib.fmt import count
from lib.replenish import packs
from lib.replenish.packs import EPS, NO_SUPPLIER

__all__ = ["stock_impact", "scenario_demand", "apply_to_forecast", "STOCK_COLUMNS"]

STOCK_COLUMNS = ["sku", "name", "category", "supplier", "on_hand", "on_order", "lead_time_days", "demand_base",
                 "demand_scenario", "stockout_base", "stockout_scenario", "need_base", "need_scenario",
                 "extra_units", "extra_qty", "extra_cost", "needed_by", "order_by", "in_time", "note", "case_pack",
                 "moq", "unit_cost"]


def _first(mask: np.ndarray) -> int:
    """1-based index of the first True, 0 when none."""
    return int(np.argmax(mask)) + 1 if mask.any() else 0


def _note(r: dict, as_of: date, end: date) -> str:
    if r["extra_qty"] == 0:
        if r["stockout_scenario"] is not None:
            return (f"Runs out on {r['stockout_scenario']:%b %d} in the baseline too; the lift needs no more than "
                    "the regular replenishment plan orders.")
        return f"Stock on hand and on order covers the scenario through {end:%b %d}."
    text = (f"The scenario sells {count(r['demand_scenario'] - r['demand_base'])} more units than the baseline "
            f"by {end:%b %d}: order {count(r['extra_qty'])} more (case pack {count(r['case_pack'])}, "
            f"MOQ {count(r['moq'])})")
    if r["in_time"]:
        return text + f" by {r['order_by']:%b %d}."
    arrive = as_of + timedelta(days=int(r["lead_time_days"]))
    return (text + f" now; too late for all of it: an order placed today arrives on {arrive:%b %d}, after the "
            f"shortage starts on {r['needed_by']:%b %d}.")


def _untracked(sku: str, base: float, scen: float) -> dict:
    """A SKU the scenario changes that is not an active product: nothing to plan stock with."""
    r = dict.fromkeys(STOCK_COLUMNS)
    r.update({"sku": sku, "name": sku, "supplier": NO_SUPPLIER, "demand_base": float(base),
              "demand_scenario": float(scen), "extra_units": 0.0, "extra_qty": 0, "extra_cost": 0.0,
              "in_time": False, "note": "Not an active product (or missing from the product feed): no stock or "
                                       "lead time to plan with."})
    return r


def stock_impact(sim: pd.DataFrame, items: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Stockouts and extra orders per SKU the scenario changes (see the module docstring)."""
    as_of = pd.Timestamp(as_of).date()
    win = sim[sim["in_window"]]
    skus = win.loc[win["changed"], "unique_id"].astype(str).unique()
    if len(skus) == 0 or win.empty:
        return pd.DataFrame({c: [] for c in STOCK_COLUMNS})
    end = pd.Timestamp(win["ds"].max()).date()
    days = pd.date_range(as_of + timedelta(days=1), end)
    it = items.astype({"sku": str}).drop_duplicates("sku").set_index("sku")
    d = sim[sim["unique_id"].astype(str).isin(skus)]
    grid = {col: d.pivot_table(index="unique_id", columns="ds", values=col, aggfunc="sum")
            .reindex(index=skus, columns=days).fillna(0.0).to_numpy()
            for col in ("units_base", "units_scenario")}
    k = np.arange(1, len(days) + 1)
    rows = []
    for i, sku in enumerate(skus):
        if sku not in it.index:
            rows.append(_untracked(sku, grid["units_base"][i].sum(), grid["units_scenario"][i].sum()))
            continue
        row = it.loc[sku]
        on_hand, on_order = float(row.get("on_hand", 0) or 0), float(row.get("on_order", 0) or 0)
        lead = int(row.get("lead_time_days", 0) or 0)
        avail = on_hand + on_order * (k >= lead)
        cb, cs = np.cumsum(grid["units_base"][i]), np.cumsum(grid["units_scenario"][i])
        need_b = max(0.0, float(np.max(cb - avail)))
        need_s = max(0.0, float(np.max(cs - avail)))
        extra = max(0.0, need_s - need_b)
        cp, moq = (float(v) for v in packs.sizes(row.get("case_pack", 1), row.get("moq", 1)))
        qty = int(packs.order_qty(extra, cp, moq))
        ob, os_, nb = _first(cb > avail + EPS), _first(cs > avail + EPS), _first(cs - avail > need_b + EPS)
        r = {"sku": sku, "name": row.get("name") or sku, "category": row.get("category"),
             "supplier": row.get("supplier") if isinstance(row.get("supplier"), str) else NO_SUPPLIER, "on_hand": on_hand, "on_order": on_order, "lead_time_days": lead,
             "demand_base": float(cb[-1]), "demand_scenario": float(cs[-1]),
             "stockout_base": as_of + timedelta(days=ob) if ob else None,
             "stockout_scenario": as_of + timedelta(days=os_) if os_ else None,
             "need_base": need_b, "need_scenario": need_s, "extra_units": extra, "extra_qty": qty,
             "extra_cost": qty * float(row.get("unit_cost", np.nan)),
             "needed_by": as_of + timedelta(days=nb) if qty and nb else None,
             "order_by": as_of + timedelta(days=nb - lead) if qty and nb else None,
             "in_time": bool(qty and nb and nb - lead >= 0), "case_pack": cp, "moq": moq,
             "unit_cost": float(row.get("unit_cost", np.nan))}
        r["note"] = _note(r, as_of, end)
        rows.append(r)
    out = pd.DataFrame(rows, columns=STOCK_COLUMNS)
    out["extra_qty"] = out["extra_qty"].astype(np.int64)
    return out.sort_values(["extra_qty", "sku"], ascending=[False, True], ignore_index=True)


def scenario_demand(sim: pd.DataFrame) -> pd.DataFrame:
    """[unique_id, ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95]: the scenario as a forecast."""
    out = sim[["unique_id", "ds", "units_scenario", "lo_80", "hi_80", "lo_95", "hi_95"]]
    return out.rename(columns={"units_scenario": "yhat", "lo_80": "yhat_lo_80", "hi_80": "yhat_hi_80",
                               "lo_95": "yhat_lo_95", "hi_95": "yhat_hi_95"}).reset_index(drop=True)


def apply_to_forecast(forecast: pd.DataFrame, sim: pd.DataFrame) -> pd.DataFrame:
    """``forecast`` with the scenario applied to the SKUs it changes; other SKUs' rows stay as they are.

    On the days both cover, a changed SKU's mean and band edges are multiplied by the scenario's ratio
    to its baseline that day (1 where the baseline is 0); past the end of ``forecast`` its rows come
    from the simulation (scenario demand), so a scenario beyond a short horizon still counts.
    """
    changed = sim.loc[sim["changed"], "unique_id"].astype(str).unique()
    if len(changed) == 0:
        return forecast
    fc = forecast.assign(unique_id=forecast["unique_id"].astype(str), ds=pd.to_datetime(forecast["ds"]))
    mine = fc["unique_id"].isin(changed)
    s = sim[sim["unique_id"].astype(str).isin(changed)].assign(unique_id=lambda x: x["unique_id"].astype(str))
    pairs = {"yhat": ("units_scenario", "units_base"), "yhat_lo_80": ("lo_80", "base_lo_80"),
             "yhat_hi_80": ("hi_80", "base_hi_80"), "yhat_lo_95": ("lo_95", "base_lo_95"),
             "yhat_hi_95": ("hi_95", "base_hi_95")}
    part = fc[mine].merge(s, on=["unique_id", "ds"], how="left")
    for col, (new, old) in pairs.items():
        if col in part:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(part[old].to_numpy() > 0, part[new].to_numpy() / part[old].to_numpy(), 1.0)
            part[col] = part[col].to_numpy() * np.nan_to_num(ratio, nan=1.0)
    last = fc[mine].groupby("unique_id")["ds"].max()
    beyond = s[s["ds"] > s["unique_id"].map(last).fillna(pd.Timestamp.min)]
    extra = scenario_demand(beyond)
    extra = extra[[c for c in fc.columns if c in extra.columns]]
    out = pd.concat([fc[~mine], part[fc.columns], extra], ignore_index=True)
    return out.sort_values(["unique_id", "ds"], ignore_index=True)
