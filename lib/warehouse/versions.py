"""Data versions: the warehouse keeps the last N, so a saved link opens with the numbers it had.

A data version is the set of current loads (one per feed; Warehouse.data_version() is its hash). After
every load the new version is recorded in shopcast_versions with the load id of each feed. When a
load replaces a feed, the rows it replaces are first copied, in the same transaction, into
shopcast_hist_<feed>_<load id>; after the load, versions beyond the newest ``Settings.data_versions_kept``
are forgotten and the copies no kept version needs are dropped.

Reading an older version: ``pinned(wh, version)`` returns a Warehouse whose connections resolve the feed
tables' names to a schema ``shopcast_v_<version>`` holding one view per feed (over the copy, or over the
live table when that feed has not changed since), ahead of the main schema in the search path, so every
query in lib/ runs unchanged on the old data. The views are rebuilt whenever the current data changes.
Writes through a pinned warehouse fail (the feed names are views); pages that load data use the live one.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import create_engine, delete, event, func, insert, inspect, select, text

from lib.warehouse import clickhouse, tuning
from lib.warehouse.tables import FEED_TABLES, loads, metadata
from lib.warehouse.tables import versions as versions_table

__all__ = ["versions", "archive", "note", "version_of", "record", "pinned", "is_kept", "HIST_PREFIX", "SCHEMA_PREFIX",
           "versions_table"]

HIST_PREFIX = "shopcast_hist_"
SCHEMA_PREFIX = "shopcast_v_"
_VERSION = re.compile(r"^[0-9a-f]{12}$")



def _hist(feed: str, load_id: int) -> str:
    return f"{HIST_PREFIX}{feed}_{int(load_id)}"


def _current(conn) -> dict[str, int]:
    q = select(loads.c.feed, loads.c.load_id).order_by(loads.c.load_id)
    return {f: int(i) for f, i in conn.execute(q).fetchall()}      # the last load of each feed wins


def archive(conn, feed: str) -> None:
    """Copy the feed's current rows aside before a load replaces them (inside the load's transaction)."""
    load_id = _current(conn).get(feed)
    if load_id is None:
        return
    name = _hist(feed, load_id)
    conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
    conn.execute(text(f'CREATE TABLE "{name}" AS SELECT * FROM "{FEED_TABLES[feed].name}"'))


def version_of(current) -> str:
    """The data version of the current loads, (feed, load id, checksum) in feed order: a hash ("empty": none)."""
    key = "|".join(f"{feed}:{load_id}:{checksum}" for feed, load_id, checksum in current)
    return hashlib.sha1(key.encode()).hexdigest()[:12] if key else "empty"


def note(conn, now: datetime) -> None:
    """Inside a load's transaction, after its load row: remember the data version it makes. Committed with the
    load, so a process killed right after the commit cannot leave the current data without its version."""
    latest = select(loads.c.feed, func.max(loads.c.load_id).label("load_id")).group_by(loads.c.feed).cte("latest")
    cur = conn.execute(select(loads.c.feed, loads.c.load_id, loads.c.checksum)
                       .join(latest, loads.c.load_id == latest.c.load_id).order_by(loads.c.feed)).fetchall()
    version = version_of((f, int(i), c) for f, i, c in cur)
    if conn.execute(select(versions_table.c.version).where(versions_table.c.version == version)).first() is None:
        loads_json = json.dumps({f: int(i) for f, i, _ in cur}, sort_keys=True)
        conn.execute(insert(versions_table).values(version=version, made_at=now, loads_json=loads_json))


def record(wh, now: datetime | None = None) -> None:
    """Remember the current data version and forget the ones beyond the newest N (after a load)."""
    version = wh.data_version()
    if version == "empty":
        return
    cur = wh.current_loads()
    loads_json = json.dumps({r.feed: int(r.load_id) for r in cur.itertuples()}, sort_keys=True)
    stamp = (now or datetime.now(UTC)).replace(tzinfo=None)
    with wh.engine.begin() as conn:
        if conn.execute(select(versions_table.c.version).where(versions_table.c.version == version)).first() is None:
            conn.execute(insert(versions_table).values(version=version, made_at=stamp, loads_json=loads_json))
    _prune(wh)


def versions(wh) -> pd.DataFrame:
    """[version, made_at, loads, current], newest first (the kept versions)."""
    with wh.engine.connect() as conn:
        rows = conn.execute(select(versions_table)).fetchall()
    now = wh.data_version()
    df = pd.DataFrame([{"version": v, "made_at": m, "loads": json.loads(j), "current": v == now,
                        "_last": max(json.loads(j).values(), default=0)} for v, m, j in rows],
                      columns=["version", "made_at", "loads", "current", "_last"])
    df = df.sort_values(["made_at", "_last"], ascending=False, ignore_index=True)   # ties: the later load
    return df.drop(columns="_last")


def is_kept(wh, version: str) -> bool:
    return bool(_VERSION.match(str(version))) and version in set(versions(wh)["version"])


def _prune(wh) -> None:
    keep_n = max(1, int(wh.settings.data_versions_kept))
    v = versions(wh)
    current = wh.data_version()
    kept = v.head(keep_n)
    if current not in set(kept["version"]):
        kept = pd.concat([v[v["version"] == current], kept.head(keep_n - 1)])
    dropped = v[~v["version"].isin(kept["version"])]
    live = {(f, i) for f, i in wh.current_loads()[["feed", "load_id"]].itertuples(index=False)}
    needed = {_hist(f, i) for loads_ in kept["loads"] for f, i in loads_.items() if (f, int(i)) not in live}
    names = inspect(wh.engine).get_table_names()
    with wh.engine.begin() as conn:
        for name in names:
            if name.startswith(HIST_PREFIX) and name not in needed:
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
        for version in dropped["version"]:
            _drop_schema(conn, version)
            conn.execute(delete(versions_table).where(versions_table.c.version == version))


def _drop_schema(conn, version: str) -> None:
    if clickhouse.is_clickhouse(conn):
        clickhouse.drop_version_database(conn, version, SCHEMA_PREFIX)
        return
    conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA_PREFIX}{version}" CASCADE'))


def _build_schema(wh, version: str, loads_: dict) -> str:
    """(Re)create the version's schema of views; returns its name."""
    schema = f"{SCHEMA_PREFIX}{version}"
    live = dict(wh.current_loads()[["feed", "load_id"]].itertuples(index=False))
    if clickhouse.is_clickhouse(wh.engine):     # a database of views (ClickHouse has no search path)
        sources = {t.name: (None if loads_.get(f) is None else t.name if int(live.get(f, -1)) == int(loads_[f])
                            else _hist(f, loads_[f])) for f, t in FEED_TABLES.items()}
        others = [t.name for t in metadata.sorted_tables if t.name not in sources]
        with wh.engine.begin() as conn:
            return clickhouse.build_version_database(conn, version, SCHEMA_PREFIX, sources, others)
    with wh.engine.begin() as conn:
        base = conn.execute(text("SELECT current_schema()")).scalar_one()
        _drop_schema(conn, version)
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        for feed, table in FEED_TABLES.items():
            load_id = loads_.get(feed)
            if load_id is None:      # not loaded in that version: an empty view of the same shape
                src = f'SELECT * FROM "{base}"."{table.name}" WHERE 1 = 0'
            elif int(live.get(feed, -1)) == int(load_id):
                src = f'SELECT * FROM "{base}"."{table.name}"'
            else:
                src = f'SELECT * FROM "{base}"."{_hist(feed, load_id)}"'
            conn.execute(text(f'CREATE VIEW "{schema}"."{table.name}" AS {src}'))
    return schema


def pinned(wh, version: str):
    """A read-only Warehouse showing a kept data version (the live one when it is current): built by the
    live warehouse's own class (lib.warehouse.Warehouse), so this module needs not import it."""
    if version == wh.data_version():
        return wh
    v = versions(wh)
    row = v[v["version"] == version]
    if not _VERSION.match(str(version)) or row.empty:
        raise LookupError(f"Data version {version!r} is no longer kept (the warehouse keeps the last "
                          f"{wh.settings.data_versions_kept}).")
    schema = _build_schema(wh, version, row.iloc[0]["loads"])
    if clickhouse.is_clickhouse(wh.engine):    # connections that work in the version's database
        eng = create_engine(wh.engine.url.update_query_dict({"database": schema}))
        return type(wh)(eng, wh.settings, pinned=(version, row.iloc[0]["loads"]))
    url = wh.engine.url.render_as_string(hide_password=False)
    eng = create_engine(url, pool_pre_ping=wh.dialect != "duckdb", connect_args=tuning.connect_args(url))

    @event.listens_for(eng, "connect")
    def _search_path(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("SELECT current_schema()")
        base = cur.fetchone()[0]
        if wh.dialect == "duckdb":
            cur.execute(f"SET search_path = '{schema},{base}'")
        else:
            cur.execute(f'SET search_path TO "{schema}", "{base}"')
        cur.close()
        dbapi_conn.commit()      # a SET inside the driver's implicit transaction would be rolled back

    return type(wh)(eng, wh.settings, pinned=(version, row.iloc[0]["loads"]))
