"""PostgreSQL tuning for the app's queries (lib/warehouse/tuning.py): JIT off per connection, the indexes
the funnel and traffic filters use; nothing on DuckDB."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lib.warehouse import tuning
from lib.warehouse.tables import FEED_TABLES


def test_connect_args_only_for_libpq_postgres_urls():
    assert tuning.connect_args("postgresql+psycopg://u:p@db:5432/shop") == {"options": "-c jit=off"}
    assert tuning.connect_args("postgresql://u@db/shop") == {"options": "-c jit=off"}      # psycopg2
    assert tuning.connect_args("postgresql+asyncpg://u@db/shop") == {}
    assert tuning.connect_args("postgresql+psycopg://u@db/shop?options=-c%20search_path%3Dx") == {}
    assert tuning.connect_args("duckdb:///data/shopcast.duckdb") == {}


@pytest.mark.postgres
def test_postgres_warehouse_runs_without_jit_and_has_the_indexes(pg_url):
    from lib.settings import Settings
    from lib.warehouse import Warehouse, versions

    wh = Warehouse.open(url=pg_url, settings=Settings(store_timezone="UTC"))
    try:
        assert wh.read("SHOW jit").iloc[0, 0] == "off"
        got = wh.read("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events'")
        defs = dict(zip(got["indexname"], got["indexdef"], strict=True))
        assert defs["shopcast_events_event_at"].endswith("USING btree (event, event_at)")
        assert defs["shopcast_events_at"].endswith("USING btree (event_at)")
        # the funnel's step filter is answered from the index, not a scan of every event
        plan = "\n".join(wh.read("EXPLAIN SELECT count(*) FROM events WHERE event = 'purchase' AND "
                                 "event_at >= '2026-01-01' AND event_at < '2026-02-01'").iloc[:, 0])
        assert "using shopcast_events_" in plan.lower() and "Seq Scan" not in plan, plan
        # a second open (another replica, a restart) finds them and changes nothing
        again = Warehouse.open(url=pg_url, settings=Settings(store_timezone="UTC"))
        assert len(again.read("SELECT indexname FROM pg_indexes WHERE tablename = 'events'")) == len(got)
        again.dispose()
        # a pinned data version's engine (its own) runs without JIT too
        eng = versions.create_engine(wh.engine.url, connect_args=tuning.connect_args(pg_url))
        with eng.connect() as conn:
            assert conn.exec_driver_sql("SHOW jit").scalar_one() == "off"
        eng.dispose()
        assert wh.read(select(FEED_TABLES["events"].c.event)).empty
    finally:
        wh.dispose()


def test_duckdb_warehouse_gets_no_index(tmp_path):
    from lib.settings import Settings
    from lib.warehouse import Warehouse

    wh = Warehouse.open(url=f"duckdb:///{tmp_path}/w.duckdb", settings=Settings(store_timezone="UTC"))
    try:
        assert wh.read("SELECT count(*) AS n FROM duckdb_indexes() WHERE table_name = 'events'")["n"].iloc[0] == 0
    finally:
        wh.dispose()
