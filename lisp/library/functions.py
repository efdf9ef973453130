"""Calling and evaluating: ``funcall``, ``apply``, ``eval``, ``load``, ``compile`` and the small
function combinators (``identity``, ``constantly``, ``complement``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lisp.compiler import eval_form
from lisp.compiler.compilation_unit import with_warnings
from lisp.compiler.loading import load as load_file
from lisp.compiler.macros import MACROS, define_macro
from lisp.library.arguments import expected, function_designator, keywords, show
from lisp.library.lists import list_items
from lisp.library.pathnames import defaults, merge, native_namestring, pathname
from lisp.library.symbols import fdefinition, set_fdefinition
from lisp.runtime.condition_classes import FileError
from lisp.runtime.data import NIL, Cons, Symbol, T, cl_symbol, make_list
from lisp.runtime.namespace import GLOBALS, builtin, proclaim_constant, setf_function_key
from lisp.runtime.package_locks import check_package_lock
from lisp.runtime.pathnames import make
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
def load(filespec: Any, *args: Any) -> Any:
    """``load`` of a Lisp source file named by a pathname designator, merged with
    ``*default-pathname-defaults*``; a name without a type that names no file finds ``name.lisp``,
    as SBCL's load finds a source file. A missing file is a FILE-ERROR (or NIL with
    ``:if-does-not-exist nil``)."""
    kw = keywords(args, ("VERBOSE", "PRINT", "IF-DOES-NOT-EXIST", "EXTERNAL-FORMAT"), "LOAD")
    wanted = merge(pathname(filespec), defaults(), None)
    if wanted.type is None and not Path(native_namestring(wanted, "LOAD")).is_file():
        wanted = make(wanted.host, wanted.device, wanted.directory, wanted.name, "lisp", wanted.version)
    file = native_namestring(wanted, "LOAD")
    if not Path(file).is_file():
        if kw.get("IF-DOES-NOT-EXIST", T) is NIL:
            return NIL
        raise_error(FileError(f"LOAD: no such file {show(file)}", pathname=pathname(filespec)))
    return load_file(file)


@builtin("COMPILE")
def compile_(name: Any, definition: Any = NIL) -> Any:
    """``compile``: everything is compiled already. With a definition (a lambda expression or a
    function), make it a function and, when ``name`` is not NIL, install it as ``name``'s global
    function. Three values: the function (for NIL), else the name; warnings-p and failure-p,
    whether compiling a lambda expression signalled warnings, and WARNINGs that are not
    STYLE-WARNINGs (lisp.compiler.compilation_unit)."""
    warnings_p = failure_p = False
    if definition is NIL:
        fn = MACROS[name] if isinstance(name, Symbol) and name in MACROS else fdefinition(name)
    elif isinstance(definition, Cons):
        fn, warnings_p, failure_p = with_warnings(lambda: eval_form(make_list([cl_symbol("FUNCTION"), definition])))
    else:
        fn = function_designator(definition)
    if definition is not NIL and name is not NIL:
        set_fdefinition(fn, name)
    return values(fn if name is NIL else name, T if warnings_p else NIL, T if failure_p else NIL)


def set_macro_function(fn: Any, name: Any, environment: Any = NIL) -> Any:
    """``(setf macro-function)``: ``name`` becomes a global macro whose expander is ``fn`` (a
    function of the form and the environment)."""
    if not isinstance(name, Symbol):
        type_error(name, expected("SYMBOL"))
    check_package_lock(name, "macro")
    define_macro(name, function_designator(fn))
    return fn


GLOBALS[setf_function_key(cl_symbol("MACRO-FUNCTION"))] = set_macro_function


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


# The lambda list keywords this implementation knows (CLHS 3.4.1): the standard's eight.
proclaim_constant(cl_symbol("LAMBDA-LIST-KEYWORDS"), make_list([cl_symbol(name) for name in (
    "&ALLOW-OTHER-KEYS", "&AUX", "&BODY", "&ENVIRONMENT", "&KEY", "&OPTIONAL", "&REST", "&WHOLE")]))
