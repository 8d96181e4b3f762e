"""The Streamlit side of the app, the only code that imports streamlit.

    app/       the frame: shell, nav (pages), url_keys, cache, compat (Streamlit internals), history,
               sharing, gate, serve, planning (the planning pages' shared forecast run)
    widgets/   controls shared by the pages, downloads, formatting
    <page>/    one package per page: home, overview, funnel, cohorts, explore, forecast, replenish, pricing,
               data, views, notebooks (view.py draws it; other modules hold its cached calls and parts)
    assets/    the scripts and icon the pages put in the browser
"""
