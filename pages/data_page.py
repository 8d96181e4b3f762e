"""Data sources page (url: /data)."""
from lib.ui import data_view

data_view.render()
