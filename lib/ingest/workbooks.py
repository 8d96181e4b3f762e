"""Workbooks with several sheets: what each sheet looks like, the one that best matches a feed, and loading
several sheets as their feeds in one go.

    sheets(data, filename)              -> DataFrame[sheet, rows, feed, found, needed], one row per sheet
                                           (empty for a file that is not a workbook)
    best_sheet(plan, feed=None)         -> the sheet whose headers best match ``feed`` (any feed when None)
    prepare_sheet(data, filename, sheet, feed=None, wh=None) -> Prepared (source "upload:<file> [<sheet>]")
    load_sheets(wh, data, filename, picks, as_of=None) -> {feed: LoadReport}

A sheet's feed is lib.ingest.mapping.guess_feed of its header row; ``found`` / ``needed`` count the feed's
required columns (a promotion's sku or category counts once) that the suggested mapping finds. The best
sheet has the most of its feed's required columns found (as a share), then the most rows. load_sheets
checks every picked sheet first (Warehouse.check: the whole sheet, mapped) and loads nothing when one
fails, naming the sheet; then it loads them in the demo's order (products before the feeds that name
SKUs), each load atomic on its own.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from lib.ingest import mapping as mp
from lib.ingest import readers
from lib.ingest.pipeline import DEMO_LOAD_ORDER, Prepared, check_prepared, load_prepared, prepare_frame
from lib.schema import FEEDS, FeedError
from lib.warehouse import LoadReport, Warehouse

__all__ = ["sheets", "best_sheet", "prepare_sheet", "load_sheets", "SheetError"]

PLAN_COLUMNS = ["sheet", "rows", "feed", "found", "needed"]


class SheetError(ValueError):
    """A picked sheet that cannot be loaded: the message names the file, the sheet and why."""


def _names(data, filename: str) -> list[str]:
    if Path(filename).suffix.lower() not in readers.EXCEL_EXTENSIONS:
        return []
    import io

    import openpyxl

    raw = data.read_bytes() if isinstance(data, Path) else bytes(data)
    wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _score(feed: str | None, columns: list[str]) -> tuple[int, int]:
    if feed is None:
        return 0, 1
    found_map = mp.suggest_mapping(feed, columns, mp.detect_profile(columns))
    need = [[c] for c in FEEDS[feed].required] + ([["sku", "category"]] if feed == "promotions" else [])
    return sum(any(found_map.get(c) for c in group) for group in need), len(need)


def sheets(data, filename: str) -> pd.DataFrame:
    """One row per sheet of a workbook: its data rows, the feed its headers look like, and how many of that
    feed's required columns are found; an empty sheet has 0 rows and no feed."""
    rows = []
    for name in _names(data, filename):
        try:
            df = readers.read_table(data, filename, sheet=name)
        except readers.ReadError:
            df = pd.DataFrame()
        cols = [str(c) for c in df.columns]
        feed = mp.guess_feed(cols) if len(df.columns) else None
        found, needed = _score(feed, cols)
        rows.append({"sheet": name, "rows": len(df), "feed": feed, "found": found, "needed": needed})
    out = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    out["feed"] = pd.Series([r["feed"] for r in rows], index=out.index, dtype=object)   # None, not NaN
    return out


def best_sheet(plan: pd.DataFrame, feed: str | None = None) -> str | None:
    """The sheet of ``plan`` (sheets()) that best matches ``feed`` (any feed when None), None when none does."""
    cand = plan[plan["feed"].notna() & (plan["rows"] > 0)]
    if feed is not None:
        cand = cand[cand["feed"] == feed]
    if cand.empty:
        return None
    order = cand.assign(share=cand["found"] / cand["needed"]).sort_values(["share", "rows"], ascending=False,
                                                                           kind="stable")
    return str(order["sheet"].iloc[0])


def prepare_sheet(data, filename: str, sheet: str, feed: str | None = None, wh: Warehouse | None = None) -> Prepared:
    """One sheet read and proposed like a file of its own (its mapping remembered under the sheet's name)."""
    raw = readers.read_table(data, filename, sheet=sheet)
    prep = prepare_frame(raw, f"upload:{Path(filename).name} [{sheet}]", feed, wh, {"sheet": sheet})
    return prep


def load_sheets(wh: Warehouse, data, filename: str, picks: dict[str, str], *,
                as_of: date | None = None) -> dict[str, LoadReport]:
    """Load each picked sheet (sheet -> feed) as its feed: all checked first, nothing loaded when one fails
    (SheetError naming the sheet); then loaded products first. Two sheets for one feed are refused."""
    name = Path(filename).name
    feeds = list(picks.values())
    twice = sorted({f for f in feeds if feeds.count(f) > 1})
    if twice:
        raise SheetError(f"“{name}”: more than one sheet is picked for {', '.join(twice)}; pick one sheet per "
                         "feed.")
    preps: dict[str, Prepared] = {}
    for sheet, feed in picks.items():
        prep = prepare_sheet(data, filename, sheet, feed, wh)
        if prep.missing:
            raise SheetError(f"“{name}”, sheet “{sheet}”: no column found for {', '.join(prep.missing)} of the "
                             f"{feed} feed. Nothing was loaded.")
        try:
            check_prepared(wh, prep, as_of=as_of)
        except FeedError as err:
            raise SheetError(f"“{name}”, sheet “{sheet}” ({feed}): {err} Nothing was loaded.") from err
        preps[feed] = prep
    order = [f for f in DEMO_LOAD_ORDER if f in preps] + [f for f in preps if f not in DEMO_LOAD_ORDER]
    return {feed: load_prepared(wh, preps[feed], as_of=as_of) for feed in order}
