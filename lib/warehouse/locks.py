"""One load at a time per warehouse: two sessions loading at once land one after the other.

    @serialized                      # on Warehouse.load / load_csv: one load per database in this process
    with begin(engine) as conn:      # the load's transaction; on PostgreSQL it first takes an advisory lock
    with store_lock(engine):         # writes to the app's own rows (lib.warehouse.userrows), another lock

Streamlit runs every session of the app in one process, sharing one Warehouse: the in-process lock (one per
database URL, re-entrant) makes a second load wait for the first, whole: its transaction and the data
version bookkeeping after it. Without it DuckDB refuses the second transaction with a write-write conflict on
the kept copy (a raw driver error), and PostgreSQL's two transactions collide on it too. Another process
loading into the same PostgreSQL database (a loader script, a second app server) is held by
``pg_advisory_xact_lock`` inside the load transaction, released by its commit or rollback. DuckDB lets one
process at a time open a file, so it needs no more than the in-process lock.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import threading

from sqlalchemy import Engine, text

__all__ = ["serialized", "begin", "ADVISORY_KEY", "lock_for", "store_lock"]

# a fixed key of PostgreSQL's 64-bit advisory lock space, derived from a name so it is stable and unlikely
# to collide with another application's
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"shopcast:warehouse-load").digest()[:8], "big", signed=True)

_LOCKS: dict[str, threading.RLock] = {}
_STORE_LOCKS: dict[str, threading.RLock] = {}
_GUARD = threading.Lock()


def lock_for(engine: Engine) -> threading.RLock:
    """The in-process load lock of the database `engine` points at (the same for every engine on one URL)."""
    key = engine.url.render_as_string(hide_password=False)
    with _GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


def store_lock(engine: Engine) -> threading.RLock:
    """The in-process lock of writes to the app's own rows (saved views, notebooks, scenarios) of the database
    `engine` points at: on ClickHouse, which has no unique constraint, a check and its write under it are one
    step (lib.warehouse.userrows). Not the load lock, so a save never waits for a long load."""
    key = engine.url.render_as_string(hide_password=False)
    with _GUARD:
        return _STORE_LOCKS.setdefault(key, threading.RLock())


def serialized(method):
    """Decorator for a Warehouse method that loads: runs it holding its database's load lock."""
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        with lock_for(self.engine):
            return method(self, *args, **kwargs)
    return call


@contextlib.contextmanager
def begin(engine: Engine):
    """engine.begin() for a load; on PostgreSQL the transaction first waits for any other process's load."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})
        yield conn
