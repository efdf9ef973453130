"""The debugger in Emacs (SLIME's sldb), on the debugger interface of :mod:`lisp.repl.debugger`.

When an error goes unhandled in a request that runs the person's code, the thread that ran it
stops there (a :class:`~lisp.repl.debugger.Stop`) and tells Emacs: ``(:debug THREAD LEVEL
CONDITION RESTARTS FRAMES CONTINUATIONS)``, then ``(:debug-activate THREAD LEVEL nil)``. It then
serves the requests Emacs addresses to that thread (a backtrace, a frame's locals, an evaluation
in a frame, a restart) inside the stopped computation, until a restart takes control out of it;
then ``(:debug-return THREAD LEVEL nil)``. An error in a request made at a level is a deeper
level. Each level has its own ABORT restart, "Return to sldb level N.", which shows the level
again.
"""

from __future__ import annotations

import sys
from types import FrameType, TracebackType
from typing import Any

from lisp.compiler import eval_values
from lisp.repl.debugger import Stop
from lisp.repl.report import text_of
from lisp.runtime.condition_classes import Condition
from lisp.runtime.data import NIL, Symbol, cl_symbol
from lisp.runtime.signals import Restart, toplevel_restart
from lisp.swank.locations import error_location, location
from lisp.swank.rpc import Request, RpcError, rpc
from lisp.swank.values import echo_area_text, one_line, pretty_values, read_form
from lisp.swank.wire import keyword
from lisp.syntax.printer import prin1_to_string

ABORT, CONTINUE = cl_symbol("ABORT"), cl_symbol("CONTINUE")
#: Frames sent with ``:debug``; Emacs asks for more as they are shown.
INITIAL_FRAMES = 20
_DEBUG, _DEBUG_ACTIVATE, _DEBUG_RETURN = keyword("debug"), keyword("debug-activate"), keyword("debug-return")
_NAME, _ID, _VALUE = keyword("name"), keyword("id"), keyword("value")


class EmacsDebugger:
    """The debugger of an agent's requests (a :data:`lisp.runtime.signals.Debugger`)."""

    def __init__(self, agent: Any) -> None:
        """``agent``: the :class:`lisp.swank.agent.Agent` whose requests it debugs (not imported:
        that module is built on this one)."""
        self.agent = agent
        #: The stopped computations, one per level, outermost first.
        self.stops: list[Stop] = []

    def __call__(self, condition: Condition, traceback: TracebackType | None) -> None:
        self.enter(condition, traceback, sys._getframe(1))

    def enter(self, condition: Condition, traceback: TracebackType | None, frame: FrameType | None) -> None:
        """Stop on ``condition``, whose innermost live frame is ``frame``, until a restart
        takes control out (never returns otherwise)."""
        agent = self.agent
        if agent.requests and agent.requests[-1].condition is None:
            agent.requests[-1].condition = condition
        stop = Stop(condition, traceback, frame)
        self.stops.append(stop)
        level = len(self.stops)
        try:
            while True:
                with toplevel_restart(ABORT, f"Return to sldb level {level}."):
                    agent.connection.finish_output()
                    agent.connection.send([_DEBUG, agent.id, level, *self.info(stop, 0, INITIAL_FRAMES)])
                    agent.connection.send([_DEBUG_ACTIVATE, agent.id, level, None])
                    agent.serve_requests()
        finally:
            self.stops.pop()
            agent.connection.send([_DEBUG_RETURN, agent.id, level, None])

    @property
    def stop(self) -> Stop:
        """The computation stopped at the innermost level; RpcError outside the debugger."""
        if not self.stops:
            raise RpcError("the thread is not in the debugger")
        return self.stops[-1]

    def info(self, stop: Stop, start: int, end: int | None) -> list[Any]:
        """``(CONDITION RESTARTS FRAMES CONTINUATIONS)`` as ``debugger-info-for-emacs`` gives it."""
        condition = stop.condition
        kind = prin1_to_string(condition.lisp_name)
        described = [text_of(condition.report).strip() or "(no report)", f"   [Condition of type {kind}]", None]
        restarts = [[self._restart_name(r), text_of(r.report)] for r in stop.restarts]
        continuations = [request.id for request in reversed(self.agent.requests)]
        return [described, restarts, backtrace(stop, start, end), continuations]

    def _restart_name(self, restart: Restart) -> str:
        name = restart.name.name if isinstance(restart.name, Symbol) else "NIL"
        return ("*" if restart is self.agent.quit_restart else "") + name


def backtrace(stop: Stop, start: int, end: int | None) -> list[Any]:
    """``((NUMBER "(CALL ARGS...)") ...)`` for the frames ``start`` to ``end`` (None: all)."""
    frames = []
    number = start
    while end is None or number < end:
        frame = stop.frame(number)
        if frame is None:
            break
        frames.append([number, frame.call_text()])
        number += 1
    return frames


def _debugger(request: Request) -> EmacsDebugger:
    return request.agent.debugger


def _invoke(request: Request, number: int) -> Any:
    """Invoke restart ``number`` of the innermost level, asking Emacs for a value if it needs
    one (nothing is done if the person gives none)."""
    stop = _debugger(request).stop
    if not 0 <= number < len(stop.restarts):
        raise RpcError(f"there is no restart {number}; there are {len(stop.restarts)}")
    restart = stop.restarts[number]
    if stop.needs_value(restart):
        text = request.agent.read_from_minibuffer(f"Enter a form to evaluate for {restart.name.name}: ")
        if text is None:
            return None
        values = eval_values(read_form(text))
        stop.invoke_restart(number, values[0] if values else NIL)
    else:
        stop.invoke_restart(number)
    return None


def _invoke_named(request: Request, name: Symbol) -> Any:
    stop = _debugger(request).stop
    numbers = [i for i, r in enumerate(stop.restarts) if r.name is name]
    if not numbers:
        raise RpcError(f"there is no {name.name} restart here")
    return _invoke(request, numbers[0])


@rpc("swank:backtrace")
def _backtrace(request: Request, start: int, end: int | None = None) -> list[Any]:
    return backtrace(_debugger(request).stop, start, end)


@rpc("swank:debugger-info-for-emacs")
def _debugger_info(request: Request, start: int, end: int | None) -> list[Any]:
    debugger = _debugger(request)
    return debugger.info(debugger.stop, start, end)


@rpc("swank:frame-locals-and-catch-tags")
def _frame_locals(request: Request, number: int) -> list[Any]:
    variables = _debugger(request).stop.frame_locals(number)
    return [[[_NAME, name, _ID, 0, _VALUE, one_line(value)] for name, value in variables], []]


@rpc("swank:frame-source-location")
def _frame_source_location(request: Request, number: int) -> list[Any]:
    try:
        file, line, column = _debugger(request).stop.source_location(number)
    except IndexError as missing:
        return error_location(str(missing))
    return location(file, line, column)


@rpc("swank:frame-package-name")
def _frame_package_name(request: Request, _number: int) -> str:
    return request.package.name


@rpc("swank:eval-string-in-frame", user_code=True)
def _eval_in_frame(request: Request, text: str, number: int, _package: Any = None) -> str:
    return echo_area_text(_debugger(request).stop.eval_in_frame(read_form(text), number))


@rpc("swank:pprint-eval-string-in-frame", user_code=True)
def _pprint_eval_in_frame(request: Request, text: str, number: int, _package: Any = None) -> str:
    return pretty_values(_debugger(request).stop.eval_in_frame(read_form(text), number))


@rpc("swank:invoke-nth-restart-for-emacs", user_code=True)
def _invoke_nth_restart_for_emacs(request: Request, level: int, number: int) -> Any:
    # A request made for a level that is gone (the person was quicker than Emacs) does nothing.
    if level != len(_debugger(request).stops):
        return None
    return _invoke(request, number)


@rpc("swank:invoke-nth-restart", user_code=True)
def _invoke_nth_restart(request: Request, number: int) -> Any:
    return _invoke(request, number)


@rpc("swank:sldb-abort", user_code=True)
def _sldb_abort(request: Request) -> Any:
    return _invoke_named(request, ABORT)


@rpc("swank:sldb-continue", user_code=True)
def _sldb_continue(request: Request) -> Any:
    return _invoke_named(request, CONTINUE)


@rpc("swank:throw-to-toplevel", user_code=True)
def _throw_to_toplevel(request: Request) -> Any:
    restart = request.agent.quit_restart
    if restart is None:
        raise RpcError("no request to leave")
    return restart.function()


@rpc("swank:sdlb-print-condition")
def _print_condition(request: Request) -> str:
    return text_of(_debugger(request).stop.condition.report)
