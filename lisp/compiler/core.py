"""The heart of the compiler: one form -> :class:`Result`, by kind of form.

Atoms are literals or variable references; a cons is a special form (table in
:mod:`lisp.compiler.special_forms`), a macro call (expanded, then compiled), an open-coded operator
(:mod:`lisp.compiler.opencode`) or a function call.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from lisp.compiler.env import Env, PyFunction
from lisp.compiler.result import Result, stamp
from lisp.runtime import namespace
from lisp.runtime.condition_classes import ProgramError
from lisp.runtime.data import Cons, SourceCons, SourcePos, Symbol, T, cl_symbol, source_pos
from lisp.runtime.native_cons import DIRECT_CALLS
from lisp.syntax.printer import prin1_to_string

SpecialForm = Callable[[Any, Env], Result]
SPECIAL_FORMS: dict[Symbol, SpecialForm] = {}
# Invariant: an open-coded operator not in OPEN_CODED_CALLS calls no Lisp function (its fallback,
# when the arguments do not fit, is a standard function returning one value), so it records no
# multiple values: lisp.compiler.tails relies on it.
OPEN_CODED: dict[Symbol, Callable[[list[Any], Env], Result | None]] = {}
# Open-coded operators that call a function: their values are the function's.
OPEN_CODED_CALLS = frozenset((cl_symbol("FUNCALL"), cl_symbol("APPLY")))

_PY_CONSTANT_TYPES = (int, float, complex, str)


def special_form(name: str, package: Any = None) -> Callable[[SpecialForm], SpecialForm]:
    """Register the compiler of the special form ``name`` (a COMMON-LISP symbol by default)."""

    def register(fn: SpecialForm) -> SpecialForm:
        sym = cl_symbol(name) if package is None else package.intern(name)
        SPECIAL_FORMS[sym] = fn
        return fn

    return register


def program_error(message: str, form: Any = None) -> Exception:
    """The condition for malformed code, naming where ``form`` was read when known."""
    pos = source_pos(form)
    return ProgramError(message, pos=pos)


# -- AST helpers --------------------------------------------------------------------------------

def name(pyname: str) -> ast.Name:
    return ast.Name(id=pyname, ctx=ast.Load())


def store(pyname: str) -> ast.Name:
    return ast.Name(id=pyname, ctx=ast.Store())


def assign(pyname: str, value: ast.expr) -> ast.Assign:
    return ast.Assign(targets=[store(pyname)], value=value)


def call(fn: ast.expr | str, *args: ast.expr) -> ast.Call:
    func = name(fn) if isinstance(fn, str) else fn
    return ast.Call(func=func, args=list(args), keywords=[])


def is_none(expr: ast.expr, negate: bool = False) -> ast.expr:
    op = ast.IsNot() if negate else ast.Is()
    return ast.Compare(left=expr, ops=[op], comparators=[ast.Constant(None)])


def lisp_bool(test: ast.expr) -> ast.expr:
    """``T`` if the Python truth value ``test`` holds, else NIL."""
    return ast.IfExp(test=test, body=name("%T"), orelse=ast.Constant(None))


def literal(obj: Any, env: Env) -> ast.expr:
    if obj is None or type(obj) in _PY_CONSTANT_TYPES:
        return ast.Constant(obj)
    return name(env.unit.literal(obj))


# -- forms --------------------------------------------------------------------------------------

def compile_form(form: Any, env: Env) -> Result:
    """Compile ``form`` for its value."""
    pos = source_pos(form)
    try:
        result = _compile(form, env)
    except ProgramError as error:  # raised where no form was at hand: it happened in this one
        if error.pos is None:
            error.pos = pos
        raise
    if pos is not None:
        stamp([*result.stmts, result.expr], pos)
    return result


# Operators compiled, in a test position, to a Python truth value (`a < b`, `x is None`).
TESTS: dict[Symbol, Callable[[list[Any], Env], Result | None]] = {}


def compile_test(form: Any, env: Env) -> Result:
    """Compile ``form`` as a condition: the Result's expression is a Python truth value."""
    form = _expand_for_test(form, env)
    if isinstance(form, Cons) and isinstance(form.car, Symbol) and form.car in TESTS \
            and env.lookup_function(form.car) is None:
        tested = TESTS[form.car](arguments(form), env)
        if tested is not None:
            pos = source_pos(form)
            if pos is not None:
                stamp([*tested.stmts, tested.expr], pos)
            return tested
    if form is T or (isinstance(form, Symbol) and form.is_keyword):  # (loop) is `while True:`
        return Result([], ast.Constant(True))
    value = compile_form(form, env)
    if isinstance(value.expr, ast.Constant):  # `1 is not None` would be a SyntaxWarning
        return Result(value.stmts, ast.Constant(value.expr.value is not None))
    return Result(value.stmts, is_none(value.expr, negate=True))


def _expand_for_test(form: Any, env: Env) -> Any:
    from lisp.compiler.macros import expand

    if isinstance(form, Cons) and isinstance(form.car, Symbol) and form.car not in SPECIAL_FORMS:
        return expand(form, env)[0]
    return form


def compile_body(forms: list[Any], env: Env) -> Result:
    """``progn``: every form for effect but the last, whose value is the body's."""
    if not forms:
        return Result()
    stmts: list[ast.stmt] = []
    for form in forms[:-1]:
        stmts.extend(compile_form(form, env).discard())
    last = compile_form(forms[-1], env)
    return Result(stmts + last.stmts, last.expr)


# Standard functions that return several values. Called where only one value is wanted (an
# argument, an initial value, an assignment), their extra values are dropped from the register at
# once, so a later consumer cannot mistake them for its own form's values.
MULTIPLE_VALUE_FUNCTIONS = {cl_symbol(n) for n in (
    "FLOOR", "CEILING", "TRUNCATE", "ROUND", "FFLOOR", "FCEILING", "FTRUNCATE", "FROUND", "GETHASH",
    "VALUES", "VALUES-LIST", "PARSE-INTEGER", "READ-FROM-STRING", "READ-LINE", "GET-PROPERTIES",
    "MACROEXPAND", "MACROEXPAND-1", "GET-SETF-EXPANSION", "FIND-SYMBOL", "INTERN", "DECODE-FLOAT",
    "INTEGER-DECODE-FLOAT", "FLOAT-SIGN", "GET-DECODED-TIME", "DECODE-UNIVERSAL-TIME")}


def compile_single(form: Any, env: Env) -> Result:
    """Compile ``form`` where only its primary value is used."""
    result = compile_form(form, env)
    if isinstance(form, Cons) and form.car in MULTIPLE_VALUE_FUNCTIONS and env.lookup_function(form.car) is None:
        return Result(result.stmts, call("%primary", result.expr))
    return result


def compile_args(forms: list[Any], env: Env) -> tuple[list[ast.stmt], list[ast.expr]]:
    """Compile arguments left to right, keeping Lisp's order of evaluation.

    An argument whose value was computed before a later argument's statements run is saved in a
    temporary first, as those statements might change it.
    """
    results = [compile_single(f, env) for f in forms]
    stmts: list[ast.stmt] = []
    exprs: list[ast.expr] = []
    last_with_stmts = max((i for i, r in enumerate(results) if r.stmts), default=-1)
    for i, r in enumerate(results):
        stmts.extend(r.stmts)
        if i < last_with_stmts and not isinstance(r.expr, ast.Constant):
            tmp = env.unit.fresh("%a")
            save, use = assign(tmp, r.expr), name(tmp)
            stmts.append(save)
            exprs.append(use)
            var = env.lookup_variable(forms[i]) if isinstance(forms[i], Symbol) else None
            if var is not None and var.fn is env.fn and var.pyname == getattr(r.expr, "id", None) \
                    and not _assigns(var.pyname, results[i + 1:]):
                env.fn.saved_variables.append((save, use, var))
        else:
            exprs.append(r.expr)
    return stmts, exprs


def _assigns(pyname: str, results: list[Result]) -> bool:
    return any(isinstance(node, ast.Name) and node.id == pyname and isinstance(node.ctx, ast.Store)
               for r in results for top in (*r.stmts, r.expr) for node in ast.walk(top))


def drop_needless_saves(stmts: list[ast.stmt], fn: PyFunction) -> list[ast.stmt]:
    """``stmts`` (the body of ``fn``) without the copies compile_args made of variables that no
    closure captured: later arguments, which do not assign them, cannot change them then."""
    needless = set()
    for save, use, var in fn.saved_variables:
        if not var.captured:
            use.id = var.pyname
            needless.add(id(save))
    if not needless:
        return stmts

    class Dropper(ast.NodeTransformer):
        def visit_Assign(self, node: ast.Assign) -> ast.AST | None:
            return None if id(node) in needless else self.generic_visit(node)

    return [Dropper().visit(s) for s in stmts if id(s) not in needless]


def returning(result: Result, env: Env) -> list[ast.stmt]:
    """Statements that run ``result`` and return its value. An ``if`` ending them whose branches
    store the value in a join temporary returns from each branch instead; a value kept in a
    variable while the values register is cleared (a one-value tail, lisp.compiler.tails) is
    returned from a ``try`` whose ``finally`` clears: ``fib`` becomes::

        if N < 2:
            return N
        try:
            return FIB(N - 1) + FIB(N - 2)
        finally:
            if %mv_pending:
                %mv_clear()

    with no temporary (a frame with one local less is a tenth faster). The ``finally`` also clears
    when an exception passes, which loses no values: the non-local exits that bring values carry
    them (runtime.ValuesExit)."""
    return _returning(result.stmts, result.expr, env.unit.join_names)


def _returning(stmts: list[ast.stmt], expr: ast.expr, joins: set[str], where: ast.stmt | None = None
               ) -> list[ast.stmt]:
    if stmts and isinstance(expr, ast.Name) and expr.id in joins and isinstance(stmts[-1], ast.If):
        last = stmts[-1]
        branches = [_branch_returning(b, expr.id, joins) for b in (last.body, last.orelse)]
        if branches[0] is not None and branches[1] is not None:
            return [*stmts[:-1], ast.copy_location(ast.If(test=last.test, body=branches[0], orelse=branches[1]), last)]
    if len(stmts) >= 2 and _is_register_clear(stmts[-1]) and _assigns_only(stmts[-2], expr):
        value = ast.copy_location(ast.Return(value=stmts[-2].value), stmts[-2])
        return [*stmts[:-2], ast.copy_location(ast.Try(body=[value], handlers=[], orelse=[], finalbody=[stmts[-1]]),
                                               stmts[-2])]
    ret = ast.Return(value=expr)
    return [*stmts, ret if where is None else ast.copy_location(ret, where)]


def _is_register_clear(stmt: ast.stmt) -> bool:
    """Whether ``stmt`` is ``if %mv_pending: %mv_clear()`` (sys::%clear-pending-values)."""
    return isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Name) and stmt.test.id == "%mv_pending"


def _assigns_only(stmt: ast.stmt, expr: ast.expr) -> bool:
    """Whether ``stmt`` is ``X = value`` and ``expr`` reads ``X``."""
    return isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
        and isinstance(expr, ast.Name) and stmt.targets[0].id == expr.id


def _branch_returning(branch: list[ast.stmt], out: str, joins: set[str]) -> list[ast.stmt] | None:
    end = branch[-1] if branch else None
    if isinstance(end, (ast.Return, ast.Raise)):
        return branch
    if isinstance(end, ast.Assign) and [t.id for t in end.targets if isinstance(t, ast.Name)] == [out] \
            and len(end.targets) == 1:
        return _returning(branch[:-1], end.value, joins, end)
    return None


def temp(result: Result, env: Env, hint: str = "%v") -> tuple[list[ast.stmt], ast.expr]:
    """The statements of ``result`` and an expression of its value that may be used many times."""
    if isinstance(result.expr, (ast.Constant, ast.Name)):
        return result.stmts, result.expr
    tmp = env.unit.fresh(hint)
    return [*result.stmts, assign(tmp, result.expr)], name(tmp)


def items(lst: Any, where: Any, least: int = 0) -> list[Any]:
    """The elements of the proper list ``lst``, at least ``least`` of them, else a PROGRAM-ERROR
    naming ``lst`` and the form ``where`` it is part of."""
    found = []
    cell = lst
    while isinstance(cell, Cons):
        found.append(cell.car)
        cell = cell.cdr
    if cell is not None:
        raise program_error(f"{_show(lst)} is not a proper list, in {_show(where)}", where)
    if len(found) < least:
        raise program_error(f"{_show(lst)} is too short (at least {least} elements), in {_show(where)}", where)
    return found


def arguments(form: Any) -> list[Any]:
    """The elements after the operator of a compound form (a proper list, else PROGRAM-ERROR)."""
    return items(form.cdr, form)


def _compile(form: Any, env: Env) -> Result:
    if isinstance(form, Symbol):
        return compile_symbol(form, env)
    if not isinstance(form, Cons):
        return Result([], literal(form, env))
    head = form.car
    if isinstance(head, Symbol):
        local = env.lookup_function(head)
        if local is None:
            special = SPECIAL_FORMS.get(head)
            if special is not None:
                return special(form, env)
        from lisp.compiler.macros import expand_1

        expansion, expanded = expand_1(form, env)
        if expanded:
            return compile_form(expansion, env)
        if local is None and head in OPEN_CODED:
            opened = OPEN_CODED[head](arguments(form), env)
            if opened is not None:
                return opened
        return compile_call(form, env)
    if isinstance(head, Cons) and head.car is LAMBDA:
        from lisp.compiler.functions import compile_lambda

        fn = compile_lambda(head, env, None)
        stmts, args = compile_args(arguments(form), env)
        return Result(fn.stmts + stmts, call(fn.expr, *args))
    raise program_error(f"illegal function call {_show(form)}: {_show(head)} is not a function name", form)


LAMBDA = cl_symbol("LAMBDA")


def inherit_pos(expansion: Any, form: Any) -> Any:
    """``expansion`` (of the macro call ``form``), carrying the call's position if it has none."""
    pos: SourcePos | None = source_pos(form)
    if pos is not None and isinstance(expansion, Cons) and source_pos(expansion) is None:
        return SourceCons(expansion.car, expansion.cdr, pos)
    return expansion


def compile_call(form: Any, env: Env) -> Result:
    head: Symbol = form.car
    local = env.lookup_function(head)
    if local is not None:
        fn: ast.expr = name(local.pyname)
    elif env.self_call is not None and head is env.self_call[0]:
        fn = name(env.self_call[1])
    else:
        fn = name(DIRECT_CALLS.get(head) or namespace.function_key(head))
    stmts, args = compile_args(arguments(form), env)
    return Result(stmts, call(fn, *args))


def compile_symbol(sym: Symbol, env: Env) -> Result:
    if sym.is_keyword or sym is T:
        return Result([], literal(sym, env))
    var = env.lookup_variable(sym)
    if var is not None:
        if var.is_symbol_macro:
            return compile_form(var.expansion, env)
        if not var.special:
            if var.fn is not env.fn:
                var.captured = True
            return Result([], name(var.pyname))
    if namespace.is_constant(sym) and namespace.global_value_is_set(sym):
        return Result([], literal(namespace.symbol_value(sym), env))
    from lisp.compiler.macros import macroexpand_1

    expansion, expanded = macroexpand_1(sym, env)
    if expanded:
        return compile_form(expansion, env)
    return Result([], call("%symbol_value", literal(sym, env)))


def compile_setq_variable(sym: Symbol, value: Result, env: Env) -> Result:
    """Assign ``value`` to the variable ``sym`` (lexical, special or symbol macro)."""
    var = env.lookup_variable(sym)
    if var is not None and var.is_symbol_macro:
        raise program_error("internal: symbol macros are assigned with setf")
    if var is not None and not var.special:
        if var.fn is not env.fn:
            var.captured = True
            env.fn.nonlocals.add(var.pyname)
        return Result([*value.stmts, assign(var.pyname, value.expr)], name(var.pyname))
    if namespace.is_constant(sym):
        raise program_error(f"cannot assign the constant {_show(sym)}")
    stmts, expr = temp(value, env)
    return Result([*stmts, ast.Expr(call("%set_symbol_value", literal(sym, env), expr))], expr)


def _show(obj: Any) -> str:
    return prin1_to_string(obj)


show = _show
