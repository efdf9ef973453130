"""What the toplevel prints about an error: the condition, a short Lisp backtrace, the restarts.

::

    Error (UNDEFINED-FUNCTION) at <repl>:2:15:
      The function COMMON-LISP-USER::FOO is undefined.
    Backtrace (innermost first):
      0: (BAR 3) at <repl>:2:15
      1: (top-level form) at <repl>:3:1
    Restarts:
      0: [ABORT] Return to the toplevel.

:func:`describe_stop` says it of a computation stopped in the debugger (the frames on the stack),
:func:`describe_error` of an exception that reached the toplevel (the frames of its traceback).
Any exception can be described: a Python exception is shown as the condition
:func:`lisp.runtime.host_errors.as_condition` makes of it, and Ctrl-C as an interruption.

Reports print data under :data:`REPORT_PRINTING` (:func:`report_printing`): a circular datum is
printed with ``#n=``/``#n#`` instead of forever (SBCL loops there), and a huge or deep one is cut
short with ``...`` and ``#``. A report is a print of its own, even when the error happened in the
middle of printing something else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from lisp.repl.backtrace import SHORT, Frame, format_backtrace, stack_frames
from lisp.runtime.condition_classes import Condition, SeriousCondition, Warning_
from lisp.runtime.data import Symbol, T, cl_symbol
from lisp.runtime.host_errors import as_condition
from lisp.runtime.namespace import dynamic_binding
from lisp.runtime.signals import Restart
from lisp.syntax import print_session
from lisp.syntax.printer import prin1_to_string

#: The printer variables bound while a report is made: shared and circular structure as labels,
#: at most 50 elements of a list or vector and 10 levels of nesting.
REPORT_PRINTING: dict[Symbol, Any] = {cl_symbol("*PRINT-CIRCLE*"): T, cl_symbol("*PRINT-LENGTH*"): 50,
                                      cl_symbol("*PRINT-LEVEL*"): 10}


@contextmanager
def report_printing() -> Iterator[None]:
    """Print as reports do (:data:`REPORT_PRINTING`), in a print session of its own."""
    with ExitStack() as stack:
        for variable, value in REPORT_PRINTING.items():
            stack.enter_context(dynamic_binding(variable, value))
        stack.enter_context(print_session.isolated())
        yield


def describe_error(error: BaseException, toplevel_restarts: Sequence[tuple[Symbol, str]]) -> str:
    """The text the toplevel prints for ``error``; ``toplevel_restarts`` are (name, report) pairs
    shown when the error recorded none (it never met ``error``, which records them)."""
    frames = stack_frames(error.__traceback__, None)
    if isinstance(error, KeyboardInterrupt):
        return _text(["Interrupted (Ctrl-C)."], frames, list(toplevel_restarts))
    condition = as_condition(error)
    restarts = [(r.name, text_of(r.report)) for r in condition.restarts] or list(toplevel_restarts)
    return _text(heading(condition), frames, restarts)


def describe_stop(condition: Condition, restarts: Sequence[Restart], frames: Iterable[Frame]) -> str:
    """The text the debugger prints when it stops on ``condition``."""
    return _text(heading(condition), frames, [(r.name, text_of(r.report)) for r in restarts])


def _text(lines: list[str], frames: Iterable[Frame], restarts: list[tuple[Symbol | None, str]]) -> str:
    with report_printing():
        backtrace = format_backtrace(frames, SHORT)
    if backtrace:
        lines = [*lines, "Backtrace (innermost first):", *backtrace]
    lines = [*lines, "Restarts:", *restart_lines(restarts)]
    return "\n".join(lines) + "\n"


def restart_lines(restarts: Sequence[tuple[Symbol | None, str]]) -> list[str]:
    """``  0: [ABORT] Return to the toplevel.``, one for each (name, report), numbered from 0."""
    return [f"  {i}: [{_name(name)}] {report}" for i, (name, report) in enumerate(restarts)]


def heading(condition: Condition) -> list[str]:
    """``Error (TYPE) at FILE:LINE:COL:`` and the condition's report, indented."""
    kind = ("Error" if isinstance(condition, SeriousCondition) else
            "Warning" if isinstance(condition, Warning_) else "Condition")
    where = f" at {condition.pos}" if condition.pos is not None else ""
    report = text_of(condition.report).rstrip("\n") or "(no report)"
    return [f"{kind} ({_name(condition.lisp_name)}){where}:"] + ["  " + line for line in report.split("\n")]


def text_of(report: Callable[[], str]) -> str:
    """A report's text; a report function that fails (a user's) must not take the REPL with it."""
    try:
        with report_printing():
            return report()
    except Exception as failure:  # noqa: BLE001 - any failure is shown instead of the text
        name = _name(failure.lisp_name) if isinstance(failure, Condition) else type(failure).__name__
        return f"(the report failed with a {name})"


def _name(sym: Symbol | None) -> str:
    # As prin1 shows it from the current package, but an uninterned name needs no #: here.
    return sym.name if isinstance(sym, Symbol) and sym.package is None else prin1_to_string(sym)
