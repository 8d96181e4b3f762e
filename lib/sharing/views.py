"""Saved views: a page's state (its URL parameters) with a name, a note and the data version it was
made on, in the warehouse (table shopcast_views, on DuckDB, PostgreSQL or ClickHouse: writes through
lib.warehouse.userrows, which keeps ids unique on every engine), under a short id.

    save_view(wh, name=, page=, params=, data_version=, note="", now=None) -> view_id
    list_views(wh) -> DataFrame        get_view(wh, view_id) -> dict
    update_view(wh, view_id, name=None, note=None, now=None)      delete_view(wh, view_id) -> bool

The short id is 8 characters of a hash of the view and its time; a clash (two sessions saving the same
view in the same microsecond) is retried with a counter. Every value is validated: names 1-80
characters, notes up to 500, at most MAX_PARAMS URL parameters of at most 300 characters each, and no
parameter that could carry a secret.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import delete, select, update

from lib.warehouse import userrows
from lib.warehouse.tables import saved_views as table

__all__ = ["save_view", "list_views", "get_view", "update_view", "delete_view", "ViewError", "check_fields", "short_id",
           "MAX_PARAMS",
           "NAME_MAX", "NOTE_MAX"]

NAME_MAX, NOTE_MAX, MAX_PARAMS, VALUE_MAX = 80, 500, 60, 300
_SECRET = re.compile(r"pass|secret|token|key$|auth|database_url", re.I)
_ID = re.compile(r"^[a-z2-7]{8}$")
_DROP = {"meeting", "frame"}   # flags of the screen (meeting mode, a notebook cell), not of the view


class ViewError(ValueError):
    """A saved view's field breaks a rule (the message says which)."""


def _stamp(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(tzinfo=None)


def check_fields(name, note, params) -> tuple[str, str, list[list[str]]]:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > NAME_MAX:
        raise ViewError(f"A saved view needs a name of 1 to {NAME_MAX} characters.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ViewError(f"A note holds at most {NOTE_MAX} characters (got {len(note)}).")
    pairs = [[str(k), str(v)] for k, v in params if str(k) not in _DROP]
    if len(pairs) > MAX_PARAMS:
        raise ViewError(f"A view holds at most {MAX_PARAMS} settings (got {len(pairs)}).")
    for k, v in pairs:
        if _SECRET.search(k):
            raise ViewError(f"The setting {k!r} looks like a secret and is never saved in a view.")
        if len(k) > 40 or len(v) > VALUE_MAX:
            raise ViewError(f"The setting {k[:40]!r} is too long to save.")
    return name, note, pairs


def short_id(*parts) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return base64.b32encode(digest).decode().lower()[:8]


def save_view(wh, *, name: str, page: str, params, data_version: str, note: str = "",
              now: datetime | None = None) -> str:
    """Store a view; ``params``: the page's URL parameters as (key, value) pairs. Returns its short id."""
    name, note, pairs = check_fields(name, note, params)
    if not isinstance(page, str) or len(page) > 60 or not re.fullmatch(r"[a-z0-9_-]*", page):
        raise ViewError(f"Unknown page {page!r}.")
    stamp = _stamp(now)
    row = {"name": name, "note": note, "page": page, "params_json": json.dumps(pairs),
           "data_version": str(data_version), "created_at": stamp, "updated_at": stamp}
    for attempt in range(5):
        view_id = short_id(name, page, row["params_json"], stamp.isoformat(), attempt)
        if userrows.insert_new(wh, table, {"view_id": view_id, **row}):
            return view_id
    raise ViewError("Could not find a free id for the view; try again.")


def _row(r) -> dict:
    return {"view_id": r.view_id, "name": r.name, "note": r.note, "page": r.page,
            "params": [tuple(p) for p in json.loads(r.params_json)], "data_version": r.data_version,
            "created_at": r.created_at, "updated_at": r.updated_at}


def list_views(wh) -> pd.DataFrame:
    """Every saved view, most recently changed first."""
    with wh.engine.connect() as conn:
        rows = conn.execute(select(table)).fetchall()
    cols = ["view_id", "name", "note", "page", "params", "data_version", "created_at", "updated_at"]
    df = pd.DataFrame([_row(r) for r in rows], columns=cols)
    return df.sort_values(["updated_at", "name"], ascending=[False, True], ignore_index=True)


def get_view(wh, view_id: str) -> dict:
    if not _ID.match(str(view_id)):
        raise LookupError(f"{view_id!r} is not a saved view's id.")
    with wh.engine.connect() as conn:
        r = conn.execute(select(table).where(table.c.view_id == view_id)).first()
    if r is None:
        raise LookupError(f"No saved view has the id {view_id!r} (it may have been deleted).")
    return _row(r)


def update_view(wh, view_id: str, *, name: str | None = None, note: str | None = None,
                now: datetime | None = None) -> None:
    """Rename a view and/or change its note."""
    cur = get_view(wh, view_id)
    new_name, new_note, _ = check_fields(cur["name"] if name is None else name, cur["note"] if note is None else note, [])
    with userrows.writing(wh) as conn:
        userrows.changed(conn, update(table).where(table.c.view_id == view_id)
                         .values(name=new_name, note=new_note, updated_at=_stamp(now)))


def delete_view(wh, view_id: str) -> bool:
    with userrows.writing(wh) as conn:
        return userrows.changed(conn, delete(table).where(table.c.view_id == view_id)) > 0
