"""The toplevel without a line editor: forms from a text stream, values to standard output.

Used when standard input is not a terminal (a pipe, a script, a test) and on a dumb terminal
(Emacs ``inferior-lisp``): no prompt_toolkit is imported. Each line is handed to the session as
soon as it arrives, so a form is evaluated when its last line is in, not at the end of the input.
A prompt is printed only when asked for (a dumb terminal wants one; a pipe does not).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from lisp.repl.prompt import prompt_text

if TYPE_CHECKING:
    from lisp.repl.session import Session
    from lisp.repl.worker import EvalThread


def run_pipe(session: Session, worker: EvalThread, stdin: TextIO, *, prompts: bool) -> int:
    """Read and evaluate until end of input or ``:quit``; returns the exit status (0)."""
    while not session.quit_requested:
        if prompts:
            session.out.write_string(prompt_text(continuation=session.waiting))
            session.out.finish_output()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            worker.call(_cancel_input, session)
            continue
        if not line:
            break
        try:
            worker.call(session.feed, line)
        except KeyboardInterrupt as interrupt:  # arrived between two evaluations
            worker.call(session.report, interrupt)
    worker.call(session.end_of_input)
    return 0


def _cancel_input(session: Session) -> None:
    session.source.discard()
    session.report(KeyboardInterrupt())
