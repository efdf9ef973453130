"""Where things are defined (``M-.``) and who calls what (``C-c C-w c``).

A function made by ``defun`` or ``defmacro`` keeps its defining form, which carries where it was
read (:mod:`lisp.runtime.docstrings`); any other compiled Lisp function (a method's, a
``lambda``'s) has the Lisp file and line in its code object; a function written in Python has its
Python file and line, so ``M-.`` on ``mapcar`` opens the Python source, as SBCL's opens its own.

Who calls a function is read from the compiled code: a call of a global function is a load of
the global named :func:`lisp.runtime.namespace.function_key`, so a function whose code (or the
code of a function nested in it) names that global calls it. Calls the compiler open-codes
(``car``, ``+``) and calls through ``funcall`` of a symbol are not seen.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

from lisp.clos.generic import info_of, methods_of
from lisp.clos.methods import LispMethod
from lisp.compiler.core import SPECIAL_FORMS
from lisp.compiler.macros import MACROS
from lisp.runtime import docstrings
from lisp.runtime.data import Symbol, find_package, source_pos
from lisp.runtime.namespace import GLOBALS, function_key
from lisp.swank.locations import location, pos_location
from lisp.swank.names import lookup_symbol
from lisp.swank.rpc import Request, rpc
from lisp.swank.wire import keyword
from lisp.syntax.printer import prin1_to_string

_FUNCTION_KEY_PREFIX = "#'"


@rpc("swank:find-definitions-for-emacs")
def find_definitions_for_emacs(request: Request, name: str) -> list[Any]:
    found, symbol = lookup_symbol(name.strip(), request.package)
    return list(definitions(symbol)) if found and symbol is not None else []


def definitions(symbol: Symbol) -> Iterator[list[Any]]:
    """``[DSPEC LOCATION]`` for each definition of what ``symbol`` names as an operator."""
    shown = prin1_to_string(symbol)
    macro = MACROS.get(symbol)
    if macro is not None:
        yield [f"(DEFMACRO {shown})", function_location(macro)]
        return
    if symbol in SPECIAL_FORMS:
        return
    fn = GLOBALS.get(function_key(symbol))
    if fn is None:
        return
    info = info_of(fn)
    if info is None:
        yield [f"(DEFUN {shown})", function_location(fn)]
        return
    for method in methods_of(fn):
        yield [method_dspec(shown, method), function_location(method.function)]


def method_dspec(name: str, method: LispMethod) -> str:
    qualifiers = "".join(f" {prin1_to_string(q)}" for q in method.qualifiers)
    return f"(DEFMETHOD {name}{qualifiers} ({method.describe_specializers()}))"


def function_location(fn: Any) -> list[Any]:
    """Where ``fn`` was defined: its defining form's position, else its code's file and line."""
    form = docstrings.definition(fn)
    pos = source_pos(form) if form is not None else None
    if pos is not None:
        return pos_location(pos)
    code = _code(fn)
    if code is None:
        return [keyword("error"), f"{prin1_to_string(fn)} has no source (it is written in C)"]
    return location(code.co_filename, code.co_firstlineno)


def _code(fn: Any) -> types.CodeType | None:
    while hasattr(fn, "__wrapped__") and not hasattr(fn, "__code__"):
        fn = fn.__wrapped__
    return getattr(fn, "__code__", None)


# -- who calls ----------------------------------------------------------------------------------

_CALLS, _CALLERS = keyword("calls"), keyword("callers")
_CALLS_WHO, _CALLEES = keyword("calls-who"), keyword("callees")


@rpc("swank:xref")
def xref(request: Request, kind: Any, name: str) -> Any:
    found, symbol = lookup_symbol(name.strip(), request.package)
    if kind in (_CALLS, _CALLERS):
        return [[dspec, function_location(fn)] for dspec, fn in callers(symbol)] if found and symbol else []
    if kind in (_CALLS_WHO, _CALLEES):
        return [[prin1_to_string(callee), function_location(GLOBALS[function_key(callee)])]
                for callee in callees(symbol)] if found and symbol else []
    return keyword("not-implemented")


@rpc("swank:xrefs")
def xrefs(request: Request, kinds: list[Any], name: str) -> list[Any]:
    found = [[kind, xref(request, kind, name)] for kind in kinds or []]
    return [[kind, *entries] for kind, entries in found if isinstance(entries, list) and entries]


def callers(symbol: Symbol) -> list[tuple[str, Any]]:
    """``(dspec, function)`` for each global Lisp function or method whose code calls ``symbol``'s
    global function."""
    key = function_key(symbol)
    found = []
    for name, fn in _lisp_functions():
        info = info_of(fn)
        if info is None:
            if any(key in code.co_names for code in _codes(_code(fn))):
                found.append((f"(DEFUN {name})", fn))
            continue
        for method in methods_of(fn):
            if any(key in code.co_names for code in _codes(_code(method.function))):
                found.append((method_dspec(name, method), method.function))
    return found


def callees(symbol: Symbol) -> list[Symbol]:
    """The global functions whose names the code of ``symbol``'s function loads."""
    fn = GLOBALS.get(function_key(symbol))
    if fn is None:
        return []
    info = info_of(fn)
    functions = [m.function for m in methods_of(fn)] if info is not None else [fn]
    names = {n for f in functions for code in _codes(_code(f)) for n in code.co_names
             if n.startswith(_FUNCTION_KEY_PREFIX) and n in GLOBALS}
    return sorted((s for s in map(_symbol_of_key, names) if s is not None), key=lambda s: s.name)


def _lisp_functions() -> Iterator[tuple[str, Any]]:
    for key, fn in list(GLOBALS.items()):
        if not key.startswith(_FUNCTION_KEY_PREFIX) or not callable(fn):
            continue
        symbol = _symbol_of_key(key)
        if symbol is None:
            continue
        if info_of(fn) is not None or getattr(fn, "__globals__", None) is GLOBALS:
            yield prin1_to_string(symbol), fn


def _symbol_of_key(key: str) -> Symbol | None:
    """The symbol a function key (``#'PACKAGE::NAME``) names, if its package still has it."""
    package_name, separator, name = key[len(_FUNCTION_KEY_PREFIX):].partition("::")
    package = find_package(package_name) if separator else None
    if package is None:
        return None
    symbol, status = package.find_symbol(name)
    return symbol if status is not None and isinstance(symbol, Symbol) else None


def _codes(code: types.CodeType | None) -> Iterator[types.CodeType]:
    """``code`` and the code objects nested in it (its closures and local functions)."""
    stack = [code] if code is not None else []
    while stack:
        current = stack.pop()
        yield current
        stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
