"""Shopcast: the router. Where the pages are, nothing else."""
import streamlit as st

from lib.ui import shell

shell.configure()
page = st.navigation({
    "Overview": [
        st.Page("pages/home_page.py", title="Home", icon=":material/home:", default=True),
    ],
    "Data": [
        st.Page("pages/data_page.py", title="Sources", icon=":material/database:", url_path="data"),
    ],
})
shell.sidebar()
page.run()
