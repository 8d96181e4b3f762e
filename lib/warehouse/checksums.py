"""Content checksums of typed feed frames (the load history's, and the data version built on them).

    checksum(frame)                       order-independent sum of row hashes, plus shape
    checksum_of(rows, columns, total)     the same from a row count, the columns and a DuckDB hash total
    arrow(frame)                          the frame as an Arrow table (DuckDB scans it in parallel)
"""
from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

__all__ = ["checksum", "checksum_of", "arrow"]


def checksum(frame: pd.DataFrame) -> str:
    """Content checksum of a typed frame (order-independent sum of row hashes, plus shape)."""
    con = duckdb.connect()
    try:
        con.register("_v", arrow(frame))
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        total = con.execute(f"SELECT coalesce(sum(hash({cols})::HUGEINT), 0)::VARCHAR FROM _v").fetchone()[0]
    finally:
        con.close()
    return checksum_of(len(frame), list(frame.columns), total)


def checksum_of(rows: int, columns: list[str], total: str) -> str:
    return hashlib.sha256(f"{rows}|{','.join(columns)}|{total}".encode()).hexdigest()[:16]


def arrow(frame: pd.DataFrame):
    """An Arrow table of the frame: DuckDB scans it in parallel, much faster than pandas."""
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)
