"""Full validation in chunks (lib.warehouse.chunked, lib.ingest.streaming): the same tables, checksums,
failures and warnings as validating the whole frame, whatever the chunk size; exact counts per rule
beyond the listed failures; nothing changed by a failing load."""
from __future__ import annotations

import itertools
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest import pipeline, prepare_file
from lib.messages import describe_error
from lib.schema import FeedError
from lib.settings import Settings
from lib.warehouse import Warehouse, chunked

AS_OF = date(2025, 12, 31)
NOW = datetime(2026, 1, 2, 9, 0)

# Semicolons, decimal commas, day-first dates: the direct path declines it. Rows are spreadsheet rows.
MESSY = """order_id;ordered_at;customer_id;sku;quantity;unit_price;discount;channel;status
A1;03/04/2025 10:00;C1;SKU-1;1;12,50;0;Email;completed
A2;04/04/2025 11:00;C2;SKU-2;2;7,25;;paid;completed
A3;05/04/2025;C3;SKU-3;x;3,00;0;email;completed
A1;03/04/2025 10:00;C1;SKU-1;1;12,50;0;Email;completed
A4;31/04/2025;C4;SKU-1;1;-2,00;0;email;completed
A5;06/04/2025 09:30;;SKU-2;1,5;4,00;0;email;completed
A6;07/04/2025 09:30;C6;SKU-9;1;4,00;0;email;returned
A7;08/04/2025 09:30;C7;SKU-2;1;abc;0;email;completed
A8;09/04/2025 09:30;C8;SKU-2;3;1.234,50;0;email;completed
A2;04/04/2025 11:00;C2;SKU-2;2;7,25;;paid;completed
A9;10/04/2025 09:30;C9;SKU-1;1;2,00;0;email;completed
A10;11/04/2025 09:30;C9;SKU-1;1;2,00;0;email;completed
A1;03/04/2025 10:00;C1;SKU-1;1;12,50;0;Email;completed
A11;2030-01-01;C9;SKU-1;1;2,00;0;email;completed
A12; 12/04/2025 09:30;C9;SKU-1;1;2,00;0;email;completed
"""
MESSY_FAILURES = [
    ("quantity", 4, "x", "not_numeric"),
    ("order_id", 5, "A1", "duplicate_row"),
    ("ordered_at", 6, "31/04/2025", "unparseable_date"),
    ("unit_price", 6, "-2,00", "negative_value"),
    ("customer_id", 7, None, "missing_value"),
    ("quantity", 7, "1,5", "not_integer"),
    ("unit_price", 9, "abc", "not_numeric"),
    ("order_id", 11, "A2", "duplicate_row"),
    ("order_id", 14, "A1", "duplicate_row"),
    ("ordered_at", 15, "2030-01-01", "future_date"),
]
MESSY_COUNTS = {"duplicate_row": 3, "not_numeric": 2, "unparseable_date": 1, "negative_value": 1,
                "missing_value": 1, "not_integer": 1, "future_date": 1}

VALID = """order_id;ordered_at;customer_id;sku;quantity;unit_price;discount;channel;status
A1;03/04/2025 10:00;C1;SKU-1;1;12,50;0;Email;completed
A2;04/04/2025 11:00;C2;SKU-2;2;7,25;;paid;completed
A3;05/04/2025 12:00; C3 ;SKU-3;1;1.234,50;0,5;email;Cancelled
A4;13/04/2025 09:30;C4;SKU-9;-1;4;0;email;completed
A5;01/05/2025 09:30;C5;SKU-1;3;2,125;0;email;completed
A6;02/05/2025 09:30;C6;SKU-2;1;0,1;0;;
A7;03/05/2025 23:59;C7;SKU-1;2;99,99;1,00;social;completed
A8;04/05/2025 00:00;C8;SKU-1;1;10;0;email;completed
"""

INVENTORY = """sku,date,on_hand,on_order,location
SKU-1,2025-04-01,5,0,main
SKU-2,2025-04-01,3,,
SKU-1,2025-04-02,4,1,main
SKU-1,2025-04-01,7,0,main
SKU-2,2025-04-01,2,0,main
SKU-3,2025-04-01,-1,0,north
SKU-3,2025-04-01,1,0,north
"""

PRODUCTS = """sku,name,category,unit_cost,price
SKU-1,One,Tools,1.5,3
SKU-2,Two,Tools,2,4.5
"""


def _open(tmp_path: Path, tag: str) -> Warehouse:
    return Warehouse.open(url=f"duckdb:///{tmp_path}/{tag}.duckdb",
                          settings=Settings(store_timezone="UTC", dayfirst=True))


def _load(tmp_path, monkeypatch, text: str, feed: str, chunk_rows: int | None, *, tag: str = "",
          products: str | None = None, check: bool = False):
    """Load `text` as a big file; chunk_rows None: the whole-frame path. Returns (warehouse, report or FeedError)."""
    path = tmp_path / f"{feed}{tag}-{chunk_rows}.csv"
    path.write_text(text)
    monkeypatch.setattr(pipeline, "BIG_FILE_BYTES", 0)      # every file counts as big: streamed when chunked
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(pipeline, "_load_big_text", lambda *a, **k: None)   # as if DuckDB's direct path declined
    calls = []
    real = chunked.load_chunks if not check else chunked.check_chunks
    monkeypatch.setattr(chunked, "check_chunks" if check else "load_chunks",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    if chunk_rows is None:
        monkeypatch.setattr(pipeline, "_chunked", lambda *a, **k: None)
    wh = _open(tmp_path, f"{feed}{tag}-{chunk_rows}")
    if products is not None:
        pipeline.load_prepared(wh, _prep(tmp_path, products, "products"), as_of=AS_OF, remember=False)
    prep = prepare_file(path, path.name, feed)
    try:
        out = (pipeline.check_prepared(wh, prep, as_of=AS_OF) if check
               else pipeline.load_prepared(wh, prep, as_of=AS_OF, remember=False))
    except FeedError as err:
        out = err
    monkeypatch.undo()
    assert bool(calls) == (chunk_rows is not None)       # the path under test really ran
    return wh, out


def _prep(tmp_path, text, feed):
    path = tmp_path / f"{feed}-setup.csv"
    path.write_text(text)
    return prepare_file(path, path.name, feed)


def _table(wh: Warehouse, feed: str) -> pd.DataFrame:
    df = wh.read(f"SELECT * FROM {feed}")
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def _same(tmp_path, monkeypatch, text, feed, chunk_rows, products=None, tag=""):
    wh_a, a = _load(tmp_path, monkeypatch, text, feed, None, products=products, tag=tag)
    wh_b, b = _load(tmp_path, monkeypatch, text, feed, chunk_rows, products=products, tag=tag)
    try:
        assert type(a) is type(b)
        if isinstance(a, FeedError):
            pd.testing.assert_frame_equal(a.failures, b.failures)
            assert a.counts == b.counts and a.total == b.total
        else:
            assert (a.rows, a.checksum, a.min_date, a.max_date, a.replaced_rows) == \
                (b.rows, b.checksum, b.min_date, b.max_date, b.replaced_rows)
            pd.testing.assert_frame_equal(a.warnings.reset_index(drop=True), b.warnings.reset_index(drop=True),
                                          check_dtype=False)
            pd.testing.assert_frame_equal(_table(wh_a, feed), _table(wh_b, feed))
            hist_a, hist_b = wh_a.load_history(), wh_b.load_history()
            cols = ["feed", "rows", "checksum", "min_date", "max_date", "warnings"]
            pd.testing.assert_frame_equal(hist_a[cols], hist_b[cols])
    finally:
        wh_a.dispose()
        wh_b.dispose()
    return a, b


def test_messy_file_counts_by_hand(tmp_path, monkeypatch):
    _wh, err = _load(tmp_path, monkeypatch, MESSY, "orders", 7)
    assert isinstance(err, FeedError)
    got = [(r.column, int(r.row), None if pd.isna(r.value) else r.value, r.reason)
           for r in err.failures.itertuples(index=False)]
    assert got == MESSY_FAILURES
    assert err.counts == MESSY_COUNTS and err.total == 10


def test_messy_file_same_as_whole_frame(tmp_path, monkeypatch):
    a, b = _same(tmp_path, monkeypatch, MESSY, "orders", 7)
    assert isinstance(b, FeedError) and b.total == 10


def test_valid_declined_file_loads_the_same(tmp_path, monkeypatch):
    a, b = _same(tmp_path, monkeypatch, VALID, "orders", 3, products=PRODUCTS)
    assert b.rows == 8
    assert b.warnings[["row", "value", "reason"]].values.tolist() == [[4, "SKU-3", "unknown_sku"],
                                                                       [5, "SKU-9", "unknown_sku"]]


def test_duplicate_keys_across_chunks(tmp_path, monkeypatch):
    a, b = _same(tmp_path, monkeypatch, INVENTORY, "inventory", 2)
    got = [(r.column, int(r.row), r.value, r.reason) for r in b.failures.itertuples(index=False)]
    assert got == [("sku", 5, "SKU-1 / 2025-04-01 / main", "duplicate_key"),
                   ("sku", 6, "SKU-2 / 2025-04-01 / main", "duplicate_key"),
                   ("on_hand", 7, "-1", "negative_value"),
                   ("sku", 8, "SKU-3 / 2025-04-01 / north", "duplicate_key")]


def test_failing_load_changes_nothing(tmp_path, monkeypatch):
    wh, first = _load(tmp_path, monkeypatch, VALID, "orders", 3, tag="keep")
    wh.dispose()
    before = _table(_open(tmp_path, "orders" + "keep-3"), "orders")
    path = tmp_path / "bad.csv"
    path.write_text(MESSY)
    monkeypatch.setattr(pipeline, "BIG_FILE_BYTES", 0)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 4)
    wh = _open(tmp_path, "orders" + "keep-3")
    with pytest.raises(FeedError) as info:
        pipeline.load_prepared(wh, prepare_file(path, "bad.csv", "orders"), as_of=AS_OF, remember=False)
    assert info.value.total == 10
    pd.testing.assert_frame_equal(_table(wh, "orders"), before)
    assert wh.load_history()["load_id"].tolist() == [first.load_id]
    assert wh.read("SELECT count(*) AS n FROM information_schema.tables WHERE table_name LIKE '_chunked%'")["n"][0] == 0
    wh.dispose()


def test_cap_keeps_first_failures_and_exact_counts(tmp_path, monkeypatch):
    monkeypatch.setattr(chunked, "FAILURE_CAP", 3)
    monkeypatch.setattr(chunked.load_chunks, "__kwdefaults__", {**chunked.load_chunks.__kwdefaults__, "cap": 3})
    _wh, err = _load(tmp_path, monkeypatch, MESSY, "orders", 5)
    assert [(r.column, int(r.row)) for r in err.failures.itertuples()] == [("quantity", 4), ("order_id", 5),
                                                                          ("ordered_at", 6)]
    assert err.counts == MESSY_COUNTS and err.total == 10
    msg = describe_error(err)
    assert "10 problems found" in msg.title
    assert "duplicate_row × 3" in msg.detail and "The first 3 are listed." in msg.detail
    assert len(msg.table) == 3


def test_check_only_matches_and_keeps_data(tmp_path, monkeypatch):
    _wh_a, a = _load(tmp_path, monkeypatch, VALID, "orders", None, check=True)
    wh_b, b = _load(tmp_path, monkeypatch, VALID, "orders", 3, check=True)
    assert (a.rows, a.current_rows, a.min_date, a.max_date) == (b.rows, b.current_rows, b.min_date, b.max_date) \
        == (8, 0, datetime(2025, 4, 3, 10, 0), datetime(2025, 5, 4, 0, 0))
    assert wh_b.row_counts()["orders"] == 0


def test_ragged_file_falls_back_to_whole_path(tmp_path, monkeypatch):
    ragged = VALID + "A9;05/05/2025 09:30;C9\n"
    _wh, err = _load(tmp_path, monkeypatch, ragged, "orders", None, tag="r")
    monkeypatch.setattr(pipeline, "BIG_FILE_BYTES", 0)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 3)
    wh = _open(tmp_path, "ragged-chunked")
    path = tmp_path / "ragged.csv"
    path.write_text(ragged)
    with pytest.raises(FeedError) as info:
        pipeline.load_prepared(wh, prepare_file(path, "ragged.csv", "orders"), as_of=AS_OF, remember=False)
    pd.testing.assert_frame_equal(info.value.failures, err.failures)
    assert info.value.total == 3     # sku, quantity, unit_price missing on row 10
    wh.dispose()


@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.integers(1, 16), doubt=st.sampled_from([1, 2, 3, chunked.DOUBT_ROWS]),
       hold=st.sampled_from([1, 200, chunked.HOLD_BYTES]))
def test_any_chunk_size_gives_the_whole_frame_result(tmp_path, monkeypatch, chunk, doubt, hold):
    """Any chunk size, and doubtful rows validated together after any number of them or of bytes held
    (chunked.DOUBT_ROWS, HOLD_BYTES): the whole frame's failures, warnings, rows and checksum."""
    run = next(_RUN)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(chunked, "DOUBT_ROWS", doubt)
        mp.setattr(chunked, "HOLD_BYTES", hold)
        _same(tmp_path, monkeypatch, MESSY, "orders", chunk, tag=f"m{run}")
        _same(tmp_path, monkeypatch, VALID, "orders", chunk, products=PRODUCTS, tag=f"v{run}")


_RUN = itertools.count()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 999_999), st.integers(-5, 50),
                               st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2025, 12, 31)),
                               st.sampled_from(["", " ", "x", "1,5", "2.000,25", "-1", "0,0"])),
                     min_size=1, max_size=40),
       chunk=st.integers(1, 9))
def test_plain_rows_typed_exactly_as_validation(tmp_path, monkeypatch, rows, chunk):
    """Random prices with decimal commas, dates and odd values: DuckDB's reading of the plain rows is
    validation's (same table and checksum), and the doubtful rows fail the same way."""
    lines = ["order_id;ordered_at;customer_id;sku;quantity;unit_price;discount"]
    for i, (units, cents, qty, when, odd) in enumerate(rows):
        price = f"{units},{cents:06d}".rstrip("0").rstrip(",") if i % 3 else f"{units}"
        lines.append(f"O{i};{when:%d/%m/%Y %H:%M:%S};C{i};SKU-{qty % 3};{qty};{price};{odd if i % 4 == 0 else 0}")
    _same(tmp_path, monkeypatch, "\n".join(lines) + "\n", "orders", chunk, tag=f"p{next(_RUN)}")


def test_warnings_capped_with_exact_count(tmp_path, monkeypatch):
    from lib.messages import warnings_summary

    monkeypatch.setattr(chunked.load_chunks, "__kwdefaults__", {**chunked.load_chunks.__kwdefaults__, "cap": 1})
    wh, rep = _load(tmp_path, monkeypatch, VALID, "orders", 3, products=PRODUCTS, tag="w")
    assert rep.warnings[["row", "value"]].values.tolist() == [[4, "SKU-3"]]
    assert warnings_summary(rep.warnings) == "2 warnings (loaded anyway): 2 × SKU not in the product feed."
    assert wh.load_history()["warnings"].tolist()[0] == 2
    wh.dispose()


def test_ragged_line_deep_in_the_file_falls_back(tmp_path, monkeypatch):
    """A short line after the first blocks: the streaming reader gives up mid-load, nothing is kept from
    that attempt, and the whole-file path loads the file and reports the line as before."""
    from lib.ingest import streaming

    lines = [VALID.splitlines()[0]] + [f"B{i};03/04/2025 10:00;C{i};SKU-1;1;{i},5;0;email;completed"
                                       for i in range(5100)]
    text = "\n".join(lines) + "\nB9;05/05/2025 09:30;C9\n"
    _wh, err = _load(tmp_path, monkeypatch, text, "orders", None, tag="deep")
    monkeypatch.setattr(streaming, "BLOCK_BYTES", 16 * 1024)
    monkeypatch.setattr(pipeline, "BIG_FILE_BYTES", 0)
    monkeypatch.setattr(pipeline, "_load_big_text", lambda *a, **k: None)
    passes = []
    real = chunked._pass
    monkeypatch.setattr(chunked, "_pass", lambda *a, **k: passes.append(1) or real(*a, **k))
    path = tmp_path / "deep.csv"
    path.write_text(text)
    wh = _open(tmp_path, "deep-chunked")
    with pytest.raises(FeedError) as info:
        pipeline.load_prepared(wh, prepare_file(path, "deep.csv", "orders"), as_of=AS_OF, remember=False)
    assert passes, "the chunked load started before the reader gave up"
    pd.testing.assert_frame_equal(info.value.failures, err.failures)
    assert [(r.column, int(r.row)) for r in err.failures.itertuples()] == [
        ("sku", 5102), ("quantity", 5102), ("unit_price", 5102)]
    wh.dispose()


PROMOS = """promo_id;start_date;end_date;discount_pct;sku;category;type;channel
P1;01/03/2025;10/03/2025;10;SKU-1;;Percent;Email
P2;05/03/2025;01/03/2025;20;SKU-2;;percent;email
P3;01/04/2025;30/04/2025;12,5;;Tools;bogo;
P4;01/04/2025;30/04/2025;150;SKU-1;;percent;email
P5;01/05/2025;31/05/2025;5;;;percent;email
P6;31/06/2025;01/07/2025;5;SKU-2;;percent;email
P7; 01/06/2025;02/06/2025;5;SKU-2;;percent;email
P1;01/03/2025;10/03/2025;10;SKU-1;;Percent;Email
"""


@pytest.mark.parametrize("chunk", [1, 3])
def test_promotions_rules_across_a_row_in_chunks(tmp_path, monkeypatch, chunk):
    """Promotions compare a row's columns (end before start, neither SKU nor category): chunked gives the
    whole frame's failures exactly, by hand: rows 3, 5, 6, 7 and the repeat of row 2 on row 9."""
    a, b = _same(tmp_path, monkeypatch, PROMOS, "promotions", chunk, tag=f"promo{chunk}")
    assert isinstance(b, FeedError)
    assert sorted(zip(b.failures["row"].tolist(), b.failures["reason"].tolist(), strict=True)) == [
        (3, "end_before_start"), (5, "out_of_range"), (6, "needs_sku_or_category"), (7, "unparseable_date"),
        (9, "duplicate_row")]


def test_doubtful_rows_validate_only_their_doubtful_columns(tmp_path, monkeypatch):
    """A doubtful row's plain values are already validation's: only the columns in doubt go through it
    (MESSY's doubtful rows: ordered_at, customer_id, quantity and unit_price; "Email" is plain, lower-cased
    in SQL). Two passes: MESSY repeats rows, so the file is typed again to list them."""
    from lib.warehouse.chunkcheck import ChunkedCheck

    seen: list[list[str]] = []
    real = ChunkedCheck.add
    monkeypatch.setattr(ChunkedCheck, "add", lambda self, part, rows: seen.append(list(part.columns)) or
                        real(self, part, rows))
    with pytest.MonkeyPatch.context() as mp:
        _load(tmp_path, mp, MESSY, "orders", 100, tag="cols")
    assert seen == [["ordered_at", "customer_id", "quantity", "unit_price"]] * 2


def test_a_repeated_key_on_both_sides_of_the_first_failure(tmp_path, monkeypatch):
    """After the first failure only a hash of each row's key is kept: a key (with its date) first seen
    before the failure and repeated after it is still found, as the whole frame finds it (row 6 repeats
    row 2; row 4 fails)."""
    text = ("sku,date,on_hand,on_order,location\nSKU-1,2025-04-01,5,0,main\nSKU-2,2025-04-01,3,0,main\n"
            "SKU-3,2025-04-01,-1,0,main\nSKU-4,2025-04-01,1,0,main\nSKU-1,2025-04-01,7,0,main\n")
    _a, b = _same(tmp_path, monkeypatch, text, "inventory", 1, tag="keyfail")
    assert sorted(zip(b.failures["row"].tolist(), b.failures["reason"].tolist(), strict=True)) == [
        (4, "negative_value"), (6, "duplicate_key")]
