"""Date presets and comparison periods, with hand-computed dates."""
from __future__ import annotations

from datetime import date

import pytest

from lib.analytics import periods
from lib.analytics.periods import comparison, resolve

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
    # Jan 1..Mar 10 (69 days, not whole months) -> the 69 days ending Dec 31, 2025: Oct 24..Dec 31
    assert comparison(date(2026, 1, 1), date(2026, 3, 10), "previous_period") == (date(2025, 10, 24),
                                                                                     date(2025, 12, 31))
    # a single day -> the day before
    assert comparison(date(2026, 3, 1), date(2026, 3, 1), "previous_period") == (date(2026, 2, 28),
                                                                                   date(2026, 2, 28))


def test_previous_period_of_whole_calendar_months_is_the_months_before():
    # November (30 days) -> October, all 31 days (not the 30 days Oct 2..31)
    assert comparison(date(2026, 11, 1), date(2026, 11, 30), "previous_period") == (date(2026, 10, 1),
                                                                                       date(2026, 10, 31))
    # March -> February 2026 (28 days); February -> January (31 days); January -> December of the year before
    assert comparison(date(2026, 3, 1), date(2026, 3, 31), "previous_period") == (date(2026, 2, 1),
                                                                                     date(2026, 2, 28))
    assert comparison(date(2026, 2, 1), date(2026, 2, 28), "previous_period") == (date(2026, 1, 1),
                                                                                     date(2026, 1, 31))
    assert comparison(date(2026, 1, 1), date(2026, 1, 31), "previous_period") == (date(2025, 12, 1),
                                                                                     date(2025, 12, 31))
    # Q1 2026 (Jan..Mar, three months) -> Q4 2025; Oct..Nov -> Aug..Sep
    assert comparison(date(2026, 1, 1), date(2026, 3, 31), "previous_period") == (date(2025, 10, 1),
                                                                                     date(2025, 12, 31))
    assert comparison(date(2026, 10, 1), date(2026, 11, 30), "previous_period") == (date(2026, 8, 1),
                                                                                       date(2026, 9, 30))
    # the month so far is not a whole month: the same number of days just before (Dec 1..5 -> Nov 26..30)
    assert comparison(date(2026, 12, 1), date(2026, 12, 5), "previous_period") == (date(2026, 11, 26),
                                                                                      date(2026, 11, 30))


AS_OF = date(2026, 12, 5)   # the demo store's last day


def test_calendar_month_presets():
    assert resolve("last_month", AS_OF) == (date(2026, 11, 1), date(2026, 11, 30))
    assert resolve("this_month", AS_OF) == (date(2026, 12, 1), date(2026, 12, 5))
    assert resolve("previous_month", AS_OF) == (date(2026, 10, 1), date(2026, 10, 31))
    # across a year end, and a leap February
    assert resolve("last_month", date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert resolve("previous_month", date(2026, 1, 15)) == (date(2025, 11, 1), date(2025, 11, 30))
    assert resolve("last_month", date(2024, 3, 31)) == (date(2024, 2, 1), date(2024, 2, 29))
    # on a month's last day, "last month" is still the month before
    assert resolve("last_month", date(2026, 11, 30)) == (date(2026, 10, 1), date(2026, 10, 31))
    # an old link's "Month to date" means This month
    assert resolve(periods.PRESET_ALIASES["Month to date"], AS_OF) == (date(2026, 12, 1), date(2026, 12, 5))


def test_last_month_against_the_month_before():
    assert comparison(*resolve("last_month", AS_OF), "previous_period") == resolve("previous_month", AS_OF)


def test_shift_months_clips_to_the_month_length():
    assert periods.shift_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert periods.shift_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert periods.shift_months(date(2026, 1, 15), -13) == date(2024, 12, 15)
    assert periods.month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert periods.month_end(date(2026, 12, 5)) == date(2026, 12, 31)


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
    assert list(periods.PRESETS) == ["last_7", "last_30", "last_90", "this_month", "last_month", "previous_month",
                                     "qtd", "ytd", "custom"]
    assert periods.PRESETS["last_month"] == "Last month" and periods.PRESETS["this_month"] == "This month"
    assert periods.PRESETS["qtd"] == "Quarter to date"
    assert list(periods.COMPARISONS) == ["previous_period", "previous_year", "none"]
    assert periods.GRAINS == ("day", "week", "month")
    assert periods.days(date(2026, 3, 25), date(2026, 3, 31)) == 7
