"""How the runtime layer reaches code of the layers above it: hooks that those layers register.

The runtime sits below the reader, the printer and the compiler (see ``lisp/__init__.py``), yet a
condition's report prints its datum, a report function writes to a string stream, ``#.`` evaluates
a form and calling a symbol calls its global function. Those needs are named here, once; the module
that provides each registers it when it is imported (:func:`register`), so no module imports one
above it. Calling a hook before its provider is imported raises :class:`HookNotRegistered`, naming
the hook and its provider: a bug in the boot order, never a user error.

Hooks (name: what it does; the module that registers it):

- ``global_function(symbol)``: the global function of ``symbol``, or UNDEFINED-FUNCTION
  (:mod:`lisp.runtime.namespace`).
- ``string_output_stream()``: a new Lisp string output stream (:mod:`lisp.runtime.streams`).
- ``prin1_to_string(obj)``: ``obj`` as ``prin1`` prints it (:mod:`lisp.syntax.printer`).
- ``printed_repr(obj)``: Python's ``repr`` of Lisp data, its ``prin1`` text on one line, circular
  structure labelled (:mod:`lisp.syntax.printer`; called through :func:`lisp_repr`).
- ``format_to_string(control, args)``: ``(apply #'format nil control args)``, ``args`` a Python
  list (:mod:`lisp.syntax.format`).
- ``evaluate(form)``: evaluate one form, as ``eval`` does (:mod:`lisp.compiler.toplevel`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PROVIDERS = {
    "global_function": "lisp.runtime.namespace",
    "string_output_stream": "lisp.runtime.streams",
    "prin1_to_string": "lisp.syntax.printer",
    "printed_repr": "lisp.syntax.printer",
    "format_to_string": "lisp.syntax.format",
    "evaluate": "lisp.compiler.toplevel",
}


class HookNotRegistered(RuntimeError):
    """A hook was called before the module that provides it was imported."""


def _unregistered(name: str) -> Callable[..., Any]:
    def missing(*_args: Any) -> Any:
        raise HookNotRegistered(f"lisp.runtime.hooks.{name} is called before {_PROVIDERS[name]} "
                                f"registered it: import the Lisp through lisp.evaluator")

    return missing


global_function: Callable[[Any], Callable[..., Any]] = _unregistered("global_function")
string_output_stream: Callable[[], Any] = _unregistered("string_output_stream")
prin1_to_string: Callable[[Any], str] = _unregistered("prin1_to_string")
printed_repr: Callable[[Any], str] = _unregistered("printed_repr")
format_to_string: Callable[[Any, list[Any]], str] = _unregistered("format_to_string")
evaluate: Callable[[Any], Any] = _unregistered("evaluate")


def lisp_repr(obj: Any, fallback: Callable[[], str]) -> str:
    """``repr`` of Lisp data: its printed form (the ``printed_repr`` hook), or ``fallback()`` where
    the printer is not loaded yet or fails (a ``print-object`` method in error, nesting deeper than
    the stack): ``repr`` must not raise, debuggers and tracebacks call it."""
    try:
        return printed_repr(obj)
    except Exception:  # noqa: BLE001 - any failure of the printer: the plain representation
        return fallback()


def register(name: str, function: Callable[..., Any]) -> None:
    """Make ``function`` the hook ``name`` (one of the names above)."""
    if name not in _PROVIDERS:
        raise ValueError(f"no runtime hook is named {name!r}; hooks: {', '.join(_PROVIDERS)}")
    globals()[name] = function
