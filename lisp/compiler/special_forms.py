"""The special forms: one small function each, registered in ``core.SPECIAL_FORMS``, each taking
the destination of its values (``core.Dest``) and owning what it does there.

Blocks, tags, ``catch`` and ``throw`` are in :mod:`lisp.compiler.exits`. Also the
implementation's own special forms (package SYS): ``%while`` (a Python loop, what the iteration
macros expand into), ``%named-lambda`` (``defun``'s function) and ``%multiple-values`` (all
values of a form as a Python tuple). Others live with the macros that expand into them
(``%do-list``, ``%do-times``, ``%collect``, ``%call-setf``).
"""

from __future__ import annotations

import ast
from typing import Any

from lisp.compiler.compilation_unit import note_call
from lisp.compiler.core import (
    ALL,
    EFFECT,
    NOTHING,
    ONE,
    SPECIAL_FORMS,
    VALUES,
    Arguments,
    Result,
    assign,
    call,
    call_to,
    compile_body,
    compile_form,
    compile_setq_variable,
    compile_single,
    compile_test,
    expand_1,
    literal,
    name,
    one_value,
    special_form,
    temp,
)
from lisp.compiler.env import Env, LocalFunction, Variable
from lisp.compiler.forms import arguments, check_count, items, program_error, show
from lisp.compiler.functions import compile_lambda, compile_let, parse_body, special_bindings, special_bindings_kept
from lisp.compiler.macros import Expander, expander_form
from lisp.compiler.result import Dest
from lisp.compiler.self_calls import bind_definition, self_call_env
from lisp.compiler.toplevel import eval_form
from lisp.runtime import namespace
from lisp.runtime.data import COMMON_LISP, SYSTEM, Cons, Symbol, T, cl_symbol, keyword, make_list

LAMBDA = cl_symbol("LAMBDA")
SETF = cl_symbol("SETF")


@special_form("QUOTE")
def quote_(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, 1)
    return one_value(Result([], literal(args[0], env), NOTHING), env, dest)


@special_form("FUNCTION")
def function_(form: Any, env: Env, dest: Dest) -> Result:
    """The function named, or a closure: making it records nothing (its body runs later)."""
    args = arguments(form)
    check_count(form, args, 1, 1)
    return one_value(_function(form, args[0], env), env, dest)


def _function(form: Any, fname: Any, env: Env) -> Result:
    if isinstance(fname, Symbol):
        local = env.lookup_function(fname)
        if local is not None and local.pyname is not None:
            return Result([], name(local.pyname), NOTHING)
        if local is not None:
            raise program_error(f"{show(fname)} names a local macro, not a function", form)
        note_call(fname, None, form)
        return Result([], call("%get_function", literal(fname, env)), NOTHING)
    if isinstance(fname, Cons) and fname.car is LAMBDA:
        return compile_lambda(fname, env, None)
    if isinstance(fname, Cons) and fname.car is SETF:
        return Result([], call("%get_setf_function", literal(fname.cdr.car, env)), NOTHING)
    raise program_error(f"{show(fname)} is not a function name", form)


@special_form("PROGN")
def progn(form: Any, env: Env, dest: Dest) -> Result:
    return compile_body(arguments(form), env, dest)


@special_form("IF")
def if_(form: Any, env: Env, dest: Dest) -> Result:
    """Both branches go where the ``if``'s values go, after the test (a tail stays clean if the
    test records nothing: ``fib``'s ``n`` needs no clear)."""
    args = arguments(form)
    check_count(form, args, 2, 3)
    test = compile_test(args[0], env)
    branch_dest = dest.after(test.records)
    then = compile_form(args[1], env, branch_dest)
    orelse = compile_form(args[2] if len(args) > 2 else None, env, branch_dest)
    records = max(test.records, then.records, orelse.records)
    if dest is EFFECT:
        if not then.stmts and not orelse.stmts:
            return Result(Result(test.stmts, test.expr).discard(), records=records)
        return Result([*test.stmts, ast.If(test=test.expr, body=then.stmts or [ast.Pass()], orelse=orelse.stmts)],
                      records=records)
    if not then.stmts and not orelse.stmts:
        return Result(test.stmts, ast.IfExp(test=test.expr, body=then.expr, orelse=orelse.expr), records)
    out = env.unit.fresh("%if")
    env.unit.join_names.add(out)
    return Result([*test.stmts, ast.If(test=test.expr, body=_then_assign(then, out),
                                       orelse=_then_assign(orelse, out))], name(out), records)


def _then_assign(branch: Result, out: str) -> list[ast.stmt]:
    """A branch's statements, then its value stored in ``out`` unless control never gets there."""
    if branch.stmts and isinstance(branch.stmts[-1], (ast.Return, ast.Raise, ast.Break, ast.Continue)):
        return branch.stmts
    return [*branch.stmts, assign(out, branch.expr)]


@special_form("LET")
def let(form: Any, env: Env, dest: Dest) -> Result:
    return compile_let(form, env, sequential=False, dest=dest)


@special_form("LET*")
def let_star(form: Any, env: Env, dest: Dest) -> Result:
    return compile_let(form, env, sequential=True, dest=dest)


@special_form("SETQ")
def setq(form: Any, env: Env, dest: Dest) -> Result:
    """Each assignment in order; the last one's value is the form's (a symbol macro's is that of
    ``(setf expansion value)``, which goes where the ``setq``'s values go)."""
    args = arguments(form)
    if len(args) % 2:
        raise program_error(f"odd number of arguments to SETQ in {show(form)}", form)
    if not args:
        return one_value(Result([], ast.Constant(None), NOTHING), env, dest)
    stmts: list[ast.stmt] = []
    records = NOTHING
    for i in range(0, len(args), 2):
        var, value = args[i], args[i + 1]
        if not isinstance(var, Symbol) or var.is_keyword:
            raise program_error(f"SETQ of {show(var)}, which is not a variable, in {show(form)}", form)
        step_dest = dest.after(records) if i == len(args) - 2 else EFFECT
        if expand_1(var, env)[1]:  # a symbol macro: (setf expansion value)
            step = compile_form(make_list([SETF, var, value]), env, step_dest)
        else:
            step = one_value(compile_setq_variable(var, compile_single(value, env), env), env, step_dest)
        stmts.extend(step.stmts)
        records = max(records, step.records)
    return Result(stmts, step.expr, records)


def _function_definitions(form: Any, spec: Any) -> list[tuple[Symbol, Any]]:
    defs = []
    for item in items(spec, form):
        if not isinstance(item, Cons) or not isinstance(item.car, Symbol) or not isinstance(item.cdr, Cons):
            raise program_error(f"malformed local function definition {show(item)} in {show(form)}", form)
        defs.append((item.car, item.cdr))
    return defs


def _local_function(sym: Symbol, lambda_tail: Any, env: Env) -> Result:
    return compile_lambda(Cons(LAMBDA, lambda_tail), env, sym.name, block=sym)


@special_form("FLET")
def flet(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, None)
    stmts: list[ast.stmt] = []
    inner = env.extend()
    for sym, tail in _function_definitions(form, args[0]):
        fn = _local_function(sym, tail, env)
        stmts.extend(fn.stmts)
        inner.functions[sym] = LocalFunction(sym, pyname=fn.expr.id)
    return _declared_body(stmts, args[1:], inner, dest)


@special_form("LABELS")
def labels(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, None)
    inner = env.extend()
    defs = _function_definitions(form, args[0])
    pynames = {}
    for sym, _ in defs:
        pynames[sym] = env.unit.fresh(sym.name)
        inner.functions[sym] = LocalFunction(sym, pyname=pynames[sym])
    stmts: list[ast.stmt] = []
    for sym, tail in defs:
        fn = _local_function(sym, tail, inner)
        stmts.extend([*fn.stmts, assign(pynames[sym], fn.expr)])
    return _declared_body(stmts, args[1:], inner, dest)


def _declared_body(stmts: list[ast.stmt], forms: list[Any], env: Env, dest: Dest) -> Result:
    """``stmts`` (making local functions: they record nothing), then a body that may start with
    declarations."""
    declared, body = parse_body(forms)
    env = env.extend()
    env.specials.update(declared)
    result = compile_body(body, env, dest)
    return Result(stmts + result.stmts, result.expr, result.records)


@special_form("MACROLET")
def macrolet(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, None)
    inner = env.extend()
    for sym, tail in _function_definitions(form, args[0]):
        lambda_list, *body = items(tail, form, 1)
        inner.functions[sym] = LocalFunction(sym, expander=_local_expander(sym, lambda_list, body))
    return _declared_body([], args[1:], inner, dest)


def _local_expander(sym: Symbol, lambda_list: Any, body: list[Any]) -> Expander:
    """The expander of a ``macrolet`` definition, compiled in the global environment."""
    return eval_form(expander_form(sym, lambda_list, body))


@special_form("SYMBOL-MACROLET")
def symbol_macrolet(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, None)
    inner = env.extend()
    for item in items(args[0], form):
        parts = items(item, form) if isinstance(item, Cons) else []
        if len(parts) != 2 or not isinstance(parts[0], Symbol):
            raise program_error(f"malformed symbol macro {show(item)} in {show(form)}", form)
        inner.variables[parts[0]] = Variable(parts[0], expansion=parts[1], is_symbol_macro=True)
    return _declared_body([], args[1:], inner, dest)


@special_form("LOCALLY")
def locally(form: Any, env: Env, dest: Dest) -> Result:
    return _declared_body([], arguments(form), env, dest)


@special_form("THE")
def the(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 2, 2)
    return compile_form(args[1], env, dest)


@special_form("DECLARE")
def declare(form: Any, env: Env, dest: Dest) -> Result:
    raise program_error(f"a declaration is not allowed here: {show(form)}", form)


_EXECUTE = (keyword("EXECUTE"), cl_symbol("EVAL"))


@special_form("EVAL-WHEN")
def eval_when(form: Any, env: Env, dest: Dest) -> Result:
    """Not at top level (see :mod:`lisp.compiler.toplevel`), only ``:execute`` counts."""
    args = arguments(form)
    check_count(form, args, 1, None)
    situations = items(args[0], form)
    return compile_body(args[1:] if any(s in _EXECUTE for s in situations) else [], env, dest)


@special_form("LOAD-TIME-VALUE")
def load_time_value(form: Any, env: Env, dest: Dest) -> Result:
    """The value of the form, evaluated (in the null lexical environment) when this occurrence
    is compiled: the code is compiled just before it runs."""
    args = arguments(form)
    check_count(form, args, 1, 2)
    return one_value(Result([], literal(eval_form(args[0]), env), NOTHING), env, dest)


@special_form("%WHILE", SYSTEM)
def while_(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%while test . body)``: run body while test is true; NIL. Body is no tagbody."""
    args = arguments(form)
    check_count(form, args, 1, None)
    with env.fn.loop(repeats=True):
        test = compile_test(args[0], env)
        body = compile_body(args[1:], env, EFFECT)
    records = max(test.records, body.records)
    if not test.stmts:
        loop = ast.While(test=test.expr, body=body.stmts or [ast.Pass()], orelse=[])
    else:
        stop = ast.If(test=ast.UnaryOp(op=ast.Not(), operand=test.expr), body=[ast.Break()], orelse=[])
        loop = ast.While(test=ast.Constant(True), body=[*test.stmts, stop, *body.stmts], orelse=[])
    return one_value(Result([loop], ast.Constant(None), records), env, dest)


# -- unwind-protect and multiple values --------------------------------------------------------

def _first_then(first: Any, then: list[Any], env: Env, dest: Dest, cleanup: bool) -> Result:
    """The values of ``first`` kept while the forms ``then`` run after it (as ``cleanup``: in the
    ``finally`` of a ``try``), for ``dest``: one value in a temporary, all values in a tuple
    (recorded again for a tail, as the forms after may have recorded values of their own)."""
    kept = compile_form(first, env, dest if dest in (EFFECT, ONE) else ALL)
    after = compile_body(then, env, EFFECT)
    records = max(kept.records, after.records, VALUES if dest.tail else NOTHING)
    saved = None if dest is EFFECT else env.unit.fresh("%values")
    protected = [*kept.stmts, *([] if saved is None else [assign(saved, kept.expr)])]
    if cleanup:
        stmts = [ast.Try(body=protected or [ast.Pass()], handlers=[], orelse=[], finalbody=after.stmts or [ast.Pass()])]
    else:
        stmts = [*protected, *after.stmts]
    if saved is None:
        return Result(stmts, ast.Constant(None), records)
    return Result(stmts, call("%restore_values", name(saved)) if dest.tail else name(saved), records)


@special_form("UNWIND-PROTECT")
def unwind_protect(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, None)
    return _first_then(args[0], args[1:], env, dest, cleanup=True)


@special_form("MULTIPLE-VALUE-PROG1")
def multiple_value_prog1(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, None)
    return _first_then(args[0], args[1:], env, dest, cleanup=False)


@special_form("MULTIPLE-VALUE-CALL")
def multiple_value_call(form: Any, env: Env, dest: Dest) -> Result:
    """The function, then each form's values (a tuple each); the function is called on them all."""
    args = arguments(form)
    check_count(form, args, 1, None)
    fn = compile_form(args[0], env, ONE)
    stmts, fn_expr = temp(fn, env, "%f")
    groups, each = [], [fn.records]
    for arg in args[1:]:
        group = compile_form(arg, env, ALL)
        tmp = env.unit.fresh("%mv")
        stmts.extend([*group.stmts, assign(tmp, group.expr)])
        groups.append(name(tmp))
        each.append(group.records)
    return call_to(Arguments(stmts, [fn_expr, *groups], each), env, dest,
                   lambda exprs: Result([], call("%mv_call", *exprs)))


@special_form("%MULTIPLE-VALUES", SYSTEM)
def multiple_values(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%multiple-values form)``: all values of form, as a Python tuple (one value)."""
    args = arguments(form)
    check_count(form, args, 1, 1)
    return one_value(compile_form(args[0], env, ALL), env, dest)


@special_form("%NAMED-LAMBDA", SYSTEM)
def named_lambda(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%named-lambda name lambda-list . body)``: a function called ``name``, whose body is
    in ``(block name ...)`` (``name`` may be ``(setf x)``)."""
    args = arguments(form)
    check_count(form, args, 2, None)
    fname = args[0]
    block_name = fname.cdr.car if isinstance(fname, Cons) else fname
    label = show(fname)
    inner = self_call_env(fname, args[1], args[2:], env)
    fn = compile_lambda(Cons(LAMBDA, form.cdr.cdr), inner or env, label, block=block_name, defun=inner is not None,
                        signed=True)
    env.unit.code_names[fn.expr.id] = label
    if inner is not None and inner.self_call.kept and inner.self_call.callees:
        fn = Result([*fn.stmts, bind_definition(inner.self_call.key, fn.expr)], fn.expr, NOTHING)
    return one_value(fn, env, dest)


@special_form("PROGV")
def progv(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 2, None)
    stmts, exprs, records = [], [], NOTHING
    for f in args[:2]:
        value = compile_form(f, env, ONE)
        s, e = temp(value, env)
        stmts.extend(s)
        exprs.append(e)
        records = max(records, value.records)
    body = compile_body(args[2:], env, dest.after(records))
    saved = env.unit.fresh("%specials")
    stmts.append(assign(saved, special_bindings()))
    protected = special_bindings_kept(saved, [ast.Expr(call("%progv_bind", *exprs))], body, dest, env)
    return Result([*stmts, *protected.stmts], protected.expr, max(records, body.records))


def special_operator_p(sym: Any) -> Any:
    """``special-operator-p``: T for the standard special operators."""
    return T if isinstance(sym, Symbol) and sym.package is COMMON_LISP and sym in SPECIAL_FORMS else None


namespace.builtin("SPECIAL-OPERATOR-P")(special_operator_p)
