"""Macros: the global registry, macroexpansion, and expanders made from ``defmacro`` lambda lists.

An expander is a Python callable ``expander(form, env) -> expansion``; ``env`` is the compiler's
:class:`~lisp.compiler.env.Env` (or None for the global environment), passed through to nested
``macroexpand`` calls as the ``&environment`` object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisp.compiler.env import Env
from lisp.compiler.forms import arguments, program_error, show
from lisp.compiler.lambda_list import destructure
from lisp.runtime import namespace
from lisp.runtime.condition_classes import Condition, ProgramError
from lisp.runtime.data import (
    SYSTEM,
    Cons,
    Symbol,
    T,
    cl_symbol,
    iter_list,
    keyword,
    lisp_list,
    make_list,
    source_pos,
)
from lisp.runtime.values import values

Expander = Callable[[Any, Any], Any]
MACROS: dict[Symbol, Expander] = {}
# define-symbol-macro: global symbol macros, each symbol to its expansion.
SYMBOL_MACROS: dict[Symbol, Any] = {}

LAMBDA = cl_symbol("LAMBDA")
FUNCTION = cl_symbol("FUNCTION")
LET = cl_symbol("LET")
QUOTE = cl_symbol("QUOTE")
CDR = cl_symbol("CDR")
DESTRUCTURE = SYSTEM.intern("%DESTRUCTURE")
NAMED_LAMBDA = SYSTEM.intern("%NAMED-LAMBDA")


def define_macro(sym: Symbol, expander: Expander) -> Symbol:
    """Make ``sym`` name a global macro; its global function, if any, is removed."""
    if not isinstance(sym, Symbol):
        raise program_error(f"a macro name must be a symbol, not {show(sym)}")
    namespace.fmakunbound(sym)
    MACROS[sym] = expander
    return sym


def macro(name: str, package: Any = None) -> Callable[[Expander], Expander]:
    """Decorator: register a Python expander for the macro ``name`` (COMMON-LISP by default)."""

    def register(fn: Expander) -> Expander:
        define_macro(cl_symbol(name) if package is None else package.intern(name), fn)
        return fn

    return register


def macro_function(sym: Symbol, env: Env | None = None) -> Expander | None:
    if env is not None:
        local = env.lookup_function(sym)
        if local is not None:
            return local.expander
    return MACROS.get(sym)


def _at_macro_use(error: Condition, form: Any) -> None:
    """An error signalled by an expander is reported where the macro was used (the innermost use
    with a position, for nested expansions), unless it is a syntax error that already names the
    faulty subform."""
    use = source_pos(form)
    if use is None or getattr(error, "macro_use", None) is not None:
        return
    if isinstance(error, ProgramError) and error.pos is not None:
        return
    error.macro_use = use
    error.pos = use


def macroexpand_1(form: Any, env: Env | None = None) -> tuple[Any, bool]:
    """Expand ``form`` once if it is a macro call or a symbol macro; ``(expansion, expanded?)``."""
    if isinstance(form, Cons) and isinstance(form.car, Symbol):
        expander = macro_function(form.car, env)
        if expander is not None:
            try:
                return expander(form, env), True
            except Condition as error:
                _at_macro_use(error, form)
                raise
    elif isinstance(form, Symbol):
        var = env.lookup_variable(form) if env is not None else None
        if var is not None:
            if var.is_symbol_macro:
                return var.expansion, True
        elif form in SYMBOL_MACROS and (env is None or not env.locally_special(form)):
            return SYMBOL_MACROS[form], True
    return form, False


def define_symbol_macro(sym: Symbol, expansion: Any) -> Symbol:
    """``define-symbol-macro``: ``sym`` stands for ``expansion`` wherever no binding shadows it."""
    if not isinstance(sym, Symbol) or namespace.is_special(sym) or namespace.is_constant(sym):
        raise program_error(f"DEFINE-SYMBOL-MACRO: {show(sym)} is not a symbol that may become a symbol macro")
    SYMBOL_MACROS[sym] = expansion
    return sym


def macroexpand(form: Any, env: Env | None = None) -> tuple[Any, bool]:
    """Expand ``form`` until it is no macro call; ``(expansion, expanded at all?)``."""
    expanded_any = False
    while True:
        form, expanded = macroexpand_1(form, env)
        if not expanded:
            return form, expanded_any
        expanded_any = True


def gensym(hint: str = "G") -> Symbol:
    return Symbol(hint)


def destructuring_lambda(fname: Any, pattern: Any, body: list[Any], where: Any = None) -> tuple[Any, Any, Any]:
    """A ``%named-lambda`` taking the elements of a list that matches ``pattern``.

    Returns ``(lambda-form, whole-var, environment-var)``; nested patterns are destructured
    inside the lambda with ``destructuring-bind``.
    """
    d = destructure(pattern, gensym, where)
    for var, sub in reversed(d.nested):
        body = [make_list([cl_symbol("DESTRUCTURING-BIND"), sub, var, *body])]
    return make_list([NAMED_LAMBDA, fname, d.ordinary, *body]), d.whole, d.environment


def destructuring_form(fname: Any, pattern: Any, value: Any, body: list[Any], where: Any) -> Any:
    """``(destructuring-bind pattern value . body)`` as code."""
    lam, whole, environment = destructuring_lambda(fname, pattern, body, where)
    if environment is not None:
        raise program_error(f"&ENVIRONMENT is only allowed in a macro lambda list: {show(pattern)}", where)
    if whole is None:
        return lisp_list(DESTRUCTURE, lam, value, lisp_list(QUOTE, pattern))
    tmp = gensym("WHOLE")
    return lisp_list(LET, lisp_list(lisp_list(tmp, value)),
                     lisp_list(LET, lisp_list(lisp_list(whole, tmp)),
                               lisp_list(DESTRUCTURE, lam, tmp, lisp_list(QUOTE, pattern))))


def expander_form(name: Symbol, lambda_list: Any, body: list[Any]) -> Any:
    """``(function (lambda (form env) ...))``: the expander of ``(defmacro name lambda-list . body)``."""
    form_var, env_var = gensym("FORM"), gensym("ENV")
    lam, whole, environment = destructuring_lambda(name, lambda_list, body, lambda_list)
    call = lisp_list(DESTRUCTURE, lam, lisp_list(CDR, form_var), lisp_list(QUOTE, lambda_list), form_var)
    bindings = [lisp_list(v, src) for v, src in ((whole, form_var), (environment, env_var)) if v is not None]
    code = make_list([LET, make_list(bindings), call]) if bindings else call
    ignorable = lisp_list(cl_symbol("DECLARE"), lisp_list(cl_symbol("IGNORABLE"), env_var))
    return lisp_list(FUNCTION, lisp_list(LAMBDA, lisp_list(form_var, env_var), ignorable, code))


def destructure_call(fn: Callable[..., Any], value: Any, pattern: Any, whole: Any = None) -> Any:
    """Apply ``fn`` to the elements of ``value``; a mismatch is a PROGRAM-ERROR naming the form."""
    try:
        args = list(iter_list(value))
    except TypeError:
        raise _mismatch(value, pattern, whole) from None
    try:
        return fn(*args)
    except TypeError as exc:
        if exc.__traceback__ is not None and exc.__traceback__.tb_next is None:
            raise _mismatch(value, pattern, whole) from None
        raise


def _mismatch(value: Any, pattern: Any, whole: Any) -> Exception:
    if whole is not None:
        return program_error(f"wrong arguments in the macro call {show(whole)}: they do not match the lambda list "
                             f"{show(pattern)}", whole)
    return program_error(f"{show(value)} does not match the destructuring lambda list {show(pattern)}")


def _macroexpand_1(form: Any, env: Any = None) -> Any:
    expansion, expanded = macroexpand_1(form, env)
    return values(expansion, T if expanded else None)


def _macroexpand(form: Any, env: Any = None) -> Any:
    expansion, expanded = macroexpand(form, env)
    return values(expansion, T if expanded else None)


namespace.builtin("%DESTRUCTURE", SYSTEM)(destructure_call)
namespace.builtin("%DEFINE-SYMBOL-MACRO", SYSTEM)(define_symbol_macro)


@macro("DEFINE-SYMBOL-MACRO")
def _define_symbol_macro_form(form: Any, env: Any) -> Any:
    args = arguments(form)
    if len(args) != 2:
        raise program_error(f"DEFINE-SYMBOL-MACRO takes a symbol and an expansion: {show(form)}", form)
    always = lisp_list(keyword("COMPILE-TOPLEVEL"), keyword("LOAD-TOPLEVEL"), keyword("EXECUTE"))
    return lisp_list(cl_symbol("EVAL-WHEN"), always, lisp_list(SYSTEM.intern("%DEFINE-SYMBOL-MACRO"),
                                                                 lisp_list(QUOTE, args[0]), lisp_list(QUOTE, args[1])))


namespace.builtin("MACROEXPAND-1")(_macroexpand_1)
namespace.builtin("MACROEXPAND")(_macroexpand)
namespace.builtin("MACRO-FUNCTION")(lambda sym, env=None: macro_function(sym, env))
