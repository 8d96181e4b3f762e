"""Writes to the app's own tables (lib.warehouse.userrows) mean the same on DuckDB, PostgreSQL and ClickHouse: a
repeated id is refused, an upsert replaces, UPDATE and DELETE say how many rows they changed; ClickHouse tables
made before they were updatable are rebuilt when the warehouse opens."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete, select, update

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
def test_a_pinned_warehouse_is_read_only_for_the_apps_rows(wh):
    pinned = type(wh)(wh.engine, wh.settings, pinned=("0123456789ab", {}))
    with pytest.raises(ValueError, match="read-only"):
        userrows.upsert(pinned, scenarios, {"name": "a", "spec_json": "1", "saved_at": T})
    with pytest.raises(ValueError, match="read-only"):
        userrows.insert_new(pinned, scenarios, {"name": "a", "spec_json": "1", "saved_at": T})
    assert _rows(wh) == []
