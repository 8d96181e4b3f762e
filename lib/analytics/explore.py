"""Free-form exploration: any KPI by a dimension, over time or in total, computed in SQL.

    df = query(wh, "revenue", "channel", "week", start, end, {"channel": ["web"], "category": []})

Metric and dimension names are looked up in the METRICS and DIMENSIONS registries (an unknown
name is a ValueError); filter values only ever reach SQL as bound parameters.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from lib.analytics import base as facts
from lib.analytics.periods import GRAINS

__all__ = ["Metric", "Dimension", "METRICS", "DIMENSIONS", "FILTERS", "query", "dimensions_for",
           "unavailable_reason", "top_values", "check", "partial_ends"]


@dataclass(frozen=True)
class Metric:
    """A measure: label, source ("orders" or "sessions"), aggregate builder, kind, additive?"""

    label: str
    source: str
    agg: Callable
    kind: str            # money | count | pct
    additive: bool = True
    help: str = ""


@dataclass(frozen=True)
class Dimension:
    """A way to split a metric: label, the sources it exists for, and its SQL expression."""

    label: str
    sources: tuple[str, ...]
    expr: dict[str, Callable[[], ColumnElement]]   # per source


_O, _S = facts.ORDER_AGGS, facts.SESSION_AGGS

METRICS: dict[str, Metric] = {
    "revenue": Metric("Revenue", "orders", _O["revenue"], "money", help="quantity × price − discount"),
    "orders": Metric("Orders", "orders", _O["orders"], "count"),
    "units": Metric("Units", "orders", _O["units"], "count", help="returns count negative"),
    "aov": Metric("Average order value", "orders", _O["aov"], "money", additive=False),
    "customers": Metric("Customers", "orders", _O["customers"], "count", additive=False,
                        help="distinct customers (not additive across periods)"),
    "new_customers": Metric("New customers", "orders", _O["new_customers"], "count",
                            help="first-ever order in the period"),
    "returning_rate": Metric("Returning-customer rate", "orders", _O["returning_rate"], "pct", additive=False),
    "gross_margin": Metric("Gross margin", "orders", _O["gross_margin"], "money",
                           help="on lines whose SKU has a unit cost"),
    "margin_pct": Metric("Gross margin %", "orders", _O["margin_pct"], "pct", additive=False),
    "returns": Metric("Returns", "orders", _O["returns"], "money"),
    "sessions": Metric("Sessions", "sessions", _S["sessions"], "count"),
    "converted_sessions": Metric("Sessions with a purchase", "sessions", _S["converted_sessions"], "count"),
    "conversion_rate": Metric("Conversion rate", "sessions", _S["conversion_rate"], "pct", additive=False),
}

_o, _p, _e = facts.orders_t, facts.products_t, facts.events_t

DIMENSIONS: dict[str, Dimension] = {
    "channel": Dimension("Channel", ("orders", "sessions"), {
        "orders": lambda: func.coalesce(_o.c.channel, facts.NONE), "sessions": lambda: _e.c.channel}),
    "category": Dimension("Category", ("orders",), {
        "orders": lambda: func.coalesce(_p.c.category, facts.UNKNOWN)}),
    "sku": Dimension("SKU", ("orders",), {"orders": lambda: _o.c.sku}),
    "supplier": Dimension("Supplier", ("orders",), {
        "orders": lambda: func.coalesce(_p.c.supplier, facts.UNKNOWN)}),
    "device": Dimension("Device", ("sessions",), {"sessions": lambda: _e.c.device}),
    "landing_page": Dimension("Landing page", ("sessions",), {"sessions": lambda: _e.c.landing_page}),
}

# filters: name -> sources it applies to
FILTERS: dict[str, tuple[str, ...]] = {"channel": ("orders", "sessions"), "category": ("orders",)}

_SOURCE_TEXT = {"orders": "order metrics", "sessions": "session (web traffic) metrics"}


def check(metric: str, dimension: str | None = None, grain: str | None = None) -> Metric:
    """The metric's registry entry; ValueError for an unknown metric, dimension, grain or pairing."""
    if not isinstance(metric, str) or metric not in METRICS:
        raise ValueError(f"unknown metric {str(metric)[:40]!r}; choose one of {', '.join(METRICS)}")
    m = METRICS[metric]
    if dimension is not None:
        if not isinstance(dimension, str) or dimension not in DIMENSIONS:
            raise ValueError(f"unknown dimension {str(dimension)[:40]!r}; choose one of {', '.join(DIMENSIONS)}")
        reason = unavailable_reason(metric, dimension)
        if reason:
            raise ValueError(reason)
    if grain is not None and grain not in GRAINS:
        raise ValueError(f"unknown grain {str(grain)[:40]!r}; choose one of {', '.join(GRAINS)} or total")
    return m


def dimensions_for(metric: str) -> list[str]:
    """The dimensions that make sense for a metric (by its source table)."""
    src = check(metric).source
    return [k for k, d in DIMENSIONS.items() if src in d.sources]


def unavailable_reason(metric: str, dimension: str) -> str | None:
    """Why a dimension cannot split a metric (None when it can)."""
    m, d = METRICS[metric], DIMENSIONS[dimension]
    if m.source in d.sources:
        return None
    return (f"{d.label} is not available for {m.label}: it is only recorded for "
            f"{' and '.join(_SOURCE_TEXT[s] for s in d.sources)}, and {m.label} comes from "
            f"{'orders' if m.source == 'orders' else 'web sessions'}.")


def _values(filters: Mapping[str, Sequence[str]] | None, name: str) -> list[str] | None:
    vals = (filters or {}).get(name) or []
    if isinstance(vals, str):
        vals = [vals]
    return [str(v) for v in vals] or None


def query(wh, metric: str, dimension: str | None, grain: str | None, start: date, end: date,
          filters: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """`metric` split by `dimension` (None: no split) per `grain` period (None/"total": one total).

    -> DataFrame[period?, <dimension>?, value]: with a grain every period of [start, end] is
    present for every dimension value (0 for additive metrics, NaN for ratios); rows sorted by
    period then dimension. Filters: {"channel": [...], "category": [...]} (empty = all); a
    filter that does not apply to the metric's source is ignored.
    """
    grain = None if grain in (None, "total") else grain
    m = check(metric, dimension, grain)
    unknown = set(filters or {}) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown filter {sorted(unknown)[0][:40]!r}; choose from {', '.join(FILTERS)}")
    dim = DIMENSIONS[dimension].expr[m.source] if dimension else None
    chans = _values(filters, "channel")
    if m.source == "orders":
        base = facts.order_lines(start, end, channels=chans, categories=_values(filters, "category"),
                                grain=grain, dim=dim)
    else:
        base = facts.sessions(start, end, channels=chans, grain=grain, dim=dim)
    keys = ([base.c.period] if grain else []) + ([base.c.dim] if dimension else [])
    agg = select(*keys, m.agg(base.c).label("value")).group_by(*keys).cte("explored")
    order = ([agg.c.period] if grain else []) + ([agg.c.dim] if dimension else [])
    df = wh.read(select(agg).order_by(*order))
    df["value"] = df["value"].astype(float)
    if grain:
        df["period"] = pd.to_datetime(df["period"])
        df = _fill(df, start, end, grain, dimension is not None, 0.0 if m.additive else None)
    if dimension:
        df = df.rename(columns={"dim": dimension})
        df[dimension] = df[dimension].astype(str)
    return df.reset_index(drop=True)


def _fill(df: pd.DataFrame, start: date, end: date, grain: str, by_dim: bool, fill: float | None) -> pd.DataFrame:
    idx = facts.period_index(start, end, grain)
    if not by_dim:
        out = pd.Series(df["value"].to_numpy(), index=df["period"]).reindex(idx)
        out = out if fill is None else out.fillna(fill)
        return pd.DataFrame({"period": idx, "value": out.to_numpy(dtype=float)})
    dims = sorted(df["dim"].unique()) if len(df) else []
    full = pd.MultiIndex.from_product([idx, dims], names=["period", "dim"])
    out = df.set_index(["period", "dim"])["value"].reindex(full)
    if fill is not None:
        out = out.fillna(fill)
    return out.reset_index()


def partial_ends(start: date, end: date, grain: str | None) -> tuple[bool, bool]:
    """Whether the first / last period of [start, end] at `grain` is cut short by the range."""
    if grain in (None, "total", "day"):
        return False, False
    idx = facts.period_index(start, end, grain)
    last_end = idx[-1] + (pd.Timedelta(days=6) if grain == "week" else pd.offsets.MonthEnd(0))
    return idx[0].date() < start, last_end.date() > end


def top_values(df: pd.DataFrame, dimension: str, n: int = 8, additive: bool = True) -> list[str]:
    """The `n` dimension values with the largest total (mean for ratios), for charts."""
    agg = df.groupby(dimension)["value"].sum() if additive else df.groupby(dimension)["value"].mean()
    return agg.sort_values(ascending=False, kind="stable").head(n).index.tolist()
