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
- **Interrupts.** SIGINT is delivered to the main thread (the evaluation thread blocks it), which
  only waits; while it waits, its SIGINT handler raises a KeyboardInterrupt in the evaluation
  thread instead, where Lisp ``unwind-protect`` cleanups run as the stack unwinds. The handler
  raises nothing in the main thread itself, so no interrupt can be lost between handing over a
  call and waiting for it. A KeyboardInterrupt is an asynchronous exception: it is raised at the
  next point where the evaluation thread checks for pending work (a call, a backward jump), so a
  long single C call (sorting a huge list) finishes first.
"""

from __future__ import annotations

import ctypes
import queue
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

STACK_SIZE = 256 * 1024 * 1024
RECURSION_LIMIT = 100_000
# Measured on CPython 3.11: 200,000 levels of a recursion that goes through a C call at each level
# (three units of the recursion limit per level) fit in 256 MiB, so the limit leaves a margin of
# six. A Lisp function calling itself directly uses one unit per level: 100,000 levels.

_SIGNAL_LATENCY = 0.05  # seconds: the longest a Ctrl-C may wait to be noticed

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
    __slots__ = ("fn", "args", "value", "error", "done", "interrupted")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args
        self.value: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.interrupted = False  # Ctrl-C came before the job started: it ends at once


class EvalThread:
    """One thread that runs the calls given to :meth:`call`, one at a time, in order."""

    def __init__(self, name: str = "lisp-toplevel") -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        # Guards _running, _interrupt_sent and _Job.interrupted: an interrupt is sent only while
        # its job runs.
        # Reentrant: the SIGINT handler takes it, and may run while the main thread holds it.
        self._lock = threading.RLock()
        self._running: _Job | None = None
        self._interrupt_sent = False  # a KeyboardInterrupt was sent to the running job
        previous = threading.stack_size(STACK_SIZE)
        try:
            self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
            self._thread.start()
        finally:
            threading.stack_size(previous)

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` in the evaluation thread and return its value or raise its exception.

        Called from the main thread, Ctrl-C (SIGINT) while waiting interrupts the call, which then
        ends with a KeyboardInterrupt.
        """
        job = _Job(fn, args)
        forwarding = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, lambda _signum, _frame: self._interrupt(job)) if forwarding else None
        try:
            self._jobs.put(job)
            # Waiting in slices: a signal that arrives just before the wait blocks in C would
            # otherwise not be handled until the wait ends (CPython runs signal handlers in
            # bytecode only); each slice returns to bytecode, where the handler runs.
            while not job.done.wait(_SIGNAL_LATENCY):
                pass
        finally:
            if forwarding:  # (None: the handler was not set from Python; the default is)
                signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
        if job.error is not None:
            raise job.error
        return job.value

    def _interrupt(self, job: _Job) -> None:
        with self._lock:
            if self._running is job:
                _set_async_exc(self._thread.ident, id(KeyboardInterrupt))
                self._interrupt_sent = True
            elif not job.done.is_set():
                job.interrupted = True

    def _serve(self) -> None:
        # SIGINT must reach the main thread, whose handler interrupts this one.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        while True:
            self._run(self._jobs.get())

    def _run(self, job: _Job) -> None:
        with self._lock:
            if job.interrupted:
                job.error = KeyboardInterrupt()
                job.done.set()
                return
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
                    # Only then: on CPython 3.11, clearing when nothing is pending leaves a flag
                    # set that hangs every later Event.wait of a thread running a profiler
                    # (`python -m cProfile -m lisp eval ...` never returned).
                    if self._interrupt_sent:
                        _set_async_exc(self._thread.ident, None)
                        self._interrupt_sent = False
                break
            except KeyboardInterrupt:
                continue
        job.done.set()
