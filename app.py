"""Shopcast: the router. Where the pages are, nothing else."""
import streamlit as st

from lib.ui import gate, history, sharing, shell

# pages that name the link values they ignore themselves (the others get the app-wide notice)
OWN_LINK_NOTICES = frozenset({"forecast", "replenishment", "pricing", "views", "notebooks"})

shell.configure()
if not gate.allowed():          # access control, when configured: nothing below runs until the user is in
    st.stop()
page = st.navigation({
    "Overview": [
        st.Page("pages/home_page.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/overview_page.py", title="Overview", icon=":material/monitoring:", url_path="overview"),
    ],
    "Customers": [
        st.Page("pages/funnel_page.py", title="Funnel", icon=":material/filter_alt:", url_path="funnel"),
        st.Page("pages/cohorts_page.py", title="Cohorts", icon=":material/group:", url_path="cohorts"),
        st.Page("pages/explore_page.py", title="Explore", icon=":material/explore:", url_path="explore"),
    ],
    "Planning": [
        st.Page("pages/forecast_page.py", title="Forecast", icon=":material/query_stats:", url_path="forecast"),
        st.Page("pages/replenish_page.py", title="Replenishment", icon=":material/inventory_2:",
                url_path="replenishment"),
        st.Page("pages/pricing_page.py", title="Pricing & promos", icon=":material/sell:", url_path="pricing"),
    ],
    "Data": [
        st.Page("pages/data_page.py", title="Sources", icon=":material/database:", url_path="data"),
        st.Page("pages/views_page.py", title="Saved views", icon=":material/bookmarks:", url_path="views"),
        st.Page("pages/notebooks_page.py", title="Notebooks", icon=":material/book_2:", url_path="notebooks"),
    ],
})
shell.carry_shared(page.url_path)     # first: the sidebar and the Share box show what the page will show
shell.sidebar()
sharing.share_box(page.url_path)
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
