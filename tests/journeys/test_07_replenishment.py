"""Journey 7, Replenishment: what to order this week and from whom; raise the service level; set a budget
cap; download the purchase orders and send them.

Read as a planner reads it: the tiles, the note under them, the plan (its CSV, which holds the rows of the
table with the same column names), then the purchase orders opened with openpyxl and pandas. Checked against
the warehouse (stock, case packs, MOQs, lead times, unit costs, supplier SKUs of the demo store) and against
the budget rule worked out again here from the plan without a budget.
"""
from __future__ import annotations

import io
import math
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pandas as pd
import pytest

from lib import replenish
from tests.support.browser import (
    download,
    fresh_page,
    main_text,
    no_exception,
    number,
    press_slider,
    set_number,
    settle,
    tile,
    tiles,
    truncated_tiles,
    wait_title,
)
from tests.support.journeys import check_warehouse

pytestmark = pytest.mark.browser


def _plan_csv(page, dest):
    path = download(page, lambda: page.get_by_role("button", name="Full plan (CSV)").click(), dest)
    return path, pd.read_csv(path, parse_dates=["Stockout"]).set_index("SKU")


def _wait_for(page, fragment: str) -> None:
    page.wait_for_function(f"() => location.search.includes({fragment!r})", timeout=60_000)


def _funded_by_the_rule(plan: pd.DataFrame, budget: float, as_of) -> dict[str, int]:
    """The budget rule of lib/replenish/budget.py, worked out again from the plan without a budget: urgent SKUs
    first by stockout day, then by expected sales per $; whole orders while they fit, else whole case packs of
    at least the MOQ."""
    rows = plan[plan["Recommended"] > 0].copy()
    rows["cost"] = rows["Recommended"] * rows["Unit cost"]
    rows["value"] = rows["Expected sales"] / rows["cost"]
    rows["day"] = [(d.date() - as_of).days if rows.at[s, "Urgent"] else math.inf
                   for s, d in rows["Stockout"].items()]
    rows = rows.rename_axis("sku").reset_index()
    rows = rows.sort_values(["Urgent", "day", "value", "sku"], ascending=[False, True, False, True])
    left, got = budget, {}
    for sku, r in rows.set_index("sku").iterrows():
        if r["cost"] <= left + 1e-6:
            got[sku] = int(r["Recommended"])
        else:
            pack = int(r["Case pack"])
            fit = int((left + 1e-6) // (r["Unit cost"] * pack)) * pack
            got[sku] = fit if fit >= math.ceil(r["MOQ"] / pack) * pack else 0
        left -= got[sku] * r["Unit cost"]
    return got


def test_replenishment_orders_service_level_budget_and_purchase_orders(demo, browser, journey, tmp_path):
    as_of = demo["as_of"]
    with check_warehouse(demo) as wh:
        items = replenish.items(wh, as_of).set_index("sku")
    ctx, page = fresh_page(browser)

    with journey.step("open Replenishment and read the tiles"):
        page.goto(demo["url"] + "/replenishment")
        wait_title(page, "Replenishment")
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=300_000)
        tile(page, "SKUs to order")                          # drawn once the plan is (the first run forecasts)
        settle(page)
        no_exception(page)
        first = tiles(page)
        assert not truncated_tiles(page), truncated_tiles(page)
    text = main_text(page)

    with journey.step("read the plan (its CSV) against the tiles and the warehouse"):
        path, plan95 = _plan_csv(page, tmp_path)
        assert path.name == f"replenishment-plan-{as_of:%Y-%m-%d}-service-95.csv"
        ordered = plan95[plan95["Order qty"] > 0]
        assert first["SKUs to order"] == f"{len(ordered):,}"
        assert first["Units to order"] == f"{ordered['Order qty'].sum():,}"
        assert abs(number(first["Cash needed"]) - ordered["Order cost"].sum()) <= 0.5     # whole dollars
        # stock as in the warehouse's latest snapshot; orders in whole case packs, at least the MOQ
        assert plan95["On hand"].to_dict() == items.loc[plan95.index, "on_hand"].astype(int).to_dict()
        assert plan95["On order"].to_dict() == items.loc[plan95.index, "on_order"].astype(int).to_dict()
        rec = plan95[plan95["Recommended"] > 0]
        assert (rec["Recommended"] % rec["Case pack"] == 0).all() and (rec["Recommended"] >= rec["MOQ"]).all()
        # orders to place are the first rows, and "Stockout risk" counts the SKUs out before an order arrives
        assert (plan95["Order qty"].iloc[:len(ordered)] > 0).all()
        arrival = pd.Timestamp(as_of) + pd.to_timedelta(plan95["Lead time (d)"], unit="D")
        at_risk = int((plan95["Stockout"] <= arrival).sum())
        assert first["Stockout risk"] == f"{at_risk:,}"
        assert f"Stockout risk {at_risk:,}: {at_risk:,} SKU" in text and f"{len(ordered):,} to order:" in text

    with journey.step("raise the service level to 99%: the order quantities grow"):
        press_slider(page, "Service level", 8)                 # 95 -> 99 in steps of 0.5
        _wait_for(page, "sl=99")
        no_exception(page)
        path, plan99 = _plan_csv(page, tmp_path)
        assert path.name == f"replenishment-plan-{as_of:%Y-%m-%d}-service-99.csv"
        assert (plan99["Service level"] == 0.99).all()
        both = plan95.index.intersection(plan99.index)
        assert (plan99.loc[both, "Recommended"] >= plan95.loc[both, "Recommended"]).all()
        assert plan99["Recommended"].sum() > plan95["Recommended"].sum()
        assert (plan99["Safety stock"] > plan95.loc[plan99.index, "Safety stock"]).sum() > 0
        assert number(tile(page, "Units to order")) > number(first["Units to order"])

    cash99 = plan99.loc[plan99["Order qty"] > 0, "Order cost"].sum()
    budget = int(cash99 * 0.4 // 100 * 100)
    with journey.step(f"set a budget cap of ${budget:,}: spend within it, urgent SKUs first"):
        set_number(page, "Budget", budget)
        _wait_for(page, f"budget={budget}")
        no_exception(page)
        page.locator('[data-testid="stMetric"]', has_text="Deferred").first.wait_for()
        assert not truncated_tiles(page), truncated_tiles(page)
        cash_tile = number(tile(page, "Cash needed"))
        assert cash_tile <= budget
        path, capped = _plan_csv(page, tmp_path)
        assert path.name == f"replenishment-plan-{as_of:%Y-%m-%d}-service-99-budget-{budget}.csv"
        spent = capped["Order cost"].sum()
        assert spent <= budget + 1e-6 and abs(cash_tile - spent) <= 0.5
        expected = _funded_by_the_rule(plan99, budget, as_of)
        got = capped.loc[capped["Recommended"] > 0, "Order qty"].astype(int).to_dict()
        assert got == expected
        urgent = capped[capped["Urgent"]].sort_values("Stockout")
        assert len(urgent) and urgent["Order qty"].iloc[0] > 0            # the most imminent stockout is kept
        slow = capped[~capped["Urgent"] & (capped["Order qty"] > 0)]
        short = urgent[urgent["Order qty"] < urgent["Recommended"]]
        # a slow SKU is funded only with money no urgent order could use (less than one case pack at its MOQ)
        assert slow.empty or short.empty or slow["Order cost"].sum() < (
            short["MOQ"].clip(lower=short["Case pack"]) * short["Unit cost"]).min()
        assert "Urgent SKUs are funded first" in main_text(page)

    today = datetime.now(UTC).date()            # the store's timezone is UTC in the journeys
    with journey.step("download the purchase orders (XLSX and CSV) and read them back"):
        xlsx = download(page, lambda: page.get_by_role("button", name="Purchase orders (XLSX)").click(), tmp_path)
        csv = download(page, lambda: page.get_by_role("button", name="Purchase orders (CSV)").click(), tmp_path)
        stem = f"purchase-orders-{today:%Y-%m-%d}-service-99-budget-{budget}"
        assert (xlsx.name, csv.name) == (f"{stem}.xlsx", f"{stem}.csv")
    lines = pd.read_csv(csv)
    funded = capped[capped["Order qty"] > 0]
    assert sorted(lines["SKU"]) == sorted(funded.index)
    assert set(lines["Currency"]) == {"USD"} and set(lines["Order date"]) == {f"{today:%Y-%m-%d}"}
    for _, line in lines.iterrows():
        known = items.loc[line["SKU"]]
        first_word = re.split(r"[^A-Z0-9]+", line["Supplier"].upper())[0]
        assert re.fullmatch(rf"PO-{today:%Y%m%d}-{first_word}(-[A-Z0-9]+)*-1", line["PO number"]), line["PO number"]
        assert line["Supplier"] == known["supplier"]
        assert line["Expected arrival"] == f"{today + timedelta(days=int(known['lead_time_days'])):%Y-%m-%d}"
        assert line["Order qty"] == funded.at[line["SKU"], "Order qty"]
        assert line["Order qty"] % known["case_pack"] == 0 and line["Order qty"] >= known["moq"]
        assert (line["Case pack"], line["MOQ"]) == (known["case_pack"], known["moq"])
        assert line["Unit cost"] == known["unit_cost"]
        assert line["Line total"] == round(line["Order qty"] * known["unit_cost"], 2)
        if pd.isna(known["supplier_sku"]):
            assert pd.isna(line["Supplier SKU"])
        else:
            assert line["Supplier SKU"] == known["supplier_sku"]
    assert lines["Supplier SKU"].notna().any() or items.loc[lines["SKU"], "supplier_sku"].isna().all()
    assert lines.groupby("Supplier")["PO number"].nunique().eq(1).all()
    assert abs(cash_tile - lines["Line total"].sum()) <= 0.5          # the cash-needed tile, to the dollar

    wb = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes()))
    summary = pd.read_excel(xlsx, sheet_name="Summary")
    assert wb.sheetnames[0] == "Summary" and len(wb.sheetnames) == 1 + lines["Supplier"].nunique()
    assert summary["PO number"].iloc[-1] == "Total"
    assert summary["Cash needed"].iloc[-1] == pytest.approx(lines["Line total"].sum(), abs=0.005)
    assert summary["Units"].iloc[-1] == lines["Order qty"].sum()
    po_of = dict(zip(lines["Supplier"], lines["PO number"], strict=False))
    for _, row in summary.iloc[:-1].iterrows():
        assert row["PO number"] == po_of[row["Supplier"]]
        sheet = wb[[n for n in wb.sheetnames[1:] if row["Supplier"].startswith(n[:25])][0]]
        header = [c.value for c in sheet[1]]
        col = {h: i for i, h in enumerate(header)}
        body = [r for r in sheet.iter_rows(min_row=2) if r[0].value != "Total"]
        total = [r for r in sheet.iter_rows(min_row=2) if r[0].value == "Total"][0]
        assert len(body) == row["SKUs"]
        for r in body:
            assert r[col["Order date"]].is_date and r[col["Order date"]].value.date() == today
            assert isinstance(r[col["Order qty"]].value, int)
            assert r[col["Unit cost"]].number_format == r[col["Line total"]].number_format == '"$"#,##0.00'
            assert r[col["Line total"]].value == pytest.approx(r[col["Order qty"]].value * r[col["Unit cost"]].value,
                                                               abs=0.005)
        assert total[col["Line total"]].value == pytest.approx(row["Cash needed"], abs=0.005)
    ctx.close()
