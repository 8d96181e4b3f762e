"""The Marketing page's sums over lib.marketing's frames (pure pandas; no warehouse, no streamlit).

    totals(report)              the period in one row: spend, revenue, margin, ROAS, CPA, CAC
    compared(report, previous)  each channel's row with the previous period's spend, revenue and ROAS
    channel_rows(report)        one row per channel (the '(all campaigns)' rows of a campaign report)
    has_spend(wh)               whether a spend feed is loaded
    payback_start(end)          the first month of the payback cohorts shown with a range ending ``end``
    build(wh, params, ...)      the Marketing page as a report (notebooks, HTML export)
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from lib.marketing.report import ALL_CAMPAIGNS

__all__ = ["totals", "channel_rows", "compared", "has_spend", "payback_start", "build", "channel_table",
           "payback_table", "LTV_MONTHS", "PAYBACK_MONTHS", "BY", "ATTRIBUTION"]

LTV_MONTHS = (3, 6, 12)
PAYBACK_MONTHS = 12      # the payback cohorts: first orders in the 12 calendar months up to the range's end
BY = {"channel": "Channel", "campaign": "Campaign"}
ATTRIBUTION = (
    "**Attribution: last non-direct touch on the session that ordered.** An order belongs to the channel of the "
    "session whose purchase event carries its order id; when that session was direct, to the same person's most "
    "recent non-direct session in the 30 days before; with no web event for the order, to the order's own "
    "channel. **New customers and CAC** count each customer once, under their first order's channel. Orders and "
    "sessions carry no campaign, so campaign rows show spend, impressions and clicks only. These are attributed "
    "figures: one touch gets all the credit, and view-through, cross-device and offline effects are not seen. "
    "Compare channels over time with them; they are not the causal effect of spending more.")


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den and np.isfinite(den) else float("nan")


def channel_rows(report: pd.DataFrame) -> pd.DataFrame:
    """One row per channel: the report itself by channel, its "(all campaigns)" rows by campaign."""
    if "campaign" not in report:
        return report
    return report[report["campaign"].eq(ALL_CAMPAIGNS)]


def totals(report: pd.DataFrame) -> dict[str, float]:
    """The period in one row (channel_report's rows, by channel or by campaign): spend, sessions, orders,
    revenue, gross_margin and new_customers of every channel; roas, margin_roas, cpa and cac over the paid
    channels only (those with spend: organic revenue is not a return on spend); conversion_rate = orders /
    sessions. NaN where a denominator is 0."""
    rows = channel_rows(report)
    s = {c: float(rows[c].sum()) for c in ("spend", "sessions", "orders", "revenue", "gross_margin", "new_customers")}
    paid = rows[rows["spend"] > 0]
    pr = {c: float(paid[c].sum()) for c in ("revenue", "gross_margin", "orders", "new_customers")}
    s.update(roas=_ratio(pr["revenue"], s["spend"]), margin_roas=_ratio(pr["gross_margin"], s["spend"]),
             cpa=_ratio(s["spend"], pr["orders"]), cac=_ratio(s["spend"], pr["new_customers"]),
             conversion_rate=_ratio(s["orders"], s["sessions"]))
    return s


def compared(report: pd.DataFrame, previous: pd.DataFrame | None, keys=("channel",)) -> pd.DataFrame:
    """``report`` with spend_prev, revenue_prev and roas_prev from ``previous`` (same keys; NaN for a row
    the previous period lacks). Rows only the previous period has are not added."""
    keys = [k for k in keys if k in report]
    if previous is None or previous.empty:
        return report.assign(spend_prev=np.nan, revenue_prev=np.nan, roas_prev=np.nan)
    prev = previous[[*keys, "spend", "revenue", "roas"]].rename(
        columns={"spend": "spend_prev", "revenue": "revenue_prev", "roas": "roas_prev"})
    return report.merge(prev, on=keys, how="left")


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
    out.append(Tiles((tile("Spend", "spend", money), tile("Revenue", "revenue", money),
                      tile("ROAS of paid channels", "roas", _ratio_text), tile("CPA of paid channels", "cpa", money),
                      tile("New customers", "new_customers", fmt.count),
                      tile("CAC of paid channels", "cac", money))))
    keys = ("channel", "campaign") if by == "campaign" else ("channel",)
    out += [Heading("Channels" if by == "channel" else "Campaigns"),
            Table(channel_table(compared(cur, before, keys), by))]
    if spend:
        out.append(Chart(charts.roas_bars(channel_rows(cur), currency)))
        if progress:
            progress(0.6, "Marketing: cohort payback")
        first = payback_start(end)
        as_of = span[1]                 # margin through the latest data; the range picks the cohorts
        pb = marketing.payback(wh, first, end, by="channel", as_of=as_of)
        out += [Heading("Cohort payback"),
                Caption(f"Customers whose first order fell in {first:%b %Y} – {end:%b %Y}, by the channel of that "
                        "order: cumulative gross margin per customer against the channel's CAC.")]
        if pb.empty:
            out.append(Alert("No first orders with acquisition spend in these months yet.", "info"))
        else:
            out += [Chart(charts.payback_chart(pb, currency)),
                    Table(payback_table(marketing.payback_summary(pb, as_of)))]
    out.append(Caption(ATTRIBUTION.replace("**", "")))
    return out


CHANNEL_COLUMNS = {"channel": "Channel", "campaign": "Campaign", "spend": "Spend", "sessions": "Sessions",
                   "orders": "Orders", "revenue": "Revenue", "gross_margin": "Gross margin", "roas": "ROAS",
                   "margin_roas": "Margin ROAS", "cpa": "CPA", "new_customers": "New customers", "cac": "CAC",
                   "roas_prev": "ROAS before"}
PAYBACK_COLUMNS = {"cohort": "Cohort", "channel": "Channel", "customers": "Customers", "cac": "CAC",
                   "payback_month": "Paid back in month", **{f"ltv_cac_{m}": f"LTV:CAC {m}m" for m in LTV_MONTHS}}


def channel_table(table: pd.DataFrame, by: str = "channel") -> pd.DataFrame:
    """The channel (or campaign) table as shown and downloaded: the columns named as on screen, numbers as
    numbers, channels in words, the biggest spender first."""
    from lib import fmt

    out = table if by == "campaign" else table.sort_values(["spend", "revenue"], ascending=False)
    out = out[[c for c in CHANNEL_COLUMNS if c in out.columns and (c != "campaign" or by == "campaign")]]
    out = out.assign(channel=out["channel"].map(fmt.words))
    return out.rename(columns=CHANNEL_COLUMNS).reset_index(drop=True)


def payback_table(summary: pd.DataFrame) -> pd.DataFrame:
    """lib.marketing.payback_summary as shown: cohorts as "Mar 2026", channels in words, newest cohort first."""
    from lib import fmt

    out = summary.sort_values(["cohort", "channel"], ascending=[False, True])
    out = out.assign(cohort=pd.to_datetime(out["cohort"]).dt.strftime("%b %Y"), channel=out["channel"].map(fmt.words))
    return out[[c for c in PAYBACK_COLUMNS if c in out]].rename(columns=PAYBACK_COLUMNS).reset_index(drop=True)
