"""Store analytics in the warehouse (SQLAlchemy Core, named CTEs; DuckDB and PostgreSQL).

    base      order lines and sessions of a date range, their aggregates, bounds, period starts
    kpis      the Overview's KPIs, trends, breakdowns and movers (definitions in its docstring)
    explore   any metric by any dimension over time
    sales     which order lines count (live: not cancelled); periods: presets and comparisons

Imports lib.warehouse (tables) and lib.schema.
"""
