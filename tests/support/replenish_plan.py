"""Items, flat forecasts and a plan run for the replenishment tests (tests/test_replenish*.py): the
figures each test expects are hand-computed from these inputs."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from lib.replenish import plan

__all__ = ["AS_OF", "flat", "forecast", "item", "run"]


AS_OF = date(2026, 3, 1)


def item(sku: str, **over) -> dict:
    row = {"sku": sku, "name": f"Item {sku}", "category": "Mugs", "supplier": "Acme", "unit_cost": 5.0,
           "price": 10.0, "on_hand": 0, "on_order": 0, "lead_time_days": 14, "moq": 1, "case_pack": 1}
    row.update(over)
    return row


def forecast(sku: str, yhat, sigma=0.0) -> pd.DataFrame:
    """Daily forecast rows from as_of + 1; the 80% band is yhat -+ 1.2816 * sigma."""
    yhat = np.asarray(yhat, dtype=float)
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), yhat.shape)
    ds = pd.date_range(AS_OF + timedelta(days=1), periods=len(yhat), freq="D")
    return pd.DataFrame({"unique_id": sku, "ds": ds, "yhat": yhat, "yhat_lo_80": yhat - 1.2816 * sigma,
                         "yhat_hi_80": yhat + 1.2816 * sigma, "model": "test"})


def flat(sku: str, rate: float = 1.0, days: int = 60, sigma: float = 0.0) -> pd.DataFrame:
    return forecast(sku, [rate] * days, sigma)


def run(rows: list[dict], demand: list[pd.DataFrame], **kw) -> pd.DataFrame:
    return plan(pd.DataFrame(rows), pd.concat(demand, ignore_index=True), as_of=AS_OF, **kw).set_index("sku")
