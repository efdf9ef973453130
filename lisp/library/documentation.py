"""``documentation`` and ``(setf documentation)`` (CLHS 25.1.4): the documentation strings of
names and objects.

Where each string lives: a function's is its ``__doc__`` (``defun`` and ``defmacro`` put their
documentation string there; a function written in Python has its Python docstring), a generic
function's and a method's in their metaobjects (``defgeneric``, ``defmethod``), a class's in the
class (``defclass``, ``define-condition``: a condition class's is its ``__doc__``), and that of a
name without an object of its own (``defvar``, ``deftype``, ``(setf (documentation 'x 'variable)
...)``) in :mod:`lisp.runtime.docstrings`. A string set for an object that cannot hold one (a
function written in C) is kept under its name.
"""

from __future__ import annotations

from typing import Any

from lisp.clos.classes import LispClass, find_class
from lisp.clos.generic import info_of
from lisp.clos.methods import LispMethod
from lisp.compiler.macros import MACROS
from lisp.library.arguments import check
from lisp.library.compiler_macros import compiler_macro_function
from lisp.runtime import docstrings
from lisp.runtime.condition_classes import Condition, condition_class
from lisp.runtime.data import NIL, Cons, Package, Symbol, T, cl_symbol
from lisp.runtime.namespace import GLOBALS, builtin, function_key, setf_function_key

FUNCTION, VARIABLE, TYPE, STRUCTURE, SETF, COMPILER_MACRO, METHOD_COMBINATION = (
    cl_symbol(n) for n in ("FUNCTION", "VARIABLE", "TYPE", "STRUCTURE", "SETF", "COMPILER-MACRO",
                           "METHOD-COMBINATION"))
_DOC_TYPES = (T, FUNCTION, VARIABLE, TYPE, STRUCTURE, SETF, COMPILER_MACRO, METHOD_COMBINATION)


@builtin("DOCUMENTATION")
def documentation(x: Any, doc_type: Any) -> Any:
    """The documentation string of ``x`` (a name or an object) as a ``doc_type``, or NIL (also
    for a documentation type it does not know, as SBCL)."""
    check(isinstance(doc_type, Symbol), doc_type, "SYMBOL")
    text = _documentation(x, doc_type)
    return NIL if text is None else text


def _documentation(x: Any, doc_type: Symbol) -> str | None:
    if isinstance(x, Symbol) or _is_setf_name(x):
        recorded = docstrings.name_documentation(x, doc_type)
        if recorded is not None:
            return recorded
        holder = _holder(x, doc_type)
        return None if holder is None else object_documentation(holder)
    if doc_type in (T, FUNCTION, TYPE):
        return object_documentation(x)
    return None


def object_documentation(obj: Any) -> str | None:
    """The documentation string an object keeps: a function's, a generic function's, a method's,
    a class's, a package's."""
    info = info_of(obj)
    if info is not None:
        return info.documentation
    if isinstance(obj, (LispMethod, LispClass, Package)):
        return obj.documentation
    if isinstance(obj, type) and issubclass(obj, Condition):
        return obj.__doc__ if "__doc__" in obj.__dict__ else None
    if callable(obj) and not isinstance(obj, type):
        text = getattr(obj, "__doc__", None)
        return text if isinstance(text, str) else None
    return None


def _holder(name: Any, doc_type: Symbol) -> Any:
    """The object whose documentation is that of ``name`` as a ``doc_type``, or None."""
    if doc_type is FUNCTION:
        if isinstance(name, Cons):
            return GLOBALS.get(setf_function_key(name.cdr.car))
        return MACROS.get(name) or GLOBALS.get(function_key(name))
    if doc_type is SETF and isinstance(name, Symbol):
        return GLOBALS.get(setf_function_key(name))
    if doc_type is TYPE and isinstance(name, Symbol):
        return condition_class(name) or find_class(name, errorp=False)
    if doc_type is COMPILER_MACRO:
        return compiler_macro_function(name) or None
    return None


def _is_setf_name(x: Any) -> bool:
    return isinstance(x, Cons) and x.car is cl_symbol("SETF") and isinstance(x.cdr, Cons) and \
        isinstance(x.cdr.car, Symbol)


def set_documentation(text: Any, x: Any, doc_type: Any) -> Any:
    """``(setf (documentation x doc-type) text)``: ``text`` (a string, or NIL to remove it)."""
    check(text is NIL or isinstance(text, str), text, "(OR STRING NULL)")
    check(isinstance(doc_type, Symbol) and doc_type in _DOC_TYPES, doc_type, "SYMBOL")
    named = isinstance(x, Symbol) or _is_setf_name(x)
    holder = _holder(x, doc_type) if named else x
    if holder is None or not _set_object_documentation(holder, text):
        if not named:
            check(False, x, "(OR SYMBOL FUNCTION CLASS METHOD)")
        docstrings.set_documentation(x, doc_type, text)
    elif named:
        docstrings.set_documentation(x, doc_type, NIL)  # the object's string is the one now
    return text


def _set_object_documentation(obj: Any, text: Any) -> bool:
    value = None if text is NIL else text
    info = info_of(obj)
    if info is not None:
        info.documentation = value
        return True
    if isinstance(obj, (LispMethod, LispClass, Package)):
        obj.documentation = value
        return True
    try:
        obj.__doc__ = value
    except (AttributeError, TypeError):  # a function written in C, a built-in class
        return False
    return True


GLOBALS[setf_function_key(cl_symbol("DOCUMENTATION"))] = set_documentation
