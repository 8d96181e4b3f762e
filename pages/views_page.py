"""Saved views: list, open, rename, delete; a short link ?v=<id> opens one."""
from lib.ui.views import view as views_view

views_view.render()
