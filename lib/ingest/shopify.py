"""Shopify's orders export as order lines: cancellations, refunds and what "Source" is.

Shopify's orders export (Admin > Orders > Export, "Plain CSV file") has one row per line item; the
order's own columns (Email, Financial Status, Created at, Currency, Cancelled at, Refunded Amount,
Source...) are filled on its first row only (lib.ingest.mapping fills them down). The orders feed is one
row per order line; a line's status decides whether it counts, and a negative quantity is a return
(DESIGN.md). So, per order:

- **Cancelled**: "Cancelled at" is set, or Financial Status is ``voided`` (the payment authorisation
  was voided: no money was taken) or ``expired`` -> every line gets status ``cancelled``, which every
  page leaves out of revenue, orders and customers.
- **Refunded** (Financial Status ``refunded``: the whole order was paid back) -> each line stays as
  sold (status ``completed``) and gets a return line right after it: the same order, time, customer
  and SKU, the negative quantity at the line's net unit price (price - line discount / quantity),
  discount 0, status ``refunded`` (the demo store writes returns the same way). The order nets to
  zero revenue and its lines show as returns.
- **Partially refunded** -> the lines stay as sold with status ``partially_refunded``: the export
  does not say which items were paid back (Refunded Amount is the order's total refund, shipping
  and taxes included), so no return line is made up; the status lets them be found.
- Anything else (paid, pending, authorized, partially_paid) -> ``completed``.
- **Source** (web, pos, shopify_draft_order, iphone, android, or a sales-channel app's id) is the
  app the order was placed through, not a marketing channel: it is never mapped onto ``channel``,
  which stays empty (the export has no marketing channel; events carry the channel).

Rows keep their spreadsheet numbers: a return line is reported at its sale line's row
(``attrs["source_rows"]``, read by lib.warehouse.validation).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.warehouse import coerce

__all__ = ["NOTES", "CANCELLED_FINANCIAL", "order_status", "with_returns"]

CANCELLED_FINANCIAL = ("voided", "expired")

NOTES = (
    "**How a Shopify orders export becomes order lines.** Each line item is one order line; the "
    "order's date, email and currency are copied onto all its lines. "
    "**Cancelled** (Cancelled at is set, or Financial Status is voided or expired): every line is "
    "cancelled and left out of revenue, orders and customers. "
    "**Refunded** (Financial Status refunded): each line stays as sold and a return line follows it "
    "(the negative quantity at the line's price after its discount, status refunded), so the order "
    "nets to zero and shows as returns. "
    "**Partially refunded**: the lines stay as sold with status partially_refunded, because the "
    "export does not say which items were paid back. "
    "**Source** (web, pos, shopify_draft_order...) is the app the order came through, not a "
    "marketing channel: Channel is left empty."
)


def order_status(financial: pd.Series, cancelled_at: pd.Series | None) -> pd.Series:
    """Status per line from the (filled-down) Financial Status and Cancelled at columns."""
    fin = financial.astype("str").str.strip().str.lower()
    status = pd.Series("completed", index=financial.index, dtype="str")
    status[(fin == "partially_refunded").to_numpy()] = "partially_refunded"
    status[(fin == "refunded").to_numpy()] = "refunded"
    cancelled = fin.isin(CANCELLED_FINANCIAL).to_numpy()
    if cancelled_at is not None:
        cancelled = cancelled | ~coerce.empty_mask(cancelled_at).to_numpy()
    status[cancelled] = "cancelled"
    return status


def with_returns(out: pd.DataFrame, decimal: str | None = None) -> pd.DataFrame:
    """`out` (mapped order lines, status from order_status) with a return line after each line of a
    refunded order; those sale lines become ``completed``. attrs["source_rows"] holds each row's
    spreadsheet row (header = 1) when return lines were added.

    A line whose quantity or price cannot be read gets no return line: validation reports the
    sale line, and the load stops there.
    """
    if "status" not in out or "quantity" not in out or "unit_price" not in out:
        return out
    refunded = (out["status"] == "refunded").fillna(False).to_numpy(dtype=bool)
    if not refunded.any():
        return out
    qty, _ = coerce.to_number(out["quantity"], decimal)
    price, _ = coerce.to_number(out["unit_price"], decimal)
    disc = coerce.to_number(out["discount"], decimal)[0].fillna(0.0) if "discount" in out else 0.0 * qty
    ok = refunded & (qty > 0).fillna(False).to_numpy(dtype=bool) & price.notna().to_numpy()
    out = out.copy()
    out.loc[refunded, "status"] = "completed"
    ret = out.loc[ok].copy()
    q, p, d = qty[ok], price[ok], disc[ok]
    ret["quantity"] = _like(-q, out["quantity"], decimal, whole=True)
    ret["unit_price"] = _like((p - d / q).round(10), out["unit_price"], decimal)
    if "discount" in out:
        ret["discount"] = _like(0.0 * q, out["discount"], decimal, whole=True)
    ret["status"] = "refunded"
    pos = np.arange(len(out))
    both = pd.concat([out, ret], ignore_index=True)
    order = np.lexsort((np.r_[np.zeros(len(out)), np.ones(len(ret))], np.r_[pos, pos[ok]]))
    lines = both.iloc[order].reset_index(drop=True)
    lines.attrs = dict(out.attrs)
    lines.attrs["source_rows"] = np.r_[pos, pos[ok]][order] + 2
    return lines


def _like(values: pd.Series, template: pd.Series, decimal: str | None, whole: bool = False) -> pd.Series:
    """Numbers in the form of the column they join: numbers for a numeric column, else text written
    with the file's decimal mark (validation reads them back exactly)."""
    if pd.api.types.is_numeric_dtype(template):
        return values.astype(template.dtype) if whole and pd.api.types.is_integer_dtype(template) else values
    mark = decimal or coerce.guess_decimal(template.dropna())
    text = [str(int(v)) if whole and float(v).is_integer() else repr(float(v)) for v in values]
    if mark == ",":
        text = [t.replace(".", ",") for t in text]
    return pd.Series(text, index=values.index, dtype=template.dtype)
