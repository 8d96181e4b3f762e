"""Cohorts page (url: /cohorts): retention by first-purchase cohort, lifecycle, exports."""
from lib.ui.cohorts import view as cohorts_view

cohorts_view.render()
