"""The journeys' demo store (tests/journeys/): its last day, the settings its server runs with, and a
copy of its warehouse for computing expected numbers while the server owns the file."""
from __future__ import annotations

import contextlib
from datetime import date

from tests.support.server import env_vars

__all__ = ["AS_OF", "SETTINGS", "check_warehouse"]


AS_OF = date(2026, 12, 5)            # the demo store's last day (a Saturday; December is 5 days old)
SETTINGS = {"SHOPCAST_TIMEZONE": "UTC", "SHOPCAST_CURRENCY": "USD"}


@contextlib.contextmanager
def check_warehouse(demo):
    """The demo store as loaded, for computing expected numbers while the server owns its file (a
    copy taken before the server started: DuckDB lets one process hold a file)."""
    from lib.settings import Settings
    from lib.warehouse import Warehouse

    with env_vars(**{**demo["settings"], "SHOPCAST_DATA_DIR": str(demo["data_dir"] / "check")}):
        wh = Warehouse.open(settings=Settings.from_env())
    try:
        yield wh
    finally:
        wh.dispose()
