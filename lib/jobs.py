"""Long work off the user's thread: a small pool of worker threads, each job with its progress.

    job = jobs.submit("export:nb1", notebook_html, nb, ..., progress=...)   # returns at once
    job.fraction, job.message, job.done, job.result, job.error

A job is a plain function that takes a ``progress(fraction, message)`` keyword; the app polls the job
(a Streamlit fragment that reruns every second) while other sessions are served as usual. Jobs are
kept by id for ``KEEP_SECONDS`` after they finish, so a page can pick the result up; submitting the
same key while a job with that key runs returns the running job.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

__all__ = ["Job", "submit", "get", "WORKERS", "KEEP_SECONDS"]

WORKERS = 2
KEEP_SECONDS = 3600
_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="shopcast-job")
_lock = threading.Lock()
_jobs: dict[str, Job] = {}
_running: dict[str, str] = {}          # key -> id of its running job
_ids = itertools.count(1)


@dataclass
class Job:
    id: str
    key: str
    fraction: float = 0.0
    message: str = "Queued…"
    done: bool = False
    result: object = None
    error: BaseException | None = field(default=None, repr=False)
    finished_at: float | None = None

    def progress(self, fraction: float, message: str) -> None:
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        self.message = message


def _run(job: Job, fn: Callable, args: tuple, kwargs: dict) -> None:
    try:
        job.result = fn(*args, progress=job.progress, **kwargs)
    except BaseException as err:  # noqa: BLE001 - handed to the page, which shows a message
        job.error = err
    finally:
        job.done, job.finished_at = True, time.time()
        with _lock:
            if _running.get(job.key) == job.id:
                del _running[job.key]


def _forget_old(now: float) -> None:
    for jid in [j.id for j in _jobs.values() if j.done and j.finished_at and now - j.finished_at > KEEP_SECONDS]:
        del _jobs[jid]


def submit(key: str, fn: Callable, *args, **kwargs) -> Job:
    """Run ``fn(*args, progress=..., **kwargs)`` on a worker thread; the running job of ``key`` if any."""
    with _lock:
        _forget_old(time.time())
        if key in _running:
            return _jobs[_running[key]]
        job = Job(id=f"job{next(_ids)}", key=key)
        _jobs[job.id], _running[key] = job, job.id
    _pool.submit(_run, job, fn, args, kwargs)
    return job


def get(job_id: str | None) -> Job | None:
    with _lock:
        return _jobs.get(job_id) if job_id else None
