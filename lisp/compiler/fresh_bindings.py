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
The other names its code binds on each turn are fresh too where a closure refers to them (the
local functions of ``flet`` and ``labels``, calling each other or called by a closure; the entry
of a ``block`` a closure returns from): the closures reach them through a box made on entry,
filled where the name is bound.

Each name is given its fresh bindings once, by the innermost such ``let`` (``Unit.made_fresh``).
"""

from __future__ import annotations

import ast

from lisp.compiler.core import Result, assign, call, name
from lisp.compiler.env import Env, Variable


def fresh_each_time(result: Result, captured: list[Variable], inits: dict[str, ast.Assign], env: Env) -> Result:
    """``result``, the code of a ``let`` run on each turn of a loop, with a fresh binding of each of
    the ``captured`` variables each time (``inits``: the assignment binding each variable), and of
    the local functions it makes that closures refer to."""
    pynames = {v.pyname for v in captured}
    if not pynames:
        return result
    stmts, expr = result.stmts, result.expr
    boxed = {p for p in pynames if _assigned_after_init(p, [*stmts, expr], inits[p])}
    if boxed:
        boxing = _Box(boxed, {id(inits[p]) for p in boxed})
        stmts = [boxing.visit(s) for s in stmts]
        expr = boxing.visit(expr)
    functions = (_bound_here(stmts) & _names_in_defs(stmts)) - pynames - env.unit.made_fresh
    if functions:
        boxes = {f: env.unit.fresh("%box") for f in sorted(functions)}
        stmts = [*(assign(b, ast.List(elts=[ast.Constant(None)], ctx=ast.Load())) for b in boxes.values()),
                 *_through_boxes(stmts, boxes)]
        pynames |= set(boxes.values())
    env.unit.made_fresh |= pynames | functions
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
        return _in_box(node.id, node.ctx, node)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> ast.stmt | None:
        names = [n for n in node.names if n not in self.boxed]
        if not names:
            return None
        node.names = names
        return node


def _in_box(box: str, ctx: ast.expr_context, where: ast.AST) -> ast.expr:
    """``box[0]``."""
    held = ast.copy_location(ast.Name(id=box, ctx=ast.Load()), where)
    return ast.copy_location(ast.Subscript(value=held, slice=ast.Constant(0), ctx=ctx), where)


def _level(stmts: list[ast.stmt]):
    """The statements of ``stmts`` run by this function itself (not inside a ``def``), each with
    the list that holds it."""
    for stmt in stmts:
        yield stmt, stmts
        if not isinstance(stmt, ast.FunctionDef):
            for block in (getattr(stmt, f, None) for f in ("body", "orelse", "finalbody")):
                if isinstance(block, list):
                    yield from _level(block)
            for handler in getattr(stmt, "handlers", ()):
                yield from _level(handler.body)


def _bound_by(stmt: ast.stmt) -> list[str]:
    """The names ``stmt`` binds by assigning them or defining a function."""
    if isinstance(stmt, ast.FunctionDef):
        return [stmt.name]
    return [t.id for t in getattr(stmt, "targets", ()) if isinstance(t, ast.Name)]


def _bound_here(stmts: list[ast.stmt]) -> set[str]:
    """The names this function's own statements among ``stmts`` bind."""
    return {n for stmt, _ in _level(stmts) for n in _bound_by(stmt)}


def _names_in_defs(stmts: list[ast.stmt]) -> set[str]:
    """The names the ``def``\\ s among this function's own statements read from it."""
    return {n for stmt, _ in _level(stmts) if isinstance(stmt, ast.FunctionDef) for n in _free_names(stmt)}


def _own_names(fn: ast.FunctionDef) -> set[str]:
    """The names local to ``fn``: its parameters and what it binds, unless declared nonlocal.
    (Python names are unique in a unit, but for the factories made here: a factory's parameters
    and its function's name are also names of the function around it.)"""
    args = fn.args
    params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a}
    declared = {n for stmt, _ in _level(fn.body) if isinstance(stmt, ast.Nonlocal) for n in stmt.names}
    return (params | _bound_here(fn.body)) - declared


def _free_names(fn: ast.FunctionDef) -> set[str]:
    """The names ``fn`` (and the functions in it) read or assign in the functions around it."""
    used: set[str] = set()
    for stmt, _ in _level(fn.body):
        if isinstance(stmt, ast.FunctionDef):
            used |= _free_names(stmt)
        elif isinstance(stmt, ast.Nonlocal):
            used.update(stmt.names)
        else:
            used.update(n.id for n in _walk_here(stmt) if isinstance(n, ast.Name))
    return used - _own_names(fn)


def _walk_here(stmt: ast.stmt):
    """The nodes of ``stmt`` outside the statement lists ``_level`` visits on its own."""
    stack = [stmt]
    while stack:
        node = stack.pop()
        yield node
        for field, value in ast.iter_fields(node):
            if field in ("body", "orelse", "finalbody", "handlers") and isinstance(node, ast.stmt):
                continue
            stack.extend(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, ast.AST))


def _through_boxes(stmts: list[ast.stmt], boxes: dict[str, str]) -> list[ast.stmt]:
    """``stmts`` where each binding of a name of ``boxes`` by this function's own statements also
    fills its box, and every ``def`` reads the name from the box."""

    bindings = [(stmt, block, n) for stmt, block in _level(stmts) for n in _bound_by(stmt) if n in boxes]
    for stmt, block, bound in bindings:
        fill = ast.Assign(targets=[_in_box(boxes[bound], ast.Store(), stmt)], value=name(bound))
        block.insert(block.index(stmt) + 1, ast.copy_location(fill, stmt))
    for stmt, _ in list(_level(stmts)):
        if isinstance(stmt, ast.FunctionDef):
            _read_boxes(stmt, boxes)
    return stmts


def _read_boxes(fn: ast.FunctionDef, boxes: dict[str, str]) -> None:
    """Make ``fn`` read the names of ``boxes`` it does not bind itself from their boxes."""
    visible = {n: b for n, b in boxes.items() if n not in _own_names(fn)}

    class Reads(ast.NodeTransformer):
        def visit_FunctionDef(self, inner: ast.FunctionDef) -> ast.FunctionDef:
            _read_boxes(inner, visible)
            return inner

        def visit_Name(self, node: ast.Name) -> ast.expr:
            return _in_box(visible[node.id], node.ctx, node) if node.id in visible else node

    fn.body = [Reads().visit(s) for s in fn.body]


def _with_factories(stmts: list[ast.stmt], pynames: set[str], env: Env) -> list[ast.stmt]:
    """``stmts`` where every ``def`` (not nested in another) that refers to variables of
    ``pynames`` is made by a factory taking their current bindings."""
    out: list[ast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ast.FunctionDef):
            used = sorted(pynames & _free_names(stmt))
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


def _factory(definition: ast.FunctionDef, used: list[str], env: Env) -> list[ast.stmt]:
    maker = env.unit.fresh("%fresh")
    params = ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in used], vararg=None, kwonlyargs=[],
                           kw_defaults=[], kwarg=None, defaults=[])
    factory = ast.FunctionDef(name=maker, args=params, body=[definition, ast.Return(value=name(definition.name))],
                              decorator_list=[], returns=None, type_params=[])
    made = assign(definition.name, call(maker, *(name(p) for p in used)))
    return [ast.copy_location(factory, definition), ast.copy_location(made, definition)]
