"""The Cohorts page."""
