"""Funnels (the bar: GA4 funnel exploration, PostHog funnels), computed in the warehouse.

`compute` is the public API fixed in DESIGN.md; the rest feeds the Funnel page: conversion
trend, time to convert, drop-off with the revenue at stake, and the abandoned-step audience.
"""
from lib.funnel.audience import AUDIENCE_COLUMNS, LIST_COLUMNS, audience, contacts, email_list, id_list
from lib.funnel.core import (
    BY_COLUMNS,
    DEFAULT_STEPS,
    FILTER_COLUMNS,
    NOT_SET,
    ORDERS,
    UNITS,
    FunnelError,
    Spec,
    compute,
)
from lib.funnel.insights import (
    TIME_BUCKETS,
    biggest_drop,
    dropoff,
    event_names,
    order_value,
    time_to_convert,
    trend,
)

__all__ = ["compute", "trend", "time_to_convert", "dropoff", "audience", "email_list", "event_names", "order_value",
           "Spec", "FunnelError", "ORDERS", "UNITS", "BY_COLUMNS", "FILTER_COLUMNS", "DEFAULT_STEPS", "NOT_SET",
           "TIME_BUCKETS", "AUDIENCE_COLUMNS", "LIST_COLUMNS", "contacts", "id_list", "biggest_drop"]
