"""The Overview page as a report: KPI tiles against the comparison period, the trend, revenue by
channel and by category, what changed, and the top and bottom movers (the same lib.analytics.kpis queries and chart builders)."""
from __future__ import annotations

import pandas as pd

from lib import fmt
from lib.analytics import change, kpis, periods
from lib.charts import change as change_charts
from lib.charts import overview as charts
from lib.reports import query
from lib.reports.blocks import Alert, Caption, Chart, Heading, Settings, Table, Text, Tile, Tiles
from lib.sharing import links

__all__ = ["build", "TILE_ORDER", "tile_value", "tile_delta", "breakdown_table", "movers_table", "what_changed"]

TILE_ORDER = ["revenue", "orders", "units", "aov", "returns", "customers", "new_customers", "returning_customers",
              "returning_rate", "sessions", "conversion_rate", "gross_margin", "margin_pct"]


def tile_value(v: float, kind: str, currency: str) -> str:
    if kind == "money":
        return fmt.money(v, currency)
    return fmt.pct(v) if kind == "pct" else fmt.count(v)


def tile_delta(rec) -> str:
    """'+12.3%' (money, counts), '+1.2 pts' (rates), 'new', or '' without a comparison."""
    if pd.isna(rec.previous) or pd.isna(rec.value):
        return ""
    if rec.kind == "pct":
        return f"{100 * rec.change:+.1f} pts"
    if rec.previous == 0:
        return "" if rec.value == 0 else "new"
    return fmt.change_pct(rec.value, rec.previous)


def breakdown_table(df: pd.DataFrame, dim: str, title: str, prev) -> pd.DataFrame:
    """Revenue by channel or category as the page shows it (numbers; channels in words)."""
    shown = [fmt.words(v) if dim == "channel" else v for v in df[dim].astype(str)]
    table = pd.DataFrame({title: shown, "Revenue": df["revenue"]})
    if prev:
        table["Comparison revenue"] = df["previous"]
        table["Change"] = df["change"]
        table["Change %"] = df["change_pct"]
    table["Share"] = df["share"]
    table["Orders"] = df["orders"]
    table["Units"] = df["units"]
    return table


def movers_table(df: pd.DataFrame, dim: str, title: str) -> pd.DataFrame:
    """Top and bottom movers as the page shows them (a SKU with its product name)."""
    table = pd.DataFrame({title: df[dim]})
    if dim == "sku" and "name" in df:
        table["Product"] = df["name"]
    table["Revenue"] = df["revenue"]
    table["Comparison revenue"] = df["previous"]
    table["Change"] = df["change"]
    table["Change %"] = df["change_pct"]
    return table


def build(wh, params, *, currency: str = "USD", progress=None) -> list:
    span = kpis.order_span(wh)
    if span is None:
        return [Alert("No orders loaded yet.", "warning")]
    q = query.Query(params)
    start, end = query.date_range(q, span[1])
    prev = query.comparison(q, start, end)
    grain = query.pick(q.one("grain"), list(periods.GRAINS), "day")
    metric = query.pick(q.one("trend"), list(kpis.KPIS), "revenue")
    if metric == "returns":
        metric = "revenue"
    channels = links.keys_for("channel", q.all("channel"), kpis.channels(wh))
    out: list = [Settings((("Dates", query.span_text((start, end))),
                           ("Compared with", query.span_text(prev) if prev else "no comparison"),
                           ("Grain", grain.capitalize()),
                           ("Channels", ", ".join(map(fmt.words, channels)) or "all")))]
    cmp = kpis.compare(wh, start, end, prev, channels)
    recs = {r.kpi: r for r in cmp.itertuples(index=False)}
    if recs["orders"].value == 0:
        return [*out, Alert(f"No orders in {query.span_text((start, end))}; the data covers {query.span_text(span)}.", "warning")]
    out.append(Tiles(tuple(Tile(recs[k].label, tile_value(recs[k].value, recs[k].kind, currency), tile_delta(recs[k]))
                           for k in TILE_ORDER)))
    if progress:
        progress(0.3, "Overview: trend")
    k = kpis.KPIS[metric]
    cur = kpis.trend(wh, start, end, grain, metric, channels)
    old = kpis.trend(wh, prev[0], prev[1], grain, metric, channels) if prev else None
    promos = kpis.promotion_periods(wh, start, end)
    out += [Heading(f"Trend: {k.label}"),
            Chart(charts.trend_chart(kpis.overlay(cur, old), k.label, k.kind, grain, promos, start, end, currency))]
    for dim, title in (("channel", "Channel"), ("category", "Category")):
        df = kpis.breakdown_compare(wh, start, end, prev, dim, channels)
        out.append(Heading(f"Revenue by {title.lower()}"))
        if df.empty or not (df["revenue"].abs().sum() or df["previous"].abs().sum()):
            out.append(Caption("No orders in this range."))
            continue
        shown = {v: fmt.words(v) if dim == "channel" else v for v in df[dim].astype(str)}
        out += [Chart(charts.breakdown_bars(df, dim, title, currency, labels=shown)),
                Table(breakdown_table(df, dim, title, prev))]
    out += what_changed(wh, cmp, start, end, prev, channels, q.one("wc_by"), currency)
    if prev is not None:
        if progress:
            progress(0.7, "Overview: movers")
        for dim, title in (("sku", "SKU"), ("category", "Category")):
            mv = kpis.movers(wh, start, end, prev, dim=dim, n=5, channels=channels)
            out.append(Heading(f"Top and bottom movers: {title}"))
            if mv.empty:
                out.append(Caption("No revenue changes between the two periods."))
                continue
            out += [Chart(charts.movers_bars(mv, dim, title, currency)), Table(movers_table(mv, dim, title))]
    return out


def what_changed(wh, cmp: pd.DataFrame, start, end, prev, channels, split: str | None, currency: str) -> list:
    """The page's What changed section: the sentence, the waterfall and the volume/mix/price table (against
    the comparison period, else the previous period of equal length)."""
    a, b = prev or periods.comparison(start, end, "previous_period"), (start, end)
    dim = query.pick(split, list(change.SEGMENT_DIMS), "channel")
    by = cmp.set_index("kpi")
    now = {k: by.loc[k, "value"] for k in ("revenue", "sessions", "orders")}
    before = {k: by.loc[k, "previous"] for k in now} if prev else kpis.summary(wh, *a, channels)
    drivers = change.decompose(before, now)
    segs = change.explain_segments(wh, *a, *b, dim=dim, channels=channels)
    table = segs.assign(**{dim: segs[dim].map(fmt.words) if dim == "channel" else segs[dim]}).rename(columns={
        dim: dim.capitalize(), "revenue_a": "Before", "revenue_b": "After", "change": "Change", "volume": "Volume",
        "mix": "Mix", "price": "Price"})
    return [Heading("What changed"), Text(change.sentence(drivers, a, b, segs, dim=dim, currency=currency)),
            Chart(change_charts.waterfall_chart(drivers, fmt.span(*a), fmt.span(*b), currency)), Table(table)]
