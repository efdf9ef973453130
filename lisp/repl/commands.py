"""REPL commands: keywords that the toplevel acts on instead of evaluating.

A command is typed where a form would be: ``:help``, ``:quit``, ``:pytrace``, or ``:time`` followed
by the form to time. Only these keywords are commands; every other keyword evaluates to itself.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lisp.data import Symbol, keyword

if TYPE_CHECKING:
    from lisp.repl.session import Session


@dataclass(frozen=True)
class Command:
    """A REPL command: its keyword, whether the next form is its argument, what it does."""

    name: str
    takes_form: bool
    help: str
    action: Callable[[Session, Any], None]

    def run(self, session: Session, form: Any) -> None:
        self.action(session, form)


def _help(session: Session, _form: Any) -> None:
    lines = ["Type a form to evaluate it. Commands:"]
    lines += [f"  {c.name + (' FORM' if c.takes_form else ''):<11} {c.help}" for c in COMMANDS]
    lines.append("*, ** and *** hold the last three values; +, ++, +++ the last three forms.")
    session.write("\n".join(lines) + "\n")


def _quit(session: Session, _form: Any) -> None:
    session.quit_requested = True


def _time(session: Session, form: Any) -> None:
    real, cpu = time.perf_counter(), time.process_time()
    found = session.evaluate(form)
    real, cpu = time.perf_counter() - real, time.process_time() - cpu
    session.write(f"; Evaluation took {real:.6f} s of real time, {cpu:.6f} s of CPU time.\n")
    if found is not None:
        session.print_values(found)


def _pytrace(session: Session, _form: Any) -> None:
    error = session.last_error
    if error is None:
        session.write("No error yet.\n")
        return
    session.write("".join(traceback.format_exception(error)))


COMMANDS = (
    Command(":help", False, "show this help", _help),
    Command(":quit", False, "leave the REPL (so does end of input, Ctrl-D)", _quit),
    Command(":time", True, "evaluate FORM and show how long it took", _time),
    Command(":pytrace", False, "show the Python traceback of the last error", _pytrace),
)
_BY_KEYWORD = {keyword(c.name[1:].upper()): c for c in COMMANDS}


def command_named(form: Any) -> Command | None:
    """The command ``form`` names, if it is one of the command keywords."""
    return _BY_KEYWORD.get(form) if isinstance(form, Symbol) else None
