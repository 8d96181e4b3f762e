"""Cohort periods as integers: months count 1 (year x 12 + month - 1), weeks are day numbers of their
Monday since 2000-01-03 (7 apart), the same in Python and in SQL (bucket_sql), so cohort arithmetic is
integer arithmetic. Used by lib.cohorts.

    normalize_grain(grain)   "month" or "week" ("monthly"/"weekly" accepted)
    step(grain) / index(grain, d) / to_date(grain, i) / bucket_sql(grain, ts) / as_date(d)
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Date, Integer, cast, extract, func, literal_column

__all__ = ["normalize_grain", "step", "index", "to_date", "bucket_sql", "as_date"]

_EPOCH_MONDAY = date(2000, 1, 3)
_ALIASES = {"monthly": "month", "weekly": "week", "month": "month", "week": "week"}


def normalize_grain(grain: str) -> str:
    g = _ALIASES.get(str(grain).lower()) if grain is not None else None
    if g is None:
        raise ValueError(f"unknown grain {grain!r}; expected 'month' or 'week'")
    return g


def step(grain: str) -> int:
    """Index units per calendar grain: months count 1, weeks are day numbers (7 apart)."""
    return 1 if grain == "month" else 7


def index(grain: str, d: date) -> int:
    if isinstance(d, datetime):
        d = d.date()
    if grain == "month":
        return d.year * 12 + d.month - 1
    return (d - timedelta(days=d.weekday()) - _EPOCH_MONDAY).days


def to_date(grain: str, i: int) -> date:
    i = int(i)
    if grain == "month":
        return date(i // 12, i % 12 + 1, 1)
    return _EPOCH_MONDAY + timedelta(days=i)


def bucket_sql(grain: str, ts):
    if grain == "month":
        return cast(extract("year", ts), Integer) * 12 + cast(extract("month", ts), Integer) - 1
    monday = cast(func.date_trunc(literal_column("'week'"), ts), Date)
    return cast(monday - literal_column("DATE '2000-01-03'"), Integer)


def as_date(d) -> date | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        return d.date()
    if isinstance(d, date):
        return d
    return pd.Timestamp(d).date()
