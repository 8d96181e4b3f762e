"""The public API issue 20 adds (outside checks call these; ../shared/tools/check-contract predates them): names,
parameters and returned columns on a tiny store, as check-contract checks the older ones."""
from __future__ import annotations

import inspect
from datetime import date, datetime

import pandas as pd

from lib import kpis, marketing
from lib.warehouse import Warehouse


def _store(tmp_path) -> Warehouse:
    wh = Warehouse.open(url=f"duckdb:///{tmp_path}/contract.duckdb")
    t0 = datetime(2026, 7, 1)
    wh.load("products", pd.DataFrame({"sku": ["s"], "name": ["S"], "category": ["c"], "unit_cost": [1.0],
                                      "price": [3.0]}), source="contract", now=t0)
    wh.load("orders", pd.DataFrame({"order_id": ["1", "2"], "ordered_at": pd.to_datetime(["2026-01-05", "2026-02-03"]),
                                    "customer_id": ["a", "b"], "sku": ["s", "s"], "quantity": [1, 2],
                                    "unit_price": [3.0, 3.0], "channel": ["email", "paid_search"]}),
            source="contract", now=t0)
    wh.load("events", pd.DataFrame({"session_id": ["x", "y"], "event_at": pd.to_datetime(["2026-01-05", "2026-02-03"]),
                                    "event": ["page_view", "page_view"], "channel": ["email", "paid_search"]}),
            source="contract", now=t0)
    wh.load("spend", pd.DataFrame({"date": [date(2026, 2, 1)], "channel": ["paid_search"], "spend": [4.0]}),
            source="contract", now=t0)
    return wh


def test_issue_20_public_api_names_parameters_and_columns(tmp_path):
    wh = _store(tmp_path)
    assert list(inspect.signature(marketing.channel_report).parameters) == ["wh", "start", "end", "by"]
    assert inspect.signature(marketing.channel_report).parameters["by"].default == "channel"
    rep = marketing.channel_report(wh, date(2026, 1, 1), date(2026, 2, 28))
    for col in ("spend", "sessions", "orders", "revenue", "gross_margin", "roas", "cpa", "new_customers", "cac"):
        assert col in rep.columns, col
    assert list(inspect.signature(marketing.payback).parameters)[:4] == ["wh", "start", "end", "by"]
    pb = marketing.payback(wh, date(2026, 1, 1), date(2026, 2, 28), by="channel")
    assert list(pb.columns) == ["cohort", "channel", "months_since", "customers", "cac", "cum_margin_per_customer",
                                "paid_back"]
    assert list(inspect.signature(kpis.explain_change).parameters)[:5] == ["wh", "start_a", "end_a", "start_b",
                                                                           "end_b"]
    ch = kpis.explain_change(wh, date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 28))
    assert ch["driver"].tolist()[:3] == ["sessions", "conversion_rate", "aov"] and "contribution" in ch.columns
    # revenue 3 in January, 6 in February: the parts add up to the change to the cent
    assert round(float(ch["contribution"].sum()), 2) == 3.0
    wh.dispose()
