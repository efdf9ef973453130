"""The heart of the compiler: one form and its destination -> :class:`Result`, by kind of form.

Atoms are literals or variable references; a cons is a special form (one function each in
:data:`SPECIAL_FORMS`, filled by :mod:`lisp.compiler.special_forms` and the modules of the
compiler's own forms), a macro call (expanded, then compiled: the expander runs once per
occurrence), an open-coded operator (:mod:`lisp.compiler.opencode`) or a function call.

Each form's compiler owns what its values do in each destination (:class:`Dest`): a form of one
value hands its Result to :func:`one_value`, a call to :func:`call_to`; the forms that pass
values on (``progn``, ``if``, ``let``, ``block``...) compile their last subform for their own
destination.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lisp.compiler.compilation_unit import note_call, note_free_variable
from lisp.compiler.env import Env, Variable
from lisp.compiler.forms import arguments, inherit_pos, program_error, show
from lisp.compiler.macros import macroexpand_1
from lisp.compiler.result import Dest, Records, Result, stamp
from lisp.runtime import namespace
from lisp.runtime.condition_classes import ProgramError
from lisp.runtime.data import Cons, Symbol, T, cl_symbol, make_list, source_pos
from lisp.runtime.native_cons import DIRECT_CALLS

EFFECT, ONE, ALL, TAIL, CLEAN_TAIL = Dest.EFFECT, Dest.ONE, Dest.ALL, Dest.TAIL, Dest.CLEAN_TAIL
NOTHING, SELF_CALLS, VALUES = Records.NOTHING, Records.SELF_CALLS, Records.VALUES

SpecialForm = Callable[[Any, Env, Dest], Result]
SPECIAL_FORMS: dict[Symbol, SpecialForm] = {}
# Operators compiled to Python operators (one value). Invariant: they call no Lisp function (a
# fallback, when the arguments do not fit, is a standard function returning one value), so they
# record values only through their arguments: Result.records of their arguments is theirs.
OPEN_CODED: dict[Symbol, Callable[[list[Any], Env], Result | None]] = {}
# Open-coded calls (FUNCALL, APPLY): their values are the called function's, so they take the
# destination (see call_to).
OPEN_CODED_CALLS: dict[Symbol, Callable[[list[Any], Env, Dest], Result | None]] = {}
# Operators compiled, in a test position, to a Python truth value (`a < b`, `x is None`).
TESTS: dict[Symbol, Callable[[list[Any], Env], Result | None]] = {}

_PY_CONSTANT_TYPES = (int, float, complex, str)
LAMBDA = cl_symbol("LAMBDA")
FUNCALL = cl_symbol("FUNCALL")


def special_form(name: str, package: Any = None) -> Callable[[SpecialForm], SpecialForm]:
    """Register the compiler of the special form ``name`` (a COMMON-LISP symbol by default):
    ``fn(form, env, dest) -> Result``."""

    def register(fn: SpecialForm) -> SpecialForm:
        sym = cl_symbol(name) if package is None else package.intern(name)
        SPECIAL_FORMS[sym] = fn
        return fn

    return register


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


def temp(result: Result, env: Env, hint: str = "%v") -> tuple[list[ast.stmt], ast.expr]:
    """The statements of ``result`` and an expression of its value that may be used many times."""
    if isinstance(result.expr, (ast.Constant, ast.Name)):
        return result.stmts, result.expr
    tmp = env.unit.fresh(hint)
    return [*result.stmts, assign(tmp, result.expr)], name(tmp)


# -- forms --------------------------------------------------------------------------------------

def compile_form(form: Any, env: Env, dest: Dest) -> Result:
    """Compile ``form`` for ``dest``."""
    pos = source_pos(form)
    try:
        result = _compile(form, env, dest)
    except ProgramError as error:  # raised where no form was at hand: it happened in this one
        if error.pos is None:
            error.pos = pos
        raise
    if pos is not None:
        stamp([*result.stmts, result.expr], pos)
    return result


def _compile(form: Any, env: Env, dest: Dest) -> Result:
    if isinstance(form, Symbol):
        return compile_symbol(form, env, dest)
    if not isinstance(form, Cons):
        return one_value(Result([], literal(form, env), NOTHING), env, dest)
    head = form.car
    if isinstance(head, Symbol):
        local = env.lookup_function(head)
        if local is None:
            special = SPECIAL_FORMS.get(head)
            if special is not None:
                return special(form, env, dest)
        expansion, expanded = expand_1(form, env)
        if expanded:
            return compile_form(expansion, env, dest)
        if local is None and head in OPEN_CODED:
            opened = OPEN_CODED[head](arguments(form), env)
            if opened is not None:
                return one_value(opened, env, dest)
        if local is None and head in OPEN_CODED_CALLS:
            opened = OPEN_CODED_CALLS[head](arguments(form), env, dest)
            if opened is not None:
                return opened
        return compile_call(form, env, dest)
    if isinstance(head, Cons) and head.car is LAMBDA:  # CLHS 3.1.2.1.2.4: funcall of the lambda
        return compile_form(inherit_pos(make_list([FUNCALL, make_list([cl_symbol("FUNCTION"), head]),
                                                   *arguments(form)]), form), env, dest)
    raise program_error(f"illegal function call {show(form)}: {show(head)} is not a function name", form)


def expand_1(form: Any, env: Env) -> tuple[Any, bool]:
    """:func:`~lisp.compiler.macros.macroexpand_1` for the compiler: the expansion takes the
    position of the macro call when it has none of its own."""
    expansion, expanded = macroexpand_1(form, env)
    return (inherit_pos(expansion, form), True) if expanded else (form, False)


def compile_body(forms: list[Any], env: Env, dest: Dest) -> Result:
    """``progn``: every form for effect but the last, which is compiled for ``dest``."""
    if not forms:
        return one_value(Result([], ast.Constant(None), NOTHING), env, dest)
    stmts: list[ast.stmt] = []
    records = NOTHING
    for form in forms[:-1]:
        done = compile_form(form, env, EFFECT)
        stmts.extend(done.stmts)
        records = max(records, done.records)
    last = compile_form(forms[-1], env, dest.after(records))
    return Result(stmts + last.stmts, last.expr, max(records, last.records))


def compile_test(form: Any, env: Env) -> Result:
    """Compile ``form`` as a condition: the Result's expression is a Python truth value."""
    while isinstance(form, Cons) and isinstance(form.car, Symbol) and form.car not in SPECIAL_FORMS:
        form, expanded = expand_1(form, env)
        if not expanded:
            break
    if isinstance(form, Cons) and isinstance(form.car, Symbol) and form.car in TESTS \
            and env.lookup_function(form.car) is None:
        tested = TESTS[form.car](arguments(form), env)
        if tested is not None:
            pos = source_pos(form)
            if pos is not None:
                stamp([*tested.stmts, tested.expr], pos)
            return tested
    if form is T or (isinstance(form, Symbol) and form.is_keyword):  # (loop) is `while True:`
        return Result([], ast.Constant(True), NOTHING)
    value = compile_form(form, env, ONE)
    if isinstance(value.expr, ast.Constant):  # `1 is not None` would be a SyntaxWarning
        return Result(value.stmts, ast.Constant(value.expr.value is not None), value.records)
    return Result(value.stmts, is_none(value.expr, negate=True), value.records)


# Standard functions that return several values. Called where only one value is wanted (an
# argument, an initial value, an assignment), their extra values are dropped from the register at
# once, so a later consumer cannot mistake them for its own form's values.
MULTIPLE_VALUE_FUNCTIONS = {cl_symbol(n) for n in (
    "FLOOR", "CEILING", "TRUNCATE", "ROUND", "FFLOOR", "FCEILING", "FTRUNCATE", "FROUND", "GETHASH",
    "VALUES", "VALUES-LIST", "PARSE-INTEGER", "READ-FROM-STRING", "READ-LINE", "GET-PROPERTIES",
    "MACROEXPAND", "MACROEXPAND-1", "GET-SETF-EXPANSION", "FIND-SYMBOL", "INTERN", "DECODE-FLOAT",
    "INTEGER-DECODE-FLOAT", "FLOAT-SIGN", "GET-DECODED-TIME", "DECODE-UNIVERSAL-TIME")}


def compile_single(form: Any, env: Env) -> Result:
    """Compile ``form`` where only its primary value is used (an argument, an initial value, an
    assigned value)."""
    result = compile_form(form, env, ONE)
    if isinstance(form, Cons) and form.car in MULTIPLE_VALUE_FUNCTIONS and env.lookup_function(form.car) is None:
        return Result(result.stmts, call("%primary", result.expr), result.records)
    return result


# -- where values go ----------------------------------------------------------------------------

def clear_register(env: Env, dest: Dest) -> ast.stmt:
    """``if %mv_pending: %mv_clear()``: forget this thread's recorded values, when any thread has
    some (one truth test otherwise). Made for a tail (``dest``), it is one of the function's tail
    clears (see lisp.compiler.self_calls)."""
    clear = ast.If(test=name("%mv_pending"), body=[ast.Expr(call("%mv_clear"))], orelse=[])
    if dest.tail:
        env.fn.tail_clears.append(clear)
    return clear


def is_register_clear(stmt: ast.stmt) -> bool:
    """Whether ``stmt`` was made by :func:`clear_register`."""
    return isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Name) and stmt.test.id == "%mv_pending"


def one_value(result: Result, env: Env, dest: Dest) -> Result:
    """``result``, the code of a form that yields exactly one value, delivered to ``dest``.

    At a tail the register is cleared after the value is computed, so that values recorded by
    calls made on the way (``(let ((a (f))) a)``) are not taken for the form's, unless the tail
    is clean and the form records nothing: the register then holds what it held when the
    function (or the consumer's form) was entered, which is no value of its own only if its
    caller evaluated something before the call -- and the caller's own tail clears for that
    (a tail call clears between its arguments and the call, every other tail after its value;
    a consumer clears before its form)."""
    if dest is EFFECT:
        return Result(result.discard(), ast.Constant(None), result.records)
    if dest is ONE or (dest is CLEAN_TAIL and result.records is NOTHING):
        return result
    if dest is ALL:
        return Result(result.stmts, ast.Tuple(elts=[result.expr], ctx=ast.Load()), result.records)
    if isinstance(result.expr, (ast.Constant, ast.Name)):  # reading it records nothing
        return Result([*result.stmts, clear_register(env, dest)], result.expr, result.records)
    value = env.unit.fresh("%value")
    env.unit.join_names.add(value)
    return Result([*result.stmts, assign(value, result.expr), clear_register(env, dest)], name(value),
                  result.records)


@dataclass
class Arguments:
    """Compiled arguments: ``stmts`` run first, then ``exprs`` are evaluated left to right;
    ``each`` says what each argument's code records; ``variables``, for an argument that reads a
    local variable of the function (its expression is the variable's name), that variable."""

    stmts: list[ast.stmt]
    exprs: list[ast.expr]
    each: list[Records]
    variables: list[Variable | None] = field(default_factory=list)

    @property
    def records(self) -> Records:
        return max(self.each, default=NOTHING)

    def save(self, i: int, env: Env, later_assign: bool = False) -> None:
        """Evaluate argument ``i`` now, into a temporary (``stmts`` gets its assignment), because
        code that runs before the later ones are evaluated might change its value. A variable's
        copy is dropped in the end if no closure captured it and the later arguments do not
        assign it (``later_assign``): nothing can change it then (functions.drop_needless_saves)."""
        tmp = env.unit.fresh("%a")
        env.unit.unchanging.add(tmp)
        save, use = assign(tmp, self.exprs[i]), name(tmp)
        self.stmts.append(save)
        self.exprs[i] = use
        var = self.variables[i] if i < len(self.variables) else None
        if var is not None and not later_assign:
            env.fn.saved_variables.append((save, use, var))
        if var is not None:
            self.variables[i] = None


def compile_args(forms: list[Any], env: Env) -> Arguments:
    """Compile arguments left to right, keeping Lisp's order of evaluation.

    An argument whose value was computed before a later argument's statements run is saved in a
    temporary first, as those statements might change it.
    """
    results = [compile_single(f, env) for f in forms]
    args = Arguments([], [], [r.records for r in results], [])
    last_with_stmts = max((i for i, r in enumerate(results) if r.stmts), default=-1)
    for i, r in enumerate(results):
        args.stmts.extend(r.stmts)
        args.exprs.append(r.expr)
        var = env.lookup_variable(forms[i]) if isinstance(forms[i], Symbol) else None
        local = var is not None and var.fn is env.fn and var.pyname == getattr(r.expr, "id", None)
        args.variables.append(var if local else None)
        if i < last_with_stmts and not _unchanging(r.expr, env):
            args.save(i, env, local and _assigns(var.pyname, results[i + 1:]))
    return args


def _unchanging(expr: ast.expr, env: Env) -> bool:
    """Whether nothing that runs later can change the value of ``expr``."""
    return isinstance(expr, ast.Constant) or (isinstance(expr, ast.Name) and expr.id in env.unit.unchanging)


def _assigns(pyname: str, results: list[Result]) -> bool:
    return any(isinstance(node, ast.Name) and node.id == pyname and isinstance(node.ctx, ast.Store)
               for r in results for top in (*r.stmts, r.expr) for node in ast.walk(top))


def call_to(args: Arguments, env: Env, dest: Dest, make: Callable[[list[ast.expr]], Result],
            records: Records = VALUES) -> Result:
    """The call that ``make`` builds on the expressions of ``args`` (to which the temporaries it
    needs are added), for ``dest``; ``records``: what the call itself records.

    At a tail the callee's values pass on, so whatever ran before it must have left no values:
    the register is cleared between the arguments and the call (those up to the last one that
    may record values are evaluated first, in order, into temporaries), unless the tail is
    clean and the arguments record nothing. All values are taken from the register after the
    call, which it cleared the same way."""
    if (dest.tail or dest is ALL) and not (dest is CLEAN_TAIL and args.records is NOTHING):
        last = max((i for i, r in enumerate(args.each) if r), default=-1)
        for i in range(last + 1):
            # The last one is computed before the clear; the others before the calls that follow.
            if not _unchanging(args.exprs[i], env) and (i < last or not isinstance(args.exprs[i], ast.Name)):
                args.save(i, env)
                if dest.tail:
                    env.fn.clear_temps.append(args.stmts[-1])
        args.stmts.append(clear_register(env, dest))
    made = make(args.exprs)
    result = Result([*args.stmts, *made.stmts], made.expr, max(records, args.records))
    if dest is EFFECT:
        return Result(result.discard(), ast.Constant(None), result.records)
    if dest is ALL:
        return Result(result.stmts, call("%values_of", result.expr), result.records)
    return result


def compile_call(form: Any, env: Env, dest: Dest) -> Result:
    """A call of the function named by the symbol ``form.car``: a local function, an apparent
    self-call (lisp.compiler.self_calls) or a global function."""
    head: Symbol = form.car
    local = env.lookup_function(head)
    args = arguments(form)
    records = VALUES
    if local is not None:
        fn = name(local.pyname)
    elif env.self_call is not None and head is env.self_call.symbol:
        fn = name(env.self_call.key)
        env.self_call.callees.append(fn)
        records = SELF_CALLS
    else:
        fn = name(DIRECT_CALLS.get(head) or namespace.function_key(head))
        note_call(head, len(args), form)
    return call_to(compile_args(args, env), env, dest, lambda exprs: Result([], call(fn, *exprs)),
                   records)


def compile_symbol(sym: Symbol, env: Env, dest: Dest) -> Result:
    if sym.is_keyword or sym is T:
        return one_value(Result([], literal(sym, env), NOTHING), env, dest)
    var = env.lookup_variable(sym)
    if var is not None:
        if var.is_symbol_macro:
            return compile_form(var.expansion, env, dest)
        if not var.special:
            var.read = True
            if var.fn is not env.fn:
                var.captured = True
            return one_value(Result([], name(var.pyname), NOTHING), env, dest)
    if namespace.is_constant(sym) and namespace.global_value_is_set(sym):
        return one_value(Result([], literal(namespace.symbol_value(sym), env), NOTHING), env, dest)
    expansion, expanded = macroexpand_1(sym, env)
    if expanded:
        return compile_form(expansion, env, dest)
    if var is None:
        note_free_variable(sym, sym, env)
    return one_value(Result([], call("%symbol_value", literal(sym, env)), NOTHING), env, dest)


def compile_setq_variable(sym: Symbol, value: Result, env: Env) -> Result:
    """Assign ``value`` to the variable ``sym`` (lexical, special or symbol macro); one value."""
    var = env.lookup_variable(sym)
    if var is not None and var.is_symbol_macro:
        raise program_error("internal: symbol macros are assigned with setf")
    if var is not None and not var.special:
        var.assigned = True
        if var.fn is not env.fn:
            var.captured = True
            env.fn.nonlocals.add(var.pyname)
        return Result([*value.stmts, assign(var.pyname, value.expr)], name(var.pyname), value.records)
    if namespace.is_constant(sym):
        raise program_error(f"cannot assign the constant {show(sym)}")
    if var is None:
        note_free_variable(sym, sym, env)
    stmts, expr = temp(value, env)
    return Result([*stmts, ast.Expr(call("%set_symbol_value", literal(sym, env), expr))], expr, value.records)


def drop_statements(stmts: list[ast.stmt], dropped: set[int],
                    replaced: dict[int, ast.expr] | None = None) -> list[ast.stmt]:
    """``stmts`` without the statements whose ``id`` is in ``dropped``, at any depth (a body left
    empty gets a ``pass``; a ``try`` left with neither handlers nor ``finally`` is its body), and
    with the expressions whose ``id`` is a key of ``replaced`` replaced."""
    replaced = replaced or {}

    class Dropper(ast.NodeTransformer):
        def visit(self, node: ast.AST) -> ast.AST | list[ast.stmt] | None:
            if id(node) in dropped:
                return None
            if id(node) in replaced:
                return replaced[id(node)]
            node = self.generic_visit(node)
            if isinstance(node, ast.Try) and not node.handlers and not node.finalbody:
                return node.body
            if isinstance(getattr(node, "body", None), list) and not node.body:
                node.body = [ast.Pass()]
            return node

    kept: list[ast.stmt] = []
    for stmt in stmts:
        visited = Dropper().visit(stmt)
        kept.extend(visited if isinstance(visited, list) else [] if visited is None else [visited])
    return kept
