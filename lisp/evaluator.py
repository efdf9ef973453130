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
from pathlib import Path
from typing import Any, Callable

import lisp.library
from lisp import namespace, printer, reader
from lisp.compiler import eval_form, eval_values
from lisp.conditions import as_condition
from lisp.data import Symbol, T, cl_symbol

LOAD_PATHNAME = cl_symbol("*LOAD-PATHNAME*")
LOAD_TRUENAME = cl_symbol("*LOAD-TRUENAME*")
MAIN_THREAD_RECURSION_LIMIT = 10_000
THREAD_STACK_SIZE = 256 * 1024 * 1024

__all__ = ["eval_string", "eval_values", "function", "load", "prin1_to_string", "read_from_string"]


def eval_string(text: str, *, file: str = "<string>") -> Any:
    """Evaluate every form of ``text`` in order; the primary value of the last (NIL if none).

    Every error arrives as a Lisp condition (a Python exception raised by the host, such as a
    wrong argument count, is translated), with the traceback of where it happened.
    """
    result = None
    lisp_reader = reader.Reader(text, file)
    try:
        while (form := lisp_reader.read()) is not reader.EOF:
            result = eval_form(form)
    except Exception as exc:
        condition = as_condition(exc)
        if condition is exc:
            raise
        raise condition.with_traceback(exc.__traceback__) from exc
    return result


def load(path: str | Path) -> Any:
    """Evaluate the forms of the Lisp file ``path``, reading each after the previous one ran
    (so a form may use a package or read macro defined before it); returns T.

    As CL ``load`` does, it binds ``*package*`` to its current value (an ``in-package`` in the file
    lasts until the end of the file) and ``*load-pathname*``/``*load-truename*`` to the file's
    name and absolute name (strings: there are no pathname objects).
    """
    file = str(path)
    text = Path(path).read_text(encoding="utf-8")
    if text.startswith("#!"):  # a script's interpreter line, skipped as SBCL's load does
        newline = text.find("\n")
        text = "" if newline < 0 else text[newline:]  # the newline stays: line numbers hold
    saved = namespace.bind_specials([(reader.PACKAGE_VAR, namespace.symbol_value(reader.PACKAGE_VAR)),
                                     (LOAD_PATHNAME, file), (LOAD_TRUENAME, str(Path(path).resolve()))])
    try:
        eval_string(text, file=file)
    finally:
        namespace.unbind_specials(saved)
    return T


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
    for variable in (LOAD_PATHNAME, LOAD_TRUENAME):
        namespace.proclaim_special(variable)
        namespace.set_symbol_value(variable, None)
    for module in pkgutil.iter_modules(lisp.library.__path__):
        importlib.import_module(f"lisp.library.{module.name}")
    if sys.getrecursionlimit() < MAIN_THREAD_RECURSION_LIMIT:
        sys.setrecursionlimit(MAIN_THREAD_RECURSION_LIMIT)
    if threading.stack_size() < THREAD_STACK_SIZE:
        threading.stack_size(THREAD_STACK_SIZE)
    from lisp import clos

    clos.install()


_boot()
