"""Journey 8, Pricing & promos: "what if we take 15% off one category for two weeks?"; save the scenario,
compare it with another, plan replenishment on it.

In the browser, as a planner would: pick the category with the most SKUs, stretch the window to four weeks
(Dec 06 – Jan 02) and type a promotion row of 15% for the two weeks in its middle (Dec 13 – 26); read the
tiles and their caption; download the daily results and check that units move only on the promotion's
days and only in the category (the whole store moves by exactly the scope's change); save it, save a 10%
variant, compare the two side by side; then "Plan replenishment with …" and check that Replenishment
plans the category on the scenario's demand while every other SKU keeps the baseline plan.
"""
from __future__ import annotations

import re
import uuid
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from lib.ui.widgets.downloads import slug
from lib.warehouse.tables import FEED_TABLES
from tests.support.browser import (
    SLOW,
    add_promotion,
    by_key,
    download,
    fresh_page,
    main_text,
    multipick_typed,
    no_exception,
    number,
    open_promotion_cell,
    pick,
    set_date_range,
    settle,
    tile,
    tile_delta,
    wait_title,
)
from tests.support.journeys import check_warehouse

pytestmark = pytest.mark.browser

WINDOW = (date(2026, 12, 6), date(2027, 1, 2))         # four weeks from the day after the data ends
PROMO = (date(2026, 12, 13), date(2026, 12, 26))       # the two weeks in the middle


def _category(demo) -> tuple[str, int]:
    """The category with the most SKUs in the product feed (ties: alphabetical), and its SKU count."""
    p = FEED_TABLES["products"]
    with check_warehouse(demo) as wh:
        counts = wh.read(select(p.c.category, func.count().label("n")).group_by(p.c.category))
    counts = counts.sort_values(["n", "category"], ascending=[False, True])
    return str(counts.iloc[0]["category"]), int(counts.iloc[0]["n"])


def _wait_text(page, text: str) -> None:
    page.get_by_text(text).first.wait_for(timeout=SLOW)
    settle(page)


def _change(delta: str) -> int:
    """'+1,234 (+54.2%)' -> 1234; '−56 (−3.0%)' -> -56: the change a tile's delta shows first."""
    return int(number(delta.split(" (")[0]))


def _column(df: pd.DataFrame, *names: str) -> str | None:
    """The first of ``names`` that ``df`` has (case-insensitive): files name columns as the screen does."""
    lower = {c.lower(): c for c in df.columns}
    return next((lower[n.lower()] for n in names if n.lower() in lower), None)


def _plan(page, tmp_path, tag: str) -> pd.DataFrame:
    (tmp_path / tag).mkdir()
    path = download(page, lambda: by_key(page, "dl_plan").locator("button").first.click(), tmp_path / tag)
    df = pd.read_csv(path)
    sku = _column(df, "sku", "SKU")
    assert sku, list(df.columns)
    return df.set_index(sku)


def test_fifteen_percent_off_one_category_for_two_weeks(demo, browser, journey, tmp_path):
    cat, n_skus = _category(demo)
    tag = uuid.uuid4().hex[:6]
    name15, name10 = f"J8 {cat} -15% {tag}", f"J8 {cat} -10% {tag}"
    ctx, page = fresh_page(browser)
    with journey.step("open Pricing & promos (first visit fits the models)"):
        page.goto(demo["url"] + "/pricing")
        wait_title(page, "Pricing & promos")
        _wait_text(page, "This scenario changes nothing yet")
    no_exception(page)

    with journey.step("build it: one category, four-week window, a 15% promotion row for two weeks"):
        multipick_typed(page, "Categories", cat)
        set_date_range(page, "Window", end=WINDOW[1])
        name = page.locator('input[aria-label="Scenario name"]')
        name.fill(name15)
        name.press("Enter")
        settle(page)
        add_promotion(page, "15", f"{PROMO[0]:%Y-%m-%d}", f"{PROMO[1]:%Y-%m-%d}")
        _wait_text(page, f"Result: {name15}")
        _wait_text(page, "Stock consequences")
    no_exception(page)

    with journey.step("read the tiles and what they count"):
        text = main_text(page).replace("\n", " ")
        assert (f"Scope: {cat} · every channel: {n_skus} SKUs in scope. "
                f"Window: Dec 06, 2026 – Jan 02, 2027 (28 days).") in text, text[:2000]
        units15_text = tile(page, "Units")
        units15, change15 = number(units15_text), _change(tile_delta(page, "Units"))
        assert change15 > 0                                         # 15% off sells more
        assert tile(page, "Incremental units") == f"+{change15:,}"  # no siblings: the whole change is the scope's
        whole = re.search(r"Whole store over the window \(([\d,]+) SKUs\): units ([\d,]+) → ([\d,]+)", text)
        assert whole, text[:2000]
        before, after = number(whole.group(2)), number(whole.group(3))
        assert int(number(whole.group(1))) > n_skus
        # the whole store moves by the scope's change (to the unit, both rounded): nothing else moved
        assert abs((after - before) - change15) <= 1

    with journey.step("download the daily results: units move only inside the two weeks and the category"):
        path = download(page, lambda: by_key(page, "sc_dl_daily_csv").locator("button").first.click(), tmp_path)
        assert path.name == (f"scenario-{slug(name15)}-{slug(cat + ' · every channel')}-2026-12-06-to-2027-01-02"
                             "-daily.csv")
        daily = pd.read_csv(path, parse_dates=["Day"])
        assert set(daily["Category"]) == {cat} and daily["SKU"].nunique() == n_skus
        assert len(daily) == n_skus * 28 and set(daily["Role"]) == {"In scope"}
        inside = daily["Day"].between(pd.Timestamp(PROMO[0]), pd.Timestamp(PROMO[1]))
        out = daily[~inside]
        assert (out["Units, scenario"] == out["Units, baseline"]).all()        # outside the promotion: baseline
        moved = daily[inside]
        assert set(daily.loc[daily["Units, scenario"] != daily["Units, baseline"], "Day"]) <= \
            set(pd.date_range(*PROMO))
        assert moved["Units, scenario"].sum() > moved["Units, baseline"].sum()
        assert (moved["Price, scenario"] <= moved["Price, baseline"] * 0.85 + 0.01).all()   # 15% off the shelf price
        assert round(daily["Units, scenario"].sum()) == units15                 # the tile, from the file
        assert round(daily["Units, scenario"].sum() - daily["Units, baseline"].sum()) == change15

    with journey.step("save it"):
        page.get_by_role("button", name="Save scenario").click()
        _wait_text(page, f"Saved “{name15}”.")
        page.wait_for_function("() => new URLSearchParams(location.search).get('sc') !== null", timeout=30_000)
        assert page.locator('input[aria-label="Saved scenario"]').input_value() == name15
    no_exception(page)

    with journey.step("a second one: 10% off, saved under its own name"):
        editor = open_promotion_cell(page, 0, "discount")
        editor.fill("10")
        page.keyboard.press("Enter")
        settle(page)
        name = page.locator('input[aria-label="Scenario name"]')
        name.fill(name10)
        name.press("Enter")
        _wait_text(page, f"Result: {name10}")
        page.wait_for_function("u => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => "
                               "m.querySelector('[data-testid=\"stMetricLabel\"]').innerText.trim() === 'Units' && "
                               "m.querySelector('[data-testid=\"stMetricValue\"]').innerText.trim() !== u)",
                               arg=units15_text, timeout=SLOW)
        change10 = _change(tile_delta(page, "Units"))
        assert 0 < change10 < change15                                   # a smaller discount sells less
        page.get_by_role("button", name="Save scenario").click()
        _wait_text(page, f"Saved “{name10}”.")
    no_exception(page)

    with journey.step("compare the two side by side"):
        page.get_by_role("tab", name="Compare scenarios").click()
        settle(page)
        multipick_typed(page, "Scenarios to compare", name15)
        multipick_typed(page, "Scenarios to compare", name10)
        _wait_text(page, "Whole store")
        path = download(page, lambda: by_key(page, "dl_cmp_tbl_csv").locator("button").first.click(), tmp_path)
        assert path.name == f"scenario-comparison-{slug(name15)}-{slug(name10)}.csv"
        cmp = pd.read_csv(path).set_index("Scenario")
        assert list(cmp.index) == ["Baseline", name15, name10]
        assert round(cmp.at[name15, "Units change"]) == change15       # the builder's tiles, both columns
        assert round(cmp.at[name10, "Units change"]) == change10
        assert cmp.at[name15, "Units"] > cmp.at[name10, "Units"] > cmp.at["Baseline", "Units"]
    no_exception(page)

    with journey.step("plan replenishment on the 15% scenario"):
        page.get_by_role("tab", name="Scenario builder").click()
        settle(page)
        pick(page, "Saved scenario", name15)
        _wait_text(page, f"Result: {name15}")
        page.get_by_role("link", name=f"Plan replenishment with “{name15}”").click()
        wait_title(page, "Replenishment")
        _wait_text(page, f"Demand includes the pricing scenario “{name15}”")
        assert "scenario=" in page.url
        with_sc = _plan(page, tmp_path, "scenario")
        # the baseline plan: Replenishment opened on its own (its "Plan without it" link shows the baseline
        # but leaves scenario= in the address, so a copied link would bring the scenario back)
        page.goto(demo["url"] + "/replenishment")
        wait_title(page, "Replenishment")
        assert "Demand includes the pricing scenario" not in main_text(page)
        base = _plan(page, tmp_path, "baseline")
    no_exception(page)

    with journey.step("the category's orders follow the scenario, every other SKU keeps its order"):
        with check_warehouse(demo) as wh:
            p = FEED_TABLES["products"]
            in_cat = set(wh.read(select(p.c.sku).where(p.c.category == cat))["sku"].astype(str))
        order = _column(base, "order_qty", "Order qty", "Order", "Order (units)", "Order quantity")
        assert order, list(base.columns)
        skus = base.index.astype(str)
        assert set(skus) == set(with_sc.index.astype(str))
        both = base[[order]].join(with_sc[[order]], rsuffix=" (scenario)")
        mine = both.index.astype(str).isin(in_cat)
        others = both[~mine]
        assert (others[order] == others[f"{order} (scenario)"]).all()          # outside the scope: same plan
        scope = both[mine]
        assert (scope[f"{order} (scenario)"] != scope[order]).any()             # the category's order moves
        assert scope[f"{order} (scenario)"].sum() > scope[order].sum()           # up: it sells more
        demand = _column(base, "demand_p", "Demand over the protection period", "Demand (protection period)")
        if demand:
            d = base[[demand]].join(with_sc[[demand]], rsuffix=" (scenario)")
            d = d[d.index.astype(str).isin(in_cat)]
            assert (d[f"{demand} (scenario)"] >= d[demand] - 1e-9).all() and \
                (d[f"{demand} (scenario)"] > d[demand]).any()
    ctx.close()
