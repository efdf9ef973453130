"""The value of compiling one form: the Python statements it needs and the expression of its value."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from lisp.runtime.data import SourcePos

_PURE = (ast.Constant, ast.Name)


@dataclass
class Result:
    """``stmts`` run first; then ``expr`` is the form's value (it may be evaluated only once)."""

    stmts: list[ast.stmt] = field(default_factory=list)
    expr: ast.expr = field(default_factory=lambda: ast.Constant(None))
    # The temporary that carries the value of an `if` (the last statement) out of its branches.
    join: str | None = None

    def discard(self) -> list[ast.stmt]:
        """The statements that evaluate the form for effect only (an ``if``'s branches do not
        store a constant or a variable's value in its join temporary)."""
        if isinstance(self.expr, _PURE):
            if self.join is not None and self.stmts and isinstance(self.stmts[-1], ast.If):
                last = self.stmts[-1]
                body, orelse = _unjoined(last.body, self.join), _unjoined(last.orelse, self.join)
                return [*self.stmts[:-1], ast.copy_location(ast.If(test=last.test, body=body or [ast.Pass()],
                                                                   orelse=orelse), last)]
            return self.stmts
        return [*self.stmts, ast.Expr(self.expr)]


def _unjoined(branch: list[ast.stmt], join: str) -> list[ast.stmt]:
    end = branch[-1] if branch else None
    if isinstance(end, ast.Assign) and isinstance(end.value, _PURE) \
            and [t.id for t in end.targets if isinstance(t, ast.Name)] == [join] and len(end.targets) == 1:
        return branch[:-1]
    return branch


def stamp(nodes: list[ast.AST], pos: SourcePos) -> None:
    """Give every node without a location the location ``pos``.

    Nodes made by inner forms were stamped first, with their own (more precise) positions, and
    their children with them, so the walk stops at the first stamped node.
    """
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if not isinstance(node, (ast.stmt, ast.expr, ast.arg, ast.excepthandler, ast.keyword)):
            stack.extend(ast.iter_child_nodes(node))
            continue
        if getattr(node, "lineno", None) is not None:
            continue
        node.lineno = node.end_lineno = pos.line
        node.col_offset = node.end_col_offset = max(pos.column - 1, 0)
        stack.extend(ast.iter_child_nodes(node))
