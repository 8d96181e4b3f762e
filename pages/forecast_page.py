"""Forecast page (url: /forecast): demand forecast per SKU, category or store, with backtests."""
from lib.ui.forecast import view as forecast_view

forecast_view.render()
