"""Fault injection for the warehouse (tests/test_faults*.py): order files of a given size, a loader child
process that can be killed at any moment (or limited in the file size it may write), and the state of a
warehouse reduced to what must be either the old or the new data.

    path = orders_csv(tmp, 300_000, price=10.0)          # a canonical orders CSV, seeded
    child = Loader(url, path, how="frame")               # python -m tests.support.faults load ... (a child)
    child.wait_started(); time.sleep(d); child.kill()    # SIGKILL d seconds into the load
    child.wait_for("commit"); child.kill()               # ... or the moment it begins a step
    Loader(url, path, limit_bytes=2 << 20)               # "disk full": writes past 2 MB fail (EFBIG)
    state(wh)                                            # rows, amount, checksum, data version, loads
    version_problems(wh)                                 # load history and kept versions checked, in words

The child prints ``start <t>`` when it calls the load and ``phase <step> <t>`` as the load begins each step
(PHASES: validate, archive, delete, insert, record, commit, then after the commit `committed` and `recorded`
around versions.record's bookkeeping; t on the machine's monotonic clock), then ``done <t>``, or ``error
<type> | <title> | <detail>`` with the words the Data page would show (shell.show_error: lib.warehouse.faults
first, then lib.messages) and ``after reads <rows>`` (whether the same Warehouse still reads).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, inspect, select

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["orders_csv", "expected_amount", "totals", "Loader", "State", "state", "version_problems", "ROOT",
           "AS_OF", "PHASES", "pg_stop", "pg_start_again"]

AS_OF = "2026-03-31"
PHASES = ("validate", "archive", "delete", "insert", "record", "commit", "committed", "recorded")


def orders_csv(folder: Path, lines: int, *, price: float, seed: int = 7, name: str | None = None,
               first_order: int = 100000) -> Path:
    """A canonical orders CSV of `lines` lines (two lines per order, numbered from `first_order`, 500 SKUs,
    March 2026), every unit price `price` and quantities 1..3 drawn with `seed`: its total amount is price ×
    sum of quantities."""
    path = Path(folder) / (name or f"orders_{lines}_{price:g}_{first_order}.csv")
    rng = np.random.default_rng(seed)
    idx = np.arange(lines)
    start = pd.Timestamp("2026-03-01").value // 10**9
    df = pd.DataFrame({
        "order_id": "#" + pd.Series(idx // 2 + first_order).astype(str),
        "ordered_at": pd.to_datetime(start + (idx // 2) * (29 * 86400) // (lines // 2 + 1), unit="s")
        .strftime("%Y-%m-%d %H:%M:%S"),
        "customer_id": "C" + pd.Series(rng.integers(0, 20_000, lines)).astype(str),
        "sku": "SKU-" + pd.Series(rng.integers(0, 500, lines)).astype(str).str.zfill(3),
        "quantity": rng.integers(1, 4, lines),
        "unit_price": price,
        "channel": "organic",
        "status": "completed",
        "currency": "USD",
    })
    df.to_csv(path, index=False)
    return path


def totals(path: Path) -> tuple[int, float]:
    """(lines, sum of quantity × unit_price) of an orders file: what the warehouse holds after loading it."""
    df = pd.read_csv(path, usecols=["quantity", "unit_price"], engine="pyarrow")
    return len(df), round(float((df["quantity"] * df["unit_price"]).sum()), 2)


def expected_amount(path: Path) -> float:
    """Sum of quantity × unit_price over the file."""
    return totals(path)[1]


@dataclass(frozen=True)
class State:
    """What a reader or a reopened warehouse sees of the orders feed."""

    rows: int
    amount: float
    checksum: str | None      # of the current orders load (load history)
    version: str              # Warehouse.data_version()
    loads: int                # loads recorded


def state(wh) -> State:
    from lib.warehouse.tables import FEED_TABLES, loads

    o = FEED_TABLES["orders"]
    with wh.engine.connect() as conn:
        rows, amount = conn.execute(select(func.count(), func.coalesce(func.sum(o.c.quantity * o.c.unit_price), 0))
                                    ).one()
        n_loads = int(conn.execute(select(func.count()).select_from(loads)).scalar_one())
    cur = wh.current_loads()
    cur = cur[cur["feed"] == "orders"]
    return State(int(rows), round(float(amount), 2), None if cur.empty else str(cur["checksum"].iloc[0]),
                 wh._current_version(), n_loads)


def version_problems(wh) -> list[str]:
    """Everything wrong with the load history and the kept data versions, in words (empty: consistent):
    load ids are 1..n; each kept version names recorded loads; each older load a kept version needs has its
    copy, holding the rows the feed held after that load; the current data is a kept version; each feed holds
    the rows its loads add up to (a replace load's rows, plus the appends after it)."""
    from lib.warehouse import versions
    from lib.warehouse.tables import FEED_TABLES

    problems = []
    history = wh.load_history(limit=10_000).sort_values("load_id")
    ids = history["load_id"].tolist()
    if ids != list(range(1, len(ids) + 1)):
        problems.append(f"load ids not 1..n: {ids}")
    held: dict[tuple[str, int], int] = {}      # (feed, load id): rows the feed held after that load
    running: dict[str, int] = {}
    for r in history.itertuples():
        running[r.feed] = int(r.rows) + (running.get(r.feed, 0) if r.mode == "append" else 0)
        held[(r.feed, int(r.load_id))] = running[r.feed]
    kept = versions.versions(wh)
    live = {r.feed: int(r.load_id) for r in wh.current_loads().itertuples()}
    names = set(inspect(wh.engine).get_table_names())
    for v in kept.itertuples():
        for feed, load_id in v.loads.items():
            if (feed, int(load_id)) not in held:
                problems.append(f"version {v.version} names load {load_id} of {feed}, not recorded")
            elif live.get(feed) != int(load_id):
                name = f"{versions.HIST_PREFIX}{feed}_{int(load_id)}"
                if name not in names:
                    problems.append(f"version {v.version} needs {name}, missing")
                    continue
                n = int(wh.read(f'SELECT count(*) AS n FROM "{name}"')["n"].iloc[0])
                if n != held[(feed, int(load_id))]:
                    problems.append(f"{name} holds {n} rows, the feed held {held[(feed, int(load_id))]} after it")
    if live and wh._current_version() not in set(kept["version"]):
        problems.append(f"current data version {wh._current_version()} is not a kept version")
    for feed, load_id in live.items():
        n = int(wh.read(select(func.count()).select_from(FEED_TABLES[feed])).iloc[0, 0])
        if n != held[(feed, load_id)]:
            problems.append(f"{feed} holds {n} rows, its loads add up to {held[(feed, load_id)]}")
    return problems


class Loader:
    """A child process loading an orders CSV into the warehouse at `url` (how: "frame" reads it with pandas
    and calls Warehouse.load; "append" the same with mode="append"; "csv" does what the Data page does with a
    big CSV: Warehouse.load_csv, DuckDB's direct path, else Warehouse.load)."""

    def __init__(self, url: str, path: Path, how: str = "frame", *, limit_bytes: int | None = None,
                 env: dict | None = None):
        cmd = [sys.executable, "-m", "tests.support.faults", "load", url, str(path), how]
        if limit_bytes is not None:
            cmd.append(str(limit_bytes))
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {})})
        self.lines: list[str] = []
        self.started_at: float | None = None

    def wait_started(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"loader ended before starting: {self.proc.stderr.read()[-2000:]}")
            self.lines.append(line.strip())
            if line.startswith("start"):
                self.started_at = float(line.split()[1])
                return
        raise TimeoutError("loader did not start")

    def wait_for(self, mark: str) -> bool:
        """Read the child's marks until `mark` (a PHASES name); False if the load ended without reaching it."""
        while True:
            line = self.proc.stdout.readline()
            if not line:
                return False
            self.lines.append(line.strip())
            parts = line.split()
            if parts[:2] == ["phase", mark]:
                return True
            if parts and parts[0] in ("done", "error"):
                return False

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.finish()

    def finish(self, timeout: float = 600) -> int:
        out, self.stderr = self.proc.communicate(timeout=timeout)
        self.lines += [x.strip() for x in out.splitlines()]
        return self.proc.returncode

    def at(self, mark: str) -> float | None:
        """When the child printed `mark` (start, done or a phase), on the machine's monotonic clock (the
        parent's time.monotonic()), None if it did not."""
        for x in self.lines:
            parts = x.split()
            if parts and (parts[0] == mark or (parts[0] == "phase" and len(parts) > 1 and parts[1] == mark)):
                try:
                    return float(parts[-1])
                except ValueError:      # a line that only starts like a mark (seen once in CI: '... done'):
                    continue            # the child's own mark line carries its time
        return None

    def _marks(self, kinds) -> list[str]:
        marks = [x.split()[0] if x.split()[0] != "phase" else x.split()[1] for x in self.lines if x]
        return [m for m in marks if m in kinds]

    @property
    def last_phase(self) -> str:
        """The last mark the child printed: 'start', a PHASES name, 'declined', 'error' or 'done'."""
        marks = self._marks(("start", "done", "error", "declined", *PHASES))
        return marks[-1] if marks else "before start"

    @property
    def reached(self) -> str:
        """The last step of the load the child reached ('start' or a PHASES name)."""
        marks = self._marks(("start", *PHASES))
        return marks[-1] if marks else "before start"


def _child_load(url: str, path: str, how: str, limit: str | None = None) -> None:
    """The loader child: instrument the load's steps (printing each), then load; prints done or error."""
    if limit is not None:        # "disk full": writes past `limit` bytes fail with EFBIG instead of killing us
        import resource
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
    from datetime import date

    from lib.settings import Settings
    from lib.warehouse import Warehouse, core, versions

    def mark(name):
        print("phase", name, time.monotonic(), flush=True)

    def wrap(obj, attr, name, after=None):
        import inspect as _inspect

        static = isinstance(_inspect.getattr_static(obj, attr), staticmethod)
        inner = getattr(obj, attr)

        def call(*a, **k):
            mark(name)
            out = inner(*a, **k)
            if after:
                mark(after)
            return out
        setattr(obj, attr, staticmethod(call) if static else call)

    wrap(core, "validate", "validate")
    wrap(versions, "archive", "archive", after="delete")
    wrap(versions, "record", "committed", after="recorded")
    wrap(Warehouse, "_bulk_insert", "insert")
    wrap(Warehouse, "_insert_select", "insert")
    wrap(Warehouse, "_record", "record", after="commit")
    wh = Warehouse.open(url, settings=Settings(store_timezone="UTC", data_versions_kept=3))
    as_of = date.fromisoformat(AS_OF)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False) if how in ("frame", "append") else None
    print("start", time.monotonic(), flush=True)
    try:
        if how in ("frame", "append"):
            wh.load("orders", frame, source=f"upload:{Path(path).name}", as_of=as_of,
                    mode="append" if how == "append" else "replace")
        else:
            # as lib.ingest.pipeline.load_prepared: DuckDB's direct path, else read the file and load it
            if wh.load_csv("orders", path, source=f"upload:{Path(path).name}", as_of=as_of) is None:
                print("phase declined", time.monotonic(), flush=True)
                wh.load("orders", pd.read_csv(path, dtype=str, keep_default_na=False),
                        source=f"upload:{Path(path).name}", as_of=as_of)
    except Exception as err:  # noqa: BLE001 - the parent reads what the Data page would say
        from lib.messages import describe_error
        from lib.warehouse.faults import describe

        title, detail = describe(err) or (describe_error(err).title, describe_error(err).detail)
        print("error", type(err).__name__, "|", title, "|", detail, flush=True)
        if os.environ.get("FAULTS_DEBUG"):
            import traceback
            traceback.print_exc()
        try:                     # the same Warehouse afterwards (as the app's, shared by every session)
            print("after", "reads", wh.row_counts()["orders"], flush=True)
        except Exception as again:  # noqa: BLE001
            print("after", "fails", type(again).__name__, str(again)[:300].replace("\n", " "), flush=True)
        sys.exit(3)
    print("done", time.monotonic(), flush=True)


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "load":
    _child_load(*sys.argv[2:])


def pg_stop(server) -> None:
    """Stop a tests.support.pgserver.PgServer the hard way (as a crash or a host going down would)."""
    server.stop()


def pg_start_again(server) -> None:
    """Start a stopped PgServer again, same data directory and port (PgServer.start would initdb anew)."""
    opts = f"-p {server.port} -k {server.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
    server._run(f"{server.bindir}/pg_ctl", "-D", f"{server.dir}/data", "-l", f"{server.dir}/server.log", "-o", opts,
                "-w", "start")
