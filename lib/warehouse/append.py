"""Appending rows to a feed (Warehouse.load(..., mode="append")): what counts as already loaded.

A replace load makes the feed exactly the new rows. An append adds the new rows to the rows already
there, in the same single transaction as a replace (validation first, the previous rows copied aside
for kept data versions, the load recorded), and refuses the whole file when any of its rows is already
in the feed, listing each such row (file row, key, reason ``already_loaded``); the feed is then left
exactly as it was. A row is already in the feed when its key matches a stored row:

- orders: order_id + sku (an order line already loaded: load an order's lines, its return lines
  included, together; to change a loaded order, replace the feed);
- events: session_id + event_at + event (the same event of the same session at the same time; a
  session may continue in a later file);
- a feed with a declared key (lib.schema: inventory sku + date + location, products sku): that key;
- any other feed (promotions): the whole row (an exact duplicate).

Within the file the feed's own rules apply as for any load (duplicate keys, exact duplicates).
Web events carry integer session and person keys (lib.warehouse.identity); an append gives the new rows the keys
of the sessions and persons already stored (and new keys to new ones), so a session or a person spread
over several files is one unit (rekey_events).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Column, MetaData, Table, and_, exists, func, select, text

from lib.schema import FAILURE_COLUMNS, FEEDS, Reason
from lib.warehouse.tables import FEED_TABLES, loads

__all__ = ["MODES", "APPEND_KEYS", "ALREADY_LOADED", "check_args", "key_columns", "file_rows", "conflicts",
           "rekey_events", "provisional_event_keys", "chain_checksum", "latest_checksum", "feed_span"]

MODES = ("replace", "append")
ALREADY_LOADED = Reason.ALREADY_LOADED
APPEND_KEYS: dict[str, tuple[str, ...]] = {
    "orders": ("order_id", "sku"),
    "events": ("session_id", "event_at", "event"),
}
_STAGE = "shopcast_append_stage"


def check_args(feed: str, mode: str) -> None:
    """A known feed and load mode, else ValueError."""
    if feed not in FEED_TABLES:
        raise ValueError(f"unknown feed {feed!r}; expected one of {', '.join(FEED_TABLES)}")
    if mode not in MODES:
        raise ValueError(f"unknown load mode {mode!r}; expected one of {', '.join(MODES)}")


def key_columns(feed: str) -> list[str]:
    """The columns that say a row is already in the feed (see the module docstring)."""
    spec = FEEDS[feed]
    return list(APPEND_KEYS.get(feed) or spec.key or spec.names)


def file_rows(df: pd.DataFrame) -> np.ndarray:
    """The spreadsheet row of each row of a frame about to be loaded (header = row 1)."""
    rows = df.attrs.get("source_rows")
    return np.asarray(rows, dtype="int64") if rows is not None else np.arange(len(df), dtype="int64") + 2


def conflicts(conn, feed: str, frame: pd.DataFrame, rows: np.ndarray,
              bulk_insert: Callable[[object, Table, pd.DataFrame], None]) -> pd.DataFrame:
    """The rows of the validated `frame` whose key the feed already holds, as failures
    (column, row, value, reason); empty when none. Runs inside the caller's transaction: the
    keys go to a temporary table, joined with the feed in the database."""
    keys = key_columns(feed)
    table = FEED_TABLES[feed]
    stage = Table(_STAGE, MetaData(), *[Column(k, table.c[k].type) for k in keys],
                  Column("_row", BigInteger), prefixes=["TEMPORARY"])
    conn.execute(text(f'DROP TABLE IF EXISTS "{_STAGE}"'))
    stage.create(conn)
    try:
        staged = frame[keys].copy()
        staged["_row"] = rows
        bulk_insert(conn, stage, staged)
        spec = FEEDS[feed]
        same = [table.c[k] == stage.c[k] if spec.column(k).required or spec.column(k).default is not None
                else table.c[k].is_not_distinct_from(stage.c[k]) for k in keys]
        q = (select(stage.c._row, *[stage.c[k] for k in keys])
             .where(exists().where(and_(*same))).order_by(stage.c._row))
        found = conn.execute(q).fetchall()
    finally:
        conn.execute(text(f'DROP TABLE IF EXISTS "{_STAGE}"'))
    if not found:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in FAILURE_COLUMNS}).astype({"row": "Int64"})
    shown = [" / ".join(_text(FEEDS[feed].column(k).kind, v) for k, v in zip(keys, rec[1:], strict=True))
             for rec in found]
    return pd.DataFrame({"column": keys[0], "row": pd.array([int(r[0]) for r in found], dtype="Int64"),
                         "value": shown, "reason": ALREADY_LOADED})


def _text(kind: str, value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == "datetime":
        return str(pd.Timestamp(value))
    return str(value)


# Web events' integer keys after an append (lib.warehouse.identity's rule: a person is the session's largest
# user_id-else-customer_id, an anonymous session a person of its own). The appended rows arrive with
# negative keys; only they, and the rows of sessions they continue, are written:
# 1. a row of a session already stored takes that session's key;
# 2. new sessions get keys after the largest one;
# 3. each session with new rows gets the person of its identity over all its rows: the key the stored
#    sessions of that identity have, else a new key after the largest one.
_IDENT = "coalesce(max(coalesce(user_id, customer_id)), '~s:' || session_id)"
_NEW_SESSIONS = "SELECT DISTINCT session_id FROM events WHERE user_key < 0"
_REKEY_EVENTS = (
    "UPDATE events SET session_key = s.k FROM ("
    " SELECT session_id, max(session_key) AS k FROM events"
    " WHERE session_key >= 0 AND session_id IN (SELECT session_id FROM events WHERE session_key < 0)"
    " GROUP BY session_id) AS s"
    " WHERE events.session_key < 0 AND events.session_id = s.session_id",

    "UPDATE events SET session_key = n.k FROM ("
    " SELECT session_id, (SELECT max(session_key) FROM events) + dense_rank() OVER (ORDER BY session_id) AS k"
    " FROM (SELECT DISTINCT session_id FROM events WHERE session_key < 0) AS d) AS n"
    " WHERE events.session_key < 0 AND events.session_id = n.session_id",

    "UPDATE events SET user_key = keyed.k FROM ("
    " SELECT i.session_id, coalesce(known.k, fresh.k) AS k FROM ("
    f"  SELECT session_id, {_IDENT} AS ident FROM events WHERE session_id IN ({_NEW_SESSIONS})"
    "   GROUP BY session_id) AS i"
    " LEFT JOIN ("
    "  SELECT ident, min(user_key) AS k FROM ("
    f"   SELECT session_id, min(user_key) AS user_key, {_IDENT} AS ident FROM events"
    "    WHERE session_id IN (SELECT session_id FROM events WHERE coalesce(user_id, customer_id) IN ("
    f"     SELECT {_IDENT} FROM events WHERE session_id IN ({_NEW_SESSIONS}) GROUP BY session_id))"
    f"    AND session_id NOT IN ({_NEW_SESSIONS})"
    "    GROUP BY session_id) AS stored GROUP BY ident) AS known ON known.ident = i.ident"
    " LEFT JOIN ("
    "  SELECT ident, (SELECT max(user_key) FROM events) + dense_rank() OVER (ORDER BY ident) AS k FROM ("
    f"   SELECT DISTINCT {_IDENT} AS ident FROM events WHERE session_id IN ({_NEW_SESSIONS})"
    "    GROUP BY session_id) AS d) AS fresh ON fresh.ident = i.ident) AS keyed"
    " WHERE events.session_id = keyed.session_id",
)


def provisional_event_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Appended events' keys before rekey_events: negative, so the stored rows' keys stay apart."""
    frame = frame.copy()
    codes, _ = pd.factorize(frame["session_id"])
    frame["session_key"] = -1 - codes.astype("int64")
    frame["user_key"] = np.int64(-1)
    return frame


def rekey_events(conn) -> None:
    """Session and person keys for appended events (see above); stored rows keep theirs unless their
    session goes on in the new rows."""
    for statement in _REKEY_EVENTS:
        conn.execute(text(statement))


def chain_checksum(previous: str | None, added: str) -> str:
    """An appended feed's checksum: the previous checksum chained with the appended rows' own."""
    return hashlib.sha256(f"{previous or ''}+{added}".encode()).hexdigest()[:16]


def latest_checksum(conn, feed: str) -> str | None:
    """The checksum recorded by the feed's latest load (None: never loaded)."""
    q = select(loads.c.checksum).where(loads.c.feed == feed).order_by(loads.c.load_id.desc()).limit(1)
    return conn.execute(q).scalar()


def feed_span(conn, feed: str):
    """First and last value of the feed's time column over the whole table ((None, None) without one)."""
    tcol = FEEDS[feed].time_column
    if not tcol:
        return None, None
    col = FEED_TABLES[feed].c[tcol]
    lo, hi = conn.execute(select(func.min(col), func.max(col))).one()
    return (pd.Timestamp(lo).to_pydatetime() if lo is not None else None,
            pd.Timestamp(hi).to_pydatetime() if hi is not None else None)
