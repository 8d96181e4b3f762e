"""`make team` for the tests: the supervisor (lib.ops.team) with two replicas behind nginx on one PostgreSQL
database of the session's server, seeded with the small pricing store (so the team starts without loading
the demo store); how a browser context is pinned to a replica (the affinity cookie); the processes a team
runs."""
from __future__ import annotations

import contextlib
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lib.ops.nginx import AFFINITY_COOKIE
from tests.support.paths import ROOT
from tests.support.pricing_store import AS_OF, seed_store
from tests.support.server import env_vars, free_port

__all__ = ["NGINX", "need_nginx", "start_team", "pin", "children", "alive", "replica_shown", "cmdline"]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def need_nginx() -> None:
    """Skip without nginx on a laptop; fail under CI=true (make test installs nginx-light)."""
    if os.path.exists(NGINX):
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("required under CI=true: nginx (Debian nginx-light)", pytrace=False)
    pytest.skip("nginx is not installed (make test installs nginx-light)")


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    """Every descendant of `pid` (from /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            for t in Path(f"/proc/{p}/task").iterdir():
                kids = [int(x) for x in (t / "children").read_text().split()]
                out += kids
                todo += kids
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@contextlib.contextmanager
def start_team(pg_server, data: Path, replicas: int = 2):
    """Seed a fresh database, start `python -m lib.ops.team`, yield {url, proc, log}; stop it after."""
    url = pg_server.create_database(f"team_{int(time.time() * 1000) % 10**9}")
    settings = {"DATABASE_URL": url, "SHOPCAST_DATA_DIR": str(data), "SHOPCAST_TIMEZONE": "UTC",
                "SHOPCAST_CURRENCY": "USD", "SHOPCAST_SECRET": "team-test-secret"}
    with env_vars(**settings):
        seed_store()
    port = free_port()
    env = {**os.environ, **settings}
    proc = subprocess.Popen([sys.executable, "-m", "lib.ops.team", "--port", str(port), "--replicas", str(replicas),
                             "--as-of", AS_OF.isoformat()], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    deadline = time.monotonic() + 240
    try:
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail("the team did not start within 240 s:\n" + "".join(log))
            log.append(line)
            if "Shopcast team ready" in line:
                break
            if proc.poll() is not None and lines.empty():
                pytest.fail("the team stopped while starting:\n" + "".join(log))
        yield {"url": f"http://127.0.0.1:{port}", "proc": proc, "log": log, "lines": lines, "port": port}
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()


def pin(browser, url: str, replica: str, **context):
    """A browser context whose requests the proxy sends to `replica` (as if it had been assigned there)."""
    ctx = browser.new_context(**context)
    ctx.add_cookies([{"name": AFFINITY_COOKIE, "value": replica, "url": url}])
    return ctx


def replica_shown(page) -> str:
    """The replica the sidebar says served this session's script runs (over its WebSocket)."""
    text = page.locator('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]',
                        has_text="data version").first.inner_text()
    return text.split("replica", 1)[1].strip() if "replica" in text else ""
