"""Notebooks: markdown notes and live views in one document; meeting mode; HTML export."""
from lib.ui import notebooks_view

notebooks_view.render()
