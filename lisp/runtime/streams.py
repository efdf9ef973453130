"""Lisp streams: character output streams that track their column, and string input streams.

API:

- :class:`OutputStream`: ``write_string(s)``, ``write_char(c)``, ``terpri()``, ``fresh_line()``
  (True if it wrote a newline), ``column`` (characters since the last newline; ``~&``, ``~T`` and
  ``fresh-line`` need it), ``finish_output()``, ``close()``.
  :class:`StringOutputStream` collects text (``get_output_stream_string()`` returns it and empties the
  stream, as CL does); :class:`HostOutputStream` writes to a Python text file, found afresh at each
  write when given as a callable (so ``*standard-output*`` follows ``sys.stdout`` when a test or
  the REPL redirects it); :class:`BroadcastStream` writes to several streams.
- :class:`InputStream` over a string: ``read_char``, ``unread_char``, ``peek_char``, ``read_line``;
  :class:`HostInputStream` reads lines from a Python text file (``*standard-input*``);
  :class:`TwoWayStream` reads from one stream and writes to another (``*terminal-io*``).
- The standard stream variables ``*standard-output*``, ``*error-output*``, ``*trace-output*``,
  ``*terminal-io*``, ``*debug-io*``, ``*query-io*``, ``*standard-input*``: special variables whose
  global values are made here. :func:`output_stream` and :func:`input_stream` resolve a CL stream
  designator (NIL is the standard stream, T is ``*terminal-io*``) and reject anything else with a
  TYPE-ERROR condition.

Column tracking is per stream object; text written to ``sys.stdout`` behind the stream's back (a
Python ``print``) is not seen, so the Lisp side writes through these objects.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from lisp.runtime import hooks
from lisp.runtime.condition_classes import LispTypeError, StreamError
from lisp.runtime.data import NIL, T, cl_symbol
from lisp.runtime.namespace import global_value_is_set, proclaim_special, set_symbol_value, symbol_value


class Stream:
    """Any Lisp stream."""

    is_input = False
    is_output = False

    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def is_interactive(self) -> bool:
        """``interactive-stream-p``: whether the stream reads from a terminal."""
        return False

    def _check_open(self) -> None:
        if self.closed:
            raise StreamError(f"the stream {self!r} is closed", stream=self)


class OutputStream(Stream):
    """A character output stream; subclasses implement :meth:`_emit`."""

    is_output = True

    def __init__(self, column: int = 0) -> None:
        super().__init__()
        self.column = column

    def _emit(self, text: str) -> None:
        raise NotImplementedError

    def write_string(self, text: str) -> None:
        if not text:
            return
        self._check_open()
        self._emit(text)
        newline = text.rfind("\n")
        self.column = len(text) - newline - 1 if newline >= 0 else self.column + len(text)

    def write_char(self, char: str) -> None:
        self.write_string(char)

    def terpri(self) -> None:
        self.write_string("\n")

    def fresh_line(self) -> bool:
        """Start a new line unless already at the start of one; True if a newline was written."""
        if self.column == 0:
            return False
        self.terpri()
        return True

    def finish_output(self) -> None:
        """Make everything written so far reach its destination."""


class StringOutputStream(OutputStream):
    """Collects what is written; ``make-string-output-stream`` and ``with-output-to-string``."""

    def __init__(self, column: int = 0) -> None:
        super().__init__(column)
        self._parts: list[str] = []

    def _emit(self, text: str) -> None:
        self._parts.append(text)

    def get_output_stream_string(self) -> str:
        """Everything written since the last call; the stream starts afresh (CLHS)."""
        text = "".join(self._parts)
        self._parts.clear()
        return text

    def __repr__(self) -> str:
        return "#<STRING-OUTPUT-STREAM>"


class HostOutputStream(OutputStream):
    """Writes to a Python text file, or to whatever file a callable returns at each write.

    An ``owned`` file (one ``open`` made) is closed with the stream.
    """

    def __init__(self, target: TextIO | Callable[[], TextIO], name: str, *, owned: bool = False) -> None:
        super().__init__()
        self._target = target
        self.name = name
        self.owned = owned

    def close(self) -> None:
        if self.owned and not self.closed:
            self._file().close()
        super().close()

    def _file(self) -> TextIO:
        return self._target() if callable(self._target) else self._target

    def _emit(self, text: str) -> None:
        self._file().write(text)

    def finish_output(self) -> None:
        self._file().flush()

    def __repr__(self) -> str:
        return f"#<FD-STREAM for {self.name}>"


class BroadcastStream(OutputStream):
    """``make-broadcast-stream``: what is written goes to every one of its streams (none: a sink)."""

    def __init__(self, streams: list[OutputStream]) -> None:
        super().__init__()
        self.streams = streams

    def _emit(self, text: str) -> None:
        for stream in self.streams:
            stream.write_string(text)

    def finish_output(self) -> None:
        for stream in self.streams:
            stream.finish_output()

    def __repr__(self) -> str:
        return "#<BROADCAST-STREAM>"


class InputStream(Stream):
    """A character input stream over a string (``make-string-input-stream``)."""

    is_input = True

    def __init__(self, text: str, start: int = 0, end: int | None = None) -> None:
        super().__init__()
        self.text = text if end is None else text[:end]
        self.index = start
        self.reader_cache: Any = None  # the Lisp reader over ``text`` (lisp.library.io keeps it)

    def fill_buffer(self) -> bool:
        """Make at least one more character available in ``text``; False at end of file."""
        return False

    def read_char(self) -> str | None:
        """The next character, or None at end of file."""
        self._check_open()
        if self.index >= len(self.text) and not self.fill_buffer():
            return None
        char = self.text[self.index]
        self.index += 1
        return char

    def peek_char(self) -> str | None:
        self._check_open()
        if self.index >= len(self.text) and not self.fill_buffer():
            return None
        return self.text[self.index]

    def unread_char(self, char: str) -> None:
        if self.index == 0 or self.text[self.index - 1] != char:
            raise StreamError(f"cannot unread {char!r}: it is not the character last read", stream=self)
        self.index -= 1

    def read_line(self) -> tuple[str, bool] | None:
        """The next line without its newline and whether end of file ended it; None at EOF."""
        self._check_open()
        while "\n" not in self.text[self.index:] and self.fill_buffer():
            pass
        if self.index >= len(self.text):
            return None
        end = self.text.find("\n", self.index)
        if end < 0:
            line, self.index = self.text[self.index:], len(self.text)
            return line, True
        line, self.index = self.text[self.index:end], end + 1
        return line, False

    def __repr__(self) -> str:
        return "#<STRING-INPUT-STREAM>"


class HostInputStream(InputStream):
    """Reads a Python text file a line at a time, found afresh when given as a callable; an
    ``owned`` file is closed with the stream."""

    def __init__(self, source: TextIO | Callable[[], TextIO], name: str, *, owned: bool = False) -> None:
        super().__init__("")
        self._source = source
        self.name = name
        self.owned = owned

    def close(self) -> None:
        if self.owned and not self.closed:
            self._source.close()  # type: ignore[union-attr]
        super().close()

    def fill_buffer(self) -> bool:
        source = self._source() if callable(self._source) else self._source
        line = source.readline()
        if not line:
            return False
        # Keep only the unread part: a long session must not keep all its input.
        self.text = self.text[self.index:] + line
        self.index = 0
        return True

    def is_interactive(self) -> bool:
        source = self._source() if callable(self._source) else self._source
        return not self.closed and source.isatty()

    def __repr__(self) -> str:
        return f"#<FD-STREAM for {self.name}>"


class TwoWayStream(OutputStream):
    """``*terminal-io*``: output to one stream, input from another."""

    is_input = True

    def __init__(self, input_stream: InputStream, output: OutputStream) -> None:
        self.input, self.output = input_stream, output
        super().__init__(output.column)

    @property  # type: ignore[override]
    def column(self) -> int:
        return self.output.column

    def is_interactive(self) -> bool:
        return self.input.is_interactive()

    @column.setter
    def column(self, value: int) -> None:
        self.output.column = value

    def write_string(self, text: str) -> None:
        self.output.write_string(text)

    def finish_output(self) -> None:
        self.output.finish_output()

    def read_char(self) -> str | None:
        return self.input.read_char()

    def peek_char(self) -> str | None:
        return self.input.peek_char()

    def unread_char(self, char: str) -> None:
        self.input.unread_char(char)

    def read_line(self) -> tuple[str, bool] | None:
        return self.input.read_line()

    def __repr__(self) -> str:
        return "#<TWO-WAY-STREAM>"


STANDARD_OUTPUT = cl_symbol("*STANDARD-OUTPUT*")
ERROR_OUTPUT = cl_symbol("*ERROR-OUTPUT*")
TRACE_OUTPUT = cl_symbol("*TRACE-OUTPUT*")
STANDARD_INPUT = cl_symbol("*STANDARD-INPUT*")
TERMINAL_IO = cl_symbol("*TERMINAL-IO*")
DEBUG_IO = cl_symbol("*DEBUG-IO*")
QUERY_IO = cl_symbol("*QUERY-IO*")

stdout_stream = HostOutputStream(lambda: sys.stdout, "stdout")
stderr_stream = HostOutputStream(lambda: sys.stderr, "stderr")
stdin_stream = HostInputStream(lambda: sys.stdin, "stdin")
terminal_stream = TwoWayStream(stdin_stream, stdout_stream)

for _sym, _stream in ((STANDARD_OUTPUT, stdout_stream), (ERROR_OUTPUT, stderr_stream),
                      (TRACE_OUTPUT, stdout_stream), (STANDARD_INPUT, stdin_stream),
                      (TERMINAL_IO, terminal_stream), (DEBUG_IO, terminal_stream),
                      (QUERY_IO, terminal_stream)):
    proclaim_special(_sym)
    if not global_value_is_set(_sym):
        set_symbol_value(_sym, _stream)


def output_stream(designator: Any = NIL) -> OutputStream:
    """The output stream a CL stream designator names: NIL is ``*standard-output*``, T is
    ``*terminal-io*``."""
    return _designated(designator, STANDARD_OUTPUT, "is_output", "an output")


def input_stream(designator: Any = NIL) -> InputStream | TwoWayStream:
    """The input stream a CL stream designator names: NIL is ``*standard-input*``, T is
    ``*terminal-io*``."""
    return _designated(designator, STANDARD_INPUT, "is_input", "an input")


def _designated(designator: Any, standard: Any, direction: str, kind: str) -> Any:
    stream = designator
    if designator is NIL:
        stream = symbol_value(standard)
    elif designator is T:
        stream = symbol_value(TERMINAL_IO)
    if not (isinstance(stream, Stream) and getattr(stream, direction)):
        raise LispTypeError(f"{shown(designator)} is not {kind} stream designator", datum=designator,
                            expected_type=cl_symbol("STREAM"))
    return stream


def shown(obj: Any) -> str:
    """``obj`` as ``prin1`` prints it, for error messages of the modules below the printer."""
    return hooks.prin1_to_string(obj)


hooks.register("string_output_stream", StringOutputStream)
