"""Defining macros: ``defun defmacro lambda defvar defparameter defconstant declaim``,
``destructuring-bind`` and the multiple-value macros, with the functions their expansions call."""

from __future__ import annotations

from typing import Any

from lisp.compiler.forms import arguments, inherit_pos, program_error, show
from lisp.compiler.macros import (
    FUNCTION,
    LAMBDA,
    MACROS,
    QUOTE,
    Expander,
    define_macro,
    destructuring_form,
    expander_form,
    gensym,
    macro,
    macroexpand_1,
)
from lisp.compiler.self_calls import INLINE, NOTINLINE, proclaim_inlining
from lisp.runtime import docstrings, namespace  # noqa: F401 - docstrings: sys::%documented
from lisp.runtime import values as mv
from lisp.runtime.data import SYSTEM, Cons, Symbol, cl_symbol, iter_list, keyword, make_list
from lisp.runtime.data import lisp_list as L
from lisp.runtime.equality import eql_p
from lisp.runtime.package_locks import check_package_lock

PROGN = cl_symbol("PROGN")
LET = cl_symbol("LET")
SETQ = cl_symbol("SETQ")
SETF = cl_symbol("SETF")
EVAL_WHEN = cl_symbol("EVAL-WHEN")
SPECIAL = cl_symbol("SPECIAL")
ALWAYS = L(keyword("COMPILE-TOPLEVEL"), keyword("LOAD-TOPLEVEL"), keyword("EXECUTE"))
NAMED_LAMBDA = SYSTEM.intern("%NAMED-LAMBDA")
MULTIPLE_VALUES = SYSTEM.intern("%MULTIPLE-VALUES")
NTH_OF = SYSTEM.intern("%NTH-OF")


def sys_call(name: str, *args: Any) -> Any:
    return L(SYSTEM.intern(name), *args)


def _check(form: Any, low: int, high: int | None = None) -> list[Any]:
    args = arguments(form)
    if len(args) < low or (high is not None and len(args) > high):
        raise program_error(f"wrong number of arguments to {show(form.car)} in {show(form)}", form)
    return args


def function_name(name: Any, form: Any) -> Any:
    """Check a function name: a symbol or ``(setf symbol)``."""
    if isinstance(name, Symbol) and not name.is_keyword:
        return name
    if isinstance(name, Cons) and name.car is SETF and isinstance(name.cdr, Cons) and \
            isinstance(name.cdr.car, Symbol) and name.cdr.cdr is None:
        return name
    raise program_error(f"{show(name)} is not a function name, in {show(form)}", form)


@macro("DEFUN")
def defun(form: Any, env: Any) -> Any:
    name, lambda_list, *body = _check(form, 2)
    name = function_name(name, form)
    return sys_call("%DEFUN", L(QUOTE, name),
                    sys_call("%DOCUMENTED", make_list([NAMED_LAMBDA, name, lambda_list, *body]), L(QUOTE, form)))


def define_function(name: Any, fn: Any) -> Any:
    """``defun``: install ``fn`` as the global function ``name``; returns ``name``."""
    check_package_lock(name, "function")
    if isinstance(name, Cons):
        namespace.GLOBALS[namespace.setf_function_key(name.cdr.car)] = fn
    else:
        MACROS.pop(name, None)
        namespace.set_function(name, fn)
    return name


def _define_macro(sym: Symbol, expander: Expander) -> Symbol:
    """``defmacro``'s definition, at run time: COMMON-LISP's symbols are locked."""
    check_package_lock(sym, "macro")
    return define_macro(sym, expander)


@macro("DEFMACRO")
def defmacro(form: Any, env: Any) -> Any:
    name, lambda_list, *body = _check(form, 2)
    if not isinstance(name, Symbol):
        raise program_error(f"{show(name)} is not a macro name, in {show(form)}", form)
    expander = sys_call("%DOCUMENTED", expander_form(name, lambda_list, body), L(QUOTE, form))
    return L(EVAL_WHEN, ALWAYS, sys_call("%DEFINE-MACRO", L(QUOTE, name), expander))


@macro("LAMBDA")
def lambda_(form: Any, env: Any) -> Any:
    return L(FUNCTION, form)


@macro("DESTRUCTURING-BIND")
def destructuring_bind(form: Any, env: Any) -> Any:
    pattern, value, *body = _check(form, 2)
    return destructuring_form(cl_symbol("DESTRUCTURING-BIND"), pattern, value, body, form)


def _variable_name(name: Any, form: Any) -> Symbol:
    if not isinstance(name, Symbol) or name.is_keyword or name is cl_symbol("T"):
        raise program_error(f"{show(name)} cannot name a variable, in {show(form)}", form)
    return name


@macro("DEFVAR")
def defvar(form: Any, env: Any) -> Any:
    args = _check(form, 1, 3)
    name = _variable_name(args[0], form)
    steps = [L(EVAL_WHEN, ALWAYS, sys_call("%PROCLAIM-SPECIAL", L(QUOTE, name)))]
    if len(args) > 1:
        steps.append(sys_call("%DEFVAR", L(QUOTE, name), L(FUNCTION, L(LAMBDA, None, args[1]))))
    return make_list([PROGN, *steps, _documented_variable(name, args[2:])])


@macro("DEFPARAMETER")
def defparameter(form: Any, env: Any) -> Any:
    name, value, *doc = _check(form, 2, 3)
    name = _variable_name(name, form)
    return L(PROGN, L(EVAL_WHEN, ALWAYS, sys_call("%PROCLAIM-SPECIAL", L(QUOTE, name))),
             L(SETQ, name, value), _documented_variable(name, doc))


@macro("DEFCONSTANT")
def defconstant(form: Any, env: Any) -> Any:
    name, value, *doc = _check(form, 2, 3)
    name = _variable_name(name, form)
    return L(EVAL_WHEN, ALWAYS, sys_call("%DEFCONSTANT", L(QUOTE, name), value), _documented_variable(name, doc))


def _documented_variable(name: Symbol, doc: list[Any]) -> Any:
    """The form that ends a variable's definition: ``'name``, recording its documentation string
    on the way if it has one."""
    if doc and isinstance(doc[0], str):
        return sys_call("%SET-DOCUMENTATION", L(QUOTE, name), L(QUOTE, cl_symbol("VARIABLE")), doc[0])
    return L(QUOTE, name)


def _defvar(sym: Symbol, thunk: Any) -> Symbol:
    if not namespace.boundp(sym):
        namespace.set_symbol_value(sym, thunk())
    return sym


def _defconstant(sym: Symbol, value: Any) -> Symbol:
    if namespace.is_constant(sym) and namespace.global_value_is_set(sym) and \
            not eql_p(namespace.symbol_value(sym), value):
        raise program_error(f"DEFCONSTANT of {show(sym)}: it is already a constant with another value")
    namespace.proclaim_constant(sym, value)
    return sym


@macro("DECLAIM")
def declaim(form: Any, env: Any) -> Any:
    return L(EVAL_WHEN, ALWAYS, *(L(cl_symbol("PROCLAIM"), L(QUOTE, spec)) for spec in arguments(form)))


def proclaim(spec: Any) -> None:
    """``proclaim``: ``special``, ``inline`` and ``notinline`` declarations take effect; the others
    are accepted and ignored. A dotted specifier, or a dotted list of names, is a PROGRAM-ERROR."""
    tail = spec
    while isinstance(tail, Cons):
        tail = tail.cdr
    if tail is not None:
        raise program_error(f"PROCLAIM: the declaration specifier {show(spec)} is not a proper list", spec)
    if isinstance(spec, Cons) and spec.car is SPECIAL:
        for sym in iter_list(spec.cdr):
            namespace.proclaim_special(_variable_name(sym, spec))
    elif isinstance(spec, Cons) and spec.car in (NOTINLINE, INLINE):
        proclaim_inlining(spec)


# -- multiple values ---------------------------------------------------------------------------

@macro("MULTIPLE-VALUE-BIND")
def multiple_value_bind(form: Any, env: Any) -> Any:
    variables, value, *body = _check(form, 2)
    tmp = gensym("VALUES")
    bindings = [L(var, L(NTH_OF, i, tmp)) for i, var in enumerate(iter_list(variables))]
    # The binding list carries the variables' position: they are the programmer's, whose unused
    # ones are reported (lisp.compiler.compilation_unit.check_unused).
    return L(LET, L(L(tmp, L(MULTIPLE_VALUES, value))), make_list([LET, inherit_pos(make_list(bindings), variables),
                                                                  *body]))


@macro("MULTIPLE-VALUE-LIST")
def multiple_value_list(form: Any, env: Any) -> Any:
    (value,) = _check(form, 1, 1)
    return sys_call("%TUPLE-LIST", L(MULTIPLE_VALUES, value))


@macro("NTH-VALUE")
def nth_value(form: Any, env: Any) -> Any:
    n, value = _check(form, 2, 2)
    return L(NTH_OF, n, L(MULTIPLE_VALUES, value))


@macro("MULTIPLE-VALUE-SETQ")
def multiple_value_setq(form: Any, env: Any) -> Any:
    variables, value = _check(form, 2, 2)
    names = list(iter_list(variables))
    if any(isinstance(v, Symbol) and macroexpand_1(v, env)[1] for v in names):
        # A symbol macro's expansion is a place, set as SETF of VALUES sets it (CLHS 5.3).
        return L(cl_symbol("VALUES"), L(cl_symbol("SETF"), make_list([cl_symbol("VALUES"), *names]), value))
    tmp = gensym("VALUES")
    sets = [L(SETQ, var, L(NTH_OF, i, tmp)) for i, var in enumerate(iter_list(variables))]
    return make_list([LET, L(L(tmp, L(MULTIPLE_VALUES, value))), *sets, L(NTH_OF, 0, tmp)])


def nth_of(n: int, vals: tuple[Any, ...]) -> Any:
    return vals[n] if 0 <= n < len(vals) else None


namespace.builtin("%DEFUN", SYSTEM)(define_function)
namespace.builtin("%DEFINE-MACRO", SYSTEM)(_define_macro)
namespace.builtin("%PROCLAIM-SPECIAL", SYSTEM)(namespace.proclaim_special)
namespace.builtin("%DEFVAR", SYSTEM)(_defvar)
namespace.builtin("%DEFCONSTANT", SYSTEM)(_defconstant)
namespace.builtin("%NTH-OF", SYSTEM)(nth_of)
namespace.builtin("%TUPLE-LIST", SYSTEM)(make_list)
namespace.builtin("PROCLAIM")(proclaim)
namespace.builtin("VALUES")(mv.values)
namespace.builtin("VALUES-LIST")(mv.values_list)
