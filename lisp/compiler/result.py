"""What compiling one form gives, and what it is compiled for.

A form is compiled knowing where its values go (:class:`Dest`, an argument of every form's
compiler, as in SBCL's IR1 conversion); it gives a :class:`Result` (as Hy's compiler does): the
Python statements it needs, the expression of its value, and whether running them may record
multiple values (:class:`Records`), which tells the forms after it whether the values register
still holds nothing of theirs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import Enum, IntEnum

from lisp.runtime.data import SourcePos

_PURE = (ast.Constant, ast.Name)


class Dest(Enum):
    """Where a form's values go (the invariant the tails keep is in :mod:`lisp.runtime.values`)."""

    EFFECT = "effect"
    """Nowhere: the form runs for its effects (the Result's expression is NIL)."""
    ONE = "one value"
    """The primary value is used (an argument, a test, an initial value); whatever the form leaves
    in the values register is nobody's business."""
    ALL = "all values"
    """A consumer of multiple values takes them: the Result's expression is the tuple of them all,
    and the register is not read afterwards."""
    TAIL = "tail"
    """The values pass on (the function's, the top-level form's, a consumer's form's): when the
    form returns, the register must hold only values it recorded through its own tail calls.
    Something evaluated before it may have recorded values."""
    CLEAN_TAIL = "clean tail"
    """A tail of a function reached by code that recorded no values since the function was
    entered: the register holds what it held then (see lisp.compiler.core.one_value)."""

    @property
    def tail(self) -> bool:
        return self is Dest.TAIL or self is Dest.CLEAN_TAIL

    def after(self, records: Records) -> Dest:
        """The destination of a form that runs after code that ``records``."""
        return Dest.TAIL if self is Dest.CLEAN_TAIL and records else self


class Records(IntEnum):
    """Whether running a form's code may record multiple values; the greatest of its parts'."""

    NOTHING = 0
    """It calls no function, or only the standard functions open-coded operators fall back on,
    which return one value."""
    SELF_CALLS = 1
    """It calls no function but the apparent self-calls of the defun being compiled, which record
    nothing if the defun does not (lisp.compiler.self_calls). Code is generated as for VALUES."""
    VALUES = 2
    """It may."""


@dataclass
class Result:
    """``stmts`` run first; then ``expr`` is the form's value (it may be evaluated only once)."""

    stmts: list[ast.stmt] = field(default_factory=list)
    expr: ast.expr = field(default_factory=lambda: ast.Constant(None))
    records: Records = Records.VALUES

    def discard(self) -> list[ast.stmt]:
        """The statements that evaluate the form for effect only."""
        if isinstance(self.expr, _PURE):
            return self.stmts
        return [*self.stmts, ast.Expr(self.expr)]


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
