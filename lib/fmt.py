"""Number formatting for people: money, counts, percentages and changes (pure, no Streamlit)."""
from __future__ import annotations

import math

__all__ = ["money", "count", "pct", "change_pct", "duration", "words", "CURRENCY_SYMBOLS", "WORDS"]

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "CHF": "CHF "}


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def money(x, currency: str = "USD", decimals: int | None = None) -> str:
    """$1,234.50 · $12.3k · $4.56M (compact above 100k unless decimals is given); '–' if missing."""
    if _missing(x):
        return "–"
    sym = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if x < 0 else ""
    a = abs(float(x))
    if decimals is None and a >= 1e6:
        return f"{sign}{sym}{a / 1e6:,.2f}M"
    if decimals is None and a >= 1e5:
        return f"{sign}{sym}{a / 1e3:,.1f}k"
    return f"{sign}{sym}{a:,.{2 if decimals is None else decimals}f}"


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
         "xyz": "XYZ class", "abc": "ABC class"}


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
