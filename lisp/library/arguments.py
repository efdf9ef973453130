"""What every library function shares: truth values, argument checks, designators, :test/:key.

Library functions follow the compiler's calling convention (``lisp.compiler`` docstring):
positional arguments; ``&optional`` parameters are Python defaults (NIL is ``None``); ``&rest`` is
``*args``; ``&key`` arrives in ``*args`` as alternating keyword/value and is parsed with
:func:`keywords`. Bad arguments signal a TYPE-ERROR (or PROGRAM-ERROR) before anything changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lisp.compiler.runtime import parse_keywords
from lisp.runtime.arrays import LispString
from lisp.runtime.condition_classes import ProgramError, UndefinedFunction
from lisp.runtime.data import NIL, Char, Symbol, T, cl_symbol, make_list
from lisp.runtime.equality import eql_p
from lisp.runtime.namespace import GLOBALS, get_function
from lisp.runtime.signals import raise_error, type_error
from lisp.syntax.messages import show


def truth(x: Any) -> Any:
    """T if ``x`` is true in Python, else NIL: the result of a Lisp predicate."""
    return T if x else NIL


def keywords(args: tuple[Any, ...], names: Iterable[str], who: str) -> dict[str, Any]:
    """The supplied keyword arguments of ``who``, by keyword name (a PROGRAM-ERROR if malformed)."""
    if not args:
        return {}  # the usual call: none to check (parse_keywords interns every allowed name)
    return parse_keywords(args, names, who)


def function_designator(f: Any) -> Callable[..., Any]:
    """The function a designator names: a function itself, or a symbol's global function."""
    if isinstance(f, Symbol):
        return get_function(f)
    if f is NIL:
        raise_error(UndefinedFunction(name=NIL))
    if callable(f):
        return f
    return type_error(f, _FUNCTION_DESIGNATOR)


_FUNCTION_DESIGNATOR = cl_symbol("FUNCTION")
GLOBALS["%function_designator"] = function_designator  # what compiled FUNCALL and APPLY call


def optional_function(f: Any) -> Callable[..., Any] | None:
    """A function designator, or None for NIL (an omitted :key)."""
    return None if f is NIL else function_designator(f)


def test_function(kw: dict[str, Any], who: str) -> Callable[[Any, Any], bool]:
    """The two-argument test of ``:test`` / ``:test-not`` (default EQL), as a Python predicate."""
    if "TEST" in kw and "TEST-NOT" in kw:
        raise_error(ProgramError(f"{who}: both :test and :test-not given"))
    if "TEST-NOT" in kw:
        fn = function_designator(kw["TEST-NOT"])
        return lambda a, b: fn(a, b) is NIL
    if "TEST" in kw:
        fn = function_designator(kw["TEST"])
        return lambda a, b: fn(a, b) is not NIL
    return eql_p


def key_function(kw: dict[str, Any]) -> Callable[[Any], Any] | None:
    """The ``:key`` function, or None for identity."""
    return optional_function(kw.get("KEY", NIL))


def check(ok: bool, datum: Any, expected_type: Any) -> None:
    """Signal a TYPE-ERROR unless ``ok``: ``datum`` is not of ``expected_type`` (a type specifier,
    or the name of a CL type as a string, turned into the symbol only when the check fails)."""
    if not ok:
        type_error(datum, cl_symbol(expected_type) if isinstance(expected_type, str) else expected_type)


def expected(name: str) -> Symbol:
    """The CL type symbol ``name``, as an expected type in a TYPE-ERROR."""
    return cl_symbol(name)


def element_index(index: Any, length: int, who: str) -> int:
    """``index`` as the index of an element of a sequence of ``length`` elements."""
    return _index(index, length, who, bounding=False)


def bounding_index(index: Any, length: int, who: str) -> int:
    """``index`` as a :start or :end bound of a sequence of ``length`` elements (0 to ``length``)."""
    return _index(index, length, who, bounding=True)


def _index(index: Any, length: int, who: str, bounding: bool) -> int:
    if type(index) is not int or not 0 <= index <= (length if bounding else length - 1):
        # An element index is below the length: (INTEGER 0 (length)), an exclusive bound.
        limit = length if bounding else make_list([length])
        what = "bounding index" if bounding else "index"
        type_error(index, make_list([cl_symbol("INTEGER"), 0, limit]),
                   f"{who}: the {what} {show(index)} is out of range for a sequence of length {length}")
    return index


def string_argument(x: Any) -> str:
    """The text of ``x``, which must be a string (a TYPE-ERROR otherwise)."""
    if isinstance(x, str):
        return x
    check(isinstance(x, LispString), x, "STRING")
    return x.text()


def string_designator(x: Any) -> str:
    """The text of the string a designator names: a string, a symbol's name, or one character."""
    if isinstance(x, str):
        return x
    if isinstance(x, LispString):
        return x.text()
    if isinstance(x, Symbol):
        return x.name
    if x is NIL:
        return "NIL"
    if isinstance(x, Char):
        return x.char
    check(False, x, make_list([cl_symbol("OR"), cl_symbol("STRING"), cl_symbol("SYMBOL"), cl_symbol("CHARACTER")]))
    return ""
