"""Multiple values: a register per thread, so that single-value calls pay nothing.

:func:`values` returns the primary value and records every value in the register of the calling
thread (a dict keyed by thread identity, with a list of the threads holding values, so "does any
thread hold values?" is a plain truth test of ``HOLDERS``). A consumer of multiple values clears the register, evaluates its form and takes
the register only if its primary value *is* the value the form returned (see :func:`take`).

Invariant: when a form returns, the register holds values only if they are the form's own, i.e.
they were recorded by a ``values`` reached through tail positions only. The compiler keeps it (see
:func:`lisp.compiler.core.one_value`): a tail position that yields one value, or a tail call whose
arguments may have recorded values, clears the register first -- but only when ``HOLDERS`` is not
empty, so a program that is not using multiple values pays one truth test per such tail.
Non-local exits that bring values (``return-from`` another function's block, ``throw``) carry
the tuple of them and record them again at their target (``lisp.compiler.runtime.ValuesExit``),
so a frame may clear the register while an exception passes through it.
"""

from __future__ import annotations

import sys
from threading import get_ident
from typing import Any

from lisp.runtime.data import iter_list

PENDING: dict[int, tuple[Any, ...]] = {}
# The threads that have an entry in PENDING, as a list: compiled tails test its truth, which
# CPython >= 3.12 specializes for lists (not for dicts). A thread adds and removes only its own
# ident, so the list is not empty while that thread holds values; another thread may find it not
# empty for nothing (its clear then forgets nothing).
HOLDERS: list[int] = []


def _record(me: int, xs: tuple[Any, ...]) -> None:
    if me not in PENDING:
        HOLDERS.append(me)
    PENDING[me] = xs


def _forget(me: int) -> tuple[Any, ...] | None:
    recorded = PENDING.pop(me, None)
    if recorded is not None:
        HOLDERS.remove(me)
    elif HOLDERS:
        _others_hold()
    return recorded


_SWEEP_EVERY = 1024
_others_holding = 0


def _others_hold() -> None:
    """Another thread holds values while this one forgets: normally for a moment. A Python thread
    that called Lisp and ended holding values holds them for good, though, and every tail would
    take this slow path from then on; so every :data:`_SWEEP_EVERY` such times, the registers of
    threads that have ended are dropped. Off the fast paths: only here, where some thread holds
    values. A thread's own consumers clear its register before they read it, so a thread that
    reuses an ended one's ident never takes its values."""
    global _others_holding
    _others_holding += 1
    if _others_holding % _SWEEP_EVERY == 0:
        alive = sys._current_frames()
        for ident in [i for i in HOLDERS if i not in alive]:
            if PENDING.pop(ident, None) is not None:
                HOLDERS.remove(ident)


def values(*xs: Any) -> Any:
    """Return ``xs`` as multiple values: the primary value is returned, all are recorded."""
    _record(get_ident(), xs)
    return xs[0] if xs else None


def values_list(lst: Any) -> Any:
    """``values-list``: the elements of a Lisp list as multiple values."""
    return values(*iter_list(lst))


def primary(value: Any) -> Any:
    """``value``, forgetting any values recorded with it (a single-value use of a call)."""
    if HOLDERS:  # the compiled tails' test: no thread holds values, nothing to forget
        _forget(get_ident())
    return value


def clear() -> tuple[Any, ...] | None:
    """Forget the values this thread recorded (before evaluating a consumer's form, or at a tail
    that yields one value); they are returned (None if there were none), for :func:`restore`."""
    return _forget(get_ident())


def recorded() -> tuple[Any, ...] | None:
    """The values this thread recorded (None if none), left in the register."""
    return PENDING.get(get_ident())


def restore(saved: tuple[Any, ...] | None) -> Any:
    """Make ``saved`` (from :func:`recorded`, :func:`clear` or :func:`take`) this thread's register
    again; returns its primary value. One value is not recorded: :func:`take` finds it as well in
    the value itself, and the clears stay one truth test while no thread holds values."""
    if saved is not None and len(saved) != 1:
        _record(get_ident(), saved)
        return saved[0] if saved else None
    if HOLDERS:
        _forget(get_ident())
    return saved[0] if saved else None


def take(primary: Any) -> tuple[Any, ...]:
    """All values of the form whose primary value was just returned as ``primary``."""
    recorded = _forget(get_ident())
    if recorded is not None:
        if recorded and recorded[0] is primary:
            return recorded
        if not recorded and primary is None:
            return ()
    return (primary,)
