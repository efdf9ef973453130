"""The global function namespace and special (dynamic) variables of the Lisp.

Global functions live in one Python dict, :data:`GLOBALS`, which is also the ``globals`` of every
piece of compiled Lisp code. A call to a global function compiles to a ``LOAD_GLOBAL`` of the
symbol's key (a string that is not a Python identifier, so it never clashes with a Python name),
which CPython caches: a Lisp call of a global function costs what a Python call of a module-level
function costs. Redefining a function is one dict store, seen by every caller at its next call.

Special variables keep their global value in one dict and their dynamic bindings per thread, so a
new thread sees the global values (as bordeaux-threads does) and a ``let`` of a special variable in
one thread is invisible to the others.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from lisp.runtime import hooks
from lisp.runtime.condition_classes import UnboundVariable, UndefinedFunction
from lisp.runtime.data import COMMON_LISP, Package, Symbol, T, cl_symbol, find_package

F = TypeVar("F", bound=Callable[..., Any])

GLOBALS: dict[str, Any] = {"__name__": "lisp.compiled", "__builtins__": __builtins__}


# Uninterned symbols with the same name are different function names: each gets a serial number
# for its key (weakly held: the symbol's identity, never a reusable id()).
_uninterned_serials: weakref.WeakKeyDictionary[Symbol, int] = weakref.WeakKeyDictionary()
_next_serial = itertools.count(1)


def _qualified(sym: Symbol) -> str:
    if sym.package is None:
        serial = _uninterned_serials.get(sym)
        if serial is None:
            serial = _uninterned_serials.setdefault(sym, next(_next_serial))
        return f"#:{sym.name}#{serial}"
    return f"{sym.package.name}::{sym.name}"


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
_dynamic = threading.local()


def _bindings() -> dict[Symbol, Any]:
    try:
        return _dynamic.bindings
    except AttributeError:
        _dynamic.bindings = bindings = {}
        return bindings


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
    bindings = _bindings()
    if sym in bindings:
        return bindings[sym]
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
    bindings = _bindings()
    if sym in bindings:
        bindings[sym] = value
    else:
        _global_values[sym] = value
    return value


def boundp(sym: Symbol) -> bool:
    return sym in _bindings() or sym in _global_values or sym.is_keyword


def makunbound(sym: Symbol) -> None:
    bindings = _bindings()
    if sym in bindings:
        raise TypeError(f"cannot make {_qualified(sym)} unbound while it is dynamically bound")
    _global_values.pop(sym, None)


def global_value_is_set(sym: Symbol) -> bool:
    """Whether ``sym`` has a global value (``defvar`` assigns only when it has none)."""
    return sym in _global_values


_UNBOUND = object()


@contextmanager
def dynamic_binding(sym: Symbol, value: Any) -> Iterator[None]:
    """Bind special variable ``sym`` to ``value`` in this thread for the extent of the block."""
    bindings = _bindings()
    saved = bindings.get(sym, _UNBOUND)
    bindings[sym] = value
    try:
        yield
    finally:
        if saved is _UNBOUND:
            del bindings[sym]
        else:
            bindings[sym] = saved


def bind_specials(pairs: list[tuple[Symbol, Any]]) -> list[tuple[Symbol, Any]]:
    """Bind several special variables at once; returns the token to pass to :func:`unbind_specials`.

    Compiled ``let`` uses this pair in ``try``/``finally`` rather than a context manager per
    variable: cheaper, and one ``finally`` restores them all.
    """
    bindings = _bindings()
    saved = []
    for sym, value in pairs:
        saved.append((sym, bindings.get(sym, _UNBOUND)))
        bindings[sym] = value
    return saved


def unbind_specials(saved: list[tuple[Symbol, Any]]) -> None:
    bindings = _bindings()
    for sym, old in reversed(saved):
        if old is _UNBOUND:
            del bindings[sym]
        else:
            bindings[sym] = old


hooks.register("global_function", get_function)
