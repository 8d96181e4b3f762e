"""Property tests: random and mutated files at the loader give a load or a typed error, never
anything else, and a failed load leaves the warehouse exactly as it was."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest import load_prepared, prepare_file
from lib.ingest.readers import ReadError
from lib.schema import FeedError
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.paths import ROOT

SAMPLES = ROOT / "data" / "samples"
BASE = (b"order_id,ordered_at,customer_id,sku,quantity,unit_price,discount\n"
        b"A1,2026-01-02 10:00,c1,S1,1,10.00,0\n"
        b"A1,2026-01-02 10:00,c1,S2,2,4.50,1.00\n"
        b"A2,2026-01-03 11:30,c2,S1,1,10.00,0\n")
T0 = datetime(2026, 1, 5)


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    w = Warehouse.open(url=f"duckdb:///{tmp_path_factory.mktemp('prop')}/p.duckdb",
                       settings=Settings(store_timezone="UTC"))
    prep = prepare_file(BASE, "orders.csv", "orders")
    load_prepared(w, prep, remember=False)
    yield w
    w.dispose()


def snapshot(w):
    return w.read("SELECT * FROM orders ORDER BY order_id, sku"), w.load_history()


def attempt(w, data: bytes, name: str):
    before = snapshot(w)
    try:
        prep = prepare_file(data, name, "orders")
        load_prepared(w, prep, remember=False)
    except (ReadError, FeedError):
        after = snapshot(w)
        pd.testing.assert_frame_equal(before[0], after[0])
        pd.testing.assert_frame_equal(before[1], after[1])
        return "rejected"
    # restore the base data so every example starts from the same state
    load_prepared(w, prepare_file(BASE, "orders.csv", "orders"), remember=False)
    return "loaded"


HYP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYP
@given(st.binary(max_size=400), st.sampled_from(["x.csv", "x.tsv", "x.xlsx", "x.parquet", "x.txt"]))
def test_random_bytes(wh, data, name):
    assert attempt(wh, data, name) in ("rejected", "loaded")


@HYP
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_mutated_csv(wh, edits):
    data = bytearray(BASE)
    for pos, byte in edits:
        data[pos] = byte
    assert attempt(wh, bytes(data), "orders.csv") in ("rejected", "loaded")


@HYP
@given(st.lists(st.text(alphabet="ab1,;\t\n\"'-.:/ €é", max_size=30), min_size=1, max_size=6))
def test_appended_garbage_lines(wh, lines):
    data = BASE + "\n".join(lines).encode("utf-8")
    assert attempt(wh, data, "orders.csv") in ("rejected", "loaded")


def test_known_bad_cell_is_rejected_with_its_row(wh):
    bad = BASE.replace(b"4.50", b"four")
    with pytest.raises(FeedError) as info:
        load_prepared(wh, prepare_file(bad, "orders.csv", "orders"), remember=False)
    assert info.value.failures[["column", "row", "reason"]].astype(object).values.tolist() == [
        ["unit_price", 3, "not_numeric"]]
