"""Lisp threads with the names of bordeaux-threads (package ``BORDEAUX-THREADS``, nickname ``BT``,
used by ``CL-USER``).

``(make-thread fn :name "worker")`` runs ``fn`` with no arguments in a new Python thread. The new
thread sees the *global* values of special variables, not its creator's dynamic bindings
(:mod:`lisp.runtime.namespace` keeps bindings per thread), and starts with no handlers or restarts. If
``fn`` ends with an error, the error is reported on standard error with the thread's name, and ``join-thread`` signals that same condition in the joining thread; otherwise
``join-thread`` returns ``fn``'s value. A ``return-from``, ``go`` or ``throw`` out of ``fn`` leaves for an
exit point of another thread, which no thread may do: the thread ends with a CONTROL-ERROR
(reported, and signalled by ``join-thread``), never with a transfer in the joining thread.

Locks are Python locks; ``with-lock-held`` and ``with-recursive-lock-held`` are macros over
:func:`call_with_lock`. A condition variable works with any lock, as in bordeaux-threads:
``condition-wait`` releases the lock, waits to be notified, and takes the lock again.
"""

from __future__ import annotations

import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from lisp.compiler.core import program_error, show
from lisp.compiler.macros import define_macro
from lisp.compiler.runtime import NonLocalExit, parse_keywords
from lisp.runtime import values as mv
from lisp.runtime.condition_classes import ControlError, LispTypeError, SimpleError
from lisp.runtime.data import (
    COMMON_LISP_USER,
    NIL,
    SYSTEM,
    Cons,
    T,
    cl_symbol,
    find_package,
    intern,
    lisp_list,
    make_list,
    make_package,
)
from lisp.runtime.host_errors import as_condition
from lisp.runtime.namespace import builtin
from lisp.runtime.signals import error as lisp_error

BT = find_package("BORDEAUX-THREADS") or make_package("BORDEAUX-THREADS", ["BT"])
if BT not in COMMON_LISP_USER.use_list:
    COMMON_LISP_USER.use_list.append(BT)


def bt_builtin(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function under an exported BORDEAUX-THREADS symbol."""
    BT.export(BT.intern(name))
    return builtin(name, BT)


class LispThread:
    """A Lisp thread object: its name, its Python thread, and how its function ended."""

    __slots__ = ("name", "thread", "result", "error", "__weakref__")

    def __init__(self, name: str, thread: threading.Thread) -> None:
        self.name = name
        self.thread = thread
        self.result: Any = NIL
        self.error: BaseException | None = None

    def __repr__(self) -> str:
        state = "running" if self.thread.is_alive() else "finished"
        return f"#<THREAD \"{self.name}\" {state}>"


# Lisp thread of each Python thread that has been asked for one (the main thread, foreign ones).
_by_python_thread: weakref.WeakKeyDictionary[threading.Thread, LispThread] = \
    weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def _lisp_thread_of(thread: threading.Thread) -> LispThread:
    with _registry_lock:
        found = _by_python_thread.get(thread)
        if found is None:
            found = _by_python_thread[thread] = LispThread(thread.name, thread)
        return found


@bt_builtin("MAKE-THREAD")
def make_thread(function: Callable[[], Any], *options: Any) -> LispThread:
    """Start a thread running ``function`` (no arguments); option ``:name``."""
    if not callable(function):
        raise LispTypeError(f"MAKE-THREAD: {function!r} is not a function", datum=function,
                            expected_type=cl_symbol("FUNCTION"))
    opts = parse_keywords(options, ("NAME",), "MAKE-THREAD")
    name = opts.get("NAME")
    thread = threading.Thread(target=lambda: _run(lisp_thread, function), daemon=True,
                              name=None if name is None else str(name))
    lisp_thread = LispThread(thread.name, thread)
    with _registry_lock:
        _by_python_thread[thread] = lisp_thread
    thread.start()
    return lisp_thread


def _run(lisp_thread: LispThread, function: Callable[[], Any]) -> None:
    try:
        lisp_thread.result = function()
    except NonLocalExit:
        # The thread's function is the bottom of its stack: the exit's block, tagbody or catch
        # belongs to another thread.
        lisp_thread.error = ControlError("a RETURN-FROM, GO or THROW left a thread for an exit "
                                         "point of another thread")
        _report(lisp_thread, lisp_thread.error)
    except BaseException as exc:  # noqa: BLE001 - every ending is recorded for join-thread
        lisp_thread.error = exc
        _report(lisp_thread, exc)
    finally:
        # An entry left in the values register would make every thread's tail test true.
        mv.clear()


def _report(lisp_thread: LispThread, exc: BaseException) -> None:
    report = as_condition(exc) if isinstance(exc, Exception) else exc
    text = report.report() if hasattr(report, "report") else repr(report)
    print(f"error in thread \"{lisp_thread.name}\": {text}", file=sys.stderr, flush=True)


@bt_builtin("JOIN-THREAD")
def join_thread(thread: LispThread) -> Any:
    """Wait for ``thread`` to end; its function's value, or its error signalled here."""
    _check_thread(thread, "JOIN-THREAD")
    if thread.thread is threading.current_thread():
        return lisp_error(SimpleError("JOIN-THREAD: a thread cannot wait for itself to end"))
    thread.thread.join()
    exc = thread.error
    if isinstance(exc, Exception):
        # Signalled afresh, so that the joining thread's handlers see it.
        return lisp_error(as_condition(exc))
    if exc is not None:
        raise exc
    return thread.result


def _check_thread(thread: Any, who: str) -> None:
    if not isinstance(thread, LispThread):
        raise LispTypeError(f"{who}: {thread!r} is not a thread", datum=thread,
                            expected_type=intern("THREAD", BT))


@bt_builtin("CURRENT-THREAD")
def current_thread() -> LispThread:
    return _lisp_thread_of(threading.current_thread())


@bt_builtin("THREAD-NAME")
def thread_name(thread: LispThread) -> str:
    _check_thread(thread, "THREAD-NAME")
    return thread.name


@bt_builtin("THREADP")
def threadp(obj: Any) -> Any:
    return T if isinstance(obj, LispThread) else NIL


@bt_builtin("THREAD-ALIVE-P")
def thread_alive_p(thread: LispThread) -> Any:
    _check_thread(thread, "THREAD-ALIVE-P")
    return T if thread.thread.is_alive() else NIL


@bt_builtin("ALL-THREADS")
def all_threads() -> Any:
    """Every live thread, as a list."""
    return make_list(_lisp_thread_of(t) for t in threading.enumerate())


@bt_builtin("THREAD-YIELD")
def thread_yield() -> None:
    time.sleep(0)
    return NIL


# -- locks ----------------------------------------------------------------------------------------

class Lock:
    """A (non-recursive or recursive) lock with a name.

    A non-recursive lock remembers its owner, so taking it again in the same thread signals an
    error (as SBCL does) instead of deadlocking for good.
    """

    __slots__ = ("name", "lock", "recursive", "owner")

    def __init__(self, name: Any, recursive: bool) -> None:
        self.name = name
        self.recursive = recursive
        self.lock = threading.RLock() if recursive else threading.Lock()
        self.owner: int | None = None

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """Take the lock; waits in short slices, so an interrupt sent to this thread (the
        REPL's Ctrl-C is an asynchronous exception) lands while it waits."""
        me = threading.get_ident()
        if not self.recursive and self.owner == me:
            raise SimpleError("~a", f"Recursive lock attempt on {self!r}")
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.lock.acquire(timeout=_WAIT_SLICE if blocking else 0):
            if not blocking or (deadline is not None and time.monotonic() >= deadline):
                return False
        self.owner = me
        return True

    def release(self) -> None:
        if not self.recursive:
            if self.owner != threading.get_ident():
                raise SimpleError("~a", f"RELEASE-LOCK: {self!r} is not held by this thread")
            self.owner = None
        try:
            self.lock.release()
        except RuntimeError:
            raise SimpleError("~a", f"RELEASE-LOCK: {self!r} is not held by this thread") from None

    def __repr__(self) -> str:
        kind = "RECURSIVE-LOCK" if self.recursive else "LOCK"
        return f"#<{kind} {self.name!r}>" if self.name is not NIL else f"#<{kind}>"


_WAIT_SLICE = 0.05


@bt_builtin("MAKE-LOCK")
def make_lock(name: Any = NIL) -> Lock:
    return Lock(name, recursive=False)


@bt_builtin("MAKE-RECURSIVE-LOCK")
def make_recursive_lock(name: Any = NIL) -> Lock:
    return Lock(name, recursive=True)


def _check_lock(lock: Any, who: str) -> None:
    if not isinstance(lock, Lock):
        raise LispTypeError(f"{who}: {lock!r} is not a lock", datum=lock,
                            expected_type=intern("LOCK", BT))


@bt_builtin("ACQUIRE-LOCK")
def acquire_lock(lock: Lock, wait: Any = T) -> Any:
    _check_lock(lock, "ACQUIRE-LOCK")
    return T if lock.acquire(blocking=wait is not NIL) else NIL


@bt_builtin("RELEASE-LOCK")
def release_lock(lock: Lock) -> Any:
    _check_lock(lock, "RELEASE-LOCK")
    lock.release()
    return lock


def call_with_lock(lock: Lock, body: Callable[[], Any]) -> Any:
    """Run ``body`` holding ``lock`` (what ``with-lock-held`` expands into)."""
    _check_lock(lock, "WITH-LOCK-HELD")
    lock.acquire()
    try:
        return body()
    finally:
        lock.release()


# -- condition variables --------------------------------------------------------------------------

class ConditionVariable:
    """A condition variable usable with any :class:`Lock` (Python's Condition algorithm)."""

    __slots__ = ("name", "waiters", "guard")

    def __init__(self, name: Any) -> None:
        self.name = name
        self.waiters: deque[threading.Lock] = deque()
        self.guard = threading.Lock()

    def __repr__(self) -> str:
        return "#<CONDITION-VARIABLE>"


@bt_builtin("MAKE-CONDITION-VARIABLE")
def make_condition_variable(*options: Any) -> ConditionVariable:
    opts = parse_keywords(options, ("NAME",), "MAKE-CONDITION-VARIABLE")
    return ConditionVariable(opts.get("NAME", NIL))


@bt_builtin("CONDITION-WAIT")
def condition_wait(cv: ConditionVariable, lock: Lock, *options: Any) -> Any:
    """Release ``lock``, wait for a notify (or ``:timeout`` seconds), take ``lock`` again.
    T if notified, NIL on timeout."""
    _check_lock(lock, "CONDITION-WAIT")
    opts = parse_keywords(options, ("TIMEOUT",), "CONDITION-WAIT")
    timeout = opts.get("TIMEOUT")
    waiter = threading.Lock()
    waiter.acquire()
    with cv.guard:
        cv.waiters.append(waiter)
    release_lock(lock)
    try:
        notified = waiter.acquire(timeout=-1 if timeout is None else float(timeout))
    finally:
        lock.acquire()
    if not notified:
        with cv.guard:
            try:
                cv.waiters.remove(waiter)
            except ValueError:
                notified = True  # notified between the timeout and here
    return T if notified else NIL


@bt_builtin("CONDITION-NOTIFY")
def condition_notify(cv: ConditionVariable) -> Any:
    """Wake one thread waiting on ``cv``, if any."""
    with cv.guard:
        if cv.waiters:
            cv.waiters.popleft().release()
    return NIL


@bt_builtin("CONDITION-BROADCAST")
def condition_broadcast(cv: ConditionVariable) -> Any:
    """Wake every thread waiting on ``cv``."""
    with cv.guard:
        while cv.waiters:
            cv.waiters.popleft().release()
    return NIL


# -- atomic counters ------------------------------------------------------------------------------

class AtomicCounter:
    """An integer that threads increment without losing updates."""

    __slots__ = ("value", "lock")

    def __init__(self, value: int) -> None:
        self.value = value
        self.lock = threading.Lock()

    def __repr__(self) -> str:
        return f"#<ATOMIC-COUNTER {self.value}>"


@bt_builtin("MAKE-ATOMIC-COUNTER")
def make_atomic_counter(*options: Any) -> AtomicCounter:
    opts = parse_keywords(options, ("VALUE",), "MAKE-ATOMIC-COUNTER")
    return AtomicCounter(opts.get("VALUE", 0))


@bt_builtin("ATOMIC-INCF")
def atomic_incf(counter: AtomicCounter, delta: int = 1) -> int:
    """Add ``delta`` to ``counter``; the new value."""
    _check_counter(counter, delta, "ATOMIC-INCF")
    with counter.lock:
        counter.value += delta
        return counter.value


@bt_builtin("ATOMIC-DECF")
def atomic_decf(counter: AtomicCounter, delta: int = 1) -> int:
    _check_counter(counter, delta, "ATOMIC-DECF")
    return atomic_incf(counter, -delta)


@bt_builtin("ATOMIC-COUNTER-VALUE")
def atomic_counter_value(counter: AtomicCounter) -> int:
    _check_counter(counter, 0, "ATOMIC-COUNTER-VALUE")
    return counter.value


def _check_counter(counter: Any, delta: Any, who: str) -> None:
    if not isinstance(counter, AtomicCounter):
        raise LispTypeError(f"{who}: {show(counter)} is not an atomic counter", datum=counter,
                            expected_type=intern("ATOMIC-COUNTER", BT))
    if type(delta) is not int:
        raise LispTypeError(f"{who}: the delta {show(delta)} is not an integer", datum=delta,
                            expected_type=cl_symbol("INTEGER"))


# -- macros -----------------------------------------------------------------------------------------

builtin("%CALL-WITH-LOCK", SYSTEM)(call_with_lock)


def _with_lock_macro(form: Any, env: Any) -> Any:
    """``(with-lock-held (lock) body...)`` -> ``(sys::%call-with-lock lock #'(lambda () body...))``."""
    spec = form.cdr.car if isinstance(form.cdr, Cons) else None
    if not isinstance(spec, Cons):
        raise program_error(f"malformed {show(form)}: the syntax is ({form.car.name} (lock) "
                            f"body...)", form)
    thunk = Cons(cl_symbol("LAMBDA"), Cons(NIL, form.cdr.cdr))
    return lisp_list(SYSTEM.intern("%CALL-WITH-LOCK"), spec.car,
                     lisp_list(cl_symbol("FUNCTION"), thunk))


for _name in ("WITH-LOCK-HELD", "WITH-RECURSIVE-LOCK-HELD"):
    BT.export(BT.intern(_name))
    define_macro(BT.intern(_name), _with_lock_macro)
