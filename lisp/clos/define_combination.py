"""``define-method-combination``, short form (CLHS 7.6.6.4): a new operator combination, one row of
dispatch's operator table (:func:`dispatch.define_operator`) under the name the Lisp gives its
qualifier (:func:`lisp.clos.methods.qualifier_name`).

The effective method of N primary methods is the Lisp form ``(operator (apply m1 args) ...
(apply mN args))``, compiled once for each N, so the operator may be a function, a macro or a
special operator, and runs as it would in code. The long form is not implemented: it is refused
with a PROGRAM-ERROR that says so.
"""

from __future__ import annotations

import threading
from typing import Any

from dispatch import Operator, define_operator
from lisp.clos.methods import qualifier_name
from lisp.compiler.forms import items, program_error, show
from lisp.compiler.macros import macro
from lisp.compiler.runtime import parse_keywords
from lisp.compiler.toplevel import eval_form
from lisp.runtime.data import NIL, SYSTEM, Cons, Symbol, cl_symbol, make_list
from lisp.runtime.namespace import builtin

_QUOTE = cl_symbol("QUOTE")
_DEFINE = SYSTEM.intern("%DEFINE-SHORT-METHOD-COMBINATION")

@macro("DEFINE-METHOD-COMBINATION")
def _define_method_combination(form: Any, env: Any) -> Any:
    parts = items(form.cdr, form)
    if not parts or not isinstance(parts[0], Symbol) or parts[0] is NIL:
        raise program_error(f"DEFINE-METHOD-COMBINATION needs a name: {show(form)}", form)
    name, options = parts[0], parts[1:]
    if options and (options[0] is NIL or isinstance(options[0], Cons)):
        raise program_error(f"DEFINE-METHOD-COMBINATION {show(name)}: the long form (a lambda list and "
                            "method groups) is not implemented, only the short form", form)
    kw = parse_keywords(tuple(options), ("DOCUMENTATION", "IDENTITY-WITH-ONE-ARGUMENT", "OPERATOR"),
                        f"DEFINE-METHOD-COMBINATION {show(name)}")
    operator = kw.get("OPERATOR", name)
    if not isinstance(operator, Symbol) or operator is NIL:
        raise program_error(f"DEFINE-METHOD-COMBINATION {show(name)}: the operator {show(operator)} "
                            "is not a symbol", form)
    return make_list([_DEFINE, make_list([_QUOTE, name]), make_list([_QUOTE, operator]),
                      kw.get("IDENTITY-WITH-ONE-ARGUMENT", NIL)])

@builtin("%DEFINE-SHORT-METHOD-COMBINATION", SYSTEM)
def define_short_method_combination(name: Symbol, operator: Symbol, identity: Any) -> Symbol:
    """Make ``name`` an operator combination whose effective method is ``(operator ...)``."""
    makers: dict[int, Any] = {}
    lock = threading.Lock()

    def maker(count: int) -> Any:
        # (lambda (m0 ... mN-1) (lambda (&rest args) (operator (apply m0 args) ...)))
        with lock:
            found = makers.get(count)
            if found is None:
                methods = [SYSTEM.intern(f"%M{i}") for i in range(count)]
                args = SYSTEM.intern("%ARGS")
                calls = [make_list([cl_symbol("APPLY"), m, args]) for m in methods]
                inner = make_list([cl_symbol("LAMBDA"), make_list([cl_symbol("&REST"), args]),
                                   make_list([operator, *calls])])
                found = makers[count] = eval_form(make_list([cl_symbol("LAMBDA"), make_list(methods), inner]))
            return found

    def runner(values: Any, functions: tuple[Any, ...]) -> Any:
        return maker(len(functions))(*functions)

    define_operator(Operator(qualifier_name(name), identity is not NIL, runner))
    return name
