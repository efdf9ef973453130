"""Calling and evaluating: ``funcall``, ``apply``, ``eval``, ``load``, ``compile`` and the small
function combinators (``identity``, ``constantly``, ``complement``)."""

from __future__ import annotations

from typing import Any

from lisp.compiler import eval_form
from lisp.compiler.loading import load as load_file
from lisp.library.arguments import expected, function_designator, show
from lisp.library.lists import list_items
from lisp.runtime.condition_classes import FileError
from lisp.runtime.data import NIL, Cons, Symbol, T, cl_symbol, make_list
from lisp.runtime.namespace import GLOBALS, builtin, get_function, set_function
from lisp.runtime.signals import raise_error, type_error
from lisp.runtime.values import values


@builtin("FUNCALL")
def funcall(fn: Any, *args: Any) -> Any:
    return function_designator(fn)(*args)


@builtin("APPLY")
def apply(fn: Any, *args: Any) -> Any:
    """``apply``: the last argument is a list spread after the others."""
    if not args:
        return function_designator(fn)()
    return function_designator(fn)(*args[:-1], *spread_arguments(args[-1]))


def spread_arguments(spread: Any) -> list[Any]:
    """The elements of ``apply``'s last argument (open-coded ``apply`` calls it too)."""
    if spread is not NIL and not isinstance(spread, Cons):
        type_error(spread, expected("LIST"), f"APPLY: the last argument {show(spread)} is not a list")
    return list_items(spread)


GLOBALS["%spread_arguments"] = spread_arguments


@builtin("EVAL")
def eval_(form: Any) -> Any:
    return eval_form(form)


@builtin("LOAD")
def load(path: Any, *args: Any) -> Any:
    """``load`` of a Lisp source file; a missing file is a FILE-ERROR (or NIL with :if-does-not-exist nil)."""
    from pathlib import Path

    from lisp.library.arguments import keywords

    kw = keywords(args, ("VERBOSE", "PRINT", "IF-DOES-NOT-EXIST", "EXTERNAL-FORMAT"), "LOAD")
    text = path if isinstance(path, str) else None
    if text is None:
        type_error(path, expected("PATHNAME"))
    if not Path(text).is_file() and Path(text + ".lisp").is_file():
        text += ".lisp"  # a name without its type, as SBCL's load finds a source file
    if not Path(text).is_file():
        if kw.get("IF-DOES-NOT-EXIST", T) is NIL:
            return NIL
        raise_error(FileError(f"LOAD: no such file {show(text)}", pathname=text))
    return load_file(text)


@builtin("COMPILE")
def compile_(name: Any, definition: Any = NIL) -> Any:
    """``compile``: everything is compiled already; with a definition, make it a function (and
    install it as ``name``'s global function when ``name`` is not NIL). Three values."""

    if definition is NIL:
        fn = get_function(name)
    elif isinstance(definition, Cons):
        fn = eval_form(make_list([cl_symbol("FUNCTION"), definition]))
    else:
        fn = function_designator(definition)
    if name is not NIL and definition is not NIL:
        if not isinstance(name, Symbol):
            type_error(name, expected("SYMBOL"))
        set_function(name, fn)
        return values(name, NIL, NIL)
    return values(fn, NIL, NIL)


@builtin("IDENTITY")
def identity(x: Any) -> Any:
    return x


@builtin("CONSTANTLY")
def constantly(value: Any) -> Any:
    def constant(*_args: Any) -> Any:
        return value

    return constant


@builtin("COMPLEMENT")
def complement(fn: Any) -> Any:
    f = function_designator(fn)

    def complemented(*args: Any) -> Any:
        return T if f(*args) is NIL else NIL

    return complemented


@builtin("FUNCTION-LAMBDA-EXPRESSION")
def function_lambda_expression(fn: Any) -> Any:
    """Compiled code keeps no lambda expression: NIL, T (it may be a closure) and NIL."""

    function_designator(fn)
    return values(NIL, T, NIL)
