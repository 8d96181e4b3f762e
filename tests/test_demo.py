"""The synthetic demo store (lib/demo): determinism, shape of the feeds, planted behaviour."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from lib.demo import generate

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 26)
START = AS_OF - timedelta(days=729)
SCALE = 0.1
FEEDS = ["products", "orders", "events", "inventory", "promotions", "customers", "spend"]
COLUMNS = {
    "products": ["sku", "name", "category", "unit_cost", "price", "lead_time_days", "moq", "case_pack",
                 "supplier", "supplier_sku", "active"],
    "orders": ["order_id", "ordered_at", "customer_id", "sku", "quantity", "unit_price", "discount", "channel",
               "status", "currency"],
    "events": ["session_id", "event_at", "event", "user_id", "customer_id", "channel", "device", "landing_page",
               "sku", "order_id"],
    "inventory": ["sku", "date", "on_hand", "on_order", "location"],
    "promotions": ["promo_id", "start_date", "end_date", "discount_pct", "sku", "category", "type", "channel"],
    "customers": ["customer_id", "email", "first_name", "last_name", "accepts_marketing", "country"],
    "spend": ["date", "channel", "campaign", "spend", "currency", "impressions", "clicks"],
}


def _hashes(d: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    calls = []
    summary = generate(out, seed=7, scale=SCALE, as_of=AS_OF, progress=lambda f, m: calls.append((f, m)))
    frames = {f: pd.read_parquet(out / f"{f}.parquet") for f in FEEDS}
    truth = json.loads((out / "truth.json").read_text())
    return {"dir": out, "summary": summary, "progress": calls, "truth": truth, **frames}


@pytest.fixture(scope="module")
def daily_sales(store):
    o = store["orders"]
    pos = o[o.quantity > 0]
    return pos.groupby([pos.sku, pos.ordered_at.dt.date]).quantity.sum()


@pytest.fixture(scope="module")
def sessions(store):
    e = store["events"]
    g = e.groupby("session_id")
    return pd.DataFrame({"device": g.device.first(), "channel": g.channel.first(),
                         "buy": e.event.eq("purchase").groupby(e.session_id).any()})


# ---------------------------------------------------------------- determinism and files

def test_same_seed_gives_identical_files_across_processes(store, tmp_path):
    out = tmp_path / "again"
    res = subprocess.run([sys.executable, "-m", "lib.demo", "--seed", "7", "--scale", str(SCALE), "--out", str(out),
                          "--as-of", AS_OF.isoformat(), "--quiet"], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    printed = json.loads(res.stdout)
    assert printed["rows"] == store["summary"]["rows"]
    assert _hashes(out) == _hashes(store["dir"])


def test_different_seed_changes_every_file(store, tmp_path):
    generate(tmp_path, seed=8, scale=SCALE, as_of=AS_OF)
    a, b = _hashes(store["dir"]), _hashes(tmp_path)
    assert a.keys() == b.keys() == {f"{f}.parquet" for f in FEEDS} | {"truth.json"}
    assert all(a[k] != b[k] for k in a)


def test_csv_holds_the_same_data_as_parquet(store, tmp_path):
    generate(tmp_path, seed=7, scale=SCALE, as_of=AS_OF, fmt="csv")
    for feed in FEEDS:
        path = tmp_path / f"{feed}.csv"
        assert path.read_text().splitlines()[0] == ",".join(COLUMNS[feed])
    line = (tmp_path / "orders.csv").open().readlines()[1]
    assert line.split(",")[1] == str(store["orders"].ordered_at.iloc[0].isoformat())  # ISO, 'T', seconds
    for feed in ("orders", "products", "inventory"):
        csv = pd.read_csv(tmp_path / f"{feed}.csv")
        pq_ = store[feed]
        assert len(csv) == len(pq_)
        for col in pq_.columns:
            if pd.api.types.is_datetime64_any_dtype(pq_[col]):
                assert (pd.to_datetime(csv[col]) == pq_[col]).all(), col
            elif col == "date":
                assert (csv[col].astype(str) == pq_[col].astype(str)).all()
            elif pd.api.types.is_float_dtype(pq_[col]):
                np.testing.assert_allclose(csv[col].to_numpy(float), pq_[col].to_numpy(float))
            else:       # an empty cell (supplier_sku where not known) reads back as missing
                assert (csv[col].fillna("").astype(str) == pq_[col].fillna("").astype(str)).all(), col


def test_summary_progress_and_arguments(store):
    s = store["summary"]
    assert s["rows"] == {f: len(store[f]) for f in FEEDS}
    assert set(s["paths"]) == set(FEEDS) | {"truth"}
    assert s["seconds"] > 0
    fracs = [f for f, _ in store["progress"]]
    assert fracs[0] == 0.0 and fracs[-1] == 1.0 and fracs == sorted(fracs)
    with pytest.raises(ValueError):
        generate(store["dir"] / "x", fmt="xlsx")


def test_a_failed_run_leaves_no_files(tmp_path):
    def boom(frac, msg):
        if msg == "web events":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate(tmp_path, seed=7, scale=0.05, as_of=AS_OF, progress=boom)
    assert list(tmp_path.iterdir()) == []


def test_library_never_uses_today_or_streamlit():
    for path in (ROOT / "lib" / "demo").glob("*.py"):
        text = path.read_text()
        assert "today(" not in text and "datetime.now" not in text, path
        assert "import streamlit" not in text and "from streamlit" not in text, path
        assert "np.random.seed" not in text and "import random" not in text, path


# ---------------------------------------------------------------- shape of the feeds

def test_columns_are_exactly_the_canonical_ones(store):
    for feed in FEEDS:
        assert list(store[feed].columns) == COLUMNS[feed], feed
        assert list(pq.read_schema(store["dir"] / f"{feed}.parquet").names) == COLUMNS[feed]
    o, e = store["orders"], store["events"]
    assert pd.api.types.is_datetime64_any_dtype(o.ordered_at) and pd.api.types.is_datetime64_any_dtype(e.event_at)
    assert pd.api.types.is_integer_dtype(o.quantity)
    assert set(o.currency) == {"USD"}
    assert set(o.channel) == {"organic", "paid_search", "social", "email", "referral"}
    assert set(e.event) == {"page_view", "view_item", "add_to_cart", "begin_checkout", "purchase"}
    assert set(e.device) == {"desktop", "mobile", "tablet"}
    assert set(store["inventory"].location) == {"main"}


def test_history_is_730_days_ending_at_as_of(store):
    inv = store["inventory"]
    days = pd.to_datetime(inv.date).dt.date
    assert days.nunique() == 730 and days.min() == START and days.max() == AS_OF
    for col, frame in (("ordered_at", store["orders"]), ("event_at", store["events"])):
        d = frame[col].dt.date
        assert d.min() == START and d.max() == AS_OF, col
    p = store["promotions"]
    assert (pd.to_datetime(p.start_date).dt.date >= START).all()
    assert (pd.to_datetime(p.end_date).dt.date <= AS_OF).all()
    assert (p.start_date <= p.end_date).all()


def test_files_are_written_in_time_order(store):
    assert store["orders"].ordered_at.is_monotonic_increasing
    assert store["events"].event_at.is_monotonic_increasing
    inv = store["inventory"]
    assert inv.date.is_monotonic_increasing


def test_products(store):
    p = store["products"]
    assert p.sku.is_unique
    assert p.category.nunique() == 12
    margin = 1 - p.unit_cost / p.price
    assert margin.between(0.2, 0.7).all()
    assert p.lead_time_days.between(5, 45).all()
    assert (p.moq >= 1).all() and (p.case_pack >= 1).all() and (p.moq % p.case_pack == 0).all()
    assert (~p.active).any() and p.active.mean() > 0.8
    # the supplier's own code where known: every other supplier's SKUs (Northwind Trading -> NT-APP0001)
    from lib.demo import config
    known = p.supplier.isin(config.SUPPLIERS[::2])
    assert p.supplier_sku[~known].isna().all() and known.any() and (~known).any()
    nw = p[p.supplier == "Northwind Trading"]
    assert (nw.supplier_sku == "NT-" + nw.sku.str.replace("-", "")).all()
    first_day = store["inventory"].groupby("sku").date.min()
    assert (pd.to_datetime(first_day).dt.date > START).any()  # launches inside the window


def test_orders_reference_products_and_have_sane_money(store):
    o, p = store["orders"], store["products"]
    assert set(o.sku) <= set(p.sku)
    revenue = o.quantity * o.unit_price - o.discount
    assert (revenue[o.quantity > 0] >= 0).all()
    assert (revenue[o.quantity < 0] < 0).all()
    assert (o.discount >= 0).all() and (o.unit_price > 0).all()
    assert (o.quantity != 0).all()
    assert 0.95 < (o.status == "completed").mean() + (o.status == "refunded").mean() < 0.99
    assert set(o.status) == {"completed", "cancelled", "refunded"}


def test_returns_are_refunds_of_something_the_customer_bought(store):
    o = store["orders"]
    ret = o[o.quantity < 0]
    assert 0.01 <= len(ret) / len(o) <= 0.02
    assert (ret.status == "refunded").all() and (o[o.status == "refunded"].quantity < 0).all()
    sold = o[o.quantity > 0].set_index(["order_id", "sku"])
    bought = sold.loc[list(zip(ret.order_id, ret.sku, strict=True))]
    assert (bought.quantity.to_numpy() >= -ret.quantity.to_numpy()).all()
    assert (bought.customer_id.to_numpy() == ret.customer_id.to_numpy()).all()
    assert (bought.status.to_numpy() == "completed").all()


def test_purchase_events_match_orders_one_to_one(store):
    o, e = store["orders"], store["events"]
    pur = e[e.event == "purchase"]
    assert pur.order_id.is_unique
    assert set(pur.order_id) == set(o.order_id)
    assert e.loc[e.event != "purchase", "order_id"].isna().all()
    head = o.drop_duplicates("order_id").set_index("order_id")
    m = pur.merge(head[["ordered_at", "customer_id"]], left_on="order_id", right_index=True,
                  suffixes=("", "_order"))
    assert (m.customer_id == m.customer_id_order).all()
    lag = (m.event_at - m.ordered_at).dt.total_seconds()
    assert lag.between(0, 5).all()


def test_event_sequences_and_anonymous_visitors(store):
    e = store["events"]
    assert e.loc[e.event.isin(["view_item", "add_to_cart"]), "sku"].notna().all()
    assert e.loc[~e.event.isin(["view_item", "add_to_cart"]), "sku"].isna().all()
    assert 0.5 < e.customer_id.isna().mean() < 0.98
    sess = e.groupby("session_id")
    assert (sess.event.first() == "page_view").all()
    n = sess.size()
    assert 0.3 < (n == 1).mean() < 0.7  # bounces
    assert e.loc[e.event == "begin_checkout", "session_id"].value_counts().max() > 1  # repeated steps
    last = sess.event.last()
    assert (last[e.loc[e.event == "purchase", "session_id"]] == "purchase").all()
    for col in ("user_id", "channel", "device", "landing_page"):  # session-level attributes
        assert e.drop_duplicates(["session_id", col]).session_id.is_unique, col


# ---------------------------------------------------------------- planted behaviour

def test_stockout_days_sell_nothing_but_product_pages_keep_views(store, daily_sales):
    inv = store["inventory"]
    out = inv[inv.on_hand == 0]
    assert 0.005 < len(out) / len(inv) < 0.15
    key = pd.MultiIndex.from_arrays([out.sku, pd.to_datetime(out.date).dt.date])
    assert daily_sales.reindex(key).fillna(0).eq(0).all()
    o = store["orders"]
    on_stockout = pd.MultiIndex.from_arrays([o.sku, o.ordered_at.dt.date]).isin(key)
    assert not on_stockout.any()  # no line of any status on a stockout day
    e = store["events"]
    views = e[e.event == "view_item"]
    viewed = pd.MultiIndex.from_arrays([views.sku, views.event_at.dt.date]).unique()
    assert key.isin(viewed).sum() > 0.3 * len(key)
    assert (inv.on_order > 0).mean() > 0.05 and (inv.on_hand >= 0).all() and (inv.on_order >= 0).all()


def test_slow_movers_have_many_zero_days_and_holidays_peak(store, daily_sales):
    inv = store["inventory"]
    zero_share = 1 - daily_sales.groupby(level=0).size() / inv.groupby("sku").size()
    assert (zero_share > 0.8).sum() >= 3 and (zero_share < 0.3).sum() >= 1
    o = store["orders"]
    per_day = o.drop_duplicates("order_id").groupby(o.ordered_at.dt.date).size()
    assert per_day[date(2025, 11, 28)] > 2.5 * per_day.median()  # Black Friday 2025
    assert per_day[date(2024, 12, 2)] > 2.0 * per_day.median()  # Cyber Monday 2024


def test_conversion_by_device_and_channel(sessions):
    assert 0.01 <= sessions.buy.mean() <= 0.04
    by_dev = sessions.groupby("device").buy.mean()
    assert by_dev["mobile"] < by_dev["desktop"]
    by_ch = sessions.groupby("channel").buy.mean()
    assert by_ch["email"] > by_ch["organic"] > by_ch["social"]


def test_email_customers_repeat_more_than_paid_search(store):
    o = store["orders"]
    first = o.sort_values(["ordered_at", "order_id"]).drop_duplicates("customer_id").set_index("customer_id")
    n_orders = o.groupby("customer_id").order_id.nunique()
    rate = (n_orders >= 2).groupby(first.channel.reindex(n_orders.index)).mean()
    assert rate["email"] > rate["paid_search"] + 0.1
    assert rate["referral"] > rate["social"]


def test_truth_records_what_was_planted(store):
    t, p, pr = store["truth"], store["products"], store["promotions"]
    assert (t["as_of"], t["seed"], t["scale"], t["days"]) == (AS_OF.isoformat(), 7, SCALE, 730)
    assert set(t["skus"]) == set(p.sku)
    el = np.array([v["elasticity"] for v in t["skus"].values()])
    assert ((el >= -3.0) & (el <= -0.5)).all() and el.std() > 0.2
    assert {v["category"] for v in t["skus"].values()} == set(p.category)
    assert all(t["skus"][s]["category"] == c for s, c in zip(p.sku, p.category, strict=True))
    assert all(v["base_demand"] > 0 for v in t["skus"].values())
    n_changes = [len(v["price_changes"]) for v in t["skus"].values()]
    assert min(n_changes) == 0 and max(n_changes) >= 2
    assert set(t["promotions"]) == set(pr.promo_id)
    assert all(v["lift"] >= 1 for v in t["promotions"].values())
    assert set(t["customers"]["channels"]) == {"organic", "paid_search", "social", "email", "referral"}
    reps = {c: v["repeat_probability"] for c, v in t["customers"]["channels"].items()}
    assert reps["email"] > reps["paid_search"] and reps["referral"] > reps["social"]
    assert len(t["seasonality"]["daily_shock"]) == 730 and "holidays" in t["seasonality"]


def test_list_price_changes_and_promotions_show_in_realised_prices(store):
    t, o = store["truth"], store["orders"]
    checked = 0
    for sku, v in t["skus"].items():
        if not v["price_changes"]:
            continue
        bounds = [pd.Timestamp(d) for d, _ in v["price_changes"]] + [pd.Timestamp.max]
        lines = o[o.sku == sku]
        before = lines[lines.ordered_at < bounds[0]].unit_price
        first = lines[(lines.ordered_at >= bounds[0]) & (lines.ordered_at < bounds[1])].unit_price
        if len(before) >= 20 and len(first) >= 20:
            assert before.max() == v["ref_price"]  # list price, or lower under a promotion
            assert first.max() == v["price_changes"][0][1]
            checked += 1
    assert checked >= 3
    list_price = o.sku.map({s: v["ref_price"] for s, v in t["skus"].items()})
    assert (o.unit_price < 0.9 * list_price).mean() > 0.02  # promotions in effect


# ---------------------------------------------------------------- scale 1 sizes

def test_scale_1_sizes(tmp_path):
    s = generate(tmp_path, seed=7, scale=1.0, as_of=AS_OF)
    assert 200_000 <= s["rows"]["orders"] <= 320_000
    assert 250 <= s["rows"]["products"] <= 350
    assert 3_000_000 <= s["rows"]["events"] <= 12_000_000
    o = pq.read_table(tmp_path / "orders.parquet", columns=["customer_id"])
    assert 40_000 <= len(set(o.column("customer_id").to_pylist())) <= 60_000
    cats = pq.read_table(tmp_path / "products.parquet", columns=["category"]).column("category").to_pylist()
    assert len(set(cats)) == 12


# ---------------------------------------------------------------- traffic subsample

def test_traffic_keeps_every_purchase_session_and_a_seeded_fifth_of_the_others(store, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    s = generate(a, seed=7, scale=SCALE, as_of=AS_OF, traffic=0.2)
    generate(b, seed=7, scale=SCALE, as_of=AS_OF, traffic=0.2)
    assert _hashes(a) == _hashes(b)  # deterministic
    full = _hashes(store["dir"])
    for feed in ("products", "orders", "inventory", "promotions"):  # only events change
        assert _hashes(a)[f"{feed}.parquet"] == full[f"{feed}.parquet"], feed
    e, full_e = pd.read_parquet(a / "events.parquet"), store["events"]
    assert s["rows"]["events"] == len(e) < len(full_e)
    buying = set(full_e.session_id[full_e.event == "purchase"])
    kept = set(e.session_id)
    assert buying <= kept  # every purchase session, so every order still has its purchase event
    assert set(e.order_id.dropna()) == set(store["orders"].order_id)
    others, kept_others = set(full_e.session_id) - buying, kept - buying
    assert kept_others <= others  # a subsample: same ids as the full run
    assert 0.18 < len(kept_others) / len(others) < 0.22
    assert s["sessions"] == len(kept)
    # a kept session's rows are exactly the full run's rows for it, in the same order
    same = full_e[full_e.session_id.isin(kept)].reset_index(drop=True)
    pd.testing.assert_frame_equal(e, same)
    t = json.loads((a / "truth.json").read_text())
    assert t["traffic"]["fraction"] == 0.2 and t["traffic"]["sessions_generated"] == store["summary"]["sessions"]
    assert "traffic" not in store["truth"]  # recorded only when below 1
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError):
            generate(tmp_path / "x", seed=7, scale=SCALE, as_of=AS_OF, traffic=bad)


def test_traffic_cli_flag_and_demo_directory_name(tmp_path):
    from lib.ingest import demo_dir

    assert demo_dir(tmp_path, 7, 1.0, AS_OF).name == "demo-seed7-scale1-2026-11-26"  # unchanged
    assert demo_dir(tmp_path, 7, 1.0, AS_OF, traffic=1.0).name == "demo-seed7-scale1-2026-11-26"
    assert demo_dir(tmp_path, 7, 18, AS_OF, traffic=0.005).name == "demo-seed7-scale18-traffic0.005-2026-11-26"
    res = subprocess.run([sys.executable, "-m", "lib.demo", "--seed", "7", "--scale", "0.05", "--out",
                          str(tmp_path / "cli"), "--as-of", AS_OF.isoformat(), "--traffic", "0.5", "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    printed = json.loads(res.stdout)
    assert printed["traffic"] == 0.5
    assert json.loads((tmp_path / "cli" / "truth.json").read_text())["traffic"]["fraction"] == 0.5


def test_customer_profiles_cover_every_ordering_customer_and_pass_validation(store):
    """The customers feed: one row per simulated customer, every customer id of the orders feed among them,
    unique lower-case emails on a reserved example domain (3% have none), about 58% accept marketing."""
    from lib.warehouse.validation import validate

    c, t = store["customers"], store["truth"]["profiles"]
    assert c["customer_id"].is_unique
    assert set(store["orders"]["customer_id"]) <= set(c["customer_id"])
    email = c["email"].dropna()
    assert email.is_unique and email.str.fullmatch(r"[a-z]+\.[a-z]+\d+@example\.(com|net|org)").all()
    assert abs(c["email"].isna().mean() - t["email_missing_share"]) < 0.01
    assert abs(c["accepts_marketing"].mean() - t["consent_share"]) < 0.03
    assert set(c["country"]) == set(t["countries"])
    checked = validate("customers", c)
    assert len(checked.frame) == len(c) and checked.warnings.empty
