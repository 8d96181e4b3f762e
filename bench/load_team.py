"""Servers for bench/load.py: one app process over the benchmark's DuckDB store (what `make run` starts), or
`make team`'s supervisor (lib.ops.team) with N replicas behind nginx over the same demo store loaded once
into the benchmark's own PostgreSQL cluster (data/bench/team-pg-<params>/, lib.ops.pgcluster), and the CPU
and memory those processes used. Links the sessions may follow that no warm-up has seen (`cold_query`)."""
from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.ops.pgcluster import Cluster  # noqa: E402
from lib.ops.team import free_port  # noqa: E402

__all__ = ["Servers", "cold_query", "DATED_PAGES"]

DATED_PAGES = ("Overview", "Funnel", "Cohorts", "Explore")   # pages with the shared date range


def cold_query(title: str, recorded: str, rng: random.Random, anchor: date, span_days: int = 700,
               skus: tuple[str, ...] = ()) -> str:
    """A link for page `title` no warm-up asked for: a custom date range of 7-180 days ending anywhere in
    the store's history (dated pages), another service level (Replenishment), one SKU of `skus` by day,
    week or month (Forecast); other pages keep `recorded`."""
    drop = ("range", "from", "to", "sl", "level", "item", "fgrain", "h")
    q = [(k, v) for k, v in parse_qsl(recorded, keep_blank_values=True) if k not in drop]
    if title == "Forecast" and skus:
        q += [("level", "SKU"), ("item", rng.choice(skus)), ("fgrain", rng.choice(("day", "week", "month")))]
    elif title in DATED_PAGES:
        end = anchor - timedelta(days=rng.randrange(0, span_days - 180))
        start = end - timedelta(days=rng.randrange(6, 180))
        q += [("range", "Custom"), ("from", start.isoformat()), ("to", end.isoformat())]
    elif title == "Replenishment":
        q.append(("sl", f"{rng.randrange(160, 200) / 2:g}"))   # 80.0 ... 99.5 in steps of 0.5
    return urlencode(q)


class Servers:
    """Start and stop what a configuration runs; `cpu()` is its processes' CPU seconds so far."""

    def __init__(self, data_dir: Path, cache: Path, tag: str, as_of: date):
        self.data_dir, self.cache, self.tag, self.as_of = data_dir, cache, tag, as_of
        self.proc: subprocess.Popen | None = None
        self.cluster_proc: subprocess.Popen | None = None
        self.url = ""

    # -- one process over DuckDB (make run) -------------------------------------------------------------
    def start_single(self, port: int = 0) -> str:
        port = port or free_port()
        env = {**os.environ, "SHOPCAST_DATA_DIR": str(self.data_dir)}
        env.pop("DATABASE_URL", None)
        log = open(self.data_dir / "server.log", "w")            # noqa: SIM115 - open for the server's lifetime
        self.proc = subprocess.Popen([sys.executable, "-m", "lib.ui.app.serve", "--server.port", str(port)],
                                     cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        self._wait(self.url + "/_stcore/health", 120)
        return self.url

    # -- a team over PostgreSQL (make team) -------------------------------------------------------------
    def pg_url(self) -> str:
        """The benchmark's PostgreSQL cluster running, with the demo store loaded once."""
        from lib.ingest import load_demo
        from lib.settings import Settings
        from lib.warehouse import Warehouse

        cluster = Cluster(self.cache / f"team-pg-{self.tag}", free_port())
        cluster.ensure()
        self.cluster_proc = subprocess.Popen(cluster.command(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        cluster.wait_ready(alive=lambda: self.cluster_proc.poll() is None)
        cluster.ensure_database("shopcast")
        url = cluster.url("shopcast")
        wh = Warehouse.open(settings=Settings(warehouse_url=url, data_dir=self.data_dir))
        if wh.is_empty():
            t = time.perf_counter()
            load_demo(wh, self.data_dir, seed=7, scale=1.0, as_of=self.as_of, traffic=1.0)
            print(f"loaded the benchmark store into PostgreSQL in {time.perf_counter() - t:.0f} s", flush=True)
        wh.dispose()
        return url

    def start_team(self, replicas: int, port: int = 0) -> str:
        port = port or free_port()
        env = {**os.environ, "DATABASE_URL": self.pg_url(), "SHOPCAST_DATA_DIR": str(self.data_dir)}
        log = open(self.data_dir / f"team-{replicas}.log", "w")  # noqa: SIM115 - open for the team's lifetime
        t = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "lib.ops.team", "--port", str(port), "--replicas",
                                      str(replicas), "--as-of", self.as_of.isoformat()], cwd=ROOT, env=env,
                                     stdout=log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        self._wait(self.url + "/_stcore/health", 240)
        print(f"team of {replicas} up in {time.perf_counter() - t:.1f} s (store already loaded)", flush=True)
        return self.url

    def _wait(self, address: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(address, timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.5)
        sys.exit(f"the server did not start: see {self.data_dir}")

    # -- what it used --------------------------------------------------------------------------------------
    def pids(self) -> list[int]:
        """The app processes: the single server, or the team's replicas (not nginx, not the supervisor)."""
        if self.proc is None:
            return []
        found = [self.proc.pid] + _descendants(self.proc.pid)
        return [p for p in found if "lib.ui.app.serve" in _cmdline(p)]

    def cpu(self) -> float:
        """CPU seconds so far of the app processes and, for a team, of its PostgreSQL server (every backend:
        the live ones, and the ones that ended through the postmaster's reaped-children times). DuckDB runs
        inside the single app process, so both configurations count the database's work."""
        total = sum(_cpu(pid) for pid in self.pids())
        if self.cluster_proc is not None and self.cluster_proc.poll() is None:
            master = self.cluster_proc.pid
            total += _cpu(master, reaped=True) + sum(_cpu(p) for p in _descendants(master))
        return total

    def memory(self, field: str) -> int:
        """Sum over the app processes of a /proc status figure (VmHWM, VmRSS) in bytes."""
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(field + ":"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                pass
        return total

    def stop(self) -> None:
        for proc in (self.proc, self.cluster_proc):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.proc = self.cluster_proc = None


def _cpu(pid: int, reaped: bool = False) -> float:
    """utime + stime of a process (and, with `reaped`, of its children that ended), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = list(Path(f"/proc/{p}/task").iterdir())
        except OSError:
            continue
        for t in tasks:
            try:
                kids = [int(x) for x in (t / "children").read_text().split()]
            except OSError:
                kids = []
            out += kids
            todo += kids
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
