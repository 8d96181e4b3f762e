"""Writes to the app's own tables (lib.warehouse.userrows) mean the same on DuckDB, PostgreSQL and ClickHouse: a
repeated id is refused, an upsert replaces, UPDATE and DELETE say how many rows they changed; ClickHouse tables
made before they were updatable are rebuilt when the warehouse opens."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete, func, select, text, update

from lib.warehouse import userrows
from lib.warehouse.tables import scenarios

T = datetime(2026, 4, 1, 9)


def _rows(wh):
    with wh.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(scenarios.c.name, scenarios.c.spec_json)))


def test_insert_new_refuses_a_repeated_key(wh):
    assert userrows.insert_new(wh, scenarios, {"name": "a", "spec_json": "1", "saved_at": T})
    assert not userrows.insert_new(wh, scenarios, {"name": "a", "spec_json": "2", "saved_at": T})
    assert userrows.insert_new(wh, scenarios, {"name": "b", "spec_json": "3", "saved_at": T})
    assert _rows(wh) == [("a", "1"), ("b", "3")]


def test_upsert_replaces_or_refuses(wh):
    assert userrows.upsert(wh, scenarios, {"name": "a", "spec_json": "1", "saved_at": T})
    assert not userrows.upsert(wh, scenarios, {"name": "a", "spec_json": "2", "saved_at": T}, overwrite=False)
    assert _rows(wh) == [("a", "1")]
    assert userrows.upsert(wh, scenarios, {"name": "a", "spec_json": "3", "saved_at": T})
    assert _rows(wh) == [("a", "3")]


def test_changed_counts_the_rows_an_update_or_delete_changed(wh):
    for name in ("a", "b", "c"):
        userrows.insert_new(wh, scenarios, {"name": name, "spec_json": "0", "saved_at": T})
    with userrows.writing(wh) as conn:
        assert userrows.changed(conn, update(scenarios).where(scenarios.c.name != "c").values(spec_json="1")) == 2
        assert userrows.changed(conn, update(scenarios).where(scenarios.c.name == "z").values(spec_json="9")) == 0
        assert userrows.changed(conn, update(scenarios).where(scenarios.c.name == "c").values(name="d")) == 1
    assert _rows(wh) == [("a", "1"), ("b", "1"), ("d", "0")]
    with userrows.writing(wh) as conn:
        assert userrows.changed(conn, delete(scenarios).where(scenarios.c.name == "a")) == 1
        assert userrows.changed(conn, delete(scenarios).where(scenarios.c.name == "a")) == 0
    assert _rows(wh) == [("b", "1"), ("d", "0")]


@pytest.mark.clickhouse
def test_clickhouse_tables_made_before_become_updatable(chdb_url):
    from lib import pricing
    from lib.pricing.scenario import Scenario
    from lib.warehouse import Warehouse

    w = Warehouse.open(chdb_url)
    spring = Scenario("Spring", "2026-04-01", "2026-04-14", price_change_pct=-5)
    try:                     # the table as the first ClickHouse version made it: sorted by name, no block columns
        with w.engine.connect() as conn:
            conn.execute(text("DROP TABLE shopcast_scenarios"))
            conn.execute(text("CREATE TABLE shopcast_scenarios (name String, spec_json String, "
                              "saved_at DateTime64(6)) ENGINE = MergeTree ORDER BY (name)"))
        pricing.save_scenario(w, spring)
    finally:
        w.dispose()
    w = Warehouse.open(chdb_url)
    try:
        with w.engine.connect() as conn:
            assert "enable_block_number_column" in conn.execute(text("SHOW CREATE TABLE shopcast_scenarios")).scalar()
            assert conn.execute(select(func.count()).select_from(scenarios)).scalar() == 1
            assert not conn.execute(text("EXISTS TABLE shopcast_scenarios__updatable")).scalar()
        pricing.rename_scenario(w, "Spring", "Spring v2")           # an UPDATE of the old sorting key
        assert pricing.load_scenario(w, "Spring v2") == spring.with_name("Spring v2")
        assert pricing.list_scenarios(w)["name"].tolist() == ["Spring v2"]
    finally:
        w.dispose()


def test_a_pinned_warehouse_is_read_only_for_the_apps_rows(wh):
    pinned = type(wh)(wh.engine, wh.settings, pinned=("0123456789ab", {}))
    with pytest.raises(ValueError, match="read-only"):
        userrows.upsert(pinned, scenarios, {"name": "a", "spec_json": "1", "saved_at": T})
    with pytest.raises(ValueError, match="read-only"):
        userrows.insert_new(pinned, scenarios, {"name": "a", "spec_json": "1", "saved_at": T})
    assert _rows(wh) == []
