"""A view's link settings, read the way its page reads them (same defaults; a value the page's control
would refuse falls back to the default and is never used).

Pages keep their controls in the URL (a bound widget writes its *label*: "Last 90 days",
"Previous period"); a saved view or notebook cell holds those (key, value) pairs.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from lib.analytics import periods

__all__ = ["Query", "date_range", "comparison", "pick", "span_text"]


class Query:
    """Read-only access to a view's (key, value) pairs."""

    def __init__(self, params: Iterable[tuple[str, str]]):
        self._d: dict[str, list[str]] = {}
        for k, v in params:
            self._d.setdefault(str(k), []).append(str(v))

    def one(self, key: str, default: str | None = None) -> str | None:
        vals = self._d.get(key)
        return vals[0] if vals else default

    def all(self, key: str) -> list[str]:
        return list(self._d.get(key, []))

    def int(self, key: str, default: int, lo: int, hi: int) -> int:
        try:
            v = int(float(self.one(key, "")))
        except (TypeError, ValueError):
            return default
        return v if lo <= v <= hi else default

    def float(self, key: str, default: float | None, lo: float, hi: float) -> float | None:
        try:
            v = float(self.one(key, ""))
        except (TypeError, ValueError):
            return default
        return v if lo <= v <= hi else default


def pick(value: str | None, options: dict[str, str] | list[str], default: str) -> str:
    """The option key for a URL value given as the key or as its label; ``default`` otherwise."""
    if value is None:
        return default
    if isinstance(options, dict):
        if value in options:
            return value
        by_label = {label: key for key, label in options.items()}
        return by_label.get(value, default)
    return value if value in options else default


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def date_range(q: Query, anchor: date, default: str = "last_30") -> tuple[date, date]:
    """The inclusive dates of the view's range (keys range, from, to), as controls.date_range resolves them."""
    preset = pick(q.one("range"), periods.PRESETS, default)
    if preset == "custom":
        start, end = _iso(q.one("from")), _iso(q.one("to"))
        if start is None or end is None:
            return periods.resolve(default, anchor)
        return periods.resolve("custom", anchor, start, end)
    return periods.resolve(preset, anchor)


def comparison(q: Query, start: date, end: date, default: str = "previous_period") -> tuple[date, date] | None:
    kind = pick(q.one("compare"), periods.COMPARISONS, default)
    return periods.comparison(start, end, kind)


def span_text(rng: tuple[date, date]) -> str:
    """'Nov 01, 2026 – Nov 30, 2026', as the pages write a date range."""
    return f"{rng[0]:%b %d, %Y} – {rng[1]:%b %d, %Y}"
