"""Importing the app's modules changes no process state: the OpenMP wait policy is set by the server's
launcher (lib.ui.app.serve) and by `make`, not as a side effect of `import lib.forecast`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lib.ui.app import compat, serve

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_forecast_package_leaves_the_environment_alone():
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    code = ("import os, lib.forecast, lib.forecast.gbm, lib.forecast.engine, lib.pricing, lib.replenish; "
            "print(os.environ.get('OMP_WAIT_POLICY'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "None"


def test_the_launcher_sets_the_passive_wait_before_the_server_starts(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    seen = {}

    def fake_cli(argv):
        seen.update(env=os.environ.get("OMP_WAIT_POLICY"), blas=os.environ.get("OPENBLAS_NUM_THREADS"),
                    argv=list(argv))
        return 0

    monkeypatch.setattr(compat, "run_cli", fake_cli)
    monkeypatch.setattr(compat, "disable_pages_directory", lambda: True)
    try:
        serve.main(["--server.port", "1"])
    except SystemExit as stop:
        assert stop.code == 0
    assert seen["env"] == "PASSIVE" == serve.PROCESS_ENV["OMP_WAIT_POLICY"]
    assert seen["blas"] == "1" == serve.PROCESS_ENV["OPENBLAS_NUM_THREADS"]
    assert seen["argv"][0] == "run" and seen["argv"][1].endswith("app.py")
    assert seen["argv"][-2:] == ["--server.port", "1"]


def test_the_server_skips_streamlits_full_collection_after_every_run():
    """Streamlit's gc.collect(2) after each script run held the interpreter lock ~150 ms a run and halved
    the throughput under bench/load.py; .streamlit/config.toml turns it off. Streamlit itself reads the
    file here (a misspelt section or key would leave the default, True)."""
    code = ("from streamlit import config; config.get_config_options(force_reparse=True); "
            "print(config.get_option('runner.postScriptGC'), config.get_option('server.address'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "127.0.0.1"]


def test_the_server_process_runs_linear_algebra_on_one_thread():
    """OpenBLAS reads its thread count when numpy loads: the launcher's module must not load numpy before
    main() has set it, and then numpy's and scipy's BLAS run one thread each (a fresh process, the
    variable unset, as `streamlit run` through `python -m lib.ui.app.serve` starts)."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    code = ("import sys; from lib.ui.app import serve; assert 'numpy' not in sys.modules, 'numpy loaded early'; "
            "serve.prepare_process(); import numpy, scipy.linalg, threadpoolctl; "
            "print(sorted({i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[1]"
