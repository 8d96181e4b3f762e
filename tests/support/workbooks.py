"""A shop's workbook of several sheets, as coordinators get them: a notes sheet first, then orders and
products (tests/test_workbooks.py, tests/test_browser.py)."""
from __future__ import annotations

import io

import openpyxl

__all__ = ["ORDERS", "PRODUCTS", "workbook"]

ORDERS = [["order_id", "ordered_at", "customer_id", "sku", "quantity", "unit_price"],
          ["W1", "2026-01-02 10:00", "c1", "S1", 1, 10.0],
          ["W2", "2026-01-02 11:00", "c2", "S2", 2, 7.5],
          ["W3", "2026-01-03 09:30", "c1", "S1", 1, 10.0]]
PRODUCTS = [["sku", "name", "category", "unit_cost", "price"],
            ["S1", "Mug", "Kitchen", 4.0, 10.0],
            ["S2", "Cup", "Kitchen", 3.0, 7.5]]


def workbook(orders=ORDERS, products=PRODUCTS) -> bytes:
    """notes (one text column), Orders, Products, and an empty sheet last."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    for row in (["note"], ["Exported from the shop on Jan 4"], ["Prices in USD"]):
        notes.append(row)
    for title, rows in (("Orders", orders), ("Products", products)):
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.create_sheet("Empty")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
