"""REPL commands: keywords that the toplevel acts on instead of evaluating.

A command is typed where a form would be, and its arguments are the forms that start on the same
line (a form may go on over further lines): ``:help``, ``:quit``, ``:pytrace``, ``:time FORM``,
``:dispatch NAME [ir|asm]``. Only these keywords are commands; every other keyword evaluates to
itself.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from lisp.clos.generic import is_generic_function
from lisp.clos.printing import dispatch_description
from lisp.runtime.data import SourcePos, Symbol, keyword
from lisp.runtime.namespace import GLOBALS, function_key
from lisp.syntax.printer import prin1_to_string

#: One argument of a command: the form and where it was read.
Argument = tuple[Any, SourcePos | None]


class Session(Protocol):
    """What a command may do with the REPL session it runs in (:class:`lisp.repl.session.Session`)."""

    quit_requested: bool
    last_error: BaseException | None
    commands: Mapping[Symbol, Command]
    help_notes: tuple[str, ...]

    def write(self, text: str) -> None: ...

    def evaluate(self, form: Any, pos: SourcePos | None) -> tuple[Any, ...]: ...

    def print_values(self, found: tuple[Any, ...]) -> None: ...


@dataclass(frozen=True)
class Command:
    """A REPL command: its keyword, its arguments' syntax, what it does."""

    name: str
    syntax: str
    help: str
    arity: tuple[int, int]  # fewest and most arguments
    action: Callable[[Session, list[Argument]], None]

    def run(self, session: Session, arguments: list[Argument]) -> None:
        """Act on ``arguments``, or say how the command is used if their number is wrong."""
        fewest, most = self.arity
        if not fewest <= len(arguments) <= most:
            session.write(f"Usage: {self.usage}\n")
            return
        self.action(session, arguments)

    @property
    def usage(self) -> str:
        return f"{self.name} {self.syntax}".rstrip()


def _help(session: Session, _arguments: list[Argument]) -> None:
    lines = ["Type a form to evaluate it. Commands (arguments on the same line):"]
    lines += [f"  {c.usage:<24} {c.help}" for c in session.commands.values()]
    lines.append("*, ** and *** hold the last three values; +, ++, +++ the last three forms.")
    lines += session.help_notes
    session.write("\n".join(lines) + "\n")


def _quit(session: Session, _arguments: list[Argument]) -> None:
    session.quit_requested = True


def _time(session: Session, arguments: list[Argument]) -> None:
    [(form, pos)] = arguments
    real, cpu = time.perf_counter(), time.process_time()
    found = session.evaluate(form, pos)
    real, cpu = time.perf_counter() - real, time.process_time() - cpu
    session.write(f"; Evaluation took {real:.6f} s of real time, {cpu:.6f} s of CPU time.\n")
    if found is not None:
        session.print_values(found)


def _pytrace(session: Session, _arguments: list[Argument]) -> None:
    error = session.last_error
    if error is None:
        session.write("No error yet.\n")
        return
    session.write("".join(traceback.format_exception(error)))


_DISPATCH_VIEWS = {"IR": "ir", "ASM": "asm"}


def _dispatch(session: Session, arguments: list[Argument]) -> None:
    name = arguments[0][0]
    view = arguments[1][0] if len(arguments) > 1 else None
    if view is not None and (not isinstance(view, Symbol) or view.name not in _DISPATCH_VIEWS):
        session.write(f"Usage: {_DISPATCHING.usage}\n")
        return
    gf = GLOBALS.get(function_key(name)) if isinstance(name, Symbol) else None
    if gf is None or not is_generic_function(gf):
        session.write(f"{_printed(name)} is not a generic function.\n")
        return
    text = dispatch_description(gf) if view is None else getattr(gf, _DISPATCH_VIEWS[view.name])()
    session.write(text if text.endswith("\n") else text + "\n")


def _printed(obj: Any) -> str:
    return prin1_to_string(obj)


_DISPATCHING = Command(":dispatch", "NAME [ir|asm]",
                       "show the dispatcher of a generic function (or its LLVM IR, assembly)", (1, 2),
                       _dispatch)
COMMANDS = (
    Command(":help", "", "show this help", (0, 0), _help),
    Command(":quit", "", "leave the REPL (so do end of input and Ctrl-D)", (0, 0), _quit),
    Command(":time", "FORM", "evaluate FORM and show how long it took", (1, 1), _time),
    Command(":pytrace", "", "show the Python traceback of the last error", (0, 0), _pytrace),
    _DISPATCHING,
)


def command_table(commands: Iterable[Command]) -> dict[Symbol, Command]:
    """The commands by the keyword that names each (``:help`` -> the help command)."""
    return {keyword(c.name[1:].upper()): c for c in commands}
