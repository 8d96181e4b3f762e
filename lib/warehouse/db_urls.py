"""Database URLs, safe to show: parsed without raising, the password and secret-looking query values masked.
Used by the warehouse (its label, its logs) and by the SQL source; nothing here connects.

    redact_url(url)   the URL with its password and secrets masked
    describe(url)     a short label such as postgresql://app@127.0.0.1:5544/analytics
"""
from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url

__all__ = ["redact_url", "describe", "UNREADABLE"]

UNREADABLE = "(unreadable database URL)"
_SECRET_KEY = re.compile(r"pass|pwd|secret|token|key|credential", re.IGNORECASE)


def _parse(url: str) -> URL | None:
    try:
        return make_url(url)
    except Exception:  # ArgumentError, ValueError (bad port), TypeError
        return None


def redact_url(url: str) -> str:
    """The URL with its password (and secret-looking query values) masked: safe to show and log."""
    u = _parse(url)
    if u is None:
        return UNREADABLE
    u = u.set(query={k: ("redacted" if _SECRET_KEY.search(k) else v) for k, v in u.query.items()})
    return u.render_as_string(hide_password=True)


def describe(url: str) -> str:
    """A short label such as ``postgresql://app@127.0.0.1:5544/analytics`` (no password, no driver)."""
    u = _parse(url)
    if u is None:
        return UNREADABLE
    backend, db = u.get_backend_name(), u.database or ""
    if not u.host and backend in ("sqlite", "duckdb"):
        return f"{backend} file {db}" if db not in ("", ":memory:") else f"{backend} (in memory)"
    user, port = f"{u.username}@" if u.username else "", f":{u.port}" if u.port else ""
    return f"{backend}://{user}{u.host or ''}{port}/{db}"
