"""Multiple values: a per-thread register, so that single-value calls pay nothing.

:func:`values` returns the primary value and records every value in the register. A consumer of
multiple values clears the register, evaluates its form and trusts the register only if the
register's primary value *is* the value the form returned (see :func:`take`); otherwise the form
produced exactly one value.
"""

from __future__ import annotations

import threading
from typing import Any

_register = threading.local()
_register.values = None


def values(*xs: Any) -> Any:
    """Return ``xs`` as multiple values: the primary value is returned, all are recorded."""
    _register.values = xs
    return xs[0] if xs else None


def values_list(lst: Any) -> Any:
    """``values-list``: the elements of a Lisp list as multiple values."""
    from lisp.data import iter_list

    return values(*iter_list(lst))


def primary(value: Any) -> Any:
    """``value``, forgetting any values recorded with it (a single-value use of a call)."""
    _register.values = None
    return value


def clear() -> None:
    """Forget recorded values (a consumer calls this before evaluating its form)."""
    _register.values = None


def take(primary: Any) -> tuple[Any, ...]:
    """All values of the form whose primary value was just returned as ``primary``."""
    try:
        recorded = _register.values
    except AttributeError:  # a thread that never recorded values
        return (primary,)
    if recorded is not None:
        _register.values = None
        if recorded and recorded[0] is primary:
            return recorded
        if not recorded and primary is None:
            return ()
    return (primary,)
