"""`python -m lib.ops.team --port 8500 --replicas 2 --as-of 2026-12-06` (what `make team` runs).

One supervisor process starts, in order:
1. the shared warehouse: the URL in the settings (DATABASE_URL, secrets.toml) when it is PostgreSQL,
   else the project's own PostgreSQL cluster under `<data_dir>/team/postgres` (lib.ops.pgcluster). A
   DuckDB file cannot be shared by writers in several processes, so team mode refuses a DuckDB URL and
   says so; `make run` (one process) keeps DuckDB;
2. the demo store when that warehouse is empty (`lib.ingest.bootstrap --if-empty`);
3. `--replicas` app processes (`lib.ui.app.serve`) on free ports of 127.0.0.1, each with the same
   settings, the same warehouse and the same server secret (so a signed-in browser stays signed in on any
   replica; env SHOPCAST_SECRET, `secret` under [shopcast], else one kept in `<data_dir>/team/secret`);
4. nginx on `--port` (lib.ops.nginx: WebSocket proxying, cookie affinity, X-Shopcast-Replica).

Every child is a direct child of this process and gets SIGTERM if it dies (Linux parent-death signal).
Ctrl-C (SIGINT) or SIGTERM stops them all: nginx, then the replicas, then PostgreSQL, each waited for,
killed after 15 s. If any child stops on its own, the supervisor says which and stops the rest.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lib.ops import nginx
from lib.ops.pgcluster import Cluster, ClusterError
from lib.settings import PROJECT_ROOT, Settings, load_secrets

__all__ = ["TeamError", "Team", "main", "free_port", "shared_secret", "warehouse_plan"]

STOP_SECONDS = 15.0
READY_SECONDS = 120.0


class TeamError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def warehouse_plan(settings: Settings) -> str | None:
    """The configured PostgreSQL URL, or None for the project's own cluster; a DuckDB URL is refused."""
    url = settings.warehouse_url
    if not url:
        return None
    if url.startswith("postgresql"):
        return url
    raise TeamError("Team mode runs several app processes on one warehouse, and a DuckDB file cannot be shared "
                    "by writers in several processes. Set DATABASE_URL to a PostgreSQL database, or unset it "
                    "to use the project's own PostgreSQL cluster under data/team/postgres.")


def shared_secret(settings: Settings, env=None, secrets_toml=None) -> str:
    """One server secret for every replica: SHOPCAST_SECRET, `secret` under [shopcast], else one kept
    (mode 0600) in <data_dir>/team/secret so restarts keep browsers signed in."""
    env = os.environ if env is None else env
    sec = (load_secrets() if secrets_toml is None else secrets_toml).get("shopcast", {})
    given = env.get("SHOPCAST_SECRET") or (sec.get("secret") if isinstance(sec, dict) else None)
    if given:
        return str(given)
    path = settings.data_dir / "team" / "secret"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the supervisor dies (prctl PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


@dataclass
class Team:
    settings: Settings
    port: int
    replicas: int
    as_of: date
    seed: int = 7
    python: str = sys.executable
    out: object = field(default=sys.stdout)
    children: list[tuple[str, subprocess.Popen]] = field(default_factory=list)
    replica_ports: list[int] = field(default_factory=list)
    url: str | None = None
    _stop: bool = False

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    @property
    def home(self) -> Path:
        return self.settings.data_dir / "team"

    def _spawn(self, name: str, cmd: list[str], env: dict | None = None, log: Path | None = None) -> subprocess.Popen:
        with open(log or os.devnull, "ab") as fh:      # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    preexec_fn=_die_with_parent, cwd=PROJECT_ROOT)
        self.children.append((name, proc))
        return proc

    def _alive(self, proc: subprocess.Popen) -> bool:
        return proc.poll() is None

    # -- the parts ---------------------------------------------------------------------------
    def start_warehouse(self) -> str:
        url = warehouse_plan(self.settings)
        if url:
            self.say("warehouse: the configured PostgreSQL database")
            return url
        self.say("warehouse: no PostgreSQL URL configured, so the project's own cluster under "
                 f"{self.home / 'postgres'} (a DuckDB file cannot be shared by several app processes)")
        cluster = Cluster(self.home / "postgres", free_port())
        if cluster.ensure():
            self.say("  created the cluster")
        proc = self._spawn("postgresql", cluster.command(), log=self.home / "postgres.log")
        cluster.wait_ready(alive=lambda: self._alive(proc))
        cluster.ensure_database("shopcast")
        return cluster.url("shopcast")

    def child_env(self, url: str, secret: str, name: str | None = None) -> dict:
        env = dict(os.environ, DATABASE_URL=url, SHOPCAST_SECRET=secret, SHOPCAST_DATA_DIR=str(self.settings.data_dir))
        if name:
            env["SHOPCAST_REPLICA"] = name
        return env

    def load_demo(self, env: dict) -> None:
        res = subprocess.run([self.python, "-m", "lib.ingest.bootstrap", "--if-empty", "--seed", str(self.seed),
                              "--as-of", self.as_of.isoformat()], env=env, cwd=PROJECT_ROOT,
                             capture_output=True, text=True)
        for line in res.stdout.splitlines():
            self.say(f"  {line.strip()}")
        if res.returncode != 0:
            raise TeamError(f"loading the demo store failed: {res.stderr.strip().splitlines()[-1:] or ['?']}")

    def start_replicas(self, url: str, secret: str) -> None:
        names = nginx.replica_names(self.replicas)
        for name in names:
            port = free_port()
            self.replica_ports.append(port)
            self._spawn(f"replica {name}", [self.python, "-m", "lib.ui.app.serve", "--server.port", str(port),
                                            "--server.address", "127.0.0.1"],
                        env=self.child_env(url, secret, name), log=self.home / f"replica-{name}.log")
        for (name, proc), port in zip(self.children[-self.replicas:], self.replica_ports, strict=True):
            self._wait_http(f"http://127.0.0.1:{port}/_stcore/health", name, proc)

    def start_proxy(self) -> None:
        exe = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(exe).exists():
            raise TeamError("nginx is not installed (Debian package nginx-light): `make team` installs it")
        prefix = self.home / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx.render_config(prefix, self.port, self.replica_ports))
        proc = self._spawn("nginx", [exe, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                           log=prefix / "stdout.log")
        self._wait_http(f"http://127.0.0.1:{self.port}/_stcore/health", "nginx", proc)

    def _wait_http(self, address: str, name: str, proc: subprocess.Popen) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline and not self._stop:
            if not self._alive(proc):
                raise TeamError(f"{name} stopped while starting (exit code {proc.returncode}): see {self.home}")
            try:
                with urllib.request.urlopen(address, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise TeamError(f"{name} did not answer within {READY_SECONDS:.0f} s")

    # -- the whole -----------------------------------------------------------------------------
    def run(self) -> int:
        t0 = time.monotonic()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self.url = self.start_warehouse()
            secret = shared_secret(self.settings)
            self.load_demo(self.child_env(self.url, secret))
            self.start_replicas(self.url, secret)
            self.start_proxy()
            ports = ", ".join(f"{n} on :{p}" for n, p in zip(nginx.replica_names(self.replicas), self.replica_ports, strict=True))
            self.say(f"Shopcast team ready in {time.monotonic() - t0:.1f} s: http://127.0.0.1:{self.port} "
                     f"({self.replicas} replica{'s' if self.replicas != 1 else ''}: {ports}). Ctrl-C stops it.")
            return self.watch()
        except (TeamError, ClusterError) as err:
            self.say(f"team: {err}")
            return 1
        finally:
            self.stop()

    def watch(self) -> int:
        while not self._stop:
            for name, proc in self.children:
                if proc.poll() is not None:
                    self.say(f"team: {name} stopped (exit code {proc.returncode}); stopping the others")
                    return 1
            time.sleep(0.5)
        return 0

    def _on_signal(self, signum, frame) -> None:
        self._stop = True

    def stop(self) -> None:
        """nginx first (no new requests), then the replicas, then the warehouse."""
        first = {"nginx": signal.SIGQUIT, "postgresql": signal.SIGINT}
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                proc.send_signal(first.get(name, signal.SIGTERM))
                try:
                    proc.wait(STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self.children:
            self.say("team stopped")
        self.children.clear()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=8500)
    ap.add_argument("--replicas", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--as-of", type=date.fromisoformat, required=True, help="the demo store's last day")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if args.replicas < 1:
        ap.error("--replicas must be at least 1")
    return Team(Settings.from_env(), args.port, args.replicas, args.as_of, args.seed).run()


if __name__ == "__main__":
    sys.exit(main())
