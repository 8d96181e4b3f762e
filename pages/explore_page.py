"""Explore page (url: /explore): any metric by any sensible dimension, over time or in total."""
from lib.ui.explore import view as explore_view

explore_view.render()
