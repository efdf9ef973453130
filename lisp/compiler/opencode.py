"""Open-coded operators: calls of a few CL functions compiled to Python operators.

Only where Python's operator gives the Common Lisp result on numbers (ratios normalise to integers
in the number representation, see lisp.data). On non-numbers Python's meaning applies: a
deviation written in the compiler's docstring. A form with an unexpected number of arguments is
compiled as an ordinary call, so the function itself reports the error.
"""

from __future__ import annotations

import ast
from functools import reduce
from typing import Any

from lisp.compiler.core import OPEN_CODED, TESTS, Result, compile_args, is_none, lisp_bool
from lisp.compiler.env import Env
from lisp.data import cl_symbol

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


def _comparison(op: type[ast.cmpop]):
    def test(args: list[Any], env: Env) -> Result | None:
        if len(args) != 2:
            return None
        stmts, (a, b) = compile_args(args, env)
        return Result(stmts, ast.Compare(left=a, ops=[op()], comparators=[b]))

    return test


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
    return Result(stmts, is_none(a))


def _as_value(test):
    def opener(args: list[Any], env: Env) -> Result | None:
        tested = test(args, env)
        return None if tested is None else Result(tested.stmts, lisp_bool(tested.expr))

    return opener


for _name, (_op, _identity) in _ARITHMETIC.items():
    OPEN_CODED[cl_symbol(_name)] = _arithmetic(_op, _identity)
for _name, _op in _COMPARISONS.items():
    TESTS[cl_symbol(_name)] = _comparison(_op)
OPEN_CODED[cl_symbol("1+")] = _step(ast.Add)
OPEN_CODED[cl_symbol("1-")] = _step(ast.Sub)
TESTS[cl_symbol("EQ")] = _eq_test
for _name in ("NOT", "NULL"):
    TESTS[cl_symbol(_name)] = _null_test
for _sym, _test in TESTS.items():
    OPEN_CODED[_sym] = _as_value(_test)
