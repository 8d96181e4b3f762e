"""Shared chart pieces: axis formats per value kind, one color scheme, an empty-chart note."""
from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["CURRENT", "COMPARISON", "PROMO", "UP", "DOWN", "PALETTE", "KNOWN_SEGMENTS", "axis_format",
           "value_title", "empty_note", "series_scale", "segment_color", "segment_hex", "segment_scale",
           "tooltip_format"]

CURRENT = "#2563eb"        # the period you look at
COMPARISON = "#9ca3af"     # the period you compare with
PROMO = "#f59e0b"          # promotion bands
UP = "#16a34a"
DOWN = "#dc2626"
PALETTE = ["#2563eb", "#f97316", "#10b981", "#a855f7", "#ef4444", "#0ea5e9", "#eab308", "#64748b",
           "#ec4899", "#14b8a6"]


# One colour per segment value on every page (a channel is the same colour on the Overview, Funnel,
# Cohorts and Explore): the usual channel and device names have fixed colours, any other value takes
# a palette colour from a stable hash of its name, so it does not change with the other values shown.
KNOWN_SEGMENTS = {
    "organic": "#2563eb", "paid_search": "#f97316", "social": "#10b981", "email": "#a855f7",
    "referral": "#ef4444", "direct": "#0ea5e9", "affiliate": "#eab308", "display": "#ec4899",
    "paid_social": "#14b8a6", "sms": "#64748b", "unknown": "#9ca3af", "(none)": "#9ca3af",
    "desktop": "#2563eb", "mobile": "#f97316", "tablet": "#10b981",
}


def _stable_color(value: str) -> str:
    import zlib

    return PALETTE[zlib.crc32(str(value).encode()) % len(PALETTE)]


def _segment_key(value) -> str:
    """The value as a key: 'Paid search' (the words on screen) and 'paid_search' (the data) are one segment."""
    return "_".join(str(value).strip().lower().split())


def segment_hex(value) -> str:
    """The colour of one segment value (a channel, a device), the same on every chart and page, whether
    the chart shows the data's key (paid_search) or its words (Paid search)."""
    key = _segment_key(value)
    return KNOWN_SEGMENTS.get(key) or _stable_color(key)


def segment_scale(values) -> alt.Scale:
    """A color scale giving each value (a channel, a device, ...) its own colour on every chart."""
    domain = [str(v) for v in dict.fromkeys(values)]
    return alt.Scale(domain=domain, range=[segment_hex(v) for v in domain])


def segment_color(field: str, values, title: str | None = None, **kwargs) -> alt.Color:
    """alt.Color for a segment column (``field`` is the column name, typed nominal) with segment_scale."""
    return alt.Color(f"{field}:N", scale=segment_scale(values), title=title, **kwargs)


def axis_format(kind: str, currency: str = "USD") -> str:
    """A d3 format for a value kind: money ($,.0f; plain ,.0f outside USD), pct (.0%), count (,.0f)."""
    if kind == "money":
        return "$,.0f" if currency == "USD" else ",.0f"
    if kind == "pct":
        return ".1~%"
    return ",.0f"


def tooltip_format(kind: str, currency: str = "USD") -> str:
    if kind == "money":
        return "$,.2f" if currency == "USD" else ",.2f"
    if kind == "pct":
        return ".1%"
    return ",.0f"


def value_title(label: str, kind: str, currency: str = "USD") -> str:
    """Axis title, naming the currency when the axis cannot show its symbol."""
    return f"{label} ({currency})" if kind == "money" and currency != "USD" else label


def series_scale(domain: list[str]) -> alt.Scale:
    return alt.Scale(domain=domain, range=PALETTE[: max(1, len(domain))] if len(domain) > 2
                     else [CURRENT, COMPARISON][: len(domain)])


def empty_note(text: str, height: int = 120) -> alt.Chart:
    """A chart-sized box that says why there is nothing to draw."""
    return (alt.Chart(pd.DataFrame({"text": [text]})).mark_text(size=14, color="#6b7280")
            .encode(text="text:N").properties(height=height))
