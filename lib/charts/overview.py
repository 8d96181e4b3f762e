"""Overview charts: the KPI trend (current vs comparison, promotions shaded), breakdowns, movers."""
from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd

from lib.charts.common import (
    COMPARISON,
    CURRENT,
    DOWN,
    PROMO,
    UP,
    axis_format,
    segment_hex,
    tooltip_format,
    value_title,
)

__all__ = ["trend_chart", "breakdown_bars", "movers_bars", "promo_bands", "sku_labels"]

_GRAIN_FMT = {"day": "%b %d, %Y", "week": "week of %b %d, %Y", "month": "%B %Y"}
# no tick between two periods: a week of days got a tick every 12 hours, each day's label twice
_TICK_MS = {"day": 86_400_000, "week": 7 * 86_400_000}


def promo_bands(promos: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Promotion rows clipped to [start, end], with an exclusive band end and a lane for drawing.

    Lanes pack the promotions greedily (a promotion takes the first lane free on its start day), so
    overlapping promotions sit on separate thin strips along the top of the chart.
    """
    cols = ["promo_id", "band_start", "band_end", "discount", "scope", "dates", "lane"]
    if promos is None or promos.empty:
        return pd.DataFrame(columns=cols)
    out = promos.sort_values(["start_date", "promo_id"]).reset_index(drop=True)
    out["band_start"] = pd.to_datetime([max(d, start) for d in out["start_date"]])
    out["band_end"] = pd.to_datetime([min(d, end) + timedelta(days=1) for d in out["end_date"]])
    out["discount"] = out["discount_pct"].map(lambda v: f"{v:g}% off")
    out["dates"] = [f"{s:%b %d} – {e:%b %d, %Y}" for s, e in zip(out["start_date"], out["end_date"], strict=True)]
    lanes: list[pd.Timestamp] = []          # the end of the last promotion on each lane
    picked = []
    for b0, b1 in zip(out["band_start"], out["band_end"], strict=True):
        lane = next((i for i, busy_until in enumerate(lanes) if busy_until <= b0), len(lanes))
        if lane == len(lanes):
            lanes.append(b1)
        lanes[lane] = b1
        picked.append(lane)
    out["lane"] = picked
    return out[cols]


def _x_domain(frame: pd.DataFrame, end: date | None) -> list[str] | None:
    """The time axis of the trend and its promotion lanes: from the first period drawn to the day after
    the range (a promotion's band ends at the start of the day after its last day)."""
    if frame.empty or end is None:
        return None
    first = pd.to_datetime(frame["period"]).min()
    return [first.isoformat(), pd.Timestamp(end + timedelta(days=1)).isoformat()]


def trend_chart(frame: pd.DataFrame, label: str, kind: str, grain: str, promos: pd.DataFrame | None = None,
                start: date | None = None, end: date | None = None, currency: str = "USD",
                flags: pd.DataFrame | None = None):
    """Lines of `frame` (kpis.overlay output: offset, period, series, value, actual_period).

    The comparison series is drawn dashed on the current period's axis. Promotions overlapping
    [start, end] are drawn as bars in lanes of their own under the trend, on the same time axis (with
    the promo id, discount and scope in the tooltip): nothing is painted over the data. `flags` (the
    flagged rows of kpis.anomalies: date, value, flag, baseline, drivers) marks unusual days on the current
    line. Returns the lines (alt.Chart, or alt.LayerChart with flags) without promotions, else
    alt.VConcatChart(lines, lanes).
    """
    data = frame.copy()
    data["when"] = pd.to_datetime(data["actual_period"]).dt.strftime(_GRAIN_FMT.get(grain, "%Y-%m-%d"))
    domain = [s for s in ("Current", "Comparison") if s in set(data["series"])]
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                      scale=alt.Scale(domain=domain, range=[CURRENT, COMPARISON][: len(domain)]))
    has_promos = promos is not None and not promos.empty and start is not None and end is not None
    xdom = _x_domain(data, end) if has_promos else None
    xscale = alt.Scale(domain=xdom) if xdom else alt.Undefined
    lines = alt.Chart(data).mark_line(point=len(data) <= 120, strokeWidth=2).encode(
        x=alt.X("period:T", title=None, scale=xscale,
                axis=alt.Axis(format="%b %d" if grain != "month" else "%b %Y",
                              tickMinStep=_TICK_MS.get(grain, alt.Undefined))),
        y=alt.Y("value:Q", title=value_title(label, kind, currency), axis=alt.Axis(format=axis_format(kind, currency))),
        color=color,
        strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(domain=domain, range=[[1, 0], [5, 4]][: len(domain)])),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("when:N", title="Period"),
                 alt.Tooltip("value:Q", title=label, format=tooltip_format(kind, currency))],
    ).properties(height=300)
    if flags is not None and len(flags):
        lines = alt.layer(lines, _flag_points(flags, label, kind, currency, xscale)).resolve_scale(color="independent")
    if not has_promos:
        return lines.properties(height=320)
    bands = promo_bands(promos, start, end)
    n_lanes = int(bands["lane"].max()) + 1
    tip = [alt.Tooltip("promo_id:N", title="Promotion"), alt.Tooltip("discount:N", title="Discount"),
           alt.Tooltip("scope:N", title="Applies to"), alt.Tooltip("dates:N", title="Dates")]
    lanes = alt.Chart(bands).mark_bar(color=PROMO, opacity=0.85, cornerRadius=2, height=alt.RelativeBandSize(0.7)).encode(
        x=alt.X("band_start:T", title=None, scale=alt.Scale(domain=xdom), axis=None),
        x2="band_end:T",
        y=alt.Y("lane:O", title="Promotions", axis=alt.Axis(labels=False, ticks=False, domain=False,
                                                           titleAngle=0, titleAlign="right", titleBaseline="middle")),
        tooltip=tip,
    ).properties(height=max(14, min(8 * n_lanes, 160)))
    return alt.vconcat(lines, lanes, spacing=6).resolve_scale(x="shared")


def _flag_points(flags: pd.DataFrame, label: str, kind: str, currency: str, xscale) -> alt.Chart:
    """Unusual days (kpis.anomalies' flagged rows) as points on the current line: green spikes, red dips."""
    data = flags.assign(period=pd.to_datetime(flags["date"]))[["period", "value", "baseline", "flag", "drivers"]]
    tip = tooltip_format(kind, currency)
    return alt.Chart(data).mark_point(filled=True, size=110, opacity=1).encode(
        x=alt.X("period:T", scale=xscale), y="value:Q",
        color=alt.Color("flag:N", title="Unusual day", scale=alt.Scale(domain=["spike", "dip"], range=[UP, DOWN]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("period:T", title="Day", format="%a %b %d, %Y"), alt.Tooltip("flag:N", title="Unusual"),
                 alt.Tooltip("value:Q", title=label, format=tip),
                 alt.Tooltip("baseline:Q", title="Usual (weekday median)", format=tip),
                 alt.Tooltip("drivers:N", title="Drivers")])


def breakdown_bars(df: pd.DataFrame, dim: str, title: str, currency: str = "USD", top: int = 12,
                   labels: dict[str, str] | None = None) -> alt.Chart:
    """Horizontal revenue bars per `dim` value (kpis.breakdown or kpis.breakdown_compare output), largest
    first. With a `previous` column, each value gets a second, grey bar for the comparison period.
    Channels keep their colour of every page (segment colours); other dimensions are drawn in one colour.
    `labels`: the value as shown (words, or 'SKU · name'); the colour follows the value itself.
    """
    data = df.head(top).copy()
    data["shown"] = [labels.get(v, v) if labels else v for v in data[dim].astype(str)]
    compare = "previous" in data and data["previous"].notna().any()
    now, before = "This period", "Comparison period"
    long = data.assign(series=now, amount=data["revenue"])
    if compare:
        long = pd.concat([long, data.assign(series=before, amount=data["previous"])], ignore_index=True)
    long["paint"] = [before if s == before else (v if dim == "channel" else now)
                     for s, v in zip(long["series"], long[dim].astype(str), strict=True)]
    paints = list(dict.fromkeys(long["paint"]))
    palette = [COMPARISON if p == before else (segment_hex(p) if dim == "channel" else CURRENT) for p in paints]
    money_tip = tooltip_format("money", currency)
    tooltip = [alt.Tooltip("shown:N", title=title), alt.Tooltip("series:N", title="Period"),
               alt.Tooltip("amount:Q", title="Revenue", format=money_tip)]
    if compare:
        tooltip += [alt.Tooltip("revenue:Q", title="Revenue this period", format=money_tip),
                    alt.Tooltip("previous:Q", title="Revenue in the comparison period", format=money_tip),
                    alt.Tooltip("change_pct:Q", title="Change", format="+.1%")]
    tooltip += [alt.Tooltip("share:Q", title="Share this period", format=".1%")]
    order = data.sort_values("revenue", ascending=False, kind="stable")["shown"].tolist()
    enc = dict(
        x=alt.X("amount:Q", title=value_title("Revenue", "money", currency),
                axis=alt.Axis(format=axis_format("money", currency))),
        y=alt.Y("shown:N", title=None, sort=order, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
        color=alt.Color("paint:N", scale=alt.Scale(domain=paints, range=palette), legend=None),
        tooltip=tooltip)
    if compare:
        enc["yOffset"] = alt.YOffset("series:N", sort=[now, before], title=None)
    return alt.Chart(long).mark_bar().encode(**enc).properties(height=alt.Step(14 if compare else 28))


def movers_bars(df: pd.DataFrame, dim: str, title: str, currency: str = "USD") -> alt.Chart:
    """Diverging bars of the revenue change per `dim` value (kpis.movers output); SKUs read 'code · name'."""
    data = df.copy()
    data["change_label"] = data["change_pct"].map(lambda v: "new" if pd.isna(v) else f"{v:+.1%}")
    data["shown"] = sku_labels(data) if dim == "sku" else data[dim].astype(str)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("change:Q", title=value_title("Revenue change", "money", currency),
                axis=alt.Axis(format=axis_format("money", currency))),
        y=alt.Y("shown:N", title=None, sort=alt.SortField("change", order="descending"),
                axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        color=alt.Color("direction:N", legend=None, scale=alt.Scale(domain=["up", "down"], range=[UP, DOWN])),
        tooltip=[alt.Tooltip("shown:N", title=title),
                 alt.Tooltip("revenue:Q", title="Revenue", format=tooltip_format("money", currency)),
                 alt.Tooltip("previous:Q", title="Before", format=tooltip_format("money", currency)),
                 alt.Tooltip("change:Q", title="Change", format=tooltip_format("money", currency)),
                 alt.Tooltip("change_label:N", title="Change %")],
    ).properties(height=alt.Step(28))


def sku_labels(df: pd.DataFrame) -> list[str]:
    """'TOY-0003 · Plush bear' per row of a frame with sku and name columns (the code alone without a name)."""
    names = df["name"] if "name" in df else pd.Series([None] * len(df), index=df.index)
    return [f"{s} · {n}" if isinstance(n, str) and n.strip() else str(s)
            for s, n in zip(df["sku"], names, strict=True)]
