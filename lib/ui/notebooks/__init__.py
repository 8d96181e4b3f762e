"""The Notebooks page."""
