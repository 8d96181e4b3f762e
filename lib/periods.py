"""Date ranges for reports: presets, comparison periods and grains (pure; dates are parameters).

    start, end = resolve("last_30", anchor)            # inclusive calendar dates
    prev = comparison(start, end, "previous_period")   # the same number of days just before

`anchor` is the data's "today" (usually the latest order date), never date.today().
"""
from __future__ import annotations

from datetime import date, timedelta

__all__ = ["PRESETS", "COMPARISONS", "GRAINS", "resolve", "comparison", "shift_year", "days"]

PRESETS: dict[str, str] = {
    "last_7": "Last 7 days",
    "last_30": "Last 30 days",
    "last_90": "Last 90 days",
    "mtd": "Month to date",
    "qtd": "Quarter to date",
    "ytd": "Year to date",
    "custom": "Custom",
}

COMPARISONS: dict[str, str] = {
    "previous_period": "Previous period",
    "previous_year": "Same period last year",
    "none": "No comparison",
}

GRAINS = ("day", "week", "month")

_LAST_N = {"last_7": 7, "last_30": 30, "last_90": 90}


def resolve(preset: str, anchor: date, start: date | None = None, end: date | None = None) -> tuple[date, date]:
    """The inclusive [start, end] of a preset ending on `anchor`.

    last_N: the N days ending on anchor (last_7 = anchor-6 .. anchor); mtd/qtd/ytd: from the first
    day of anchor's month/quarter/year to anchor; custom: `start`..`end` (swapped when reversed).
    Raises ValueError for an unknown preset or a custom range without both dates.
    """
    if preset in _LAST_N:
        return anchor - timedelta(days=_LAST_N[preset] - 1), anchor
    if preset == "mtd":
        return anchor.replace(day=1), anchor
    if preset == "qtd":
        return date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1), anchor
    if preset == "ytd":
        return date(anchor.year, 1, 1), anchor
    if preset == "custom":
        if start is None or end is None:
            raise ValueError("a custom date range needs both a start and an end date")
        return (start, end) if start <= end else (end, start)
    raise ValueError(f"unknown date range preset {preset!r}; expected one of {', '.join(PRESETS)}")


def shift_year(d: date, years: int = -1) -> date:
    """The same calendar date `years` years away; Feb 29 becomes Feb 28 in a non-leap year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def comparison(start: date, end: date, kind: str) -> tuple[date, date] | None:
    """The period to compare [start, end] with, or None for kind "none".

    previous_period: the same number of days immediately before `start`;
    previous_year: the same calendar dates one year earlier (Feb 29 -> Feb 28).
    """
    if start > end:
        start, end = end, start
    if kind == "none":
        return None
    if kind == "previous_period":
        n = (end - start).days + 1
        return start - timedelta(days=n), start - timedelta(days=1)
    if kind == "previous_year":
        return shift_year(start), shift_year(end)
    raise ValueError(f"unknown comparison {kind!r}; expected one of {', '.join(COMPARISONS)}")


def days(start: date, end: date) -> int:
    """Number of calendar days in the inclusive range."""
    return (end - start).days + 1
