"""The frames of a stopped computation as a Lisp programmer reads them.

Compiled Lisp code runs with :data:`lisp.runtime.namespace.GLOBALS` as its globals and its code
objects carry the Lisp file as ``co_filename`` and Lisp lines and columns as positions (see
:mod:`lisp.compiler`). So the Lisp frames of a stack are exactly the frames whose globals are
GLOBALS, and their positions are Lisp source positions. Among the frames of code written in Python,
those of a Lisp function (``/``, ``mapcar`` written in Python) are shown as calls of it; the
machinery of the toplevel and of signalling is hidden; other host frames are shown compactly, as
one line for each run of them between two calls.

A stopped computation's frames are those of an exception's traceback that are no longer on the
stack (the error unwound to a handler construct or the toplevel before the debugger saw it), then
the live frames from where the debugger was entered outwards (:func:`stack_frames`). Only the
frames shown are decoded: a stack overflow leaves a hundred thousand of them.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from types import CodeType, FrameType, TracebackType

import lisp.compiler.toplevel
import lisp.repl
import lisp.runtime.signals
from lisp.runtime.data import SYSTEM
from lisp.runtime.frames import (
    TOPLEVEL_FUNCTION,
    builtin_name,
    frame_arguments,
    function_name,
    is_lisp_frame,
)
from lisp.syntax.messages import show

#: How many frames a short backtrace shows (the innermost ones, where the error is).
SHORT = 12

# The machinery between the toplevel and the user's code, never shown: the REPL, the compiler's
# top-level evaluation, signalling (the debugger is entered from inside ERROR), and the standard
# library's context managers and threads; also the GFJIT-SYSTEM functions that macros expand into.
_HIDDEN_FILES = (os.path.dirname(lisp.repl.__file__) + os.sep, lisp.compiler.toplevel.__file__,
                 lisp.runtime.signals.__file__, os.path.dirname(lisp.compiler.toplevel.__file__) + os.sep + "loading.py",
                 contextlib.__file__, threading.__file__)

@dataclass(frozen=True)
class Frame:
    """One frame: a call of a Lisp function (``kind`` "lisp"), of a Lisp function written in
    Python ("builtin"), or of other host code ("host"), and where in it the computation stands."""

    python: FrameType
    kind: str
    lasti: int  # the byte offset of the instruction the frame stands at

    @property
    def code(self) -> CodeType:
        return self.python.f_code

    @cached_property
    def function(self) -> str:
        """The function as Lisp names it: ``FIB``, ``(H :IN G)``, ``(top-level form)``, ``/``;
        a host frame's Python name."""
        return function_name(self.python) or self.code.co_name

    @property
    def is_toplevel_form(self) -> bool:
        return self.kind == "lisp" and self.code.co_name == TOPLEVEL_FUNCTION

    def call_text(self) -> str:
        """The call as Lisp prints it: ``(FIB 3)``; a top-level form is ``(top-level form)``."""
        if self.is_toplevel_form or self.kind == "host":
            return self.function
        try:
            printed = [show(arg) for arg in frame_arguments(self.python)]
        except Exception:  # noqa: BLE001 - a print-object that fails must not hide the frame
            printed = ["#<unprintable>"]
        return "(" + " ".join([self.function, *printed]) + ")"

    @cached_property
    def position(self) -> tuple[str, int, int | None]:
        """File, line and column (Lisp's, 1-based; None if unknown) where the frame stands."""
        code = self.code
        for line, _end_line, column, _end_column in islice(code.co_positions(), self.lasti // 2, None):
            if line is None:
                break
            return code.co_filename, line, (None if column is None or self.kind != "lisp" else column + 1)
        return code.co_filename, self.python.f_lineno, None

    def where(self) -> str:
        file, line, column = self.position
        if self.kind != "lisp":
            file = _short_host_path(file)
        return f"{file}:{line}" + ("" if column is None else f":{column}")

    def __str__(self) -> str:
        if self.kind == "lisp":
            return f"{self.call_text()} at {self.where()}"
        return f"{self.call_text()} [{self.where()}]"


def _short_host_path(path: str) -> str:
    root = os.path.dirname(os.path.dirname(lisp.repl.__file__))
    return os.path.relpath(path, os.path.dirname(root)) if path.startswith(root) else os.path.basename(path)


def _kind(frame: FrameType) -> str | None:
    """"lisp", "builtin", "host", or None for a hidden frame."""
    if is_lisp_frame(frame):
        return "lisp"
    code = frame.f_code
    if code.co_filename.startswith(_HIDDEN_FILES):
        return None
    name = builtin_name(code)
    if name is None:
        return "host"
    # The functions that macros expand into (sys::%restart-case) are the macros' machinery.
    return None if name.package is SYSTEM and name.name.startswith("%") else "builtin"


def stack_frames(traceback: TracebackType | None, start: FrameType | None) -> Iterator[Frame]:
    """The frames of a stopped computation, innermost first, hidden ones left out: those of
    ``traceback`` that are no longer on the stack, then ``start`` and the frames outside it."""
    live: list[FrameType] = []
    frame = start
    while frame is not None:
        live.append(frame)
        frame = frame.f_back
    on_stack = {id(f) for f in live}
    dead: list[tuple[FrameType, int]] = []
    while traceback is not None:
        if id(traceback.tb_frame) not in on_stack:
            dead.append((traceback.tb_frame, traceback.tb_lasti))
        traceback = traceback.tb_next
    for python, lasti in [*reversed(dead), *((f, f.f_lasti) for f in live)]:
        kind = _kind(python)
        if kind is not None:
            yield Frame(python, kind, lasti)


def numbered(frames: Iterable[Frame]) -> Iterator[tuple[int, Frame, list[Frame]]]:
    """``(number, frame, host frames just inside it)`` for each call (Lisp or builtin) frame;
    host frames outside the outermost call are dropped."""
    hosts: list[Frame] = []
    number = 0
    for frame in frames:
        if frame.kind == "host":
            hosts.append(frame)
            continue
        yield number, frame, hosts
        hosts = []
        number += 1


_HOST_SHOWN = 3  # host frames named in a run of them; the rest are counted


def _host_line(hosts: list[Frame]) -> str:
    named = ", ".join(f"{h.function} {h.where()}" for h in hosts[:_HOST_SHOWN])
    more = f", and {len(hosts) - _HOST_SHOWN} more" if len(hosts) > _HOST_SHOWN else ""
    return f"     [host: {named}{more}]"


def format_backtrace(frames: Iterable[Frame], limit: int | None = SHORT, start: int = 0) -> list[str]:
    """Lines for the call frames numbered ``start`` to ``start + limit`` (0 is innermost), each
    run of host frames inside a call as one unnumbered line, a run of calls of one function from
    one place (a recursion) as one line numbered ``first-last``, and how many more there are."""
    lines: list[str] = []
    run: list[tuple[int, Frame]] = []  # calls of the same function from the same place
    shown = 0
    more = 0

    def flush() -> None:
        if run:
            first, frame = run[0]
            label = str(first) if len(run) == 1 else f"{first}-{run[-1][0]}"
            text = str(frame) if len(run) == 1 else f"({frame.function} ...) at {frame.where()}"
            lines.append(f"  {label}: {text}")
            run.clear()

    for number, frame, hosts in numbered(frames):
        if number < start:
            continue
        if limit is not None and shown >= limit:
            more += 1
            continue
        shown += 1
        if hosts:
            flush()
            lines.append(_host_line(hosts))
        if run and (run[-1][1].code, run[-1][1].where()) != (frame.code, frame.where()):
            flush()
        run.append((number, frame))
    flush()
    if more:
        lines.append(f"  ... {more} more")
    return lines

