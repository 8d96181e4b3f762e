"""Controls shared by the pages (date range, comparison, grain, channels), downloads under tables and
charts, and formatting of tiles and tables."""
