"""Home page (url: /). Page files are named *_page.py so no file stem equals a url path (see README)."""
from lib.ui import home_view

home_view.render()
