"""A PostgreSQL cluster of the project's own under `data/`, run in the foreground as a child process.

`make team` uses it when no warehouse URL is configured: the cluster's files persist under
`<data_dir>/team/postgres` (initdb once), the server listens on 127.0.0.1 only, on the port given,
with trust authentication for local connections (nothing outside this machine can reach it). As root
(initdb and postgres refuse to run as root) both run as the `postgres` user through setpriv, which
execs: the server stays a direct child of the supervisor and stops with it.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

__all__ = ["ClusterError", "Cluster", "find_bindir"]


class ClusterError(RuntimeError):
    pass


def find_bindir() -> str | None:
    """The newest installed PostgreSQL's bin directory (Debian keeps it out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return str(Path(found[-1]).parent)
    initdb = shutil.which("initdb")
    return str(Path(initdb).parent) if initdb else None


class Cluster:
    """`root/data` holds the cluster; `root` also the socket and the server log."""

    def __init__(self, root: Path, port: int, bindir: str | None = None):
        self.root = Path(root)
        self.port = int(port)
        self.bindir = bindir or find_bindir()
        if not self.bindir:
            raise ClusterError("PostgreSQL is not installed (Debian package postgresql): `make team` installs it")
        self.as_root = os.geteuid() == 0

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _as_owner(self, cmd: list[str]) -> list[str]:
        if not self.as_root:
            return cmd
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", *cmd]

    def _own(self) -> None:
        """As root: the cluster's directory belongs to `postgres`, and its parents let it through."""
        if not self.as_root:
            return
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError as err:
            raise ClusterError("no `postgres` user: is the Debian package postgresql installed?") from err
        for p in [self.root, *self.root.parents]:
            if str(p) == "/":
                break
            os.chmod(p, os.stat(p).st_mode | 0o711)
        os.chown(self.root, pw.pw_uid, pw.pw_gid)

    def ensure(self) -> bool:
        """initdb when the cluster does not exist yet; True when it was created now."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._own()
        if (self.data / "PG_VERSION").exists():
            return False
        res = subprocess.run(self._as_owner([f"{self.bindir}/initdb", "-D", str(self.data), "-U", "postgres",
                                             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                             capture_output=True, text=True, timeout=180)
        if res.returncode != 0:
            raise ClusterError(f"initdb failed: {res.stderr.strip()[-400:]}")
        return True

    def command(self) -> list[str]:
        """The server in the foreground (SIGINT: fast shutdown)."""
        return self._as_owner([f"{self.bindir}/postgres", "-D", str(self.data), "-p", str(self.port),
                               "-k", str(self.root), "-c", "listen_addresses=127.0.0.1"])

    def url(self, database: str = "shopcast") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def wait_ready(self, timeout: float = 60.0, alive=lambda: True) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not alive():
                raise ClusterError(f"PostgreSQL stopped while starting: see {self.root / 'server.log'}")
            res = subprocess.run([f"{self.bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
                                 capture_output=True, timeout=10)
            if res.returncode == 0:
                return
            time.sleep(0.2)
        raise ClusterError(f"PostgreSQL did not accept connections within {timeout:.0f} s")

    def ensure_database(self, name: str = "shopcast") -> None:
        psql = [f"{self.bindir}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d",
                "postgres", "-tAc"]
        have = subprocess.run([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                              capture_output=True, text=True, timeout=30)
        if have.returncode != 0:
            raise ClusterError(f"psql failed: {have.stderr.strip()[-300:]}")
        if have.stdout.strip() != "1":
            made = subprocess.run([*psql, f'CREATE DATABASE "{name}"'], capture_output=True, text=True, timeout=60)
            if made.returncode != 0:
                raise ClusterError(f"could not create database {name}: {made.stderr.strip()[-300:]}")
