"""Warehouse tables, declared in code (never reflected: see STACK-NOTES on duckdb-engine).

Feed tables are derived from the feed declarations in lib.schema, plus integer surrogate keys
assigned at load (events.session_key, events.user_key) that make funnel queries cheap.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Integer,
    MetaData,
    Table,
    Text,
)

from lib.schema import FEEDS

__all__ = ["metadata", "FEED_TABLES", "loads", "source_mappings", "meta", "SCHEMA_VERSION", "extra_columns",
           "scenarios", "saved_views", "notebooks", "USER_TABLES",
           "versions", "load_modes"]

SCHEMA_VERSION = "3"

metadata = MetaData()

_TYPES = {"string": Text, "datetime": DateTime, "date": Date, "int": BigInteger, "float": Double,
          "bool": Boolean}

# columns the warehouse adds to a feed at load time
extra_columns: dict[str, list[tuple[str, type]]] = {
    "events": [("session_key", BigInteger), ("user_key", BigInteger)],
}


def _feed_table(name: str) -> Table:
    feed = FEEDS[name]
    cols = [Column(c.name, _TYPES[c.kind](), nullable=not c.required) for c in feed.columns]
    cols += [Column(n, t(), nullable=False) for n, t in extra_columns.get(name, [])]
    return Table(name, metadata, *cols)


FEED_TABLES: dict[str, Table] = {name: _feed_table(name) for name in FEEDS}

loads = Table(
    "shopcast_loads", metadata,
    Column("load_id", Integer, primary_key=True, autoincrement=False),
    Column("feed", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("rows", BigInteger, nullable=False),
    Column("checksum", Text, nullable=False),
    Column("loaded_at", DateTime, nullable=False),
    Column("min_date", DateTime),
    Column("max_date", DateTime),
    Column("warnings", BigInteger, nullable=False, default=0),
)

# how a load changed its feed, for the loads that appended (no row: the load replaced the feed)
load_modes = Table(
    "shopcast_load_modes", metadata,
    Column("load_id", Integer, primary_key=True, autoincrement=False),
    Column("mode", Text, nullable=False),
)

source_mappings = Table(
    "shopcast_source_mappings", metadata,
    Column("source_key", Text, primary_key=True),
    Column("feed", Text, primary_key=True),
    Column("mapping_json", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# what users made in the app: kept when the feed tables are rebuilt for a new schema version. Their rows change
# after they are written (info "updatable": on ClickHouse, tables that take a lightweight UPDATE: lib.warehouse.userrows)
_UPDATABLE = {"updatable": True}
scenarios = Table(
    "shopcast_scenarios", metadata,
    Column("name", Text, primary_key=True),
    Column("spec_json", Text, nullable=False),
    Column("saved_at", DateTime, nullable=False),
    info=_UPDATABLE,
)
saved_views = Table(
    "shopcast_views", metadata,
    Column("view_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("page", Text, nullable=False),
    Column("params_json", Text, nullable=False),
    Column("data_version", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    info=_UPDATABLE,
)
notebooks = Table(
    "shopcast_notebooks", metadata,
    Column("notebook_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("cells_json", Text, nullable=False),
    Column("data_version", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    info=_UPDATABLE,
)
USER_TABLES = ("shopcast_scenarios", "shopcast_views", "shopcast_notebooks")

# the data versions kept for saved links (lib.warehouse.versions): version hash -> the load id of each feed
versions = Table(
    "shopcast_versions", metadata,
    Column("version", Text, primary_key=True),
    Column("made_at", DateTime, nullable=False),
    Column("loads_json", Text, nullable=False),
)

meta = Table(
    "shopcast_meta", metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)
