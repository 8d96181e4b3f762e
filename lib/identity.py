"""Who a web event belongs to: the person behind a session, as an integer key.

A person is the event's user_id, else its customer_id; the identity is stitched across the
session (a visitor who logs in halfway is one person for the whole session), and an anonymous
session is a person of its own. The warehouse stores the result as events.user_key, so that
per-user funnels group on an integer. lib.fastload applies the same rule in DuckDB SQL.
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
    """Dense integer keys (0..n-1, in sorted identity order) for person_ids(frame)."""
    codes, _ = pd.factorize(person_ids(frame), sort=True)
    return codes.astype("int64")
