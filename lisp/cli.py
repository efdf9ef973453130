"""The `gfjit` command: the Lisp REPL, running files and forms, and stress runs."""

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gfjit",
        description="A Common-Lisp-style language on CPython with JIT-compiled generic-function dispatch.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("repl", help="start the interactive Lisp REPL")
    run = sub.add_parser("run", help="run a Lisp source file")
    run.add_argument("file")
    run.add_argument("args", nargs=argparse.REMAINDER)
    ev = sub.add_parser("eval", help="evaluate Lisp forms and print the last value")
    ev.add_argument("form")
    sub.add_parser("stress", help="concurrency stress runs (see `gfjit stress --help`)", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gfjit` console command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "stress":
        return importlib.import_module(_STRESS_CLI).main(argv[1:])
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    from lisp import toplevel

    if args.command == "repl":
        return toplevel.repl()
    if args.command == "run":
        return toplevel.run_file(args.file, args.args)
    return toplevel.eval_and_print(args.form)


if __name__ == "__main__":
    sys.exit(main())
