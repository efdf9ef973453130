"""The `gfjit` command: the Lisp REPL, running files and forms, and stress runs."""

from __future__ import annotations

import argparse
import importlib
import os
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


def _default_object_cache() -> None:
    """Keep the JIT's object code in ``$XDG_CACHE_HOME/gfjit`` (``~/.cache/gfjit``), unless
    GFJIT_CACHE_DIR says otherwise (empty: no cache).

    The Lisp compiles the same native code at every start (its list primitives, its generic
    functions' dispatchers); from the cache that costs a file read instead of an LLVM compile.
    """
    if "GFJIT_CACHE_DIR" in os.environ:
        return
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    os.environ["GFJIT_CACHE_DIR"] = os.path.join(base, "gfjit")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gfjit` console command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "stress":
        return importlib.import_module(_STRESS_CLI).main(argv[1:])
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    _default_object_cache()
    from lisp import toplevel

    if args.command == "repl":
        return toplevel.repl()
    if args.command == "run":
        return toplevel.run_file(args.file, args.args)
    return toplevel.eval_and_print(args.form)


if __name__ == "__main__":
    sys.exit(main())
