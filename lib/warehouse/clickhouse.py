"""ClickHouse as a warehouse engine: the chdb:///<dir> (embedded) and clickhouse://... (server) URLs, Arrow inserts and
the databases that show kept data versions. The dialects themselves are in lib.warehouse.chdialect (loaded by
SQLAlchemy when a URL names them, so the app imports clickhouse-connect only when it uses ClickHouse); atomic loads
in lib.warehouse.chload.

    DIALECT                          the dialect name of both URLs ("clickhouse")
    is_clickhouse(engine_or_conn)    whether it talks to ClickHouse
    insert(conn, table, frame)       a typed frame into a table through the client's native Arrow insert
    current_database(conn)           the database the connection works in
    version_database(conn, version)  the database holding a kept version's views (one per base database)
    build_version_database(conn, version, sources, others)   (re)create it
    drop_version_database(conn, version)

PostgreSQL shows a kept data version through a schema of views ahead in the search path; ClickHouse has no
search path, so a version gets a database of its own holding a view per feed (over the kept copy or the live
table) and a view of every other warehouse table, and the pinned warehouse's connections work in that database:
every query in lib/ resolves the same unqualified names there.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects import registry

__all__ = ["DIALECT", "is_clickhouse", "insert", "current_database", "version_database", "build_version_database",
           "drop_version_database", "quote"]

DIALECT = "clickhouse"
registry.register("chdb", "lib.warehouse.chdialect", "ChdbDialect")
registry.register("clickhouse", "lib.warehouse.chdialect", "ClickHouseServerDialect")


def is_clickhouse(bind) -> bool:
    return bind.dialect.name == DIALECT


def quote(name: str) -> str:
    """An identifier quoted for ClickHouse."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def insert(conn, table: str, frame) -> None:
    """The frame's rows into `table` (its columns by name) as one Arrow block through the client."""
    import pyarrow as pa

    client = conn.connection.driver_connection.client
    client.insert_arrow(table, pa.Table.from_pandas(frame, preserve_index=False))


def current_database(conn) -> str:
    return conn.execute(text("SELECT currentDatabase()")).scalar_one()


def version_database(conn, version: str, prefix: str) -> str:
    """The database of a kept version's views: named after the base database (tests share one engine)."""
    return f"{current_database(conn)}__{prefix}{version}"


def drop_version_database(conn, version: str, prefix: str) -> None:
    conn.execute(text(f"DROP DATABASE IF EXISTS {quote(version_database(conn, version, prefix))}"))


def build_version_database(conn, version: str, prefix: str, sources: dict[str, str | None],
                           others: list[str]) -> str:
    """(Re)create the version's database: a view per feed table over `sources[table]` (a table of the base
    database; None: an empty view of the live table's shape), a view of each of `others`. Returns its name."""
    base = current_database(conn)
    db = version_database(conn, version, prefix)
    conn.execute(text(f"DROP DATABASE IF EXISTS {quote(db)}"))
    conn.execute(text(f"CREATE DATABASE {quote(db)}"))
    for table, src in sources.items():
        where = " WHERE 0" if src is None else ""
        conn.execute(text(f"CREATE VIEW {quote(db)}.{quote(table)} AS "
                          f"SELECT * FROM {quote(base)}.{quote(src or table)}{where}"))
    for table in others:
        conn.execute(text(f"CREATE VIEW {quote(db)}.{quote(table)} AS SELECT * FROM {quote(base)}.{quote(table)}"))
    return db
