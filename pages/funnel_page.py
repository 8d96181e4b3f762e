"""Funnel page (url: /funnel): step conversion, breakdowns, trend, time to convert, drop-off, audience."""
from lib.ui.funnel import view as funnel_view

funnel_view.render()
