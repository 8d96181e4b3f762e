"""What the Replenishment tiles count, and why "Stockout risk" and "to order" differ.

    tally(plan_df, *, as_of, delay_days=0) -> Tally   (counts over the rows given, e.g. the filtered plan)
    explain(t, delay_days=0) -> str                  (the sentence under the tiles, markdown)

* to_order: SKUs with an order to place now (order_qty > 0, after the budget).
* recommended: SKUs whose position (on hand + on order) is at or below the reorder point this review
  (recommended_qty > 0); deferred: recommended but 0 to order now (the budget); cut: ordered, but less
  than recommended (the budget).
* at_risk ("Stockout risk"): SKUs projected to run out (mean forecast, on order counted from the end of
  the lead time) on or before the day an order placed today would arrive: as_of + lead time + delay.
  An order placed now cannot prevent those stockouts; they split into
  - at_risk_ordering: with an order to place now (it ends the stockout when it arrives),
  - at_risk_deferred: with an order the budget deferred,
  - at_risk_covered: no order due: what is already on order covers demand until an order placed at the
    next review could arrive (position above the reorder point); a new order placed now would arrive no
    sooner than what is on the way.
* ordering_not_at_risk: orders for SKUs whose stock lasts until their order arrives, but whose position
  is at or below the reorder point (the safety stock and the demand up to the next order's arrival).
* units_to_order, cash_needed: the order quantities and order costs of the orders to place now (the
  purchase orders' total); deferred_cash: what the budget left out, (recommended - ordered) x unit cost;
  overstock: SKUs flagged overstock, tied_up: their on hand x unit cost.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from lib.fmt import count

__all__ = ["Tally", "tally", "explain", "at_risk"]


@dataclass(frozen=True)
class Tally:
    skus: int
    to_order: int
    recommended: int
    deferred: int
    cut: int
    at_risk: int
    at_risk_ordering: int
    at_risk_deferred: int
    at_risk_covered: int
    ordering_not_at_risk: int
    units_to_order: int = 0
    cash_needed: float = 0.0
    deferred_cash: float = 0.0
    overstock: int = 0
    tied_up: float = 0.0


def at_risk(plan_df: pd.DataFrame, *, as_of: date, delay_days: int = 0) -> pd.Series:
    """Per row: projected to run out on or before an order placed on `as_of` would arrive."""
    arrival = pd.Timestamp(as_of) + pd.to_timedelta(plan_df["lead_time_days"] + delay_days, unit="D")
    return (pd.to_datetime(plan_df["stockout_date"]) <= arrival).fillna(False).astype(bool)


def tally(plan_df: pd.DataFrame, *, as_of: date, delay_days: int = 0) -> Tally:
    """The counts of the module docstring over the rows of `plan_df` (a plan() frame, maybe filtered)."""
    risk = at_risk(plan_df, as_of=as_of, delay_days=delay_days).to_numpy()
    ordering = (plan_df["order_qty"] > 0).to_numpy()
    rec = (plan_df["recommended_qty"] > 0).to_numpy()
    deferred = rec & ~ordering
    cut = ordering & (plan_df["order_qty"] < plan_df["recommended_qty"]).to_numpy()
    return Tally(skus=len(plan_df), to_order=int(ordering.sum()), recommended=int(rec.sum()),
                 deferred=int(deferred.sum()), cut=int(cut.sum()), at_risk=int(risk.sum()),
                 at_risk_ordering=int((risk & ordering).sum()), at_risk_deferred=int((risk & deferred).sum()),
                 at_risk_covered=int((risk & ~rec).sum()), ordering_not_at_risk=int((~risk & ordering).sum()),
                 units_to_order=int(plan_df["order_qty"][ordering].sum()),
                 cash_needed=float(plan_df["order_cost"][ordering].sum()),
                 deferred_cash=float(((plan_df["recommended_qty"] - plan_df["order_qty"]).clip(lower=0)
                                      * plan_df["unit_cost"]).sum()),
                 overstock=int(plan_df["overstock"].sum()),
                 tied_up=float((plan_df["on_hand"] * plan_df["unit_cost"])[plan_df["overstock"]].sum()))


def _skus(n: int) -> str:
    return f"{count(n)} SKU" + ("" if n == 1 else "s")


def explain(t: Tally, delay_days: int = 0) -> str:
    """Why "Stockout risk" and "to order" differ, in one paragraph (markdown), from the counts of `t`."""
    lead = "lead time" + (f" + {delay_days} d supplier delay" if delay_days else "")
    text = (f"**Stockout risk {count(t.at_risk)}**: {_skus(t.at_risk)} projected to run out before an order "
            f"placed today could arrive (within their {lead}; what is on order counts from the end of the lead "
            f"time, as the feed has no arrival dates). **{count(t.to_order)} to order**: SKUs whose stock plus "
            "what is on order is at or below the reorder point this review")
    cut = f", {count(t.cut)} cut to fit" if t.cut else ""
    text += (f" and that the budget funds ({count(t.deferred)} more deferred{cut})." if t.deferred or t.cut
             else ".")
    if not t.at_risk:
        return text
    parts = []
    if t.at_risk_covered:
        parts.append(f"{count(t.at_risk_covered)} need{'s' if t.at_risk_covered == 1 else ''} no new order: "
                     "what is already on order covers demand until the next order could arrive, and an order "
                     "placed now would not arrive any sooner")
    if t.at_risk_ordering:
        parts.append(f"{count(t.at_risk_ordering)} {'is' if t.at_risk_ordering == 1 else 'are'} among the "
                     f"{count(t.to_order)} to order")
    if t.at_risk_deferred:
        parts.append(f"{count(t.at_risk_deferred)} had {'its' if t.at_risk_deferred == 1 else 'their'} "
                     "order deferred by the budget")
    text += f" Of the {count(t.at_risk)} at risk, " + "; ".join(parts) + "."
    if t.ordering_not_at_risk:
        one = t.ordering_not_at_risk == 1
        text += (f" The other {count(t.ordering_not_at_risk)} to order {'has' if one else 'have'} stock until "
                 f"{'its' if one else 'their'} order arrives, but not the safety stock and the demand up to the "
                 "next order's arrival.")
    return text
