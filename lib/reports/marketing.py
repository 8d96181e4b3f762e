"""The Marketing page's sums over lib.marketing's frames (pure pandas; no warehouse, no streamlit).

    totals(report)              the period in one row: spend, revenue, margin, ROAS, CPA, CAC
    compared(report, previous)  each channel's row with the previous period's spend, revenue and ROAS
    channel_curves(payback)     cohorts pooled per channel and month since acquisition
    payback_summary(payback)    per channel: customers, CAC, payback month, LTV:CAC at 3, 6 and 12 months
    has_spend(wh)               whether a spend feed is loaded
    payback_start(end)          the first month of the payback cohorts shown with a range ending ``end``
    build(wh, params, ...)      the Marketing page as a report (notebooks, HTML export)
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from lib.charts.marketing import channel_curves

__all__ = ["totals", "compared", "channel_curves", "payback_summary", "has_spend", "payback_start", "build",
           "LTV_MONTHS", "PAYBACK_MONTHS", "BY", "ATTRIBUTION"]

LTV_MONTHS = (3, 6, 12)
PAYBACK_MONTHS = 12      # the payback cohorts: first orders in the 12 calendar months up to the range's end
BY = {"channel": "Channel", "campaign": "Campaign"}
ATTRIBUTION = (
    "**How orders are attributed.** An order belongs to the channel of the session that placed it; when that "
    "session came direct, to the customer's last non-direct session in the 30 days before (last non-direct "
    "touch). Orders no web session can be tied to keep the channel the order export gives. **New customers "
    "and CAC** count each customer once, in the channel of their first order. Spend is what the spend feed "
    "says each channel (and campaign) cost per day. These are *attributed* figures: a customer who saw an ad "
    "and came back through search counts for search. Use them to compare channels over time, not as the "
    "causal effect of spending more.")


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den and np.isfinite(den) else float("nan")


def totals(report: pd.DataFrame) -> dict[str, float]:
    """The channels' rows summed: spend, sessions, orders, revenue, gross_margin, new_customers, and the
    ratios of the sums (roas, margin_roas, cpa, cac, conversion_rate); NaN where the denominator is 0."""
    s = {c: float(report[c].sum()) if c in report else float("nan")
         for c in ("spend", "sessions", "orders", "revenue", "gross_margin", "new_customers")}
    s.update(roas=_ratio(s["revenue"], s["spend"]), margin_roas=_ratio(s["gross_margin"], s["spend"]),
             cpa=_ratio(s["spend"], s["orders"]), cac=_ratio(s["spend"], s["new_customers"]),
             conversion_rate=_ratio(s["orders"], s["sessions"]))
    return s


def compared(report: pd.DataFrame, previous: pd.DataFrame | None, keys=("channel",)) -> pd.DataFrame:
    """``report`` with spend_prev, revenue_prev and roas_prev from ``previous`` (same keys; NaN for a row
    the previous period lacks). Rows only the previous period has are not added."""
    keys = [k for k in keys if k in report]
    if previous is None:
        return report.assign(spend_prev=np.nan, revenue_prev=np.nan, roas_prev=np.nan)
    prev = previous[[*keys, "spend", "revenue", "roas"]].rename(
        columns={"spend": "spend_prev", "revenue": "revenue_prev", "roas": "roas_prev"})
    return report.merge(prev, on=keys, how="left")


def payback_summary(payback: pd.DataFrame) -> pd.DataFrame:
    """Per channel (cohorts pooled): customers and CAC over every cohort (month 0), payback_month (the first
    month since acquisition whose pooled margin per customer reaches the CAC of the cohorts that reached it;
    NaN: not yet), and ltv_cac_3/6/12 (margin per customer / CAC at that month; NaN where no cohort has
    reached it)."""
    curves = channel_curves(payback)
    cols = ["channel", "customers", "cac", "payback_month", *[f"ltv_cac_{m}" for m in LTV_MONTHS]]
    rows = []
    for channel, c in curves.groupby("channel", sort=True):
        first = c[c["months_since"] == c["months_since"].min()].iloc[0]
        paid = c[c["cum_margin_per_customer"] >= c["cac"]]
        row = {"channel": channel, "customers": int(first["customers"]), "cac": float(first["cac"]),
               "payback_month": float(paid["months_since"].iloc[0]) if len(paid) else float("nan")}
        at = c.set_index("months_since")
        for m in LTV_MONTHS:
            row[f"ltv_cac_{m}"] = (_ratio(at.at[m, "cum_margin_per_customer"], at.at[m, "cac"])
                                   if m in at.index else float("nan"))
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def has_spend(wh) -> bool:
    """Whether the warehouse holds a spend feed (the Marketing page's ROAS, CPA, CAC and payback need it)."""
    return "spend" in set(wh.current_loads()["feed"])


def payback_start(end: date) -> date:
    """The first day of the first payback cohort: PAYBACK_MONTHS calendar months ending with ``end``'s month."""
    from lib.analytics import periods

    return periods.shift_months(date(end.year, end.month, 1), -(PAYBACK_MONTHS - 1))


def _ratio_text(v: float) -> str:
    return "–" if pd.isna(v) else f"{v:.2f}×"


def build(wh, params, *, currency: str = "USD", progress=None) -> list:
    """The Marketing page's view as report blocks: settings, tiles against the comparison period, the channel
    (or campaign) table, ROAS bars, and cohort payback (curves and per-channel summary)."""
    from lib import fmt, marketing
    from lib.analytics import kpis
    from lib.charts import marketing as charts
    from lib.reports import query
    from lib.reports.blocks import Alert, Caption, Chart, Heading, Settings, Table, Tile, Tiles

    span = kpis.order_span(wh)
    if span is None:
        return [Alert("No orders loaded yet.", "warning")]
    q = query.Query(params)
    start, end = query.date_range(q, span[1], default="last_30")
    prev = query.comparison(q, start, end)
    by = query.pick(q.one("mby"), BY, "channel")
    out: list = [Settings((("Dates", query.span_text((start, end))),
                           ("Compared with", query.span_text(prev) if prev else "No comparison"), ("By", BY[by])))]
    cur = marketing.channel_report(wh, start, end, by=by)
    before = marketing.channel_report(wh, *prev, by=by) if prev else None
    spend = has_spend(wh)
    if not spend:
        out.append(Alert("No spend loaded: ROAS, CPA, CAC and payback need the spend feed.", "info"))
    if cur.empty:
        return [*out, Alert("No orders, sessions or spend in this date range.", "warning")]
    t, b = totals(cur), totals(before) if before is not None else None

    def tile(label: str, key: str, text) -> Tile:
        return Tile(label, text(t[key]), fmt.change_pct(t[key], b[key]) if b else "")
    money = lambda v: fmt.money(v, currency)  # noqa: E731
    out.append(Tiles((tile("Spend", "spend", money), tile("Attributed revenue", "revenue", money),
                      tile("ROAS", "roas", _ratio_text), tile("CPA", "cpa", money),
                      tile("New customers", "new_customers", fmt.count), tile("CAC", "cac", money))))
    keys = ("channel", "campaign") if by == "campaign" else ("channel",)
    out += [Heading("Channels" if by == "channel" else "Campaigns"),
            Table(channel_table(compared(cur, before, keys), by))]
    if spend:
        per_channel = cur.groupby("channel", as_index=False)[["spend", "revenue", "gross_margin"]].sum()
        out.append(Chart(charts.roas_bars(per_channel.assign(roas=per_channel["revenue"] / per_channel["spend"]),
                                          currency)))
        if progress:
            progress(0.6, "Marketing: cohort payback")
        first = payback_start(end)
        pb = marketing.payback(wh, first, end, by="channel")
        out += [Heading("Cohort payback"),
                Caption(f"Customers whose first order fell in {first:%b %Y} – {end:%b %Y}, by the channel of that "
                        "order: cumulative gross margin per customer against the channel's CAC.")]
        if pb.empty:
            out.append(Alert("No first orders with acquisition spend in these months yet.", "info"))
        else:
            out += [Chart(charts.payback_chart(pb, currency)), Table(payback_table(payback_summary(pb)))]
    out.append(Caption(ATTRIBUTION.replace("**", "")))
    return out


CHANNEL_COLUMNS = {"channel": "Channel", "campaign": "Campaign", "spend": "Spend", "sessions": "Sessions",
                   "orders": "Orders", "revenue": "Revenue", "gross_margin": "Gross margin", "roas": "ROAS",
                   "margin_roas": "Margin ROAS", "cpa": "CPA", "new_customers": "New customers", "cac": "CAC",
                   "roas_prev": "ROAS before"}
PAYBACK_COLUMNS = {"channel": "Channel", "customers": "Customers", "cac": "CAC", "payback_month": "Pays back in month",
                   **{f"ltv_cac_{m}": f"LTV:CAC {m} mo" for m in LTV_MONTHS}}


def channel_table(table: pd.DataFrame, by: str = "channel") -> pd.DataFrame:
    """The channel (or campaign) table as shown and downloaded: the columns named as on screen, numbers as
    numbers, channels in words, the biggest spender first."""
    from lib import fmt

    out = table.sort_values(["spend", "revenue"], ascending=False)
    out = out[[c for c in CHANNEL_COLUMNS if c in out.columns and (c != "campaign" or by == "campaign")]]
    out = out.assign(channel=out["channel"].map(fmt.words))
    return out.rename(columns=CHANNEL_COLUMNS).reset_index(drop=True)


def payback_table(summary: pd.DataFrame) -> pd.DataFrame:
    from lib import fmt

    return summary.assign(channel=summary["channel"].map(fmt.words)).rename(columns=PAYBACK_COLUMNS)
