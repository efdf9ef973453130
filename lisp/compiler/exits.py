"""Blocks and tags and the exits to them: ``block``/``return-from``, ``tagbody``/``go``,
``catch``/``throw``.

An exit is plain Python control flow when it is in the same Python function and loop as its
block or tagbody (``return-from`` a function's own block is a ``return``, even from inside
loops); otherwise it raises a private exception aimed at the block's or tagbody's entry (an
``ExitPoint``), which catches it. A block's values go where the block's go (``Exit.dest``): a
``return-from`` compiles its value for that destination. An exit that raises carries the tuple
of its values (``runtime.ValuesExit``), as ``throw`` does, so no frame it passes through can
change them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from lisp.compiler.core import (
    ALL,
    EFFECT,
    NOTHING,
    ONE,
    TAIL,
    VALUES,
    Result,
    assign,
    call,
    compile_body,
    compile_form,
    name,
    one_value,
    special_form,
    temp,
)
from lisp.compiler.env import Env, Exit
from lisp.compiler.forms import arguments, check_count, program_error, show
from lisp.compiler.result import Dest
from lisp.runtime.data import Cons, Symbol


def _is_local(exit_: Exit, env: Env) -> bool:
    """An exit is plain control flow only from the same Python function and loop."""
    return exit_.fn is env.fn and env.fn.loop_depth == exit_.loop_depth


def _catching(body: list[ast.stmt], tag_var: str, exception: str, env: Env,
              caught: Callable[[ast.expr], list[ast.stmt]], finalbody: list[ast.stmt] | None = None) -> ast.Try:
    """``body`` in a ``try`` that takes an ``exception`` whose tag is ``tag_var``'s value and runs
    ``caught(the exception)``; any other exception of that class passes on."""
    exc = env.unit.fresh("%e")
    reraise = ast.If(test=ast.Compare(left=ast.Attribute(value=name(exc), attr="tag", ctx=ast.Load()),
                                      ops=[ast.IsNot()], comparators=[name(tag_var)]),
                     body=[ast.Raise()], orelse=[])
    handler = ast.ExceptHandler(type=name(exception), name=exc, body=[reraise, *caught(name(exc))])
    return ast.Try(body=body, handlers=[handler], orelse=[], finalbody=finalbody or [])


def _values_caught(target: str, dest: Dest) -> Callable[[ast.expr], list[ast.stmt]]:
    """What a block or catch of ``dest`` does with a caught ``runtime.ValuesExit``: its values
    (one, the tuple, or recorded again for a tail) stored in ``target``."""

    def store(exc: ast.expr) -> list[ast.stmt]:
        if dest is EFFECT:
            return []
        if dest is ONE:
            return [assign(target, ast.Attribute(value=exc, attr="value", ctx=ast.Load()))]
        values = ast.Attribute(value=exc, attr="values", ctx=ast.Load())
        return [assign(target, values if dest is ALL else call("%restore_values", values))]

    return store


def _carried_values(form: Any, env: Env, dest: Dest) -> Result:
    """``form`` compiled for an exit that raises towards a block or catch of ``dest``: the
    expression is the tuple of the values it needs."""
    if dest is EFFECT:
        done = compile_form(form, env, EFFECT)
        return Result(done.stmts, ast.Tuple(elts=[], ctx=ast.Load()), done.records)
    if dest is ONE:
        return one_value(compile_form(form, env, ONE), env, ALL)
    return compile_form(form, env, ALL)


def _visible(exit_: Exit | None, form: Any, exiting: str) -> Exit:
    """``exit_``, the block or tagbody ``form`` exits to, else a PROGRAM-ERROR."""
    if exit_ is None:
        raise program_error(f"{exiting}, which is not visible here", form)
    return exit_


def _left(tag_var: str) -> ast.stmt:
    """``TAG.left = True``: the block or tagbody of the exit point ``tag_var`` has been left."""
    return ast.Assign(targets=[ast.Attribute(value=name(tag_var), attr="left", ctx=ast.Store())],
                      value=ast.Constant(True))


@special_form("BLOCK")
def block(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, None)
    return compile_block(args[0], args[1:], env, dest, form)


def compile_block(block_name: Any, forms: list[Any], env: Env, dest: Dest, form: Any = None,
                  returns: bool = False) -> Result:
    """``(block block-name . forms)`` for ``dest``. With ``returns`` the block is the whole body of
    the Python function being generated, so a ``return-from`` in that function is a Python
    ``return``. Otherwise the block is a ``while True:`` left by ``break``: a loop for exits,
    whose body runs once."""
    if not isinstance(block_name, Symbol) and block_name is not None:
        raise program_error(f"the block name {show(block_name)} is not a symbol", form)
    with env.fn.loop(repeats=False) as depth:
        exit_ = Exit(env.fn, depth, env.unit.fresh("%block"), env.unit.fresh("%r"), returns=returns, dest=dest)
        inner = env.extend()
        inner.blocks[block_name] = exit_
        body = compile_body(forms, inner, dest)
    if not exit_.nonlocal_uses and (returns or not exit_.local_uses):
        return body
    out = exit_.result_var
    stmts = body.stmts if dest is EFFECT else [*body.stmts, assign(out, body.expr)]
    if not returns:
        stmts = [ast.While(test=ast.Constant(True), body=[*stmts, ast.Break()], orelse=[])]
    records = body.records
    if exit_.nonlocal_uses:
        stmts = [assign(exit_.tag_var, call("%ExitPoint")),
                 _catching(stmts, exit_.tag_var, "%ReturnFrom", env, _values_caught(out, dest), [_left(exit_.tag_var)])]
        if dest.tail:  # the caught values are recorded again
            records = VALUES
    return Result(stmts, ast.Constant(None) if dest is EFFECT else name(out), records)


@special_form("RETURN-FROM")
def return_from(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, 2)
    exit_ = _visible(env.lookup_block(args[0]), form, f"RETURN-FROM names the block {show(args[0])}")
    value_form = args[1] if len(args) > 1 else None
    if exit_.returns and exit_.fn is env.fn:  # the value leaves the function: its tail
        exit_.local_uses += 1
        value = compile_form(value_form, env, TAIL)
        return Result([*value.stmts, ast.Return(value=value.expr)], records=value.records)
    if _is_local(exit_, env):
        exit_.local_uses += 1
        value = compile_form(value_form, env, TAIL if exit_.dest.tail else exit_.dest)
        stored = [] if exit_.dest is EFFECT else [assign(exit_.result_var, value.expr)]
        return Result([*value.stmts, *stored, ast.Break()], records=value.records)
    exit_.nonlocal_uses += 1
    value = _carried_values(value_form, env, exit_.dest)
    raised = ast.Raise(exc=call("%ReturnFrom", name(exit_.tag_var), value.expr))
    return Result([*value.stmts, raised], records=value.records)


@special_form("TAGBODY")
def tagbody(form: Any, env: Env, dest: Dest) -> Result:
    items_ = arguments(form)
    # Only a `go` makes the body run again, and there is none without tags.
    with env.fn.loop(repeats=any(not isinstance(i, Cons) for i in items_)) as depth:
        exit_ = Exit(env.fn, depth, env.unit.fresh("%tagbody"), env.unit.fresh("%r"))
        return one_value(_tagbody(form, items_, exit_, env), env, dest)


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
    done = [compile_body(segment, inner, EFFECT) for segment in segments]
    records = max(d.records for d in done)
    compiled = [d.stmts for d in done]
    if not exit_.local_uses and not exit_.nonlocal_uses:
        return Result([s for segment in compiled for s in segment], records=records)
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
        return Result([*stmts, loop], records=records)
    loop.body = [catching_go(steps, exit_, env)]
    return Result([*stmts, *entered(exit_, [loop])], records=records)


def catching_go(body: list[ast.stmt], exit_: Exit, env: Env) -> ast.Try:
    """``body`` in a ``try`` that takes a GO (``runtime.Go``) to a tag of ``exit_`` raised from
    elsewhere: the tag's number becomes the state of the tagbody (``exit_.result_var``)."""
    return _catching(body, exit_.tag_var, "%Go", env, lambda exc: [
        assign(exit_.result_var, ast.Attribute(value=exc, attr="value", ctx=ast.Load()))])


def entered(exit_: Exit, body: list[ast.stmt]) -> list[ast.stmt]:
    """``body`` run with the exit point of ``exit_`` established, and marked left after it."""
    return [assign(exit_.tag_var, call("%ExitPoint")),
            ast.Try(body=body, handlers=[], orelse=[], finalbody=[_left(exit_.tag_var)])]


@special_form("GO")
def go(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, 1)
    exit_ = _visible(env.lookup_tag(args[0]), form, f"GO to the tag {show(args[0])}")
    number = ast.Constant(exit_.tags[args[0]])
    if _is_local(exit_, env):
        exit_.local_uses += 1
        return Result([assign(exit_.result_var, number), ast.Continue()], records=NOTHING)
    exit_.nonlocal_uses += 1
    return Result([ast.Raise(exc=call("%Go", name(exit_.tag_var), number))], records=NOTHING)


@special_form("CATCH")
def catch(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 1, None)
    tag = compile_form(args[0], env, ONE)
    body = compile_body(args[1:], env, dest)
    tag_var, tags, out = (env.unit.fresh(h) for h in ("%tag", "%tags", "%r"))
    pop = ast.Expr(call(ast.Attribute(value=name(tags), attr="pop", ctx=ast.Load())))
    push = ast.Expr(call(ast.Attribute(value=name(tags), attr="append", ctx=ast.Load()), name(tag_var)))
    stored = [] if dest is EFFECT else [assign(out, body.expr)]
    protected = _catching([*body.stmts, *stored] or [ast.Pass()], tag_var, "%Throw", env, _values_caught(out, dest),
                          [pop])
    records = VALUES if dest.tail else max(tag.records, body.records)  # a tail records the caught values again
    return Result([*tag.stmts, assign(tag_var, tag.expr), assign(tags, call("%catch_tags")), push, protected],
                  ast.Constant(None) if dest is EFFECT else name(out), records)


@special_form("THROW")
def throw(form: Any, env: Env, dest: Dest) -> Result:
    args = arguments(form)
    check_count(form, args, 2, 2)
    tag = compile_form(args[0], env, ONE)
    tag_stmts, tag_expr = temp(tag, env)
    value = compile_form(args[1], env, ALL)
    return Result([*tag_stmts, *value.stmts, ast.Expr(call("%throw", tag_expr, value.expr))],
                  records=max(tag.records, value.records))
