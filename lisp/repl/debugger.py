"""The debugger's machinery, apart from any front end: a computation stopped on a condition, its
frames, their local variables, evaluation in a frame, their source, and the restarts.

It is the small interface that the terminal debugger (:mod:`lisp.repl.debug_level`) uses and that
an editor server will use: it follows SLIME's swank backend (``compute-backtrace``,
``frame-locals``, ``eval-in-frame``, ``frame-source-location``, ``compute-restarts`` with
``invoke-nth-restart``). A :class:`Stop` is made where the debugger is entered, in the thread and
inside the frames of the computation it stopped, so that restarts can be invoked and the dynamic
environment (special bindings, handlers) is the one of the signal.

Frames are numbered from 0, the innermost call (see :mod:`lisp.repl.backtrace`: Lisp functions,
Lisp functions written in Python; other host frames are not numbered). A Lisp frame's local
variables are its Python locals under their Lisp names: compiled code names a lexical variable after
its symbol (``X``, or ``X.3`` for a second ``X`` in one unit, the innermost binding being the one
made last); the compiler's own temporaries start with ``%`` and are left out. Evaluation in a
frame binds the symbols of the form that name the frame's variables (or local functions) to
their values, in the dynamic environment where the debugger was entered; assigning such a
variable changes the binding made for the evaluation, not the frame's variable.
"""

from __future__ import annotations

import linecache
from collections.abc import Iterator
from types import FrameType, TracebackType
from typing import Any

from lisp.compiler import eval_values
from lisp.repl.backtrace import Frame, numbered, stack_frames
from lisp.runtime.condition_classes import Condition
from lisp.runtime.data import NIL, Cons, Symbol, cl_symbol, make_list
from lisp.runtime.frames import lisp_name
from lisp.runtime.namespace import is_constant, is_special
from lisp.runtime.signals import (
    Restart,
    compute_restarts_list,
    invoke_restart_interactively,
)
from lisp.runtime.values import clear, take

_QUOTE, _LET, _FLET, _APPLY = (cl_symbol(n) for n in ("QUOTE", "LET", "FLET", "APPLY"))
_REST, _ARGS = cl_symbol("&REST"), Symbol("ARGS")
_NEEDS_VALUE = {cl_symbol("USE-VALUE"), cl_symbol("STORE-VALUE")}


class Stop:
    """A computation stopped on ``condition``: the restarts active there, and its frames.

    ``traceback`` holds the frames an error unwound before the debugger saw it (None if it was
    entered where the error was signalled); ``frame`` is the innermost live frame to show.
    """

    def __init__(self, condition: Condition, traceback: TracebackType | None, frame: FrameType | None) -> None:
        self.condition = condition
        #: The restarts active where the computation stopped, innermost first.
        self.restarts: list[Restart] = compute_restarts_list(condition)
        self._traceback = traceback
        self._start = frame
        self._calls: list[Frame] = []
        self._more: Iterator[tuple[int, Frame, list[Frame]]] | None = numbered(stack_frames(traceback, frame))

    def frames(self) -> Iterator[Frame]:
        """Every frame shown, innermost first, host frames included (for a backtrace's text)."""
        return stack_frames(self._traceback, self._start)

    def frame(self, number: int) -> Frame | None:
        """Call frame ``number`` (0 is the innermost), or None if there are not that many."""
        while number >= len(self._calls) and self._more is not None:
            found = next(self._more, None)
            if found is None:
                self._more = None
            else:
                self._calls.append(found[1])
        return self._calls[number] if 0 <= number < len(self._calls) else None

    def innermost_lisp_frame(self) -> int:
        """The number of the innermost frame of compiled Lisp code (0 if there is none)."""
        number = 0
        while (frame := self.frame(number)) is not None:
            if frame.kind == "lisp":
                return number
            number += 1
        return 0

    # -- frames ---------------------------------------------------------------------------------

    def frame_locals(self, number: int) -> list[tuple[str, Any]]:
        """The variables of frame ``number`` (name, value), in the order the frame made them."""
        frame = self._require(number)
        found = frame.python.f_locals
        if frame.kind != "lisp":
            return [(name, value) for name, value in found.items() if not name.startswith("__")]
        innermost: dict[str, tuple[str, Any]] = {}
        for python_name, value in found.items():
            if not python_name.startswith("%"):
                innermost[lisp_name(python_name)] = (python_name, value)  # later bindings win
        return [(name, value) for name, (_python_name, value) in innermost.items()]

    def eval_in_frame(self, form: Any, number: int) -> tuple[Any, ...]:
        """All values of ``form`` evaluated with the variables of frame ``number`` (see the module
        docstring)."""
        known = dict(self.frame_locals(number))
        variables, functions = [], []
        for sym, in_call in _symbols_of(form):
            value = known.get(sym.name, _MISSING)
            if value is _MISSING or sym.is_keyword or is_constant(sym) or is_special(sym):
                continue
            if in_call and callable(value):
                functions.append(make_list([sym, make_list([_REST, _ARGS]),
                                            make_list([_APPLY, make_list([_QUOTE, value]), _ARGS])]))
            else:
                variables.append(make_list([sym, make_list([_QUOTE, value])]))
        if functions:
            form = make_list([_FLET, make_list(functions), form])
        if variables:
            form = make_list([_LET, make_list(variables), form])
        return eval_values(form)

    def source_location(self, number: int) -> tuple[str, int, int | None]:
        """File, line and column where frame ``number`` stands."""
        return self._require(number).position

    def source_text(self, number: int, context: int = 2) -> str:
        """The lines around where frame ``number`` stands, numbered, the column marked; empty if
        the source cannot be had."""
        file, line, column = self.source_location(number)
        lines = [(n, linecache.getline(file, n).rstrip("\n")) for n in range(max(1, line - context), line + context + 1)]
        lines = [(n, text) for n, text in lines if text or n <= line]
        if not any(text for _n, text in lines):
            return ""
        width = len(str(lines[-1][0]))
        out = []
        for n, text in lines:
            out.append(f"{n:>{width}} | {text}")
            if n == line and column is not None:
                out.append(f"{'':>{width}} | {' ' * (column - 1)}^")
        return "\n".join(out) + "\n"

    def _require(self, number: int) -> Frame:
        frame = self.frame(number)
        if frame is None:
            raise IndexError(f"there is no frame {number}")
        return frame

    # -- restarts -------------------------------------------------------------------------------

    @staticmethod
    def needs_value(restart: Restart) -> bool:
        """Whether invoking ``restart`` needs a value from the person (USE-VALUE, STORE-VALUE with
        no interactive function of their own)."""
        return restart.interactive_function is None and restart.name in _NEEDS_VALUE

    def invoke_restart(self, number: int, *args: Any) -> tuple[Any, ...]:
        """Invoke restart ``number`` of :attr:`restarts`, with ``args`` or interactively. Most
        restarts transfer control; one that returns (``restart-bind``'s) gives its values."""
        restart = self.restarts[number]
        clear()
        if args or self.needs_value(restart):
            return take(restart.function(*args))
        return take(invoke_restart_interactively(restart))


_MISSING = object()


def _symbols_of(form: Any) -> Iterator[tuple[Symbol, bool]]:
    """The symbols in ``form`` (a tree of conses), each with whether it is in a call's operator
    position."""
    stack = [(form, False)]
    seen: set[int] = set()
    while stack:
        item, in_call = stack.pop()
        if isinstance(item, Symbol):
            yield item, in_call
        elif isinstance(item, Cons) and id(item) not in seen:
            seen.add(id(item))
            stack.append((item.car, True))
            rest = item.cdr
            while isinstance(rest, Cons) and id(rest) not in seen:
                seen.add(id(rest))
                stack.append((rest.car, False))
                rest = rest.cdr
            if rest is not NIL:
                stack.append((rest, False))
