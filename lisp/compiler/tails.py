"""Tail positions and the multiple-values register (the invariant is in :mod:`lisp.runtime.values`).

A form in tail position of a function body (or of a top-level form, or of a multiple-value
consumer) passes the values of its tail call on unchanged; anything else evaluated before that
call may have recorded values of its own (``(let ((a (f))) a)``, ``(k (f))``), which must not be
taken for the form's. :func:`mark_tail` rewrites the tail of a form so that the register is
cleared at each tail that yields one value, and between the arguments and the call of each tail
call (after its arguments). The clear is
``(sys::%clear-pending-values)``: ``if HOLDERS: clear()``, one truth test when no thread holds
values.

The tail is followed through ``progn``, ``the``, ``block`` (its normal exit), both branches of
``if`` and macros, and into the value of a ``return-from`` the function's own block (compiled by
RETURN-FROM), and into the bodies of ``let``, ``let*``, ``locally``, ``flet``, ``labels``,
``macrolet`` and ``symbol-macrolet`` (marked where they are compiled, in the environment they
make, where a variable may shadow a symbol macro: ``sys::%tail-body``); other
special forms are left as they are (a ``return-from`` to another block and the bodies of
``catch``, ``handler-case``... are a documented gap).

No clear is needed at a tail of a function body reached by code that *records nothing* (see
:func:`records_nothing`: no call but open-coded operators), ``(lambda (step) (setq n (+ n step)))``
or the ``n`` branch of ``(if (< n 2) n (+ (fib ...) ...))``, nor before such a tail call whose
arguments record nothing (``(defun f (x) (g (+ x 1)))``): the register then holds what it held
when the function was entered, and that is no value of its own only if the caller evaluated
something before the call -- which the caller's own tail clears (a tail call clears between its
arguments and the call, every other tail after its value). Within the function, ``clean`` says
that nothing evaluated so far recorded values.
"""

from __future__ import annotations

import ast
from typing import Any

from lisp.compiler.core import (
    OPEN_CODED,
    OPEN_CODED_CALLS,
    SPECIAL_FORMS,
    Result,
    arguments,
    call,
    compile_body,
    inherit_pos,
    name,
    special_form,
)
from lisp.compiler.env import Env
from lisp.compiler.macros import FUNCTION, LET, QUOTE, expand, gensym, macroexpand
from lisp.runtime.data import SYSTEM, Cons, Symbol, T, cl_symbol, make_list

CLEAR_PENDING = SYSTEM.intern("%CLEAR-PENDING-VALUES")
TAIL_BODY = SYSTEM.intern("%TAIL-BODY")
IF = cl_symbol("IF")
PROGN = cl_symbol("PROGN")
LOCALLY = cl_symbol("LOCALLY")
SETQ = cl_symbol("SETQ")
THE = cl_symbol("THE")
DECLARE = cl_symbol("DECLARE")
_BINDING_FORMS = (LET, cl_symbol("LET*"))
# Forms that define local functions or macros, then evaluate a body (its last form is their value).
_LOCAL_DEFINITIONS = {cl_symbol(n) for n in ("FLET", "LABELS", "MACROLET", "SYMBOL-MACROLET")}

_ONE_VALUE = {*(cl_symbol(n) for n in ("QUOTE", "FUNCTION", "SETQ", "GO", "THROW", "RETURN-FROM", "TAGBODY")),
              CLEAR_PENDING}
# Forms whose value is that of their last subform, and where their body starts.
_LAST_FORM = {cl_symbol(n): i for n, i in (("PROGN", 0), ("LET", 1), ("LET*", 1), ("LOCALLY", 0), ("THE", 1))}
# Forms marked in place (they bind nothing), and where their body starts; the tail of a block is
# that of its normal exit (a RETURN-FROM brings other values: never one value).
_TAIL_FORM = {PROGN: 0, THE: 1, cl_symbol("BLOCK"): 1}


@special_form("%CLEAR-PENDING-VALUES", SYSTEM)
def clear_pending_values(form: Any, env: Env) -> Result:
    """Forget this thread's recorded values, testing first (cheaply) whether any thread has some."""
    test = ast.If(test=name("%mv_pending"), body=[ast.Expr(call("%mv_clear"))], orelse=[])
    return Result([test], ast.Constant(None))


def one_value(form: Any, env: Env) -> bool:
    """Whether ``form`` surely produces exactly one value, by looking at the code itself.

    Then a consumer of its values does not consult the values register at all, so a function
    called inside it that left values there cannot be mistaken for the form's own values.
    """
    return _facts(form, env)[1]


def records_nothing(form: Any, env: Env) -> bool:
    """Whether evaluating ``form`` surely records no values: it calls no function but the
    open-coded operators (whose fallback functions return one value), on forms like itself."""
    return _facts(form, env)[0]


_ATOM = (True, True)


def _facts(form: Any, env: Env) -> tuple[bool, bool]:
    """``(records_nothing, one_value)`` of ``form``, learnt once per compilation unit and lexical
    scope (``Env.scope``) from those of its subforms, so marking nested tails takes time linear in
    the nesting. The answers are read in the environment around a ``let`` or ``locally`` for the
    forms of its body too: such a frame only binds variables, which may shadow a symbol macro
    (the body's truth is then a variable reference, which records nothing and is one value: the
    answer read outside is the same or more cautious)."""
    if not (isinstance(form, Cons) and form.car in SPECIAL_FORMS):
        form = expand(form, env)[0]
    if not isinstance(form, Cons):
        return _ATOM
    key = (id(form), id(env.scope), env.self_call)
    known = env.unit.facts.get(key)
    if known is None:
        known = env.unit.facts[key] = (form, env.scope, _learn(form, env))
    return known[2]


def _learn(form: Cons, env: Env) -> tuple[bool, bool]:
    head = form.car
    if not isinstance(head, Symbol) or env.lookup_function(head) is not None:
        return False, False
    if head is QUOTE or head is FUNCTION:  # making a closure runs none of its body
        return True, True
    parts = arguments(form)
    if head is SETQ:
        return all(not _symbol_macro(v, env) for v in parts[::2]) and _all_quiet(parts[1::2], env), True
    if head in _LAST_FORM:
        body = [f for f in parts[_LAST_FORM[head]:] if not _is_declaration(f)]
        one = not body or _facts(body[-1], env)[1]
        if head is THE:
            return len(parts) == 2 and _facts(parts[1], env)[0], one
        if head in _BINDING_FORMS:
            return bool(parts) and _bindings_record_nothing(parts[0], env) and _all_quiet(body, env), one
        return _all_quiet(body, env), one
    if head is IF:  # a missing else branch is NIL: one value
        return _all_quiet(parts, env), all(_facts(branch, env)[1] for branch in parts[1:])
    if head in OPEN_CODED and head not in OPEN_CODED_CALLS:
        return _all_quiet(parts, env), True
    if env.self_call is not None and head is env.self_call[0]:  # see lisp.compiler.self_calls
        return _all_quiet(parts, env), True
    return False, head in _ONE_VALUE


def _all_quiet(forms: list[Any], env: Env) -> bool:
    return all(_facts(f, env)[0] for f in forms)


def _bindings_record_nothing(bindings: Any, env: Env) -> bool:
    while isinstance(bindings, Cons):  # a malformed list is reported when it is compiled
        binding = bindings.car
        if isinstance(binding, Cons) and isinstance(binding.cdr, Cons) and not records_nothing(binding.cdr.car, env):
            return False
        bindings = bindings.cdr
    return True


def _body_records_nothing(forms: list[Any], env: Env) -> bool:
    return _all_quiet([f for f in forms if not _is_declaration(f)], env)


def _symbol_macro(sym: Any, env: Env) -> bool:
    """Whether ``sym`` is a (local or global) symbol macro: ``setq`` of it is a ``setf``."""
    return isinstance(sym, Symbol) and macroexpand(sym, env)[1]


def mark_body(forms: list[Any], env: Env, clean: bool = False) -> list[Any]:
    """A body (``progn``) whose last form is marked as a tail (see :func:`mark_tail`); ``clean``
    says that nothing evaluated before the body recorded values."""
    if not forms:
        return [] if clean else [_single(None)]
    clean = clean and _body_records_nothing(forms[:-1], env)
    return [*forms[:-1], mark_tail(forms[-1], env, clean)]


def mark_tail(form: Any, env: Env, clean: bool = False) -> Any:
    """``form`` rewritten so that it leaves in the register only values of its own tail calls;
    ``clean`` says that nothing evaluated before it in the function recorded values. A macro call
    at the tail is replaced by its expansion (expanded once: macros.expand_1); the body of a form
    that binds (variables, functions, macros) is marked where it is compiled, in its own
    environment (``sys::%tail-body``)."""
    if isinstance(form, Symbol):  # a symbol macro: its expansion is the tail
        expanded, is_macro = macroexpand(form, env)
        if is_macro:
            return mark_tail(expanded, env, clean)
    quiet, one = _facts(form, env)
    if clean and quiet:
        return form
    if not isinstance(form, Cons) or (one and not (clean and _clean_if(form, env))):
        return _single(form, form)  # one clear for all its branches
    head = form.car
    local = isinstance(head, Symbol) and env.lookup_function(head) is not None
    if local or not isinstance(head, Symbol) or head not in SPECIAL_FORMS:
        expanded, is_macro = expand(form, env)
        if is_macro:
            return mark_tail(expanded, env, clean)
        if clean and isinstance(head, Symbol) and all(records_nothing(a, env) for a in arguments(form)):
            return form  # the register is as it was on entry: the callee's values are its own
        return _tail_call(form, env)
    if head is IF:
        parts = arguments(form)
        if len(parts) not in (2, 3):
            return form  # the compiler reports it
        clean = clean and records_nothing(parts[0], env)
        branches = [mark_tail(p, env, clean) for p in parts[1:]]
        if len(parts) == 2:
            branches.append(_single(None))
        return _rebuild(form, [IF, parts[0], *branches])
    if head in _BINDING_FORMS:
        parts = arguments(form)
        return _mark_body_where_compiled(form, 1, clean and bool(parts) and _bindings_record_nothing(parts[0], env))
    if head in _LOCAL_DEFINITIONS:
        return _mark_body_where_compiled(form, 1, clean)
    if head is LOCALLY:
        return _mark_body_where_compiled(form, 0, clean)
    if head in _TAIL_FORM:
        parts = arguments(form)
        start = _TAIL_FORM[head]
        if len(parts) < start:
            return form  # the compiler reports it
        body = [f for f in parts[start:] if not _is_declaration(f)]
        if not body:
            return form
        last = max(i for i, f in enumerate(parts) if i >= start and f is body[-1])
        clean = clean and _body_records_nothing(parts[start:last], env)
        return _rebuild(form, [head, *parts[:last], mark_tail(parts[last], env, clean), *parts[last + 1:]])
    return _single(form, form) if one else form


def _mark_body_where_compiled(form: Any, start: int, clean: bool) -> Any:
    """``(let bindings decl... . body)`` -> ``(let bindings decl... (sys::%tail-body clean . body))``
    (``start``: where declarations may begin), for ``let``, ``let*``, ``locally``, ``flet``,
    ``labels``, ``macrolet`` and ``symbol-macrolet``: the body is marked where it is compiled,
    among the variables, functions and macros it sees."""
    parts = arguments(form)
    if len(parts) < start:
        return form  # the compiler reports it
    while start < len(parts) and _is_declaration(parts[start]):
        start += 1
    body = make_list([TAIL_BODY, T if clean else None, *parts[start:]])
    return _rebuild(form, [form.car, *parts[:start], inherit_pos(body, form)])


@special_form("%TAIL-BODY", SYSTEM)
def tail_body(form: Any, env: Env) -> Result:
    """``(sys::%tail-body clean . forms)``: the forms of a body in tail position, marked here."""
    clean, *forms = arguments(form)
    return compile_body(mark_body(forms, env, clean is not None), env)


def _clean_if(form: Any, env: Env) -> bool:
    """Whether ``form`` is an ``if`` whose test records nothing: then a branch that records
    nothing either needs no clear (``fib``'s ``n``), and each branch is marked on its own."""
    if not (isinstance(form, Cons) and form.car in SPECIAL_FORMS):
        form = expand(form, env)[0]
    return isinstance(form, Cons) and form.car is IF and isinstance(form.cdr, Cons) \
        and records_nothing(form.cdr.car, env)


def _tail_call(form: Any, env: Env) -> Any:
    """``(f a (g) c)`` -> ``(let ((#:a a) (#:g (g))) (clear-pending) (f #:a #:g c))``: whatever
    ran before the call (its arguments, earlier forms of the body) recorded no values of the
    call's. Arguments up to the last one that is not a variable or constant are bound in order,
    so a variable is read before a later argument assigns it."""
    args = arguments(form)
    last = max((i for i, a in enumerate(args) if not _simple(a, env)), default=-1)
    temps = [gensym("ARG") if i <= last and not _constant(a) else a for i, a in enumerate(args)]
    bindings = [_rebuild(a, [t, a]) for t, a in zip(temps, args) if t is not a]
    inner = _rebuild(form, [form.car, *temps]) if bindings else form
    return _rebuild(form, [LET, make_list(bindings), make_list([CLEAR_PENDING]), inner])


def _single(value: Any, where: Any = None) -> Any:
    """A form yielding ``value``'s one value with the register cleared after computing it."""
    if not isinstance(value, Cons) or value.car is QUOTE:  # reading it records nothing
        return _rebuild(where, [PROGN, make_list([CLEAR_PENDING]), value])
    tmp = gensym("VALUE")
    return _rebuild(where, [LET, make_list([make_list([tmp, value])]), make_list([CLEAR_PENDING]), tmp])


def _simple(form: Any, env: Env) -> bool:
    if isinstance(form, Symbol):  # a symbol macro is a form evaluated where it appears
        return macroexpand(form, env)[0] is form
    return not isinstance(form, Cons) or form.car is QUOTE or (form.car is FUNCTION and isinstance(form.cdr, Cons)
                                                               and not isinstance(form.cdr.car, Cons))


def _constant(form: Any) -> bool:
    if isinstance(form, Symbol):
        return form.is_keyword or form is T
    return not isinstance(form, Cons) or form.car is QUOTE


def _is_declaration(form: Any) -> bool:
    return isinstance(form, Cons) and form.car is DECLARE


def _rebuild(where: Any, elements: list[Any]) -> Any:
    """The list of ``elements``, carrying the source position of ``where`` when it has one."""
    return inherit_pos(make_list(elements), where)
