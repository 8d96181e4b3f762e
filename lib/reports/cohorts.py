"""The Cohorts page as a report: summary, the retention heatmap and curves, the lifecycle and the table."""
from __future__ import annotations

from datetime import date

from lib import cohorts, fmt, kpis
from lib.charts import cohorts as charts
from lib.reports import query
from lib.reports.blocks import Alert, Chart, Heading, Settings, Table, Tile, Tiles

__all__ = ["build"]

GRAINS = {"monthly": "Monthly", "weekly": "Weekly"}
METRICS = {"customers": "Customers", "orders": "Orders", "revenue": "Revenue"}
MODES = {"standard": "Standard", "rolling": "Rolling", "cumulative": "Cumulative"}
BREAKDOWNS = {"none": "None", "channel": "Acquisition channel", "category": "First category"}


def _span(rng: tuple[date, date]) -> str:
    return f"{rng[0]:%b %d, %Y} – {rng[1]:%b %d, %Y}"


def build(wh, params, *, currency: str = "USD", progress=None) -> list:
    span = kpis.order_span(wh)
    if span is None:
        return [Alert("No orders loaded yet.", "warning")]
    q = query.Query(params)
    grain = cohorts.normalize_grain(query.pick(q.one("cgrain"), GRAINS, "monthly"))
    metric = query.pick(q.one("cmetric"), METRICS, "customers")
    mode = query.pick(q.one("cmode"), MODES, "standard")
    by = query.pick(q.one("cby"), BREAKDOWNS, "none")
    by = None if by == "none" else by
    start, end = query.date_range(q, span[1], default="ytd")
    out: list = [Settings((("Cohorts by", grain), ("Metric", METRICS[metric]), ("Mode", MODES[mode]),
                           ("Breakdown", BREAKDOWNS[by or "none"]), ("Dates", _span((start, end)))))]
    df = cohorts.retention(wh, grain, metric, mode, by=by, start=start, end=end)
    if df.empty:
        return [*out, Alert("No customer made a first purchase in this date range.", "warning")]
    first = df[df["period"] == 0]
    avg = cohorts.average_curve(df.drop(columns=[by]) if by else df)
    tiles = [Tile("New customers in range", fmt.count(int(first["cohort_size"].sum()))),
             Tile("Cohorts", fmt.count(first["cohort"].nunique()))]
    one = avg[avg["period"] == 1]
    if len(one):
        tiles.append(Tile(f"Weighted average, {grain} 1", charts.rate_label(float(one["rate"].iloc[0]), metric,
                                                                             currency)))
    out.append(Tiles(tuple(tiles)))
    shown = df
    if by:
        pick = q.one("cval")
        values = sorted(df[by].unique().tolist())
        pick = pick if pick in values else values[0]
        shown = df[df[by] == pick].drop(columns=[by]).reset_index(drop=True)
        out.append(Settings(((BREAKDOWNS[by], str(pick)),)))
    out += [Heading("Retention by cohort"), Chart(charts.heatmap(shown, metric, grain, mode, currency)),
            Heading("Retention curves"),
            Chart(charts.curves(shown, cohorts.average_curve(shown), metric, grain, mode, currency))]
    if progress:
        progress(0.6, "Cohorts: lifecycle")
    life = cohorts.lifecycle(wh, grain, start=start, end=end)
    if not life.empty:
        out += [Heading("Customer lifecycle"), Chart(charts.lifecycle_bars(life, grain))]
    table = df.rename(columns={"cohort": "Cohort", "period": "Period", "cohort_size": "Customers in cohort",
                               "value": METRICS[metric], "rate": "Rate", **({by: BREAKDOWNS[by]} if by else {})})
    out += [Heading("Cohort table"), Table(table)]
    return out
