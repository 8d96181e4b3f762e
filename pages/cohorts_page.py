"""Cohorts page (url: /cohorts): retention by first-purchase cohort, lifecycle, exports."""
from lib.ui import cohorts_view

cohorts_view.render()
