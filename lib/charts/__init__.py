"""Altair chart builders (pure functions: frames in, charts out; no Streamlit here).

One module per page area: lib.charts.overview, .funnel, .cohorts, .explore; shared pieces in
lib.charts.common. Pages render them with st.altair_chart.
"""
