"""The Lisp toplevel behind the ``gfjit`` command: the REPL, running a file, evaluating a form.

- :func:`repl` — ``gfjit repl`` and ``python -m lisp``: the prompt_toolkit REPL on a terminal
  (:mod:`lisp.repl.interactive`), plain reading from standard input otherwise
  (:mod:`lisp.repl.pipe`: pipes, scripts, Emacs ``inferior-lisp``). Errors are reported on
  standard output, in order with the values, and the REPL carries on.
- :func:`run_file` — ``gfjit run FILE ARGS...``: loads FILE with ``GFJIT-SYSTEM:*POSIX-ARGV*``
  bound to ``(FILE ARGS...)``; an unhandled error is reported on standard error and makes the
  exit status 1.
- :func:`eval_and_print` — ``gfjit eval "FORMS"``: evaluates the forms and prints the values of
  the last one; errors as for :func:`run_file`.

Lisp code runs in the evaluation thread of :mod:`lisp.repl.worker` (deep stack, Ctrl-C). Imports
are made inside the functions: ``gfjit --help`` must not pay for the Lisp, nor a pipe for
prompt_toolkit.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any


def _stopping_on_broken_pipe(run: Callable[..., int]) -> Callable[..., int]:
    """Whoever reads our output went away (``gfjit repl < f | head``): stop quietly, status 1."""

    @functools.wraps(run)
    def guarded(*args: Any) -> int:
        try:
            return run(*args)
        except BrokenPipeError:
            # Python would report the pipe again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1

    return guarded


@_stopping_on_broken_pipe
def repl() -> int:
    """Run the REPL on standard input and output until end of input or ``:quit``."""
    from lisp.repl.session import Session
    from lisp.runtime.streams import stdout_stream

    boot_for_programs()
    worker = _eval_thread()
    session = worker.call(Session, "<repl>", stdout_stream)
    if _is_terminal():
        from lisp.repl.interactive import run_interactive

        return run_interactive(session, worker)
    from lisp.repl.pipe import run_pipe

    return run_pipe(session, worker, sys.stdin, prompts=sys.stdin.isatty())


def _is_terminal() -> bool:
    # A dumb terminal (Emacs inferior-lisp runs Lisp on a pty with TERM=dumb) gets plain lines.
    return sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("TERM", "dumb") != "dumb"


@_stopping_on_broken_pipe
def run_file(path: str, args: Sequence[str]) -> int:
    """Load the Lisp file ``path``; returns 0, or 1 after reporting an unhandled error."""
    from lisp.runtime.data import make_list

    boot_for_programs()
    if not os.path.isfile(path):
        print(f"gfjit run: no such file: {path}", file=sys.stderr)
        return 1

    def load_file() -> None:
        from lisp.evaluator import load

        load(path)

    return _run_script(load_file, f"Exit gfjit run {path}.", make_list([path, *args]))


@_stopping_on_broken_pipe
def eval_and_print(text: str) -> int:
    """Evaluate the forms of ``text`` and print the values of the last; 0, or 1 after an error."""
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

    return _run_script(evaluate, "Exit gfjit eval.", None)


def _run_script(body: Callable[[], None], abort_report: str, argv: Any) -> int:
    return _eval_thread().call(_guarded, body, abort_report, argv)


def _guarded(body: Callable[[], None], abort_report: str, argv: Any) -> int:
    """Run ``body`` under an ABORT restart; report an error on standard error (status 1)."""
    from lisp.repl.report import describe_error
    from lisp.runtime.data import cl_symbol
    from lisp.runtime.namespace import dynamic_binding
    from lisp.runtime.signals import toplevel_restart
    from lisp.runtime.streams import stderr_stream, stdout_stream

    abort = cl_symbol("ABORT")
    try:
        with dynamic_binding(_argv_symbol(), argv), toplevel_restart(abort, abort_report) as aborted:
            body()
        status = 1 if aborted() else 0
    except BaseException as error:  # noqa: BLE001 - every error ends here, as a report
        if isinstance(error, SystemExit):
            raise
        pipe = error if isinstance(error, BrokenPipeError) else getattr(error, "original", None)
        if isinstance(pipe, BrokenPipeError):
            raise pipe from None  # Lisp's output went to a closed pipe: stop quietly
        stdout_stream.finish_output()
        stderr_stream.fresh_line()
        stderr_stream.write_string(describe_error(error, [(abort, abort_report)]))
        status = 1
    stdout_stream.finish_output()
    stderr_stream.finish_output()
    return status


def _argv_symbol() -> Any:
    """The symbol ``GFJIT-SYSTEM:*POSIX-ARGV*``: the script and its arguments under ``gfjit run``."""
    from lisp.runtime.data import SYSTEM
    from lisp.runtime.namespace import proclaim_special

    sym = SYSTEM.intern("*POSIX-ARGV*")
    SYSTEM.export(sym)
    proclaim_special(sym)
    return sym


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
    # frozen, it is no longer walked by every full collection.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
