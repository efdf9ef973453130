"""The `gfjit` command: the Lisp REPL, running files and forms, editors and notebooks, stress runs.

``gfjit`` alone (or ``gfjit repl``) starts the REPL; its options, as SBCL's: ``--load FILE`` and
``--eval FORMS`` (repeatable, done in order before the REPL starts), ``--quiet`` (no banner) and
``--non-interactive`` (no debugger: an unhandled error is reported and the status is 1; then exit
instead of reading standard input, as ``sbcl --non-interactive`` does). Exit statuses: see
:mod:`lisp.toplevel`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# `gfjit stress` belongs to the stress package, which sits above lisp/ in the layering:
# it is found by name at run time so that lisp/ never imports it.
_STRESS_CLI = "stress.cli"


class _VersionAction(argparse.Action):
    """``--version``: the version lives in jit/, imported only when asked (start-up time)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from jit import __version__

        sys.stdout.write(f"gfjit {__version__}\n")
        parser.exit()


class _ActionInOrder(argparse.Action):
    """``--load FILE`` / ``--eval FORMS``: kept in the order given, with their kind."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, value: object,
                 option: str | None = None) -> None:
        actions = list(getattr(namespace, "actions", None) or [])
        actions.append((self.dest, value))
        namespace.actions = actions


def _repl_options(parser: argparse.ArgumentParser, default: object) -> None:
    # The options go on the main parser and on `repl`; a subparser's defaults would overwrite what
    # the main parser read, so there they are SUPPRESS.
    parser.add_argument("--load", action=_ActionInOrder, metavar="FILE", default=default,
                        help="load a Lisp file before the REPL starts (repeatable, in order with --eval)")
    parser.add_argument("--eval", action=_ActionInOrder, metavar="FORMS", default=default,
                        help="evaluate Lisp forms before the REPL starts")
    parser.add_argument("--quiet", action="store_true", default=default, help="print no banner")
    parser.add_argument("--non-interactive", action="store_true", default=default,
                        help="no debugger (an unhandled error is reported, exit status 1); exit after "
                             "--load and --eval instead of starting the REPL")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gfjit",
        description="A Common-Lisp-style language on CPython with JIT-compiled generic-function dispatch. "
                    "Without a COMMAND, the REPL.",
        epilog="Exit status: 0; 1 after an unhandled error (run, eval, --non-interactive, a pipe); "
               "130 when Ctrl-C stopped run or eval; N after (exit :code N).",
    )
    parser.add_argument("--version", action=_VersionAction)
    _repl_options(parser, None)
    parser.set_defaults(actions=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _repl_options(sub.add_parser("repl", help="start the interactive Lisp REPL (the default)"), argparse.SUPPRESS)
    run = sub.add_parser("run", help="run a Lisp source file (-: standard input)")
    run.add_argument("--no-read-eval", action="store_true",
                     help="bind *read-eval* to NIL, so #. in the script or in data it reads signals a "
                          "reader-error (for scripts that read untrusted input)")
    run.add_argument("file")
    run.add_argument("args", nargs=argparse.REMAINDER)
    ev = sub.add_parser("eval", help="evaluate Lisp forms and print the last value")
    ev.add_argument("form")
    sub.add_parser("stress", help="concurrency stress runs (see `gfjit stress --help`)", add_help=False)
    swank = sub.add_parser("swank", help="serve Emacs (SLIME's M-x slime-connect) on the swank protocol")
    swank.add_argument("--port", type=int, default=4005, help="the port to listen on (0: any free one; default 4005)")
    swank.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on (default 127.0.0.1; another needs ~/.slime-secret)")
    kernel = sub.add_parser("kernel", help="the Jupyter kernel (needs gfjit[jupyter])")
    kernel_actions = kernel.add_subparsers(dest="kernel_action", metavar="ACTION", required=True)
    install = kernel_actions.add_parser("install", help="install the kernelspec (then: a gfjit kernel in Jupyter)")
    install.add_argument("--user", action="store_true", help="for this user only (else for this Python or system)")
    install.add_argument("--prefix", help="under this prefix (e.g. a virtual environment's sys.prefix)")
    serve = kernel_actions.add_parser("run", help="run the kernel (Jupyter does, as the kernelspec says)")
    serve.add_argument("-f", dest="connection_file", required=True, help="the connection file Jupyter wrote")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gfjit` console command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "stress":
        return importlib.import_module(_STRESS_CLI).main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    repl_options = (args.actions, args.quiet, args.non_interactive)
    if args.command not in (None, "repl") and any(repl_options):
        parser.error("--load, --eval, --quiet and --non-interactive are options of the REPL")
    from lisp import toplevel

    if args.command in (None, "repl"):
        return toplevel.repl(args.actions or (), quiet=bool(args.quiet), non_interactive=bool(args.non_interactive))
    if args.command == "run":
        return toplevel.run_file(args.file, args.args, read_eval=not args.no_read_eval)
    if args.command == "swank":
        from lisp.swank.command import run

        return run(args.host, args.port)
    if args.command == "kernel":
        from lisp.kernel.command import run as run_kernel

        return run_kernel(args.kernel_action, user=getattr(args, "user", False), prefix=getattr(args, "prefix", None),
                          connection_file=getattr(args, "connection_file", None))
    return toplevel.eval_and_print(args.form)


if __name__ == "__main__":
    sys.exit(main())
