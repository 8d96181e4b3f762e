"""The warehouse's own faults in words: the database went away, its disk is full, or (DuckDB) another program
holds its file.

    describe(err) -> (title, detail) | None     None: not a warehouse fault (lib.messages words the rest)

Both sentences say what happened to the data (a load either landed whole or not at all: Warehouse.load is one
transaction) and what to do. Nothing from the driver's message is shown (it may hold a host or a path).
"""
from __future__ import annotations

import errno

import duckdb
from sqlalchemy import exc as sa_exc

__all__ = ["describe", "UNREACHABLE", "DISK_FULL", "LOCKED"]

UNREACHABLE = ("The warehouse database is not reachable right now.",
               "No data is lost: a load it cut off did not happen at all, and everything loaded before is kept. "
               "Shopcast reconnects by itself: try again in a moment (reload the page). If this lasts, ask "
               "whoever runs the database to check that it is up.")
DISK_FULL = ("The warehouse could not write: its disk is full (or the file reached its size limit).",
             "The load that met it did not happen: that feed holds what it held before. Free some disk space "
             "(or ask whoever runs Shopcast to), then load again.")

LOCKED = ("The warehouse file is in use by another program.",
          "A DuckDB warehouse file can be open in one program at a time, and another one (a loader script, a "
          "second copy of Shopcast) holds it now. Nothing was changed. Close that program, then reload the page.")

_LOCK_WORDS = ("could not set lock on file", "conflicting lock is held")
_FULL_WORDS = ("no space left", "file too large", "disk full", "could not extend file", "out of disk")
_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_GONE_WORDS = ("connection refused", "server closed the connection", "terminating connection",
               "connection is closed", "could not connect", "connection timed out", "the database system is",
               "consuming input failed", "ssl connection has been closed", "connection to server")


def _chain(err: BaseException):
    """`err` and the errors it wraps that come from the database or the system (never a user's value)."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, (OSError, sa_exc.DBAPIError, sa_exc.DisconnectionError, duckdb.Error)):
            yield err
        err = getattr(err, "orig", None) or err.__cause__ or err.__context__


def describe(err: BaseException) -> tuple[str, str] | None:
    """(title, detail) when `err`, or an error it wraps, is the warehouse's disk being full, its database
    being unreachable or its DuckDB file held by another process; None otherwise."""
    for e in _chain(err):
        text = str(e).lower()
        if (isinstance(e, OSError) and e.errno in _FULL_ERRNOS) or any(w in text for w in _FULL_WORDS):
            return DISK_FULL
    for e in _chain(err):
        text = str(e).lower()
        if isinstance(e, (sa_exc.OperationalError, duckdb.IOException)) and any(w in text for w in _LOCK_WORDS):
            return LOCKED
        if isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated:
            return UNREACHABLE
        if isinstance(e, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                          duckdb.IOException)) and any(w in text for w in _GONE_WORDS):
            return UNREACHABLE
    return None
