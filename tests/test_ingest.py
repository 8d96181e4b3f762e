"""Sources to warehouse: every sample file loads through read -> map -> validate -> load."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from lib.ingest import (
    feed_overview,
    freshness,
    load_prepared,
    prepare_file,
    prepare_frame,
    preview,
    with_feed,
)
from lib.schema import FeedError
from tests.support.paths import ROOT

SAMPLES = ROOT / "data" / "samples"
AS_OF = date(2026, 11, 27)


def load_sample(wh, name, feed=None):
    prep = prepare_file((SAMPLES / name).read_bytes(), name, feed, wh)
    return prep, load_prepared(wh, prep, as_of=AS_OF)


@pytest.mark.parametrize("name,feed,profile", [
    ("shopify_orders_export.csv", "orders", "shopify_orders"),
    ("woocommerce_orders_export.csv", "orders", "woocommerce_orders"),
    ("orders_eu.csv", "orders", "canonical"),
    ("orders_canonical.xlsx", "orders", "canonical"),
    ("orders.parquet", "orders", "canonical"),
    ("ga4_events_export.csv", "events", "ga4_events"),
    ("events_canonical.csv", "events", "canonical"),
    ("inventory.tsv", "inventory", "canonical"),
    ("products.csv", "products", "canonical"),
    ("promotions.csv", "promotions", "canonical"),
])
def test_every_sample_loads(wh, name, feed, profile):
    prep, rep = load_sample(wh, name)
    assert (prep.feed, prep.profile) == (feed, profile)
    returns = 2 if name == "shopify_orders_export.csv" else 0    # #1007 was refunded: a return line per line
    assert rep.rows == len(prep.raw) + returns and rep.rows > 0
    assert wh.row_counts()[feed] == rep.rows


def test_shopify_lines_keep_order_fields_and_revenue(wh):
    load_sample(wh, "shopify_orders_export.csv")
    got = wh.read("SELECT count(DISTINCT order_id) AS orders, count(*) AS lines, "
                  "sum(CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END) AS no_customer FROM orders")
    raw = pd.read_csv(SAMPLES / "shopify_orders_export.csv", dtype=str)
    assert int(got["orders"].iloc[0]) == raw["Name"].nunique()
    assert int(got["lines"].iloc[0]) == len(raw) + 2           # #1007's two lines came back
    assert int(got["no_customer"].iloc[0]) == 0


SMALL_SHOPIFY = ROOT / "tests" / "fixtures" / "shopify_orders_small.csv"


def test_shopify_export_loads_with_cancellations_returns_and_no_channel(wh):
    """tests/fixtures/shopify_orders_small.csv by hand: revenue 58.00 (#2001) + 0 (#2002: 2 x 40.00 less
    10.00, all refunded) + 37.50 (#2005, partially refunded) = 95.50; #2003 (refunded and cancelled) and
    #2004 (voided) are cancelled; returns 70.00; 8 order lines from 7 file rows; no channel."""
    from lib.analytics import kpis

    prep = prepare_file(SMALL_SHOPIFY.read_bytes(), SMALL_SHOPIFY.name, wh=wh)
    assert (prep.feed, prep.profile, prep.mapping["channel"]) == ("orders", "shopify_orders", None)
    rep = load_prepared(wh, prep, as_of=AS_OF)
    assert rep.rows == 8
    got = kpis.summary(wh, date(2026, 11, 1), date(2026, 11, 30))
    assert round(got["revenue"], 2) == 95.5 and round(got["returns"], 2) == 70.0
    assert got["orders"] == 3                                   # #2001, #2002, #2005: cancelled ones left out
    lines = wh.read("SELECT order_id, status, count(*) AS n, sum(quantity) AS q, count(channel) AS ch "
                    "FROM orders GROUP BY order_id, status ORDER BY order_id, status")
    assert lines.astype(object).values.tolist() == [
        ["#2001", "completed", 2, 3, 0], ["#2002", "completed", 1, 2, 0], ["#2002", "refunded", 1, -2, 0],
        ["#2003", "cancelled", 1, 1, 0], ["#2004", "cancelled", 1, 1, 0], ["#2005", "partially_refunded", 2, 4, 0]]


def test_bad_sample_reports_the_documented_rows(wh):
    load_sample(wh, "orders.parquet")
    before = wh.row_counts()["orders"]
    with pytest.raises(FeedError) as info:
        load_sample(wh, "orders_bad.csv")
    f = info.value.failures
    assert f[["row", "column", "reason"]].astype(object).values.tolist() == [
        [4, "unit_price", "not_numeric"], [7, "ordered_at", "unparseable_date"],
        [9, "unit_price", "negative_value"], [12, "order_id", "duplicate_row"]]
    assert info.value.source == "upload:orders_bad.csv"
    assert wh.row_counts()["orders"] == before


def test_corrected_mapping_is_remembered_per_source(wh):
    raw = pd.DataFrame({"Ref": ["A1", "A2"], "When": ["2026-01-02", "2026-01-03"], "Who": ["c1", "c2"],
                        "Item": ["S1", "S2"], "Qty": ["1", "2"], "Each": ["3.00", "4.00"]})
    prep = prepare_frame(raw, "upload:legacy.csv", "orders", wh)
    assert prep.remembered is False
    prep.mapping = {"order_id": "Ref", "ordered_at": "When", "customer_id": "Who", "sku": "Item",
                    "quantity": "Qty", "unit_price": "Each"}
    load_prepared(wh, prep)
    again = prepare_frame(raw, "upload:legacy.csv", "orders", wh)
    assert again.remembered is True
    assert {k: v for k, v in again.mapping.items() if v} == prep.mapping
    other = prepare_frame(raw, "upload:other.csv", "orders", wh)
    assert other.remembered is False


def test_overview_preview_and_freshness(wh):
    raw = pd.DataFrame({"order_id": ["A1", "A2"], "ordered_at": ["2026-11-20 10:00", "2026-11-25 09:00"],
                        "customer_id": ["c1", "c2"], "sku": ["S1", "S2"], "quantity": [1, 2],
                        "unit_price": [3.0, 4.0]})
    wh.load("orders", raw, source="x.csv", now=datetime(2026, 11, 26))
    ov = feed_overview(wh).set_index("feed")
    assert ov.loc["orders", "rows"] == 2 and ov.loc["events", "rows"] == 0
    assert pd.Timestamp(ov.loc["orders", "last"]) == pd.Timestamp("2026-11-25 09:00")
    fr = freshness(feed_overview(wh), date(2026, 11, 27))
    assert fr[["feed", "days_old"]].values.tolist() == [["orders", 2]]
    assert preview(wh, "orders")["order_id"].tolist() == ["A2", "A1"]


def big_csv(n: int, bad_row: int | None = None) -> bytes:
    lines = ["order_id,ordered_at,customer_id,sku,quantity,unit_price,discount,channel"]
    for i in range(n):
        price = "abc" if i == bad_row else f"{(i % 97) + 0.5:.2f}"
        lines.append(f"#{i // 3:07d},2026-01-{i % 28 + 1:02d} 10:{i % 60:02d}:00,customer-{i % 5000:05d},"
                     f"SKU-{i % 300:04d},{i % 3 + 1},{price},0,organic")
    return ("\n".join(lines) + "\n").encode()


def test_big_upload_is_sampled_then_loaded_whole(wh):
    data = big_csv(300_000)
    assert len(data) > 20 * 2**20
    prep = prepare_file(data, "big.csv", wh=wh)
    assert prep.feed == "orders" and "sample" in prep.info and len(prep.raw) < 300_000
    prep = with_feed(prep, "orders", wh)          # changing the feed keeps the whole file
    rep = load_prepared(wh, prep, as_of=AS_OF)
    assert rep.rows == 300_000 and wh.row_counts()["orders"] == 300_000
    got = wh.read("SELECT sum(quantity) AS q, count(DISTINCT order_id) AS o FROM orders")
    assert got.values.tolist() == [[sum(i % 3 + 1 for i in range(300_000)), 100_000]]


def test_big_upload_with_a_bad_value_reports_its_row(wh):
    load_sample(wh, "orders.parquet")
    before = wh.row_counts()["orders"]
    prep = prepare_file(big_csv(300_000, bad_row=250_000), "big_bad.csv", "orders", wh)
    with pytest.raises(FeedError) as info:
        load_prepared(wh, prep, as_of=AS_OF)
    assert info.value.failures[["column", "row", "value", "reason"]].astype(object).values.tolist() == [
        ["unit_price", 250_002, "abc", "not_numeric"]]
    assert wh.row_counts()["orders"] == before


def test_validate_only_reads_the_whole_big_file_and_changes_nothing(tmp_path):
    from lib.ingest import check_prepared
    from lib.settings import Settings
    from lib.warehouse import Warehouse

    w = Warehouse.open(f"duckdb:///{tmp_path}/wh.duckdb", Settings(store_timezone="UTC"))
    try:
        load_sample(w, "orders.parquet")
        before = (w.data_version(), w.row_counts()["orders"], len(w.load_history()))
        prep = prepare_file(big_csv(300_000, bad_row=250_000), "big_bad.csv", "orders", w)
        assert len(prep.raw) < 250_000                          # the page holds a sample only
        with pytest.raises(FeedError) as info:
            check_prepared(w, prep, as_of=AS_OF)
        assert info.value.failures[["column", "row", "reason"]].astype(object).values.tolist() == [
            ["unit_price", 250_002, "not_numeric"]]
        good = prepare_file(big_csv(300_000), "big.csv", "orders", w)
        rep = check_prepared(w, good, as_of=AS_OF, mode="append")
        assert (rep.rows, rep.current_rows, rep.mode) == (300_000, before[1], "append")
        assert (w.data_version(), w.row_counts()["orders"], len(w.load_history())) == before
        # an append of a big clean file adds to the feed (the direct path, which replaces, is not taken)
        rep = load_prepared(w, good, as_of=AS_OF, mode="append")
        assert (rep.mode, rep.rows, w.row_counts()["orders"]) == ("append", 300_000, before[1] + 300_000)
    finally:
        w.dispose()


def test_mapped_preview_shows_rows_as_they_will_be_loaded(wh):
    from lib.ingest import mapped_preview

    raw = pd.DataFrame({"Session": ["s1", "s1"], "Time": ["2026-11-20T10:00:00+01:00", "yesterday-ish"],
                        "Event Name": ["Add To Cart", "product_viewed"], "Device Category": ["Mobile", None]})
    prep = prepare_frame(raw, "upload:events.csv", "events", wh)
    prep.mapping |= {"session_id": "Session", "event_at": "Time", "event": "Event Name"}
    got = mapped_preview(prep, wh)
    assert list(got.columns) == ["row", "session_id", "event_at", "event", "user_id", "customer_id", "channel",
                                 "device", "landing_page", "sku", "order_id"]
    assert got["row"].tolist() == [2, 3]
    assert got["event"].tolist() == ["add_to_cart", "view_item"]              # names mapped
    assert got["device"].tolist()[0] == "mobile"                              # lower-cased, as loaded
    assert got["event_at"].tolist()[0] == pd.Timestamp("2026-11-20 09:00")    # +01:00 read into UTC
    assert pd.isna(got["event_at"].tolist()[1])                               # unreadable: empty, not raw
