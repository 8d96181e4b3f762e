"""The hand-computed funnel journeys of tests/test_funnel.py, shared with tests/test_funnel_windowfunnel.py.

Each store is (sessions, attributes) for tests.support.funnel.journeys: times are seconds after T0
(2025-03-03 09:00); the expected answers are hand-computed in the tests that use them.
"""
from __future__ import annotations

import pandas as pd

from tests.support.funnel import journeys

__all__ = ["frame", "BEST_ATTEMPT", "WINDOW_END", "TWO_PURCHASES", "REPEATED_STEP", "STRICT", "TIE", "BREAKDOWN",
           "AGAIN", "PER_USER", "SCENARIOS", "TREND", "REVENUE", "FIRST_TOUCH"]

BEST_ATTEMPT = ({
    # first pv is too early for the window (1 h); the second pv starts an attempt that completes
    "late": "0 page_view, 5000 page_view, 5100 view_item, 5200 add_to_cart",
    # steps in the right order, other events interleaved: allowed in sequential
    "noisy": "0 page_view, 10 begin_checkout, 20 view_item, 30 page_view, 40 add_to_cart",
    # atc before vi: only reaches step 2
    "backwards": "0 page_view, 10 add_to_cart, 20 view_item",
    # a step before step 1 does not count: vi at 0 precedes the only pv
    "early": "0 view_item, 10 page_view, 20 add_to_cart",
}, {})
WINDOW_END = ({
    "edge": "0 page_view, 1800 view_item, 3600 add_to_cart",      # exactly at the window end: counts
    "over": "0 page_view, 1800 view_item, 3600.001 add_to_cart",  # 1 ms late: does not
}, {})
TWO_PURCHASES = ({   # steps view_item, add_to_cart, purchase
    # two purchases and repeated add-to-carts: counted once; the earliest attempt times it
    "twice": "0 view_item, 10 add_to_cart, 20 add_to_cart, 50 purchase, 70 view_item, 80 add_to_cart, 200 purchase",
    "once": "0 view_item, 30 add_to_cart, 90 purchase",
}, {})
REPEATED_STEP = ({"one": "0 view_item, 10 add_to_cart", "two": "0 view_item, 10 view_item"}, {})
STRICT = ({
    "clean": "0 page_view, 10 view_item, 20 add_to_cart",
    "interrupted": "0 page_view, 10 view_item, 15 page_view, 20 add_to_cart",   # pv between vi and atc
    # second attempt is clean: the best attempt counts in strict order too
    "retry": "0 page_view, 5 begin_checkout, 10 view_item, 100 page_view, 110 view_item, 120 add_to_cart",
}, {})
# vi and an unrelated event share a timestamp
TIE = ({"tie": "0 page_view, 10 view_item, 10 scroll, 20 add_to_cart"}, {})
BREAKDOWN = ({
    "a": "0 page_view, 10 view_item", "b": "0 page_view", "c": "0 page_view, 10 view_item, 20 add_to_cart",
    "d": "0 view_item",    # never does step 1: not in any segment
    "e": "0 page_view",    # no channel
}, {"channel": {"a": "email", "b": "email", "c": "social", "d": "social"}})
AGAIN = ({   # the unit's first atc comes before its vi: the chain must look for the atc after the vi
    "again": "0 page_view, 10 add_to_cart, 20 view_item, 50 add_to_cart",
    "never": "0 page_view, 10 add_to_cart, 20 view_item",
    "plain": "0 page_view, 5 view_item, 15 add_to_cart",
}, {"channel": {"again": "email", "never": "email", "plain": "social"}})
PER_USER = ({
    "mon": "0 page_view, 10 view_item",          # same user u1 ...
    "tue": "600 add_to_cart",                    # ... comes back and adds to cart
    "anon": "0 page_view, 20 add_to_cart",       # anonymous session: a person of its own
}, {"user": {"mon": "u1", "tue": "u1"}})
SCENARIOS = ({
    "a": "0 page_view, 5 view_item, 9 view_item, 12 add_to_cart, 30 page_view, 31 add_to_cart",
    "b": "0 add_to_cart, 1 page_view, 1 view_item, 2 add_to_cart",
    "c": "0 page_view, 100 page_view, 200 view_item, 7000 add_to_cart",
    "d": "3 view_item, 4 page_view, 8 view_item, 8 add_to_cart",
}, {"channel": {"a": "x", "b": "y", "c": "x"}})
TREND = ({
    "s1": "0 page_view, 30 view_item, 90 add_to_cart",
    "s2": "0 page_view, 200 view_item, 400 add_to_cart",
    "s3": "86400 page_view, 86410 view_item",        # next day, stops at view_item
    "s4": "86400 page_view, 86405 add_to_cart",
}, {"customer_id": {"s3": "c3", "s4": "c4"}})
# ten sessions: all view a page, s0-s3 view an item, s0-s1 add to cart, s0 buys
REVENUE = ({f"s{i}": "0 page_view" + ", 10 view_item" * (i < 4) + ", 20 add_to_cart" * (i < 2)
            + ", 30 purchase" * (i == 0) for i in range(10)}, {})
FIRST_TOUCH = ({
    "first": "0 page_view",                         # u1 arrives via social ...
    "later": "100 page_view, 110 view_item",        # ... and comes back via email
    "tie_a": "0 page_view",                         # u2: two step-1 events at the same moment
    "tie_b": "0 page_view, 5 view_item",
}, {"channel": {"first": "social", "later": "email", "tie_a": "social", "tie_b": "referral"},
    "user": {"first": "u1", "later": "u1", "tie_a": "u2", "tie_b": "u2"}})


def frame(store) -> pd.DataFrame:
    """The events frame of a store."""
    sessions, attrs = store
    return journeys(sessions, **attrs)
