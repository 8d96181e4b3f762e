"""Warehouse schema upgrades that keep the loaded data (lib.warehouse runs them when it opens an older one).

    MIGRATIONS                from-version -> (to-version, steps: SQL statements or functions of the connection)
    upgrade_path(version)     the versions a warehouse goes through to tables.SCHEMA_VERSION, or None
"""
from __future__ import annotations

from sqlalchemy import text

from lib.warehouse.tables import SCHEMA_VERSION

__all__ = ["MIGRATIONS", "upgrade_path"]


def _add_supplier_sku(conn) -> None:
    """products.supplier_sku (optional): on the live table and on the copies kept for older data versions
    (lib.warehouse.versions), so a kept version still reads with today's queries."""
    tables = conn.execute(text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' AND (table_name = 'products' OR table_name LIKE 'shopcast_hist_products%')"
    )).scalars().all()
    for name in tables:
        conn.execute(text(f'ALTER TABLE "{name}" ADD COLUMN IF NOT EXISTS supplier_sku TEXT'))


# Upgrades that keep the loaded data: from-version -> (to-version, steps run in order: SQL statements or
# functions of the connection, on DuckDB and PostgreSQL alike). A warehouse several versions behind runs
# each upgrade in turn. Any other version change rebuilds the tables.
MIGRATIONS = {
    "1": ("2", [
        # events.user_key: the person behind each session (lib.warehouse.identity's rule, in SQL)
        "ALTER TABLE events ADD COLUMN user_key BIGINT",
        "UPDATE events SET user_key = people.k FROM ("
        " SELECT session_id, dense_rank() OVER (ORDER BY ident) - 1 AS k FROM ("
        "  SELECT session_id, coalesce(max(coalesce(user_id, customer_id)), '~s:' || session_id) AS ident"
        "  FROM events GROUP BY session_id) AS sessions) AS people"
        " WHERE events.session_id = people.session_id",
    ]),
    "2": ("3", [_add_supplier_sku]),
}


def upgrade_path(version: str | None) -> list[str] | None:
    """The versions a warehouse at `version` goes through to SCHEMA_VERSION by MIGRATIONS, or None if none."""
    path = []
    while version in MIGRATIONS and version != SCHEMA_VERSION and len(path) <= len(MIGRATIONS):
        path.append(version)
        version = MIGRATIONS[version][0]
    return path if path and version == SCHEMA_VERSION else None
