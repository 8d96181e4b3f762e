"""Replenishment page (url: /replenishment): order recommendations, what-if controls, purchase orders."""
from lib.ui.replenish import view as replenish_view

replenish_view.render()
