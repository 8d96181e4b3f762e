"""Date ranges for reports: presets, comparison periods and grains (pure; dates are parameters).

    start, end = resolve("last_month", anchor)         # inclusive calendar dates
    prev = comparison(start, end, "previous_period")   # Nov 1-30 -> Oct 1-31

`anchor` is the data's "today" (usually the latest order date), never date.today().

Calendar presets: "This month" is the anchor's month so far (Dec 1 - Dec 5 on Dec 5), "Last month"
the whole calendar month before it (Nov 1 - 30), "Previous month" the month before that (Oct 1 -
31). A link written before "This month" existed says "Month to date": PRESET_ALIASES maps it.
"""
from __future__ import annotations

from datetime import date, timedelta

__all__ = ["PRESETS", "PRESET_ALIASES", "COMPARISONS", "GRAINS", "resolve", "comparison", "shift_year",
           "shift_months", "days", "month_end"]

PRESETS: dict[str, str] = {
    "last_7": "Last 7 days",
    "last_30": "Last 30 days",
    "last_90": "Last 90 days",
    "this_month": "This month",
    "last_month": "Last month",
    "previous_month": "Previous month",
    "qtd": "Quarter to date",
    "ytd": "Year to date",
    "custom": "Custom",
}
# labels of presets that links may still carry -> the preset they mean now
PRESET_ALIASES: dict[str, str] = {"Month to date": "this_month"}

COMPARISONS: dict[str, str] = {
    "previous_period": "Previous period",
    "previous_year": "Same period last year",
    "none": "No comparison",
}

GRAINS = ("day", "week", "month")

_LAST_N = {"last_7": 7, "last_30": 30, "last_90": 90}


def month_end(d: date) -> date:
    """The last day of d's calendar month."""
    nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def shift_months(d: date, months: int) -> date:
    """The same day `months` calendar months away, clipped to that month's length (Mar 31 -1 -> Feb 28)."""
    i = d.year * 12 + d.month - 1 + months
    first = date(i // 12, i % 12 + 1, 1)
    return first.replace(day=min(d.day, month_end(first).day))


def resolve(preset: str, anchor: date, start: date | None = None, end: date | None = None) -> tuple[date, date]:
    """The inclusive [start, end] of a preset ending on `anchor`.

    last_N: the N days ending on anchor (last_7 = anchor-6 .. anchor); this_month (alias mtd), qtd,
    ytd: from the first day of anchor's month/quarter/year to anchor; last_month: the whole calendar
    month before anchor's month; previous_month: the whole month before that; custom:
    `start`..`end` (swapped when reversed). Raises ValueError for an unknown preset or a custom
    range without both dates.
    """
    if preset in _LAST_N:
        return anchor - timedelta(days=_LAST_N[preset] - 1), anchor
    if preset in ("this_month", "mtd"):
        return anchor.replace(day=1), anchor
    if preset in ("last_month", "previous_month"):
        first = shift_months(anchor.replace(day=1), -1 if preset == "last_month" else -2)
        return first, month_end(first)
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

    previous_period: whole calendar months are compared with as many whole months just before
    (Nov 1-30 -> Oct 1-31, not Oct 2-31; Oct 1 - Dec 31 -> Jul 1 - Sep 30; Mar 1-31 -> Feb 1-28);
    any other range with the same number of days immediately before `start` (Dec 1-5 -> Nov 26-30);
    previous_year: the same calendar dates one year earlier (Feb 29 -> Feb 28).
    """
    if start > end:
        start, end = end, start
    if kind == "none":
        return None
    if kind == "previous_period":
        if start.day == 1 and end == month_end(end):
            months = (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1
            return shift_months(start, -months), month_end(shift_months(end.replace(day=1), -months))
        n = (end - start).days + 1
        return start - timedelta(days=n), start - timedelta(days=1)
    if kind == "previous_year":
        return shift_year(start), shift_year(end)
    raise ValueError(f"unknown comparison {kind!r}; expected one of {', '.join(COMPARISONS)}")


def days(start: date, end: date) -> int:
    """Number of calendar days in the inclusive range."""
    return (end - start).days + 1
