"""``step``: evaluate a form stopping at each call of a Lisp function, as SBCL's stepper does.

At each stop the call is shown with its arguments and where it is, and a command is read
(:func:`lisp.library.terminal.read_line`)::

    step 1] (FIB 3)  at <repl>:1:1
    step> s

``s`` (or Enter) steps into the call: the next stop is the next call, wherever it is; ``n`` steps
over it: the next stop is the next call that is not inside this one; ``o`` steps out: the next
stop is after the function the call is in returns; ``c`` continues without stopping; ``a``
aborts the evaluation (the innermost ABORT restart). A call that was stopped at prints its values
when it returns (``=> 2``).

Calls of compiled Lisp code and of Lisp functions written in Python stop; the host code inside the
latter does not (a Lisp function it calls back, as ``mapcar`` does, does). The stepper is
Python's trace function of the thread (``sys.settrace``) while the form runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from lisp.compiler.macros import macro
from lisp.library.environment import thunk_call
from lisp.library.terminal import read_line
from lisp.runtime.data import SYSTEM, cl_symbol
from lisp.runtime.frames import frame_arguments, function_name, is_lisp_frame
from lisp.runtime.namespace import builtin, symbol_value
from lisp.runtime.signals import abort
from lisp.runtime.streams import output_stream
from lisp.runtime.values import clear, restore, take
from lisp.syntax.printer import prin1_to_string

_TRACE_OUTPUT = cl_symbol("*TRACE-OUTPUT*")
_HELP = ("Commands: s (or Enter) step into the call, n step over it, o step out of the function, "
         "c continue without stopping, a abort, ? this help.")


class _Stepper:
    """The trace function of one ``step``: counts depth, stops, reads the next command."""

    def __init__(self) -> None:
        self.depth = 0  # calls under the stepped form
        self.stop_below: int | None = None  # stop at a call at most this deep (None: any)
        self.stops = 0
        self.watched: dict[int, int] = {}  # id of a frame stopped at -> its stop number

    def trace(self, frame: FrameType, event: str, _arg: Any) -> Callable[..., Any] | None:
        if event != "call":
            return None
        self.depth += 1
        frame.f_trace_lines = False  # only 'return' is wanted from this frame
        name = function_name(frame)
        # (depth 0 is the thunk of the stepped form itself)
        if name is not None and self.depth > 0 and (self.stop_below is None or self.depth <= self.stop_below):
            self._stop(frame, name)
        return self.local

    def local(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        if event == "return":
            self.depth -= 1
            number = self.watched.pop(id(frame), None)
            if number is not None:
                self._write(f"step {number} => {prin1_to_string(arg)}")
        return self.local

    def _stop(self, frame: FrameType, name: str) -> None:
        self.stops += 1
        self.watched[id(frame)] = self.stops
        args = " ".join(prin1_to_string(a) for a in frame_arguments(frame))
        where = f"  at {frame.f_code.co_filename}:{frame.f_lineno}" if is_lisp_frame(frame) else ""
        self._write(f"step {self.stops}] ({name}{' ' + args if args else ''}){where}")
        while True:
            command = read_line("step> ").strip().lower()
            if command in ("", "s"):
                self.stop_below = None
            elif command == "n":
                self.stop_below = self.depth
            elif command == "o":
                self.stop_below = self.depth - 1
            elif command == "c":
                self.stop_below = -1
            elif command == "a":
                sys.settrace(None)
                abort()
            else:
                self._write(_HELP)
                continue
            return

    @staticmethod
    def _write(text: str) -> None:
        out = output_stream(symbol_value(_TRACE_OUTPUT))
        out.fresh_line()
        out.write_string(text + "\n")
        out.finish_output()


@builtin("%STEP", SYSTEM)
def step_thunk(thunk: Callable[[], Any]) -> Any:
    """``step``: call ``thunk`` with the stepper on; its values."""
    stepper = _Stepper()
    saved = sys.gettrace()
    stepper.depth = -1  # the thunk's own call is not a step
    sys.settrace(stepper.trace)
    try:
        clear()
        found = take(thunk())
    finally:
        sys.settrace(saved)
    return restore(found)


@macro("STEP")
def step(form: Any, _env: Any) -> Any:
    return thunk_call(form, "%STEP")
