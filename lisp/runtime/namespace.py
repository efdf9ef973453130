"""The global function namespace and special (dynamic) variables of the Lisp.

Global functions live in one Python dict, :data:`GLOBALS`, which is also the ``globals`` of every
piece of compiled Lisp code. A call to a global function compiles to a ``LOAD_GLOBAL`` of the
symbol's key (a string that is not a Python identifier, so it never clashes with a Python name),
which CPython caches: a Lisp call of a global function costs what a Python call of a module-level
function costs. Redefining a function is one dict store, seen by every caller at its next call.

Special variables keep their global value in one dict and their dynamic bindings per thread, so a
new thread sees the global values (as bordeaux-threads does) and a ``let`` of a special variable in
one thread is invisible to the others. A thread's dynamic environment (:data:`DYNAMIC`) is one
object, replaced as a whole when variables are bound and put back when they are unbound, so that
an asynchronous exception (Ctrl-C) cannot leave a binding behind (see :class:`DynamicEnvironment`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from lisp.runtime import hooks
from lisp.runtime.condition_classes import UnboundVariable, UndefinedFunction
from lisp.runtime.data import COMMON_LISP, Package, Symbol, T, cl_symbol, find_package

F = TypeVar("F", bound=Callable[..., Any])

GLOBALS: dict[str, Any] = {"__name__": "lisp.compiled", "__builtins__": __builtins__}


def _qualified(sym: Symbol) -> str:
    return sym.unique_name()


# -- functions ----------------------------------------------------------------------------------

def function_key(sym: Symbol) -> str:
    """The GLOBALS key of the global function named by ``sym``."""
    return "#'" + _qualified(sym)


def setf_function_key(sym: Symbol) -> str:
    """The GLOBALS key of the global function named ``(setf sym)``."""
    return "#'(SETF " + _qualified(sym) + ")"


def set_function(sym: Symbol, fn: Callable[..., Any]) -> None:
    GLOBALS[function_key(sym)] = fn


def get_function(sym: Symbol) -> Callable[..., Any]:
    """The global function of ``sym``; raises :class:`UndefinedFunction`."""
    try:
        return GLOBALS[function_key(sym)]
    except KeyError:
        raise UndefinedFunction(name=sym) from None


def fboundp(sym: Symbol) -> bool:
    return function_key(sym) in GLOBALS


def fmakunbound(sym: Symbol) -> None:
    GLOBALS.pop(function_key(sym), None)


def builtin(name: str, package: str | Package = COMMON_LISP) -> Callable[[F], F]:
    """Decorator: make a Python function the global function of the symbol ``name``.

    In COMMON-LISP the symbol is made external. The function is returned, its ``lisp_name``
    attribute set to the symbol unless it had one.
    """

    def register(fn: F) -> F:
        pkg = find_package(package)
        if pkg is None:
            raise ValueError(f"no package named {package}")
        sym = cl_symbol(name) if pkg is COMMON_LISP else pkg.intern(name)
        set_function(sym, fn)
        # The printer shows #<FUNCTION CAR>, not the Python name; the first name given is kept.
        if isinstance(getattr(fn, "__dict__", None), dict):
            fn.__dict__.setdefault("lisp_name", sym)
        return fn

    return register


# -- special variables --------------------------------------------------------------------------

_global_values: dict[Symbol, Any] = {T: T}
_specials: set[Symbol] = set()
_constants: set[Symbol] = {T}


class DynamicEnvironment(threading.local):
    """This thread's dynamic bindings: ``bindings`` maps each bound special variable to its
    binding, a one-element list (the cell ``setq`` assigns).

    Invariant: a ``bindings`` dict, once published, is never changed: binding variables publishes
    a copy with new cells (:func:`bind_specials`), and unbinding them puts back the dict that was
    current before, by one assignment (``DYNAMIC.bindings = saved`` in a ``finally``: no Python
    call, so no point where an asynchronous exception can arrive between the start and the end of
    the unbinding). An assignment made to a variable meanwhile went into its cell, which the dict
    put back shares. Compiled code reads the dict to put back before its ``try`` and binds inside
    it, so an interrupt before the binding is published leaves nothing to undo."""

    bindings: dict[Symbol, list[Any]] = {}  # a thread's own starts empty (the class's, never changed)


DYNAMIC = DynamicEnvironment()


class _Unbound:
    """The value of a dynamic binding that holds none (``progv`` with fewer values than
    symbols, ``makunbound`` of a bound variable): reading it is an UNBOUND-VARIABLE error."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "#<unbound>"


UNBOUND = _Unbound()


def proclaim_special(sym: Symbol) -> None:
    """Declare ``sym`` globally special (``defvar``, ``defparameter``, ``(declaim (special ...))``)."""
    _specials.add(sym)


def is_special(sym: Symbol) -> bool:
    return sym in _specials


def proclaim_constant(sym: Symbol, value: Any) -> None:
    _global_values[sym] = value
    _constants.add(sym)


def is_constant(sym: Symbol) -> bool:
    return sym in _constants or sym.is_keyword


def symbol_value(sym: Symbol) -> Any:
    """The current value of ``sym``: this thread's innermost dynamic binding, else the global one."""
    cell = DYNAMIC.bindings.get(sym)
    if cell is not None:
        value = cell[0]
        if value is UNBOUND:
            raise UnboundVariable(name=sym)
        return value
    try:
        return _global_values[sym]
    except KeyError:
        if sym.is_keyword:
            return sym
        raise UnboundVariable(name=sym) from None


def set_symbol_value(sym: Symbol, value: Any) -> Any:
    """Assign the innermost binding of ``sym`` visible to this thread (else its global value)."""
    if is_constant(sym):
        raise TypeError(f"{_qualified(sym)} is a constant and cannot be set")
    cell = DYNAMIC.bindings.get(sym)
    if cell is not None:
        cell[0] = value
    else:
        _global_values[sym] = value
    return value


def boundp(sym: Symbol) -> bool:
    cell = DYNAMIC.bindings.get(sym)
    if cell is not None:
        return cell[0] is not UNBOUND
    return sym in _global_values or sym.is_keyword


def makunbound(sym: Symbol) -> None:
    """Make the innermost binding of ``sym`` visible to this thread unbound (else its global value)."""
    cell = DYNAMIC.bindings.get(sym)
    if cell is not None:
        cell[0] = UNBOUND
    else:
        _global_values.pop(sym, None)


def global_value_is_set(sym: Symbol) -> bool:
    """Whether ``sym`` has a global value (``defvar`` assigns only when it has none)."""
    return sym in _global_values


@contextmanager
def dynamic_binding(sym: Symbol, value: Any) -> Iterator[None]:
    """Bind special variable ``sym`` to ``value`` in this thread for the extent of the block."""
    saved = DYNAMIC.bindings
    try:
        bind_specials([(sym, value)])
        yield
    finally:
        DYNAMIC.bindings = saved


def bind_specials(pairs: Iterable[tuple[Symbol, Any]]) -> None:
    """Bind each special variable of ``pairs`` to its value in this thread, all at once (one
    assignment publishes them), until the caller puts back the ``DYNAMIC.bindings`` it read before
    (in the ``finally`` of a ``try`` this call is in: see :class:`DynamicEnvironment`)."""
    bindings = dict(DYNAMIC.bindings)
    for sym, value in pairs:
        bindings[sym] = [value]
    DYNAMIC.bindings = bindings


hooks.register("global_function", get_function)
