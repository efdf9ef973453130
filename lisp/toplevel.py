"""The Lisp toplevel behind the ``gfjit`` command: the REPL, running a file, evaluating a form.

- :func:`repl` — ``gfjit``, ``gfjit repl`` and ``python -m lisp``: first the ``--load`` and
  ``--eval`` options in order, then (unless ``--non-interactive``) the prompt_toolkit REPL on a
  terminal (:mod:`lisp.repl.interactive`), or plain reading from standard input otherwise
  (:mod:`lisp.repl.pipe`: pipes, scripts, Emacs ``inferior-lisp``). On a terminal an unhandled
  error enters the debugger (:mod:`lisp.repl.debug_level`); from a pipe, errors are reported on
  standard output, in order with the values, the REPL carries on, and the exit status is 1.
- :func:`run_file` — ``gfjit run FILE ARGS...`` (``-``: standard input): loads FILE with
  ``*POSIX-ARGV*`` bound to ``(FILE ARGS...)``.
- :func:`eval_and_print` — ``gfjit eval "FORMS"``: evaluates the forms and prints the values of
  the last one.

Exit statuses (:data:`EXIT_OK`, :data:`EXIT_ERROR`, :data:`EXIT_INTERRUPTED`): 0; 1 after an
unhandled error, which ``run``, ``eval``, ``--non-interactive`` and a pipe report on the way (with
its backtrace) instead of entering the debugger; 130 when Ctrl-C stopped ``run`` or ``eval``, as
for a shell command killed by SIGINT. ``(exit :code N)`` leaves with status N.

Lisp code runs in the evaluation thread of :mod:`lisp.repl.worker` (deep stack, Ctrl-C). Imports
are made inside the functions: ``gfjit --help`` must not pay for the Lisp, nor a pipe for
prompt_toolkit.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT

#: A ``--load FILE`` or ``--eval FORMS`` option of the REPL: ("load", FILE) or ("eval", FORMS).
Action = tuple[str, str]


def _stopping_on_broken_pipe(run: Callable[..., int]) -> Callable[..., int]:
    """Whoever reads our output went away (``gfjit repl < f | head``): stop quietly, status 1."""

    @functools.wraps(run)
    def guarded(*args: Any, **kwargs: Any) -> int:
        try:
            return run(*args, **kwargs)
        except BrokenPipeError:
            # Python would report the pipe again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_ERROR

    return guarded


@_stopping_on_broken_pipe
def repl(actions: Sequence[Action] = (), *, quiet: bool = False, non_interactive: bool = False) -> int:
    """Do the ``--load``/``--eval`` ``actions``, then run the REPL on standard input and output
    until end of input or ``:quit`` (not with ``non_interactive``); returns the exit status."""
    from lisp.repl.session import Session
    from lisp.runtime.streams import stdout_stream

    boot_for_programs()
    argv = ["gfjit", *sys.argv[1:]]
    if non_interactive:
        return _run_script(lambda: _do_actions(actions), "Exit gfjit.", argv)
    worker = _eval_thread()
    worker.call(_set_posix_argv, argv)
    terminal = sys.stdin.isatty()
    full = terminal and _is_full_terminal()
    read_line = _line_editor() if full else _plain_line_reader(stdout_stream if terminal else None)
    session = worker.call(Session, "<repl>", stdout_stream)
    if terminal:
        from lisp.repl.debug_level import TerminalDebugger, break_on_interrupt

        # The debugger and the tools run in the evaluation thread; the line reader in this one.
        session.read_line = functools.partial(worker.ask, read_line)
        session.debugger = TerminalDebugger(stdout_stream, session.read_line)
        worker.on_interrupt = break_on_interrupt
        if not quiet:
            stdout_stream.write_string(banner() + "\n")
            stdout_stream.finish_output()
    worker.call(_do_actions_in, session, actions)
    if full:
        from lisp.repl.interactive import run_interactive

        run_interactive(session, worker, read_line)
        return EXIT_OK
    from lisp.repl.pipe import run_pipe

    run_pipe(session, worker, read_line)
    return EXIT_ERROR if session.errors and not terminal else EXIT_OK


def banner() -> str:
    """The REPL's one-line greeting: version, where help is, how to leave."""
    from jit import __version__

    return (f"gfjit {__version__}, Common Lisp on Python {sys.version.split()[0]}. "
            f"Type :help for help, (quit) or Ctrl-D to leave.")


def _action_forms(actions: Sequence[Action]) -> Iterator[tuple[Any, Any]]:
    """The forms of ``--load FILE`` (``(load "FILE")``) and ``--eval FORMS`` options, each with
    where it was read; a form is read after the one before it ran (it may use its package)."""
    from lisp.repl.forms import INCOMPLETE, FormSource
    from lisp.runtime.data import cl_symbol, make_list
    from lisp.syntax.reader import EOF

    for kind, text in actions:
        if kind == "load":
            yield make_list([cl_symbol("LOAD"), text]), None
            continue
        source = FormSource("<eval>")
        source.feed(text)
        while (form := source.next_form()) is not EOF:
            if form is INCOMPLETE:
                raise source.unfinished
            yield form, source.form_pos


def _do_actions(actions: Sequence[Action]) -> None:
    from lisp.compiler import eval_values

    for form, pos in _action_forms(actions):
        eval_values(form, pos)


def _do_actions_in(session: Any, actions: Sequence[Action]) -> None:
    """The options' forms evaluated as if typed (an error enters the debugger, or is reported);
    a reader error ends them."""
    from lisp.runtime.condition_classes import Condition

    try:
        for form, pos in _action_forms(actions):
            session.evaluate(form, pos)
    except Condition as error:
        session.report(error)


def _is_full_terminal() -> bool:
    # A dumb terminal (Emacs inferior-lisp runs Lisp on a pty with TERM=dumb) gets plain lines.
    return sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("TERM", "dumb") != "dumb"


def _line_editor() -> Callable[[str], str]:
    from lisp.repl.interactive import line_editor

    return line_editor()


def _plain_line_reader(out: Any | None) -> Callable[[str], str]:
    """A function reading a line of standard input (with its newline) after printing the
    prompt on ``out`` (None: no prompt, for a pipe); EOFError at the end of the input."""

    def read_line(prompt: str) -> str:
        if out is not None:
            out.write_string(prompt)
            out.finish_output()
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line

    return read_line


def _unreadable(path: str) -> str | None:
    """Why ``path`` cannot be run as a script, or None. Pipes and character devices are fine
    (``gfjit run <(...)``, ``/dev/stdin``); a FIFO without a writer waits for one, as a shell does."""
    if os.path.isdir(path):
        return "is a directory"
    if not os.path.exists(path):
        return "no such file"
    return None if os.access(path, os.R_OK) else "permission denied"


@_stopping_on_broken_pipe
def run_file(path: str, args: Sequence[str], read_eval: bool = True) -> int:
    """Load the Lisp file ``path`` (``-``: standard input); returns the exit status. Without
    ``read_eval``, ``*read-eval*`` is NIL from the start (``#.`` signals a reader-error)."""
    boot_for_programs()
    if path != "-" and (problem := _unreadable(path)):
        print(f"gfjit run: {path}: {problem}", file=sys.stderr)
        return EXIT_ERROR

    def load_file() -> None:
        from lisp.evaluator import load

        if not read_eval:
            from lisp.runtime.data import NIL
            from lisp.runtime.namespace import set_symbol_value
            from lisp.syntax.reader import READ_EVAL

            set_symbol_value(READ_EVAL, NIL)
        load("/dev/stdin" if path == "-" else path)

    return _run_script(load_file, f"Exit gfjit run {path}.", [path, *args])


@_stopping_on_broken_pipe
def eval_and_print(text: str) -> int:
    """Evaluate the forms of ``text`` and print the values of the last; returns the exit status."""
    boot_for_programs()

    def evaluate() -> None:
        from lisp.compiler import eval_values
        from lisp.repl.forms import INCOMPLETE, FormSource
        from lisp.runtime.streams import stdout_stream
        from lisp.syntax.printer import prin1_to_string
        from lisp.syntax.reader import EOF

        source = FormSource("<eval>")
        source.feed(text)
        found: tuple[Any, ...] = ()
        while (form := source.next_form()) is not EOF:
            if form is INCOMPLETE:
                raise source.unfinished
            found = eval_values(form, source.form_pos)
        stdout_stream.fresh_line()
        for value in found:
            stdout_stream.write_string(prin1_to_string(value) + "\n")

    return _run_script(evaluate, "Exit gfjit eval.", ["gfjit", "eval", text])


def _run_script(body: Callable[[], None], abort_report: str, argv: list[str]) -> int:
    worker = _eval_thread()
    worker.call(_set_posix_argv, argv)
    return worker.call(_guarded, body, abort_report)


def _guarded(body: Callable[[], None], abort_report: str) -> int:
    """Run ``body`` under an ABORT restart; report an error on standard error (status 1, or 130
    for Ctrl-C)."""
    from lisp.runtime.data import cl_symbol
    from lisp.runtime.signals import toplevel_restart
    from lisp.runtime.streams import stderr_stream, stdout_stream

    abort = cl_symbol("ABORT")
    try:
        with toplevel_restart(abort, abort_report) as aborted:
            body()
        status = EXIT_ERROR if aborted() else EXIT_OK
    except BaseException as error:  # noqa: BLE001 - every error ends here, as a report
        if isinstance(error, SystemExit):
            raise
        from lisp.repl.report import describe_error  # here: its backtrace machinery costs start-up

        pipe = error if isinstance(error, BrokenPipeError) else getattr(error, "original", None)
        if isinstance(pipe, BrokenPipeError):
            raise pipe from None  # Lisp's output went to a closed pipe: stop quietly
        stdout_stream.finish_output()
        stderr_stream.fresh_line()
        stderr_stream.write_string(describe_error(error, [(abort, abort_report)]))
        status = EXIT_INTERRUPTED if isinstance(error, KeyboardInterrupt) else EXIT_ERROR
    stdout_stream.finish_output()
    stderr_stream.finish_output()
    return status


def _set_posix_argv(argv: list[str]) -> None:
    """``*POSIX-ARGV*`` (GFJIT-SYSTEM's, also SB-EXT's) is the command line the program sees."""
    from lisp.runtime.data import make_list
    from lisp.runtime.extensions import POSIX_ARGV
    from lisp.runtime.namespace import set_symbol_value

    set_symbol_value(POSIX_ARGV, make_list(argv))


def _eval_thread() -> Any:
    from lisp.repl.worker import EvalThread, allow_deep_recursion

    allow_deep_recursion()  # safe: the main thread of the gfjit command runs no Lisp
    return EvalThread()


# Lisp programs make many small, short-lived, garbage-collected objects (conses); CPython's
# default first-generation threshold (700 on 3.11) collects after every 700 of them and each full
# collection walks every live cons. A young generation of 50,000 objects (a few MB, SBCL's
# nursery is far larger) and rarer full collections cut the collector's share of a list workload
# by about half (bench/lisp_bench.py). Only the gfjit command sets this: a program that embeds
# the Lisp owns its process's collector.
GC_THRESHOLDS = (50_000, 20, 100)


def boot() -> None:
    """Load the whole Lisp (compiler, library, CLOS) before the first form is read."""
    import lisp.evaluator  # noqa: F401 - importing it boots the Lisp


def boot_for_programs() -> None:
    """Boot as the gfjit command does, then set the process's garbage collector up for Lisp
    programs (see GC_THRESHOLDS).

    Only at the start of a process that is about to run Lisp programs: freezing keeps every
    object alive now for good, garbage included, so a process that has been running other code
    (a stress run, an embedding program) calls :func:`boot` instead.
    """
    import gc

    boot()
    # What boot made (symbols, the library's functions, CLOS) lives as long as the process:
    # frozen, it is no longer walked by every full collection. No collection first: it would
    # cost 15 ms of every start to free the few hundred cyclic objects boot leaves (kept, frozen).
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
