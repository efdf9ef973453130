"""Compiler macros (CLHS 3.2.2.1): ``define-compiler-macro``, ``compiler-macro-function`` and its
``setf``, and their documentation (``(documentation name 'compiler-macro)``).

A compiler macro is kept and can be called, but the compiler does not expand calls with it: the
standard lets an implementation ignore them (CLHS 3.2.2.1.3), and the function it stands for has
the same meaning by definition.
"""

from __future__ import annotations

from typing import Any

from lisp.compiler.definitions import function_name
from lisp.compiler.forms import program_error, show
from lisp.compiler.macros import QUOTE, expander_form, macro
from lisp.library.arguments import check, function_designator
from lisp.runtime.data import NIL, SYSTEM, Cons, Symbol, cl_symbol, make_list
from lisp.runtime.docstrings import name_key
from lisp.runtime.namespace import GLOBALS, builtin, setf_function_key

# name_key(name) -> the expander, a function of the form and the environment.
_EXPANDERS: dict[Any, Any] = {}


def _checked_name(name: Any) -> Any:
    check(isinstance(name, Symbol) or (isinstance(name, Cons) and name.car is cl_symbol("SETF")), name,
          "(OR SYMBOL (CONS (EQL SETF) (CONS SYMBOL NULL)))")
    return name


@builtin("COMPILER-MACRO-FUNCTION")
def compiler_macro_function(name: Any, environment: Any = NIL) -> Any:
    """The compiler macro function of the function name ``name``, or NIL."""
    return _EXPANDERS.get(name_key(_checked_name(name)), NIL)


def set_compiler_macro_function(fn: Any, name: Any, environment: Any = NIL) -> Any:
    """``(setf compiler-macro-function)``: ``fn`` (NIL removes the compiler macro)."""
    key = name_key(_checked_name(name))
    if fn is NIL:
        _EXPANDERS.pop(key, None)
    else:
        _EXPANDERS[key] = function_designator(fn)
    return fn


GLOBALS[setf_function_key(cl_symbol("COMPILER-MACRO-FUNCTION"))] = set_compiler_macro_function


@builtin("%DEFINE-COMPILER-MACRO", SYSTEM)
def define_compiler_macro_(name: Any, expander: Any) -> Any:
    set_compiler_macro_function(expander, name)
    return name


@macro("DEFINE-COMPILER-MACRO")
def define_compiler_macro(form: Any, env: Any) -> Any:
    """``(define-compiler-macro name lambda-list . body)``: a macro lambda list, the body in a
    block named by the function's name (its symbol, for ``(setf f)``)."""
    parts = list(form.cdr) if isinstance(form.cdr, Cons) else []
    if len(parts) < 2:
        raise program_error(f"DEFINE-COMPILER-MACRO needs a name and a lambda list, in {show(form)}", form)
    name, lambda_list, *body = parts
    name = function_name(name, form)
    block = name.cdr.car if isinstance(name, Cons) else name
    expander = make_list([SYSTEM.intern("%DOCUMENTED"), expander_form(block, lambda_list, body),
                          make_list([QUOTE, form])])
    return make_list([SYSTEM.intern("%DEFINE-COMPILER-MACRO"), make_list([QUOTE, name]), expander])
