"""Replenishment page (url: /replenishment): order recommendations, what-if controls, purchase orders."""
from lib.ui import replenish_view

replenish_view.render()
