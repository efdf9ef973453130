"""Cells of a notebook, evaluated as the REPL evaluates what is typed.

A :class:`CellSession` is the REPL's :class:`~lisp.repl.session.Session` (the same reading, REPL
variables ``* ** *** + / -``, commands such as ``:dispatch NAME``, error reports), fed one cell at
a time. What a cell prints goes to ``*standard-output*`` (the notebook's stdout); its last form's
values are the cell's result; an error stops the cell, as an error stops a notebook cell, and is
described with its condition type, report and Lisp backtrace. There is no interactive debugger: an
unhandled error unwinds to the cell's ABORT restart.

Everything here runs in the kernel's evaluation thread: reading interns symbols in ``*package*``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lisp.clos.printing import describe
from lisp.repl.commands import COMMANDS, command_table
from lisp.repl.completion import symbol_completions, token_before_cursor
from lisp.repl.report import describe_error, text_of
from lisp.repl.session import ABORT, Session
from lisp.runtime.host_errors import as_condition
from lisp.runtime.namespace import dynamic_binding, symbol_value
from lisp.runtime.streams import STANDARD_INPUT, StringOutputStream, stdout_stream
from lisp.swank.names import lookup_symbol
from lisp.swank.streams import line_input
from lisp.syntax.printer import prin1_to_string
from lisp.syntax.reader import PACKAGE_VAR

_COMMANDS = command_table(c for c in COMMANDS if c.name != ":quit")  # a kernel is shut down by Jupyter
_ABORT_REPORT = "Return to the notebook."


@dataclass(frozen=True)
class CellError:
    """An error as Jupyter shows it: ``ename`` the condition type (``TYPE-ERROR``), ``evalue`` its
    report, ``traceback`` the REPL's error report (condition, Lisp backtrace, restarts), by line."""

    ename: str
    evalue: str
    traceback: list[str]


@dataclass(frozen=True)
class CellOutcome:
    """What a cell did: its last form's values as the REPL prints them (None: no form gave values
    or an error came first) and its error (None: none)."""

    result: str | None
    error: CellError | None


class CellSession(Session):
    """The notebook's REPL; see the module docstring."""

    def __init__(self, read_line: Callable[[], str | None]) -> None:
        """``read_line`` gives a line of the notebook's input (``*standard-input*``), None if it has none."""
        super().__init__("<cell 0>", stdout_stream, abort_report=_ABORT_REPORT, commands=_COMMANDS)
        self._input = line_input(read_line, "notebook")
        self._result: str | None = None
        self._error: CellError | None = None

    def run(self, code: str, number: int) -> CellOutcome:
        """Evaluate every form of cell ``number``, ``code``, in order until one fails; what the
        cell did. (Positions in reports and backtraces are in ``<cell NUMBER>``.)"""
        self.start_file(f"<cell {number}>")
        self._result = self._error = None
        with dynamic_binding(STANDARD_INPUT, self._input):
            self.feed(code if code.endswith("\n") else code + "\n")
            if self._error is None:
                self.end_of_input()  # a form left unclosed is an error of the cell
        self.quit_requested = False
        return CellOutcome(self._result, self._error)

    def print_values(self, found: tuple[Any, ...]) -> None:
        # The REPL's printing (one value a line, prin1), into the cell's result, not its output.
        out, self.out = self.out, StringOutputStream()
        try:
            super().print_values(found)
            if self._error is None:  # (printing a value can fail: then the cell has no result)
                self._result = self.out.get_output_stream_string().removesuffix("\n") or None
        finally:
            self.out = out

    def report(self, error: BaseException) -> None:
        self.last_error = error
        self.errors += 1
        self._result = None
        self._error = _cell_error(error)
        self.quit_requested = True  # feed() reads no further: the cell stops at its first error


def _cell_error(error: BaseException) -> CellError:
    lines = describe_error(error, toplevel_restarts=[(ABORT, _ABORT_REPORT)]).splitlines()
    if isinstance(error, KeyboardInterrupt):
        return CellError("KeyboardInterrupt", "Interrupted.", lines)  # the name notebooks know
    condition = as_condition(error)
    return CellError(prin1_to_string(condition.lisp_name), text_of(condition.report).rstrip("\n"), lines)


def completions(code: str, cursor: int) -> tuple[int, list[str]]:
    """Where the symbol token before ``cursor`` starts in ``code``, and what it completes to in
    ``*package*`` (the REPL's completion)."""
    token = token_before_cursor(code[:cursor])
    return cursor - len(token), symbol_completions(token, symbol_value(PACKAGE_VAR))


def inspection(code: str, cursor: int) -> str | None:
    """What ``describe`` says of the symbol at ``cursor`` in ``code`` (its lambda list and
    documentation when it names a function); None when there is no symbol there."""
    # The token's part after the cursor is the part before the cursor of the reversed text.
    token = token_before_cursor(code[:cursor]) + token_before_cursor(code[cursor:][::-1])[::-1]
    found, symbol = lookup_symbol(token, symbol_value(PACKAGE_VAR)) if token else (False, None)
    if not found:
        return None
    out = StringOutputStream()
    describe(symbol, out)
    return out.get_output_stream_string()
