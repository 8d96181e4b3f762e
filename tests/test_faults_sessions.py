"""Faults around sessions: two loads at once, readers during a big load, PostgreSQL going away and coming
back, the disk filling up during a load. Each asserts that no data is lost or half-written and that what
the app (or the API it calls) says is in words.
"""
from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from lib.settings import Settings
from lib.warehouse import Warehouse, faults, locks
from lib.warehouse.tables import FEED_TABLES
from tests.support import faults as F
from tests.support import pgserver
from tests.support.ci import require
from tests.support.paths import ROOT

AS_OF = date.fromisoformat(F.AS_OF)
BIG = ROOT / "data" / "bench" / "orders_5000000.csv"     # bench/ingest.py make_csv(5_000_000)


def _open(url: str) -> Warehouse:
    return Warehouse.open(url, settings=Settings(store_timezone="UTC", data_versions_kept=3))


def _frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# -- two loads at once ---------------------------------------------------------------------------------
def test_two_sessions_loading_at_once_land_one_after_the_other(wh_url, tmp_path):
    """Two sessions (threads, each with its own Warehouse on the same database, as Streamlit runs them) load
    different orders files at the same moment: both loads land, one after the other (ids 2 and 3), the data is
    the later one's whole, history and versions consistent. Without lib.warehouse.locks DuckDB refused one
    with a write-write conflict on the kept copy of the old rows."""
    first = _open(wh_url)
    first.load("orders", _frame(F.orders_csv(tmp_path, 1_000, price=9.0)), source="upload:o0.csv", as_of=AS_OF)
    files = {"a": F.orders_csv(tmp_path, 120_000, price=10.0), "b": F.orders_csv(tmp_path, 110_000, price=11.0)}
    frames = {k: _frame(p) for k, p in files.items()}
    go, results = threading.Barrier(2), {}

    def session(name):
        wh = _open(wh_url)
        go.wait()
        try:
            results[name] = wh.load("orders", frames[name], source=f"upload:{name}.csv", as_of=AS_OF)
        except Exception as err:  # noqa: BLE001 - reported below
            results[name] = err

    threads = [threading.Thread(target=session, args=(k,)) for k in frames]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert all(not isinstance(r, Exception) for r in results.values()), results
    assert sorted(r.load_id for r in results.values()) == [2, 3]
    last = max(results, key=lambda k: results[k].load_id)
    seen = F.state(first)
    assert (seen.rows, seen.amount, seen.loads) == (len(frames[last]), F.expected_amount(files[last]), 3)
    assert seen.checksum == results[last].checksum
    assert F.version_problems(first) == []
    history = first.load_history()
    assert history["source"].tolist() == [f"upload:{last}.csv", f"upload:{'ab'.replace(last, '')}.csv", "upload:o0.csv"]
    first.dispose()


def test_a_second_load_waits_for_the_first(tmp_path):
    """The load lock is held for the whole load: a load started while another holds it begins its transaction
    only once the first released it."""
    wh = _open(f"duckdb:///{tmp_path}/w.duckdb")
    lock = locks.lock_for(wh.engine)
    assert lock is locks.lock_for(_open(f"duckdb:///{tmp_path}/w.duckdb").engine)
    done = threading.Event()
    lock.acquire()
    t = threading.Thread(target=lambda: (wh.load("orders", _frame(F.orders_csv(tmp_path, 10, price=5.0)),
                                                 source="upload:x.csv", as_of=AS_OF), done.set()))
    t.start()
    time.sleep(1.0)
    assert not done.is_set() and wh.row_counts()["orders"] == 0
    lock.release()
    t.join(30)
    assert done.is_set() and wh.row_counts()["orders"] == 10
    wh.dispose()


@pytest.mark.postgres
def test_two_processes_loading_into_postgres_at_once_land_one_after_the_other(pg_url, tmp_path):
    """Two loader processes against one PostgreSQL database: the advisory lock in the load transaction puts
    one after the other; both land, the data is the later one's whole."""
    wh = _open(pg_url)
    wh.load("orders", _frame(F.orders_csv(tmp_path, 1_000, price=9.0)), source="upload:o0.csv", as_of=AS_OF)
    files = [F.orders_csv(tmp_path, 60_000, price=10.0), F.orders_csv(tmp_path, 50_000, price=11.0)]
    children = [F.Loader(pg_url, p, "frame") for p in files]
    codes = [c.finish(timeout=300) for c in children]
    assert codes == [0, 0], [c.stderr[-1500:] for c in children]
    history = wh.load_history()
    assert history["load_id"].tolist() == [3, 2, 1]
    last = files[0] if history["source"].iloc[0].endswith(files[0].name) else files[1]
    seen = F.state(wh)
    assert (seen.rows, seen.amount) == (int(history["rows"].iloc[0]), F.expected_amount(last))
    assert F.version_problems(wh) == []
    wh.dispose()


# -- readers during a big load -----------------------------------------------------------------------
def _read_during_load(url: str, old_path: Path, new_path: Path, load, readers: int = 10) -> Counter:
    """`readers` sessions (threads, each with its own Warehouse: one engine, one connection each, as the app's
    sessions share the process) loop reading the orders totals while `load(wh)` replaces the feed; each total
    must be the old file's or the new file's, never anything else, with no reader error. Returns the counts
    (old, new, errors) and the load's duration."""
    wh = _open(url)
    old, new = F.totals(old_path), F.totals(new_path)
    expect, new_rows = {old: "old", new: "new"}, new[0]
    loaded, tally, errors, lock = [], Counter(), [], threading.Lock()
    o = FEED_TABLES["orders"]
    query = select(func.count().label("n"), func.sum(o.c.quantity * o.c.unit_price).label("amount"))

    def session():
        mine = _open(url)
        while True:           # until a read that began after the load returned (it must see the new data)
            began = time.monotonic()
            try:
                row = mine.read(query).iloc[0]
                seen = expect.get((int(row["n"]), round(float(row["amount"]), 2)), "mixed")
            except Exception as err:  # noqa: BLE001 - counted, the test fails on any
                seen = "error"
                errors.append(repr(err)[:300])
            with lock:
                tally[seen] += 1
                tally["after the load"] += bool(loaded and began > loaded[0])
            if loaded and began > loaded[0]:
                assert seen == "new", seen
                return

    threads = [threading.Thread(target=session) for _ in range(readers)]
    [t.start() for t in threads]
    time.sleep(0.5)
    t0 = time.monotonic()
    try:
        load(wh)
    finally:
        took = time.monotonic() - t0
        loaded.append(time.monotonic())
        [t.join(120) for t in threads]
    tally["load seconds"] = round(took, 2)
    print(f"\n{readers} readers during a {new_rows:,}-line load ({took:.1f} s): {dict(tally)}")
    assert errors == [] and tally["mixed"] == 0 and tally["error"] == 0, (dict(tally), errors[:3])
    assert tally["old"] > 0 and tally["after the load"] == readers
    assert F.state(wh).rows == new_rows and F.version_problems(wh) == []
    wh.dispose()
    return tally


def _duck_reads(tmp_path, new_path: Path, old_lines: int, as_of: date = AS_OF):
    old_path = F.orders_csv(tmp_path, old_lines, price=10.0)
    url = f"duckdb:///{tmp_path}/w.duckdb"
    wh = _open(url)
    assert wh.load_csv("orders", old_path, source="upload:old.csv", as_of=as_of) is not None

    def load(w):
        assert w.load_csv("orders", new_path, source="upload:new.csv", as_of=as_of) is not None
    return _read_during_load(url, old_path, new_path, load)


def test_ten_sessions_reading_during_a_500k_line_load_see_old_or_new(tmp_path):
    new_path = F.orders_csv(tmp_path, 500_000, price=11.0, seed=8)
    _duck_reads(tmp_path, new_path, 200_000)


@pytest.mark.slow
def test_ten_sessions_reading_during_a_5m_line_load_see_old_or_new(tmp_path):
    """The 5M-line orders file of bench/ingest.py (make_csv, seed 7), loaded through DuckDB's direct path."""
    if not BIG.exists():
        sys.path.insert(0, str(ROOT / "bench"))
        from ingest import make_csv  # bench/ingest.py: the same file it measures

        assert make_csv(5_000_000) == BIG
    _duck_reads(tmp_path, BIG, 200_000, as_of=date(2026, 12, 1))     # its orders run to 2026-11-26


@pytest.mark.postgres
def test_ten_sessions_reading_during_a_postgres_load_see_old_or_new(pg_url, tmp_path):
    old_path = F.orders_csv(tmp_path, 50_000, price=10.0)
    new_path = F.orders_csv(tmp_path, 150_000, price=11.0, seed=8)
    _open(pg_url).load("orders", _frame(old_path), source="upload:old.csv", as_of=AS_OF)
    _read_during_load(pg_url, old_path, new_path,
                      lambda w: w.load("orders", _frame(new_path), source="upload:new.csv", as_of=AS_OF))


# -- PostgreSQL stopped during a session and started again ----------------------------------------------
@pytest.fixture
def own_pg(tmp_path_factory):
    """A PostgreSQL server of this test's own (it is stopped and started: not the session's shared one)."""
    bindir = pgserver.find_bindir()
    require(bindir is not None, "PostgreSQL server binaries not installed (apt-get install postgresql)")
    server = pgserver.PgServer(bindir, tmp_path_factory.mktemp("ownpg"))
    server.start()
    yield server
    server.stop()




def _app_run(page: str | None = None) -> AppTest:
    """One run of the app in a fresh AppTest session, through app.py (a rerun of an AppTest session runs the
    page file alone, without app.py: Streamlit's AppTest resets its pages-folder switch on every run); with
    `page` (its file), then that page on its own. The process, its cached Warehouse and engine,
    stays: nothing is restarted."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


def _errors(at) -> list[str]:
    return [str(e.value) for e in at.error]


@pytest.mark.postgres
def test_postgres_going_away_and_back(own_pg, tmp_path, monkeypatch):
    """The API: a read while the server is down raises an error lib.warehouse.faults words as 'not reachable';
    once it is back the same Warehouse reads again (no restart, no dispose). The app (AppTest, configured by
    DATABASE_URL as in production): while down every run shows that sentence and no exception, then the page
    is back by itself. While down, every page is opened too (a fresh session each), and each says it in words."""
    url = own_pg.create_database("shop")
    wh = _open(url)
    wh.load("orders", _frame(F.orders_csv(tmp_path, 40, price=10.0)), source="upload:o.csv", as_of=AS_OF)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    at = _app_run()
    assert not at.exception and _errors(at) == []
    up_metrics = {m.label: m.value for m in at.metric}
    assert up_metrics["Order lines"] == "40"

    F.pg_stop(own_pg)
    with pytest.raises(Exception) as down:
        wh.read(select(func.count()).select_from(FEED_TABLES["orders"]))
    assert faults.describe(down.value) == faults.UNREACHABLE
    from lib.ui.app import nav

    for page in (None, None, *[p.file for p in nav.REGISTRY if p.url_path]):   # each run says so, no traceback
        at = _app_run(page)
        assert not at.exception, page
        assert [e for e in _errors(at) if e.startswith(f"**{faults.UNREACHABLE[0]}**")], (page, _errors(at))

    F.pg_start_again(own_pg)
    assert F.state(wh).rows == 40            # the same Warehouse: its pool reconnects (pool_pre_ping)
    at = _app_run()
    assert not at.exception and _errors(at) == []
    assert {m.label: m.value for m in at.metric} == up_metrics
    wh.dispose()


def test_a_fault_in_the_frame_around_the_page_is_worded(tmp_path, monkeypatch):
    """The database can go away between the sidebar's read and the next one (the Share box, the version
    banner): app.py's frame says it in words too, and an error that is not a warehouse fault still raises."""
    from sqlalchemy import exc as sa_exc

    from lib.ui.app import sharing

    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    gone = sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    def share_box(*_a, **_k):
        raise gone

    monkeypatch.setattr(sharing, "share_box", share_box)
    at = _app_run()
    assert not at.exception
    assert _errors(at) == [f"**{faults.UNREACHABLE[0]}**\n\n{faults.UNREACHABLE[1]}"]

    def broken(*_a, **_k):
        raise KeyError("not a fault")

    monkeypatch.setattr(sharing, "share_box", broken)
    assert _app_run().exception         # anything else is not hidden behind the fault words


# -- the words ----------------------------------------------------------------------------------------
def test_faults_are_worded_from_database_and_system_errors_only():
    import errno

    import duckdb
    from sqlalchemy import exc as sa_exc

    from lib.schema import FeedError

    refused = sa_exc.OperationalError("SELECT 1", {}, Exception('connection to server at "10.0.0.5", port 5432 '
                                                                  "failed: Connection refused"))
    assert faults.describe(refused) == faults.UNREACHABLE
    assert faults.describe(OSError(errno.ENOSPC, "No space left on device")) == faults.DISK_FULL
    assert faults.describe(OSError(errno.EFBIG, "File too large")) == faults.DISK_FULL
    try:                                   # a driver error wrapped by another, as an aborted transaction raises it
        try:
            raise duckdb.IOException('IO Error: Could not write file "/srv/x.duckdb": File too large')
        except duckdb.Error as inner:
            raise duckdb.TransactionException("Current transaction is aborted (please ROLLBACK)") from inner
    except duckdb.Error as outer:
        assert faults.describe(outer) == faults.DISK_FULL
    held = duckdb.IOException('IO Error: Could not set lock on file "/srv/x.duckdb": Conflicting lock is held in '
                              "/usr/bin/python3 (PID 42)")
    assert faults.describe(held) == faults.LOCKED
    # a user's value that reads like a fault is not one; neither is any other error
    bad = pd.DataFrame({"row": [2], "column": ["sku"], "value": ["disk full"], "reason": ["unknown_sku"]})
    assert faults.describe(FeedError("orders", bad, "upload:o.csv")) is None
    assert faults.describe(ValueError("connection refused")) is None
    assert faults.describe(sa_exc.OperationalError("SELECT 1", {}, Exception("division by zero"))) is None
    # nothing of the driver's message (host, path) is in the words
    assert all("10.0.0.5" not in part and "/srv" not in part and "PID" not in part
               for part in faults.UNREACHABLE + faults.DISK_FULL + faults.LOCKED)


# -- a page's cached query straddling a load --------------------------------------------------------------
def test_a_query_cached_while_a_load_commits_is_not_served_for_the_old_version(tmp_path):
    """A page computes its cache key (data version, warehouse) and then runs its query; a load commits in
    between, so the query sees the new rows. That result must not be cached under the old version: a link
    pinned to the old (kept) version would be served the new numbers (lib.ui.app.cache)."""
    from lib.ui.app import cache
    from lib.warehouse import versions

    wh = _open(f"duckdb:///{tmp_path}/w.duckdb")
    old_path, new_path = F.orders_csv(tmp_path, 30, price=10.0), F.orders_csv(tmp_path, 20, price=11.0)
    wh.load("orders", _frame(old_path), source="upload:old.csv", as_of=AS_OF)
    races = []

    @cache.query()
    def amount(key, w):
        if not races:            # the first run: a load by another session commits right now
            races.append(wh.load("orders", _frame(new_path), source="upload:new.csv", as_of=AS_OF))
        return F.state(w).amount

    amount.clear()
    old_key = cache.key(wh)
    assert amount(old_key, wh) == F.totals(new_path)[1]          # what that run read (the new rows)
    pinned = versions.pinned(wh, old_key[0])                    # a link made on the old version
    assert cache.key(pinned) == old_key
    assert amount(cache.key(pinned), pinned) == F.totals(old_path)[1]
    assert amount(cache.key(wh), wh) == F.totals(new_path)[1]
    amount.clear()
    wh.dispose()


def test_the_data_page_says_a_full_disk_in_words(tmp_path, monkeypatch):
    """The Data page's load button when the warehouse's disk fills up inside the load transaction (an OSError
    ENOSPC raised at its last step, in this process): the page shows lib.warehouse.faults' sentence, no
    exception, and the feed keeps its rows (the real EFBIG is in tests/test_faults.py, in a child process)."""
    import errno

    import duckdb

    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    wh = Warehouse.open(settings=Settings.from_env())
    wh.load("orders", _frame(F.orders_csv(tmp_path, 3, price=10.0)), source="upload:o.csv", as_of=AS_OF)
    con = duckdb.connect(str(tmp_path / "shop.duckdb"))
    con.execute("CREATE TABLE sales AS SELECT * FROM (VALUES ('A1', '2026-01-02 10:00', 'c1', 'S1', 2, 9.5)) "
                "t(order_id, ordered_at, customer_id, sku, quantity, unit_price)")
    con.close()
    monkeypatch.setenv("SHOPCAST_SOURCE_URL", f"duckdb:///{tmp_path / 'shop.duckdb'}")

    def full(self, feed):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(Warehouse, "_before_commit", full)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("pages/data_page.py")
    at.query_params["src"] = "SQL database"
    at.run()
    at.text_area[0].set_value("SELECT * FROM sales").run()
    next(b for b in at.button if b.label == "Read from the database").click().run()
    next(b for b in at.button if b.label == "Validate and replace orders").click().run()
    assert not at.exception
    assert _errors(at) == [f"**{faults.DISK_FULL[0]}**\n\n{faults.DISK_FULL[1]}"]
    assert wh.row_counts()["orders"] == 3 and len(wh.load_history()) == 1
    wh.dispose()


@pytest.mark.postgres
def test_postgres_stopping_in_the_middle_of_a_load(own_pg, tmp_path):
    """The server stops (immediate shutdown, as a crash) while a loader process is inserting: the load fails
    with the 'not reachable' words, and once the server is back (crash recovery) the warehouse holds exactly
    the old data with history and versions intact."""
    url = own_pg.create_database("shop")
    wh = _open(url)
    old_path = F.orders_csv(tmp_path, 2_000, price=10.0)
    wh.load("orders", _frame(old_path), source="upload:old.csv", as_of=AS_OF)
    old = F.state(wh)
    child = F.Loader(url, F.orders_csv(tmp_path, 150_000, price=11.0, seed=8), "frame")
    child.wait_started()
    assert child.wait_for("insert")
    F.pg_stop(own_pg)
    assert child.finish() == 3, (child.lines, child.stderr[-1500:])
    error = next(x for x in child.lines if x.startswith("error"))
    assert error.split(" | ")[1:] == list(faults.UNREACHABLE), error
    F.pg_start_again(own_pg)
    assert F.state(wh) == old and F.version_problems(wh) == []
    wh.dispose()


# -- a DuckDB file held by another process --------------------------------------------------------------
def test_a_duckdb_file_held_by_another_process_is_said_in_words(tmp_path, monkeypatch):
    """DuckDB lets one process open a file (STACK-NOTES): while another process holds the app's warehouse file
    (a loader script, a second app), opening it fails; the app says so in words, never a traceback, and opens
    it on the next run once the other process is gone."""
    import subprocess

    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    path = Settings.from_env().duckdb_path
    _open(f"duckdb:///{path}").dispose()
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(path)!r}); "
                               "print('held', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Exception) as held:
            _open(f"duckdb:///{path}")
        assert faults.describe(held.value) == faults.LOCKED
        at = _app_run()
        assert not at.exception and _errors(at) == [f"**{faults.LOCKED[0]}**\n\n{faults.LOCKED[1]}"]
    finally:
        holder.communicate("", timeout=30)
    at = _app_run()
    assert not at.exception and _errors(at) == []
    assert "No data loaded yet" in "\n".join(str(m.value) for m in [*at.markdown, *at.info])
