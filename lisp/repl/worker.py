"""The evaluation thread: where the toplevel runs Lisp code, with a deep stack, Ctrl-C, and a
channel back to the thread that waits for it.

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
  only waits; while it waits, its SIGINT handler interrupts the evaluation thread instead. The
  handler raises nothing in the main thread itself, so no interrupt can be lost between handing
  over a call and waiting for it.

**Two kinds of interrupt.** By default Ctrl-C raises a KeyboardInterrupt in the evaluation thread
(an asynchronous exception, raised at the next point where that thread checks for pending work:
a call, a backward jump), and Lisp ``unwind-protect`` cleanups run as the stack unwinds. With an
:attr:`EvalThread.on_interrupt` function (the REPL's debugger), Ctrl-C instead makes the
evaluation thread call that function *where it is*, without unwinding: the thread is traced until
its next instruction or call (CPython's trace hook, set on that thread from the main thread; see
:class:`_Break`), and the trace function runs ``on_interrupt``, after which the interrupted code
carries on unless ``on_interrupt`` raised. A second Ctrl-C before the first was taken (a long C
call) falls back to the KeyboardInterrupt. Either way a long single C call (sorting a huge list)
finishes first. On CPython 3.12+ no API traces one other thread: the trace is set in every thread
until the break is taken, and then removed from every thread, a trace function that another tool
had set (a line-coverage tracer) included.

**The channel.** While the evaluation thread runs a call, it may ask the thread that is waiting
for that call to run a function for it (:meth:`EvalThread.ask`): that is how a debugger level or
the stepper, running in the evaluation thread inside the frames they inspect, reads a line from
the terminal's line editor, which belongs to the main thread. While such a request runs, Ctrl-C
is a KeyboardInterrupt in the waiting thread and ends the request.
"""

from __future__ import annotations

import ctypes
import queue
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
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


class _Call:
    """A function to run in another thread, with its outcome."""

    __slots__ = ("args", "done", "error", "fn", "value")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args
        self.value: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def run(self) -> None:
        try:
            self.value = self.fn(*self.args)
        except BaseException as error:  # noqa: BLE001 - handed to the caller, who re-raises it
            self.error = error

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class _Job(_Call):
    __slots__ = ("interrupted", "requests")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        super().__init__(fn, args)
        # What the evaluation thread hands to the caller: requests (_Call), then the job itself
        # when it is done.
        self.requests: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self.interrupted = False  # Ctrl-C came before the job started: it ends at once


class EvalThread:
    """One thread that runs the calls given to :meth:`call`, one at a time, in order."""

    def __init__(self, name: str = "lisp-toplevel") -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()  # None: end the thread
        # Guards _running, _interrupt_sent, _Job.interrupted and the break: an interrupt is sent
        # only while its job runs.
        # Reentrant: the SIGINT handler takes it, and may run while the main thread holds it.
        self._lock = threading.RLock()
        self._running: _Job | None = None
        self._interrupt_sent = False  # a KeyboardInterrupt was sent to the running job
        #: Called in the evaluation thread where Ctrl-C finds it (see the module docstring);
        #: None: Ctrl-C raises KeyboardInterrupt there.
        self.on_interrupt: Callable[[], None] | None = None
        self._break: _Break | None = None
        started = threading.Event()
        previous = threading.stack_size(STACK_SIZE)
        try:
            self._thread = threading.Thread(target=self._serve, args=(started,), name=name, daemon=True)
            self._thread.start()
        finally:
            threading.stack_size(previous)
        started.wait()

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` in the evaluation thread and return its value or raise its exception,
        meanwhile running the requests it makes (:meth:`ask`) in this thread.

        Called from the main thread, Ctrl-C (SIGINT) while waiting interrupts the call.
        """
        job = _Job(fn, args)
        forwarding = threading.current_thread() is threading.main_thread()
        previous = signal.getsignal(signal.SIGINT) if forwarding else None

        def forward(_signum: int, _frame: FrameType | None) -> None:
            self._interrupt(job)

        try:
            if forwarding:
                signal.signal(signal.SIGINT, forward)
            self._jobs.put(job)
            while True:
                # Waiting in slices: a signal that arrives just before the wait blocks in C would
                # otherwise not be handled until the wait ends (CPython runs signal handlers in
                # bytecode only); each slice returns to bytecode, where the handler runs.
                try:
                    item = job.requests.get(timeout=_SIGNAL_LATENCY)
                except queue.Empty:
                    continue
                if item is job:
                    break
                self._run_request(item, forwarding, forward)
        finally:
            if forwarding:  # (None: the handler was not set from Python; the default is)
                signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
        return job.outcome()

    def _run_request(self, request: _Call, forwarding: bool, forward: Callable[..., None]) -> None:
        # A request reads from the person at the terminal: Ctrl-C ends it, here.
        if forwarding:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            request.run()
        finally:
            if forwarding:
                signal.signal(signal.SIGINT, forward)
            request.done.set()

    def ask(self, fn: Callable[..., Any], *args: Any) -> Any:
        """From the evaluation thread, during a :meth:`call`: run ``fn(*args)`` in the thread that
        waits for that call; its value, or its exception raised here."""
        job = self._running
        if job is None or threading.get_ident() != self._thread.ident:
            raise RuntimeError("EvalThread.ask is for the evaluation thread, during a call")
        request = _Call(fn, args)
        job.requests.put(request)
        request.done.wait()
        return request.outcome()

    def interrupt(self) -> None:
        """Interrupt the call running now as Ctrl-C would (nothing if none runs): for a front end
        whose interrupts come as requests rather than SIGINT (an editor's)."""
        with self._lock:
            if self._running is not None:
                self._interrupt(self._running)

    def close(self) -> None:
        """End the thread after the calls given before; it takes no more."""
        self._jobs.put(None)

    def _interrupt(self, job: _Job) -> None:
        with self._lock:
            if self._running is not job:
                if not job.done.is_set():
                    job.interrupted = True
            elif self.on_interrupt is not None and self._break is None:
                self._break = _Break(self._thread, self._tstate, self._take_break)
            else:
                _set_async_exc(self._thread.ident, id(KeyboardInterrupt))
                self._interrupt_sent = True

    def _take_break(self) -> None:
        # In the evaluation thread, at its first trace event after Ctrl-C (tracing is off again).
        with self._lock:
            self._break = None
            handler = self.on_interrupt if self._running is not None else None
        if handler is not None:
            handler()

    def _serve(self, started: threading.Event) -> None:
        # SIGINT must reach the main thread, whose handler interrupts this one.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        self._tstate = _current_thread_state()
        started.set()
        while (job := self._jobs.get()) is not None:
            self._run(job)

    def _run(self, job: _Job) -> None:
        with self._lock:
            if job.interrupted:
                job.error = KeyboardInterrupt()
                self._finish(job)
                return
            self._running = job
        try:
            job.run()
        except KeyboardInterrupt as late:
            # Arrived just as the call ended, before the handler above finished.
            job.error = late
        self._end(job)

    def _end(self, job: _Job) -> None:
        while True:
            try:
                with self._lock:
                    self._running = None
                    if self._break is not None:  # Ctrl-C came too late to be taken
                        self._break.stop()
                        self._break = None
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
        self._finish(job)

    @staticmethod
    def _finish(job: _Job) -> None:
        job.done.set()
        job.requests.put(job)


# -- breaking into a running thread ----------------------------------------------------------------

_get_thread_state = ctypes.pythonapi.PyThreadState_Get
_get_thread_state.restype = ctypes.c_void_p


def _current_thread_state() -> int:
    return _get_thread_state()


# How many of the interrupted thread's innermost frames are traced: the break is taken at the
# next instruction run in any of them (or at the next call).
_TRACED_FRAMES = 1000

if sys.version_info < (3, 12):
    # CPython 3.11 can trace only the calling thread from Python; its C function takes the thread
    # state to trace. The C-level trace function set there hands over, at its first event, to a
    # Python trace function of that thread (only a Python one may raise into the traced code).
    _set_trace = ctypes.pythonapi._PyEval_SetTrace
    _set_trace.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
    _set_trace.restype = ctypes.c_int
    _C_TRACE_FUNCTION = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int,
                                         ctypes.c_void_p)


class _Break:
    """A request that a running thread call ``take`` at its next instruction or call.

    Made under the EvalThread's lock, in the main thread; ``take`` runs in the traced thread, with
    tracing turned back on for what it runs (``sys.call_tracing``), so that a break inside a
    break works. :meth:`stop` turns the tracing off again.
    """

    def __init__(self, thread: threading.Thread, tstate: int, take: Callable[[], None]) -> None:
        self._ident = thread.ident
        self._take = take
        self._taken = False
        self._frames: list[FrameType] = []
        frame = sys._current_frames().get(self._ident)
        while frame is not None and len(self._frames) < _TRACED_FRAMES:
            frame.f_trace = self._trace
            # Every instruction, not just every new line: a loop that is one jump to itself
            # (`(loop)`) has no line events.
            frame.f_trace_opcodes = True
            self._frames.append(frame)
            frame = frame.f_back
        if sys.version_info >= (3, 12):
            threading.settrace_all_threads(self._trace)  # every thread ignores it but the target
        else:
            self._c_trace = _C_TRACE_FUNCTION(self._hand_over)  # kept alive while it is set
            _set_trace(tstate, ctypes.cast(self._c_trace, ctypes.c_void_p), None)

    def _hand_over(self, _obj: int, _frame: int, _what: int, _arg: int) -> int:
        sys.settrace(self._trace)
        return 0

    def _trace(self, _frame: FrameType, _event: str, _arg: Any) -> None:
        if threading.get_ident() != self._ident:
            sys.settrace(None)
            return
        if self._taken:  # (what `take` runs is traced until stop() below has run)
            return
        self._taken = True
        self.stop()
        sys.call_tracing(self._take, ())

    def stop(self) -> None:
        """Trace no more (called in the traced thread; again does nothing)."""
        for frame in self._frames:
            frame.f_trace = None
            frame.f_trace_opcodes = False
        self._frames.clear()
        if sys.version_info >= (3, 12):
            threading.settrace_all_threads(None)
        elif threading.get_ident() == self._ident:
            sys.settrace(None)
