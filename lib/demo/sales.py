"""Order lines: realised prices, coupons, cancellations and returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import config
from .catalog import Catalog
from .customers import Orders
from .promos import Promotions

STATUSES = ["completed", "cancelled", "refunded"]


@dataclass
class Lines:
    """The orders feed as integer-coded columns, sorted by (order, return flag, sku)."""

    order: np.ndarray
    sku: np.ndarray
    qty: np.ndarray
    unit_price: np.ndarray
    discount: np.ndarray
    status: np.ndarray  # index into STATUSES
    promo: np.ndarray  # applied promotion index or -1 (not written; for truth and tests)

    @property
    def n(self) -> int:
        return len(self.order)


def build(rng: np.random.Generator, cat: Catalog, promos: Promotions, orders: Orders) -> Lines:
    """Price every sold line, draw coupons, cancel a few orders and add return lines.

    unit_price = list price, or list price * (1 - discount_pct/100) rounded to cents when a
    promotion applies (email-only promotions apply to orders through the email channel).
    discount = order coupon amount (WELCOME10 on some first orders, 5-15 % codes otherwise).
    """
    o, s, q = orders.line_order, orders.line_sku, orders.line_qty
    d = orders.day[o]
    lp = cat.list_price[d, s]
    p = promos.cell[d, s]
    email = config.CHANNELS.index("email")
    applies = (p >= 0) & (~promos.email_only[np.maximum(p, 0)] | (orders.channel[o] == email))
    promo = np.where(applies, p, -1)
    price = np.where(applies, np.round(lp * (1 - promos.discount[np.maximum(p, 0)] / 100), 2), lp)

    n = orders.n
    coupon = np.zeros(n)
    first_rate = np.zeros(len(config.CHANNELS))
    for c, r in config.COUPON_FIRST_ORDER.items():
        first_rate[config.CHANNELS.index(c)] = r
    welcome = orders.first & (rng.random(n) < first_rate[orders.channel])
    other = ~welcome & (rng.random(n) < config.COUPON_OTHER)
    coupon[welcome] = 0.10
    coupon[other] = rng.choice([0.05, 0.10, 0.15], int(other.sum()))
    discount = np.round(coupon[o] * q * price, 2)

    cancelled = rng.random(n) < config.CANCEL_RATE
    status = np.where(cancelled[o], 1, 0).astype(np.int8)

    rate = np.array([c[9] for c in config.CATEGORIES])[cat.cat[s]]
    ret = (status == 0) & (rng.random(len(o)) < rate * np.where(q > 1, 1.3, 1.0))
    r_idx = np.nonzero(ret)[0]
    r_qty = 1 + rng.binomial(q[r_idx] - 1, 0.3)
    order = np.concatenate([o, o[r_idx]])
    flag = np.concatenate([np.zeros(len(o), np.int8), np.ones(len(r_idx), np.int8)])
    sku = np.concatenate([s, s[r_idx]])
    srt = np.lexsort((sku, flag, order))
    return Lines(
        order=order[srt], sku=sku[srt],
        qty=np.concatenate([q, -r_qty])[srt],
        unit_price=np.concatenate([price, price[r_idx]])[srt],
        discount=np.concatenate([discount, np.zeros(len(r_idx))])[srt],
        status=np.concatenate([status, np.full(len(r_idx), 2, np.int8)])[srt],
        promo=np.concatenate([promo, promo[r_idx]])[srt],
    )
