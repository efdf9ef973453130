"""What the toplevel prints about an error: the condition, a short Lisp backtrace, the restarts.

::

    Error (UNDEFINED-FUNCTION) at <repl>:2:15:
      The function COMMON-LISP-USER::FOO is undefined.
    Backtrace (innermost first):
      0: BAR (<repl>:2:15)
      1: <toplevel> (<repl>:3:1)
    Restarts:
      0: [ABORT] Return to the toplevel.

Any exception can be described: a Python exception is shown as the condition
:func:`lisp.runtime.host_errors.as_condition` makes of it, and Ctrl-C as an interruption.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lisp.repl.backtrace import format_backtrace, lisp_frames
from lisp.runtime.condition_classes import Condition
from lisp.runtime.data import Symbol
from lisp.runtime.host_errors import as_condition
from lisp.syntax.printer import prin1_to_string


def describe_error(error: BaseException, toplevel_restarts: Sequence[tuple[Symbol, str]]) -> str:
    """The text the toplevel prints for ``error``; ``toplevel_restarts`` are (name, report) pairs
    shown when the error recorded none (it never met ``error``, which records them)."""
    if isinstance(error, KeyboardInterrupt):
        lines = ["Interrupted (Ctrl-C)."]
        restarts = list(toplevel_restarts)
    else:
        condition = as_condition(error)
        lines = _heading(condition)
        restarts = [(r.name, _text_of(r.report)) for r in condition.restarts] or list(toplevel_restarts)
    frames, total = lisp_frames(error.__traceback__)
    if frames:
        lines.append("Backtrace (innermost first):")
        lines += format_backtrace(frames, total)
    lines.append("Restarts:")
    lines += [f"  {i}: [{_name(name)}] {report}" for i, (name, report) in enumerate(restarts)]
    return "\n".join(lines) + "\n"


def _heading(condition: Condition) -> list[str]:
    where = f" at {condition.pos}" if condition.pos is not None else ""
    report = _text_of(condition.report).rstrip("\n") or "(no report)"
    return [f"Error ({_name(condition.lisp_name)}){where}:"] + ["  " + line for line in report.split("\n")]


def _text_of(report: Callable[[], str]) -> str:
    """A report's text; a report function that fails (a user's) must not take the REPL with it."""
    try:
        return report()
    except Exception as failure:  # noqa: BLE001 - any failure is shown instead of the text
        name = _name(failure.lisp_name) if isinstance(failure, Condition) else type(failure).__name__
        return f"(the report failed with a {name})"


def _name(sym: Symbol | None) -> str:
    # As prin1 shows it from the current package, but an uninterned name needs no #: here.
    return sym.name if isinstance(sym, Symbol) and sym.package is None else prin1_to_string(sym)
