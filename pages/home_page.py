"""Home page (url: /). Page files are named *_page.py so no file stem equals a url path (see README)."""
from lib.ui.home import view as home_view

home_view.render()
