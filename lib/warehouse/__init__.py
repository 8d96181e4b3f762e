"""Storage: the warehouse and everything a load goes through before it is kept.

    core        Warehouse (open, load, check, read, data_version), LoadReport, CheckReport
    tables      the feed tables and the app's own (loads, mappings, saved views, notebooks)
    userrows    writes to the app's own rows (saved views, notebooks, scenarios) alike on every engine
    validation  a feed frame against lib.schema, every failure collected (coerce: typed columns)
    fastload    DuckDB's CSV reader for files that need no full validation
    chunked     full validation and load of a big file chunk by chunk (plain: the rows DuckDB can type;
                chunkcheck: failures and warnings in file order, capped, counted exactly)
    append      adding rows to a feed (keys, checksum chain)
    versions    kept data versions, read-only views of them
    migrations  schema upgrades that keep the data; checksums: content checksums; identity: the person
                behind a session; db_urls: database URLs safe to show
    clickhouse  ClickHouse URLs (chdb:///<dir> embedded, clickhouse://... a server), Arrow inserts, version databases;
                chdialect: their SQLAlchemy dialects; chload: atomic loads by a staging table and EXCHANGE TABLES

Imports lib.schema and lib.settings only (and the standard stack).
"""
from lib.warehouse.core import CheckReport, LoadReport, Warehouse, redact

__all__ = ["Warehouse", "LoadReport", "CheckReport", "redact"]
