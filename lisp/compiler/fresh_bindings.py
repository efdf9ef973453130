"""A ``let`` in a Python loop whose variables a closure captures: a fresh binding each time.

A lexical variable is a Python local, which a closure captures as a cell of the function's frame:
closures made on several turns of a loop would share one binding, where Common Lisp makes a new
binding each time the ``let`` is entered. So once such a ``let`` is compiled (its body once), each
``def`` in it that refers to one of its captured variables is made by a factory that takes the
binding of this turn (a parameter of the same name shadows the frame's local)::

    def %fresh(X):
        def LAMBDA():
            return X
        return LAMBDA
    LAMBDA = %fresh(X)

A variable that is assigned after it is bound (by the body or by a closure) is a box shared by the
body and the closures of one binding: it is bound to ``[value]``, and read and assigned as ``X[0]``.
"""

from __future__ import annotations

import ast

from lisp.compiler.core import Result, assign, call, name
from lisp.compiler.env import Env, Variable


def fresh_each_time(result: Result, captured: list[Variable], inits: dict[str, ast.Assign], env: Env) -> Result:
    """``result``, the code of a ``let`` run on each turn of a loop, with a fresh binding of each of
    the ``captured`` variables each time (``inits``: the assignment binding each variable)."""
    pynames = {v.pyname for v in captured}
    if not pynames:
        return result
    stmts, expr = result.stmts, result.expr
    boxed = {p for p in pynames if _assigned_after_init(p, [*stmts, expr], inits[p])}
    if boxed:
        boxing = _Box(boxed, {id(inits[p]) for p in boxed})
        stmts = [boxing.visit(s) for s in stmts]
        expr = boxing.visit(expr)
    return Result(_with_factories(stmts, pynames, env), expr, result.records)


def _assigned_after_init(pyname: str, nodes: list[ast.AST], init: ast.Assign) -> bool:
    for top in nodes:
        for node in ast.walk(top):
            if node is not init and isinstance(node, (ast.Assign, ast.For)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == pyname for t in targets):
                    return True
            if isinstance(node, ast.Nonlocal) and pyname in node.names:
                return True
    return False


class _Box(ast.NodeTransformer):
    """Reads and assignments of the ``boxed`` variables become ``X[0]``; their binding makes the box."""

    def __init__(self, boxed: set[str], init_ids: set[int]) -> None:
        self.boxed = boxed
        self.init_ids = init_ids

    def visit_Assign(self, node: ast.Assign) -> ast.Assign:
        if id(node) in self.init_ids:
            node.value = ast.List(elts=[self.visit(node.value)], ctx=ast.Load())
            return node
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id not in self.boxed:
            return node
        box = ast.copy_location(ast.Name(id=node.id, ctx=ast.Load()), node)
        return ast.copy_location(ast.Subscript(value=box, slice=ast.Constant(0), ctx=node.ctx), node)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> ast.stmt | None:
        names = [n for n in node.names if n not in self.boxed]
        if not names:
            return None
        node.names = names
        return node


def _with_factories(stmts: list[ast.stmt], pynames: set[str], env: Env) -> list[ast.stmt]:
    """``stmts`` where every ``def`` (not nested in another) that refers to variables of
    ``pynames`` is made by a factory taking their current bindings."""
    out: list[ast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ast.FunctionDef):
            used = sorted(pynames & _names_in(stmt))
            out.extend(_factory(stmt, used, env) if used else [stmt])
            continue
        for field in ("body", "orelse", "finalbody"):
            block = getattr(stmt, field, None)
            if isinstance(block, list):
                setattr(stmt, field, _with_factories(block, pynames, env))
        for handler in getattr(stmt, "handlers", ()):
            handler.body = _with_factories(handler.body, pynames, env)
        out.append(stmt)
    return out


def _names_in(node: ast.AST) -> set[str]:
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Nonlocal):
            found.update(sub.names)
    return found


def _factory(definition: ast.FunctionDef, used: list[str], env: Env) -> list[ast.stmt]:
    maker = env.unit.fresh("%fresh")
    params = ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in used], vararg=None, kwonlyargs=[],
                           kw_defaults=[], kwarg=None, defaults=[])
    factory = ast.FunctionDef(name=maker, args=params, body=[definition, ast.Return(value=name(definition.name))],
                              decorator_list=[], returns=None, type_params=[])
    made = assign(definition.name, call(maker, *(name(p) for p in used)))
    return [ast.copy_location(factory, definition), ast.copy_location(made, definition)]
