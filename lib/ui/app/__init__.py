"""The app's frame around the pages: the shell (warehouse, settings, errors, the shared settings carried
from page to page), the one page registry (nav), the one URL key registry (url_keys), the one cached-query
wrapper (cache), Streamlit's internals (compat), Back/Forward (history), sharing and meeting mode, access
(gate), the launcher (serve) and the planning pages' shared forecast run (planning)."""
