"""The evaluation thread: where the toplevel runs Lisp code, with a deep stack and Ctrl-C.

Lisp code at the REPL, in ``gfjit run`` and in ``gfjit eval`` runs in one long-lived thread rather
than the main thread, for two reasons:

- **Depth.** The main thread's C stack is fixed by the OS (8 MiB by default), which a recursion
  through C-level calls (``funcall``, ``mapcar``, native generic-function dispatch) overflows —
  a segmentation fault, a dead interpreter — at about 15,000 levels on CPython 3.11. The
  evaluation thread is made with :data:`STACK_SIZE` bytes of stack (reserved, committed only as
  used), on which :data:`RECURSION_LIMIT` levels of even C-level recursion fit several times
  over (see :func:`allow_deep_recursion`), so deep recursion ends in Python's RecursionError,
  which becomes a Lisp condition.
- **Interrupts.** SIGINT is delivered to the main thread, which only waits; it forwards the
  KeyboardInterrupt into the evaluation thread, where Lisp ``unwind-protect`` cleanups run as
  the stack unwinds. A KeyboardInterrupt is an asynchronous exception: it is raised at the next
  point where the evaluation thread checks for pending work (a call, a backward jump), so a long
  single C call (sorting a huge list) finishes first.
"""

from __future__ import annotations

import ctypes
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any

STACK_SIZE = 256 * 1024 * 1024
RECURSION_LIMIT = 100_000
# Measured on CPython 3.11: 200,000 levels of a recursion that goes through a C call at each level
# (three units of the recursion limit per level) fit in 256 MiB, so the limit leaves a margin of
# six. A Lisp function calling itself directly uses one unit per level: 100,000 levels.

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
# The exception is passed by address so that None can stand for NULL ("clear the pending one").
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.c_void_p)
_set_async_exc.restype = ctypes.c_int


def allow_deep_recursion() -> None:
    """Raise the recursion limit to :data:`RECURSION_LIMIT`, for the evaluation thread's stack.

    The limit is process-wide, and the main thread's stack is far smaller: only a process whose
    main thread runs no deep Lisp code (the ``gfjit`` toplevel, where every evaluation runs in an
    :class:`EvalThread`) may call this.
    """
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))


class _Job:
    __slots__ = ("fn", "args", "value", "error", "done")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args
        self.value: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()


class EvalThread:
    """One thread that runs the calls given to :meth:`call`, one at a time, in order."""

    def __init__(self, name: str = "lisp-toplevel") -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        # Guards _running: an interrupt is sent only while a job runs, never after it has ended.
        self._lock = threading.Lock()
        self._running: _Job | None = None
        previous = threading.stack_size(STACK_SIZE)
        try:
            self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
            self._thread.start()
        finally:
            threading.stack_size(previous)

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` in the evaluation thread and return its value or raise its exception.

        A KeyboardInterrupt in the calling thread (Ctrl-C) is passed on to the running call, which
        then ends with that KeyboardInterrupt.
        """
        job = _Job(fn, args)
        self._jobs.put(job)
        while True:
            try:
                job.done.wait()
                break
            except KeyboardInterrupt:
                self._interrupt(job)
        if job.error is not None:
            raise job.error
        return job.value

    def _interrupt(self, job: _Job) -> None:
        with self._lock:
            if self._running is job:
                _set_async_exc(self._thread.ident, id(KeyboardInterrupt))

    def _serve(self) -> None:
        while True:
            try:
                job = self._jobs.get()
            except KeyboardInterrupt:
                continue
            self._run(job)

    def _run(self, job: _Job) -> None:
        with self._lock:
            self._running = job
        try:
            try:
                job.value = job.fn(*job.args)
            except BaseException as error:  # noqa: BLE001 - handed to the caller, who re-raises it
                job.error = error
        except KeyboardInterrupt as late:
            # Arrived just as the call ended, before the handler above finished.
            job.error = late
        self._end(job)

    def _end(self, job: _Job) -> None:
        while True:
            try:
                with self._lock:
                    self._running = None
                    # An interrupt sent while the job was ending may still be pending: drop it.
                    _set_async_exc(self._thread.ident, None)
                break
            except KeyboardInterrupt:
                continue
        job.done.set()
