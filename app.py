"""Shopcast: the router. The pages are declared in lib/ui/app/nav.py; this draws the frame around them."""
import streamlit as st

from lib.ui.app import gate, history, nav, sharing, shell
from lib.ui.views import view as views_view

# pages that name the link values they ignore themselves (the others get the app-wide notice)
OWN_LINK_NOTICES = frozenset({"forecast", "replenishment", "pricing", "views", "notebooks"})

shell.configure()
if not gate.allowed():          # access control, when configured: nothing below runs until the user is in
    st.stop()
page = st.navigation({section: [st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path or None,
                                         default=not p.url_path) for p in pages]
                      for section, pages in nav.SECTIONS.items()})      # the pages: lib/ui/app/nav.py
try:        # the warehouse may go away (or fill its disk) at any read below: said in words, never a traceback
    shell.carry_shared(page.url_path)     # first: the sidebar and the Share box show what the page will show
    shell.sidebar()
    sharing.share_box(page.url_path, views_view.save_form)
    gate.logout_control()
    sharing.meeting_mode(page.url_path)
    shell.version_banner(page)
    history.guard()                 # one browser history entry per page (Streamlit pushes one per URL message)
    token = shell.link_guard(page.url_path, OWN_LINK_NOTICES)
    try:
        page.run()
    finally:
        shell.remember_shared()
    shell.link_report(token)
except Exception as err:
    if not shell.page_fault(err):       # a warehouse fault (lib.warehouse.faults) is shown; anything else raises
        raise
