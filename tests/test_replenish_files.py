"""The Replenishment page's files (lib/replenish/files.py): the plan with the page's column names and numbers
as numbers; file names that carry the settings."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd

from lib.exports import to_csv_bytes, to_xlsx_bytes
from lib.replenish import files
from tests.support.replenish_plan import flat, item, run


def test_plan_export_names_numbers_and_dates():
    # One SKU by hand (tests/test_replenish.py setup): 2 on hand, 1 a day with sigma 1 -> sigma_P sqrt(21),
    # safety 7.5377, reorder point 28.5377, order up to 35.5377 -> 34 units; out on day 3 = 2026-03-04.
    p = run([item("P", on_hand=2, unit_cost=2.35)], [flat("P", sigma=1.0)]).reset_index()
    out = files.plan_export(p)
    assert list(out.columns) == ["SKU", "Name", "Category", "Supplier", "ABC", "XYZ", "On hand", "On order",
                                 "Lead time (d)", "Service level", "Demand / day", "Safety stock", "Reorder point",
                                 "Order up to", "Recommended", "Order qty", "Unit cost", "Order cost", "Urgent",
                                 "Days of cover", "Stockout", "Overstock", "Expected sales", "Price", "MOQ",
                                 "Case pack", "Reason"]
    r = out.iloc[0]
    assert (r["Safety stock"], r["Reorder point"], r["Order up to"]) == (7.54, 28.54, 35.54)
    assert (r["Order qty"], r["Order cost"], r["Service level"]) == (34, 79.9, 0.95)
    assert r["Stockout"] == date(2026, 3, 4) and bool(r["Urgent"])
    back = pd.read_csv(io.BytesIO(to_csv_bytes(out)))
    assert back["On hand"].dtype == "int64" and back["Order qty"].tolist() == [34]
    assert back["Order cost"].tolist() == [79.9]              # 34 x 2.35 = 79.89999999999999 in binary
    assert back["Stockout"].tolist() == ["2026-03-04"]
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"plan": out}, files.plan_formats("GBP"))))
    cells = {c.value: i for i, c in enumerate(wb["plan"][1])}
    row = wb["plan"][2]
    assert row[cells["Order cost"]].value == 79.9 and row[cells["Order cost"]].number_format == '"£"#,##0.00'
    assert row[cells["Service level"]].number_format == "0.0%" and row[cells["Order qty"]].number_format == "#,##0"
    assert row[cells["Stockout"]].is_date


def test_file_stem_names_the_settings():
    assert files.file_stem("replenishment-plan", date(2026, 12, 5), service_level=0.95) == \
        "replenishment-plan-2026-12-05-service-95"
    assert files.file_stem("purchase-orders", date(2026, 12, 6), service_level=0.975, class_service={"A": 0.99},
                           review_days=14, delay_days=3, uplift_pct=-10, budget=10000.0,
                           suppliers=["Acme & Sons", "Bolt"], abc=["A", "B"], only=True, scenario="Xmas 15%") == (
        "purchase-orders-2026-12-06-service-97.5-class-a-99-review-14d-delay-3d-demand-down-10pct-budget-10000-"
        "supplier-acme-sons-bolt-abc-a-b-to-order-only-scenario-xmas-15")
    assert files.file_stem("p", date(2026, 1, 2), service_level=0.9, budget=1234.5, uplift_pct=20,
                           suppliers=["A", "B", "C"]) == "p-2026-01-02-service-90-demand-up-20pct-budget-1234.5-3-suppliers"
