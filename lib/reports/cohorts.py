"""The Cohorts page as a report: summary, the retention heatmap and curves, the lifecycle and the table
(the incomplete week or month marked and left out of averages, as on the page)."""
from __future__ import annotations

import pandas as pd

from lib import cohorts, fmt
from lib.analytics import kpis
from lib.charts import cohorts as charts
from lib.reports import query
from lib.reports.blocks import Alert, Caption, Chart, Heading, Settings, Table, Tile, Tiles
from lib.sharing import links

__all__ = ["build", "cohort_table", "GRAINS", "METRICS", "MODES", "BREAKDOWNS", "RATE_NAMES"]

GRAINS = {"monthly": "Monthly", "weekly": "Weekly"}
METRICS = {"customers": "Customers", "orders": "Orders", "revenue": "Revenue"}
MODES = {"standard": "Standard", "rolling": "Rolling", "cumulative": "Cumulative"}
BREAKDOWNS = {"none": "No breakdown", "channel": "Acquisition channel", "category": "First category"}
RATE_NAMES = {"customers": "Retention rate", "orders": "Orders per customer", "revenue": "Revenue per customer"}


def _unit(grain: str) -> str:
    return "month" if grain == "month" else "week"


def cohort_table(df: pd.DataFrame, p: dict) -> pd.DataFrame:
    """The cohort table as shown and downloaded: numbers as numbers, columns named as on screen.
    ``p``: grain, metric and by (None or the breakdown key)."""
    out = pd.DataFrame()
    if p["by"]:
        out[BREAKDOWNS[p["by"]]] = [fmt.words(v) for v in df[p["by"]]]
    out["Cohort"] = [charts.cohort_label(c, p["grain"]) for c in df["cohort"]]
    out[f"{_unit(p['grain']).capitalize()}s since first purchase"] = df["period"].astype("int64")
    out["Customers in cohort"] = df["cohort_size"].astype("int64")
    out[METRICS[p["metric"]]] = df["value"]
    out[RATE_NAMES[p["metric"]]] = df["rate"]
    out["Period complete"] = ~df["partial"].astype(bool) if "partial" in df else True
    return out.reset_index(drop=True)


def _option(q: query.Query, key: str, options: dict[str, str], default: str) -> str:
    raw = q.one(key)
    return query.pick(links.alias(key, raw) if raw is not None else None, options, default)


def build(wh, params, *, currency: str = "USD", progress=None) -> list:
    span = kpis.order_span(wh)
    if span is None:
        return [Alert("No orders loaded yet.", "warning")]
    q = query.Query(params)
    grain = cohorts.normalize_grain(_option(q, "cgrain", GRAINS, "monthly"))
    metric = _option(q, "cmetric", METRICS, "customers")
    mode = _option(q, "cmode", MODES, "standard")
    by = _option(q, "cby", BREAKDOWNS, "none")
    by = None if by == "none" else by
    start, end = query.date_range(q, span[1], default="ytd")
    as_of = min(end, span[1])
    p = {"grain": grain, "metric": metric, "by": by}
    out: list = [Settings((("Cohorts by", GRAINS["monthly" if grain == "month" else "weekly"]),
                           ("Metric", METRICS[metric]), ("Mode", MODES[mode]), ("Breakdown", BREAKDOWNS[by or "none"]),
                           ("Dates", query.span_text((start, end)))))]
    df = cohorts.retention(wh, grain, metric, mode, by=by, start=start, end=end)
    if df.empty:
        return [*out, Alert("No customer made a first purchase in this date range.", "warning")]
    df = df.assign(partial=cohorts.partial(df, grain, as_of))
    unit = _unit(grain)
    s = cohorts.summary(df, grain, as_of, by)
    tiles = [Tile("New customers in range", fmt.count(cohorts.new_customers(wh, start, end))),
             Tile("Cohorts", fmt.count(s["cohorts"]))]
    if s["rate_1"] is not None:
        tiles.append(Tile(f"Weighted average, {unit} 1", charts.rate_label(s["rate_1"], metric, currency)))
    out.append(Tiles(tuple(tiles)))
    cut = cohorts.incomplete_period(grain, as_of)
    if cut is not None:
        what = f"{cut:%B %Y}" if grain == "month" else f"The week of {cut:%b %d, %Y}"
        out.append(Caption(f"{what} is not over: the data runs through {as_of:%b %d, %Y}. It is marked, left out "
                           "of the averages, and shown so far in the lifecycle."))
    shown = df
    if by:
        values = sorted(df[by].unique().tolist())
        picked = links.keys_for("cval", q.all("cval"), [str(v) for v in values])
        pick = picked[0] if picked else values[0]
        shown = df[df[by].astype(str) == str(pick)].drop(columns=[by]).reset_index(drop=True)
        out.append(Settings(((BREAKDOWNS[by], fmt.words(pick)),)))
    out += [Heading("Retention by cohort"), Chart(charts.heatmap(shown, metric, grain, mode, currency)),
            Heading("Retention curves"),
            Chart(charts.curves(shown, cohorts.average_curve(shown, grain, as_of), metric, grain, mode, currency))]
    if progress:
        progress(0.6, "Cohorts: lifecycle")
    life = cohorts.lifecycle(wh, grain, start=start, end=end, as_of=as_of)
    if not life.empty:
        out += [Heading("Customer lifecycle"), Chart(charts.lifecycle_bars(life, grain))]
    out += [Heading("Cohort table"), Table(cohort_table(df, p))]
    return out
