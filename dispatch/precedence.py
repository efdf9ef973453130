"""Class precedence lists, and the hooks through which another layer supplies its own.

For a Python class the precedence list is its ``__mro__``. A higher layer whose classes follow a
different linearization (CLOS, CLHS 4.3.5) registers a provider; a provider returns the list for
the classes it knows and ``None`` for the others. When such a class is redefined the layer calls
:func:`class_changed`, and every generic function forgets what it learnt about that class and its
subclasses.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Protocol

from dispatch.forking import hold_across_fork

PrecedenceProvider = Callable[[type], Sequence[type] | None]

_providers: list[PrecedenceProvider] = []
_listeners: weakref.WeakSet[ClassChangeListener] = weakref.WeakSet()
_lock = threading.Lock()
hold_across_fork(_lock)
_epoch = 0  # bumped by every class_changed, before generic functions are told


class ClassChangeListener(Protocol):
    def forget_class(self, cls: type) -> None: ...


def add_precedence_provider(provider: PrecedenceProvider) -> None:
    """Let ``provider(cls)`` supply class precedence lists (most specific first, ``cls`` first).
    Providers are asked newest first; the first answer that is not ``None`` is used."""
    with _lock:
        _providers.insert(0, provider)


def remove_precedence_provider(provider: PrecedenceProvider) -> None:
    with _lock:
        _providers.remove(provider)


def class_precedence_list(cls: type) -> tuple[type, ...]:
    """``cls``'s precedence list, always ending with ``object``."""
    for provider in tuple(_providers):
        cpl = provider(cls)
        if cpl is not None:
            cpl = tuple(cpl)
            if not cpl or cpl[0] is not cls:
                raise ValueError(f"precedence provider {provider!r} gave {cpl!r} for {cls!r}: "
                                 "a class precedence list starts with the class itself")
            return cpl if cpl[-1] is object else cpl + (object,)
    return cls.__mro__


def add_class_change_listener(listener: ClassChangeListener) -> None:
    # Under the lock: iterating a WeakSet while another thread adds to it raises RuntimeError
    # (found by an 8-thread stress soak), so class_changed takes its snapshot under it too.
    with _lock:
        _listeners.add(listener)


def class_change_epoch() -> int:
    """Changes when any class is redefined: an outcome computed across a change may be stale."""
    return _epoch


def class_changed(cls: type) -> None:
    """Tell every generic function that ``cls`` was redefined (new superclasses, new precedence):
    call histories mentioning it or its subclasses are dropped. Call it after the redefinition,
    holding no lock a precedence provider may take."""
    global _epoch
    with _lock:
        _epoch += 1
        listeners = list(_listeners)
    for listener in listeners:
        listener.forget_class(cls)
