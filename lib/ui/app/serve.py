"""`python -m lib.ui.app.serve [streamlit run options]`: start the app with `streamlit run app.py`.

Streamlit auto-discovers a folder named `pages/` next to the entry script, and for the first
session after the server starts it resolves the URL against those files before app.py's
st.navigation runs: a deep link such as /data then shows "Page not found" before the right
page. The app declares every page with st.navigation, so this launcher turns the folder
discovery off before the server starts (Streamlit itself does the same the moment
st.navigation is first called). It also adds the password door's cookie route (lib/ui/app/gate.py):
without it a signed-in browser is not remembered.
"""
from __future__ import annotations

import os
import sys

from lib.settings import PROJECT_ROOT

__all__ = ["main", "prepare_process", "PROCESS_ENV"]

# OpenMP threads (scikit-learn's boosted forecast model) spin while they wait for work; on a small shared
# machine, next to other busy processes, that made one fit 5-15x slower, and a passive wait costs nothing
# when the machine is idle. OpenMP reads it when its runtime loads (the first forecast).
# OpenBLAS (numpy's and scipy's linear algebra) splits every product over all cores and spins between
# them: the server's sessions already run side by side in threads, and the Pricing page's elasticity fit
# (hundreds of ~250 x 250 solves) took 9-18 s with that next to other work, 0.9-1.5 s on one thread each.
# OpenBLAS reads it when numpy loads, so main() sets both before importing anything that loads numpy;
# `make` exports them for tests and benchmarks. Nothing sets them on import.
PROCESS_ENV = {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_NUM_THREADS": "1"}


def prepare_process() -> None:
    """PROCESS_ENV into the environment (a value already set wins); before numpy is imported."""
    for name, value in PROCESS_ENV.items():
        os.environ.setdefault(name, value)


def main(argv: list[str] | None = None) -> None:
    prepare_process()
    from lib.ui.app import compat, gate
    from lib.ui.widgets import controls
    compat.disable_pages_directory()
    compat.add_routes(gate.cookie_routes)  # the door's cookie route: the server sets the HttpOnly token cookie
    controls.install_link_aliases()       # old links' values (range=Month to date) from the first session on
    sys.exit(compat.run_cli(["run", str(PROJECT_ROOT / "app.py"), *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    main()
