"""Lisp streams to and from Emacs: output as ``(:write-string TEXT [TARGET])`` messages, input
read from the REPL buffer with ``(:read-string THREAD TAG)`` (:func:`line_input`, which the notebook
kernel uses too).

Output is kept until :meth:`EmacsOutputStream.finish_output`, which the server calls before every
reply and debugger message (so that text written before them arrives before them), and a
connection's flusher calls a few times a second (so that a long computation's output shows while
it runs); a large amount of text goes at once, in messages of at most :data:`CHUNK` characters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from lisp.runtime.streams import HostInputStream, OutputStream
from lisp.swank.wire import WireSymbol, keyword

#: The most characters one ``:write-string`` carries (well under the protocol's 16 MiB).
CHUNK = 1 << 18
_WRITE_STRING = keyword("write-string")


class EmacsOutputStream(OutputStream):
    """Text for Emacs: to the REPL's output (``target`` None) or as a REPL result (``:repl-result``)."""

    def __init__(self, send: Callable[[Any], None], lock: threading.RLock, target: WireSymbol | None = None) -> None:
        """``send`` sends a message; ``lock`` is the connection's lock of its output (several
        threads write here, and what is written must go out in order with the other messages)."""
        super().__init__()
        self._send = send
        self._target = [] if target is None else [target]
        self._parts: list[str] = []
        self._size = 0
        self._lock = lock

    def _emit(self, text: str) -> None:
        with self._lock:
            self._parts.append(text)
            self._size += len(text)
            if self._size >= CHUNK:
                self._flush()

    def finish_output(self) -> None:
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        if not self._parts:
            return
        text = "".join(self._parts)
        self._parts.clear()
        self._size = 0
        for start in range(0, len(text), CHUNK):
            self._send([_WRITE_STRING, text[start:start + CHUNK], *self._target])

    def __repr__(self) -> str:
        return "#<EMACS-OUTPUT-STREAM>"


def line_input(read_line: Callable[[], str | None], name: str) -> HostInputStream:
    """A Lisp input stream whose lines come from ``read_line()`` (None at the end of the input):
    the REPL buffer of Emacs, a notebook's input box."""
    return HostInputStream(_Lines(read_line), name)


class _Lines:
    """The file-like face :class:`HostInputStream` reads lines from."""

    def __init__(self, read_line: Callable[[], str | None]) -> None:
        self._read_line = read_line

    def readline(self) -> str:
        return self._read_line() or ""

    def isatty(self) -> bool:
        return True
