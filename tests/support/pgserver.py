"""A private PostgreSQL cluster for the test session (127.0.0.1, a free port, trust auth)."""
from __future__ import annotations

import contextlib
import os
import pwd
import socket
import subprocess
from pathlib import Path

from lib.ops.pgcluster import find_bindir

__all__ = ["PgError", "PgServer", "find_bindir"]


class PgError(RuntimeError):
    pass




def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, bindir: str, workdir: Path):
        self.bindir = bindir
        self.dir = Path(workdir)
        self.port = _free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> str:
        cmd = list(args)
        if self.as_root:  # initdb refuses to run as root: run as the postgres user
            cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(_q(a) for a in cmd)]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            raise PgError(f"{args[0]} failed: {res.stderr.strip()[-500:]}")
        return res.stdout

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as err:
                raise PgError("no postgres user") from err
            os.chmod(self.dir, 0o755)
            for p in [self.dir, *self.dir.parents]:
                if str(p) in ("/", "/tmp"):
                    break
                os.chmod(p, os.stat(p).st_mode | 0o711)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        b = self.bindir
        self._run(f"{b}/initdb", "-D", f"{self.dir}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(f"{b}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/server.log", "-o", opts, "-w", "start")

    def psql(self, sql: str, db: str = "postgres") -> str:
        return self._run(f"{self.bindir}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                         "-d", db, "-v", "ON_ERROR_STOP=1", "-c", sql)

    def create_database(self, name: str) -> str:
        self.psql(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        with contextlib.suppress(PgError):
            self._run(f"{self.bindir}/pg_ctl", "-D", f"{self.dir}/data", "-m", "immediate", "-w", "stop")


def _q(arg: str) -> str:
    import shlex
    return shlex.quote(arg)
