"""Overview page (url: /overview): KPI tiles, trend, breakdowns and movers."""
from lib.ui import overview_view

overview_view.render()
