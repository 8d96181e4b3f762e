"""Home as a report: what data is loaded (rows and date range per feed)."""
from __future__ import annotations

import pandas as pd

from lib import fmt, ingest
from lib.reports.blocks import Alert, Table, Tile, Tiles

__all__ = ["build"]


def _day(v) -> str:
    return "" if v is None or pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")


def build(wh, params, *, currency: str = "USD", progress=None) -> list:
    overview = ingest.feed_overview(wh)
    if int(overview["rows"].sum()) == 0:
        return [Alert("No data loaded yet.", "warning")]
    tiles = Tiles(tuple(Tile(fmt.words(r.feed), fmt.count(int(r.rows))) for r in overview.itertuples(index=False)))
    table = pd.DataFrame({"Feed": overview["feed"].map(fmt.words), "Rows": overview["rows"].astype(int),
                          "First": overview["first"].map(_day), "Last": overview["last"].map(_day),
                          "Source": overview["source"].fillna("")})
    return [tiles, Table(table)]
