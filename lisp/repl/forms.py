"""Input for the toplevel: text arriving in pieces, split into complete forms.

Positions count from the start of the session: a form's position says where it is in everything
typed (or piped) so far (``<repl>:12:3`` is on the 12th line typed). The reader tells
incomplete input (:class:`lisp.runtime.condition_classes.EndOfFile`: wait for more) from bad input
(:class:`lisp.runtime.condition_classes.ReaderError`: report it, then skip the rest of the offending line so the
session carries on after it).
"""

from __future__ import annotations

from typing import Any

from lisp.runtime.condition_classes import EndOfFile, ReaderError
from lisp.runtime.data import SourcePos, T
from lisp.runtime.namespace import dynamic_binding
from lisp.syntax.reader import EOF, READ_SUPPRESS, Reader

#: Returned by :meth:`FormSource.next_form` when the text so far ends inside a form.
INCOMPLETE = object()
#: Returned by :meth:`FormSource.next_form_on_line` when no further form starts on that line.
LINE_END = object()


class FormSource:
    """The forms of a text that grows with :meth:`feed`, read one at a time."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._text = ""  # what is not read yet; it starts at _line, _column of the session
        self._line = 1
        self._column = 1
        #: Why the last :meth:`next_form` said INCOMPLETE: the error to report if input ends there.
        self.unfinished: EndOfFile | None = None
        #: Where the form last returned by :meth:`next_form` starts (atoms carry no position).
        self.form_pos: SourcePos | None = None

    def feed(self, text: str) -> None:
        self._text += text

    def next_form(self) -> Any:
        """The next complete form, :data:`INCOMPLETE`, or :data:`lisp.syntax.reader.EOF` if none is left.

        A :class:`ReaderError` is raised after the rest of its line has been dropped.
        """
        reader = Reader(self._text, self.file, line=self._line, column=self._column)
        try:
            form = reader.read()
        except EndOfFile as error:
            self.unfinished = error
            return INCOMPLETE
        except ReaderError as error:
            self._consume(self._end_of_line_of(error, reader.offset))
            raise
        self.form_pos = reader.pos_at(_form_start(self._text, 0))
        self._consume(reader.offset)
        self.unfinished = None
        return form

    def next_form_on_line(self, line: int) -> Any:
        """Like :meth:`next_form`, for a form that starts on ``line``; else :data:`LINE_END`.

        The end of the text so far counts as the end of the line.
        """
        start = _form_start(self._text, 0)
        if start == len(self._text) or self._line + self._text.count("\n", 0, start) > line:
            return LINE_END
        return self.next_form()

    def discard(self) -> None:
        """Drop all text not read yet."""
        self._consume(len(self._text))
        self.unfinished = None

    def _consume(self, count: int) -> None:
        consumed, self._text = self._text[:count], self._text[count:]
        last_newline = consumed.rfind("\n")
        if last_newline < 0:
            self._column += count
        else:
            self._line += consumed.count("\n")
            self._column = count - last_newline

    def _end_of_line_of(self, error: ReaderError, offset: int) -> int:
        index = offset
        pos = getattr(error, "pos", None)
        if pos is not None and pos.file == self.file:
            for _ in range(pos.line - self._line):
                index = max(index, self._text.find("\n", index) + 1)
        newline = self._text.find("\n", index)
        return len(self._text) if newline < 0 else newline + 1


def _form_start(text: str, i: int) -> int:
    """The index of the first character at or after ``i`` that is not blank or in a comment."""
    # The reader skips the same; it does not tell where the form it read began.
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] == ";":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end + 1
        elif text.startswith("#|", i):
            i = _block_comment_end(text, i)
        else:
            break
    return i


def _block_comment_end(text: str, i: int) -> int:
    depth = 0
    while i < len(text):
        if text.startswith("#|", i):
            depth, i = depth + 1, i + 2
        elif text.startswith("|#", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return i


def is_incomplete(text: str) -> bool:
    """Whether ``text`` ends inside a form, so that an editor should ask for another line.

    Reads with ``*read-suppress*`` true: nothing is interned or evaluated (``#.``), and an unknown
    package prefix does not stop the check. Bad syntax counts as complete, so that it gets sent
    and reported.
    """
    reader = Reader(text, "<input>")
    with dynamic_binding(READ_SUPPRESS, T):
        try:
            while reader.read() is not EOF:
                pass
        except EndOfFile:
            return True
        except ReaderError:
            return False
    return False
