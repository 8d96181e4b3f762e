"""Did the campaign pay back: spend against the orders, revenue, margin and customers each channel brought.

    marketing.channel_report(wh, start, end, by="channel")
        -> DataFrame[channel, (campaign,) spend, impressions, clicks, sessions, orders, revenue, gross_margin,
                     roas, margin_roas, cpa, new_customers, cac]
    marketing.compare(wh, start, end, by="channel")   the report with <metric>_prev and <metric>_change
    marketing.previous_period(start, end)             the same-length window just before start
    marketing.payback(wh, start, end, by="channel", as_of=None)
        -> DataFrame[cohort, channel, months_since, customers, cac, cum_margin_per_customer, paid_back]
    marketing.payback_summary(df, as_of)
        -> DataFrame[cohort, channel, customers, cac, payback_month, ltv_cac_3, ltv_cac_6, ltv_cac_12]
    marketing.last_order_date(wh)                     the day of the latest live order (payback's as_of)

Definitions
-----------
* Attribution (last non-direct touch on the session that ordered). An order's channel is:
  1. the channel of the session whose purchase event carries the order's order_id, when it is not direct;
  2. else the channel of the same person's (events.user_key: user_id, else customer_id, else the session)
     most recent non-direct session that started at or before the order time and on or after the order's
     day minus 30 calendar days;
  3. else "direct" (a purchase event links the order, and no non-direct touch is found);
  4. an order that no purchase event links takes its own orders.channel column; blank or missing: "direct".
  A session's channel is the smallest non-direct channel among its events; "direct", "(direct)", "(none)",
  "none" and blanks count as direct. The Overview and the Cohorts page break revenue down by orders.channel
  only (lib.analytics.base.order_lines, lib.cohorts' acquisition channel); on stores whose orders feed
  carries the channel the web analytics gave the order (Shopify's, the demo's) both agree except where the
  ordering session was direct and an earlier paid visit exists, which this report credits to that visit.
* Lines, revenue and margin as everywhere in the app: lines whose status is "cancelled" are ignored; line
  revenue = quantity * unit_price - discount (a return line, negative quantity, subtracts); gross margin =
  revenue of lines whose SKU has a products row - quantity * products.unit_cost (uncosted lines add nothing).
  Orders and revenue count lines with ordered_at in [start, end] (inclusive dates, store-local time).
* sessions: sessions whose first event falls in [start, end], by the session's channel ("direct" if none).
* spend, impressions, clicks: sums of the spend feed's rows dated in [start, end] by channel (and campaign).
* roas = revenue / spend; margin_roas = gross_margin / spend; cpa = spend / orders;
  new_customers = customers whose first live order ever falls in [start, end], counted under that first
  order's attributed channel; cac = spend / new_customers. A zero or missing denominator gives NaN, never
  inf; cpa and cac are NaN where spend is 0 (no recorded cost: unknown, not free). A channel with spend but
  no orders appears (orders 0, roas 0, cpa NaN); a channel with orders but no spend appears with spend 0 and
  roas, margin_roas, cpa, cac NaN.
* by="campaign": orders and sessions carry no campaign, so campaign rows hold spend, impressions, clicks
  (attributed columns NaN) and each channel has a row "(all campaigns)" with the channel's totals.
* Cohort payback: a cohort is the calendar month of a customer's first live order ever, for first orders in
  [start, end]; its channel is that first order's attributed channel. customers = the cohort's size;
  cac = the channel's spend dated in the cohort month (and in [start, end]) / customers (NaN when the
  channel has no spend that month: nothing to pay back); cum_margin_per_customer at months_since k = gross
  margin of every live line of the cohort's customers (any channel) from the cohort month through calendar
  month cohort + k, up to `as_of`, / customers; paid_back = cum_margin_per_customer >= cac (False when cac
  is NaN). Rows run from month 0 to the month holding `as_of` (by default the day of the latest live order).
* payback_summary: payback_month = first months_since paid back (NaN if not yet); ltv_cac_k (k = 3, 6, 12) =
  cum_margin_per_customer at month k / cac, NaN until calendar month cohort + k has ended by as_of.
"""
from __future__ import annotations

from lib.marketing.payback import last_order_date, payback, payback_summary
from lib.marketing.report import channel_report, compare, previous_period

__all__ = ["channel_report", "compare", "previous_period", "payback", "payback_summary", "last_order_date"]
