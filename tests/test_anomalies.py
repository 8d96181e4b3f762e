"""Daily KPI anomalies (issue 20): a weekday median/MAD baseline; planted spike and dip flagged on their
exact days with the segment that drove them; a flat store with weekly seasonality flags nothing.

The store: ten weeks, Mon 2026-01-05 .. Sun 2026-03-15. Every day one web order of (1 + weekday) × A at
$10 (Mon $10 .. Sun $70) and one email order of 1 × A ($10): a weekday's revenue is 20, 30, .. 80.
Assessed range: 2026-02-23 .. 03-15 (every day has 7 weeks of history, min_weeks 4 holds).
With identical weeks MAD = 0, so the band is baseline ± 3 · max(0.1 · baseline, 1).
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib import kpis
from lib.analytics import anomalies as an
from tests.support.anomaly_store import DIP, END, SPIKE, START, load


def test_planted_spike_and_dip_are_flagged_on_their_days(wh):
    load(wh, planted=True)
    df = kpis.anomalies(wh, START, END, "revenue")
    assert len(df) == 21 and df["date"].iloc[0] == START
    flagged = df[df["flag"].notna()]
    # spike: Wednesday's baseline 30 + 10 = 40, band 40 ± 12; the day made 40 + 200 = 240
    # dip: Tuesday's baseline 20 + 10 = 30, band 30 ± 9 = [21, 39]; the day made 10 (email only)
    assert flagged[["date", "value", "baseline", "lo", "hi", "flag", "gap"]].values.tolist() == [
        [SPIKE, 240.0, 40.0, 28.0, 52.0, "spike", 200.0], [DIP, 10.0, 30.0, 21.0, 39.0, "dip", -20.0]]
    assert flagged["top_segment"].tolist() == ["email", "web"]
    assert flagged["drivers"].tolist() == ["Email +$200.00", "Web −$20.00"]
    # the day after the spike is back to normal, and a later Wednesday too (the spike is 1 of 8 in its history)
    assert pd.isna(df.set_index("date").loc[date(2026, 3, 11), "flag"])
    # by category: the whole store is one category
    cat = kpis.anomalies(wh, START, END, "revenue", by="category")
    assert cat.loc[cat["flag"].notna(), "drivers"].tolist() == ["Mugs +$200.00", "Mugs −$20.00"]


def test_as_of_cuts_the_range_and_the_band_parameters_matter(wh):
    load(wh, planted=True)
    before = kpis.anomalies(wh, START, END, "revenue", as_of=date(2026, 3, 9))
    assert before["date"].iloc[-1] == date(2026, 3, 9)
    assert before.loc[before["flag"].notna(), "date"].tolist() == [SPIKE]        # the dip is after as_of
    wide = kpis.anomalies(wh, START, END, "revenue", k=10.0)    # band 30 ± 30 on Tuesdays: the dip is inside
    assert wide.loc[wide["flag"].notna(), "date"].tolist() == [SPIKE]
    # orders: the spike day has 3 orders against 2 (band 2 ± 3 · max(0.2, 1)): inside, as is the dip
    assert kpis.anomalies(wh, START, END, "orders")["flag"].isna().all()
    with pytest.raises(ValueError, match="additive"):
        kpis.anomalies(wh, START, END, "aov")


def test_a_flat_store_with_weekly_seasonality_flags_nothing(wh):
    load(wh, planted=False, noise=True)
    df = kpis.anomalies(wh, START, END, "revenue")
    assert df["flag"].isna().all() and df["baseline"].notna().all()
    # the weekday pattern is in the baseline: Sundays sit near 80, Mondays near 20
    by_day = df.set_index("date")["baseline"]
    assert 78 <= by_day[date(2026, 3, 15)] <= 80 and 18 <= by_day[date(2026, 3, 9)] <= 20


def test_too_little_history_is_not_assessed():
    # a store that starts on 03-02: days before it are not history (not zeros), so nothing has 4 weeks of it
    s = pd.Series([0.0] * 7 + [10.0] * 21, index=pd.date_range("2026-02-23", periods=28))
    band = an.baseline_band(s)
    assert band["baseline"].isna().all() and band["flag"].isna().all()
    # a fifth week onwards has 4 same-weekday days of history: assessed
    s2 = pd.Series([10.0] * 35, index=pd.date_range("2026-03-02", periods=35))
    b2 = an.baseline_band(s2)
    assert b2["baseline"].notna().tolist() == [False] * 28 + [True] * 7
