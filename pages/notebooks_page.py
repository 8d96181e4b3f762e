"""Notebooks: markdown notes and live views in one document; meeting mode; HTML export."""
from lib.ui.notebooks import view as notebooks_view

notebooks_view.render()
