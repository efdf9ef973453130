"""The Python API of the Lisp, and its start-up. Importing this module boots the whole Lisp.

- :func:`eval_string` ``(text)``: evaluate every form of ``text``; the value of the last.
- :func:`load` ``(path)``: evaluate every form of a Lisp file, with positions from that file.
- :func:`function` ``(name)``: the global Lisp function ``name`` (a string read as a symbol, or a
  Symbol), callable from Python with Python arguments.
- :func:`read_from_string`, :func:`prin1_to_string`: the reader and the printer.
- :func:`eval_values` ``(form)``: all values of one already-read form, as a tuple (the REPL's call).

Start-up raises the recursion limit to :data:`MAIN_THREAD_RECURSION_LIMIT`, which the main
thread's default 8 MiB C stack survives even when every level of a recursion passes through a C
call (``funcall``, ``mapcar``), and makes threads started later get :data:`THREAD_STACK_SIZE`
bytes of stack. Deeper recursion ends in Python's RecursionError, which the condition layer turns
into a Lisp condition.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import threading
from typing import Any, Callable

import lisp.library
from lisp import clos
from lisp.compiler import eval_values
from lisp.compiler.loading import eval_string, load
from lisp.runtime import namespace
from lisp.runtime.data import Symbol
from lisp.syntax import printer, reader

MAIN_THREAD_RECURSION_LIMIT = 10_000
THREAD_STACK_SIZE = 256 * 1024 * 1024

__all__ = ["eval_string", "eval_values", "function", "load", "prin1_to_string", "read_from_string"]


def function(name: str | Symbol) -> Callable[..., Any]:
    """The global function named ``name`` (``"fib"`` reads as the symbol FIB of the current package)."""
    sym = read_from_string(name) if isinstance(name, str) else name
    if not isinstance(sym, Symbol):
        raise TypeError(f"{name!r} does not name a function: it reads as {prin1_to_string(sym)}")
    return namespace.get_function(sym)


def read_from_string(text: str) -> Any:
    """The first form of ``text``."""
    return reader.read_from_string(text)


def prin1_to_string(obj: Any) -> str:
    """How ``prin1`` prints ``obj`` (readably where it can)."""
    return printer.prin1_to_string(obj)


def _boot() -> None:
    for module in pkgutil.iter_modules(lisp.library.__path__):
        importlib.import_module(f"lisp.library.{module.name}")
    if sys.getrecursionlimit() < MAIN_THREAD_RECURSION_LIMIT:
        sys.setrecursionlimit(MAIN_THREAD_RECURSION_LIMIT)
    if threading.stack_size() < THREAD_STACK_SIZE:
        threading.stack_size(THREAD_STACK_SIZE)
    clos.install()


_boot()
