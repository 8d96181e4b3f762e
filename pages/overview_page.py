"""Overview page (url: /overview): KPI tiles, trend, breakdowns and movers."""
from lib.ui.overview import view as overview_view

overview_view.render()
