"""What keeps the JIT usable in a child made by `os.fork()` while other threads were using it.

A forked child has only the thread that forked. A lock another thread held at that moment stays
held in the child for good, and LLVM state another thread was changing (its pass registry, its
once-only initializers, a context mid-compile) stays half-changed. So, before a fork, the forking
thread takes every lock of the layer, in one fixed order (the ranks below), after waiting until no
thread is inside an in-process compile (the gate: `llvm_section`); after the fork, parent and child
both let go, in the reverse order, and the child forgets what belongs to its parent (compile
worker processes). Each participant registers a `fork_acquire()` / `fork_release(child)` pair.

Lock order (the ranks): the default-pool lock < the compile gate < every shard lock < llvmlite's
own lock < every pool's table and statistics locks < the worker pools' locks < the perf map's
lock. It matches how the layer nests them (a shard lock is taken before the table lock in `add`,
llvmlite's lock inside a shard lock when llvmlite's internals are missing), so the forking thread
can always take the next one. A thread never enters the gate while holding a lock of a higher
rank, so waiting for the gate to empty cannot deadlock.

A fork waits for in-process compiles under way to finish (milliseconds; a compile that hangs
delays the fork as long).
"""

from __future__ import annotations

import itertools
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

RANK_DEFAULT_POOL = 0
RANK_GATE = 10
RANK_SHARDS = 20
RANK_LLVMLITE = 30
RANK_TABLES = 40
RANK_WORKERS = 50
RANK_PERF_MAP = 60


class Participant(Protocol):
    def fork_acquire(self) -> None: ...
    def fork_release(self, child: bool) -> None: ...


_order = itertools.count()
# (rank, order) -> a weak reference to the participant. A plain dict: a fork copies its values in
# one C call, whatever other threads register meanwhile.
_participants: dict[tuple[int, int], weakref.ref] = {}
_kept: list[Participant] = []   # participants of module-level objects, alive for good
_acquired: list[Participant] = []  # what the current fork took, to give back in reverse


def register(rank: int, participant: Participant) -> None:
    """Take part in every fork from now on, at `rank`, for as long as `participant` lives."""
    key = (rank, next(_order))
    _participants[key] = weakref.ref(participant, lambda _: _participants.pop(key, None))


class _Lock:
    def __init__(self, lock: Any) -> None:
        self._lock = lock

    def fork_acquire(self) -> None:
        self._lock.acquire()

    def fork_release(self, child: bool) -> None:
        self._lock.release()


def register_lock(rank: int, lock: Any) -> None:
    """Hold module-level `lock` (a Lock or RLock that is never held across another lock of a higher
    rank) across every fork."""
    participant = _Lock(lock)
    _kept.append(participant)
    register(rank, participant)


class _Gate:
    """Counts threads inside LLVM in this process; a fork closes it and waits for them to leave."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._inside = 0
        self._closed = False
        self._depth = threading.local()

    @contextmanager
    def section(self) -> Iterator[None]:
        depth = getattr(self._depth, "n", 0)
        if depth == 0:
            with self._cond:
                while self._closed:
                    self._cond.wait()
                self._inside += 1
        self._depth.n = depth + 1
        try:
            yield
        finally:
            self._depth.n = depth
            if depth == 0:
                with self._cond:
                    self._inside -= 1
                    if self._inside == 0:
                        self._cond.notify_all()

    def _mine(self) -> int:
        return 1 if getattr(self._depth, "n", 0) else 0  # the forking thread may be inside

    def fork_acquire(self) -> None:
        with self._cond:
            self._closed = True
            while self._inside > self._mine():
                self._cond.wait()

    def fork_release(self, child: bool) -> None:
        if child:  # the threads that waited are not in the child
            self._cond = threading.Condition(threading.Lock())
            self._inside = self._mine()
        with self._cond:
            self._closed = False
            self._cond.notify_all()


_gate = _Gate()
register(RANK_GATE, _gate)


def llvm_section() -> Any:
    """Context manager around in-process LLVM work that no lock of the layer covers (compiling on
    a thread's own context): a fork waits until no thread is inside one."""
    return _gate.section()


def _before() -> None:
    for _, ref in sorted(_participants.copy().items(), key=lambda item: item[0]):
        participant = ref()
        if participant is not None:
            participant.fork_acquire()
            _acquired.append(participant)


def _after(child: bool) -> None:
    while _acquired:
        _acquired.pop().fork_release(child)


os.register_at_fork(before=_before, after_in_parent=lambda: _after(False),
                    after_in_child=lambda: _after(True))
