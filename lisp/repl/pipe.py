"""The toplevel without a line editor: forms from lines of text, values to standard output.

Used when standard input is not a terminal (a pipe, a script, a test) and on a dumb terminal
(Emacs ``inferior-lisp``): no prompt_toolkit is imported. Each line is handed to the session as
soon as it arrives, so a form is evaluated when its last line is in, not at the end of the input.
The line reader prints a prompt or not (a dumb terminal wants one; a pipe does not).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lisp.repl.prompt import prompt_text

if TYPE_CHECKING:
    from lisp.repl.session import Session
    from lisp.repl.worker import EvalThread


def run_pipe(session: Session, worker: EvalThread, read_line: Callable[..., str]) -> None:
    """Read and evaluate until end of input or ``:quit``; ``read_line(prompt)`` returns a line
    (with or without its newline), or raises EOFError at the end of the input."""
    while not session.quit_requested:
        try:
            line = read_line(prompt_text(continuation=session.waiting))
        except KeyboardInterrupt:
            worker.call(_cancel_input, session)
            continue
        except EOFError:
            break
        try:
            worker.call(session.feed, line if line.endswith("\n") else line + "\n")
        except KeyboardInterrupt as interrupt:  # arrived between two evaluations
            worker.call(session.report, interrupt)
    worker.call(session.end_of_input)


def _cancel_input(session: Session) -> None:
    session.cancel_input()
    session.report(KeyboardInterrupt())
