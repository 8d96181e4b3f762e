"""A live `streamlit run` of the app for real-browser tests: one function, used by every browser test."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["free_port", "serve", "env_vars"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def env_vars(**values: str) -> Iterator[None]:
    """Set environment variables for the block (seeding a store with Settings.from_env), then restore."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def serve(data_dir: Path, port: int | None = None, args: tuple[str, ...] = (), **settings: str) -> Iterator[str]:
    """Start `python -m lib.ui.app.serve` on ``port`` (else a free one) over ``data_dir``, with more
    `streamlit run` options ``args``; yields its URL; stops it after."""
    env = {**os.environ, "SHOPCAST_DATA_DIR": str(data_dir), **settings}
    env.pop("DATABASE_URL", None)
    port = port or free_port()
    log_path = Path(data_dir) / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "lib.ui.app.serve", "--server.port", str(port), *args],
                                cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail("streamlit did not start: " + log_path.read_text()[-2000:])
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
