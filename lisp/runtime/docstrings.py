"""What definitions leave for people to read back: documentation strings and defining forms.

- A function made by ``defun`` or ``defmacro`` passes through ``sys::%documented`` (its expansion
  is ``(%defun 'f (sys::%documented (named-lambda ...) '(defun f ...)))``): its defining form is
  kept with the function object, and its documentation string, if the body has one, becomes the
  function's ``__doc__``, as a Python function's docstring does. ``documentation``, ``describe``
  (lambda list, source location) and ``disassemble`` (the generated Python) read it back.
- A documentation string of a name (``defvar``'s, ``deftype``'s, ``(setf (documentation 'x
  'variable) ...)``) is kept under the name and the documentation type, a symbol of CLHS
  ``documentation`` (VARIABLE, TYPE, FUNCTION, ...).

The CL function ``documentation`` (:mod:`lisp.library.documentation`) reads these and what other
objects keep themselves (a generic function's, a class's).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from lisp.runtime import namespace
from lisp.runtime.data import NIL, SYSTEM, Cons, Symbol, cl_symbol, iter_list

_DECLARE = cl_symbol("DECLARE")

# Function objects -> their defining forms. Weak: a redefined function's form goes with it.
_definitions: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
# (name key, documentation type) -> string, for names (see name_key).
_strings: dict[tuple[Any, Symbol], str] = {}


def docstring(body: Iterable[Any]) -> str | None:
    """The documentation string of a body: a string among its leading declarations that is
    followed by more forms (a string alone is the body's value, CLHS 3.4.11)."""
    forms = list(body)
    for i, form in enumerate(forms):
        if isinstance(form, str):
            return form if i + 1 < len(forms) else None
        if not (isinstance(form, Cons) and form.car is _DECLARE):
            return None
    return None


def documented(fn: Any, form: Any) -> Any:
    """``sys::%documented``: keep ``form``, the ``(defun name lambda-list . body)`` (or
    ``defmacro``) that made ``fn``, and make its documentation string ``fn.__doc__``; ``fn``."""
    try:
        _definitions[fn] = form
    except TypeError:  # an object that cannot be weakly referenced keeps no definition
        return fn
    text = docstring(_body(form))
    if text is not None:
        fn.__doc__ = text
    return fn


def definition(fn: Any) -> Any:
    """The form that defined the function ``fn``, or None."""
    try:
        return _definitions.get(fn)
    except TypeError:
        return None


def _body(form: Any) -> list[Any]:
    parts = list(iter_list(form))
    return parts[3:]


def name_key(name: Any) -> Any:
    """A dictionary key for a name: a symbol, or a ``(setf symbol)`` list."""
    if isinstance(name, Cons):
        return ("SETF", name.cdr.car)
    return name


def set_documentation(name: Any, doc_type: Symbol, text: str | None) -> Any:
    """``sys::%set-documentation``: record (or with NIL, forget) the documentation string of the
    name ``name`` as a ``doc_type``; returns ``name`` (the value of the definition forms that call
    it)."""
    key = (name_key(name), doc_type)
    if text is None or text is NIL:
        _strings.pop(key, None)
    else:
        _strings[key] = text
    return name


def name_documentation(name: Any, doc_type: Symbol) -> str | None:
    """The documentation string recorded for the name ``name`` as a ``doc_type``, or None."""
    return _strings.get((name_key(name), doc_type))


namespace.builtin("%DOCUMENTED", SYSTEM)(documented)
namespace.builtin("%SET-DOCUMENTATION", SYSTEM)(set_documentation)
