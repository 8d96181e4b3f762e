"""The DuckDB fast path for big text loads accepts exactly what validation accepts, with the same
typed rows, checksum and warnings as the pandas path; anything doubtful falls back."""
from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from lib.schema import FeedError
from lib.settings import Settings
from lib.warehouse import Warehouse, fastload

N = 120_000
T0 = datetime(2026, 1, 5)


def text_orders(n: int = N, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ts = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.arange(n) * 97, unit="s")
    df = pd.DataFrame({
        "order_id": [f"#{i // 2}" for i in range(n)],
        "ordered_at": ts.strftime("%Y-%m-%d %H:%M:%S"),
        "customer_id": [f"C{int(x)}" for x in rng.integers(0, 5000, n)],
        "sku": [f"SKU-{int(x):03d}" for x in rng.integers(0, 300, n)],
        "quantity": [str(int(x)) for x in rng.choice([1, 2, 3, -1], n)],
        "unit_price": [f"{x:.2f}" for x in rng.gamma(2.0, 10.0, n)],
        "discount": np.where(rng.random(n) < 0.8, "0", "1.5"),
        "channel": rng.choice(["Email", "organic", ""], n),
    })
    return df.astype("str")


def open_wh(tmp_path, name):
    return Warehouse.open(url=f"duckdb:///{tmp_path}/{name}.duckdb", settings=Settings(store_timezone="UTC"))


def both_paths(tmp_path, monkeypatch, feed, df, **kw):
    fast, slow = open_wh(tmp_path, "fast"), open_wh(tmp_path, "slow")
    used = []
    real = fastload.plan
    monkeypatch.setattr(fastload, "plan", lambda *a, **k: used.append(r := real(*a, **k)) or r)
    rep_fast = fast.load(feed, df, source="f.csv", now=T0, **kw)
    monkeypatch.setattr(fastload, "FAST_MIN_ROWS", 10**12)
    rep_slow = slow.load(feed, df, source="f.csv", now=T0, **kw)
    return fast, slow, rep_fast, rep_slow, used


def table(wh, feed, order):
    return wh.read(f"SELECT * FROM {feed} ORDER BY {order}").reset_index(drop=True)


def test_orders_fast_path_equals_validation(tmp_path, monkeypatch):
    df = text_orders()
    fast, slow, a, b, used = both_paths(tmp_path, monkeypatch, "orders", df)
    assert used and used[0] is not None          # the fast path really ran
    assert (a.rows, a.checksum, a.min_date, a.max_date) == (b.rows, b.checksum, b.min_date, b.max_date)
    pd.testing.assert_frame_equal(table(fast, "orders", "order_id, sku, ordered_at, customer_id, quantity, unit_price"),
                                  table(slow, "orders", "order_id, sku, ordered_at, customer_id, quantity, unit_price"))
    assert table(fast, "orders", "order_id")["channel"].isna().sum() > 0    # '' became missing


def test_events_fast_path_maps_names_and_keys_sessions(tmp_path, monkeypatch):
    n = N
    df = pd.DataFrame({"session_id": [f"s{i // 3}" for i in range(n)],
                       "event_at": pd.date_range("2026-01-01", periods=n, freq="min").strftime("%m/%d/%Y %H:%M"),
                       "event": np.tile(["Page View", "product_viewed", "add_to_cart"], n // 3)}).astype("str")
    fast, slow, a, b, used = both_paths(tmp_path, monkeypatch, "events", df)
    assert used[0] is not None and a.checksum == b.checksum
    got = fast.read("SELECT event, count(*) AS n, count(DISTINCT session_key) AS k FROM events GROUP BY event ORDER BY event")
    assert got.values.tolist() == [["add_to_cart", n // 3, n // 3], ["page_view", n // 3, n // 3],
                                   ["view_item", n // 3, n // 3]]
    pairs = fast.read("SELECT count(DISTINCT session_id) AS a, count(DISTINCT session_key) AS b, "
                      "count(DISTINCT session_id || ':' || session_key) AS c FROM events")
    assert pairs.values.tolist() == [[n // 3, n // 3, n // 3]]


def test_events_user_keys_agree_on_both_paths(tmp_path, monkeypatch):
    # sessions of 3 events; every 4th session logs in on its 2nd event (user_id), every 4th+1 is a
    # known customer, the rest are anonymous; users u0..u9 come back across many sessions
    n = N
    sess = np.arange(n) // 3
    pos = np.arange(n) % 3
    user = np.where((sess % 4 == 0) & (pos >= 1), "u" + (sess % 10).astype(str), "")
    cust = np.where(sess % 4 == 1, "c" + (sess % 7).astype(str), "")
    df = pd.DataFrame({"session_id": "s" + sess.astype(str),
                       "event_at": pd.date_range("2026-01-01", periods=n, freq="min").strftime("%Y-%m-%d %H:%M"),
                       "event": "page_view", "user_id": user, "customer_id": cust}).astype("str")
    fast, slow, a, b, used = both_paths(tmp_path, monkeypatch, "events", df)
    assert used[0] is not None
    q = ("SELECT session_id, min(user_key) AS lo, max(user_key) AS hi FROM events GROUP BY session_id "
         "ORDER BY session_id")
    f, s = fast.read(q), slow.read(q)
    assert (f["lo"] == f["hi"]).all() and (s["lo"] == s["hi"]).all()        # one person per session
    # the same partition of sessions into people on both paths (key values may differ)
    groups = [sorted(t.groupby("lo")["session_id"].apply(lambda x: ",".join(sorted(x))).tolist()) for t in (f, s)]
    assert groups[0] == groups[1]
    people = fast.read("SELECT count(DISTINCT user_key) AS n FROM events")["n"].iloc[0]
    # users: sessions 0, 4, 8.. give u0, u4, u8, u2, u6 (s % 10 of multiples of 4: 5 people);
    # customers c0..c6 (7 people); sessions with s % 4 in (2, 3) are anonymous: half of 40,000
    assert people == 5 + 7 + 20_000


def test_inventory_dates_and_defaults(tmp_path, monkeypatch):
    days = pd.date_range("2025-01-01", periods=400).strftime("%Y-%m-%d")
    df = pd.DataFrame({"sku": np.repeat([f"S{i}" for i in range(300)], 400), "date": np.tile(days, 300),
                       "on_hand": [str(i % 17) for i in range(120_000)]}).astype("str")
    fast, slow, a, b, used = both_paths(tmp_path, monkeypatch, "inventory", df, as_of=date(2026, 2, 4))
    assert used[0] is not None and a.checksum == b.checksum and a.max_date == datetime(2026, 2, 4)
    got = fast.read("SELECT DISTINCT location, on_order FROM inventory")
    assert got.values.tolist() == [["main", 0]]


@pytest.mark.parametrize("edit,reason,row", [
    (("unit_price", 500, "12,50"), "not_numeric", None),          # decimal comma: pandas reads it, fine
    (("unit_price", 700, "abc"), "not_numeric", 702),
    (("ordered_at", 900, "2025-13-45 10:00:00"), "unparseable_date", 902),
    (("quantity", 1000, " 2"), None, None),                       # whitespace: pandas path, loads
])
def test_doubtful_values_fall_back_to_validation(tmp_path, edit, reason, row):
    df = text_orders()
    col, pos, value = edit
    df.loc[pos, col] = value
    wh = open_wh(tmp_path, "x")
    if row is None:
        rep = wh.load("orders", df, source="f.csv", now=T0)
        assert rep.rows == N
        return
    with pytest.raises(FeedError) as info:
        wh.load("orders", df, source="f.csv", now=T0)
    assert info.value.failures[["column", "row", "reason"]].astype(object).values.tolist() == [[col, row, reason]]


def test_duplicates_and_future_dates_fall_back(tmp_path):
    df = text_orders()
    df.loc[5] = df.loc[4]
    wh = open_wh(tmp_path, "d")
    with pytest.raises(FeedError) as info:
        wh.load("orders", df, source="f.csv", now=T0, as_of=date(2025, 2, 1))
    reasons = set(info.value.failures["reason"])
    assert reasons == {"duplicate_row", "future_date"}
    assert int(info.value.failures.query("reason == 'duplicate_row'")["row"].iloc[0]) == 7


def test_fast_path_failure_leaves_previous_rows(tmp_path, monkeypatch):
    wh = open_wh(tmp_path, "f")
    wh.load("orders", text_orders(N, seed=2), source="first.csv", now=T0)
    before = wh.read("SELECT count(*) AS n, sum(unit_price) AS s FROM orders")

    def boom(*a, **k):
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(Warehouse, "_insert_select", staticmethod(boom))
    with pytest.raises(RuntimeError, match="injected"):
        wh.load("orders", text_orders(N, seed=3), source="second.csv", now=T0)
    pd.testing.assert_frame_equal(before, wh.read("SELECT count(*) AS n, sum(unit_price) AS s FROM orders"))
    assert wh.load_history()["source"].tolist() == ["first.csv"]


def test_unknown_sku_warnings_match(tmp_path, monkeypatch):
    products = pd.DataFrame({"sku": [f"SKU-{i:03d}" for i in range(250)], "name": "x", "category": "c",
                             "unit_cost": 1.0, "price": 2.0})
    df = text_orders()
    fast, slow = open_wh(tmp_path, "wf"), open_wh(tmp_path, "ws")
    for w in (fast, slow):
        w.load("products", products, source="p.csv", now=T0)
    a = fast.load("orders", df, source="o.csv", now=T0)
    monkeypatch.setattr(fastload, "FAST_MIN_ROWS", 10**12)
    b = slow.load("orders", df, source="o.csv", now=T0)
    assert len(a.warnings) > 0
    pd.testing.assert_frame_equal(a.warnings.astype(object), b.warnings.astype(object))
