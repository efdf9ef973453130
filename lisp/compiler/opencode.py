"""Open-coded operators: calls of a few CL functions compiled to Python operators.

Only where Python's operator gives the Common Lisp result on numbers: ratios are
:class:`lisp.runtime.ratio.Ratio`, whose own arithmetic returns an integer when the denominator is 1, so
``(+ a b)`` is plain ``a + b``. On non-numbers Python's meaning applies: a deviation written in the
compiler's docstring. A form with an unexpected number of arguments is compiled as an ordinary
call, so the function reports the error. ``funcall`` and ``apply`` are direct calls (diagnosed only
if they fail); ``mod`` by an integer literal is ``%``.
"""

from __future__ import annotations

import ast
from functools import reduce
from typing import Any

from lisp.compiler.core import (
    OPEN_CODED,
    TESTS,
    Result,
    assign,
    call,
    compile_args,
    compile_call,
    is_none,
    lisp_bool,
    name,
    store,
    temp,
)
from lisp.compiler.env import Env
from lisp.runtime import namespace
from lisp.runtime.data import SYSTEM, Cons, Symbol, cl_symbol, make_list

QUOTE = cl_symbol("QUOTE")
FUNCTION = cl_symbol("FUNCTION")

_ARITHMETIC = {"+": (ast.Add, 0), "*": (ast.Mult, 1), "-": (ast.Sub, None)}
_COMPARISONS = {"<": ast.Lt, ">": ast.Gt, "<=": ast.LtE, ">=": ast.GtE, "=": ast.Eq, "/=": ast.NotEq}


def _arithmetic(op: type[ast.operator], identity: int | None):
    def opener(args: list[Any], env: Env) -> Result | None:
        if not args and identity is not None:
            return Result([], ast.Constant(identity))
        if not args:
            return None
        stmts, exprs = compile_args(args, env)
        if len(exprs) == 1:
            if identity is None:
                return Result(stmts, ast.UnaryOp(op=ast.USub(), operand=exprs[0]))
            return None  # (+ x) must still check that x is a number: the function does
        return Result(stmts, reduce(lambda a, b: ast.BinOp(left=a, op=op(), right=b), exprs))

    return opener


def _comparison(op: type[ast.cmpop], chains: bool):
    """Two arguments: ``a < b``. More, for an operator that ``chains`` (all but ``/=``), when
    they are variables or constants: ``a < b < c`` (Python stops at the first false comparison,
    which only matters for what is no real: a documented deviation)."""

    def test(args: list[Any], env: Env) -> Result | None:
        if len(args) < 2 or (len(args) > 2 and not (chains and all(_plain(f, env) for f in args[1:]))):
            return None
        stmts, (a, *rest) = compile_args(args, env)
        return Result(stmts, ast.Compare(left=a, ops=[op() for _ in rest], comparators=rest))

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
        stmts, (a,) = compile_args(args, env)
        return Result(stmts, ast.BinOp(left=a, op=op(), right=ast.Constant(1)))

    return opener


def _eq_test(args: list[Any], env: Env) -> Result | None:
    """``eq`` is ``is``; with a literal number or string (CPython warns on ``is`` with a literal,
    and eq on them is implementation-dependent anyway) the EQ function is called instead."""
    if len(args) != 2:
        return None
    stmts, (a, b) = compile_args(args, env)
    if any(isinstance(x, ast.Constant) and x.value is not None for x in (a, b)):
        return None
    return Result(stmts, ast.Compare(left=a, ops=[ast.Is()], comparators=[b]))


def _null_test(args: list[Any], env: Env) -> Result | None:
    if len(args) != 1:
        return None
    stmts, (a,) = compile_args(args, env)
    if isinstance(a, ast.Constant):  # `3 is None` would be a SyntaxWarning
        return Result(stmts, ast.Constant(a.value is None))
    return Result(stmts, is_none(a))


def _as_value(test):
    def opener(args: list[Any], env: Env) -> Result | None:
        tested = test(args, env)
        return None if tested is None else Result(tested.stmts, lisp_bool(tested.expr))

    return opener


def _funcall(args: list[Any], env: Env) -> Result | None:
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
        return compile_call(make_list([head.cdr.car, *args[1:]]), env)
    return _designated_call(args, env, spread=False)


def _apply(args: list[Any], env: Env) -> Result | None:
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
    return _designated_call(args, env, spread=True) if len(args) >= 2 else None


def _designated_call(args: list[Any], env: Env, spread: bool) -> Result:
    stmts, exprs = compile_args(args, env)
    if isinstance(exprs[0], ast.Constant) or (isinstance(args[0], Cons) and args[0].car is QUOTE):
        # NIL, a number, a quoted symbol...: never a Python function, so no direct call.
        return Result(stmts, _call(call("%function_designator", exprs[0]), exprs[1:], spread))
    if not spread:
        return Result(stmts, call(exprs[0], *exprs[1:]))
    operands = []
    for expr in exprs:  # each is used again in the handler: evaluate it once, first
        more, operand = temp(Result([], expr), env, "%a")
        stmts.extend(more)
        operands.append(operand)
    fn, *rest = operands
    out = env.unit.fresh("%r")
    fallback = [ast.If(test=call("callable", fn), body=[ast.Raise()], orelse=[]),
                assign(out, _call(call("%function_designator", fn), rest, spread))]
    handler = ast.ExceptHandler(type=name("TypeError"), name=None, body=fallback)
    guarded = ast.Try(body=[assign(out, _call(fn, rest, spread))], handlers=[handler], orelse=[], finalbody=[])
    return Result([*stmts, guarded], name(out))


def _call(fn: ast.expr, args: list[ast.expr], spread: bool) -> ast.Call:
    if not spread:
        return call(fn, *args)
    last = ast.Starred(value=call("%spread_arguments", args[-1]), ctx=ast.Load())
    return call(fn, *args[:-1], last)


def _cons_field(field: str):
    """``sys::%car``/``sys::%cdr``: a field of what is known to be a cons (the compiler's own
    expansions use them after checking)."""

    def opener(args: list[Any], env: Env) -> Result | None:
        stmts, (cell,) = compile_args(args, env)
        return Result(stmts, ast.Attribute(value=cell, attr=field, ctx=ast.Load()))

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
    stmts, (x, n) = compile_args(args, env)
    number = env.unit.fresh("%x")
    fallback = call(namespace.function_key(MOD), name(number), n)
    if args[1] > 0:
        remainder = ast.BinOp(left=name(number), op=ast.Mod(), right=n)
        return Result(stmts, ast.IfExp(test=ast.NamedExpr(target=store(number), value=x), body=remainder,
                                       orelse=fallback))
    result = env.unit.fresh("%m")
    remainder = ast.BinOp(left=ast.NamedExpr(target=store(number), value=x), op=ast.Mod(), right=n)
    return Result(stmts, ast.IfExp(test=ast.NamedExpr(target=store(result), value=remainder), body=name(result),
                                   orelse=fallback))


MOD = cl_symbol("MOD")
OPEN_CODED[MOD] = _mod
OPEN_CODED[cl_symbol("FUNCALL")] = _funcall
OPEN_CODED[cl_symbol("APPLY")] = _apply
OPEN_CODED[SYSTEM.intern("%CAR")] = _cons_field("car")
OPEN_CODED[SYSTEM.intern("%CDR")] = _cons_field("cdr")
TESTS[SYSTEM.intern("%ENDP")] = _null_test
for _name, (_op, _identity) in _ARITHMETIC.items():
    OPEN_CODED[cl_symbol(_name)] = _arithmetic(_op, _identity)
for _name, _op in _COMPARISONS.items():
    TESTS[cl_symbol(_name)] = _comparison(_op, chains=_name != "/=")
OPEN_CODED[cl_symbol("1+")] = _step(ast.Add)
OPEN_CODED[cl_symbol("1-")] = _step(ast.Sub)
TESTS[cl_symbol("EQ")] = _eq_test
for _name in ("NOT", "NULL"):
    TESTS[cl_symbol(_name)] = _null_test
for _sym, _test in TESTS.items():
    OPEN_CODED[_sym] = _as_value(_test)
