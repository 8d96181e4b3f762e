"""Purchase orders (lib/replenish/orders.py): PO numbers, order date and expected arrival, MOQ and case
pack, supplier SKUs, cash needed per supplier, and the CSV/XLSX files as a supplier or a spreadsheet reads
them. Plans from tests/test_replenish.py's setup (as_of 2026-03-01, lead 14 d, flat 1 a day)."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd

from lib.replenish import plan, po_csv, po_summary, po_xlsx, purchase_orders
from lib.replenish.orders import po_number
from tests.support.replenish_plan import AS_OF, flat, item

TODAY = date(2026, 3, 2)      # the day the orders are placed (the page: today in the store's timezone)


def _po_plan(**kw) -> pd.DataFrame:
    # Flat 1/day, S = 28 with IP 0 -> 28 units unless packed: A1 pack 12 (MOQ 24) -> 36 at 5 = 180;
    # A2 28 at 2.5 = 70; X1 ("=cmd"), lead 10 d: S = 17 + 7 = 24 units at 3 = 72; N1 (no supplier) 28 at 1 = 28; H1 has stock
    # 100 -> no line.
    rows = [item("A2", supplier="Acme", unit_cost=2.5), item("A1", supplier="Acme", case_pack=12, moq=24),
            item("X1", supplier="=cmd", unit_cost=3.0, lead_time_days=10),
            item("N1", supplier=None, unit_cost=1.0), item("H1", supplier="Bolt", on_hand=100)]
    return plan(pd.DataFrame(rows), pd.concat([flat(r["sku"]) for r in rows]), as_of=AS_OF, **kw)


def test_purchase_orders_carry_po_number_dates_moq_and_case_pack():
    lines = purchase_orders(_po_plan(), order_date=TODAY)
    assert list(lines.columns) == ["po_number", "order_date", "expected_arrival", "supplier", "sku",
                                   "supplier_sku", "name", "order_qty", "case_pack", "moq", "unit_cost",
                                   "line_cost"]
    # Sorted by supplier ("(" < "=" < "A"), then sku. One PO number per supplier: date and name slug.
    # Arrival = 2026-03-02 + 14 d = 03-16 (X1: + 10 d = 03-12).
    assert lines[["po_number", "supplier", "sku", "order_qty", "case_pack", "moq", "line_cost"]].values.tolist() \
        == [["PO-20260302-NO-SUPPLIER-1", "(no supplier)", "N1", 28, 1, 1, 28.0],
            ["PO-20260302-CMD-1", "=cmd", "X1", 24, 1, 1, 72.0],
            ["PO-20260302-ACME-1", "Acme", "A1", 36, 12, 24, 180.0],
            ["PO-20260302-ACME-1", "Acme", "A2", 28, 1, 1, 70.0]]
    assert set(lines.order_date) == {TODAY}
    assert lines.expected_arrival.tolist() == [date(2026, 3, 16), date(2026, 3, 12), date(2026, 3, 16),
                                               date(2026, 3, 16)]
    assert lines.supplier_sku.isna().all()                       # not known: left empty
    # A supplier delay of 3 d is part of the expected arrival.
    late = purchase_orders(_po_plan(delay_days=3), order_date=TODAY, delay_days=3)
    assert late.expected_arrival.tolist()[:2] == [date(2026, 3, 19), date(2026, 3, 15)]


def test_po_number_is_stable_and_distinct_per_supplier():
    # Capitals without accents, words joined by "-", whole words up to 20 characters; clashes numbered by
    # name order; a name with no latin letters or digits is "SUPPLIER".
    got = po_number(["a/b", "Acme Corp.", "A B", "Ünïcode Ltd", "北京", "Very Long Supplier Name Limited"],
                    date(2026, 12, 6))
    assert got == {"A B": "PO-20261206-A-B-1", "a/b": "PO-20261206-A-B-2", "Acme Corp.": "PO-20261206-ACME-CORP-1",
                   "Ünïcode Ltd": "PO-20261206-UNICODE-LTD-1", "北京": "PO-20261206-SUPPLIER-1",
                   "Very Long Supplier Name Limited": "PO-20261206-VERY-LONG-SUPPLIER-1"}
    # The same supplier keeps its number whatever the others (a filtered download) on the same day.
    assert po_number(["Acme Corp."], date(2026, 12, 6)) == {"Acme Corp.": "PO-20261206-ACME-CORP-1"}


def test_supplier_sku_moq_and_costs_from_the_products_frame():
    # products (e.g. replenish.items) override name / moq / unit_cost and give the supplier's SKU where known:
    # A2 now costs 3 -> 28 * 3 = 84.
    products = pd.DataFrame({"sku": ["A2", "A1"], "name": ["Mug 2", None], "unit_cost": [3.0, None],
                             "supplier_sku": ["AC-778", None], "moq": [1, 24]})
    lines = purchase_orders(_po_plan(), products, order_date=TODAY).set_index("sku")
    assert (lines.loc["A2", "name"], lines.loc["A2", "unit_cost"], lines.loc["A2", "line_cost"]) == ("Mug 2", 3.0, 84.0)
    assert lines.loc["A2", "supplier_sku"] == "AC-778"
    assert lines.loc["A1", "supplier_sku"] is None and lines.loc["A1", "name"] == "Item A1"
    assert lines.loc["A1", "moq"] == 24


def test_summary_one_row_per_purchase_order_and_a_total():
    s = po_summary(_po_plan(), order_date=TODAY)
    assert list(s.columns) == ["po_number", "supplier", "order_date", "skus", "units", "cash_needed"]
    assert s.drop(columns="order_date").values.tolist() == [
        ["PO-20260302-NO-SUPPLIER-1", "(no supplier)", 1, 28, 28.0], ["PO-20260302-CMD-1", "=cmd", 1, 24, 72.0],
        ["PO-20260302-ACME-1", "Acme", 2, 64, 250.0], ["Total", None, 4, 116, 350.0]]


def test_po_csv_reads_back_with_words_numbers_and_the_currency():
    back = pd.read_csv(io.BytesIO(po_csv(_po_plan(), order_date=TODAY, currency="EUR")))
    assert list(back.columns) == ["PO number", "Order date", "Expected arrival", "Supplier", "SKU", "Supplier SKU",
                                  "Name", "Order qty", "Case pack", "MOQ", "Unit cost", "Line total", "Currency"]
    assert back["Supplier"].tolist() == ["(no supplier)", "'=cmd", "Acme", "Acme"]     # formula neutralised
    assert back["Order date"].unique().tolist() == ["2026-03-02"]
    assert back["Order qty"].dtype == "int64" and back["Case pack"].dtype == "int64"
    assert back["Line total"].sum() == 350.0 and set(back["Currency"]) == {"EUR"}
    assert (back["Line total"] == (back["Order qty"] * back["Unit cost"]).round(2)).all()


def test_po_xlsx_has_formats_dates_and_totals():
    wb = openpyxl.load_workbook(io.BytesIO(po_xlsx(_po_plan(), order_date=TODAY, currency="EUR")))
    assert wb.sheetnames == ["Summary", "(no supplier)", "=cmd", "Acme"]
    summary = [list(r) for r in wb["Summary"].iter_rows(values_only=True)]
    assert summary[0] == ["PO number", "Supplier", "Order date", "SKUs", "Units", "Cash needed"]
    assert summary[2][:2] == ["PO-20260302-CMD-1", "'=cmd"] and summary[2][3:] == [1, 24, 72]
    assert summary[-1] == ["Total", None, None, 4, 116, 350]
    assert all(c.data_type != "f" for row in wb["Summary"].iter_rows() for c in row)
    acme = wb["Acme"]
    header = [c.value for c in acme[1]]
    assert header == ["PO number", "Order date", "Expected arrival", "Supplier", "SKU", "Supplier SKU", "Name",
                      "Order qty", "Case pack", "MOQ", "Unit cost", "Line total"]
    col = {h: i for i, h in enumerate(header)}
    a1 = acme[2]
    assert a1[col["SKU"]].value == "A1" and a1[col["PO number"]].value == "PO-20260302-ACME-1"
    assert a1[col["Order date"]].is_date and a1[col["Order date"]].value.date() == TODAY
    assert a1[col["Expected arrival"]].value.date() == date(2026, 3, 16)
    assert [a1[col[h]].value for h in ("Order qty", "Case pack", "MOQ", "Unit cost", "Line total")] == \
        [36, 12, 24, 5, 180]
    assert isinstance(a1[col["Order qty"]].value, int)
    assert a1[col["Unit cost"]].number_format == '"€"#,##0.00' == a1[col["Line total"]].number_format
    assert a1[col["Order qty"]].number_format == "#,##0"
    total = [c.value for c in acme[4]]
    assert total[0] == "Total" and total[col["Order qty"]] == 64 and total[col["Line total"]] == 250
    assert pd.read_excel(io.BytesIO(po_xlsx(_po_plan(), order_date=TODAY)), sheet_name="=cmd")["Line total"] \
        .tolist() == [72, 72]


def test_xlsx_sheet_names_are_valid_and_distinct():
    # Names are cut to 31 characters, []:*?/\ become _, clashes (case-insensitive, "Summary") get " (k)".
    sup = ["Summary", "A/B", "a_b", "X" * 40, "X" * 35]
    p = pd.DataFrame({"sku": [f"S{i}" for i in range(5)], "supplier": sup, "name": "n", "order_qty": 1,
                      "order_cost": 2.0, "unit_cost": 2.0, "case_pack": 1})
    wb = openpyxl.load_workbook(io.BytesIO(po_xlsx(p, order_date=TODAY)))
    assert wb.sheetnames == ["Summary", "A_B", "Summary (2)", "X" * 31, "X" * 27 + " (2)", "a_b (2)"]
