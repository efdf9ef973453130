"""The debugger on a terminal: a REPL level inside the stopped computation.

When an error goes unhandled in an evaluation of a toplevel that has a :class:`TerminalDebugger`
(or ``invoke-debugger``, ``break``, Ctrl-C), the debugger prints the condition, a short backtrace
and the restarts numbered, and reads at a prompt that shows its level: ``1]``, and ``2]`` for an
error at level 1. It runs in the evaluation thread, inside the frames of the computation it
stopped (the :class:`~lisp.repl.debugger.Stop`), and reads each line with the function the
toplevel gives it: the terminal's line editor, which belongs to the main thread, reached through
the evaluation thread's channel (:meth:`lisp.repl.worker.EvalThread.ask`).

At a level, a number chooses that restart (``use-value`` and ``store-value`` ask for a form and
use its value); a form is evaluated in the dynamic environment of the error (special bindings,
handlers and restarts as they were there), and an error in it makes a deeper level; the commands
are those of the toplevel and those listed in :data:`LEVEL_COMMANDS`. Ctrl-C clears what was
typed; Ctrl-D is ``:abort``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any, cast

from lisp.compiler import eval_values
from lisp.repl.backtrace import format_backtrace
from lisp.repl.commands import COMMANDS, Argument, Command, command_table
from lisp.repl.debugger import Stop
from lisp.repl.report import describe_stop, heading, report_printing, restart_lines, text_of
from lisp.repl.session import NestedSession
from lisp.runtime.condition_classes import Condition
from lisp.runtime.data import NIL, SYSTEM, SourcePos, cl_symbol
from lisp.runtime.signals import (
    RestartSpec,
    current_debugger,
    define_condition,
    invoke_debugger,
    make_condition,
    restart_case,
)
from lisp.runtime.streams import OutputStream
from lisp.syntax.printer import prin1_to_string
from lisp.syntax.reader import read_from_string

ABORT, CONTINUE = cl_symbol("ABORT"), cl_symbol("CONTINUE")

INTERACTIVE_INTERRUPT = define_condition(SYSTEM.intern("INTERACTIVE-INTERRUPT"), [cl_symbol("CONDITION")],
                                         report="Interactive interrupt (Ctrl-C).")
INTERACTIVE_INTERRUPT.__doc__ = "What the debugger stops on when Ctrl-C interrupts an evaluation."

_NO_VALUE = object()
_HINT = "Type a restart's number to choose it, :help for the debugger's commands.\n"


class TerminalDebugger:
    """A toplevel's debugger (a :data:`lisp.runtime.signals.Debugger`): a new level for each
    condition, on ``out``, reading lines with ``read_line(prompt)`` (which raises EOFError at the
    end of the input and KeyboardInterrupt on Ctrl-C)."""

    def __init__(self, out: OutputStream, read_line: Callable[[str], str]) -> None:
        self.out = out
        self.read_line = read_line
        self.depth = 0

    def __call__(self, condition: Condition, traceback: TracebackType | None) -> None:
        stop = Stop(condition, traceback, sys._getframe(1))
        self.depth += 1
        try:
            Level(self, stop, self.depth).run()
        finally:
            self.depth -= 1


def break_on_interrupt() -> None:
    """Ctrl-C in an evaluation (:attr:`lisp.repl.worker.EvalThread.on_interrupt`): the debugger,
    with a CONTINUE restart that lets the evaluation go on; with no debugger, a KeyboardInterrupt."""
    if current_debugger() is None:
        raise KeyboardInterrupt
    go_on = RestartSpec(CONTINUE, "Continue the interrupted evaluation.")
    restart_case(lambda: invoke_debugger(make_condition(INTERACTIVE_INTERRUPT)), [go_on], [lambda: NIL])


class Level:
    """One level of the debugger: the stopped computation, the frame being looked at, and the
    session that reads and evaluates what is typed."""

    def __init__(self, debugger: TerminalDebugger, stop: Stop, depth: int) -> None:
        self.debugger = debugger
        self.stop = stop
        self.depth = depth
        self.current = stop.innermost_lisp_frame()
        self.session = LevelSession(self, f"<debug {depth}>", debugger.out,
                                    abort_report=f"Return to debugger level {depth}.", debugger=debugger,
                                    read_line=debugger.read_line, commands=_COMMANDS)

    def run(self) -> None:
        """Print the stop, then read and act until a restart takes control out of this level (at
        the end of the input: ABORT; where there is none, the debugger returns, declining)."""
        self.session.write(describe_stop(self.stop.condition, self.stop.restarts, self.stop.frames()) + _HINT)
        while True:
            prompt = "." * (len(str(self.depth)) + 1) + " " if self.session.waiting else f"{self.depth}] "
            try:
                text = self.debugger.read_line(prompt)
            except KeyboardInterrupt:
                self.session.cancel_input()
                continue
            except EOFError:
                self.invoke_named(ABORT, innermost=True)
                return
            self.session.feed(text if text.endswith("\n") else text + "\n")
            if self.session.quit_requested:
                raise SystemExit(0)

    # -- restarts -------------------------------------------------------------------------------

    def choose(self, number: int) -> None:
        """Invoke restart ``number``, asking for a value if it needs one (under the level's
        session's ABORT restart: called as a command, or through :meth:`LevelSession.handle_form`)."""
        if not 0 <= number < len(self.stop.restarts):
            self.session.write(f"There is no restart {number}; there are {len(self.stop.restarts)}.\n")
            return
        restart = self.stop.restarts[number]
        args: tuple[Any, ...] = ()
        if self.stop.needs_value(restart):
            found = self._value_for(restart.name.name)
            if found is _NO_VALUE:
                return
            args = (found,)
        self.session.print_values(self.stop.invoke_restart(number, *args))

    def _value_for(self, what: str) -> Any:
        """Read a form and evaluate it: its value, or _NO_VALUE if none came (Ctrl-C, end of input)."""
        try:
            text = self.debugger.read_line(f"Enter a form to evaluate for {what}: ")
        except (KeyboardInterrupt, EOFError):
            return _NO_VALUE
        found = eval_values(read_from_string(text))
        return found[0] if found else NIL

    def invoke_named(self, name: Any, *, innermost: bool) -> None:
        """Invoke the innermost (or outermost) restart named ``name``."""
        numbers = [i for i, r in enumerate(self.stop.restarts) if r.name is name]
        if not numbers:
            self.session.write(f"There is no {name.name} restart here.\n")
            return
        self.choose(numbers[0] if innermost else numbers[-1])

    # -- frames ---------------------------------------------------------------------------------

    def show_frame(self, number: int) -> None:
        frame = self.stop.frame(number)
        if frame is None:
            self.session.write(f"There is no frame {number}.\n")
            return
        self.current = number
        lines = [f"{number}: {frame}"]
        variables = self.stop.frame_locals(number)
        if variables:
            width = max(len(name) for name, _value in variables)
            lines += [f"  {name.ljust(width)} = {_printed(value)}" for name, value in variables]
        else:
            lines.append("  (no local variables)")
        self.session.write("\n".join(lines) + "\n")


class LevelSession(NestedSession):
    """The session of a debugger level: a number typed chooses a restart."""

    help_notes = ("At a debugger level a number chooses that restart (:restarts lists them), a form is evaluated "
                  "where the error happened, and Ctrl-D is :abort.",)

    def __init__(self, level: Level, file: str, out: OutputStream, **options: Any) -> None:
        super().__init__(file, out, **options)
        self.level = level

    def handle_form(self, form: Any, pos: SourcePos | None) -> None:
        if type(form) is int:
            self.protected(lambda: self.level.choose(form))
        else:
            super().handle_form(form, pos)


def _printed(value: Any) -> str:
    try:
        return prin1_to_string(value)
    except Exception as failure:  # noqa: BLE001 - a failing print-object must not end the level
        return f"#<unprintable: {type(failure).__name__}>"


def _level(session: Any) -> Level:
    return cast(LevelSession, session).level


def _number(argument: Argument, session: Any) -> int | None:
    value = argument[0]
    if type(value) is int and value >= 0:
        return value
    session.write(f"{prin1_to_string(value)} is not a frame number.\n")
    return None


def _backtrace(session: Any, arguments: list[Argument]) -> None:
    level = _level(session)
    count = _number(arguments[0], session) if arguments else None
    if arguments and count is None:
        return
    with report_printing():
        lines = format_backtrace(level.stop.frames(), count)
    session.write("\n".join(["Backtrace (innermost first):", *lines]) + "\n")


def _frame(session: Any, arguments: list[Argument]) -> None:
    level = _level(session)
    number = _number(arguments[0], session) if arguments else level.current
    if number is not None:
        level.show_frame(number)


def _eval(session: Any, arguments: list[Argument]) -> None:
    level = _level(session)
    [(form, _pos)] = arguments
    session.print_values(level.stop.eval_in_frame(form, level.current))


def _source(session: Any, _arguments: list[Argument]) -> None:
    level = _level(session)
    frame = level.stop.frame(level.current)
    if frame is None:
        session.write("There is no frame to show.\n")
        return
    text = level.stop.source_text(level.current)
    session.write(f"{level.current}: {frame}\n" + (text or "  (its source is not available)\n"))


def _restarts(session: Any, _arguments: list[Argument]) -> None:
    stop = _level(session).stop
    session.write("\n".join(["Restarts:", *restart_lines([(r.name, text_of(r.report)) for r in stop.restarts])]) + "\n")


def _error(session: Any, _arguments: list[Argument]) -> None:
    session.write("\n".join(heading(_level(session).stop.condition)) + "\n")


LEVEL_COMMANDS = (
    Command(":abort", "", "leave this level (back to the previous one, or the toplevel)", (0, 0),
            lambda s, _a: _level(s).invoke_named(ABORT, innermost=True)),
    Command(":top", "", "back to the toplevel", (0, 0), lambda s, _a: _level(s).invoke_named(ABORT, innermost=False)),
    Command(":continue", "", "invoke the CONTINUE restart", (0, 0),
            lambda s, _a: _level(s).invoke_named(CONTINUE, innermost=True)),
    Command(":restarts", "", "list the restarts again", (0, 0), _restarts),
    Command(":error", "", "show the condition again", (0, 0), _error),
    Command(":backtrace", "[N]", "show the frames (the innermost N)", (0, 1), _backtrace),
    Command(":frame", "[N]", "look at frame N: the call, its local variables", (0, 1), _frame),
    Command(":eval", "FORM", "evaluate FORM with the variables of the current frame", (1, 1), _eval),
    Command(":source", "", "show the source where the current frame stands", (0, 0), _source),
)
_COMMANDS = command_table([*LEVEL_COMMANDS, *COMMANDS])
