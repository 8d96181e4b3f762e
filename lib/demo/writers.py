"""Chunked feed writers (Parquet or CSV) and vectorised string-id helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

TS = pa.timestamp("us")

SCHEMAS = {
    "products": pa.schema([("sku", pa.string()), ("name", pa.string()), ("category", pa.string()),
                           ("unit_cost", pa.float64()), ("price", pa.float64()),
                           ("lead_time_days", pa.int64()), ("moq", pa.int64()), ("case_pack", pa.int64()),
                           ("supplier", pa.string()), ("supplier_sku", pa.string()), ("active", pa.bool_())]),
    "orders": pa.schema([("order_id", pa.string()), ("ordered_at", TS), ("customer_id", pa.string()),
                         ("sku", pa.string()), ("quantity", pa.int64()), ("unit_price", pa.float64()),
                         ("discount", pa.float64()), ("channel", pa.string()), ("status", pa.string()),
                         ("currency", pa.string())]),
    "events": pa.schema([("session_id", pa.string()), ("event_at", TS), ("event", pa.string()),
                         ("user_id", pa.string()), ("customer_id", pa.string()), ("channel", pa.string()),
                         ("device", pa.string()), ("landing_page", pa.string()), ("sku", pa.string()),
                         ("order_id", pa.string())]),
    "inventory": pa.schema([("sku", pa.string()), ("date", pa.date32()), ("on_hand", pa.int64()),
                            ("on_order", pa.int64()), ("location", pa.string())]),
    "promotions": pa.schema([("promo_id", pa.string()), ("start_date", pa.date32()), ("end_date", pa.date32()),
                             ("discount_pct", pa.float64()), ("sku", pa.string()), ("category", pa.string()),
                             ("type", pa.string()), ("channel", pa.string())]),
    "customers": pa.schema([("customer_id", pa.string()), ("email", pa.string()), ("first_name", pa.string()),
                            ("last_name", pa.string()), ("accepts_marketing", pa.bool_()), ("country", pa.string())]),
    "spend": pa.schema([("date", pa.date32()), ("channel", pa.string()), ("campaign", pa.string()),
                        ("spend", pa.float64()), ("currency", pa.string()), ("impressions", pa.int64()),
                        ("clicks", pa.int64())]),
}


def ids(prefix: str, values: np.ndarray, width: int) -> pa.Array:
    """Format integer ids as zero-padded strings with a prefix; negative values become null.

    Builds the fixed-width string buffer with numpy (much faster than per-value formatting).
    """
    v = np.asarray(values, dtype=np.int64)
    null = v < 0
    v = np.where(null, 0, v)
    if len(v) and int(v.max()) >= 10**width:
        raise ValueError(f"id {int(v.max())} does not fit in {width} digits")
    head = np.frombuffer(prefix.encode(), np.uint8)
    size = len(head) + width
    buf = np.empty((len(v), size), np.uint8)
    buf[:, : len(head)] = head
    for k in range(size - 1, len(head) - 1, -1):
        buf[:, k] = 48 + v % 10
        v = v // 10
    offsets = np.arange(len(buf) + 1, dtype=np.int32) * size
    n_null = int(null.sum())
    validity = pa.array(~null).buffers()[1] if n_null else None
    return pa.StringArray.from_buffers(len(buf), pa.py_buffer(offsets), pa.py_buffer(buf), validity, n_null)


def pick(labels, index: np.ndarray) -> pa.Array:
    """Take labels[index] as a string array; negative indices become null."""
    index = np.asarray(index, dtype=np.int64)
    return pc.take(pa.array(list(labels), pa.string()), pa.array(index, mask=index < 0))


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Epoch seconds (int64) as a naive microsecond timestamp array."""
    return pa.array(np.asarray(seconds, dtype=np.int64) * 1_000_000, TS)


class FeedWriter:
    """Append pyarrow tables to one feed file; Parquet row groups or CSV blocks."""

    def __init__(self, out_dir: Path, feed: str, fmt: str):
        self.schema = SCHEMAS[feed]
        self.fmt = fmt
        self.path = Path(out_dir) / f"{feed}.{fmt}"
        self.rows = 0
        if fmt == "parquet":
            self._w = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        else:
            self._f = open(self.path, "wb")  # noqa: SIM115 - closed in close()
            self._f.write((",".join(self.schema.names) + "\n").encode())
            self._opts = pcsv.WriteOptions(include_header=False, quoting_style="none")

    def write(self, columns: dict) -> None:
        """Write one block given as {column: array}; columns in schema order."""
        table = pa.table([columns[f.name] for f in self.schema], schema=self.schema)
        self.rows += table.num_rows
        if table.num_rows == 0:
            return
        if self.fmt == "parquet":
            self._w.write_table(table, row_group_size=1 << 20)
            return
        cols = []
        for f, col in zip(self.schema, table.columns, strict=True):
            if f.type == TS:
                col = pc.strftime(pc.cast(col, pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S")
            cols.append(col)
        pcsv.write_csv(pa.table(cols, names=self.schema.names), self._f, self._opts)

    def close(self) -> str:
        """Finish the file and return its path."""
        if self.fmt == "parquet":
            self._w.close()
        else:
            self._f.close()
        return str(self.path)
