"""Marketing charts: return on ad spend per channel, and cohort payback curves against acquisition cost.

Inputs are the frames of lib.marketing: ``channel_report`` rows (channel, spend, revenue, gross_margin,
roas, ...) and ``payback`` rows (cohort, channel, months_since, customers, cac, cum_margin_per_customer,
paid_back).
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from lib.charts.common import axis_format, empty_note, segment_color, tooltip_format, value_title
from lib.fmt import words

__all__ = ["roas_bars", "payback_chart", "channel_curves", "LOG_SPREAD"]

LOG_SPREAD = 20.0        # ROAS bars go on a log axis when the largest is more than this many times the smallest


def roas_bars(report: pd.DataFrame, currency: str = "USD") -> alt.Chart:
    """Revenue and gross margin per unit of spend, one bar pair per channel that spent anything, with a rule
    at 1 (the spend back). Channels without spend have no ROAS and are left out."""
    paid = report[report["spend"] > 0].assign(channel=lambda d: d["channel"].map(words))
    if paid.empty:
        return empty_note("No spend in this range: load the spend feed (ad and email platform exports).")
    rows = []
    for r in paid.itertuples(index=False):
        rows.append({"channel": r.channel, "measure": "Revenue / spend", "value": r.revenue / r.spend,
                     "spend": r.spend, "amount": r.revenue})
        rows.append({"channel": r.channel, "measure": "Gross margin / spend", "value": r.gross_margin / r.spend,
                     "spend": r.spend, "amount": r.gross_margin})
    data = pd.DataFrame(rows)
    data = data[data["value"] > 0]        # no return at all: no bar (the table says 0.00x)
    order = paid.sort_values("roas", ascending=False)["channel"].tolist()
    # one channel far ahead (an email list that costs a flat fee) would flatten the others: a log axis then
    spread = data["value"].max() / data["value"].min() if len(data) else 1.0
    log = spread > LOG_SPREAD
    # a log axis has no 0: the bars start at the power of ten below the smallest value (else none is drawn)
    floor = 10.0 ** np.floor(np.log10(min(data["value"].min(), 1.0))) if log else 0.0
    data = data.assign(base=floor)
    scale = alt.Scale(type="log", domainMin=floor) if log else alt.Scale(zero=True)
    money = tooltip_format("money", currency)
    bars = alt.Chart(data).mark_bar().encode(
        x2=alt.X2("base:Q"),
        y=alt.Y("channel:N", sort=order, title=None),
        yOffset=alt.YOffset("measure:N", sort=["Revenue / spend", "Gross margin / spend"]),
        x=alt.X("value:Q", title="Return per 1 spent (×" + (", log scale)" if log else ")"),
                scale=scale, axis=alt.Axis(format="~g")),
        color=alt.Color("measure:N", title=None, sort=["Revenue / spend", "Gross margin / spend"],
                        scale=alt.Scale(range=["#2563eb", "#10b981"]), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("channel:N", title="Channel"), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("value:Q", title="×", format=".2f"),
                 alt.Tooltip("amount:Q", title="Amount", format=money),
                 alt.Tooltip("spend:Q", title="Spend", format=money)],
    )
    rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 3], color="#6b7280").encode(x="x:Q")
    return (bars + rule).properties(height=alt.Step(14))


def channel_curves(payback: pd.DataFrame) -> pd.DataFrame:
    """Per channel and months since acquisition, the cohorts that have reached that month pooled:
    customers, cumulative gross margin per customer (customer-weighted) and CAC (their spend over their
    customers: sum(cac x customers) / customers). Cohorts without spend (CAC missing) are left out."""
    cols = ["channel", "months_since", "customers", "cum_margin_per_customer", "cac"]
    pb = payback.dropna(subset=["cac"])
    pb = pb[pb["customers"] > 0]
    if pb.empty:
        return pd.DataFrame(columns=cols)
    pb = pb.assign(margin=pb["cum_margin_per_customer"] * pb["customers"], spend=pb["cac"] * pb["customers"])
    g = pb.groupby(["channel", "months_since"], as_index=False)[["customers", "margin", "spend"]].sum()
    g["cum_margin_per_customer"] = g["margin"] / g["customers"]
    g["cac"] = g["spend"] / g["customers"]
    return g[cols].sort_values(["channel", "months_since"]).reset_index(drop=True)


def payback_chart(payback: pd.DataFrame, currency: str = "USD") -> alt.Chart:
    """Cumulative gross margin per customer by months since the first order, one line per acquisition channel,
    and each channel's CAC as a dashed rule of its colour: a line crossing its rule has paid back."""
    curves = channel_curves(payback)
    if curves.empty:
        return empty_note("No cohort with acquisition spend in this range.")
    curves = curves.assign(channel=curves["channel"].map(words))
    channels = sorted(curves["channel"].unique())
    color = segment_color("channel", channels, title="Channel")
    money = tooltip_format("money", currency)
    base = alt.Chart(curves)
    lines = base.mark_line(point=True).encode(
        x=alt.X("months_since:Q", title="Months since first order", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("cum_margin_per_customer:Q", title=value_title("Cumulative gross margin per customer", "money",
                                                                 currency),
                axis=alt.Axis(format=axis_format("money", currency))),
        color=color,
        tooltip=[alt.Tooltip("channel:N", title="Channel"), alt.Tooltip("months_since:Q", title="Month"),
                 alt.Tooltip("cum_margin_per_customer:Q", title="Margin per customer", format=money),
                 alt.Tooltip("cac:Q", title="CAC", format=money),
                 alt.Tooltip("customers:Q", title="Customers", format=",")],
    )
    cac = curves.groupby("channel", as_index=False).first()[["channel", "cac"]]
    cac = cac[np.isfinite(cac["cac"])]
    rules = alt.Chart(cac).mark_rule(strokeDash=[5, 4]).encode(
        y="cac:Q", color=color, tooltip=[alt.Tooltip("channel:N", title="Channel"),
                                         alt.Tooltip("cac:Q", title="CAC", format=money)])
    return (lines + rules).properties(height=320)
