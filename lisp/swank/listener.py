"""Evaluation for Emacs: the REPL (``swank-repl:listener-eval``) and the evaluation commands of
a Lisp buffer (``C-x C-e``: ``interactive-eval``, ``eval-and-grab-output``, ``pprint-eval``).

The REPL is the terminal REPL's :class:`~lisp.repl.session.Session`, fed the text typed in the
REPL buffer: the same reading, REPL variables (``* ** *** + / -``), commands (``:help``,
``:dispatch NAME``...; not ``:quit``: SLIME leaves with ``,quit``) and error reports; its values
go to Emacs as REPL results, one per line, and what Lisp prints goes to the REPL's output. An
unhandled error enters the debugger in Emacs. A form that changes ``*package*`` tells Emacs
(``:new-package``), which sends the REPL's next input in that package.

Each connection's REPL runs in the connection's REPL thread, which binds the REPL variables to
that REPL's values while it evaluates: two Emacs connected have a ``*`` each.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from lisp.compiler import eval_values
from lisp.repl.commands import COMMANDS, command_table
from lisp.repl.session import REPL_VARIABLES, Session, define_repl_variables
from lisp.runtime.data import NIL, cl_symbol, make_list
from lisp.runtime.namespace import DYNAMIC, bind_specials, dynamic_binding, is_special, symbol_value
from lisp.runtime.signals import NonLocalTransfer
from lisp.runtime.streams import STANDARD_OUTPUT, StringOutputStream
from lisp.swank.names import prompt_name
from lisp.swank.rpc import Request, rpc
from lisp.swank.values import echo_area_text, pretty_values, read_form
from lisp.syntax.printer import prin1_to_string
from lisp.syntax.reader import EOF, PACKAGE_VAR, Reader

_COMMANDS = command_table(c for c in COMMANDS if c.name != ":quit")


class EmacsSession(Session):
    """The REPL of a connection; it runs inside a request, whose restarts (the debugger's
    "Return to SLIME's top level.") leave it."""

    outer_exits = (NonLocalTransfer,)

    def __init__(self, file: str, out: Any, **options: Any) -> None:
        super().__init__(file, out, abort_report="Return to the REPL.", commands=_COMMANDS, **options)
        if not is_special(REPL_VARIABLES[0]):  # the first REPL of the process
            define_repl_variables()
        #: This REPL's values of the REPL variables, bound while it evaluates.
        self.variables: dict[Any, Any] = dict.fromkeys(REPL_VARIABLES, NIL)

    @contextlib.contextmanager
    def variables_bound(self) -> Iterator[None]:
        """The REPL variables bound to this REPL's values (kept as the block leaves them)."""
        saved = DYNAMIC.bindings
        try:
            bind_specials(list(self.variables.items()))
            yield
        finally:
            self.variables = {sym: symbol_value(sym) for sym in REPL_VARIABLES}
            DYNAMIC.bindings = saved

    def print_values(self, found: tuple[Any, ...]) -> None:
        if found:
            super().print_values(found)
        else:
            self.write("; No value\n")


def _session(request: Request) -> EmacsSession:
    """The REPL of the connection (whose input Emacs sends to its REPL thread)."""
    agent = request.agent.connection.repl_agent()
    if agent.session is None:
        agent.session = EmacsSession(f"<slime-repl {agent.connection.number}>", agent.connection.repl_results,
                                     debugger=agent.debugger, read_line=agent.read_line)
    return agent.session


@rpc("swank-repl:create-repl")
def create_repl(request: Request, _target: Any = None, *, coding_system: Any = None) -> list[str]:
    # (Emacs asks from another thread than the REPL's: the REPL is made at its first input.)
    return [request.package.name, prompt_name(request.package)]


@rpc("swank-repl:listener-eval", user_code=True)
def listener_eval(request: Request, text: str, *, window_width: Any = None) -> None:
    session = _session(request)
    before = symbol_value(PACKAGE_VAR)
    with session.variables_bound():
        session.feed(text if text.endswith("\n") else text + "\n")
        if session.waiting:  # Emacs sends complete forms; what is left unclosed is reported, then dropped
            session.end_of_input()
            session.cancel_input()
    after = symbol_value(PACKAGE_VAR)
    if after is not before:
        request.agent.connection.new_package(after.name, prompt_name(after))


@rpc("swank-repl:clear-repl-variables")
def clear_repl_variables(request: Request) -> None:
    session = _session(request)
    session.variables = dict.fromkeys(REPL_VARIABLES, NIL)


@rpc("swank-repl:redirect-trace-output")
def redirect_trace_output(_request: Request, _target: Any) -> None:
    return None  # *trace-output* already goes to the REPL


@rpc("swank:interactive-eval", user_code=True)
def interactive_eval(_request: Request, text: str) -> str:
    return echo_area_text(eval_values(read_form(text)))


@rpc("swank:interactive-eval-region", user_code=True)
def interactive_eval_region(_request: Request, text: str) -> str:
    return echo_area_text(eval_region(text))


def eval_region(text: str) -> tuple[Any, ...]:
    """Evaluate every form of ``text``, each read after the one before ran; the last's values."""
    reader = Reader(text, "<emacs>")
    found: tuple[Any, ...] = ()
    while (form := reader.read()) is not EOF:
        found = eval_values(form)
    return found


@rpc("swank:eval-and-grab-output", user_code=True)
def eval_and_grab_output(_request: Request, text: str) -> list[str]:
    output = StringOutputStream()
    with dynamic_binding(STANDARD_OUTPUT, output):
        found = eval_values(read_form(text))
    return [output.get_output_stream_string(), "\n".join(prin1_to_string(value) for value in found)]


@rpc("swank:pprint-eval", user_code=True)
def pprint_eval(_request: Request, text: str) -> str:
    output = StringOutputStream()
    with dynamic_binding(STANDARD_OUTPUT, output):
        found = eval_values(read_form(text))
    return output.get_output_stream_string() + pretty_values(found)


@rpc("swank:re-evaluate-defvar", user_code=True)
def re_evaluate_defvar(_request: Request, text: str) -> str:
    form = read_form(text)
    name = form.cdr.car
    eval_values(make_list([cl_symbol("MAKUNBOUND"), make_list([cl_symbol("QUOTE"), name])]))
    found = eval_values(form)
    return prin1_to_string(found[0] if found else NIL)
