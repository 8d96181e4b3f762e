"""Funnel page (url: /funnel): step conversion, breakdowns, trend, time to convert, drop-off, audience."""
from lib.ui import funnel_view

funnel_view.render()
