"""Number formatting for people: money, counts, percentages and changes (pure, no Streamlit)."""
from __future__ import annotations

import math

__all__ = ["CENTS_BELOW", "file_stem", "span", "money", "count", "pct", "change_pct", "duration", "words", "CURRENCY_SYMBOLS", "WORDS"]

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "CHF": "CHF "}


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


CENTS_BELOW = 10_000      # amounts under this show cents; larger ones are whole currency units


def money(x, currency: str = "USD", decimals: int | None = None) -> str:
    """One money format for the whole app: the full amount with its currency symbol and thousands
    separators, never compacted ($177,412, not $177.4k). Cents only where they matter: amounts under
    10,000 keep them ($88.64, $2,158.53), larger ones are rounded to whole units ($88,639, $1,234,567).
    ``decimals`` forces a precision (0 for a heatmap cell). '–' if missing."""
    if _missing(x):
        return "–"
    sym = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    a = abs(float(x))
    if decimals is None:
        decimals = 2 if round(a, 2) < CENTS_BELOW else 0
    text = f"{a:,.{decimals}f}"
    sign = "-" if x < 0 and text.strip("0.,") else ""
    return f"{sign}{sym}{text}"


def count(x) -> str:
    """12,345 (integers) or 1.5 (fractions); '–' if missing."""
    if _missing(x):
        return "–"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def pct(x, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.1234 -> '12.3%'; '–' if missing."""
    if _missing(x):
        return "–"
    return f"{100 * float(x):.{decimals}f}%"


def change_pct(current, previous, decimals: int = 1) -> str:
    """Relative change as '+12.3%' / '-4.0%'; 'new' when there was nothing before; '–' if unknown."""
    if _missing(current) or _missing(previous):
        return "–"
    if previous == 0:
        return "–" if current == 0 else "new"
    return f"{100 * (current - previous) / abs(previous):+.{decimals}f}%"


def duration(seconds) -> str:
    """45s · 3m 20s · 2h 05m · 3d 4h."""
    if _missing(seconds):
        return "–"
    s = int(round(float(seconds)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


# Keys that reach the screen (option values, column names, segment values) in words.
WORDS = {"none": "No breakdown", "sku": "SKU", "aov": "Average order value", "landing_page": "Landing page",
         "paid_search": "Paid search", "paid_social": "Paid social", "utm_source": "UTM source",
         "xyz": "XYZ class", "abc": "ABC class", "sms": "SMS", "cpc": "CPC", "seo": "SEO"}


def words(key) -> str:
    """A key as a person reads it: 'paid_search' -> 'Paid search', 'none' -> 'No breakdown',
    'channel' -> 'Channel'; anything already in words is only capitalised."""
    if _missing(key):
        return "–"
    k = str(key)
    if k in WORDS:
        return WORDS[k]
    text = k.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def file_stem(what: str, start=None, end=None, vs=None, **filters) -> str:
    """A download's file name (without extension) that says what is in it: the table, the date range, the
    comparison range and every filter set, e.g. 'revenue-by-channel_2026-11-01_to_2026-11-30_vs_2026-10-01_
    to_2026-10-31_channel-email-organic'. Empty filters are left out; characters a file name should not
    hold become '-'."""
    import re

    def clean(text) -> str:
        return re.sub(r"[^A-Za-z0-9.]+", "-", str(text)).strip("-").lower()

    parts = [clean(what)]
    if start is not None and end is not None:
        parts.append(f"{start}_to_{end}")
    if vs:
        parts.append(f"vs_{vs[0]}_to_{vs[1]}")
    for name, value in filters.items():
        values = [value] if isinstance(value, str) else list(value or [])
        if values:
            parts.append(clean(name) + "-" + "-".join(clean(v) for v in values))
    return "_".join(p for p in parts if p)[:180]


def signed(x) -> str:
    """A whole number with an explicit sign, as a change reads: +1,234 / −56 (a true minus) / 0."""
    if _missing(x):
        return "–"
    n = round(float(x))
    return "0" if n == 0 else f"{'+' if n > 0 else '−'}{abs(n):,}"


def span(start, end) -> str:
    """An inclusive date range as a report writes it: '1–7 Jun' · '28 May – 3 Jun' · '28 Dec 2026 – 3 Jan
    2027' · '5 Jun' (one day). The year is left out when both ends are in the same year."""
    if _missing(start) or _missing(end):
        return "–"
    if start == end:
        return f"{start.day} {start:%b}"
    if start.year != end.year:
        return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    if start.month == end.month:
        return f"{start.day}–{end.day} {end:%b}"
    return f"{start.day} {start:%b} – {end.day} {end:%b}"
