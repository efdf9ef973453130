"""Open-coded operators: calls of a few CL functions compiled to Python operators.

Only where Python's operator gives the Common Lisp result on numbers: ratios are
:class:`lisp.runtime.ratio.Ratio`, whose own arithmetic returns an integer when the denominator is 1, so
``(+ a b)`` is plain ``a + b``. On non-numbers Python's meaning applies: a deviation written in the
compiler's docstring. A form with an unexpected number of arguments is compiled as an ordinary
call, so the function reports the error. ``funcall`` and ``apply`` are direct calls (diagnosed only
if they fail); ``mod`` by an integer literal is ``%``; ``values`` for all its values is the tuple of
its arguments.

An operator of :data:`~lisp.compiler.core.OPEN_CODED` gives a Result of one value that records
what its arguments record; FUNCALL, APPLY and VALUES (:data:`~lisp.compiler.core.OPEN_CODED_CALLS`)
take the destination of their values.
"""

from __future__ import annotations

import ast
from functools import reduce
from typing import Any

from lisp.compiler.core import (
    ALL,
    NOTHING,
    OPEN_CODED,
    OPEN_CODED_CALLS,
    TESTS,
    VALUES,
    Result,
    assign,
    call,
    call_to,
    compile_args,
    compile_call,
    is_none,
    lisp_bool,
    name,
    store,
    temp,
)
from lisp.compiler.env import Env
from lisp.compiler.result import Dest
from lisp.runtime import namespace
from lisp.runtime.data import SYSTEM, Cons, Symbol, cl_symbol, make_list

QUOTE = cl_symbol("QUOTE")
FUNCTION = cl_symbol("FUNCTION")
EQ = cl_symbol("EQ")

_ARITHMETIC = {"+": (ast.Add, 0), "*": (ast.Mult, 1), "-": (ast.Sub, None)}
_COMPARISONS = {"<": ast.Lt, ">": ast.Gt, "<=": ast.LtE, ">=": ast.GtE, "=": ast.Eq, "/=": ast.NotEq}


def _arithmetic(op: type[ast.operator], identity: int | None):
    def opener(args: list[Any], env: Env) -> Result | None:
        if not args and identity is not None:
            return Result([], ast.Constant(identity), NOTHING)
        if not args or (len(args) == 1 and identity is not None):
            return None  # (+ x) must still check that x is a number: the function does
        a = compile_args(args, env)
        if len(a.exprs) == 1:
            return Result(a.stmts, ast.UnaryOp(op=ast.USub(), operand=a.exprs[0]), a.records)
        return Result(a.stmts, reduce(lambda x, y: ast.BinOp(left=x, op=op(), right=y), a.exprs), a.records)

    return opener


def _comparison(op: type[ast.cmpop], chains: bool):
    """Two arguments: ``a < b``. More, for an operator that ``chains`` (all but ``/=``), when
    they are variables or constants: ``a < b < c`` (Python stops at the first false comparison,
    which only matters for what is no real: a documented deviation)."""

    def test(args: list[Any], env: Env) -> Result | None:
        if len(args) < 2 or (len(args) > 2 and not (chains and all(_plain(f, env) for f in args[1:]))):
            return None
        a = compile_args(args, env)
        first, *rest = a.exprs
        return Result(a.stmts, ast.Compare(left=first, ops=[op() for _ in rest], comparators=rest), a.records)

    return test


def _plain(form: Any, env: Env) -> bool:
    """Whether evaluating ``form`` can do nothing but give its value: a lexical variable or a
    self-evaluating atom."""
    if isinstance(form, Symbol):
        var = env.lookup_variable(form)
        return (var is not None and not var.special and not var.is_symbol_macro) or form.is_keyword
    return not isinstance(form, Cons)


def _step(op: type[ast.operator]):
    def opener(args: list[Any], env: Env) -> Result | None:
        if len(args) != 1:
            return None
        a = compile_args(args, env)
        return Result(a.stmts, ast.BinOp(left=a.exprs[0], op=op(), right=ast.Constant(1)), a.records)

    return opener


def _eq(as_value: bool):
    """``eq`` is ``is``; with a literal number or string (CPython warns on ``is`` with a literal,
    and eq on them is implementation-dependent anyway) the EQ function is called instead. The
    opener of a test, or (``as_value``) of the value T or NIL."""

    def opener(args: list[Any], env: Env) -> Result | None:
        if len(args) != 2:
            return None
        a = compile_args(args, env)
        if any(isinstance(x, ast.Constant) and x.value is not None for x in a.exprs):
            called = call(namespace.function_key(EQ), *a.exprs)
            return Result(a.stmts, called if as_value else is_none(called, negate=True), a.records)
        same = ast.Compare(left=a.exprs[0], ops=[ast.Is()], comparators=[a.exprs[1]])
        return Result(a.stmts, lisp_bool(same) if as_value else same, a.records)

    return opener


def _null_test(args: list[Any], env: Env) -> Result | None:
    if len(args) != 1:
        return None
    a = compile_args(args, env)
    if isinstance(a.exprs[0], ast.Constant):  # `3 is None` would be a SyntaxWarning
        return Result(a.stmts, ast.Constant(a.exprs[0].value is None), a.records)
    return Result(a.stmts, is_none(a.exprs[0]), a.records)


def _as_value(test):
    def opener(args: list[Any], env: Env) -> Result | None:
        tested = test(args, env)
        return None if tested is None else Result(tested.stmts, lisp_bool(tested.expr), tested.records)

    return opener


def _funcall(args: list[Any], env: Env, dest: Dest) -> Result | None:
    """``(funcall f . args)``: ``F(A)``, a plain Python call, so a FUNCALL costs what a Python call
    of a variable does. A symbol is callable (it calls its global function); anything else that
    cannot be called raises Python's TypeError, which the condition system reads as FUNCALL's
    TYPE-ERROR, or UNDEFINED-FUNCTION for NIL, with the datum read back from the failing frame
    (``lisp.runtime.host_errors``). A constant that cannot be a function (NIL, a number, a quoted symbol)
    goes through ``%function_designator`` at once.
    """
    if not args:
        return None
    head = args[0]
    if isinstance(head, Cons) and head.car is FUNCTION and isinstance(head.cdr, Cons) and head.cdr.cdr is None \
            and isinstance(head.cdr.car, Symbol) and env.lookup_function(head.cdr.car) is None:
        # (funcall #'f x) is a call of the global function f (no macro expansion, no open coding)
        return compile_call(make_list([head.cdr.car, *args[1:]]), env, dest)
    return _designated_call(args, env, dest, spread=False)


def _apply(args: list[Any], env: Env, dest: Dest) -> Result | None:
    """``(apply f a ... list)``: ``F(A, *%spread_arguments(LIST))`` (which checks that it is a
    list), in a ``try`` (free in CPython >= 3.11) that only on a TypeError asks whether ``f`` was
    callable at all, so that ``(apply 5 nil)``'s TYPE-ERROR names 5 (a spread call leaves nothing
    in the frame to read it back from)::

        try:
            %r = F(A, *%spread_arguments(LIST))
        except TypeError:
            if callable(F): raise        # raised by the call of a function or inside it
            %r = %function_designator(F)(A, *%spread_arguments(LIST))
    """
    return _designated_call(args, env, dest, spread=True) if len(args) >= 2 else None


def _designated_call(args: list[Any], env: Env, dest: Dest, spread: bool) -> Result:
    compiled = compile_args(args, env)
    if isinstance(compiled.exprs[0], ast.Constant) or (isinstance(args[0], Cons) and args[0].car is QUOTE):
        # NIL, a number, a quoted symbol...: never a Python function, so no direct call.
        return call_to(compiled, env, dest,
                       lambda exprs: Result([], _call(call("%function_designator", exprs[0]), exprs[1:], spread)))
    if not spread:
        return call_to(compiled, env, dest, lambda exprs: Result([], call(exprs[0], *exprs[1:])))
    return call_to(compiled, env, dest, lambda exprs: _guarded_apply(exprs, env))


def _guarded_apply(exprs: list[ast.expr], env: Env) -> Result:
    stmts: list[ast.stmt] = []
    operands = []
    for expr in exprs:  # each is used again in the handler: evaluate it once, first
        more, operand = temp(Result([], expr), env, "%a")
        stmts.extend(more)
        operands.append(operand)
    fn, *rest = operands
    out = env.unit.fresh("%r")
    fallback = [ast.If(test=call("callable", fn), body=[ast.Raise()], orelse=[]),
                assign(out, _call(call("%function_designator", fn), rest, True))]
    handler = ast.ExceptHandler(type=name("TypeError"), name=None, body=fallback)
    guarded = ast.Try(body=[assign(out, _call(fn, rest, True))], handlers=[handler], orelse=[], finalbody=[])
    return Result([*stmts, guarded], name(out))


def _values(args: list[Any], env: Env, dest: Dest) -> Result | None:
    """``(values . args)`` for all its values is the tuple of its arguments, and at a tail it needs
    no clear of the register before it: it records its own values over whatever was there."""
    if dest is ALL:
        a = compile_args(args, env)
        return Result(a.stmts, ast.Tuple(elts=a.exprs, ctx=ast.Load()), a.records)
    if dest.tail:
        a = compile_args(args, env)
        return Result(a.stmts, call(namespace.function_key(cl_symbol("VALUES")), *a.exprs), VALUES)
    return None


def _call(fn: ast.expr, args: list[ast.expr], spread: bool) -> ast.Call:
    if not spread:
        return call(fn, *args)
    last = ast.Starred(value=call("%spread_arguments", args[-1]), ctx=ast.Load())
    return call(fn, *args[:-1], last)


def _cons_field(field: str):
    """``sys::%car``/``sys::%cdr``: a field of what is known to be a cons (the compiler's own
    expansions use them after checking)."""

    def opener(args: list[Any], env: Env) -> Result | None:
        a = compile_args(args, env)
        return Result(a.stmts, ast.Attribute(value=a.exprs[0], attr=field, ctx=ast.Load()), a.records)

    return opener


def _mod(args: list[Any], env: Env) -> Result | None:
    """``(mod x n)`` with a non-zero integer literal ``n`` is Python's ``x % n``: both take the sign
    of the divisor (floor), and a ratio modulo an integer keeps its denominator. Python's float
    ``%`` signs a zero result after the divisor where CL does not, so such cases go to the MOD
    function: for ``n > 0`` only a zero ``x`` gives one (``(mod -0.0 5)`` is -0.0), tested before
    the division, ``(x := X) % n if x else MOD(x, n)``; for ``n < 0`` any zero result can (``(mod
    5.0 -5)`` is 0.0), ``m if (m := (x := X) % n) else MOD(x, n)``."""
    if len(args) != 2 or type(args[1]) is not int or args[1] == 0:
        return None
    a = compile_args(args, env)
    stmts, (x, n) = a.stmts, a.exprs
    number = env.unit.fresh("%x")
    fallback = call(namespace.function_key(MOD), name(number), n)
    if args[1] > 0:
        remainder = ast.BinOp(left=name(number), op=ast.Mod(), right=n)
        return Result(stmts, ast.IfExp(test=ast.NamedExpr(target=store(number), value=x), body=remainder,
                                       orelse=fallback), a.records)
    result = env.unit.fresh("%m")
    remainder = ast.BinOp(left=ast.NamedExpr(target=store(number), value=x), op=ast.Mod(), right=n)
    return Result(stmts, ast.IfExp(test=ast.NamedExpr(target=store(result), value=remainder), body=name(result),
                                   orelse=fallback), a.records)


MOD = cl_symbol("MOD")
OPEN_CODED[MOD] = _mod
OPEN_CODED_CALLS[cl_symbol("FUNCALL")] = _funcall
OPEN_CODED_CALLS[cl_symbol("APPLY")] = _apply
OPEN_CODED_CALLS[cl_symbol("VALUES")] = _values
OPEN_CODED[SYSTEM.intern("%CAR")] = _cons_field("car")
OPEN_CODED[SYSTEM.intern("%CDR")] = _cons_field("cdr")
TESTS[SYSTEM.intern("%ENDP")] = _null_test
for _name, (_op, _identity) in _ARITHMETIC.items():
    OPEN_CODED[cl_symbol(_name)] = _arithmetic(_op, _identity)
for _name, _op in _COMPARISONS.items():
    TESTS[cl_symbol(_name)] = _comparison(_op, chains=_name != "/=")
OPEN_CODED[cl_symbol("1+")] = _step(ast.Add)
OPEN_CODED[cl_symbol("1-")] = _step(ast.Sub)
TESTS[EQ] = _eq(as_value=False)
for _name in ("NOT", "NULL"):
    TESTS[cl_symbol(_name)] = _null_test
for _sym, _test in TESTS.items():
    OPEN_CODED[_sym] = _as_value(_test)
OPEN_CODED[EQ] = _eq(as_value=True)
