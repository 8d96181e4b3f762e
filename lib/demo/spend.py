"""Marketing spend of the demo store: per day, channel and campaign, consistent with the web traffic it buys.

Paid channels (paid_search, social: the demo's social traffic is paid social ads) cost a planted cost per
session (CPC) per campaign, times the day's expected sessions of the channel (the web model's non-buying
sessions plus the channel's purchase sessions), with daily lognormal noise. Email costs a small flat fee per
day (the email tool's plan). Organic and referral traffic cost nothing and have no rows. Clicks are the
campaign's sessions (rounded), impressions clicks / a planted click-through rate (with noise).

Drawn from its own seeded generator (the "spend" part, spawned after every other part), so adding it
changes no other feed for a given seed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import config
from .customers import Orders
from .sales import Lines
from .writers import pick

__all__ = ["CAMPAIGNS", "EMAIL_DAILY_FEE", "NOISE_SIGMA", "Spend", "build", "columns", "truth"]

# channel -> (campaign, share of the channel's sessions, cost per session in USD, click-through rate)
CAMPAIGNS = {
    "paid_search": [("Search - Brand", 0.30, 0.35, 0.080), ("Search - Generic", 0.45, 1.05, 0.035),
                    ("Shopping - All products", 0.25, 0.70, 0.012)],
    "social": [("Prospecting - Lookalike", 0.65, 0.85, 0.009), ("Retargeting - Site visitors", 0.35, 0.55, 0.014)],
}
EMAIL_DAILY_FEE = (("Newsletter", 9.00), ("Flows - Welcome and abandoned cart", 6.00))
NOISE_SIGMA = 0.15      # daily lognormal noise on each campaign's cost per session and on impressions


class Spend:
    """Rows of the spend feed (day index, channel index into config.CHANNELS, campaign name, amounts)."""

    def __init__(self, day, channel, campaign, spend, clicks, impressions):
        self.day, self.channel, self.campaign = day, channel, campaign
        self.spend, self.clicks, self.impressions = spend, clicks, impressions

    @property
    def n(self) -> int:
        return len(self.day)


def expected_sessions(nonbuy_rate: np.ndarray, od: Orders, days: int) -> np.ndarray:
    """days x channels: the web model's expected non-buying sessions plus the realised purchase sessions."""
    n_ch = len(config.CHANNELS)
    nonbuy = nonbuy_rate.reshape(days, n_ch, -1).sum(axis=2)
    inside = (od.day >= 0) & (od.day < days)
    buy = np.zeros((days, n_ch))
    np.add.at(buy, (od.day[inside], od.channel[inside]), 1.0)
    return nonbuy + buy


def build(rng: np.random.Generator, sessions: np.ndarray) -> Spend:
    """One row per day and campaign of the paid channels and of email (see the module docstring)."""
    days = sessions.shape[0]
    parts = []
    for ch, camps in CAMPAIGNS.items():
        c = config.CHANNELS.index(ch)
        for name, share, cps, ctr in camps:
            clicks = np.round(sessions[:, c] * share).astype(np.int64)
            cost = np.round(clicks * cps * rng.lognormal(-NOISE_SIGMA**2 / 2, NOISE_SIGMA, days), 2)
            impr = np.round(clicks / ctr * rng.lognormal(0.0, NOISE_SIGMA, days)).astype(np.int64)
            parts.append((np.arange(days), np.full(days, c), [name] * days, cost, clicks, impr))
    e = config.CHANNELS.index("email")
    for name, fee in EMAIL_DAILY_FEE:
        parts.append((np.arange(days), np.full(days, e), [name] * days, np.full(days, fee),
                      np.full(days, -1), np.full(days, -1)))
    day = np.concatenate([p[0] for p in parts])
    order = np.lexsort((np.concatenate([p[1] for p in parts]), day), axis=0)
    cat = lambda k: np.concatenate([np.asarray(p[k]) for p in parts])[order]  # noqa: E731
    return Spend(cat(0), cat(1), cat(2), cat(3), cat(4), cat(5))


def columns(sp: Spend, dates: np.ndarray) -> dict:
    """The spend feed's columns (writers.SCHEMAS["spend"])."""
    def nullable(v):
        return pa.array(v, pa.int64(), mask=v < 0)
    return {"date": pa.array(dates[sp.day]), "channel": pick(config.CHANNELS, sp.channel),
            "campaign": pa.array(sp.campaign.tolist(), pa.string()), "spend": sp.spend.astype(np.float64),
            "currency": pick(["USD"], np.zeros(sp.n, np.int64)),
            "impressions": nullable(sp.impressions), "clicks": nullable(sp.clicks)}


def truth(sp: Spend, od: Orders, ln: Lines) -> dict:
    """What was planted and what it bought, for truth.json.

    Revenue is attributed as the generator attributes it: an order's channel is the channel it was drawn for,
    which is also the channel of the session whose purchase event carries its order_id. Revenue = live lines
    (not cancelled; return lines included) quantity * unit_price - discount, over the whole history.
    """
    n_ch = len(config.CHANNELS)
    live = ln.status != 1
    rev = np.bincount(od.channel[ln.order[live]], weights=(ln.qty * ln.unit_price - ln.discount)[live],
                      minlength=n_ch)
    cost = np.bincount(sp.channel, weights=sp.spend, minlength=n_ch)
    out = {"attribution": "the order's own channel (= its purchase session's channel); revenue of live lines "
                          "(quantity * unit_price - discount, returns included) over the whole history",
           "cost_per_session": {ch: {name: cps for name, _, cps, _ in camps} for ch, camps in CAMPAIGNS.items()},
           "session_share": {ch: {name: share for name, share, _, _ in camps} for ch, camps in CAMPAIGNS.items()},
           "click_through_rate": {ch: {name: ctr for name, _, _, ctr in camps} for ch, camps in CAMPAIGNS.items()},
           "email_daily_fee": dict(EMAIL_DAILY_FEE), "noise_sigma": NOISE_SIGMA,
           "by_channel": {}}
    for c, ch in enumerate(config.CHANNELS):
        spent = round(float(cost[c]), 2)
        out["by_channel"][ch] = {"spend": spent, "revenue": round(float(rev[c]), 2),
                                 "roas": round(float(rev[c]) / spent, 6) if spent > 0 else None}
    return out
