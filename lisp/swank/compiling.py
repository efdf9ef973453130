"""``C-c C-c`` (compile a definition), ``C-c C-k`` (compile and load a file), ``load-file``.

gfjit compiles a form when it evaluates it, so compiling the text of a buffer is evaluating it,
form by form, with positions from the buffer (or its file): what it defines then records where
its source is, for ``M-.`` and backtraces. The reply is swank's compilation result, ``(:compilation-
result NOTES SUCCESS DURATION LOADED FASL)``; each note is a message with a severity and a
location in the buffer, which SLIME highlights.

- An error of reading or compiling (a reader error, malformed syntax: an error with no Lisp code
  running) becomes a note at its position, and the compilation stops there, failed.
- An error of the code that runs (a top-level form's) enters the debugger, as loading does in
  SBCL; aborting it ("Abort compilation.") fails the compilation.
- A warning signalled meanwhile becomes a note too (and is still printed).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from lisp.compiler import eval_form
from lisp.evaluator import load
from lisp.repl.backtrace import stack_frames
from lisp.repl.report import text_of
from lisp.runtime.condition_classes import Condition, EndOfFile, ReaderError, StyleWarning, Warning_
from lisp.runtime.data import SourcePos, cl_symbol, source_pos
from lisp.runtime.signals import compute_restarts_list, handler_bind, toplevel_restart, using_debugger
from lisp.swank.locations import location, remember_buffer
from lisp.swank.rpc import Request, rpc
from lisp.swank.sldb import EmacsDebugger
from lisp.swank.wire import keyword
from lisp.syntax.reader import EOF, Reader

_RESULT, _MESSAGE, _SEVERITY, _LOCATION = (keyword(n) for n in ("compilation-result", "message", "severity", "location"))
_REFERENCES = keyword("references")
_ERROR, _READ_ERROR, _WARNING, _STYLE_WARNING = (keyword(n) for n in ("error", "read-error", "warning", "style-warning"))
ABORT = cl_symbol("ABORT")

#: Where a note goes: the place in the buffer (or file) of a position, or of the form being
#: compiled when the condition has none.
Locator = Callable[[SourcePos | None], list[Any]]


class Compilation:
    """The notes of one compilation and the debugger that makes them (see the module docstring)."""

    def __init__(self, debugger: EmacsDebugger, locate: Locator) -> None:
        self.sldb = debugger
        self.locate = locate
        self.notes: list[list[Any]] = []
        self.form_pos: SourcePos | None = None  # the top-level form being compiled
        self._abort: Any = None

    def run(self, body: Callable[[], None]) -> bool:
        """Run ``body`` (which sets :attr:`form_pos` as it goes); whether it compiled and ran
        without failing."""
        with using_debugger(self), toplevel_restart(ABORT, "Abort compilation.") as aborted:
            self._abort = compute_restarts_list()[0]
            handler_bind([(Warning_, self._warned)], body)
        return not aborted()

    def __call__(self, condition: Condition, traceback: TracebackType | None) -> None:
        frame = sys._getframe(1)
        if any(f.kind == "lisp" for f in stack_frames(traceback, frame)):
            self.sldb.enter(condition, traceback, frame)
            return
        severity = _READ_ERROR if isinstance(condition, (ReaderError, EndOfFile)) else _ERROR
        self._note(condition, severity)
        self._abort.function()

    def _warned(self, condition: Condition) -> None:
        self._note(condition, _STYLE_WARNING if isinstance(condition, StyleWarning) else _WARNING)

    def _note(self, condition: Condition, severity: Any) -> None:
        message = text_of(condition.report).strip() or "(no report)"
        self.notes.append([_MESSAGE, message, _SEVERITY, severity,
                           _LOCATION, self.locate(condition.pos or self.form_pos), _REFERENCES, None])


def _result(compilation: Compilation, succeeded: bool, started: float, loaded: bool) -> list[Any]:
    return [_RESULT, compilation.notes, succeeded, time.monotonic() - started, loaded, None]


@rpc("swank:compile-string-for-emacs", user_code=True)
def compile_string_for_emacs(request: Request, text: str, buffer: str, position: Any, filename: Any,
                             _policy: Any = None) -> list[Any]:
    places = {entry[0].name: entry[1:] for entry in position or [] if isinstance(entry, list) and entry}
    start = places.get(":position", [1])[0]
    line_column = places.get(":line") or [1]
    line, column = line_column[0], line_column[1] if len(line_column) > 1 else 1
    label = filename if isinstance(filename, str) else buffer
    remember_buffer(label, buffer)
    reader = Reader(text, label, line=line, column=column)

    def locate(pos: SourcePos | None) -> list[Any]:
        offset = 0 if pos is None or pos.file != label else _offset(text, pos, line, column)
        return [keyword("location"), [keyword("buffer"), buffer], [keyword("offset"), start, offset], None]

    def body() -> None:
        while (form := reader.read()) is not EOF:
            compilation.form_pos = source_pos(form)
            eval_form(form, compilation.form_pos)

    compilation = Compilation(request.agent.debugger, locate)
    started = time.monotonic()
    succeeded = compilation.run(body)
    return _result(compilation, succeeded, started, False)


def _offset(text: str, pos: SourcePos, line: int, column: int) -> int:
    """The index in ``text`` (which starts at ``line``, ``column``) of ``pos``."""
    lines = text.split("\n")
    index = sum(len(lines[i]) + 1 for i in range(max(0, min(pos.line - line, len(lines) - 1))))
    index += pos.column - (column if pos.line == line else 1)
    return max(0, min(index, len(text)))


@rpc("swank:compile-file-for-emacs", user_code=True)
def compile_file_for_emacs(request: Request, filename: str, load_p: Any = True, **_options: Any) -> list[Any]:
    """Load the file (compiling it); without ``load_p``, only read it (its syntax is checked)."""
    path = str(Path(filename).expanduser())

    def locate(pos: SourcePos | None) -> list[Any]:
        return location(pos.file, pos.line, pos.column) if pos is not None else location(path, 1)

    def read_only() -> None:
        reader = Reader(Path(path).read_text(encoding="utf-8"), path)
        while reader.read() is not EOF:
            pass

    compilation = Compilation(request.agent.debugger, locate)
    started = time.monotonic()
    succeeded = compilation.run((lambda: load(path)) if load_p else read_only)
    return _result(compilation, succeeded, started, bool(load_p))


@rpc("swank:load-file", user_code=True)
def load_file(_request: Request, filename: str) -> str:
    load(str(Path(filename).expanduser()))
    return "T"
