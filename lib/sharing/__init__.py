"""What people share: saved views (a page and its link's values), notebooks (views in order, exported as
one HTML file) and the link values of older links read as today's.

    views       saved views; notebooks: notebooks and their cells; links: old link values as today's

Imports lib.warehouse (tables) and lib.analytics (periods).
"""
