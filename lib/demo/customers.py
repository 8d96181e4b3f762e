"""Baskets and customers: group sold lines into orders, give each order a customer and channel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import config


@dataclass
class Orders:
    """Orders in chronological order (index = order number) and their lines."""

    day: np.ndarray  # day index of each order
    second: np.ndarray  # second of the day
    line_order: np.ndarray  # lines sorted by (order, sku)
    line_sku: np.ndarray
    line_qty: np.ndarray
    customer: np.ndarray | None = None  # customer index per order
    channel: np.ndarray | None = None  # channel index per order
    first: np.ndarray | None = None  # True for the customer's first order ever

    @property
    def n(self) -> int:
        return len(self.day)


@dataclass
class Customers:
    """Every customer simulated (including those acquired during the burn-in)."""

    channel: np.ndarray  # acquisition channel index
    first_day: np.ndarray  # day index of the first order (negative: before the window)
    first_second: np.ndarray  # second of the day of the first order


def group(rng: np.random.Generator, day: np.ndarray, sku: np.ndarray, qty: np.ndarray, n_sku: int) -> Orders:
    """Group one day's lines into baskets of geometric size; merge repeated SKUs in a basket."""
    perm = rng.permutation(len(day))
    idx = perm[np.argsort(day[perm], kind="stable")]
    day, sku, qty = day[idx], sku[idx], qty[idx]
    brk = rng.random(len(day)) < 1.0 / config.BASKET_MEAN_LINES
    brk[0] = True
    brk[1:] |= day[1:] != day[:-1]
    oid = np.cumsum(brk) - 1
    key = oid * n_sku + sku
    uniq, inv = np.unique(key, return_inverse=True)
    qty = np.bincount(inv, weights=qty).astype(np.int64)
    oid, sku = uniq // n_sku, (uniq % n_sku).astype(np.int32)
    n_orders = int(oid[-1]) + 1
    order_day = day[brk]
    hourly = np.asarray(config.HOURLY) / np.sum(config.HOURLY)
    second = rng.choice(24, n_orders, p=hourly) * 3600 + rng.integers(0, 3600, n_orders)
    chrono = np.lexsort((second, order_day))
    rank = np.empty(n_orders, dtype=np.int64)
    rank[chrono] = np.arange(n_orders)
    new_oid = rank[oid]
    lo = np.lexsort((sku, new_oid))
    return Orders(day=order_day[chrono], second=second[chrono], line_order=new_oid[lo],
                  line_sku=sku[lo], line_qty=qty[lo])


def _params():
    p = [config.CHANNEL_PARAMS[c] for c in config.CHANNELS]
    acq = np.array([x[0] for x in p])
    return acq / acq.sum(), np.array([x[1] for x in p]), np.array([x[2] for x in p]), np.array([x[3] for x in p])


def assign(rng: np.random.Generator, orders: Orders, days: int) -> Customers:
    """Give every order a customer through a simulated acquisition and repeat process.

    Each day's orders are served first by customers due for a repeat order, the rest by
    newly acquired customers. A customer from channel c orders again with probability
    repeat[c], after 1 + Exponential(gap[c]) days. A burn-in year runs before the window so
    the window starts with an established customer base. Fills orders.customer/channel/first.
    """
    acq, repeat, gap, back_mix = _params()
    back_mix = back_mix / back_mix.sum()
    b = config.BURN_IN_DAYS
    per_day = np.bincount(orders.day, minlength=days)
    first_year = per_day[: min(days, 365)].mean()
    pre = rng.poisson(first_year * np.exp(-config.TREND_PER_YEAR * (b - np.arange(b)) / 365.0))
    counts = np.concatenate([pre, per_day])
    horizon = b + days
    total = int(counts.sum())
    c_chan = np.zeros(total, dtype=np.int8)
    c_first = np.zeros(total, dtype=np.int64)
    buckets: list[list[np.ndarray]] = [[] for _ in range(horizon + 1)]
    order_cust = np.empty(orders.n, dtype=np.int64)
    order_first = np.zeros(orders.n, dtype=bool)
    pos = 0
    nc = 0
    for t in range(horizon):
        due = np.concatenate(buckets[t]) if buckets[t] else np.zeros(0, np.int64)
        buckets[t] = []
        n_t = int(counts[t])
        if len(due) > n_t:
            due = rng.permutation(due)
            buckets[t + 1].append(due[n_t:])
            due = due[:n_t]
        n_new = n_t - len(due)
        new = np.arange(nc, nc + n_new)
        c_chan[new] = rng.choice(len(acq), n_new, p=acq)
        c_first[new] = t - b
        nc += n_new
        who = rng.permutation(np.concatenate([due, new]))
        if t >= b:
            order_cust[pos:pos + n_t] = who
            order_first[pos:pos + n_t] = c_first[who] == t - b
            pos += n_t
        ch = c_chan[who]
        again = rng.random(len(who)) < repeat[ch]
        nxt = t + 1 + rng.exponential(gap[ch]).astype(np.int64)
        keep = again & (nxt < horizon)
        who, nxt = who[keep], nxt[keep]
        if len(who):
            srt = np.argsort(nxt, kind="stable")
            u, starts = np.unique(nxt[srt], return_index=True)
            for d, part in zip(u, np.split(who[srt], starts[1:]), strict=True):
                buckets[d].append(part)
    first_second = np.zeros(nc, dtype=np.int64)
    # the first in-window order of a customer acquired in the window fixes their first second
    first_pos = np.nonzero(order_first)[0]
    first_second[order_cust[first_pos]] = orders.second[first_pos]
    same = rng.random(orders.n) < config.SAME_CHANNEL_ON_REPEAT
    back = rng.choice(len(back_mix), orders.n, p=back_mix)
    acq_ch = c_chan[order_cust]
    orders.customer = order_cust
    orders.first = order_first
    orders.channel = np.where(order_first | same, acq_ch, back).astype(np.int8)
    return Customers(channel=c_chan[:nc], first_day=c_first[:nc], first_second=first_second)


def truth(customers: Customers, orders: Orders) -> dict:
    """Planted channel parameters plus the repeat share observed in the window."""
    acq, repeat, gap, back_mix = _params()
    n_orders = np.bincount(orders.customer, minlength=len(customers.channel))
    seen = n_orders > 0
    out = {}
    for i, c in enumerate(config.CHANNELS):
        m = seen & (customers.channel == i)
        out[c] = {
            "acquisition_share": round(float(acq[i]), 4),
            "repeat_probability": float(repeat[i]),
            "mean_days_between_orders": float(gap[i]),
            "repeat_visit_channel_share": round(float(back_mix[i] / back_mix.sum()), 4),
            "observed_customers": int(m.sum()),
            "observed_share_with_2plus_orders": round(float((n_orders[m] >= 2).mean()), 4) if m.any() else None,
        }
    return {
        "model": "each order -> with probability repeat_probability[acquisition channel] another order "
                 "1 + Exponential(mean_days_between_orders) days later; repeat orders come through the "
                 f"acquisition channel with probability {config.SAME_CHANNEL_ON_REPEAT}, else the repeat-visit mix",
        "burn_in_days": config.BURN_IN_DAYS,
        "channels": out,
    }
