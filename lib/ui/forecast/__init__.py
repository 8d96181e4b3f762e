"""The Forecast page."""
