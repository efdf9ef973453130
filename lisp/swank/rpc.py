"""The functions Emacs calls (``(:emacs-rex (swank:autodoc ...) ...)``), by their swank names.

Each is a Python function registered with :func:`rpc` under its swank names; its first parameter
is the :class:`Request` (which thread, which buffer package), the others are the call's arguments
as the wire reads them, keyword arguments (``:print-right-margin 80``) as Python keyword-only
parameters (``print_right_margin``). It returns wire data (:mod:`lisp.swank.wire`).

A function marked ``user_code`` runs what the person wrote (an evaluation, a restart, a load): an
unhandled error in it enters the debugger. Any other function is the editor's own (completion,
documentation): an error in it only answers ``:abort``, as an unknown function does.

Arguments are evaluated as swank evaluates them: a quoted form is its datum, a keyword, string,
number, ``nil`` or ``t`` is itself, and a list headed by a known function is a call of it.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lisp.runtime.data import Package
from lisp.swank.wire import QUOTE, WireSymbol

if TYPE_CHECKING:
    from lisp.runtime.condition_classes import Condition


class RpcError(Exception):
    """A call Emacs made that cannot be made (unknown function, wrong arguments)."""


@dataclass
class Request:
    """One ``:emacs-rex``: the thread that serves it, its id, the package of the buffer it came
    from (``*package*`` while it runs)."""

    #: The :class:`lisp.swank.agent.Agent` (thread) serving it. (Not imported: that module is
    #: built on this one.)
    agent: Any
    id: int
    package: Package
    #: The condition the debugger was first entered for during the request (its ``:abort`` names it).
    condition: Condition | None = None


@dataclass(frozen=True)
class Rpc:
    function: Callable[..., Any]
    user_code: bool
    positional: int  # how many positional parameters after the request
    required: int
    keywords: dict[str, str] = field(default_factory=dict)  # ":print-right-margin" -> "print_right_margin"
    any_keywords: bool = False  # the function takes **keywords it ignores


RPCS: dict[str, Rpc] = {}


def rpc(*names: str, user_code: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register a function under its swank names (``"swank:autodoc"``)."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        parameters = list(inspect.signature(function).parameters.values())[1:]
        positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        rest = any(p.kind is p.VAR_POSITIONAL for p in parameters)
        entry = Rpc(function, user_code, sys.maxsize if rest else len(positional),
                    sum(1 for p in positional if p.default is p.empty),
                    {":" + p.name.replace("_", "-"): p.name for p in parameters if p.kind is p.KEYWORD_ONLY},
                    any(p.kind is p.VAR_KEYWORD for p in parameters))
        for name in names:
            RPCS[normalized(name)] = entry
        return function

    return register


def normalized(name: str) -> str:
    """A swank function name as looked up: lower case, ``pkg::name`` as ``pkg:name``."""
    return name.lower().replace("::", ":")


def find_rpc(form: Any) -> tuple[Rpc, list[Any]]:
    """The function a form calls and its unevaluated arguments; RpcError if it calls none."""
    if not isinstance(form, list) or not form or not isinstance(form[0], WireSymbol):
        raise RpcError(f"not a call of a swank function: {form!r}")
    entry = RPCS.get(normalized(form[0].name))
    if entry is None:
        raise RpcError(f"the function {form[0].name.upper()} is undefined")
    return entry, form[1:]


def call(request: Request, entry: Rpc, arguments: list[Any]) -> Any:
    """Call ``entry`` with ``arguments`` (evaluated here) for ``request``."""
    values = [evaluate(request, argument) for argument in arguments]
    positional, keywords = _split(entry, values)
    return entry.function(request, *positional, **keywords)


def evaluate(request: Request, argument: Any) -> Any:
    """The value of one argument form (see the module docstring)."""
    if isinstance(argument, list) and argument:
        if argument[0] == QUOTE and len(argument) == 2:
            return argument[1]
        entry, arguments = find_rpc(argument)
        return call(request, entry, arguments)
    if isinstance(argument, WireSymbol) and not argument.is_keyword:
        raise RpcError(f"cannot evaluate the variable {argument.name.upper()} in a call from Emacs")
    return argument


def _split(entry: Rpc, values: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    """Positional arguments, then trailing ``:key value`` pairs for the keyword parameters."""
    for start in range(min(entry.required, len(values)), len(values) + 1):
        tail = values[start:]
        if len(tail) % 2 == 0 and all(_is_keyword_of(entry, key) for key in tail[::2]):
            if start > entry.positional:
                break
            known = {entry.keywords[k.name.lower()]: v for k, v in zip(tail[::2], tail[1::2])
                     if k.name.lower() in entry.keywords}
            return values[:start], known
    raise RpcError(f"wrong arguments for {entry.function.__name__}: {values!r}")


def _is_keyword_of(entry: Rpc, key: Any) -> bool:
    return isinstance(key, WireSymbol) and key.is_keyword and (key.name.lower() in entry.keywords or entry.any_keywords)
