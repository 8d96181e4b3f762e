"""Data sources page (url: /data)."""
from lib.ui.data import view as data_view

data_view.render()
