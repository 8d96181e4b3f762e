"""The demo store's planted marketing spend (lib/demo/spend.py): its own random stream (the other feeds are
unchanged for a seed), consistent with the traffic, and recorded in truth.json."""
from __future__ import annotations

import hashlib
import json
from datetime import date

import pandas as pd
import pytest

from lib.demo import generate
from lib.demo import spend as demo_spend

AS_OF = date(2026, 11, 26)
OTHER_FEEDS = ["products", "orders", "events", "inventory", "promotions", "customers"]
# Content digest of the other six feeds for seed 7, scale 0.1, as_of 2026-11-26, computed from the generator
# BEFORE the spend feed existed (commit df851d6): adding spend must not shift a single value elsewhere.
DIGEST_BEFORE_SPEND = "0b80922ea0b408a4fc3b822783b87c3f4fafaa3c031488dcdd3a537eb2c40ac9"


def _digest(out) -> str:
    h = hashlib.sha256()
    for f in OTHER_FEEDS:
        df = pd.read_parquet(out / f"{f}.parquet")
        v = int(pd.util.hash_pandas_object(df, index=False).astype("uint64").sum()) % 2**64
        h.update(f"{f}:{len(df)}:{v};".encode())
    return h.hexdigest()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_spend")
    generate(out, seed=7, scale=0.1, as_of=AS_OF)
    return {"dir": out, "spend": pd.read_parquet(out / "spend.parquet"),
            "orders": pd.read_parquet(out / "orders.parquet"),
            "events": pd.read_parquet(out / "events.parquet", columns=["session_id", "channel"]),
            "truth": json.loads((out / "truth.json").read_text())}


def test_adding_spend_changes_no_other_feed(store):
    assert _digest(store["dir"]) == DIGEST_BEFORE_SPEND


def test_spend_rows_per_day_and_campaign(store):
    sp = store["spend"]
    days = pd.date_range("2024-11-27", AS_OF, freq="D").date
    camps = sum(len(c) for c in demo_spend.CAMPAIGNS.values()) + len(demo_spend.EMAIL_DAILY_FEE)
    assert len(sp) == len(days) * camps
    assert sorted(sp["date"].unique()) == list(days)
    assert set(sp["channel"]) == {"paid_search", "social", "email"}      # organic and referral cost nothing
    assert (sp["spend"] >= 0).all() and sp["currency"].eq("USD").all()
    email = sp[sp.channel == "email"]
    assert email.groupby("campaign")["spend"].unique().map(list).to_dict() == {
        "Newsletter": [9.0], "Flows - Welcome and abandoned cart": [6.0]}
    assert email[["impressions", "clicks"]].isna().all().all()


def test_paid_clicks_follow_the_channel_sessions(store):
    """Clicks are the campaigns' shares of the channel's expected sessions: over two years they sum to within
    3% of the realised sessions of that channel (the web model draws sessions around the expectation)."""
    sp, ev = store["spend"], store["events"]
    sessions = ev.drop_duplicates("session_id")["channel"].value_counts()
    for ch in ("paid_search", "social"):
        clicks = sp.loc[sp.channel == ch, "clicks"].sum()
        assert clicks == pytest.approx(sessions[ch], rel=0.03), ch
        cps = sp.loc[sp.channel == ch, "spend"].sum() / clicks
        planted = sum(s * c for _, s, c, _ in demo_spend.CAMPAIGNS[ch])
        assert cps == pytest.approx(planted, rel=0.02), ch


def test_truth_records_spend_and_planted_roas(store):
    t, sp, o = store["truth"]["spend"], store["spend"], store["orders"]
    live = o[o.status != "cancelled"]
    rev = (live.quantity * live.unit_price - live.discount).groupby(live.channel).sum()
    for ch, rec in t["by_channel"].items():
        spent = sp.loc[sp.channel == ch, "spend"].sum()
        assert rec["spend"] == pytest.approx(spent, abs=0.005)
        assert rec["revenue"] == pytest.approx(rev[ch], abs=0.005)
        assert rec["roas"] == (None if spent == 0 else pytest.approx(rev[ch] / spent, rel=1e-6))
    assert t["cost_per_session"]["paid_search"]["Search - Generic"] == 1.05
