"""``trace`` and ``untrace``: calls of global functions printed on ``*trace-output*`` with their
arguments and values, indented by depth, as SBCL prints them::

    (trace fib)
    (fib 2)
      0: (FIB 2)
        1: (FIB 1)
        1: FIB returned 1
        1: (FIB 0)
        1: FIB returned 0
      0: FIB returned 1

``(trace name ... :break form)`` enters the debugger (``break``) before each call for which
``form`` is true. ``(trace)`` lists what is traced, ``(untrace name ...)`` stops tracing those,
``(untrace)`` all.

Tracing replaces the global function by a wrapper in every GLOBALS slot that holds it: the
function cell and the slots through which a ``defun``'s own recursive calls reach it
(:mod:`lisp.compiler.self_calls`), so a recursion is traced at every level. A generic function's
wrapper (:class:`TracedGenericFunction`) stands for it in CLOS (``defmethod``, ``describe`` and
the printer see the generic function through it). Defining the function again replaces the
wrapper: the new definition is not traced. Calls compiled as direct calls of a function written in
Python (open-coded operators) do not pass through the cell and are not traced.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lisp.clos.classes import find_class, register_type
from lisp.clos.generic import info_of
from lisp.compiler import eval_form
from lisp.compiler.macros import MACROS, macro
from lisp.library.condition_system import break_
from lisp.runtime.condition_classes import ProgramError
from lisp.runtime.data import (
    NIL,
    SYSTEM,
    Symbol,
    cl_symbol,
    iter_list,
    keyword,
    make_list,
)
from lisp.runtime.namespace import GLOBALS, builtin, function_key, symbol_value
from lisp.runtime.signals import raise_error
from lisp.runtime.streams import output_stream
from lisp.runtime.values import clear, restore, take
from lisp.syntax.printer import prin1_to_string

_TRACE_OUTPUT = cl_symbol("*TRACE-OUTPUT*")
_BREAK = keyword("BREAK")


class _Depth(threading.local):
    value = 0


_depth = _Depth()


@dataclass
class _Traced:
    original: Any
    wrapper: Any
    keys: list[str]


_traced: dict[Symbol, _Traced] = {}


class TracedGenericFunction:
    """A traced generic function: calls go through the tracer; everything else reaches the
    generic function itself."""

    def __init__(self, gf: Any, call: Callable[..., Any]) -> None:
        self.__dict__["__wrapped__"] = gf
        self.__dict__["_call"] = call

    def __call__(self, *args: Any) -> Any:
        return self._call(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__wrapped__, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.__wrapped__, name, value)


def _tracer(name: Symbol, fn: Callable[..., Any], break_when: Any) -> Callable[..., Any]:
    shown = prin1_to_string(name)

    def traced(*args: Any) -> Any:
        out = output_stream(symbol_value(_TRACE_OUTPUT))
        depth = _depth.value
        indent = "  " * (depth + 1)
        out.fresh_line()
        out.write_string(f"{indent}{depth}: ({' '.join([shown, *map(prin1_to_string, args)])})\n")
        if break_when is not NIL and eval_form(break_when) is not NIL:
            break_("Tracing ~S: break on entry.", name)
        _depth.value = depth + 1
        try:
            clear()  # so that take() finds the values of this call only
            found = take(fn(*args))
        finally:
            _depth.value = depth
        out.fresh_line()
        out.write_string(f"{indent}{depth}: {shown} returned{''.join(' ' + prin1_to_string(v) for v in found)}\n")
        return restore(found)

    traced.lisp_name = name  # type: ignore[attr-defined]
    traced.__doc__ = getattr(fn, "__doc__", None)
    return traced


def trace_function(name: Symbol, break_when: Any = NIL) -> bool:
    """Trace the global function ``name``; False (and a note on ``*trace-output*``) if it names
    no function that can be traced."""
    untrace_function(name)
    key = function_key(name)
    fn = GLOBALS.get(key)
    if fn is None or name in MACROS:
        output_stream(symbol_value(_TRACE_OUTPUT)).write_string(
            f"; {prin1_to_string(name)} is {'a macro' if name in MACROS else 'not a function'}: not traced\n")
        return False
    call = _tracer(name, fn, break_when)
    if info_of(fn) is not None:
        # (CLOS is installed after the library is imported: the class is found now.)
        register_type(TracedGenericFunction, find_class(cl_symbol("STANDARD-GENERIC-FUNCTION")))
        wrapper: Any = TracedGenericFunction(fn, call)
    else:
        wrapper = call
    keys = [k for k, v in list(GLOBALS.items()) if v is fn and (k == key or k.startswith("%self:"))]
    for k in keys:
        GLOBALS[k] = wrapper
    _traced[name] = _Traced(fn, wrapper, keys)
    return True


def untrace_function(name: Symbol) -> None:
    """Stop tracing ``name`` (nothing if it is not traced)."""
    entry = _traced.pop(name, None)
    if entry is None:
        return
    for k in entry.keys:
        if GLOBALS.get(k) is entry.wrapper:  # (a definition made since replaced it)
            GLOBALS[k] = entry.original


@builtin("%TRACE", SYSTEM)
def trace_(*specs: Any) -> Any:
    """``trace`` with its arguments (names and options), unevaluated: the list of names traced."""
    if not specs:
        return make_list([name for name, entry in _traced.items() if GLOBALS.get(function_key(name)) is entry.wrapper])
    names, options = _split(specs)
    break_when = options.get(_BREAK, NIL)
    return make_list([name for name in names if trace_function(name, break_when)])


@builtin("%UNTRACE", SYSTEM)
def untrace_(*names: Any) -> Any:
    """``untrace`` with its names, unevaluated (none: every traced function); the names."""
    names = names or tuple(_traced)
    for name in names:
        untrace_function(name)
    return make_list(list(names))


def _split(specs: tuple[Any, ...]) -> tuple[list[Symbol], dict[Symbol, Any]]:
    names: list[Symbol] = []
    options: dict[Symbol, Any] = {}
    items = list(specs)
    while items:
        item = items.pop(0)
        if isinstance(item, Symbol) and item.is_keyword:
            if not items:
                raise_error(ProgramError(f"TRACE: the option {prin1_to_string(item)} has no value"))
            options[item] = items.pop(0)
        else:
            names.append(item)
    return names, options


def _quoted_call(operator: str) -> Callable[[Any, Any], Any]:
    def expand(form: Any, _env: Any) -> Any:
        return make_list([SYSTEM.intern(operator), *(make_list([cl_symbol("QUOTE"), a]) for a in iter_list(form.cdr))])

    return expand


macro("TRACE")(_quoted_call("%TRACE"))
macro("UNTRACE")(_quoted_call("%UNTRACE"))
