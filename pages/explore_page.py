"""Explore page (url: /explore): any metric by any sensible dimension, over time or in total."""
from lib.ui import explore_view

explore_view.render()
