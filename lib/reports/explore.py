"""The Explore page as a report: the metric by a dimension over time (or in total), chart and table."""
from __future__ import annotations

import pandas as pd

from lib import fmt
from lib.analytics import explore, kpis
from lib.charts import explore as charts
from lib.reports import query
from lib.reports.blocks import Alert, Caption, Chart, Heading, Settings, Table
from lib.sharing import links

__all__ = ["build"]

NO_DIM = "none"


def build(wh, params, *, currency: str = "USD", progress=None) -> list:
    span = kpis.order_span(wh)
    if span is None:
        return [Alert("No orders loaded yet.", "warning")]
    q = query.Query(params)
    labels = {k: m.label for k, m in explore.METRICS.items()}
    metric = query.pick(q.one("metric"), labels, next(iter(explore.METRICS)))
    m = explore.METRICS[metric]
    dims = explore.dimensions_for(metric)
    dim_labels = {NO_DIM: "No split", **{d: explore.DIMENSIONS[d].label for d in dims}}
    dim = query.pick(q.one("dim"), dim_labels, dims[0] if dims else NO_DIM)
    dimension = None if dim == NO_DIM else dim
    grain = query.pick((q.one("xgrain") or "").lower() or None, ["total", "day", "week", "month"], "week")
    start, end = query.date_range(q, span[1], default="last_90")
    channels = links.keys_for("channel", q.all("channel"), kpis.channels(wh))
    cats = kpis.categories(wh)
    categories = [c for c in q.all("category") if c in cats] if m.source in explore.FILTERS["category"] else []
    top = q.int("top", 8, 1, 20)
    dim_label = dim_labels[dim] if dimension else ""
    out: list = [Settings((("Metric", m.label), ("Split by", dim_labels[dim]), ("Grain", grain.capitalize()),
                           ("Dates", query.span_text((start, end))), ("Channels", ", ".join(map(fmt.words, channels)) or "all"),
                           ("Categories", ", ".join(categories) or "all")))]
    filters = {"channel": channels, "category": categories}
    df = explore.query(wh, metric, dimension, None if grain == "total" else grain, start, end, filters)
    if df.empty or df["value"].isna().all():
        return [*out, Alert(f"No data for {m.label} in {query.span_text((start, end))} with these filters.", "warning")]
    shown = df
    if dimension:
        keep = explore.top_values(df, dimension, top, m.additive)
        shown = df[df[dimension].isin(keep)]
    ch = (charts.bars_chart if grain == "total" else charts.lines_chart)(shown, dimension, m.label, m.kind, dim_label,
                                                                          currency)
    title = m.label + (f" by {dim_label.lower()}" if dimension else "") + (f", per {grain}" if grain != "total"
                                                                           else ", total")
    table = df.copy()
    if "period" in table:
        table["period"] = pd.to_datetime(table["period"]).dt.date
    table = table.rename(columns={"period": "Period", "value": m.label, **({dimension: dim_label} if dimension else {})})
    out += [Heading(title), Chart(ch), Table(table)]
    if m.help:
        out.append(Caption(f"{m.label}: {m.help}."))
    return out
