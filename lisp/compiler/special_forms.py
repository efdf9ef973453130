"""The special forms: one small function each, registered in ``core.SPECIAL_FORMS``.

Also the implementation's own special forms (package SYS): ``%while`` (a Python loop, what the
iteration macros expand into), ``%named-lambda`` (``defun``'s function) and
``%multiple-values`` (all values of a form as a Python tuple). Others live with the macros that
expand into them (``%do-list``, ``%do-times``, ``%collect``, ``%call-setf``).
"""

from __future__ import annotations

import ast
from typing import Any

from lisp.compiler.core import (
    SPECIAL_FORMS,
    Result,
    arguments,
    assign,
    call,
    compile_body,
    compile_form,
    compile_setq_variable,
    compile_single,
    compile_test,
    items,
    literal,
    name,
    program_error,
    show,
    special_form,
    temp,
)
from lisp.compiler.env import Env, Exit, LocalFunction, Variable
from lisp.compiler.functions import compile_lambda, compile_let, parse_body
from lisp.compiler.macros import macroexpand_1, make_expander
from lisp.compiler.self_calls import bind_definition, self_call_env
from lisp.compiler.tails import clear_pending_values, mark_tail, one_value
from lisp.runtime import namespace
from lisp.runtime.data import COMMON_LISP, SYSTEM, Cons, Symbol, T, cl_symbol, keyword, make_list

LAMBDA = cl_symbol("LAMBDA")
SETF = cl_symbol("SETF")
IF = cl_symbol("IF")
FUNCALL = cl_symbol("FUNCALL")


def _check_count(form: Any, args: list[Any], low: int, high: int | None) -> None:
    if len(args) < low or (high is not None and len(args) > high):
        want = f"{low}" if low == high else (f"at least {low}" if high is None else f"{low} to {high}")
        raise program_error(f"{show(form.car)} takes {want} arguments, not {len(args)}, in {show(form)}", form)


@special_form("QUOTE")
def quote_(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, 1)
    return Result([], literal(args[0], env))


@special_form("FUNCTION")
def function_(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, 1)
    fname = args[0]
    if isinstance(fname, Symbol):
        local = env.lookup_function(fname)
        if local is not None and local.pyname is not None:
            return Result([], name(local.pyname))
        if local is not None:
            raise program_error(f"{show(fname)} names a local macro, not a function", form)
        return Result([], call("%get_function", literal(fname, env)))
    if isinstance(fname, Cons) and fname.car is LAMBDA:
        return compile_lambda(fname, env, None)
    if isinstance(fname, Cons) and fname.car is SETF:
        return Result([], call("%get_setf_function", literal(fname.cdr.car, env)))
    raise program_error(f"{show(fname)} is not a function name", form)


@special_form("PROGN")
def progn(form: Any, env: Env) -> Result:
    return compile_body(arguments(form), env)


@special_form("IF")
def if_(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 2, 3)
    test = compile_test(args[0], env)
    then = compile_form(args[1], env)
    orelse = compile_form(args[2] if len(args) > 2 else None, env)
    if not then.stmts and not orelse.stmts:
        return Result(test.stmts, ast.IfExp(test=test.expr, body=then.expr, orelse=orelse.expr))
    out = env.unit.fresh("%if")
    env.unit.join_names.add(out)
    return Result([*test.stmts, ast.If(test=test.expr, body=_then_assign(then, out),
                                       orelse=_then_assign(orelse, out))], name(out), join=out)


def _then_assign(branch: Result, out: str) -> list[ast.stmt]:
    """A branch's statements, then its value stored in ``out`` unless control never gets there."""
    if branch.stmts and isinstance(branch.stmts[-1], (ast.Return, ast.Raise, ast.Break, ast.Continue)):
        return branch.stmts
    return [*branch.stmts, assign(out, branch.expr)]


@special_form("LET")
def let(form: Any, env: Env) -> Result:
    return compile_let(form, env, sequential=False)


@special_form("LET*")
def let_star(form: Any, env: Env) -> Result:
    return compile_let(form, env, sequential=True)


@special_form("SETQ")
def setq(form: Any, env: Env) -> Result:
    args = arguments(form)
    if len(args) % 2:
        raise program_error(f"odd number of arguments to SETQ in {show(form)}", form)
    stmts: list[ast.stmt] = []
    expr: ast.expr = ast.Constant(None)
    for i in range(0, len(args), 2):
        var, value = args[i], args[i + 1]
        if not isinstance(var, Symbol) or var.is_keyword:
            raise program_error(f"SETQ of {show(var)}, which is not a variable, in {show(form)}", form)
        if macroexpand_1(var, env)[1]:  # a symbol macro: (setf expansion value)
            step = compile_form(make_list([SETF, var, value]), env)
        else:
            step = compile_setq_variable(var, compile_single(value, env), env)
        stmts.extend(step.stmts)
        expr = step.expr
    return Result(stmts, expr)


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
def flet(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, None)
    stmts: list[ast.stmt] = []
    inner = env.extend(binds_operators=True)
    for sym, tail in _function_definitions(form, args[0]):
        fn = _local_function(sym, tail, env)
        stmts.extend(fn.stmts)
        inner.functions[sym] = LocalFunction(sym, pyname=fn.expr.id)
    return _declared_body(stmts, args[1:], inner)


@special_form("LABELS")
def labels(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, None)
    inner = env.extend(binds_operators=True)
    defs = _function_definitions(form, args[0])
    pynames = {}
    for sym, _ in defs:
        pynames[sym] = env.unit.fresh(sym.name)
        inner.functions[sym] = LocalFunction(sym, pyname=pynames[sym])
    stmts: list[ast.stmt] = []
    for sym, tail in defs:
        fn = _local_function(sym, tail, inner)
        stmts.extend([*fn.stmts, assign(pynames[sym], fn.expr)])
    return _declared_body(stmts, args[1:], inner)


def _declared_body(stmts: list[ast.stmt], forms: list[Any], env: Env) -> Result:
    declared, body = parse_body(forms)
    env = env.extend()
    env.specials.update(declared)
    result = compile_body(body, env)
    return Result(stmts + result.stmts, result.expr)


@special_form("MACROLET")
def macrolet(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, None)
    inner = env.extend(binds_operators=True)
    for sym, tail in _function_definitions(form, args[0]):
        lambda_list, *body = items(tail, form, 1)
        inner.functions[sym] = LocalFunction(sym, expander=make_expander(sym, lambda_list, body, env))
    return _declared_body([], args[1:], inner)


@special_form("SYMBOL-MACROLET")
def symbol_macrolet(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, None)
    inner = env.extend(binds_operators=True)
    for item in items(args[0], form):
        parts = items(item, form) if isinstance(item, Cons) else []
        if len(parts) != 2 or not isinstance(parts[0], Symbol):
            raise program_error(f"malformed symbol macro {show(item)} in {show(form)}", form)
        inner.variables[parts[0]] = Variable(parts[0], expansion=parts[1], is_symbol_macro=True)
    return _declared_body([], args[1:], inner)


@special_form("LOCALLY")
def locally(form: Any, env: Env) -> Result:
    return _declared_body([], arguments(form), env)


@special_form("THE")
def the(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 2, 2)
    return compile_form(args[1], env)


@special_form("DECLARE")
def declare(form: Any, env: Env) -> Result:
    raise program_error(f"a declaration is not allowed here: {show(form)}", form)


_EXECUTE = (keyword("EXECUTE"), cl_symbol("EVAL"))


@special_form("EVAL-WHEN")
def eval_when(form: Any, env: Env) -> Result:
    """Not at top level (see :mod:`lisp.compiler.toplevel`), only ``:execute`` counts."""
    args = arguments(form)
    _check_count(form, args, 1, None)
    situations = items(args[0], form)
    if any(s in _EXECUTE for s in situations):
        return compile_body(args[1:], env)
    return Result()


@special_form("LOAD-TIME-VALUE")
def load_time_value(form: Any, env: Env) -> Result:
    from lisp.compiler.toplevel import eval_form

    args = arguments(form)
    _check_count(form, args, 1, 2)
    # Once per form, even when the code around it is compiled twice (see compile_let).
    found = env.unit.load_time_values.get(id(form))
    if found is None:
        found = env.unit.load_time_values[id(form)] = (form, eval_form(args[0]))
    return Result([], literal(found[1], env))


# -- blocks and tags ---------------------------------------------------------------------------

def _new_exit(env: Env, depth: int, hint: str) -> Exit:
    return Exit(env.fn, depth, env.unit.fresh("%" + hint), env.unit.fresh("%r"))


def _is_local(exit_: Exit, env: Env) -> bool:
    """An exit is plain control flow only from the same Python function and loop."""
    return exit_.fn is env.fn and env.fn.loop_depth == exit_.loop_depth


def _exit_to(exit_: Exit, env: Env, value: ast.expr, jump: ast.stmt, exception: str) -> list[ast.stmt]:
    """Leave for ``exit_`` with ``value`` (a block's result, a tagbody's state): store and
    ``jump`` when that is plain control flow here, else raise ``exception`` aimed at its entry."""
    if exit_.returns and exit_.fn is env.fn:
        exit_.local_uses += 1
        return [ast.Return(value=value)]
    if _is_local(exit_, env):
        exit_.local_uses += 1
        return [assign(exit_.result_var, value), jump]
    exit_.nonlocal_uses += 1
    return [ast.Raise(exc=call(exception, name(exit_.tag_var), value))]


def _catching(body: list[ast.stmt], tag_var: str, exception: str, target: str, env: Env,
              finalbody: list[ast.stmt] | None = None) -> ast.Try:
    """``body`` in a ``try`` that takes an ``exception`` whose tag is ``tag_var``'s value, storing
    the exception's value in ``target`` (with its values recorded again, for a ``ValuesExit``);
    any other exception of that class passes on."""
    caught = env.unit.fresh("%e")
    attr = lambda a: ast.Attribute(value=name(caught), attr=a, ctx=ast.Load())  # noqa: E731
    reraise = ast.If(test=ast.Compare(left=attr("tag"), ops=[ast.IsNot()], comparators=[name(tag_var)]),
                     body=[ast.Raise()], orelse=[])
    value = call("%restore_values", attr("values")) if exception in _VALUES_EXITS else attr("value")
    handler = ast.ExceptHandler(type=name(exception), name=caught, body=[reraise, assign(target, value)])
    return ast.Try(body=body, handlers=[handler], orelse=[], finalbody=finalbody or [])


_VALUES_EXITS = ("%ReturnFrom", "%Throw")


@special_form("BLOCK")
def block(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, None)
    return compile_block(args[0], args[1:], env, form)


def compile_block(block_name: Any, forms: list[Any], env: Env, form: Any = None,
                  returns: bool = False) -> Result:
    """``(block block-name . forms)``. With ``returns`` the block is the whole body of the Python
    function being generated, so a ``return-from`` in that function is a Python ``return``.
    Otherwise the block is a ``while True:`` left by ``break``: a loop for exits, whose body runs
    once."""
    if not isinstance(block_name, Symbol) and block_name is not None:
        raise program_error(f"the block name {show(block_name)} is not a symbol", form)
    with env.fn.loop(repeats=False) as depth:
        exit_ = _new_exit(env, depth, "block")
        exit_.returns = returns
        inner = env.extend()
        inner.blocks[block_name] = exit_
        body = compile_body(forms, inner)
    if not exit_.nonlocal_uses and (returns or not exit_.local_uses):
        return body
    stmts: list[ast.stmt] = [*body.stmts, assign(exit_.result_var, body.expr)]
    if not returns:
        stmts = [ast.While(test=ast.Constant(True), body=[*stmts, ast.Break()], orelse=[])]
    if exit_.nonlocal_uses:
        stmts = [assign(exit_.tag_var, call("%ExitPoint")),
                 _catching(stmts, exit_.tag_var, "%ReturnFrom", exit_.result_var, env, [_left(exit_.tag_var)])]
    return Result(stmts, name(exit_.result_var))


def _left(tag_var: str) -> ast.stmt:
    """``TAG.left = True``: the block or tagbody of the exit point ``tag_var`` has been left."""
    return ast.Assign(targets=[ast.Attribute(value=name(tag_var), attr="left", ctx=ast.Store())],
                      value=ast.Constant(True))


@special_form("RETURN-FROM")
def return_from(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, 2)
    exit_ = env.lookup_block(args[0])
    if exit_ is None:
        raise program_error(f"RETURN-FROM names the block {show(args[0])}, which is not visible here", form)
    value_form = args[1] if len(args) > 1 else None
    if exit_.returns:  # the value leaves the function: it is in tail position
        value_form = mark_tail(value_form, env)
    value = compile_form(value_form, env)
    return Result([*value.stmts, *_exit_to(exit_, env, value.expr, ast.Break(), "%ReturnFrom")])


@special_form("TAGBODY")
def tagbody(form: Any, env: Env) -> Result:
    items_ = arguments(form)
    # Only a `go` makes the body run again, and there is none without tags.
    with env.fn.loop(repeats=any(not isinstance(i, Cons) for i in items_)) as depth:
        return _tagbody(form, items_, _new_exit(env, depth, "tagbody"), env)


def _tagbody(form: Any, items_: list[Any], exit_: Exit, env: Env) -> Result:
    inner = env.extend()
    segments: list[list[Any]] = [[]]
    for item in items_:
        if isinstance(item, Cons):
            segments[-1].append(item)
        elif isinstance(item, (Symbol, int)) or item is None:
            if item in exit_.tags:
                raise program_error(f"the tag {show(item)} appears twice in {show(form)}", form)
            exit_.tags[item] = len(segments)
            inner.tags[item] = exit_
            segments.append([])
        else:
            raise program_error(f"{show(item)} is not a tag or a form, in {show(form)}", form)
    compiled = [[s for f in segment for s in compile_form(f, inner).discard()] for segment in segments]
    if not exit_.local_uses and not exit_.nonlocal_uses:
        return Result([s for segment in compiled for s in segment])
    state = exit_.result_var
    steps: list[ast.stmt] = []
    for i, segment in enumerate(compiled):
        if segment:
            steps.append(ast.If(test=ast.Compare(left=name(state), ops=[ast.LtE()], comparators=[ast.Constant(i)]),
                                body=segment, orelse=[]))
    steps.append(ast.Break())
    stmts: list[ast.stmt] = [assign(state, ast.Constant(0))]
    loop = ast.While(test=ast.Constant(True), body=steps, orelse=[])
    if not exit_.nonlocal_uses:
        return Result([*stmts, loop])
    loop.body = [_catching(steps, exit_.tag_var, "%Go", state, env)]
    left = ast.Try(body=[loop], handlers=[], orelse=[], finalbody=[_left(exit_.tag_var)])
    return Result([*stmts, assign(exit_.tag_var, call("%ExitPoint")), left])


@special_form("GO")
def go(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, 1)
    exit_ = env.lookup_tag(args[0])
    if exit_ is None:
        raise program_error(f"GO to the tag {show(args[0])}, which is not visible here", form)
    return Result(_exit_to(exit_, env, ast.Constant(exit_.tags[args[0]]), ast.Continue(), "%Go"))


@special_form("%WHILE", SYSTEM)
def while_(form: Any, env: Env) -> Result:
    """``(sys::%while test . body)``: run body while test is true; NIL. Body is no tagbody."""
    args = arguments(form)
    _check_count(form, args, 1, None)
    with env.fn.loop(repeats=True):
        test = compile_test(args[0], env)
        body = [s for f in args[1:] for s in compile_form(f, env).discard()]
    if not test.stmts:
        return Result([ast.While(test=test.expr, body=body or [ast.Pass()], orelse=[])])
    stop = ast.If(test=ast.UnaryOp(op=ast.Not(), operand=test.expr), body=[ast.Break()], orelse=[])
    return Result([ast.While(test=ast.Constant(True), body=[*test.stmts, stop, *body], orelse=[])])


# -- catch, throw, unwind-protect --------------------------------------------------------------

@special_form("CATCH")
def catch(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, None)
    tag = compile_form(args[0], env)
    body = compile_body(args[1:], env)
    tag_var, tags, out = (env.unit.fresh(h) for h in ("%tag", "%tags", "%r"))
    pop = ast.Expr(call(ast.Attribute(value=name(tags), attr="pop", ctx=ast.Load())))
    push = ast.Expr(call(ast.Attribute(value=name(tags), attr="append", ctx=ast.Load()), name(tag_var)))
    protected = _catching([*body.stmts, assign(out, body.expr)], tag_var, "%Throw", out, env, [pop])
    return Result([*tag.stmts, assign(tag_var, tag.expr), assign(tags, call("%catch_tags")), push, protected],
                  name(out))


@special_form("THROW")
def throw(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 2, 2)
    tag = compile_form(args[0], env)
    tag_stmts, tag_expr = temp(tag, env)
    value = compile_form(args[1], env)
    return Result([*tag_stmts, *value.stmts, ast.Expr(call("%throw", tag_expr, value.expr))])


@special_form("UNWIND-PROTECT")
def unwind_protect(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, None)
    protected_stmts, protected_values = _all_values(args[0], env)
    cleanup = [s for f in args[1:] for s in compile_form(f, env).discard()]
    saved = env.unit.fresh("%values")
    body = [*protected_stmts, assign(saved, protected_values)]
    return Result([ast.Try(body=body, handlers=[], orelse=[], finalbody=cleanup or [ast.Pass()])],
                  call("%restore_values", name(saved)))


# -- multiple values ---------------------------------------------------------------------------

def _all_values(form: Any, env: Env) -> tuple[list[ast.stmt], ast.expr]:
    """Statements and an expression of the tuple of all values of ``form``."""
    if one_value(form, env):
        result = compile_form(form, env)
        return result.stmts, ast.Tuple(elts=[result.expr], ctx=ast.Load())
    # The register is cleared first: then the form's tails are marked as those of a function
    # entered with no values recorded (clean), and need no clear where they record nothing.
    result = compile_form(mark_tail(form, env, clean=True), env)
    return [*clear_pending_values(form, env).stmts, *result.stmts], call("%values_of", result.expr)


@special_form("MULTIPLE-VALUE-CALL")
def multiple_value_call(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, None)
    fn = compile_form(args[0], env)
    stmts, fn_expr = temp(fn, env, "%f")
    groups = []
    for arg in args[1:]:
        arg_stmts, arg_values = _all_values(arg, env)
        tmp = env.unit.fresh("%mv")
        stmts.extend([*arg_stmts, assign(tmp, arg_values)])
        groups.append(name(tmp))
    return Result(stmts, call("%mv_call", fn_expr, *groups))


@special_form("MULTIPLE-VALUE-PROG1")
def multiple_value_prog1(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 1, None)
    first_stmts, first_values = _all_values(args[0], env)
    saved = env.unit.fresh("%values")
    rest = [s for f in args[1:] for s in compile_form(f, env).discard()]
    return Result([*first_stmts, assign(saved, first_values), *rest], call("%restore_values", name(saved)))


@special_form("%MULTIPLE-VALUES", SYSTEM)
def multiple_values(form: Any, env: Env) -> Result:
    """``(sys::%multiple-values form)``: all values of form, as a Python tuple."""
    args = arguments(form)
    _check_count(form, args, 1, 1)
    stmts, expr = _all_values(args[0], env)
    return Result(stmts, expr)


@special_form("%NAMED-LAMBDA", SYSTEM)
def named_lambda(form: Any, env: Env) -> Result:
    """``(sys::%named-lambda name lambda-list . body)``: a function called ``name``, whose body is
    in ``(block name ...)`` (``name`` may be ``(setf x)``)."""
    args = arguments(form)
    _check_count(form, args, 2, None)
    fname = args[0]
    block_name = fname.cdr.car if isinstance(fname, Cons) else fname
    label = show(fname)
    inner = self_call_env(fname, args[1], args[2:], env)
    fn = compile_lambda(Cons(LAMBDA, form.cdr.cdr), inner or env, label, block=block_name)
    env.unit.code_names[fn.expr.id] = label
    if inner is None:
        return fn
    return Result([*fn.stmts, bind_definition(inner.self_call[1], fn.expr)], fn.expr)


@special_form("PROGV")
def progv(form: Any, env: Env) -> Result:
    args = arguments(form)
    _check_count(form, args, 2, None)
    stmts, exprs = [], []
    for f in args[:2]:
        s, e = temp(compile_form(f, env), env)
        stmts.extend(s)
        exprs.append(e)
    saved, out = env.unit.fresh("%specials"), env.unit.fresh("%r")
    body = compile_body(args[2:], env)
    stmts.append(assign(saved, call("%progv_bind", *exprs)))
    stmts.append(ast.Try(body=[*body.stmts, assign(out, body.expr)], handlers=[], orelse=[],
                         finalbody=[ast.Expr(call("%unbind_specials", name(saved)))]))
    return Result(stmts, name(out))


def special_operator_p(sym: Any) -> Any:
    """``special-operator-p``: T for the standard special operators."""
    return T if isinstance(sym, Symbol) and sym.package is COMMON_LISP and sym in SPECIAL_FORMS else None


namespace.builtin("SPECIAL-OPERATOR-P")(special_operator_p)
