"""channel_report() and payback() against a plain-pandas reference written from the definitions (lib.marketing's
docstring) on random small stores: orders with and without purchase events, direct purchase sessions with
earlier paid visits inside and outside the 30-day look-back, cancelled and return lines, uncosted SKUs, and
spend on channels with and without orders (DuckDB)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lib import marketing
from lib.settings import Settings
from lib.warehouse import Warehouse

DAY0 = datetime(2026, 1, 1)
START, END = date(2026, 2, 1), date(2026, 3, 2)        # orders and events span Jan 1 .. Mar 2
CHANNELS = [None, "direct", "paid_search", "email", "paid_social"]
DIRECT = {None, "direct"}


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    w = Warehouse.open(url=f"duckdb:///{tmp_path_factory.mktemp('mprop')}/wh.duckdb",
                       settings=Settings(store_timezone="UTC"))
    w.load("products", pd.DataFrame({"sku": ["A", "B"], "name": ["a", "b"], "category": ["x", "x"],
                                     "unit_cost": [3.0, 7.5], "price": [10.0, 20.0]}), source="p")
    yield w
    w.dispose()


session = st.tuples(st.integers(0, 3), st.integers(0, 60), st.integers(0, 23), st.sampled_from(CHANNELS))
order = st.tuples(
    st.integers(0, 4),                                          # customer
    st.integers(0, 60), st.integers(0, 23),                     # day, hour
    st.one_of(st.none(), st.integers(0, 7)),                    # the session whose purchase event carries it
    st.sampled_from(CHANNELS),                                  # orders.channel
    st.lists(st.tuples(st.sampled_from(["A", "B", "Z"]), st.integers(-1, 3).filter(bool),
                       st.sampled_from([0.0, 1.5]), st.sampled_from([None, "paid", "cancelled"])),
             min_size=1, max_size=2, unique_by=lambda line: line[0]),
)
spend_row = st.tuples(st.integers(25, 65), st.sampled_from(["paid_search", "email", "display"]),
                      st.sampled_from([0.0, 5.0, 12.25]))


def build(sessions, orders, spend):
    ev, od = [], []
    for i, (user, day, hour, ch) in enumerate(sessions):
        at = DAY0 + timedelta(days=day, hours=hour, seconds=i)
        ev.append(dict(session_id=f"s{i}", user_id=f"u{user}", event_at=at, event="page_view", channel=ch,
                       order_id=None))
    for k, (cust, day, hour, sess, och, lines) in enumerate(orders):
        at = DAY0 + timedelta(days=day, hours=hour, minutes=k)
        for sku, qty, disc, status in lines:
            od.append(dict(order_id=f"o{k}", ordered_at=at, customer_id=f"c{cust}", sku=sku, quantity=qty,
                           unit_price=10.0, discount=disc, channel=och, status=status))
        if sess is not None and sess < len(sessions):
            user, _, _, ch = sessions[sess]
            ev.append(dict(session_id=f"s{sess}", user_id=f"u{user}", event_at=at + timedelta(seconds=1),
                           event="purchase", channel=ch, order_id=f"o{k}"))
    sp = [dict(date=(DAY0 + timedelta(days=d)).date(), channel=c, spend=v) for d, c, v in spend]
    return (pd.DataFrame(ev), pd.DataFrame(od),
            pd.DataFrame(sp, columns=["date", "channel", "spend"]).drop_duplicates(ignore_index=True))


def reference(ev: pd.DataFrame, od: pd.DataFrame, sp: pd.DataFrame) -> pd.DataFrame:
    lo, hi = datetime.combine(START, datetime.min.time()), datetime.combine(END + timedelta(days=1),
                                                                              datetime.min.time())
    cost = {"A": 3.0, "B": 7.5}
    live = od[od.status.ne("cancelled") | od.status.isna()].copy() if len(od) else od
    live["rev"] = live.quantity * live.unit_price - live.discount
    live["margin"] = [r.rev - r.quantity * cost[r.sku] if r.sku in cost else 0.0 for r in live.itertuples()]
    sess = {}
    for sid, g in (ev.groupby("session_id") if len(ev) else []):
        chans = sorted(c for c in g.channel if c not in DIRECT and isinstance(c, str))
        sess[sid] = dict(user=g.user_id.iloc[0], started=g.event_at.min(), channel=chans[0] if chans else None)
    buys = ev[ev.event.eq("purchase")].set_index("order_id")["session_id"].to_dict() if len(ev) else {}

    def channel(oid, at, own):
        if oid not in buys:
            return own if own not in DIRECT and isinstance(own, str) else "direct"
        s = sess[buys[oid]]
        if s["channel"] is not None:
            return s["channel"]
        prior = [v for v in sess.values() if v["user"] == s["user"] and v["channel"] is not None
                 and v["started"] <= at and (at.normalize() - v["started"].normalize()).days <= 30]
        return max(prior, key=lambda v: v["started"])["channel"] if prior else "direct"

    inr = live[(live.ordered_at >= lo) & (live.ordered_at < hi)]
    if inr.empty:
        inr = pd.DataFrame({"order_id": ["~"], "ordered_at": [lo], "customer_id": ["~"], "channel": [None],
                            "rev": [0.0], "margin": [0.0]}).iloc[:0]
    orders = inr.groupby("order_id").agg(t=("ordered_at", "min"), cust=("customer_id", "min"),
                                         own=("channel", lambda s: min([c for c in s if isinstance(c, str)],
                                                                        default=None)),
                                         revenue=("rev", "sum"), margin=("margin", "sum"))
    orders["ch"] = pd.Series([channel(oid, r.t, r.own) for oid, r in orders.iterrows()], index=orders.index,
                             dtype=object)
    first_at = live.groupby("customer_id")["ordered_at"].min()
    is_first = np.array([t == first_at.get(c) for t, c in zip(orders.t, orders.cust, strict=True)], dtype=bool)
    firsts = orders.loc[is_first].reset_index().sort_values("order_id")
    firsts = firsts.drop_duplicates("cust")
    rows = {}
    for ch, g in orders.groupby("ch"):
        rows.setdefault(ch, {}).update(orders=float(len(g)), revenue=g.revenue.sum(), gross_margin=g.margin.sum())
    for ch, n in firsts.groupby("ch").size().items():
        rows.setdefault(ch, {})["new_customers"] = float(n)
    for v in sess.values():
        if lo <= v["started"] < hi:
            d = rows.setdefault(v["channel"] or "direct", {})
            d["sessions"] = d.get("sessions", 0.0) + 1
    spent = sp[(sp.date >= START) & (sp.date <= END)].groupby("channel")["spend"].sum()
    for ch, v in spent.items():
        rows.setdefault(ch, {})["spend"] = v
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(
        columns=["spend", "sessions", "orders", "revenue", "gross_margin", "new_customers"]).fillna(0.0)
    paid = out.spend > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out["roas"] = (out.revenue / out.spend.where(out.spend != 0))
        out["cpa"] = (out.spend / out.orders.where(out.orders != 0)).where(paid)
        out["cac"] = (out.spend / out.new_customers.where(out.new_customers != 0)).where(paid)
    out = out.sort_index()
    out.attrs.update(live=live, firsts=firsts)
    return out


def payback_reference(live: pd.DataFrame, firsts: pd.DataFrame, sp: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """payback() from its definition: month-by-month margin of each (first-order month, channel) cohort."""
    def month(d) -> int:
        return d.year * 12 + d.month - 1

    spend = sp[(sp.date >= START) & (sp.date <= END)]
    rows = []
    cohorts = firsts.assign(cohort=[month(t) for t in firsts.t]) if len(firsts) else firsts.assign(cohort=[])
    for (cohort, ch), g in cohorts.groupby(["cohort", "ch"]):
        n = len(g)
        lines = live[live.customer_id.isin(set(g.cust))]
        since = np.array([month(t) for t in lines.ordered_at]) - cohort
        same = np.array([month(d) == cohort for d in spend.date], dtype=bool) & spend.channel.eq(ch).to_numpy()
        paid = spend[same]["spend"]
        cac = paid.sum() / n if len(paid) else np.nan
        cum = 0.0
        for k in range(month(as_of) - cohort + 1):
            cum += float(lines.margin[since == k].sum())
            rows.append((date(cohort // 12, cohort % 12 + 1, 1), ch, k, n, cac, cum / n,
                         bool(cum / n >= cac) if not np.isnan(cac) else False))
    return pd.DataFrame(rows, columns=marketing.payback.__globals__["PAYBACK_COLUMNS"])


# no shrinking: every example loads a warehouse, and shrinking a failure took minutes (the failure printed is
# the one found, not a minimal one)
@settings(max_examples=50, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(session, max_size=8), st.lists(order, min_size=1, max_size=8), st.lists(spend_row, max_size=4))
def test_channel_report_matches_pandas(wh, sessions, orders, spend):
    ev, od, sp = build(sessions, orders, spend)
    wh.load("orders", od, source="o")
    if len(ev):
        wh.load("events", ev, source="e")
    else:
        wh.load("events", pd.DataFrame({"session_id": ["x"], "event_at": [DAY0], "event": ["page_view"]}),
                source="e")
        ev = pd.DataFrame({"session_id": ["x"], "user_id": [None], "event_at": [DAY0], "event": ["page_view"],
                           "channel": [None], "order_id": [None]})
    if len(sp):
        wh.load("spend", sp, source="s")
    else:
        wh.load("spend", pd.DataFrame({"date": [date(2025, 1, 1)], "channel": ["email"], "spend": [1.0]}),
                source="s")
    got = marketing.channel_report(wh, START, END).set_index("channel").sort_index()
    exp = reference(ev, od, sp)
    assert got.index.tolist() == exp.index.tolist()
    if got.empty:
        assert marketing.payback(wh, START, END, as_of=END).empty
        return
    cols = ["spend", "sessions", "orders", "revenue", "gross_margin", "new_customers", "roas", "cpa", "cac"]
    pd.testing.assert_frame_equal(got[cols], exp[cols], check_exact=False, atol=1e-9, check_names=False,
                                  check_index_type=False)
    pay = marketing.payback(wh, START, END, as_of=END)
    ref = payback_reference(exp.attrs["live"], exp.attrs["firsts"], sp, END)
    assert len(pay) == len(ref)
    if len(ref):
        pd.testing.assert_frame_equal(pay, ref, check_exact=False, atol=1e-9, check_dtype=False)
