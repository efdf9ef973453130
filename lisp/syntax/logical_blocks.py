"""The pretty printer's operations (CLHS 22.2.2 and the dictionary of 22.4), for Python callers:
logical blocks, conditional newlines, indentation, tabs, and ``pprint-fill``/``-linear``/``-tabular``.

:func:`logical_block` ``(stream, obj, body, prefix=, per_line=, suffix=)`` is ``pprint-logical-block``:
``body(items, stream)`` prints the elements of the list ``obj`` on ``stream``, a pretty stream,
taking them with ``items.pop()`` (``pprint-pop``: it writes ``...`` at ``*print-length*``, ``. x``
at a dotted or shared tail, and then leaves the block) and ``items.exit_if_exhausted()``. The block
handles ``*print-level*`` (``#`` when too deep) and ``*print-circle*`` (``#n=``/``#n#`` for ``obj``);
an ``obj`` that is not a list is printed with ``write`` instead. The other operations do nothing on
a stream that is not a pretty one or when ``*print-pretty*`` is false, as the standard says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisp.runtime.data import NIL, Cons
from lisp.runtime.namespace import symbol_value
from lisp.runtime.signals import NonLocalTransfer
from lisp.runtime.streams import output_stream
from lisp.syntax import print_session
from lisp.syntax.pretty import PrettyStream
from lisp.syntax.printer import OPTIONS, with_pretty_stream, write

_PRINT_PRETTY = OPTIONS["pretty"][0]
_PRINT_READABLY = OPTIONS["readably"][0]
_PRINT_LEVEL = OPTIONS["level"][0]
_PRINT_LENGTH = OPTIONS["length"][0]

NEWLINE_KINDS = ("linear", "fill", "miser", "mandatory")
INDENT_KINDS = ("block", "current")
TAB_KINDS = ("line", "section", "line-relative", "section-relative")


class BlockExit(NonLocalTransfer):
    """Leaves the body of the logical block of ``items`` (``pprint-pop`` at the end of the list)."""

    def __init__(self, items: BlockItems) -> None:
        super().__init__()
        self.items = items


class BlockItems:
    """The list a logical block prints, as ``pprint-pop`` takes it."""

    __slots__ = ("rest", "count", "stream")

    def __init__(self, obj: Any, stream: PrettyStream) -> None:
        self.rest = obj
        self.count = 0
        self.stream = stream

    def pop(self) -> Any:
        """``pprint-pop``: the next element, after the checks of CLHS PPRINT-POP."""
        rest = self.rest
        if rest is not NIL and not isinstance(rest, Cons):
            self.leave_with_tail()
        if symbol_value(_PRINT_READABLY) is NIL and symbol_value(_PRINT_LENGTH) == self.count:
            self.stream.write_string("...")
            raise BlockExit(self)
        if rest is not NIL and self.count > 0:
            session = print_session.current()
            if session is not None and session.labels is not None and id(rest) in session.labels:
                self.leave_with_tail()
        self.count += 1
        if rest is NIL:
            return NIL
        self.rest = rest.cdr
        return rest.car

    def leave_with_tail(self) -> None:
        self.stream.write_string(". ")
        write(self.rest, self.stream)
        raise BlockExit(self)

    def exit_if_exhausted(self) -> None:
        """``pprint-exit-if-list-exhausted``."""
        if self.rest is NIL:
            raise BlockExit(self)


def logical_block(designator: Any, obj: Any, body: Callable[[BlockItems, PrettyStream], None], *,
                  prefix: str | None = None, per_line: bool = False, suffix: str = "") -> None:
    """``pprint-logical-block`` on the stream designator ``designator``; see the module docstring."""
    target = output_stream(designator)
    if obj is not NIL and not isinstance(obj, Cons):
        write(obj, target)
        return

    def run(stream: PrettyStream) -> None:
        session = print_session.current()
        assert session is not None  # with_pretty_stream made one
        if session.labels is not None and obj is not NIL and id(obj) in session.labels:
            if session.fresh_label == id(obj):  # its #n= was printed just before
                session.fresh_label = None
            else:
                mark = session.mark(obj)
                assert mark is not None
                stream.write_string(mark)
                if mark[-1] == "#":
                    return
        level = symbol_value(_PRINT_LEVEL)
        if symbol_value(_PRINT_READABLY) is NIL and isinstance(level, int) and session.depth >= level:
            stream.write_string("#")
            return
        session.depth += 1
        try:
            stream.start_block(prefix, per_line, suffix)
            items = BlockItems(obj, stream)
            try:
                body(items, stream)
            except BlockExit as done:
                if done.items is not items:
                    raise
            stream.end_block()
        finally:
            session.depth -= 1

    with_pretty_stream(target, run, obj)


def _pretty_target(designator: Any) -> PrettyStream | None:
    stream = output_stream(designator)
    if isinstance(stream, PrettyStream) and symbol_value(_PRINT_PRETTY) is not NIL:
        return stream
    return None


def newline(kind: str, designator: Any = NIL) -> None:
    """``pprint-newline``; ``kind`` one of :data:`NEWLINE_KINDS`."""
    stream = _pretty_target(designator)
    if stream is not None:
        stream.newline(kind)


def indent(relative_to: str, n: int, designator: Any = NIL) -> None:
    """``pprint-indent``; ``relative_to`` one of :data:`INDENT_KINDS`."""
    stream = _pretty_target(designator)
    if stream is not None:
        stream.indent(relative_to, n)


def tab(kind: str, colnum: int, colinc: int, designator: Any = NIL) -> None:
    """``pprint-tab``; ``kind`` one of :data:`TAB_KINDS`."""
    stream = _pretty_target(designator)
    if stream is not None:
        stream.tab(kind, colnum, colinc)


def _separated(designator: Any, obj: Any, colon: bool, between: Callable[[PrettyStream], None]) -> None:
    """The elements of ``obj`` in a logical block (in parentheses when ``colon``), a space and
    ``between`` after each but the last."""
    def body(items: BlockItems, stream: PrettyStream) -> None:
        items.exit_if_exhausted()
        while True:
            write(items.pop(), stream)
            items.exit_if_exhausted()
            stream.write_string(" ")
            between(stream)

    logical_block(designator, obj, body, prefix="(" if colon else "", suffix=")" if colon else "")


def pprint_fill(designator: Any, obj: Any, colon: bool = True) -> None:
    """``pprint-fill``: as many elements on each line as fit."""
    _separated(designator, obj, colon, lambda stream: newline("fill", stream))


def pprint_linear(designator: Any, obj: Any, colon: bool = True) -> None:
    """``pprint-linear``: all the elements on one line, or each on its own."""
    _separated(designator, obj, colon, lambda stream: newline("linear", stream))


def pprint_tabular(designator: Any, obj: Any, colon: bool = True, tabsize: int = 16) -> None:
    """``pprint-tabular``: as ``pprint-fill``, each element starting at a multiple of ``tabsize``
    columns from the start of the block."""
    def between(stream: PrettyStream) -> None:
        tab("section-relative", 0, tabsize, stream)
        newline("fill", stream)

    _separated(designator, obj, colon, between)
