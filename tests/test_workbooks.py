"""Workbooks with several sheets (issue 18 point 1): each sheet described, the best one proposed, several
loaded as their feeds in one go, and a bad sheet loading nothing (lib/ingest/workbooks.py)."""
from __future__ import annotations

from datetime import date

import pytest

from lib.ingest import workbooks
from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.workbooks import ORDERS, PRODUCTS, workbook


@pytest.fixture
def wh(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    w = Warehouse.open(settings=Settings.from_env())
    yield w
    w.dispose()


def test_each_sheet_is_described_and_the_best_match_proposed():
    plan = workbooks.sheets(workbook(), "shop.xlsx")
    assert plan.to_dict("records") == [
        {"sheet": "Notes", "rows": 2, "feed": None, "found": 0, "needed": 1},
        {"sheet": "Orders", "rows": 3, "feed": "orders", "found": 6, "needed": 6},
        {"sheet": "Products", "rows": 2, "feed": "products", "found": 5, "needed": 5},
        {"sheet": "Empty", "rows": 0, "feed": None, "found": 0, "needed": 1}]
    assert workbooks.best_sheet(plan) == "Orders"                 # all required columns, the most rows
    assert workbooks.best_sheet(plan, "products") == "Products"
    assert workbooks.best_sheet(plan, "events") is None
    assert workbooks.sheets(b"a,b\n1,2\n", "shop.csv").empty       # not a workbook


def test_a_sheet_is_prepared_like_a_file_of_its_own():
    prep = workbooks.prepare_sheet(workbook(), "shop.xlsx", "Products")
    assert prep.feed == "products" and prep.missing == [] and len(prep.raw) == 2
    assert prep.source == "upload:shop.xlsx [Products]" and prep.info["sheet"] == "Products"


def test_several_sheets_load_as_their_feeds_in_one_go(wh):
    reports = workbooks.load_sheets(wh, workbook(), "shop.xlsx", {"Orders": "orders", "Products": "products"},
                                    as_of=date(2026, 1, 4))
    assert list(reports) == ["products", "orders"]                  # products first
    assert (reports["products"].rows, reports["orders"].rows) == (2, 3)
    assert wh.row_counts()["orders"] == 3 and wh.row_counts()["products"] == 2


def test_a_bad_sheet_loads_nothing_and_is_named(wh):
    workbooks.load_sheets(wh, workbook(), "shop.xlsx", {"Products": "products"}, as_of=date(2026, 1, 4))
    bad = [row[:] for row in ORDERS]
    bad[2][5] = "abc"                                               # W2's unit price
    with pytest.raises(workbooks.SheetError, match=r"“shop.xlsx”, sheet “Orders” \(orders\):.*Nothing was loaded"):
        workbooks.load_sheets(wh, workbook(orders=bad, products=[PRODUCTS[0], PRODUCTS[1]]), "shop.xlsx",
                              {"Orders": "orders", "Products": "products"}, as_of=date(2026, 1, 4))
    assert wh.row_counts()["products"] == 2 and wh.row_counts()["orders"] == 0      # nothing changed
    with pytest.raises(workbooks.SheetError, match="more than one sheet is picked for orders"):
        workbooks.load_sheets(wh, workbook(), "shop.xlsx", {"Orders": "orders", "Products": "orders"})
    with pytest.raises(workbooks.SheetError, match="sheet “Notes”: no column found for"):
        workbooks.load_sheets(wh, workbook(), "shop.xlsx", {"Notes": "orders"})
