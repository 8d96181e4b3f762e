"""Date presets and comparison periods, with hand-computed dates."""
from __future__ import annotations

from datetime import date

import pytest

from lib import periods
from lib.periods import comparison, resolve

A = date(2026, 3, 31)   # a Tuesday, last day of Q1


@pytest.mark.parametrize(("preset", "expected"), [
    ("last_7", (date(2026, 3, 25), date(2026, 3, 31))),     # 31 - 6 = 25
    ("last_30", (date(2026, 3, 2), date(2026, 3, 31))),     # 30 days: Mar 2..31
    ("last_90", (date(2026, 1, 1), date(2026, 3, 31))),     # Jan 31 + Feb 28 + Mar 31 = 90 days
    ("mtd", (date(2026, 3, 1), date(2026, 3, 31))),
    ("qtd", (date(2026, 1, 1), date(2026, 3, 31))),
    ("ytd", (date(2026, 1, 1), date(2026, 3, 31))),
])
def test_presets(preset, expected):
    assert resolve(preset, A) == expected


def test_quarter_and_month_starts_mid_year():
    assert resolve("qtd", date(2026, 8, 15)) == (date(2026, 7, 1), date(2026, 8, 15))
    assert resolve("qtd", date(2026, 12, 31)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert resolve("mtd", date(2026, 2, 1)) == (date(2026, 2, 1), date(2026, 2, 1))
    assert resolve("last_7", date(2026, 1, 3)) == (date(2025, 12, 28), date(2026, 1, 3))


def test_custom_range_swaps_and_requires_both_dates():
    assert resolve("custom", A, date(2026, 1, 5), date(2026, 1, 9)) == (date(2026, 1, 5), date(2026, 1, 9))
    assert resolve("custom", A, date(2026, 1, 9), date(2026, 1, 5)) == (date(2026, 1, 5), date(2026, 1, 9))
    with pytest.raises(ValueError, match="both a start and an end"):
        resolve("custom", A, date(2026, 1, 9), None)
    with pytest.raises(ValueError, match="unknown date range preset 'yesterday'"):
        resolve("yesterday", A)


def test_previous_period_is_the_same_length_just_before():
    # Mar 25..31 is 7 days -> Mar 18..24
    assert comparison(date(2026, 3, 25), date(2026, 3, 31), "previous_period") == (date(2026, 3, 18),
                                                                                     date(2026, 3, 24))
    # Q1 2026 to date (90 days) -> the 90 days ending Dec 31, 2025: Oct 3..Dec 31
    assert comparison(date(2026, 1, 1), date(2026, 3, 31), "previous_period") == (date(2025, 10, 3),
                                                                                     date(2025, 12, 31))
    # a single day -> the day before
    assert comparison(date(2026, 3, 1), date(2026, 3, 1), "previous_period") == (date(2026, 2, 28),
                                                                                   date(2026, 2, 28))


def test_previous_year_handles_leap_day():
    assert comparison(date(2024, 2, 29), date(2024, 2, 29), "previous_year") == (date(2023, 2, 28),
                                                                                   date(2023, 2, 28))
    assert comparison(date(2024, 2, 1), date(2024, 2, 29), "previous_year") == (date(2023, 2, 1),
                                                                                  date(2023, 2, 28))
    assert comparison(date(2026, 3, 2), date(2026, 3, 31), "previous_year") == (date(2025, 3, 2),
                                                                                  date(2025, 3, 31))


def test_no_comparison_and_unknown_kind():
    assert comparison(date(2026, 3, 2), date(2026, 3, 31), "none") is None
    with pytest.raises(ValueError, match="unknown comparison"):
        comparison(date(2026, 3, 2), date(2026, 3, 31), "last_decade")


def test_registries():
    assert list(periods.PRESETS) == ["last_7", "last_30", "last_90", "mtd", "qtd", "ytd", "custom"]
    assert periods.PRESETS["qtd"] == "Quarter to date"
    assert list(periods.COMPARISONS) == ["previous_period", "previous_year", "none"]
    assert periods.GRAINS == ("day", "week", "month")
    assert periods.days(date(2026, 3, 25), date(2026, 3, 31)) == 7
