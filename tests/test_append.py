"""Loads that append (Warehouse.load(..., mode="append")) and checks that change nothing
(Warehouse.check), on DuckDB and PostgreSQL."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import select

from lib.schema import FeedError
from lib.warehouse import versions
from lib.warehouse.tables import FEED_TABLES

T0 = datetime(2026, 1, 5, 12, 0)


def orders(*numbers: int) -> pd.DataFrame:
    return pd.DataFrame([{"order_id": f"#{1000 + i}", "ordered_at": f"2026-01-0{i} 10:15:00", "customer_id": f"c{i}",
                          "sku": "TEE-1", "quantity": "2", "unit_price": "19.50", "discount": "1.00"}
                         for i in numbers])


def order_ids(w) -> list[str]:
    t = FEED_TABLES["orders"]
    return w.read(select(t.c.order_id).order_by(t.c.order_id))["order_id"].tolist()


def test_append_adds_the_rows_in_one_recorded_versioned_load(wh):
    wh.load("orders", orders(1, 2), source="jan-1-2.csv", now=T0)
    v1 = wh.data_version()
    rep = wh.load("orders", orders(3), source="jan-3.csv", now=T0, mode="append")
    assert (rep.mode, rep.rows, rep.kept_rows, rep.replaced_rows, rep.load_id) == ("append", 1, 2, 0, 2)
    assert order_ids(wh) == ["#1001", "#1002", "#1003"]
    # the feed's date range is the whole feed's, not the appended file's
    assert (rep.min_date, rep.max_date) == (datetime(2026, 1, 1, 10, 15), datetime(2026, 1, 3, 10, 15))
    hist = wh.load_history()
    assert hist[["source", "rows", "mode"]].values.tolist() == [["jan-3.csv", 1, "append"],
                                                                ["jan-1-2.csv", 2, "replace"]]
    assert wh.data_version() != v1
    old = versions.pinned(wh, v1)                    # the version before the append is still readable
    assert order_ids(old) == ["#1001", "#1002"]
    old.engine.dispose()
    # replace stays the default
    again = wh.load("orders", orders(4), source="only-4.csv", now=T0)
    assert (again.mode, again.rows, again.replaced_rows) == ("replace", 1, 3)
    assert order_ids(wh) == ["#1004"]


def test_append_refuses_rows_the_feed_already_holds_and_changes_nothing(wh):
    wh.load("orders", orders(1, 2), source="jan-1-2.csv", now=T0)
    version = wh.data_version()
    with pytest.raises(FeedError) as info:
        wh.load("orders", orders(1, 2, 3), source="jan-1-3.csv", now=T0, mode="append")
    assert info.value.failures.astype(object).values.tolist() == [
        ["order_id", 2, "#1001 / TEE-1", "already_loaded"], ["order_id", 3, "#1002 / TEE-1", "already_loaded"]]
    assert "jan-1-3.csv" in str(info.value) and "row 2" in str(info.value)
    assert order_ids(wh) == ["#1001", "#1002"]
    assert wh.data_version() == version and len(wh.load_history()) == 1


def test_append_uses_each_feeds_key(wh):
    products = pd.DataFrame({"sku": ["A", "B"], "name": ["Mug", "Tee"], "category": ["Mugs", "Tees"],
                             "unit_cost": [4.0, 8.0], "price": [10.0, 20.0]})
    wh.load("products", products, source="p1", now=T0)
    more = pd.DataFrame({"sku": ["C", "B"], "name": ["Cap", "Tee 2"], "category": ["Caps", "Tees"],
                         "unit_cost": [3.0, 9.0], "price": [9.0, 21.0]})
    with pytest.raises(FeedError) as info:
        wh.load("products", more, source="p2", now=T0, mode="append")
    assert info.value.failures.astype(object).values.tolist() == [["sku", 3, "B", "already_loaded"]]
    stock = pd.DataFrame({"sku": ["A", "A"], "date": ["2026-01-04", "2026-01-05"], "on_hand": [5, 4]})
    wh.load("inventory", stock.head(1), source="i1", now=T0)
    with pytest.raises(FeedError) as info:
        wh.load("inventory", stock, source="i2", now=T0, mode="append")
    assert info.value.failures.astype(object).values.tolist() == [
        ["sku", 2, "A / 2026-01-04 / main", "already_loaded"]]
    rep = wh.load("inventory", stock.tail(1), source="i3", now=T0, mode="append")
    assert (rep.rows, rep.kept_rows) == (1, 1) and wh.row_counts()["inventory"] == 2


def test_append_to_an_empty_feed_loads_the_rows(wh):
    rep = wh.load("orders", orders(1, 2), source="first.csv", now=T0, mode="append")
    assert (rep.rows, rep.kept_rows, rep.mode) == (2, 0, "append") and order_ids(wh) == ["#1001", "#1002"]


def test_appended_events_keep_sessions_and_people_whole(wh):
    """s1 goes on in the second file (where its visitor logs in as u2); u1 comes back in a new session;
    c7 (a customer id only) comes back; s6 is anonymous in both files' sense (a new session)."""
    first = pd.DataFrame({"session_id": ["s1", "s2", "s4", "s5"], "event_at": [T0] * 4,
                          "event": ["page_view"] * 4, "user_id": [None, "u1", None, "u2"],
                          "customer_id": [None, None, "c7", None]})
    second = pd.DataFrame({"session_id": ["s1", "s3", "s7", "s6"], "event_at": [T0.replace(hour=13)] * 4,
                           "event": ["view_item", "page_view", "page_view", "page_view"],
                           "user_id": ["u2", "u1", None, None], "customer_id": [None, None, "c7", None]})
    wh.load("events", first, source="day1", now=T0)
    wh.load("events", second, source="day2", now=T0, mode="append")
    query = "SELECT session_id, event, session_key, user_key FROM events ORDER BY session_id, event_at"
    got = wh.read(query)
    sk = got.groupby("session_id")["session_key"].agg(set).to_dict()
    uk = got.groupby("session_id")["user_key"].agg(set).to_dict()
    assert all(len(v) == 1 for v in sk.values()) and len({next(iter(v)) for v in sk.values()}) == 7
    assert all(len(v) == 1 for v in uk.values())
    assert uk["s2"] == uk["s3"]                      # u1's two sessions are one person
    assert uk["s1"] == uk["s5"]                      # s1 logged in as u2 in the second file: u2's person
    assert uk["s4"] == uk["s7"]                      # c7 came back
    assert len({next(iter(uk[s])) for s in ("s1", "s2", "s4", "s6")}) == 4
    assert (got["session_key"] >= 0).all() and (got["user_key"] >= 0).all()
    # the same people and sessions as one load of both files
    wh.load("events", pd.concat([first, second], ignore_index=True), source="both", now=T0)
    again = wh.read(query)

    def groups(df, col):
        return sorted(sorted(set(g)) for _, g in df.groupby(col)["session_id"])
    assert groups(got, "user_key") == groups(again, "user_key")
    assert groups(got, "session_key") == groups(again, "session_key")
    with pytest.raises(FeedError) as info:           # the same event again is refused
        wh.load("events", second.head(1), source="day2-again", now=T0, mode="append")
    assert info.value.failures.astype(object).values.tolist() == [
        ["session_id", 2, "s1 / 2026-01-05 13:00:00 / view_item", "already_loaded"]]


def test_check_validates_like_a_load_and_changes_nothing(wh):
    wh.load("orders", orders(1, 2), source="jan-1-2.csv", now=T0)
    version, history = wh.data_version(), len(wh.load_history())
    rep = wh.check("orders", orders(1, 2, 3))
    assert (rep.mode, rep.rows, rep.current_rows) == ("replace", 3, 2)
    assert (rep.min_date, rep.max_date) == (datetime(2026, 1, 1, 10, 15), datetime(2026, 1, 3, 10, 15))
    assert wh.check("orders", orders(3), mode="append").rows == 1
    with pytest.raises(FeedError) as info:
        wh.check("orders", orders(2, 3), mode="append", source="jan-2-3.csv")
    assert info.value.failures.astype(object).values.tolist() == [["order_id", 2, "#1002 / TEE-1", "already_loaded"]]
    bad = orders(3, 4)
    bad.loc[1, "unit_price"] = "abc"
    with pytest.raises(FeedError) as info:
        wh.check("orders", bad, source="bad.csv")
    assert info.value.failures.astype(object).values.tolist() == [["unit_price", 3, "abc", "not_numeric"]]
    assert info.value.source == "bad.csv"
    assert order_ids(wh) == ["#1001", "#1002"]
    assert wh.data_version() == version and len(wh.load_history()) == history
    assert wh.row_counts()["orders"] == 2


def test_unknown_mode_is_refused(wh):
    with pytest.raises(ValueError, match="unknown load mode"):
        wh.load("orders", orders(1), source="x", mode="merge")
