"""Saved views: list, open, rename, delete; a short link ?v=<id> opens one."""
from lib.ui import views_view

views_view.render()
