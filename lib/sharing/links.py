"""Values in shared links, old and new (pure: no Streamlit). A bound widget keeps its *label* in the URL,
so a renamed preset or a key now shown in words changes what links say:

    alias("range", "Month to date")     -> "This month"      (old links read as today's label)
    alias("channel", "paid_search")     -> "Paid search"
    keys_for("channel", ["Paid search", "web"], ["paid_search", "web"]) -> ["paid_search", "web"]

lib.ui.widgets.controls reads every query string Streamlit receives through ``alias``; code that reads link
parameters without the widgets (lib.reports) turns labels back into data keys with ``keys_for``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from lib import fmt
from lib.analytics import periods

__all__ = ["LINK_ALIASES", "alias", "keys_for", "shorten", "link_value", "SHOWN_CHARS"]

SHOWN_CHARS = 40    # a link value quoted back in a notice is cut to this many characters

# URL values that older links carry -> the value that means the same today: a mapping, or a function
# applied to every value (keys shown in words since)
LINK_ALIASES: dict[str, dict[str, str] | Callable[[str], str]] = {
    "range": {old: periods.PRESETS[new] for old, new in periods.PRESET_ALIASES.items()},
    "channel": fmt.words,
    # Cohorts: grain and breakdown were shown as keys (monthly, channel) before they read in words
    "cgrain": {"monthly": "Monthly", "weekly": "Weekly"},
    "cby": {"none": "No breakdown", "None": "No breakdown", "channel": "Acquisition channel",
            "category": "First category"},
    "cval": fmt.words,
}


def alias(key: str, value: str) -> str:
    """Today's URL value for an old link's ``value`` of ``key`` (unchanged when it needs no alias)."""
    rule = LINK_ALIASES.get(key)
    if rule is None:
        return value
    return rule(value) if callable(rule) else rule.get(value, value)


def keys_for(key: str, values: Iterable[str], known: Iterable[str]) -> list[str]:
    """The data keys among ``known`` that link values of ``key`` name, old (the key itself) or new (its
    label): channel=Paid search and channel=paid_search both give paid_search; unknown values are dropped."""
    known = list(known)
    by_label = {alias(key, k): k for k in known}
    out = []
    for v in values:
        k = v if v in known else by_label.get(alias(key, v))
        if k is not None and k not in out:
            out.append(k)
    return out


def shorten(text, limit: int = SHOWN_CHARS) -> str:
    """A link value as a notice quotes it: control characters dropped, cut to ``limit`` characters with '…'."""
    clean = "".join(ch for ch in str(text) if ch.isprintable())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def link_value(key: str, values) -> str:
    """'key=v1,v2' for a notice that names a refused link value (each value shortened)."""
    return f"{shorten(key, 20)}={','.join(shorten(v) for v in values)}"
