"""Apparent self-calls of a ``defun`` that records no values call the definition itself.

CLHS 3.2.2.3 lets a compiler assume that, within a function named F, an apparent recursive call
of F refers to the same definition of F, unless F is declared ``notinline``. We use that only
where it pays: for a function whose body then records no multiple values at all, so that its
tails need no clear of the values register (see :func:`lisp.compiler.core.one_value`). ``fib``'s
``(+ (fib (- n 1)) (fib (- n 2)))`` then compiles to the bare Python expression, as Hy's does.

Why that is sound (the invariant of :mod:`lisp.runtime.values`): if every form of the body of F
records nothing but through its self-calls (``Records.SELF_CALLS``; required parameters only, so
no default forms run), F records nothing, by induction on the depth of self-calls: the deepest
activation calls no F, so it runs only forms that record nothing; an activation whose self-calls
record nothing records nothing. The register then holds, at each tail of F, what it held when F
was entered, so F's tail clears may go: its caller's own tail clears for that. The assumption is
only made true by calling this very definition, never whatever ``#'F`` becomes later, so the
self-calls go through a GLOBALS key of their own (a ``LOAD_GLOBAL`` as cheap as the call through
``#'F``; a closure cell would cost a free-variable copy on every call), bound to the function
when ``defun`` makes it.

The body is compiled once, as if the self-calls could record values (their callee is the Name
node of that key, gathered in ``Env.self_call``); then :func:`settle_self_calls` drops the tail
clears if the body records nothing but through them, and otherwise makes the gathered calls go
through ``#'F`` (the code was generated for that case already).

Only a ``defun`` in the null lexical environment qualifies: every function made from the same
site is then the same code over no captured state, so a site's key holding the latest one is as
good as holding each one's own. A redefinition of F elsewhere leaves the old definition calling
itself, which is what 3.2.2.3 allows; ``(declaim (notinline f))`` or ``(declare (notinline f))``
keep calls through the global name. The key of a site keeps its latest function alive (one per
``defun`` form compiled: a REPL's redefinitions keep their old definitions).
"""

from __future__ import annotations

import ast
import itertools
from typing import Any

from lisp.compiler.core import SELF_CALLS, Result, drop_statements
from lisp.compiler.env import Env, PyFunction, SelfCalls
from lisp.compiler.forms import arguments
from lisp.runtime import namespace
from lisp.runtime.data import Cons, Symbol, cl_symbol

DECLARE = cl_symbol("DECLARE")
NOTINLINE = cl_symbol("NOTINLINE")
INLINE = cl_symbol("INLINE")

# Function names proclaimed notinline (``declaim``); ``inline`` takes a name out again.
NOT_INLINE: set[Symbol] = set()
_sites = itertools.count(1)


def proclaim_inlining(spec: Cons) -> None:
    """``(proclaim '(notinline f ...))`` / ``'(inline f ...)``."""
    names = set(arguments(spec))
    if spec.car is NOTINLINE:
        NOT_INLINE.update(names)
    else:
        NOT_INLINE.difference_update(names)


def self_call_env(fname: Any, lambda_list: Any, body: list[Any], env: Env) -> Env | None:
    """An environment in which the body of ``(defun fname lambda_list . body)`` gathers its
    apparent self-calls, or None where the definition does not qualify."""
    if not isinstance(fname, Symbol) or fname in NOT_INLINE or not _lexically_empty(env):
        return None
    if not _required_only(lambda_list) or _declared_notinline(fname, body):
        return None
    inner = env.extend()
    inner.self_call = SelfCalls(fname, f"%self:{fname.name}:{next(_sites)}")
    return inner


def settle_self_calls(result: Result, env: Env) -> Result:
    """``result``, the body of the function gathering ``env.self_call``, once compiled: without
    its tail clears if it records nothing but through its self-calls (which then stay calls of
    the definition itself: ``env.self_call.kept``), else with the self-calls made through the
    global name."""
    self_call = env.self_call
    if result.records <= SELF_CALLS:
        self_call.kept = True
        dropped, replaced = _without_clears(result.stmts, env.fn)
        return Result(drop_statements(result.stmts, dropped, replaced), result.expr, result.records)
    for callee in self_call.callees:
        callee.id = namespace.function_key(self_call.symbol)
    return result


def _without_clears(stmts: list[ast.stmt], fn: PyFunction) -> tuple[set[int], dict[int, ast.expr]]:
    """What dropping the tail clears of ``fn`` drops (the clears, and the temporaries that held a
    tail call's arguments across them) and replaces (the one read of each such temporary, by its
    value: the arguments are evaluated in the call again)."""
    temps = {t.targets[0].id: t for t in fn.clear_temps}
    reads: dict[str, list[ast.Name]] = {}
    for stmt in stmts:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id in temps and isinstance(node.ctx, ast.Load):
                reads.setdefault(node.id, []).append(node)
    inlined = {pyname: found[0] for pyname, found in reads.items() if len(found) == 1}
    dropped = {id(c) for c in fn.tail_clears} | {id(temps[p]) for p in inlined}
    return dropped, {id(node): temps[p].value for p, node in inlined.items()}


def bind_definition(key: str, function: ast.expr) -> ast.stmt:
    """The statement that makes ``key`` (from :func:`self_call_env`) call ``function``."""
    target = ast.Subscript(value=ast.Name(id="%globals", ctx=ast.Load()), slice=ast.Constant(key),
                           ctx=ast.Store())
    return ast.Assign(targets=[target], value=function)


def _lexically_empty(env: Env | None) -> bool:
    while env is not None:
        if env.variables or env.functions or env.blocks or env.tags:
            return False
        env = env.parent
    return True


def _required_only(lambda_list: Any) -> bool:
    while isinstance(lambda_list, Cons):
        if not isinstance(lambda_list.car, Symbol) or lambda_list.car.name.startswith("&"):
            return False
        lambda_list = lambda_list.cdr
    return lambda_list is None


def _declared_notinline(fname: Symbol, body: list[Any]) -> bool:
    for form in body:
        if isinstance(form, str):
            continue
        if not (isinstance(form, Cons) and form.car is DECLARE):
            return False
        for spec in arguments(form):
            if isinstance(spec, Cons) and spec.car is NOTINLINE and fname in arguments(spec):
                return True
    return False
