"""lib.ingest.readers: formats, encodings, delimiters, row positions, and ReadError for bad bytes."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import PatternFill

import lib.ingest.readers as readers
from lib.ingest.readers import ReadError, read_table

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
TEXT_SAMPLES = ["shopify_orders_export.csv", "ga4_events_export.csv", "woocommerce_orders_export.csv",
                "orders_eu.csv", "events_canonical.csv", "inventory.tsv", "products.csv", "promotions.csv",
                "orders_bad.csv"]


def read_sample(name: str, **kw) -> pd.DataFrame:
    return read_table(SAMPLES / name, name, **kw)


# --- the sample files ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, rows, cols, encoding, delimiter, decimal", [
    ("shopify_orders_export.csv", 26, 79, "utf-8", ",", "."),
    ("ga4_events_export.csv", 53, 20, "utf-8", ",", "."),
    ("woocommerce_orders_export.csv", 20, 21, "utf-8", ",", "."),
    ("orders_eu.csv", 21, 11, "cp1252", ";", ","),
    ("events_canonical.csv", 39, 10, "utf-8", ",", None),
    ("inventory.tsv", 46, 5, "utf-8", "\t", None),
    ("products.csv", 20, 10, "utf-8-sig", ",", "."),
    ("promotions.csv", 20, 8, "utf-8", ",", "."),
    ("orders_bad.csv", 20, 10, "utf-8", ",", "."),
])
def test_text_samples_detection(name, rows, cols, encoding, delimiter, decimal):
    df = read_sample(name)
    assert df.shape == (rows, cols)
    assert df.attrs["encoding"] == encoding
    assert df.attrs["delimiter"] == delimiter
    assert df.attrs.get("decimal") == decimal
    assert isinstance(df.index, pd.RangeIndex) and df.index.start == 0
    assert all(pd.api.types.is_string_dtype(df[c]) for c in df.columns)
    assert all(c == c.strip() and "\ufeff" not in c for c in df.columns)


def test_bom_is_stripped_and_trailing_empty_rows_dropped():
    df = read_sample("products.csv")   # UTF-8 BOM, CRLF, two ",,,,,,,,," rows at the end
    assert list(df.columns) == ["SKU", "Product name", "Category", "Cost", "Price", "Lead time (days)", "MOQ",
                                "Case pack", "Supplier", "Active"]
    assert df.iloc[0].tolist() == ["MUG-CAFE-WHT", "Café Mug – White 12 oz", "Mugs", "6.20", "24.00", "21", "24",
                                   "12", "Lisbon Ceramics", "true"]
    assert df["SKU"].iloc[-1] == "CHOC-DARK-100"
    assert pd.isna(df.loc[df["SKU"] == "GFT-CARD-50", "Supplier"]).all()   # an empty cell is NaN


def test_cp1252_semicolon_file_keeps_raw_text():
    df = read_sample("orders_eu.csv")
    assert list(df.columns) == ["Order number", "Date", "Customer email", "SKU", "Product", "Qty", "Price",
                                "Discount", "Currency", "Channel", "Status"]
    assert df.loc[0, "Product"] == "Café Mug – White 12 oz"
    assert df.loc[5, "Product"] == "Gift Card 50 €"
    assert df.loc[2, ["Date", "Price", "Discount"]].tolist() == ["01.10.2026 18:40", "1.234,50", "61,73"]


def test_quoted_delimiters_and_newlines_stay_in_one_cell():
    df = read_sample("shopify_orders_export.csv")
    assert df.loc[3, "Notes"] == "Please leave at the door, thanks!\nRing twice."
    assert df.loc[3, "Name"] == "#1003" and df.loc[4, "Name"] == "#1003"
    assert df.loc[0, "Created at"] == "2026-10-03 14:22:05 -0400"
    assert pd.isna(df.loc[1, "Email"]) and pd.isna(df.loc[1, "Created at"])   # later lines of an order


def test_ga4_items_json_survives_quoting():
    df = read_sample("ga4_events_export.csv")
    assert df.loc[2, "items"] == ('[{"item_id":"MUG-CAFE-WHT","item_name":"Café Mug – White 12 oz",'
                                  '"price":24.0,"quantity":1}]')
    assert df.loc[0, "event_timestamp"] == "1791051600123456"


def test_excel_sample_keeps_native_types():
    df = read_sample("orders_canonical.xlsx")
    assert df.shape == (22, 10)
    assert df.attrs == {"sheet": "Orders"}
    assert df["ordered_at"].dtype.kind == "M"
    assert df["quantity"].dtype == np.int64
    assert df["unit_price"].dtype == np.float64
    assert df.loc[0, "ordered_at"] == pd.Timestamp("2026-09-21 10:00")
    assert df.loc[5, "unit_price"] == 1234.5
    assert pd.isna(df.loc[3, "discount"])


def test_parquet_and_excel_samples_hold_the_same_orders():
    xlsx, pq = read_sample("orders_canonical.xlsx"), read_sample("orders.parquet")
    assert pq.attrs == {}
    xlsx.attrs.clear()
    pd.testing.assert_frame_equal(xlsx, pq, check_dtype=False)


def test_excel_sheet_choice():
    assert read_sample("orders_canonical.xlsx", sheet="Notes").columns.tolist() == [
        "Exported from the back office on 2026-10-05"]
    assert read_sample("orders_canonical.xlsx", sheet="orders").shape == (22, 10)   # case-insensitive
    assert read_sample("orders_canonical.xlsx", sheet=None).shape == (22, 10)
    with pytest.raises(ReadError) as err:
        read_sample("orders_canonical.xlsx", sheet="Sheet9")
    assert err.value.reason == "cannot_parse" and "Orders, Notes" in str(err.value)


def test_path_bytes_and_file_objects_read_the_same():
    raw = (SAMPLES / "promotions.csv").read_bytes()
    a = read_table(SAMPLES / "promotions.csv", "promotions.csv")
    b = read_table(str(SAMPLES / "promotions.csv"), "promotions.csv")
    c = read_table(raw, "promotions.csv")
    d = read_table(io.BytesIO(raw), "promotions.csv")
    for other in (b, c, d):
        pd.testing.assert_frame_equal(a, other)


@pytest.mark.parametrize("name", TEXT_SAMPLES)
def test_fast_path_matches_pandas_path(name, monkeypatch):
    slow = read_sample(name)
    monkeypatch.setattr(readers, "FAST_PATH_BYTES", 0)
    fast = read_sample(name)
    pd.testing.assert_frame_equal(slow, fast)
    assert fast.attrs == slow.attrs


def test_fast_path_never_hides_an_unclosed_quote(monkeypatch):
    monkeypatch.setattr(readers, "FAST_PATH_BYTES", 0)
    with pytest.raises(ReadError) as err:
        read_table(b'sku,name\nA,"never closed\nB,x\nC,y\n', "orders.csv")
    assert err.value.reason == "cannot_parse" and "never closed" in err.value.message


# --- small hand-made files -------------------------------------------------------------------------
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected(delimiter):
    text = delimiter.join(["sku", "name", "qty"]) + "\n" + delimiter.join(["A-1", '"Mug, 12 oz; blue|x"', "3"]) + "\n"
    df = read_table(text.encode(), "x.csv")
    assert df.attrs["delimiter"] == delimiter
    assert df.to_dict("list") == {"sku": ["A-1"], "name": ["Mug, 12 oz; blue|x"], "qty": ["3"]}


@pytest.mark.parametrize("fast", [False, True])
def test_excel_sep_line_sets_the_delimiter(fast, monkeypatch):
    if fast:
        monkeypatch.setattr(readers, "FAST_PATH_BYTES", 0)
    df = read_table(b"sep=;\r\nsku;price\r\nA,1;12,50\r\n", "x.csv")
    assert df.attrs["delimiter"] == ";" and df.attrs["decimal"] == ","
    assert df.to_dict("list") == {"sku": ["A,1"], "price": ["12,50"]}


def test_tsv_forces_tab_and_txt_utf16_from_excel():
    assert read_table(b"a,b\t c\n1,2\t3\n", "x.tsv").columns.tolist() == ["a,b", "c"]
    utf16 = "sku\tname\nA-1\tCafé\n".encode("utf-16")          # Excel "Unicode Text"
    df = read_table(utf16, "export.txt")
    assert df.attrs["encoding"] == "utf-16" and df.attrs["delimiter"] == "\t"
    assert df.to_dict("list") == {"sku": ["A-1"], "name": ["Café"]}


def test_headers_stripped_deduplicated_and_text_kept_as_is():
    df = read_table(b" sku , qty ,sku\nA-1,NA,00123\n", "x.csv")
    assert df.columns.tolist() == ["sku", "qty", "sku.1"]
    assert df.iloc[0].tolist() == ["A-1", "NA", "00123"]        # no NA guessing, no numbers


def test_interior_blank_rows_kept_so_row_numbers_match():
    df = read_table(b"sku,qty\nA,1\n\nB,2\n,\n\n", "x.csv")
    assert len(df) == 3                                  # the trailing ",", "" rows go, the interior one stays
    assert df["sku"].tolist()[0] == "A" and df["sku"].isna().tolist() == [False, True, False]


def test_trailing_delimiters_and_empty_unnamed_columns_dropped():
    df = read_table(b"sku,qty,\nA,1,,\nB,2,,\n", "x.csv")
    assert df.columns.tolist() == ["sku", "qty"]
    kept = read_table(b"sku,,qty\nA,x,1\n", "x.csv")        # an unnamed column with data stays
    assert kept.columns.tolist() == ["sku", "Unnamed: 1", "qty"]


def test_excel_drops_empty_unnamed_columns_and_trailing_rows():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["sku", " qty ", "price"])
    ws.append(["A-1", 2, 24.0])
    ws.append(["A-2", None, 12.5])
    ws["E6"].fill = PatternFill("solid", fgColor="FFFF00")   # formatted but empty: column E, row 6
    buf = io.BytesIO()
    wb.save(buf)
    df = read_table(buf.getvalue(), "book.xlsx")
    assert df.columns.tolist() == ["sku", "qty", "price"]
    assert len(df) == 2
    assert str(df["qty"].dtype) == "Int64" and df["qty"].tolist()[0] == 2


def test_decimal_hint_rules():
    assert read_table(b"sku;price\nA;12,50\nB;1.234,50\n", "x.csv").attrs["decimal"] == ","
    assert read_table(b"sku,price\nA,12.50\nB,\"1,234.50\"\n", "x.csv").attrs["decimal"] == "."
    assert "decimal" not in read_table(b"sku;price\nA;1.234\nB;2,345\n", "x.csv").attrs   # ambiguous
    assert "decimal" not in read_table(b"sku;qty\nA;1\n", "x.csv").attrs


def test_header_only_file_gives_zero_rows():
    df = read_table(b"order_id,sku\n", "x.csv")
    assert df.columns.tolist() == ["order_id", "sku"] and len(df) == 0


# --- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize("data, filename, reason", [
    (b"a,b\n1,2\n", "report.pdf", "unsupported_type"),
    (b"a,b\n1,2\n", "old.xls", "unsupported_type"),
    (b"a,b\n1,2\n", "noextension", "unsupported_type"),
    (b"", "orders.csv", "empty_file"),
    (b"\r\n\r\n  \n", "orders.csv", "empty_file"),
    (b"\xef\xbb\xbf", "orders.csv", "empty_file"),
    (bytes(range(256)) * 8, "orders.csv", "cannot_decode"),
    (b"\x00\x01\x02\x03garbage\x04\x05" * 50, "orders.txt", "cannot_decode"),
    (b"this is not a zip", "orders.xlsx", "cannot_parse"),
    (b"PAR1 nope", "orders.parquet", "cannot_parse"),
    (b"sku,qty\nA,1\nB,2,3\n", "orders.csv", "cannot_parse"),
    (b'sku,name\nA,"never closed\n', "orders.csv", "cannot_parse"),
    (b"\n\nsku,qty\nA,1\n", "orders.csv", "cannot_parse"),
])
def test_read_errors(data, filename, reason):
    with pytest.raises(ReadError) as err:
        read_table(data, filename)
    assert err.value.reason == reason
    assert err.value.filename == filename
    assert str(err.value) == err.value.message and filename in err.value.message


def test_too_many_values_names_the_spreadsheet_row():
    with pytest.raises(ReadError, match=r"row 3 has more values"):
        read_table(b"sku,name,qty\nA,Mug,1\nB,Mug, blue,2\n", "orders.csv")


def test_too_large_checked_before_parsing(tmp_path):
    with pytest.raises(ReadError) as err:
        read_table(b"a,b\n1,2\n" * 100, "big.csv", max_bytes=100)
    assert err.value.reason == "too_large"
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 1000)
    with pytest.raises(ReadError, match="too_large|more than"):
        read_table(path, "big.csv", max_bytes=1000)
    assert len(read_table(path, "big.csv", max_bytes=10_000)) == 1000


# --- property: bad bytes give a frame or a ReadError, never another exception ---------------------
_EXTS = [".csv", ".tsv", ".txt", ".xlsx", ".parquet"]
_SAMPLE_BYTES = {p.name: p.read_bytes() for p in sorted(SAMPLES.iterdir())}


def _check(data: bytes, filename: str) -> None:
    try:
        df = read_table(data, filename)
    except ReadError as err:
        assert err.reason in {"unsupported_type", "empty_file", "cannot_decode", "cannot_parse", "too_large"}
        return
    assert isinstance(df, pd.DataFrame) and isinstance(df.index, pd.RangeIndex)
    assert df.shape[1] > 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), ext=st.sampled_from(_EXTS))
def test_random_bytes_never_crash(data, ext):
    _check(data, "upload" + ext)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(_SAMPLE_BYTES)), ext=st.sampled_from([None, *_EXTS]),
       edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["flip", "cut", "insert", "truncate"]),
                                st.binary(min_size=1, max_size=8)), min_size=1, max_size=6))
def test_mutated_samples_never_crash(name, ext, edits):
    data = bytearray(_SAMPLE_BYTES[name])
    for where, op, chunk in edits:
        i = int(where * max(len(data) - 1, 0))
        if op == "flip" and data:
            data[i] ^= chunk[0] or 0xFF
        elif op == "cut":
            del data[i:i + len(chunk) * 7]
        elif op == "insert":
            data[i:i] = chunk
        else:
            del data[i:]
    _check(bytes(data), "upload" + (ext or Path(name).suffix))
