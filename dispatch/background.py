"""The background compile pool: jobs (a generic function's "compile and install a dispatcher
for your call history") run on worker threads, in batches.

A job is served once it is ``debounce`` seconds old, and a job scheduled again while pending is
one job, so a burst of misses on one generic function makes one compile. Workers run jobs in
parallel (the jit pool compiles without a global lock). A job reports its own failures; one that
raises anyway is reported here and the worker goes on. A worker that dies (a BaseException, an
asynchronous exception) is replaced: by itself on the way out when work is pending, else by the
next request.

After ``os.fork()`` the child has none of the parent's workers: the pool forgets them and its
pending jobs, and the next request starts workers (see :func:`_before_fork`).
"""

from __future__ import annotations

import atexit
import itertools
import os
import threading
import time
import warnings
from collections.abc import Callable, Hashable

# A job is called with no arguments. Jobs that compare equal are one job while pending (a bound
# method of the same object is equal to itself), and the pool never holds one once it has run.
Job = Callable[[], None]

DEFAULT_WORKERS = 2
DEFAULT_DEBOUNCE = 0.002


class CompilePool:
    """Worker threads running compile jobs (see the module's docstring)."""

    def __init__(self, workers: int = DEFAULT_WORKERS, debounce: float = DEFAULT_DEBOUNCE) -> None:
        if workers < 1:
            raise ValueError(f"a compile pool needs at least one worker, not {workers}")
        if debounce < 0:
            raise ValueError(f"debounce must be >= 0 seconds, not {debounce}")
        self.workers, self.debounce = workers, debounce
        self._cond = threading.Condition(threading.RLock())  # re-entrant: see dispatch.history
        self._pending: dict[Hashable, float] = {}
        self._busy = 0
        self._threads: list[threading.Thread] = []
        self._serial = itertools.count()
        self._stopping = False

    def schedule(self, job: Job) -> None:
        """Run ``job`` on a worker once it is ``debounce`` seconds old (unless already pending)."""
        with self._cond:
            if self._stopping:
                return
            self._pending.setdefault(job, time.monotonic())
            self._staff()
            self._cond.notify()

    def _staff(self) -> None:
        """Start workers up to ``workers`` live ones (caller holds the condition's lock). Dead
        workers are dropped first: one killed where its own replacement could not run (say, in
        the middle of ``_work``'s cleanup) must not count."""
        self._threads = [t for t in self._threads if t.is_alive()]
        while len(self._threads) < self.workers:
            t = threading.Thread(target=self._work, name=f"gfjit-compile-{next(self._serial)}",
                                 daemon=True)
            self._threads.append(t)
            t.start()

    def _next(self) -> Job | None:
        with self._cond:
            while not self._stopping:
                wait = self._ripe_wait()
                if wait is None:
                    self._cond.wait()
                elif wait > 0:
                    self._cond.wait(wait)
                else:
                    job = next(iter(self._pending))
                    del self._pending[job]
                    self._busy += 1
                    return job  # type: ignore[return-value]
            return None

    def _ripe_wait(self) -> float | None:
        """Seconds until the oldest request is due (<= 0: now), None if there is none. Holds no
        reference to it: an idle worker must not keep a job (and its generic function) alive."""
        if not self._pending:
            return None
        return next(iter(self._pending.values())) + self.debounce - time.monotonic()

    def _work(self) -> None:
        try:
            while (job := self._next()) is not None:
                self._run(job)
                del job  # do not keep the last generic function alive while idle
        finally:
            with self._cond:
                me = threading.current_thread()
                self._threads = [t for t in self._threads if t is not me]
                if self._pending and not self._stopping:
                    self._staff()  # died with work queued: nobody else may ask for a worker

    def _run(self, job: Job) -> None:
        try:
            job()
        except Exception as e:  # noqa: BLE001 - reported; the worker serves the next job
            warnings.warn(f"gfjit: background compile job {job!r} failed: {e}", RuntimeWarning,
                          stacklevel=1)
        finally:
            with self._cond:
                self._busy -= 1
                self._cond.notify_all()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until nothing is pending or compiling; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._pending.clear()
            self._cond.notify_all()
        for t in self._threads:
            t.join(timeout=5)


_pool: CompilePool | None = None
_settings = (DEFAULT_WORKERS, DEFAULT_DEBOUNCE)
_lock = threading.Lock()


def pool() -> CompilePool:
    """The process-wide compile pool (started lazily)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = CompilePool(*_settings)
            atexit.register(_pool.stop)
        return _pool


def configure(workers: int = DEFAULT_WORKERS, debounce: float = DEFAULT_DEBOUNCE) -> None:
    """Replace the compile pool (after draining the current one)."""
    global _pool, _settings
    new = CompilePool(workers, debounce)
    with _lock:
        old, _pool, _settings = _pool, new, (workers, debounce)
        atexit.register(new.stop)
    if old is not None:
        old.drain()
        old.stop()


def _before_fork() -> None:
    # The rule of dispatch.forking, for the pool's two locks.
    _lock.acquire()
    if _pool is not None:
        _pool._cond.acquire()


def _after_fork_in_parent() -> None:
    if _pool is not None:
        _pool._cond.release()
    _lock.release()


def _after_fork_in_child() -> None:
    # The parent's workers do not exist here: drop the pool with its pending jobs (their owners
    # forget that they asked, see dispatch.generic), and the next request makes a new one.
    global _pool
    if _pool is not None:
        _pool._cond.release()  # the thread that forked holds it, and is this one
        _pool = None
    _lock.release()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                    after_in_child=_after_fork_in_child)
