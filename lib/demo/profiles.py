"""Customer profiles (the customers feed): name, email, marketing consent and country per customer id.

Drawn from their own seeded generator (the last child of the seed sequence), so adding them changed
no other feed: every simulated customer (those acquired in the burn-in included) gets one row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import config
from .writers import ids, pick

__all__ = ["build", "truth"]


def build(rng: np.random.Generator, n: int, width: int) -> dict:
    """{column: array} of the customers feed for customers C..1 to C..n (ids as in the orders feed)."""
    first = rng.integers(0, len(config.FIRST_NAMES), n)
    last = rng.integers(0, len(config.LAST_NAMES), n)
    domain = rng.integers(0, len(config.EMAIL_DOMAINS), n)
    no_email = rng.random(n) < config.PROFILE_EMAIL_MISSING
    consent = rng.random(n) < config.PROFILE_CONSENT
    codes = list(config.PROFILE_COUNTRIES)
    weights = np.array(list(config.PROFILE_COUNTRIES.values()))
    country = rng.choice(len(codes), n, p=weights / weights.sum())
    number = np.arange(1, n + 1)
    # first.last<customer number>@domain: unique per customer, lower case as the feed stores it
    email = [None if miss else f"{config.FIRST_NAMES[f].lower()}.{config.LAST_NAMES[g].lower()}{k}@"
             f"{config.EMAIL_DOMAINS[d]}" for f, g, k, d, miss in zip(first, last, number, domain, no_email,
                                                                       strict=True)]
    return {"customer_id": ids("C", number, width), "email": pa.array(email, pa.string()),
            "first_name": pick(config.FIRST_NAMES, first), "last_name": pick(config.LAST_NAMES, last),
            "accepts_marketing": pa.array(consent), "country": pick(codes, country)}


def truth() -> dict:
    return {"email_missing_share": config.PROFILE_EMAIL_MISSING, "consent_share": config.PROFILE_CONSENT,
            "countries": dict(config.PROFILE_COUNTRIES), "email_domains": list(config.EMAIL_DOMAINS)}
