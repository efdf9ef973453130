"""Python from Lisp: the ``PY`` package.

Lisp data already *are* Python objects (NIL is None, string literals are str, simple vectors are
lists, numbers are numbers), so Python values flow in and out unchanged: a Python ``str`` is a Lisp
string and a Python ``list`` a simple vector. A string the program made (``LispString``, see
:mod:`lisp.runtime.arrays`) is given to Python as a ``str`` of its characters by ``py:call``,
``py:funcall``, ``py:kwcall``, ``py:getattr`` and ``py:setattr`` (as the object and as an
argument); other arrays go as they are (a ``LispVector`` iterates its active
elements). Lisp lists and Python sequences need :func:`to_python_list` / ``py:to-lisp``. Syntax::

    (py:import "math")                   ; the module object
    (py:getattr obj "name")              ; attribute; (py:setattr obj "name" value) sets it
    (py:call obj "method" arg ...)       ; obj.method(arg, ...)
    (py:funcall f arg ...)               ; f(arg, ...) -- plain funcall works too
    (py:kwcall f '(arg ...) :sep ", " :end "")   ; keywords become sep=..., end=... (- -> _)
    (py:eval "1 + 2")                    ; a Python expression
    (py:class "decimal.Decimal")         ; the Lisp class of a Python type: usable as a specializer
    (py:list '(1 2)) (py:tuple '(1 2)) (py:dict '((:a . 1))) (py:to-lisp #(1 2))
    (py:bool x)                          ; a Python truth value as T / NIL
    py:true py:false py:none             ; constants: Python's True, False, None (= NIL)

A ``fractions.Fraction`` returned by ``py:call``, ``py:funcall``, ``py:kwcall``, ``py:eval`` or
``py:getattr`` becomes a Lisp ratio (an integer when its denominator is 1; see :mod:`lisp.runtime.ratio`).
A Python exception raised by the call reaches Lisp as a condition (``python-error`` or the matching
standard one) that keeps the original exception (see :mod:`lisp.runtime.signals`).

The other way, Lisp called from Python reads as Python: a ``defun``'s docstring is its ``__doc__``
(:mod:`lisp.runtime.docstrings`) and its lambda list its ``inspect.signature``; Python keyword
arguments reach ``&key`` parameters (:mod:`lisp.compiler.python_signature`, whose ``python_name``
also names ``py:kwcall``'s keywords); no applicable method is ``dispatch.NoApplicableMethod``
(:mod:`lisp.clos.errors`); ``repr`` of Lisp data is its printed form (``hooks.lisp_repr``).
"""

from __future__ import annotations

import builtins
import importlib
from collections.abc import Callable
from typing import Any

from lisp.compiler.python_signature import python_name
from lisp.runtime.arrays import LispString
from lisp.runtime.condition_classes import LispTypeError, ProgramError
from lisp.runtime.data import (
    NIL,
    Cons,
    Symbol,
    T,
    cl_symbol,
    find_package,
    iter_list,
    make_list,
    make_package,
)
from lisp.runtime.namespace import builtin, proclaim_constant
from lisp.runtime.ratio import canonical

PY = find_package("PY") or make_package("PY")


for _name, _value in (("TRUE", True), ("FALSE", False), ("NONE", None)):
    PY.export(PY.intern(_name))
    proclaim_constant(PY.intern(_name), _value)


def py_builtin(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function under an exported PY symbol."""
    PY.export(PY.intern(name))
    return builtin(name, PY)


def _name(text: Any, who: str) -> str:
    if isinstance(text, Symbol):
        return python_name(text)
    if isinstance(text, LispString):
        return text.text()
    if not isinstance(text, str):
        raise LispTypeError(f"{who}: {text!r} is not a string naming a Python attribute",
                            datum=text, expected_type=cl_symbol("STRING"))
    return text


def python_value(x: Any) -> Any:
    """An argument as Python code gets it from ``py:call`` & co.: a ``LispString`` as a ``str``."""
    return x.text() if isinstance(x, LispString) else x


@py_builtin("IMPORT")
def py_import(module: str) -> Any:
    """``importlib.import_module(module)``."""
    return importlib.import_module(_name(module, "PY:IMPORT"))


@py_builtin("GETATTR")
def py_getattr(obj: Any, name: Any) -> Any:
    return canonical(getattr(python_value(obj), _name(name, "PY:GETATTR")))


@py_builtin("SETATTR")
def py_setattr(obj: Any, name: Any, value: Any) -> Any:
    setattr(obj, _name(name, "PY:SETATTR"), python_value(value))
    return value


@py_builtin("CALL")
def py_call(obj: Any, method: Any, *args: Any) -> Any:
    """Call the method ``method`` of ``obj`` with positional ``args``."""
    return canonical(getattr(python_value(obj), _name(method, "PY:CALL"))(*map(python_value, args)))


@py_builtin("FUNCALL")
def py_funcall(fn: Callable[..., Any], *args: Any) -> Any:
    return canonical(fn(*map(python_value, args)))


@py_builtin("KWCALL")
def py_kwcall(fn: Callable[..., Any], positional: Any, *keywords: Any) -> Any:
    """Call ``fn`` with the elements of the list ``positional`` and Python keyword arguments from
    the ``:key value`` pairs (``:line-end`` becomes ``line_end``)."""
    if len(keywords) % 2:
        raise ProgramError("PY:KWCALL: odd number of keyword arguments")
    kwargs = {_name(k, "PY:KWCALL"): python_value(v) for k, v in zip(keywords[::2], keywords[1::2])}
    return canonical(fn(*map(python_value, to_python_list(positional)), **kwargs))


@py_builtin("EVAL")
def py_eval(expression: str) -> Any:
    """Evaluate a Python expression (with Python's builtins only)."""
    return canonical(builtins.eval(_name(expression, "PY:EVAL"), {"__builtins__": builtins}))


@py_builtin("CLASS")
def py_class(designator: Any) -> Any:
    """The Lisp class of a Python type, given as the type or as ``"module.QualName"``."""
    from lisp.clos.classes import class_for_type
    if isinstance(designator, type):
        return class_for_type(designator)
    path = _name(designator, "PY:CLASS")
    module, _, qualname = path.rpartition(".")
    obj: Any = importlib.import_module(module or "builtins")
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, type):
        raise LispTypeError(f"PY:CLASS: {path} is {obj!r}, not a Python class", datum=obj,
                            expected_type=cl_symbol("CLASS"))
    return class_for_type(obj)


def to_python_list(seq: Any) -> list[Any]:
    """A Python list of the elements of a Lisp list or any Python iterable."""
    if seq is NIL or isinstance(seq, Cons):
        return list(iter_list(seq))
    return list(seq)


@py_builtin("LIST")
def py_list(seq: Any) -> list[Any]:
    return to_python_list(seq)


@py_builtin("TUPLE")
def py_tuple(seq: Any) -> tuple[Any, ...]:
    return tuple(to_python_list(seq))


@py_builtin("DICT")
def py_dict(alist: Any) -> dict[Any, Any]:
    """A dict from an association list ``((key . value) ...)``."""
    return {pair.car: pair.cdr for pair in iter_list(alist)}


@py_builtin("TO-LISP")
def py_to_lisp(seq: Any) -> Any:
    """A Lisp list of the elements of a Python iterable."""
    return make_list(seq)


@py_builtin("BOOL")
def py_bool(obj: Any) -> Any:
    return T if obj else NIL
