"""Pricing & promos page (url: /pricing): scenarios, pricing health, elasticities, promotion lift."""
from lib.ui import pricing_view

pricing_view.render()
