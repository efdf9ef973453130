"""One toplevel session: forms in, values and error reports out, the REPL variables kept.

A :class:`Session` is fed text (a line typed, a chunk of a pipe) and evaluates every form that text
completes, in order. Each evaluation runs inside an ABORT restart ("return to the toplevel") and,
if the session has one, with a debugger (:mod:`lisp.repl.debug_level`), which an unhandled error
enters before anything unwinds. Whatever goes wrong in an evaluation and is not handled there — a
condition, a Python exception, Ctrl-C, a reader error — is reported (:mod:`lisp.repl.report`) and
ends that evaluation only: the session carries on with the next form. A debugger level is a
session too, nested in the evaluation it stopped: a restart of that evaluation invoked from it
leaves it.

What a session reads is kept in :mod:`linecache` under its file name (``<repl>``), so that the
debugger's ``:source`` and Python tracebacks show the lines typed.

The standard REPL variables (CLHS 25.1.1) are kept: ``-`` is the form being evaluated, ``+ ++
+++`` the last three forms evaluated, ``* ** ***`` their primary values and ``/ // ///`` their
value lists. A form whose evaluation fails updates none of them.

All methods run in the evaluation thread (:mod:`lisp.repl.worker`): reading interns symbols in
``*package*`` and may evaluate (``#.``), so it belongs with evaluation.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Mapping
from typing import Any

from lisp.compiler import eval_values
from lisp.library.terminal import LineReader, using_line_reader
from lisp.repl.commands import COMMANDS, Argument, Command, command_table
from lisp.repl.forms import INCOMPLETE, LINE_END, FormSource
from lisp.repl.report import describe_error
from lisp.runtime.condition_classes import Condition, ReaderError
from lisp.runtime.data import NIL, SourcePos, Symbol, cl_symbol, make_list
from lisp.runtime.namespace import proclaim_special, set_symbol_value, symbol_value
from lisp.runtime.signals import (
    Debugger,
    NonLocalTransfer,
    toplevel_restart,
    using_debugger,
)
from lisp.runtime.streams import OutputStream, output_stream
from lisp.syntax.printer import prin1_to_string
from lisp.syntax.reader import EOF

ABORT = cl_symbol("ABORT")
_FAILED = object()  # what Session.protected returns when the thunk did not return

_FORM, _FORMS = cl_symbol("-"), [cl_symbol(n) for n in ("+", "++", "+++")]
_PRIMARY = [cl_symbol(n) for n in ("*", "**", "***")]
_LISTS = [cl_symbol(n) for n in ("/", "//", "///")]
#: The REPL variables (a front end with several REPLs binds them in each REPL's thread).
REPL_VARIABLES = (_FORM, *_FORMS, *_PRIMARY, *_LISTS)


def define_repl_variables() -> None:
    """Proclaim the REPL variables special and give them their initial value, NIL."""
    for sym in REPL_VARIABLES:
        proclaim_special(sym)
        set_symbol_value(sym, NIL)


class Session:
    """The state of one toplevel; see the module docstring."""

    #: Exits that leave an evaluation for a target outside the session: none for a toplevel.
    outer_exits: tuple[type[BaseException], ...] = ()
    #: What ``:help`` says after the commands.
    help_notes: tuple[str, ...] = ()

    def __init__(self, file: str, out: OutputStream, *, abort_report: str = "Return to the toplevel.",
                 debugger: Debugger | None = None, read_line: LineReader | None = None,
                 commands: Mapping[Symbol, Command] | None = None) -> None:
        self.source = FormSource(file)
        self.out = out
        self.abort_report = abort_report
        #: The debugger of the evaluations, and how the interactive tools they run (``step``,
        #: ``inspect``) read a line (None: no debugger; ``*query-io*``).
        self.debugger = debugger
        self.read_line = read_line
        self.commands = commands if commands is not None else _TOPLEVEL_COMMANDS
        #: The exception of the last evaluation that failed (``:pytrace`` shows its traceback).
        self.last_error: BaseException | None = None
        #: How many errors were reported (a pipe's exit status is 1 if any).
        self.errors = 0
        self.quit_requested = False
        self._command: _CommandLine | None = None  # a command whose arguments are being read
        self._lines: list[str] = []  # every line read, for linecache
        if not self.outer_exits:  # a toplevel starts with them NIL; a nested session shares them
            define_repl_variables()

    # -- input ------------------------------------------------------------------------------

    def feed(self, text: str) -> None:
        """Take more input and handle every form it completes (stops early after ``:quit``)."""
        self.source.feed(text)
        self._remember_lines(text)
        while not self.quit_requested:
            try:
                if self._command is not None:
                    if not self._collect_arguments():
                        return
                    continue
                form = self.source.next_form()
            except ReaderError as error:
                self._command = None
                self.report(error)
                continue
            if form is INCOMPLETE or form is EOF:
                return
            command = self.commands.get(form) if isinstance(form, Symbol) else None
            if command is None:
                self.handle_form(form, self.source.form_pos)
            else:
                self._command = _CommandLine(command, self.source.form_pos)

    def handle_form(self, form: Any, pos: SourcePos | None) -> None:
        """What a form typed does: it is evaluated and its values printed."""
        self.evaluate_and_print(form, pos)

    def start_file(self, file: str) -> None:
        """Read what comes next as the start of a new file named ``file`` (a notebook's next cell),
        forgetting what was not read yet."""
        self.source = FormSource(file)
        self._lines = []
        self._command = None

    def _remember_lines(self, text: str) -> None:
        self._lines.extend(text.splitlines(keepends=True))
        linecache.cache[self.source.file] = (sum(map(len, self._lines)), None, self._lines, self.source.file)

    def _collect_arguments(self) -> bool:
        """Read the arguments of the command being typed; False if more input is needed."""
        assert self._command is not None
        form = self.source.next_form_on_line(self._command.line)
        if form is INCOMPLETE:
            return False
        if form is LINE_END or form is EOF:
            command, self._command = self._command, None
            self.protected(lambda: command.command.run(self, command.arguments))
        else:
            self._command.arguments.append((form, self.source.form_pos))
        return True

    def end_of_input(self) -> None:
        """The input is over: a form left unfinished (an unclosed parenthesis) is reported."""
        if self.source.unfinished is not None:
            self._command = None
            self.report(self.source.unfinished)
        elif self._command is not None:
            self._collect_arguments()

    @property
    def waiting(self) -> bool:
        """Whether the input so far ends inside a form (or a command's arguments)."""
        return self.source.unfinished is not None

    def cancel_input(self) -> None:
        """Forget what was typed and not yet evaluated (Ctrl-C at the prompt)."""
        self.source.discard()
        self._command = None

    # -- evaluation -------------------------------------------------------------------------

    def evaluate_and_print(self, form: Any, pos: SourcePos | None = None) -> bool:
        """Evaluate ``form`` as the REPL does and print its values (one a line) or its error."""
        found = self.evaluate(form, pos)
        if found is None:
            return False
        self.print_values(found)
        return True

    def evaluate(self, form: Any, pos: SourcePos | None = None) -> tuple[Any, ...] | None:
        """All values of ``form`` (the REPL variables updated), or None after reporting its error.

        ``pos`` is where the form was read, for a form that does not carry it (an atom).
        """

        def run() -> tuple[Any, ...]:
            set_symbol_value(_FORM, form)
            return eval_values(form, pos)

        found = self.protected(run)
        if found is _FAILED:
            return None
        self._remember(form, found)
        return found

    def protected(self, thunk: Callable[[], Any]) -> Any:
        """``thunk()`` under the ABORT restart; :data:`_FAILED` after reporting what went wrong.

        Whatever the user's code does — signal, raise, overflow the stack, be interrupted, print
        an object whose ``print-object`` fails — ends here, never in the session's own loop.
        """
        try:
            # The debugger outside the restart: an error that unwinds to the restart meets it there.
            with using_debugger(self.debugger), using_line_reader(self.read_line), \
                    toplevel_restart(ABORT, self.abort_report) as aborted:
                value = thunk()
            if aborted():
                self.write("; Aborted.\n")
                return _FAILED
        except BaseException as error:  # noqa: BLE001 - every error ends here; see report()
            if isinstance(error, (SystemExit, *self.outer_exits)):
                raise
            if isinstance(error, KeyboardInterrupt):
                self.cancel_input()  # Ctrl-C also cancels what was typed after the form
            self.report(error)
            return _FAILED
        return value

    def _remember(self, form: Any, found: tuple[Any, ...]) -> None:
        _shift(_FORMS, form)
        _shift(_PRIMARY, found[0] if found else NIL)
        _shift(_LISTS, make_list(found))

    # -- output -----------------------------------------------------------------------------

    def write(self, text: str) -> None:
        """Write ``text`` on a fresh line of the session's output."""
        # Lisp's *standard-output* may be another stream than ours; what it printed comes first.
        # A *standard-output* a user broke (setf'd to a non-stream) must not break the toplevel.
        try:
            output_stream().finish_output()
        except Condition:
            pass
        self.out.fresh_line()
        self.out.write_string(text)
        self.out.finish_output()

    def print_values(self, found: tuple[Any, ...]) -> None:
        """Print values as the REPL does: each readably (``prin1``), one a line."""
        text = self.protected(lambda: "".join(prin1_to_string(value) + "\n" for value in found))
        if text is not _FAILED:
            self.write(text)

    def report(self, error: BaseException) -> None:
        """Print the report of ``error`` (condition, backtrace, restarts) and remember it."""
        self.last_error = error
        self.errors += 1
        self.write(describe_error(error, toplevel_restarts=[(ABORT, self.abort_report)]))


class NestedSession(Session):
    """A session inside an evaluation of another (a debugger level): restarts and throws to that
    evaluation leave it."""

    outer_exits = (NonLocalTransfer,)


_TOPLEVEL_COMMANDS = command_table(COMMANDS)


class _CommandLine:
    """A command being typed: the arguments read so far, on the line where it started."""

    def __init__(self, command: Command, pos: SourcePos | None) -> None:
        self.command = command
        self.line = pos.line if pos is not None else 0
        self.arguments: list[Argument] = []


def _shift(variables: list[Any], newest: Any) -> None:
    for newer, older in zip(reversed(variables[:-1]), reversed(variables)):
        set_symbol_value(older, symbol_value(newer))
    set_symbol_value(variables[0], newest)

