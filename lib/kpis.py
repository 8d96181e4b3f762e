"""The store's KPIs and why they moved: the public surface (issue 20) over lib.analytics.

    explain_change(wh, start_a, end_a, start_b, end_b)   revenue's change split into sessions × conversion × AOV
    explain_segments(wh, start_a, end_a, start_b, end_b, dim)   per channel/category: volume, mix, price
    change_sentence(drivers, a, b, segments)             the change in words, for a report
    anomalies(wh, start, end, metric="revenue", ...)     days outside a robust weekday baseline, and why
    summary / compare / trend / breakdown                the Overview's KPIs (lib.analytics.kpis)

Definitions are in the docstrings of lib.analytics.kpis, lib.analytics.change and lib.analytics.anomalies.
"""
from lib.analytics.anomalies import anomalies
from lib.analytics.change import decompose, explain_change, explain_segments
from lib.analytics.change import sentence as change_sentence
from lib.analytics.kpis import KPIS, breakdown, compare, summary, trend

__all__ = ["explain_change", "explain_segments", "change_sentence", "decompose", "anomalies", "KPIS", "summary",
           "compare", "trend", "breakdown"]
