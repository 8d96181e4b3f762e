"""Faults during a load: the loading process killed (SIGKILL) at random points, the disk full.

Each kill point copies a warehouse holding the old data (two orders loads: load history and a kept copy of
the first), runs a child process loading a new orders file into it, kills the child a seeded random delay
after it started the load (spread over the whole load as measured by an uninterrupted run: archive, insert,
record, commit and the version bookkeeping after it), reopens the warehouse and requires exactly the old or
exactly the new data (rows, amount, the load's checksum, the data version, the number of loads) with the
load history and the kept versions consistent (tests/support/faults.version_problems).

The long loops (52 kill points: 42 on DuckDB, 10 on PostgreSQL; replace loads through pandas and through
DuckDB's direct CSV path, and append loads) are marked slow; 7 points run unmarked.
"""
from __future__ import annotations

import random
import shutil
import time
from collections import Counter
from datetime import date

import pytest

from lib.settings import Settings
from lib.warehouse import Warehouse, faults
from tests.support import faults as F

AS_OF = date.fromisoformat(F.AS_OF)
LINES = {"duckdb": (200_000, 220_000), "postgres": (60_000, 66_000)}     # old, new: PostgreSQL validates in pandas


def _open(url: str) -> Warehouse:
    return Warehouse.open(url, settings=Settings(store_timezone="UTC", data_versions_kept=3))


def _fill(url: str, first, second) -> None:
    """The old data: two loads of orders (the first kept as a copy for its data version)."""
    import pandas as pd

    wh = _open(url)
    for i, path in enumerate((first, second)):
        wh.load("orders", pd.read_csv(path, dtype=str, keep_default_na=False), source=f"upload:o{i}.csv", as_of=AS_OF)
    wh.dispose()


class Target:
    """Where kill points run: a fresh copy of the old warehouse per point (a file, or a database cloned from a
    template), the file each way of loading loads, and the expected old and new states."""

    def __init__(self, kind, paths, fresh, drop):
        self.kind, self.paths, self.fresh, self.drop = kind, paths, fresh, drop
        self.old: F.State | None = None
        self.new: dict[str, F.State] = {}                     # how: the state after its load
        self.duration: dict[str, tuple[float, float]] = {}   # how: (whole load, time until its transaction)
        self.steps: dict[str, list[str]] = {}                 # how: the steps an uninterrupted load goes through

    def observe(self, url: str):
        wh = _open(url)
        try:
            return F.state(wh), F.version_problems(wh)
        finally:
            wh.dispose()


def files(tmp_path_factory, kind: str) -> dict[str, object]:
    """first and second: the old data's two loads; replace: the new file; append: 10% more orders, numbered
    after the old ones."""
    d = tmp_path_factory.mktemp(f"killfiles_{kind}")
    old, new = LINES[kind]
    return {"first": F.orders_csv(d, old, price=9.0, seed=6), "second": F.orders_csv(d, old, price=10.0, seed=7),
            "replace": F.orders_csv(d, new, price=11.0, seed=8),
            "append": F.orders_csv(d, old // 10, price=12.0, seed=9, first_order=900000)}


def _calibrate(target: Target, hows) -> Target:
    """Old state from a copy; each way's new state and load duration from an uninterrupted child run."""
    url = target.fresh("calib")
    target.old, problems = target.observe(url)
    assert problems == [] and target.old.rows == LINES[target.kind][0]
    target.drop(url)
    for how in hows:
        url = target.fresh(f"ref_{how}")
        child = F.Loader(url, target.paths[how], how)
        child.wait_started()
        assert child.finish() == 0, child.stderr[-2000:]
        target.duration[how] = (child.at("done") - child.started_at, child.at("archive") - child.started_at)
        target.steps[how] = [x.split()[1] for x in child.lines if x.startswith("phase")]
        new, problems = target.observe(url)
        assert problems == [], problems
        rows, amount = F.totals(target.paths[how])
        if how == "append":
            rows, amount = rows + target.old.rows, round(amount + target.old.amount, 2)
        assert (new.rows, new.amount) == (rows, amount)
        assert new.loads == target.old.loads + 1 and new.version != target.old.version
        target.new[how] = new
        target.drop(url)
    return target


@pytest.fixture(scope="module")
def duck(tmp_path_factory):
    paths = files(tmp_path_factory, "duckdb")
    d = tmp_path_factory.mktemp("killduck")
    base = d / "base.duckdb"
    _fill(f"duckdb:///{base}", paths["first"], paths["second"])

    def fresh(name):
        shutil.copy(base, d / f"{name}.duckdb")
        return f"duckdb:///{d / name}.duckdb"

    def drop(url):
        (d / url.rsplit("/", 1)[-1]).unlink()
        (d / (url.rsplit("/", 1)[-1] + ".wal")).unlink(missing_ok=True)

    paths["frame"] = paths["csv"] = paths["replace"]
    return _calibrate(Target("duckdb", paths, fresh, drop), ("frame", "csv", "append"))


@pytest.fixture(scope="module")
def pg(tmp_path_factory, pg_server):
    paths = files(tmp_path_factory, "postgres")
    base = pg_server.create_database("killbase")
    _fill(base, paths["first"], paths["second"])

    def fresh(name):
        pg_server.psql(f"CREATE DATABASE kill_{name} TEMPLATE killbase")
        return base.rsplit("/", 1)[0] + f"/kill_{name}"

    def drop(url):
        pg_server.psql(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[-1]} WITH (FORCE)")

    paths["frame"] = paths["replace"]
    return _calibrate(Target("postgres", paths, fresh, drop), ("frame", "append"))


def kill_points(target: Target, n: int, seed: int, hows) -> Counter:
    """Kill loads until n kills landed before the load ended. Attempts take turns: a seeded random delay
    anywhere in the load; one in its writing part (from versions.archive, the transaction's first write, to
    the end, the bookkeeping after the commit included); and the moment the child reaches a step drawn at
    random from those an uninterrupted load goes through (so the short ones, the commit and the version
    bookkeeping after it, are hit too). Delays are fractions of the latest observed duration of an
    uninterrupted load (the machine is shared: a load that ended before its kill updates it and is counted as
    'finished', not as a kill point). Returns the outcomes (old/new), the steps the kills landed in and the
    finished loads; fails on any state other than old or new, or an inconsistency."""
    rng = random.Random(seed)
    tally: Counter = Counter()
    t0, attempt = time.monotonic(), 0
    while tally["old"] + tally["new"] < n:
        assert attempt < 3 * n, f"only {tally} after {attempt} attempts"
        how = hows[attempt // 3 % len(hows)]       # each way takes the three kinds of attempt in turn
        whole, writing = target.duration[how]
        delay = rng.uniform(0 if attempt % 3 == 0 else writing / whole, 1.0) * whole
        step = rng.choice(target.steps[how]) if attempt % 3 == 2 else None
        url = target.fresh(f"p{seed}_{attempt}")
        child = F.Loader(url, target.paths[how], how)
        child.wait_started()
        if step is None:
            time.sleep(max(0.0, delay - (time.monotonic() - child.started_at)))
        elif child.wait_for(step):
            delay = time.monotonic() - child.started_at
        child.kill()
        seen, problems = target.observe(url)
        outcome = "old" if seen == target.old else "new" if seen == target.new[how] else "other"
        assert outcome != "other" and problems == [], (
            f"kill point {attempt} ({how}, {delay:.3f} s, step {child.last_phase}): {outcome} state {seen} "
            f"(old {target.old}, new {target.new[how]}); problems: {problems}")
        if child.last_phase == "done":
            assert outcome == "new"
            tally["finished"] += 1
            target.duration[how] = (child.at("done") - child.started_at, child.at("archive") - child.started_at)
        else:
            tally[outcome] += 1
            tally[f"step:{child.last_phase}"] += 1
        print(f"  attempt {attempt} {how}: killed {delay:.3f} s into a ~{whole:.3f} s load (writing from "
              f"{writing:.3f} s{', at step ' + step if step else ''}): {outcome}, last step {child.last_phase}")
        target.drop(url)
        attempt += 1
    print(f"\n{n} kill points ({'/'.join(hows)}, seed {seed}) in {time.monotonic() - t0:.1f} s: {dict(tally)}")
    return tally


def test_killed_duckdb_loads_leave_the_old_or_the_new_data(duck):
    tally = kill_points(duck, 4, seed=1, hows=("frame", "csv", "append"))
    assert tally["old"] + tally["new"] == 4 and tally["step:before start"] == 0


def test_killed_postgres_loads_leave_the_old_or_the_new_data(pg):
    tally = kill_points(pg, 3, seed=2, hows=("frame", "append"))
    assert tally["old"] + tally["new"] == 3


@pytest.mark.slow
def test_many_killed_duckdb_loads(duck):
    tally = kill_points(duck, 42, seed=11, hows=("frame", "csv", "append"))
    assert tally["old"] + tally["new"] == 42
    assert tally["old"] >= 5 and tally["step:insert"] >= 5     # the delays spread over the load


@pytest.mark.slow
def test_many_killed_postgres_loads(pg):
    tally = kill_points(pg, 10, seed=12, hows=("frame", "append"))
    assert tally["old"] + tally["new"] == 10


# -- disk full ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("how", "limit_mb"), [("frame", 2), ("csv", 2), ("frame", 5), ("csv", 5)])
def test_a_full_disk_during_a_load_is_said_in_words_and_keeps_the_old_data(duck, how, limit_mb):
    """The loader child may write files of at most `limit_mb` MB (RLIMIT_FSIZE, SIGXFSZ ignored: a write past
    it fails with EFBIG, as on a full disk): the load fails with the Data page's words for a full disk, the
    same Warehouse still reads the old rows, and after reopening the warehouse holds exactly the old data."""
    url = duck.fresh(f"full_{how}_{limit_mb}")
    child = F.Loader(url, duck.paths[how], how, limit_bytes=limit_mb << 20)
    child.wait_started()
    assert child.finish() == 3, (child.lines, child.stderr[-1500:])
    error = next(x for x in child.lines if x.startswith("error"))
    assert error.split(" | ")[1:] == list(faults.DISK_FULL), error
    assert f"after reads {duck.old.rows}" in child.lines
    seen, problems = duck.observe(url)
    assert seen == duck.old and problems == []
    print(f"\ndisk full at {limit_mb} MB ({how}): failed in step {child.reached!r} -> {error.split(' | ')[1]}")
    duck.drop(url)
