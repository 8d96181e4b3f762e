"""Journey 3, Funnel: page_view → view_item → add_to_cart → purchase by channel over the last 30 days; find the
channel and step with the biggest drop; compare with the previous period; download the abandoned-cart audience
and import it into an email tool.

Expected numbers come from the warehouse: funnel.compute for the steps, and a hand computation in plain
pandas of who abandoned the cart (each session's best page_view → view_item → add_to_cart → purchase chain
within one day, the person behind it from the customers feed), so the downloaded list is checked against an
independent reading of the events, not against the function that made it.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pandas as pd
import pytest

from lib import fmt, funnel
from lib.schema import valid_email
from tests.support.browser import (
    caption_texts,
    download,
    download_in,
    fresh_page,
    main_text,
    no_exception,
    pick,
    unpick,
    wait_title,
)
from tests.support.journeys import AS_OF, check_warehouse

pytestmark = pytest.mark.browser

STEPS = ["page_view", "view_item", "add_to_cart", "purchase"]
START, END = AS_OF - timedelta(days=29), AS_OF                      # "Last 30 days": Nov 06 – Dec 05, 2026
PREV = (START - timedelta(days=30), START - timedelta(days=1))     # the previous period: Oct 07 – Nov 05
VIEW = f"{START}-{END}-page_view-view_item-add_to_cart-purchase-sessions-1-day-sequential"
KLAVIYO_MAILCHIMP = ["Email Address", "First Name", "Last Name", "Email Marketing Consent", "Country"]


def biggest_drop_by_hand(result: pd.DataFrame) -> tuple[str, int, int, int]:
    """(channel, step index, units at the step, units lost) with the highest share lost, from compute()."""
    best = None
    for channel, g in result.groupby("channel"):
        e = g.sort_values("step_index")["entered"].tolist()
        for i in range(len(e) - 1):
            if e[i]:
                key = ((e[i] - e[i + 1]) / e[i], e[i] - e[i + 1], -(i + 1))
                if best is None or key > best[0]:
                    best = (key, (channel, i + 1, e[i], e[i] - e[i + 1]))
    return best[1]


def abandoned_carts_by_hand(wh) -> pd.DataFrame:
    """People who reached add_to_cart but not purchase in the range (sessions, sequential, 1-day window), and
    did not buy afterwards; with their latest abandoned session's step time and cart (list prices)."""
    lo, hi = datetime.combine(START, datetime.min.time()), datetime.combine(END + timedelta(days=1),
                                                                             datetime.min.time())
    ev = wh.read(
        "SELECT e.session_id, e.event_at, e.event, e.sku FROM events e WHERE e.event_at >= :lo AND e.event_at < :hi "
        "AND e.session_id IN (SELECT session_id FROM events WHERE event = 'add_to_cart' AND event_at >= :lo "
        "AND event_at < :hi)", {"lo": lo, "hi": hi})
    who = wh.read("SELECT session_id, max(customer_id) AS customer_id FROM events WHERE event_at >= :lo "
                  "AND event_at < :hi AND customer_id IS NOT NULL GROUP BY session_id", {"lo": lo, "hi": hi})
    price = wh.read("SELECT sku, price FROM products").set_index("sku")["price"]
    day = pd.Timedelta(days=1)
    rows = []
    for sid, g in ev.sort_values(["session_id", "event_at"]).groupby("session_id"):
        times = {s: sorted(g.loc[g.event == s, "event_at"]) for s in STEPS}
        best_k, best_t = 0, None
        for t1 in times["page_view"]:                       # every page view starts an attempt
            reached, cur = [t1], t1
            for s in STEPS[1:]:
                nxt = [t for t in times[s] if cur < t <= t1 + day]
                if not nxt:
                    break
                cur = nxt[0]
                reached.append(cur)
            if len(reached) > best_k:                       # the earliest attempt reaching the most steps
                best_k, best_t = len(reached), reached[-1]
        if best_k >= 3:
            cart = float(price.reindex(g.loc[g.event == "add_to_cart", "sku"]).sum())
            rows.append({"session_id": sid, "k": best_k, "t": best_t, "cart": cart})
    units = pd.DataFrame(rows).merge(who, on="session_id")
    bought = units[units.k == 4].groupby("customer_id")["t"].max()
    left = units[units.k == 3].sort_values("t").groupby("customer_id").tail(1)
    left = left[~(left["customer_id"].map(bought) >= left["t"])]
    people = wh.read("SELECT customer_id, email, first_name, last_name, accepts_marketing, country FROM customers")
    return left.merge(people, on="customer_id", how="left")


def test_funnel_by_channel_biggest_drop_comparison_and_audience(demo, browser, journey, tmp_path):
    with check_warehouse(demo) as wh:
        by_channel = funnel.compute(wh, STEPS, START, END, by="channel")
        by_channel_before = funnel.compute(wh, STEPS, PREV[0], PREV[1], by="channel")
        hand = abandoned_carts_by_hand(wh)
    ctx, page = fresh_page(browser)
    with journey.step("open the Funnel in a fresh browser"):
        page.goto(demo["url"] + "/funnel")
        wait_title(page, "Funnel")
    with journey.step("set the steps, the breakdown and the range"):
        unpick(page, "Steps, in order", "begin_checkout")
        pick(page, "Compare with", "No comparison")
        pick(page, "Breakdown", "Channel")
        pick(page, "Date range", "Last 30 days")
        no_exception(page)
    text = main_text(page)
    assert "Nov 06, 2026 – Dec 05, 2026" in text
    assert "Compared with" not in text

    with journey.step("read the biggest drop the page names"):
        channel, k, entered, lost = biggest_drop_by_hand(by_channel)
        said = re.search(r"Biggest drop: (.+?), (\d) · (\w+) → (\d) · (\w+): ([\d.]+%) of ([\d,]+) sessions went no "
                         r"further \(([\d,]+)\)", main_text(page))
        assert said, main_text(page)[:3000]
        assert said.group(1) == fmt.words(channel)
        assert (int(said.group(2)), said.group(3), said.group(5)) == (k, STEPS[k - 1], STEPS[k])
        assert said.group(6) == fmt.pct(lost / entered)
        assert (said.group(7), said.group(8)) == (fmt.count(entered), fmt.count(lost))

    with journey.step("turn on the comparison with the previous period"):
        pick(page, "Compare with", "Previous period")
        no_exception(page)
        assert "Compared with Oct 07, 2026 – Nov 05, 2026." in caption_texts(page)
        assert any("the dark mark on each bar is the compared range (Oct 07, 2026 – Nov 05, 2026)" in c
                   for c in caption_texts(page))
    with journey.step("download the by-channel table and read it back"):
        path = download_in(page, "fseg_tbl_channel", "CSV", tmp_path)
        assert path.name == f"funnel-by-channel-{VIEW}.csv"
        table = pd.read_csv(path)
        row = table[(table["Channel"] == fmt.words(channel)) & (table["step"] == f"{k + 1} · {STEPS[k]}")].iloc[0]
        now = by_channel[(by_channel.channel == channel) & (by_channel.step_index == k + 1)].iloc[0]
        before = by_channel_before[(by_channel_before.channel == channel)
                                   & (by_channel_before.step_index == k + 1)].iloc[0]
        assert int(row["entered"]) == int(now["entered"])
        assert int(row["compared · entered"]) == int(before["entered"])
        assert row["from step 1"] == pytest.approx(now["conversion_from_start"])
        assert row["compared · from step 1"] == pytest.approx(before["conversion_from_start"])
        assert row["from step 1 · change"] == pytest.approx(now["conversion_from_start"]
                                                             - before["conversion_from_start"])

    with journey.step("download the abandoned-cart audience"):
        page.get_by_role("button", name=re.compile(r"Download the audience as CSV")).scroll_into_view_if_needed()
        path = download(page, page.get_by_role("button", name=re.compile(r"Download the audience as CSV")).click,
                        tmp_path)
    assert path.name == f"funnel-audience-{VIEW}-add_to_cart-subscribed.csv"
    got = pd.read_csv(path, dtype=str, keep_default_na=False)
    with journey.step("check it imports into Klaviyo / Mailchimp"):
        assert got.columns.tolist()[:5] == KLAVIYO_MAILCHIMP   # Email Address first: both tools map these
        assert got["Email Address"].map(valid_email).all() and got["Email Address"].is_unique
        assert (got["Email Marketing Consent"] == "Subscribed").all()
        assert len(got) > 20
    with journey.step("check its rows against a hand query of who abandoned the cart"):
        want = hand[hand["accepts_marketing"].fillna(False).astype(bool) & hand["email"].map(valid_email)]
        want_rows = sorted(zip(want["email"], want["customer_id"], want["first_name"].fillna(""),
                               want["t"].dt.strftime("%Y-%m-%d %H:%M:%S"), want["cart"].round(2), strict=True))
        got_rows = sorted(zip(got["Email Address"], got["Customer ID"], got["First Name"], got["Abandoned At"],
                              got["Cart Value"].astype(float).round(2), strict=True))
        assert got_rows == want_rows
        assert set(got["Abandoned Step"]) == {"add_to_cart"}
        # the page counts everyone who abandoned, with or without consent
        assert f"{len(hand):,} identified customers reached add_to_cart" in main_text(page)
    no_exception(page)
    ctx.close()
