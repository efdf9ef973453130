"""Lisp backtraces, derived from the Python traceback of an error.

Compiled Lisp code runs with :data:`lisp.runtime.namespace.GLOBALS` as its globals and its code objects
carry the Lisp file as ``co_filename`` and Lisp lines and columns as positions (see
:mod:`lisp.compiler`). So the Lisp frames of a traceback are exactly the frames whose globals are
GLOBALS, and their positions are Lisp source positions; frames of the runtime written in Python
(builtins, the compiler, the REPL) are left out.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import islice
from types import CodeType, TracebackType

from lisp.runtime.namespace import GLOBALS

#: How many frames a short backtrace shows (the innermost ones, where the error is).
SHORT = 12


@dataclass(frozen=True, slots=True)
class LispFrame:
    """One call in a Lisp backtrace: the function's name and where in it the call stood."""

    function: str
    file: str
    line: int
    column: int | None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + ("" if self.column is None else f":{self.column}")
        return f"{self.function} ({where})"


def lisp_frames(tb: TracebackType | None, limit: int = SHORT) -> tuple[list[LispFrame], int]:
    """The innermost ``limit`` Lisp frames of a traceback, innermost first, and how many there are.

    Only those frames are decoded: a stack overflow leaves a hundred thousand of them.
    """
    innermost: deque[TracebackType] = deque(maxlen=limit)
    total = 0
    while tb is not None:
        if tb.tb_frame.f_globals is GLOBALS:
            innermost.append(tb)
            total += 1
        tb = tb.tb_next
    return [_frame(entry) for entry in reversed(innermost)], total


# The compiler names the function of a top-level form so (lisp.compiler.toplevel).
_TOPLEVEL_FUNCTION = "%toplevel"


def _frame(tb: TracebackType) -> LispFrame:
    code = tb.tb_frame.f_code
    line, column = _position(code, tb.tb_lasti, tb.tb_lineno)
    function = "(top-level form)" if code.co_name == _TOPLEVEL_FUNCTION else code.co_name
    return LispFrame(function, code.co_filename, line, column)


def _position(code: CodeType, lasti: int, lineno: int) -> tuple[int, int | None]:
    # co_positions() has one entry per 2-byte code unit; columns there are 0-based, Lisp's 1-based.
    for line, _end_line, column, _end_column in islice(code.co_positions(), lasti // 2, None):
        if line is None:
            return lineno, None
        return line, None if column is None else column + 1
    return lineno, None


def format_backtrace(frames: list[LispFrame], total: int) -> list[str]:
    """Numbered lines for ``frames`` (0 is where the error happened) out of ``total``; a run of
    identical frames (a recursion) is one line numbered ``first-last``."""
    lines = []
    first = 0
    for number, frame in enumerate(frames):
        if number + 1 < len(frames) and frames[number + 1] == frame:
            continue
        label = str(first) if first == number else f"{first}-{number}"
        lines.append(f"  {label}: {frame}")
        first = number + 1
    if total > len(frames):
        lines.append(f"  ... {total - len(frames)} more")
    return lines
