"""The value of compiling one form: the Python statements it needs and the expression of its value."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from lisp.data import SourcePos

_PURE = (ast.Constant, ast.Name)


@dataclass
class Result:
    """``stmts`` run first; then ``expr`` is the form's value (it may be evaluated only once)."""

    stmts: list[ast.stmt] = field(default_factory=list)
    expr: ast.expr = field(default_factory=lambda: ast.Constant(None))

    def discard(self) -> list[ast.stmt]:
        """The statements that evaluate the form for effect only."""
        if isinstance(self.expr, _PURE):
            return self.stmts
        return [*self.stmts, ast.Expr(self.expr)]

    @property
    def is_pure(self) -> bool:
        """Whether the form needs no statements and its value has no side effects."""
        return not self.stmts and isinstance(self.expr, _PURE)


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
