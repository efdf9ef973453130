"""The pretty printer's stream (CLHS 22.2.1): where logical blocks, conditional newlines,
indentation and tabs are laid out within the right margin.

:class:`PrettyStream` ``(target, line_length, lines=, miser_width=, readably=)`` is an output
stream that buffers what is written to it, with the layout operations queued among the text,
and writes to ``target`` each line as soon as where it breaks is decided. ``line_length`` None
means unbounded: no conditional newline ever breaks. Operations:

- ``start_block(prefix, per_line, suffix)`` / ``end_block()``: a logical block; its prefix (a
  per-line prefix when ``per_line``) and suffix are written here;
- ``newline(kind)``: ``"linear"``, ``"fill"``, ``"miser"`` or ``"mandatory"`` (a newline written as
  text is a ``"literal"`` one);
- ``indent(relative_to, n)``: ``"block"`` or ``"current"``;
- ``tab(kind, colnum, colinc)``: ``"line"``, ``"section"``, ``"line-relative"``,
  ``"section-relative"``;
- ``finish()``: lay out and write what is left (the owner of the stream calls it once).

With ``lines`` (``*print-lines*``) reached, ``" .."`` and the pending suffixes are written and
:class:`LinesExhausted` is raised; whoever made the stream catches it (the rest is dropped).

The algorithm is SBCL's (``src/code/pprint.lisp``, from CMU CL and Waters' XP): positions in the
buffer are *posns* (indexes plus the count of characters already written out), each block-start
and newline knows where its section ends once that is known, and a section is laid out on one
line when it fits, decided as soon as the answer can be known.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from lisp.runtime.signals import NonLocalTransfer
from lisp.runtime.streams import OutputStream, Stream

DEFAULT_LINE_LENGTH = 80
#: An unbounded line is written out once the buffer holds this much text before the first
#: pending operation (nothing can break there any more).
_FLUSH_LENGTH = 4096


class LinesExhausted(NonLocalTransfer):
    """``*print-lines*`` lines were written: the print stops (caught where ``stream`` was made)."""

    def __init__(self, stream: PrettyStream) -> None:
        super().__init__()
        self.stream = stream


class _Op:
    __slots__ = ("posn",)

    def __init__(self, posn: int) -> None:
        self.posn = posn


class _BlockEnd(_Op):
    __slots__ = ()


class _SectionStart(_Op):
    __slots__ = ("depth", "section_end")

    def __init__(self, posn: int, depth: int) -> None:
        super().__init__(posn)
        self.depth = depth
        self.section_end: _Op | None = None  # the newline or block end that closes the section


class _Newline(_SectionStart):
    __slots__ = ("kind",)

    def __init__(self, posn: int, depth: int, kind: str) -> None:
        super().__init__(posn, depth)
        self.kind = kind


class _BlockStart(_SectionStart):
    __slots__ = ("block_end", "prefix", "suffix")

    def __init__(self, posn: int, depth: int, prefix: str | None, suffix: str) -> None:
        super().__init__(posn, depth)
        self.block_end: _BlockEnd | None = None
        self.prefix = prefix  # the per-line prefix, if it is one
        self.suffix = suffix


class _Indentation(_Op):
    __slots__ = ("relative_to", "amount")

    def __init__(self, posn: int, relative_to: str, amount: int) -> None:
        super().__init__(posn)
        self.relative_to = relative_to
        self.amount = amount


class _Tab(_Op):
    __slots__ = ("section", "relative", "colnum", "colinc")

    def __init__(self, posn: int, kind: str, colnum: int, colinc: int) -> None:
        super().__init__(posn)
        self.section = kind.startswith("section")
        self.relative = kind.endswith("relative")
        self.colnum = colnum
        self.colinc = colinc


class _Block:
    """A logical block being laid out (the ones in effect at the start of the buffer)."""

    __slots__ = ("start_column", "section_column", "per_line_prefix_end", "prefix", "suffix",
                 "section_start_line")

    def __init__(self, start_column: int = 0, outer: _Block | None = None, line: int = 0) -> None:
        self.start_column = start_column
        self.section_column = start_column
        self.per_line_prefix_end = outer.per_line_prefix_end if outer else 0
        self.prefix = outer.prefix if outer else ""  # per-line prefix and indentation of a new line
        self.suffix = outer.suffix if outer else ""  # every suffix still to be written
        self.section_start_line = line


class PrettyStream(OutputStream):
    """An output stream that lays out what is written to it; see the module docstring."""

    def __init__(self, target: OutputStream, line_length: int | None, *, lines: int | None = None,
                 miser_width: int | None = None, readably: bool = False) -> None:
        Stream.__init__(self)
        self.target = target
        self.line_length = line_length
        self.lines = None if readably else lines
        self.miser_width = miser_width
        self.buffer = ""
        self._capacity = 128
        self.buffer_offset = 0  # posn of buffer[0]
        self.buffer_start_column = target.column
        self.line_number = 0
        self.blocks = [_Block()]  # innermost last
        self.queue: deque[_Op] = deque()
        self.pending_blocks: list[_BlockStart] = []

    def __repr__(self) -> str:
        return "#<PRETTY-STREAM>"

    # -- text -----------------------------------------------------------------------------------

    @property
    def column(self) -> int:  # type: ignore[override]
        return self._index_column(len(self.buffer))

    def write_string(self, text: str) -> None:
        if not text:
            return
        self._check_open()
        start = 0
        while True:
            newline = text.find("\n", start)
            if newline < 0:
                self._append(text[start:])
                return
            self._append(text[start:newline])
            self._enqueue_newline("literal")
            start = newline + 1

    def _append(self, text: str) -> None:
        if not text:
            return
        self.buffer += text
        # As SBCL, what can be decided is decided when the buffer is full (it starts with room
        # for 128 characters and doubles) and longer than a line: blanks written out before a
        # break cannot be taken back, so deciding earlier would leave more of them.
        if self.line_length is None:
            if len(self.buffer) > _FLUSH_LENGTH and not self._maybe_output(False):
                self._output_partial_line()
            return
        if len(self.buffer) >= self._capacity:
            if len(self.buffer) > self.line_length and not self._maybe_output(False):
                self._output_partial_line()
            while len(self.buffer) >= self._capacity:
                self._capacity *= 2

    def finish_output(self) -> None:
        """Lines not yet decided stay in the buffer: they are written by :meth:`finish`."""

    def finish(self) -> None:
        """Lay out and write everything still buffered (CLHS: when the outermost block ends)."""
        self._maybe_output(False)
        self._expand_tabs(None)
        self.target.write_string(self.buffer)
        self.buffer_offset += len(self.buffer)
        self.buffer_start_column = self._index_column(len(self.buffer))
        self.buffer = ""

    # -- the operations -------------------------------------------------------------------------

    def start_block(self, prefix: str | None, per_line: bool, suffix: str) -> None:
        if prefix:
            self.write_string(prefix)
        start = _BlockStart(self._posn(), len(self.pending_blocks), prefix if per_line else None, suffix)
        self.queue.append(start)
        self.pending_blocks.append(start)

    def end_block(self) -> None:
        start = self.pending_blocks.pop()
        end = _BlockEnd(self._posn())
        self.queue.append(end)
        if start.suffix:
            self.write_string(start.suffix)
        start.block_end = end

    def newline(self, kind: str) -> None:
        self._enqueue_newline(kind)

    def indent(self, relative_to: str, amount: int) -> None:
        self.queue.append(_Indentation(self._posn(), relative_to, amount))

    def tab(self, kind: str, colnum: int, colinc: int) -> None:
        self.queue.append(_Tab(self._posn(), kind, colnum, colinc))

    # -- positions ------------------------------------------------------------------------------

    def _posn(self) -> int:
        return len(self.buffer) + self.buffer_offset

    def _posn_column(self, posn: int) -> int:
        return self._index_column(posn - self.buffer_offset)

    def _index_column(self, index: int) -> int:
        column = self.buffer_start_column
        section_start = self.blocks[-1].section_column
        end_posn = index + self.buffer_offset
        for op in self.queue:
            if op.posn >= end_posn:
                break
            if isinstance(op, _Tab):
                column += _tab_size(op, section_start, column + op.posn - self.buffer_offset)
            elif isinstance(op, (_Newline, _BlockStart)):
                section_start = column + op.posn - self.buffer_offset
        return column + index

    # -- laying out -----------------------------------------------------------------------------

    def _enqueue_newline(self, kind: str) -> None:
        depth = len(self.pending_blocks)
        newline = _Newline(self._posn(), depth, kind)
        for op in self.queue:
            if isinstance(op, _SectionStart) and op.section_end is None and depth <= op.depth:
                op.section_end = newline
        self.queue.append(newline)
        self._maybe_output(kind == "literal" or kind == "mandatory")

    def _maybe_output(self, force_newlines: bool) -> bool:
        """Decide and write out what can be decided; True if a line was written."""
        output_anything = False
        queue = self.queue
        while queue:
            op = queue[0]
            if isinstance(op, _Newline):
                kind = op.kind
                if kind == "fill":
                    if self._misering() or self.line_number > self.blocks[-1].section_start_line:
                        breaks = True
                    else:
                        fits = self._fits_on_line(op.section_end, force_newlines)
                        if fits is None:
                            return output_anything
                        breaks = not fits
                else:
                    breaks = kind != "miser" or self._misering()
                if breaks:
                    output_anything = True
                    self._output_line(op)
            elif isinstance(op, _Indentation):
                if not self._misering():
                    base = (self.blocks[-1].start_column if op.relative_to == "block"
                            else self._posn_column(op.posn))
                    self._set_indentation(base + op.amount)
            elif isinstance(op, _BlockStart):
                fits = self._fits_on_line(op.section_end, force_newlines)
                if fits is None:
                    return output_anything
                if fits:
                    # The whole block goes on this line, as if it were text.
                    end = op.block_end
                    self._expand_tabs(end)
                    while queue and queue.popleft() is not end:
                        pass
                    continue
                self._really_start_block(self._posn_column(op.posn), op.prefix, op.suffix)
            elif isinstance(op, _BlockEnd):
                self.blocks.pop()
            else:
                self._expand_tabs(op)
            queue.popleft()
        return output_anything

    def _misering(self) -> bool:
        return (self.miser_width is not None and self.line_length is not None
                and self.line_length - self.blocks[-1].start_column <= self.miser_width)

    def _fits_on_line(self, until: _Op | None, force_newlines: bool) -> bool | None:
        """Whether the section up to ``until`` fits on the line; None when that is not known yet."""
        if self.line_length is None:
            return True if until is not None else (False if force_newlines else None)
        available = self.line_length
        if self.lines is not None and self.lines == self.line_number:
            available -= 3 + len(self.blocks[-1].suffix)  # room for " .." and the suffixes
        if until is not None:
            return self._posn_column(until.posn) <= available
        if force_newlines or self._index_column(len(self.buffer)) > available:
            return False
        return None

    def _really_start_block(self, column: int, prefix: str | None, suffix: str) -> None:
        block = _Block(column, self.blocks[-1], self.line_number)
        self.blocks.append(block)
        self._set_indentation(column)
        if prefix is not None:
            block.per_line_prefix_end = column
            block.prefix = block.prefix[:column - len(prefix)] + prefix
        block.suffix = suffix + block.suffix

    def _set_indentation(self, column: int) -> None:
        block = self.blocks[-1]
        column = max(block.per_line_prefix_end, column)
        block.prefix = block.prefix[:column].ljust(column)

    def _output_line(self, until: _Newline) -> None:
        literal = until.kind == "literal"
        consume = until.posn - self.buffer_offset
        text = self.buffer[:consume]
        self.target.write_string(text if literal else text.rstrip(" "))
        line_number = self.line_number + 1
        block = self.blocks[-1]
        if self.lines is not None and line_number >= self.lines:
            self.target.write_string(" .." + block.suffix)
            raise LinesExhausted(self)
        self.line_number = line_number
        self.target.write_string("\n")
        self.buffer_start_column = 0
        prefix_length = block.per_line_prefix_end if literal else len(block.prefix)
        self.buffer = block.prefix[:prefix_length] + self.buffer[consume:]
        self.buffer_offset += consume - prefix_length
        if not literal:
            block.section_column = prefix_length
            block.section_start_line = line_number

    def _output_partial_line(self) -> None:
        """Write out the text before the first pending operation: no line can break in it."""
        count = self.queue[0].posn - self.buffer_offset if self.queue else len(self.buffer)
        if count <= 0:
            return
        self.target.write_string(self.buffer[:count])
        self.buffer_start_column += count
        self.buffer = self.buffer[count:]
        self.buffer_offset += count

    def _expand_tabs(self, through: _Op | None) -> None:
        """Replace the tabs of the queue up to ``through`` (all when None) by spaces."""
        insertions: list[tuple[int, int]] = []
        additional = 0
        column = self.buffer_start_column
        section_start = self.blocks[-1].section_column
        for op in self.queue:
            if isinstance(op, _Tab):
                index = op.posn - self.buffer_offset
                size = _tab_size(op, section_start, column + index)
                if size:
                    insertions.append((index, size))
                    additional += size
                    column += size
            elif isinstance(op, (_Newline, _BlockStart)):
                section_start = column + op.posn - self.buffer_offset
            if op is through:
                break
        if not insertions:
            return
        pieces = []
        last = 0
        for index, size in insertions:
            pieces.append(self.buffer[last:index])
            pieces.append(" " * size)
            last = index
        pieces.append(self.buffer[last:])
        self.buffer = "".join(pieces)
        # Every position after the first tab moved; the operations before it are gone already.
        self.buffer_offset -= additional


def _tab_size(tab: _Tab, section_start: int, column: int) -> int:
    """How many spaces ``tab`` writes at ``column`` (CLHS PPRINT-TAB)."""
    position = column - (section_start if tab.section else 0)
    colnum, colinc = tab.colnum, tab.colinc
    if tab.relative:
        if colinc > 1:
            rem = (position + colnum) % colinc
            if rem:
                colnum += colinc - rem
        return colnum
    if position < colnum:
        return colnum - position
    if colinc == 0:
        return 0
    return colinc - (position - colnum) % colinc


def is_pretty(stream: Any) -> bool:
    """Whether ``stream`` is a pretty-printing stream."""
    return isinstance(stream, PrettyStream)
