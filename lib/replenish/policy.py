"""Replenishment arithmetic: per-SKU order recommendations from a daily demand forecast.

    plan(items, demand, *, as_of, service_level=0.95, class_service=None, review_days=7, delay_days=0,
         uplift_pct=0.0, budget=None, overstock_days=90) -> DataFrame, one row per SKU

Policy: periodic review (R, s, S)
---------------------------------
* P = lead_time_days + delay_days + review_days (protection period); L = lead_time_days + delay_days.
* mu_P, sigma_P = demand mean and sd over the next P days (uplift applied: both multiplied by
  (1 + uplift_pct/100); uplift may be negative, not below -100).
* z = norm.ppf(service level) where the service level is the SKU's ABC class level if `class_service`
  gives one, else the global `service_level`.
* safety_stock = z * sigma_P; reorder_point = mu_P + safety_stock; order_up_to = reorder_point + mu_R
  (mean demand over one review period, the cycle stock).
* inventory position IP = on_hand + on_order. If IP <= reorder_point and mu_P > 0: raw = order_up_to - IP,
  qty = max(ceil(raw / case_pack) * case_pack, smallest case-pack multiple >= moq); else qty = 0.
* days_of_cover = on_hand / mean daily demand (NaN when demand is 0); projected stockout = first date the
  cumulative mean demand exceeds on_hand, counting on_order as arriving on as_of + L (None if not within
  the forecast horizon extended to P); overstock = IP exceeds order_up_to + mean demand over
  `overstock_days`.
* budget cap (optional, money): if the recommended orders cost more than the budget, they are funded in
  this order (lib/replenish/budget.py has the details): urgent SKUs first, the earliest projected stockout
  first, where urgent = projected to run out within the protection period P (its next chance to order
  would arrive too late); then the others by value for money = expected extra sales (money) bought per unit
  of money spent, where expected extra sales = price * (E[min(D, IP + qty)] - E[min(D, IP)]) with
  D ~ Normal(mu_P, sigma_P) truncated at 0 (closed form via the standard loss function), / (qty * unit_cost).
  An order that does not fit whole is cut to the whole case packs that fit (at least the MOQ), else it is
  deferred; cheaper orders after it still get their chance. Cut and deferred rows keep `recommended_qty`,
  get the smaller `order_qty` and say so in their reason, with the money in `currency`.
* urgent = recommended_qty > 0 and the projected stockout date is within P days of as_of.

Demand
------
* Day k is the date as_of + k (k = 1, 2, ...): the forecast starts the day after `as_of`; rows on or
  before `as_of`, for SKUs not in `items`, or with a missing yhat are ignored; yhat below 0 counts as 0.
* Daily sigma from the upper half of the 80% band: sigma_d = (yhat_hi_80 - yhat) / 1.2816 (0 when the band is
  missing). Days are assumed independent, so sigma over P days = sqrt(sum of daily variances);
  forecast errors that persist across days (a whole forecast too high) make the true spread larger.
* Horizon extension: a day without a forecast row (past the SKU's last forecast day, when the protection
  period or `overstock_days` is longer than the horizon, or a gap) takes the mean yhat and the mean
  sigma_d of the SKU's last 7 forecast days.
* mu_R = mean demand over days L+1 .. P, the review period that closes the protection period.
* demand_daily = mu_P / P (day 1's forecast when P = 0); mean demand over `overstock_days` = days 1..N.
* Stockout: on_order is on the shelf from the morning of day L (from day 1 when L = 0), so the stockout
  date is the first day k <= max(last forecast day, P) with cumulative demand(1..k) > on_hand
  (+ on_order when k >= L). SKUs without any forecast get no stockout date and no overstock flag.
* expected_sales = the expected extra sales (money) over the protection period bought by
  recommended_qty; budget ties keep the order of `items`.

Items: required columns sku, unit_cost, price, on_hand, lead_time_days; optional name (default: the
sku), category ("(not set)"), supplier (missing -> "(no supplier)"), on_order (0), moq (1),
case_pack (1), abc and xyz (missing). A missing on_hand / on_order counts as 0 units; lead times are
rounded to whole days; moq and case_pack below 1 count as 1.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy.stats import norm

from lib.fmt import count, money
from lib.replenish import packs
from lib.replenish.budget import allocate
from lib.replenish.packs import EPS, NO_SUPPLIER

__all__ = ["plan", "expected_gain", "PLAN_COLUMNS", "Z_80", "TAIL_DAYS", "NO_SUPPLIER",
           "SERVICE_MIN", "SERVICE_MAX"]

Z_80 = 1.2816  # the 80% band spans mean +- 1.2816 sigma (norm.ppf(0.9))
TAIL_DAYS = 7  # days past the horizon take the mean of the last TAIL_DAYS forecast days
SERVICE_MIN, SERVICE_MAX = 0.5, 0.9999  # service level must be > SERVICE_MIN and <= SERVICE_MAX

PLAN_COLUMNS = ["sku", "name", "category", "supplier", "abc", "xyz", "on_hand", "on_order", "position",
                "lead_time_days", "review_days", "service_level", "demand_daily", "demand_p", "sigma_p",
                "safety_stock", "reorder_point", "order_up_to", "recommended_qty", "order_qty",
                "order_cost", "expected_sales", "days_of_cover", "stockout_date", "overstock", "reason",
                "unit_cost", "price", "moq", "case_pack", "urgent"]
_REQUIRED = ("sku", "unit_cost", "price", "on_hand", "lead_time_days")


def _whole_days(value, what: str) -> int:
    """A non-negative whole number of days, or ValueError with a plain sentence."""
    try:
        ok = float(value).is_integer() and float(value) >= 0
    except (TypeError, ValueError):
        ok = False
    if not ok or isinstance(value, bool):
        raise ValueError(f"{what} must be a whole number of days, 0 or more (got {value!r}).")
    return int(value)


def _check_level(level, what: str) -> float:
    try:
        level = float(level)
    except (TypeError, ValueError):
        level = float("nan")
    if not SERVICE_MIN < level <= SERVICE_MAX:
        raise ValueError(f"{what} must be above 50% and at most 99.99% (got {level!r}).")
    return level


def _prepare_items(items: pd.DataFrame) -> pd.DataFrame:
    """Items with defaults filled and numbers checked."""
    missing = [c for c in _REQUIRED if c not in items.columns]
    if missing:
        raise ValueError(f"The items table needs the column(s) {', '.join(missing)}.")
    it = items.reset_index(drop=True).copy()
    it["sku"] = it["sku"].astype(str)
    if it["sku"].duplicated().any():
        raise ValueError(f"Each SKU must appear once in the items table; repeated: "
                         f"{', '.join(it.loc[it['sku'].duplicated(), 'sku'].unique()[:3])}.")
    defaults = {"name": it["sku"], "category": "(not set)", "supplier": NO_SUPPLIER, "on_order": 0.0,
                "moq": 1.0, "case_pack": 1.0, "abc": None, "xyz": None}
    for col, default in defaults.items():
        if col not in it.columns:
            it[col] = default
    it["name"] = it["name"].fillna(it["sku"])
    it["category"] = it["category"].fillna("(not set)")
    it["supplier"] = it["supplier"].fillna(NO_SUPPLIER).astype(str).replace("", NO_SUPPLIER)
    for col in ("unit_cost", "price", "on_hand", "on_order", "lead_time_days", "moq", "case_pack"):
        it[col] = pd.to_numeric(it[col], errors="coerce").astype(float)
    for col in ("unit_cost", "price", "lead_time_days"):
        bad = it[col].isna() | (it[col] < 0)
        if bad.any():
            raise ValueError(f"{col} must be a number, 0 or more, for every SKU; missing or negative for "
                             f"{bad.sum()} SKU(s), e.g. {', '.join(it.loc[bad, 'sku'][:3])}.")
    it["on_hand"] = it["on_hand"].fillna(0.0)
    it["on_order"] = it["on_order"].fillna(0.0)
    it["lead_time_days"] = np.round(it["lead_time_days"]).astype(np.int64)
    it["case_pack"], it["moq"] = packs.sizes(it["case_pack"], it["moq"])
    return it


def _demand_grid(demand: pd.DataFrame, skus: pd.Series, as_of: date, width: int):
    """(mean, sd, last_day, has_any): per-SKU daily mean and sd for days 1..T, T >= width, extended."""
    missing = [c for c in ("unique_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80") if c not in demand.columns]
    if missing:
        raise ValueError(f"The demand forecast needs the column(s) {', '.join(missing)}.")
    row = pd.Index(skus).get_indexer(demand["unique_id"].astype(str))
    ds = pd.to_datetime(demand["ds"]).to_numpy().astype("datetime64[D]")
    day = (ds - np.datetime64(as_of, "D")).astype(np.int64)
    yhat = pd.to_numeric(demand["yhat"], errors="coerce").to_numpy(float)
    band = pd.to_numeric(demand["yhat_hi_80"], errors="coerce").to_numpy(float) - yhat   # upper half
    keep = (row >= 0) & (day >= 1) & np.isfinite(yhat)
    row, day, yhat, band = row[keep], day[keep], yhat[keep], band[keep]
    n = len(skus)
    t = max(width, int(day.max()) if len(day) else 0, 1)
    mean, sd, has = np.zeros((n, t)), np.zeros((n, t)), np.zeros((n, t), dtype=bool)
    mean[row, day - 1] = np.maximum(yhat, 0.0)
    sd[row, day - 1] = np.nan_to_num(np.maximum(band, 0.0) / Z_80)
    has[row, day - 1] = True
    has_any = has.any(axis=1)
    last_day = np.where(has_any, t - np.argmax(has[:, ::-1], axis=1), 0)
    tail = has & (np.cumsum(has[:, ::-1], axis=1)[:, ::-1] <= TAIL_DAYS)
    n_tail = np.maximum(tail.sum(axis=1), 1)
    tail_mean = (mean * tail).sum(axis=1) / n_tail
    tail_sd = (sd * tail).sum(axis=1) / n_tail
    mean = np.where(has, mean, tail_mean[:, None])
    sd = np.where(has, sd, tail_sd[:, None])
    return mean, sd, last_day, has_any


def expected_gain(mu, sigma, low, high):
    """E[min(D, high)] - E[min(D, low)] for D ~ Normal(mu, sigma) truncated at 0 (low <= high).

    = integral from low to high of P(D > x) dx; P(D > x) = 1 below 0 and, above 0,
    sf((x - mu) / sigma) / P(N > 0), whose integral is sigma * (G(z_low) - G(z_high)) / P(N > 0) with
    the standard normal loss function G(z) = pdf(z) - z * sf(z). sigma = 0: D = max(mu, 0).
    """
    mu, sigma, low, high = (np.asarray(x, dtype=float) for x in (mu, sigma, low, high))
    below_zero = np.minimum(high, 0.0) - np.minimum(low, 0.0)
    lo, hi = np.maximum(low, 0.0), np.maximum(high, 0.0)
    safe = np.where(sigma > 0, sigma, 1.0)
    z_lo, z_hi = (lo - mu) / safe, (hi - mu) / safe

    def loss(z):
        return norm.pdf(z) - z * norm.sf(z)

    spread = safe * (loss(z_lo) - loss(z_hi)) / norm.cdf(mu / safe)
    point = np.clip(hi, 0.0, np.maximum(mu, 0.0)) - np.clip(lo, 0.0, np.maximum(mu, 0.0))
    return below_zero + np.where(sigma > 0, spread, point)


def _budget_text(v: dict, i: int, budget: float, currency: str) -> str:
    """Why the budget cut or deferred SKU i's order (money in `currency`)."""
    def m(x):
        return money(x, currency, 2)
    one = money(1, currency, 0)
    q, rec, cp = v["order_qty"][i], v["rec"][i], v["case_pack"][i]
    left = f"{m(v['available'][i])} of the {m(budget)} budget was left when its turn came"
    if v["urgent"][i]:
        why = "urgent orders go first, the earliest projected stockout first"
    else:
        why = (f"urgent orders go first, then the orders buying the most expected sales per {one}; this one "
               f"buys {m(v['priority'][i])} per {one}")
    if q == 0:
        return f" Not ordered now, deferred by the budget: the order costs {m(v['cost'][i])} and {left} ({why})."
    packs = f" ({count(q / cp)} case packs of {count(cp)})" if cp > 1 else ""
    return (f" Cut by the budget from {count(rec)} to {count(q)} units{packs} = {m(q * v['unit_cost'][i])}: "
            f"{left} ({why}).")


def _reasons(v: dict, *, review_days: int, delay_days: int, uplift_pct: float, overstock_days: int,
             budget: float | None, currency: str) -> list[str]:
    """A readable sentence per SKU explaining the recommendation."""
    v = {k: x.tolist() if isinstance(x, np.ndarray) else x for k, x in v.items()}
    delay = f" + delay {delay_days} d" if delay_days else ""
    uplift = f" incl. {uplift_pct:+g}% uplift" if uplift_pct else ""
    out = []
    for i in range(len(v["rec"])):
        ip, rop, top = v["position"][i], v["reorder_point"][i], v["order_up_to"][i]
        cp, q = v["case_pack"][i], v["rec"][i]
        if not v["has_any"][i]:
            out.append("No demand forecast: no order.")
            continue
        if v["mu_p"][i] <= 0:
            text = f"No order: zero forecast demand over the next {v['p'][i]} d."
        elif q == 0:
            text = f"No order: position {count(ip)} above reorder point {count(rop)}."
        else:
            packed, moq = v["packed"][i], v["moq"][i]
            period = f"lead time {v['lead'][i]} d{delay} + review {review_days} d"
            text = (f"Stock {count(v['on_hand'][i])} + on order {count(v['on_order'][i])} = {count(ip)} "
                    f"is at or below the reorder point {count(rop)} ({period} demand {count(v['mu_p'][i])}"
                    f"{uplift} + safety {count(v['ss'][i])}): order up to {count(top)} -> "
                    f"{count(v['raw'][i])} -> ")
            text += f"{count(packed / cp)} case packs of {count(cp)} = {count(packed)}" if cp > 1 \
                else f"{count(packed)} units"
            if q > packed:
                text += f", raised to MOQ {count(moq)}" + (f" = {count(q)}" if q != moq else "")
            text += "."
            if v["order_qty"][i] < q:
                text += _budget_text(v, i, budget, currency)
        if v["overstock"][i]:
            text += (f" Overstock: position {count(ip)} is above order-up-to {count(top)} + "
                     f"{overstock_days} d demand {count(v['over_demand'][i])}.")
        if v["stockout"][i] is not None:
            text += f" Projected stockout on {v['stockout'][i].isoformat()}."
        out.append(text)
    return out


def plan(items: pd.DataFrame, demand: pd.DataFrame, *, as_of: date, service_level: float = 0.95,
         class_service: dict[str, float] | None = None, review_days: int = 7, delay_days: int = 0,
         uplift_pct: float = 0.0, budget: float | None = None, overstock_days: int = 90,
         currency: str = "USD") -> pd.DataFrame:
    """Order recommendations, one row per SKU of `items` (columns PLAN_COLUMNS); see the module docstring."""
    service_level = _check_level(service_level, "The service level")
    class_service = {str(k): _check_level(x, f"The service level of class {k}")
                     for k, x in (class_service or {}).items()}
    review_days = _whole_days(review_days, "The review period")
    delay_days = _whole_days(delay_days, "The supplier delay")
    overstock_days = _whole_days(overstock_days, "The overstock horizon")
    if not np.isfinite(float(uplift_pct)) or float(uplift_pct) < -100:
        raise ValueError(f"The demand uplift cannot be below -100% (got {uplift_pct!r}).")
    if budget is not None and not (np.isfinite(float(budget)) and float(budget) >= 0):
        raise ValueError(f"The budget must be an amount of 0 or more (got {budget!r}).")
    as_of = pd.Timestamp(as_of).date()
    it = _prepare_items(items)

    lead = it["lead_time_days"].to_numpy() + delay_days                     # L
    p = lead + review_days                                                  # P
    mean, sd, last_day, has_any = _demand_grid(demand, it["sku"], as_of,
                                               max(int(p.max(initial=0)), overstock_days))
    factor = 1.0 + float(uplift_pct) / 100.0
    zero = np.zeros((len(it), 1))
    cum_mu = np.hstack([zero, np.cumsum(mean * factor, axis=1)])            # cum_mu[:, k] = days 1..k
    cum_var = np.hstack([zero, np.cumsum((sd * factor) ** 2, axis=1)])
    rows = np.arange(len(it))
    mu_p, sigma_p = cum_mu[rows, p], np.sqrt(cum_var[rows, p])
    mu_r = mu_p - cum_mu[rows, lead]
    over_demand = cum_mu[:, overstock_days]
    daily = np.where(p > 0, mu_p / np.maximum(p, 1), mean[:, 0] * factor)

    level = it["abc"].map(class_service).astype(float).fillna(service_level).to_numpy() \
        if class_service else np.full(len(it), service_level)
    ss = norm.ppf(level) * sigma_p
    rop = mu_p + ss
    top = rop + mu_r
    on_hand, on_order = it["on_hand"].to_numpy(), it["on_order"].to_numpy()
    cp, moq = it["case_pack"].to_numpy(), it["moq"].to_numpy()
    pos = on_hand + on_order
    order = (pos <= rop + EPS) & (mu_p > 0)
    raw = np.where(order, top - pos, 0.0)
    packed = np.ceil(np.round(raw / cp, 9)) * cp
    rec = np.where(order, np.maximum(packs.order_qty(raw, cp, moq), packs.min_qty(cp, moq)), 0.0).astype(np.int64)

    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(daily > 0, on_hand / daily, np.nan)
    t = cum_mu.shape[1] - 1
    day = np.arange(1, t + 1)
    avail = on_hand[:, None] + on_order[:, None] * (day[None, :] >= lead[:, None])
    short = (cum_mu[:, 1:] > avail + EPS) & (day[None, :] <= np.maximum(last_day, p)[:, None])
    short &= has_any[:, None]
    first = np.where(short.any(axis=1), np.argmax(short, axis=1) + 1, 0)
    stockout = [as_of + timedelta(days=int(k)) if k else None for k in first]
    overstock = has_any & (pos > top + over_demand + EPS)
    urgent = (rec > 0) & (first > 0) & (first <= p)

    unit_cost, price = it["unit_cost"].to_numpy(), it["price"].to_numpy()
    gain = price * expected_gain(mu_p, sigma_p, pos, pos + rec)
    cost = rec * unit_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        priority = np.where(rec > 0, np.where(cost > 0, gain / cost, np.inf), np.nan)
    min_qty = packs.min_qty(cp, moq).astype(np.int64)
    alloc = allocate(rec, unit_cost, cp, min_qty, urgent, first, priority, budget)
    order_qty = alloc.order_qty

    v = {"on_hand": on_hand, "on_order": on_order, "position": pos, "reorder_point": rop, "order_up_to": top,
         "case_pack": cp, "moq": moq, "rec": rec, "raw": raw, "packed": packed, "has_any": has_any,
         "mu_p": mu_p, "p": p, "lead": it["lead_time_days"].to_numpy(), "ss": ss, "order_qty": order_qty,
         "priority": priority, "cost": cost, "overstock": overstock, "over_demand": over_demand,
         "stockout": stockout, "urgent": urgent, "available": alloc.available, "unit_cost": unit_cost}
    reasons = _reasons(v, review_days=review_days, delay_days=delay_days, uplift_pct=float(uplift_pct),
                       overstock_days=overstock_days, budget=budget, currency=currency)
    out = pd.DataFrame({
        "sku": it["sku"], "name": it["name"], "category": it["category"], "supplier": it["supplier"],
        "abc": it["abc"], "xyz": it["xyz"], "on_hand": on_hand, "on_order": on_order, "position": pos,
        "lead_time_days": it["lead_time_days"], "review_days": review_days, "service_level": level,
        "demand_daily": daily, "demand_p": mu_p, "sigma_p": sigma_p, "safety_stock": ss,
        "reorder_point": rop, "order_up_to": top, "recommended_qty": rec, "order_qty": order_qty,
        "order_cost": order_qty * unit_cost, "expected_sales": gain, "days_of_cover": cover,
        "stockout_date": pd.Series(stockout, dtype=object), "overstock": overstock, "reason": reasons,
        "unit_cost": unit_cost, "price": price, "moq": moq.astype(np.int64), "case_pack": cp.astype(np.int64),
        "urgent": urgent,
    })
    return out[PLAN_COLUMNS]
