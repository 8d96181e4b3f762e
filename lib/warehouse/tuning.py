"""PostgreSQL settings for the app's analytics queries: no JIT, and the indexes its filters use.

    connect_args(url)        extra arguments for create_engine(url, connect_args=...) ({} unless PostgreSQL)
    ensure_indexes(conn)     create the indexes below when missing (PostgreSQL only; DuckDB skips by zone maps)

JIT: PostgreSQL compiles a plan to machine code once its estimated cost passes `jit_above_cost`; the app's
funnel (a CTE per step over every web event) has such a cost, and on the demo store (8.7M events) compiling
took 6-8 s of a query that runs in 1.8 s without it (EXPLAIN ANALYZE, PostgreSQL 15). The app's queries
are many, each run once per data version and then cached: compiling never pays back. Set per connection
(libpq `options`), so a shared server's other users keep their own setting.

Indexes: the funnel reads each step's events in a date range (event, event_at); sessions and traffic
tiles read a date range of events (event_at). Without them every step is a scan of the whole events table.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

__all__ = ["connect_args", "ensure_indexes", "INDEXES"]

INDEXES = {     # name: (table, columns)
    "shopcast_events_event_at": ("events", ("event", "event_at")),
    "shopcast_events_at": ("events", ("event_at",)),
}


def connect_args(url: str) -> dict:
    """{"options": "-c jit=off"} for a PostgreSQL URL through a libpq driver (psycopg, psycopg2) that does not
    set `options` itself; {} otherwise."""
    u = make_url(url)
    if u.get_backend_name() != "postgresql" or u.get_driver_name() not in ("psycopg", "psycopg2") \
            or "options" in u.query:
        return {}
    return {"options": "-c jit=off"}


def ensure_indexes(conn) -> None:
    """On PostgreSQL, create the INDEXES that are missing (the first time on a big table takes a while)."""
    if conn.dialect.name != "postgresql":
        return
    for name, (table, columns) in INDEXES.items():
        cols = ", ".join(f'"{c}"' for c in columns)
        conn.execute(text(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})'))
