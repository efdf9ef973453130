"""Multiple values: a register per thread, so that single-value calls pay nothing.

:func:`values` returns the primary value and records every value in the register of the calling
thread (a dict keyed by thread identity, so "does any thread hold values?" is a plain truth test
of ``PENDING``). A consumer of multiple values clears the register, evaluates its form and takes
the register only if its primary value *is* the value the form returned (see :func:`take`).

Invariant: when a form returns, the register holds values only if they are the form's own, i.e.
they were recorded by a ``values`` reached through tail positions only. The compiler keeps it (see
:mod:`lisp.compiler.tails`): a tail position that yields one value, or a tail call whose arguments
may have recorded values, clears the register first -- but only when ``PENDING`` is not empty,
so a program that is not using multiple values pays one truth test per such tail. Non-local exits
that bring values (``return-from`` another function's block, ``throw``) take them out of the
register when raised and record them again at their target (``runtime.ValuesExit``), so a frame
may clear the register while an exception passes through it.
"""

from __future__ import annotations

from threading import get_ident
from typing import Any

from lisp.data import iter_list

PENDING: dict[int, tuple[Any, ...]] = {}


def values(*xs: Any) -> Any:
    """Return ``xs`` as multiple values: the primary value is returned, all are recorded."""
    PENDING[get_ident()] = xs
    return xs[0] if xs else None


def values_list(lst: Any) -> Any:
    """``values-list``: the elements of a Lisp list as multiple values."""
    return values(*iter_list(lst))


def primary(value: Any) -> Any:
    """``value``, forgetting any values recorded with it (a single-value use of a call)."""
    PENDING.pop(get_ident(), None)
    return value


def clear() -> None:
    """Forget the values this thread recorded (before evaluating a consumer's form, or at a tail
    that yields one value)."""
    PENDING.pop(get_ident(), None)


def take(primary: Any) -> tuple[Any, ...]:
    """All values of the form whose primary value was just returned as ``primary``."""
    recorded = PENDING.pop(get_ident(), None)
    if recorded is not None:
        if recorded and recorded[0] is primary:
            return recorded
        if not recorded and primary is None:
            return ()
    return (primary,)
