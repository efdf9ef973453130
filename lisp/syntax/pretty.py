"""Line breaking for the pretty printer (``*print-pretty*``): lists and vectors too wide for the
right margin are laid out over several lines, in the styles SBCL's pretty printer uses.

:class:`Layout` ``(flat, margin, length, level, abbreviation).text(obj, depth, column)`` returns the
text of ``obj`` starting at ``column``; ``flat(obj, depth)`` is the printer's one-line text of an
object, which is kept whenever it fits. Styles:

- data lists: *fill* -- as many elements per line as fit, continuation lines one column in from
  the open parenthesis; vectors likewise, two columns in; calls of global functions likewise,
  continuation lines aligned under the first argument;
- ``cond``, ``and``, ``or``, ``setf``, ``handler-case``... (:data:`CALL_FORMS`): as calls;
- ``defun``, ``let``, ``when``, ``lambda``, ``dolist``... (:data:`BODY_FORMS`): the operator and its
  first arguments on the first line, each body form on its own line, indented by 2; the binding
  lists of ``let`` and ``flet`` & co one binding per line; in ``do``, ``multiple-value-bind`` & co
  (:data:`STACKED_HEADER_FORMS`) the arguments after the first go one per line, indented by 4
  (``do*`` by 5: under its first argument);
- ``if``: one argument per line, aligned under the first;
- ``progn``, ``tagbody``: one form per line, indented by 1;
- ``loop``: a line per clause (at each clause keyword), aligned after ``(LOOP ``; ``do``'s
  variable list one binding per line;
- ``'x``, ``#'f`` and backquote abbreviations are kept;
- a structure (``#S(...)``): each slot on a line of its own.

Not done (deviations): ``pprint-logical-block`` and the other pretty-printing functions, the
``*print-pprint-dispatch*`` table, ``*print-lines*`` and ``*print-miser-width*`` (SBCL lays out a
form that starts less than 40 columns from the margin otherwise), SBCL's own layout of the local
functions of ``flet`` & co.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisp.runtime.data import NIL, Cons, Symbol, cl_symbol
from lisp.runtime.namespace import fboundp

#: Operator -> how many arguments stay on the first line; the rest is a body indented by 2.
BODY_FORMS: dict[Symbol, int] = {cl_symbol(name): count for name, count in (
    ("DEFUN", 2), ("DEFMACRO", 2), ("DEFGENERIC", 2), ("DEFMETHOD", 2), ("DEFCLASS", 2),
    ("DEFINE-CONDITION", 2), ("DEFSTRUCT", 1), ("DEFVAR", 1), ("DEFPARAMETER", 1), ("DEFCONSTANT", 1),
    ("LAMBDA", 1), ("LET", 1), ("LET*", 1), ("FLET", 1), ("LABELS", 1), ("MACROLET", 1),
    ("SYMBOL-MACROLET", 1), ("WHEN", 1), ("UNLESS", 1), ("DOLIST", 1), ("DOTIMES", 1), ("DO", 2),
    ("DO*", 2), ("BLOCK", 1), ("CATCH", 1), ("RETURN-FROM", 1), ("UNWIND-PROTECT", 1),
    ("HANDLER-BIND", 1), ("RESTART-CASE", 1), ("WITH-OPEN-FILE", 1), ("WITH-OPEN-STREAM", 1),
    ("WITH-OUTPUT-TO-STRING", 1), ("WITH-INPUT-FROM-STRING", 1), ("WITH-SLOTS", 2),
    ("WITH-ACCESSORS", 2), ("MULTIPLE-VALUE-BIND", 2), ("DESTRUCTURING-BIND", 2), ("CASE", 1),
    ("ECASE", 1), ("CCASE", 1), ("TYPECASE", 1), ("ETYPECASE", 1), ("CTYPECASE", 1), ("PROG1", 1),
    ("PROG2", 2), ("EVAL-WHEN", 1), ("LOCALLY", 0), ("PRINT-UNREADABLE-OBJECT", 1),
)}
#: Forms whose first argument is a list of bindings, printed one binding per line.
BINDING_FORMS = frozenset(cl_symbol(name) for name in (
    "LET", "LET*", "FLET", "LABELS", "MACROLET", "SYMBOL-MACROLET", "HANDLER-BIND"))
#: Forms whose binding list, when the form is broken, has one binding per line even if it fits.
STACKED_BINDING_FORMS = frozenset(cl_symbol(name) for name in ("DO", "DO*"))
#: LOOP keywords that start a clause: a broken LOOP starts a line at each (SBCL's layout).
LOOP_CLAUSE_KEYWORDS = frozenset((
    "NAMED", "WITH", "FOR", "AS", "REPEAT", "WHILE", "UNTIL", "ALWAYS", "NEVER", "THEREIS", "DO",
    "DOING", "RETURN", "COLLECT", "COLLECTING", "APPEND", "APPENDING", "NCONC", "NCONCING", "COUNT",
    "COUNTING", "SUM", "SUMMING", "MAXIMIZE", "MAXIMIZING", "MINIMIZE", "MINIMIZING", "IF", "WHEN",
    "UNLESS", "AND", "END", "INITIALLY", "FINALLY"))
#: Forms whose header arguments after the first go one per line, indented by 4 (as SBCL).
STACKED_HEADER_FORMS = frozenset(cl_symbol(name) for name in (
    "DO", "DO*", "MULTIPLE-VALUE-BIND", "WITH-SLOTS", "WITH-ACCESSORS", "PROG2"))
#: Operators whose arguments go one per line, aligned under the first.
ALIGNED_FORMS = frozenset([cl_symbol("IF")])
#: Macros and special forms laid out as calls of global functions.
CALL_FORMS = frozenset(cl_symbol(name) for name in (
    "COND", "AND", "OR", "SETQ", "SETF", "PSETQ", "PSETF", "HANDLER-CASE", "THE"))
#: Forms of place and value pairs: a line breaks only before a place.
PAIR_FORMS = frozenset(cl_symbol(name) for name in ("SETQ", "SETF", "PSETQ", "PSETF"))
#: Operators whose forms go one per line, one column in.
BLOCK_FORMS = frozenset(cl_symbol(name) for name in ("PROGN", "TAGBODY"))

_ELLIPSIS = object()  # where *print-length* cuts a list


class Layout:
    """Lays out one top-level object; see the module docstring."""

    def __init__(self, flat: Callable[[Any, int], str], margin: int, length: int | None, level: int | None,
                 abbreviation: Callable[[Cons], str | None],
                 structure: Callable[[Any], tuple[str, list[tuple[str, Any]]] | None]) -> None:
        self.flat = flat
        self.margin = margin
        self.length = length
        self.level = level
        self.abbreviation = abbreviation
        self.structure = structure

    def text(self, obj: Any, depth: int, column: int) -> str:
        flat = self.flat(obj, depth)
        if self.fits(column, flat) or (self.level is not None and depth >= self.level):
            return flat
        if not isinstance(obj, (Cons, list)):
            parts = self.structure(obj)
            return flat if parts is None else self.structure_form(*parts, depth, column)
        if isinstance(obj, list):
            return self.fill("#(", self.limited(obj), NIL, depth, column, column + 2)
        prefix = self.abbreviation(obj)
        if prefix is not None:
            return prefix + self.text(obj.cdr.car, depth, column + len(prefix))
        items, tail = _elements(obj)
        head = obj.car
        if tail is NIL and isinstance(head, Symbol) and len(items) > 1:
            if head is cl_symbol("LOOP"):
                return self.loop_form(items, depth, column)
            if head in BODY_FORMS:
                bindings = "stacked" if head in STACKED_BINDING_FORMS else "fitted" if head in BINDING_FORMS else None
                return self.body_form(items, BODY_FORMS[head], bindings, head in STACKED_HEADER_FORMS, depth, column)
            if head in ALIGNED_FORMS:
                return self.lines(items, 2, depth, column, column + 2 + len(self.flat(head, depth + 1)))
            if head in BLOCK_FORMS:
                return self.lines(items, 1, depth, column, column + 1)
            if fboundp(head) or head in CALL_FORMS:
                opening = "(" + self.flat(head, depth + 1) + " "
                return self.fill(opening, self.limited(items[1:]), NIL, depth, column, column + len(opening),
                                 2 if head in PAIR_FORMS else 1)
        return self.fill("(", self.limited(items), tail, depth, column, column + 1)

    def fits(self, column: int, text: str) -> bool:
        # As SBCL: a line holds at most margin - 1 characters.
        return column + len(text) < self.margin

    def limited(self, items: list[Any]) -> list[Any]:
        if self.length is not None and len(items) > self.length:
            return items[:self.length] + [_ELLIPSIS]
        return items

    def piece(self, item: Any, depth: int, column: int) -> str:
        return "..." if item is _ELLIPSIS else self.text(item, depth, column)

    def fill(self, opening: str, items: list[Any], tail: Any, depth: int, column: int, indent: int,
             group: int = 1) -> str:
        """As many items per line as fit, kept in groups of ``group`` (a line breaks only before a
        group); continuation lines start at ``indent``."""
        out = [opening]
        col = column + len(opening)
        for i, item in enumerate(items):
            if i % group:
                out.append(" ")
                col += 1
            elif i:
                width = sum(3 if x is _ELLIPSIS else len(self.flat(x, depth + 1)) + 1
                            for x in items[i:i + group]) - 1
                if not self.fits(col + 1, "x" * width) and col > indent:
                    out.append("\n" + " " * indent)
                    col = indent
                else:
                    out.append(" ")
                    col += 1
            col = _append(out, self.piece(item, depth + 1, col), col)
        if tail is not NIL:
            out.append(" . ")
            col = _append(out, self.text(tail, depth + 1, col + 3), col + 3)
        out.append(")")
        return "".join(out)

    def lines(self, items: list[Any], on_first_line: int, depth: int, column: int, indent: int) -> str:
        """The first ``on_first_line`` items on the first line, then one item per line at ``indent``."""
        items = self.limited(items)
        out = ["("]
        col = column + 1
        for i, item in enumerate(items):
            if i and i < on_first_line:
                out.append(" ")
                col += 1
            elif i:
                out.append("\n" + " " * indent)
                col = indent
            col = _append(out, self.piece(item, depth + 1, col), col)
        out.append(")")
        return "".join(out)

    def body_form(self, items: list[Any], header: int, bindings: str | None, stacked: bool, depth: int,
                  column: int) -> str:
        """Operator and ``header`` arguments on the first line (or, ``stacked``, the first of them,
        the others below it indented by 4), the body indented by 2. The first argument is a binding
        list when ``bindings`` is given: ``"fitted"``, one binding per line if it does not fit on
        one; ``"stacked"``, one binding per line always."""
        items = self.limited(items)
        out = ["("]
        col = column + 1
        for i, item in enumerate(items):
            if i == 1 or (i and i <= header and not stacked):
                out.append(" ")
                col += 1
            elif i and i <= header:
                col = column + (5 if items[0] is cl_symbol("DO*") else 4)
                out.append("\n" + " " * col)
            elif i:
                out.append("\n" + " " * (column + 2))
                col = column + 2
            if i == 1 and bindings and isinstance(item, Cons):
                text = self.binding_list(item, depth + 1, col, bindings == "stacked")
            else:
                text = self.piece(item, depth + 1, col)
            col = _append(out, text, col)
        out.append(")")
        return "".join(out)

    def loop_form(self, items: list[Any], depth: int, column: int) -> str:
        """LOOP as SBCL lays it out: a line per clause, aligned after ``(LOOP ``; a simple LOOP a
        line per form."""
        indent = column + len("(LOOP ")
        if not _loop_keyword(items[1]):
            return self.lines(items, 2, depth, column, indent)
        items = self.limited(items)
        out = ["("]
        col = column + 1
        for i, item in enumerate(items):
            if i >= 2 and _loop_keyword(item):
                out.append("\n" + " " * indent)
                col = indent
            elif i:
                out.append(" ")
                col += 1
            col = _append(out, self.piece(item, depth + 1, col), col)
        out.append(")")
        return "".join(out)

    def structure_form(self, name: str, slots: list[tuple[str, Any]], depth: int, column: int) -> str:
        """``#S(name`` and then each ``:slot value`` on a line of its own, three columns in (SBCL's
        layout of a structure too wide for the line)."""
        out = [f"#S({name}"]
        indent = column + 3
        for item in self.limited(slots):
            out.append("\n" + " " * indent)
            if item is _ELLIPSIS:
                out.append("...")
                break
            key, value = item
            out.append(key + " ")
            _append(out, self.text(value, depth + 1, indent + len(key) + 1), indent + len(key) + 1)
        out.append(")")
        return "".join(out)

    def binding_list(self, bindings: Cons, depth: int, column: int, stacked: bool) -> str:
        flat = self.flat(bindings, depth)
        items, tail = _elements(bindings)
        if (self.fits(column, flat) and not stacked) or tail is not NIL:
            return self.text(bindings, depth, column)
        return self.lines(items, 1, depth, column, column + 1)


def _loop_keyword(item: Any) -> bool:
    return isinstance(item, Symbol) and item.name in LOOP_CLAUSE_KEYWORDS  # LOOP compares names


def _elements(lst: Cons) -> tuple[list[Any], Any]:
    items = []
    cell: Any = lst
    while isinstance(cell, Cons):
        items.append(cell.car)
        cell = cell.cdr
    return items, cell


def _append(out: list[str], text: str, column: int) -> int:
    """Append ``text`` written at ``column``; the column after it."""
    out.append(text)
    newline = text.rfind("\n")
    return len(text) - newline - 1 if newline >= 0 else column + len(text)
