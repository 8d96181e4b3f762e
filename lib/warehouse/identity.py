"""Who a web event belongs to: the person behind a session, as an integer key.

A person is the event's user_id, else its customer_id; the identity is stitched across the
session (a visitor who logs in halfway is one person for the whole session), and an anonymous
session is a person of its own. The warehouse stores the result as events.user_key, so that
per-user funnels group on an integer. lib.warehouse.fastload applies the same rule in DuckDB SQL.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["person_keys", "person_ids"]


def person_ids(frame: pd.DataFrame) -> pd.Series:
    """The person identity string of each event row (see the module docstring)."""
    ident = pd.Series(np.nan, index=frame.index, dtype=object)
    for col in ("customer_id", "user_id"):          # user_id wins: it is applied last
        if col in frame:
            ident = frame[col].astype(object).where(frame[col].notna(), ident)
    stitched = ident.groupby(frame["session_id"], sort=False).transform("max") if len(frame) else ident
    anonymous = "~s:" + frame["session_id"].astype(str)
    return stitched.where(stitched.notna(), anonymous).astype(str)


def person_keys(frame: pd.DataFrame) -> np.ndarray:
    """Dense integer keys (0..n-1) that group rows exactly as person_ids(frame) does.

    Vectorised on integer codes (a string groupby over millions of events is far too slow):
    identities are factorized in sorted order, so the largest code per session is the largest
    identity, as in person_ids.
    """
    n = len(frame)
    if n == 0:
        return np.zeros(0, dtype="int64")
    cols = [frame[c] for c in ("user_id", "customer_id") if c in frame]
    if cols:
        ident = cols[0] if len(cols) == 1 else cols[0].fillna(cols[1])
        icode, uniques = pd.factorize(ident, sort=True)        # -1 where there is no identity
    else:
        icode, uniques = np.full(n, -1, dtype="int64"), []
    scode, _ = pd.factorize(frame["session_id"])
    best = np.full(scode.max() + 1, -1, dtype="int64")
    np.maximum.at(best, scode, icode)
    per_row = best[scode]
    raw = np.where(per_row >= 0, per_row, len(uniques) + scode)
    keys, _ = pd.factorize(raw, sort=True)
    return keys.astype("int64")
