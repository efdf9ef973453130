"""The background compile pool: generic functions that missed get a new dispatcher, in batches.

A request is served once it is ``debounce`` seconds old, so a burst of misses on one generic
function makes one compile. Workers compile in parallel (the jit pool compiles without a global
lock); each worker runs :meth:`GenericState.compile_now`, which installs only if still current.
A worker that dies (a BaseException, an asynchronous exception) is replaced: by itself on the way
out when work is pending, else by the next request.
"""

from __future__ import annotations

import atexit
import itertools
import threading
import time
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dispatch.generic import GenericState

DEFAULT_WORKERS = 2
DEFAULT_DEBOUNCE = 0.002


class BackgroundCompiler:
    def __init__(self, workers: int = DEFAULT_WORKERS, debounce: float = DEFAULT_DEBOUNCE) -> None:
        if workers < 1:
            raise ValueError(f"a compile pool needs at least one worker, not {workers}")
        if debounce < 0:
            raise ValueError(f"debounce must be >= 0 seconds, not {debounce}")
        self.workers, self.debounce = workers, debounce
        self._cond = threading.Condition(threading.RLock())  # re-entrant: see dispatch.history
        self._pending: dict[GenericState, float] = {}
        self._busy = 0
        self._threads: list[threading.Thread] = []
        self._serial = itertools.count()
        self._stopping = False

    def schedule(self, state: GenericState) -> None:
        with self._cond:
            if self._stopping:
                return
            self._pending.setdefault(state, time.monotonic())
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

    def _next(self) -> GenericState | None:
        with self._cond:
            while not self._stopping:
                wait = self._ripe_wait()
                if wait is None:
                    self._cond.wait()
                elif wait > 0:
                    self._cond.wait(wait)
                else:
                    state = next(iter(self._pending))
                    del self._pending[state]
                    self._busy += 1
                    return state
            return None

    def _ripe_wait(self) -> float | None:
        """Seconds until the oldest request is due (<= 0: now), None if there is none. Holds no
        reference to it: an idle worker must not keep a generic function alive."""
        if not self._pending:
            return None
        return next(iter(self._pending.values())) + self.debounce - time.monotonic()

    def _work(self) -> None:
        try:
            while (state := self._next()) is not None:
                self._compile(state)
                del state  # do not keep the last generic function alive while idle
        finally:
            with self._cond:
                me = threading.current_thread()
                self._threads = [t for t in self._threads if t is not me]
                if self._pending and not self._stopping:
                    self._staff()  # died with work queued: nobody else may ask for a worker

    def _compile(self, state: GenericState) -> None:
        try:
            state.compile_now()
        except Exception as e:  # noqa: BLE001 - reported, and the Python path keeps working
            state.compile_failed(e)
            warnings.warn(f"gfjit: compiling a dispatcher for {state.name}() failed: {e}",
                          RuntimeWarning, stacklevel=1)
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


_background: BackgroundCompiler | None = None
_lock = threading.Lock()


def background() -> BackgroundCompiler:
    """The process-wide compile pool (started lazily)."""
    global _background
    with _lock:
        if _background is None:
            _background = BackgroundCompiler()
            atexit.register(_background.stop)
        return _background


def configure(workers: int = DEFAULT_WORKERS, debounce: float = DEFAULT_DEBOUNCE) -> None:
    """Replace the compile pool (after draining the current one)."""
    global _background
    new = BackgroundCompiler(workers, debounce)
    with _lock:
        old, _background = _background, new
        atexit.register(new.stop)
    if old is not None:
        old.drain()
        old.stop()
