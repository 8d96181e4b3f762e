"""Pricing & promos page (url: /pricing): scenarios, pricing health, elasticities, promotion lift."""
from lib.ui.pricing import view as pricing_view

pricing_view.render()
