"""What changed charts: the waterfall of revenue's change and the daily trend with its anomaly band."""
from __future__ import annotations

import altair as alt
import pandas as pd

from lib.charts.common import COMPARISON, CURRENT, DOWN, UP, axis_format, tooltip_format, value_title

__all__ = ["waterfall_data", "waterfall_chart", "anomaly_chart", "FLAG_COLORS"]

FLAG_COLORS = {"spike": UP, "dip": DOWN}
_KINDS = ["total", "up", "down"]


def waterfall_data(drivers: pd.DataFrame, before: str = "Before", after: str = "After") -> pd.DataFrame:
    """The bars of the waterfall from explain_change's frame: the baseline revenue, one floating bar per
    driver (from the running total to the running total plus its contribution), the new revenue.

    -> DataFrame[order, step, kind (total|up|down), start, end, amount] in drawing order."""
    ra, rb = drivers.attrs["revenue_a"], drivers.attrs["revenue_b"]
    rows, run = [(0, before, "total", 0.0, ra, ra)], ra
    for i, r in enumerate(drivers.itertuples(index=False), start=1):
        new = round(run + r.contribution, 2)
        rows.append((i, r.label, "up" if r.contribution >= 0 else "down", run, new, r.contribution))
        run = new
    rows.append((len(rows), after, "total", 0.0, rb, rb))
    return pd.DataFrame(rows, columns=["order", "step", "kind", "start", "end", "amount"])


def waterfall_chart(drivers: pd.DataFrame, before: str = "Before", after: str = "After",
                    currency: str = "USD") -> alt.Chart:
    """Baseline revenue -> sessions -> conversion -> AOV -> new revenue (explain_change output)."""
    data = waterfall_data(drivers, before, after)
    money = tooltip_format("money", currency)
    bars = alt.Chart(data).mark_bar(size=38).encode(
        x=alt.X("step:N", title=None, sort=data["step"].tolist(), axis=alt.Axis(labelAngle=0, labelLimit=160)),
        y=alt.Y("start:Q", title=value_title("Revenue", "money", currency),
                axis=alt.Axis(format=axis_format("money", currency))),
        y2="end:Q",
        color=alt.Color("kind:N", legend=None, scale=alt.Scale(domain=_KINDS, range=[CURRENT, UP, DOWN])),
        tooltip=[alt.Tooltip("step:N", title="Step"), alt.Tooltip("amount:Q", title="Amount", format=money),
                 alt.Tooltip("end:Q", title="Running revenue", format=money)])
    return bars.properties(height=300)


def anomaly_chart(df: pd.DataFrame, label: str, kind: str = "money", currency: str = "USD") -> alt.LayerChart:
    """The daily metric (kpis.anomalies output) over its baseline band, flagged days as red/green points
    with the segments that drove them in the tooltip."""
    data = df.copy()
    data["date"] = pd.to_datetime(data["date"])
    data["flag"] = data["flag"].fillna("")
    fmt_ = tooltip_format(kind, currency)
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %d"))
    base = alt.Chart(data)
    band = base.mark_area(opacity=0.25, color=COMPARISON).encode(x=x, y="lo:Q", y2="hi:Q")
    mid = base.mark_line(strokeDash=[4, 3], color=COMPARISON).encode(x=x, y="baseline:Q")
    line = base.mark_line(color=CURRENT, strokeWidth=2).encode(
        x=x, y=alt.Y("value:Q", title=value_title(label, kind, currency), axis=alt.Axis(format=axis_format(kind, currency))))
    points = alt.Chart(data[data["flag"] != ""]).mark_point(filled=True, size=90).encode(
        x=x, y="value:Q",
        color=alt.Color("flag:N", title=None, scale=alt.Scale(domain=list(FLAG_COLORS), range=list(FLAG_COLORS.values())),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("date:T", title="Day", format="%a %b %d, %Y"), alt.Tooltip("flag:N", title="Flag"),
                 alt.Tooltip("value:Q", title=label, format=fmt_),
                 alt.Tooltip("baseline:Q", title="Usual (weekday median)", format=fmt_),
                 alt.Tooltip("drivers:N", title="Drivers")])
    return alt.layer(band, mid, line, points).properties(height=300)
