"""Signalling conditions: handlers, restarts and the debugger, per thread.

**Signalling.** :func:`signal` walks this thread's handler stack, innermost first, running each
applicable handler *without unwinding* (while a handler runs, only the handlers outside its own
cluster are active, CLHS 9.1.4.1); a handler declines by returning. :func:`error` signals and, if no
handler transfers control, calls :func:`invoke_debugger`. Python code of lisp/ signals an error the
same way with :func:`raise_error` (``raise_error(LispTypeError(...))``), or :func:`type_error`.

**The debugger.** :func:`invoke_debugger` calls ``*invoke-debugger-hook*`` (GFJIT-EXT, also named
SB-EXT as in SBCL), then ``*debugger-hook*`` (each bound to NIL while it runs), then this thread's
debugger, if a toplevel installed one (:func:`using_debugger`): it runs *where the error was
signalled*, before anything unwinds, and normally leaves by invoking a restart. With no debugger,
or when it declines (returns), the condition is raised as a Python exception: that is how an
unhandled error reaches a toplevel without a debugger. Before raising it records ``c.restarts``,
the restarts that were active when it went unhandled (each has ``.name`` and ``.report()``), and
``c.pos``. Where the stack is nearly full (a deep recursion ran into its limit), the debugger is not
entered there but once the error has unwound to the toplevel (``c.debugger_deferred``).

**Handlers and restarts are per thread**, kept as immutable linked lists of clusters in a
``threading.local``; establishing one is a store, leaving one restores the saved list.
:func:`handler_bind`, :func:`handler_case`, :func:`restart_case` and :func:`restart_bind` take the
body as a thunk; the Lisp macros of the same names expand into calls of them.

**Host exceptions.** A Python exception that did not come through :func:`signal` is translated
(:mod:`lisp.runtime.host_errors`) and signalled, and if unhandled given to the debugger, where it
first reaches a construct that establishes handlers or restarts (``handler-bind``,
``handler-case``, ``restart-case``, ``restart-bind``) or a toplevel (:func:`toplevel_restart`):
there the dynamic state of handlers and restarts is exactly what it was where the exception was
raised, but ``unwind-protect`` cleanups and special bindings between the two points have already
been undone (a documented deviation); the debugger still shows the frames in between, from the
exception's traceback. Non-local exits (``return-from``, ``throw``, restart and handler-case
transfers) are ``BaseException`` subclasses, so they are never mistaken for errors; neither are
``KeyboardInterrupt`` and ``SystemExit``.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import Any

from lisp.runtime import hooks, namespace
from lisp.runtime.arrays import is_string
from lisp.runtime.condition_classes import (
    Condition,
    ControlError,
    LispTypeError,
    ProgramError,
    SimpleCondition,
    SimpleError,
    SimpleWarning,
    SlotSpec,
    Warning_,
    condition_class,
    finish_class,
    format_control_text,
)
from lisp.runtime.data import NIL, Symbol, cl_symbol, iter_list, make_list
from lisp.runtime.extensions import extension_symbol
from lisp.runtime.host_errors import as_condition, frames_outward, lisp_position
from lisp.runtime.streams import StringOutputStream, output_stream
from lisp.runtime.values import take

# -- define-condition and make-condition -----------------------------------------------------------


def define_condition(name: Symbol, parents: Iterable[Symbol], slots: Iterable[SlotSpec] = (),
                     report: str | Callable[..., Any] | None = None, documentation: str | None = None
                     ) -> type[Condition]:
    """``define-condition``: make (or redefine) the condition class ``name``.

    ``parents`` name condition classes (CONDITION when empty); ``report`` is a string or a function
    of ``(condition stream)``.
    """
    bases = []
    for parent in parents or [cl_symbol("CONDITION")]:
        cls = condition_class(parent)
        if cls is None:
            raise_error(LispTypeError(f"define-condition {name.name}: {hooks.prin1_to_string(parent)} is not a condition type",
                                      datum=parent, expected_type=cl_symbol("SYMBOL")))
        bases.append(cls)
    try:
        cls = type(_class_identifier(name), tuple(bases), {"__doc__": documentation,
                                                           "__module__": "lisp.runtime.condition_classes.user"})
    except TypeError as exc:
        raise_error(ProgramError(f"define-condition {name.name}: cannot combine its parents ({exc})"))
    if report is not None:
        # A function stored on a class would become a method of its instances.
        cls.lisp_report = report if isinstance(report, str) else staticmethod(report)
    finish_class(cls, name, slots)
    return cls


def _class_identifier(name: Symbol) -> str:
    return re.sub(r"\W", "_", name.name.title().replace("-", "")) or "Condition"


def make_condition(type_: Any, *initargs: Any) -> Condition:
    """``make-condition``: a condition of ``type_`` (a symbol or class) from CL initargs."""
    cls = type_ if isinstance(type_, type) and issubclass(type_, Condition) else condition_class(type_)
    if cls is None:
        raise_error(LispTypeError(datum=type_, expected_type=cl_symbol("CONDITION")))
    if len(initargs) % 2:
        raise_error(ProgramError(f"make-condition {cls.lisp_name.name}: odd number of initargs"))
    by_initarg = {arg: spec.name for spec in cls.slot_specs for arg in spec.initargs}
    slots: dict[str, Any] = {}
    for key, value in zip(initargs[::2], initargs[1::2]):
        slot = by_initarg.get(key)
        if slot is None:
            raise_error(ProgramError(f"make-condition {cls.lisp_name.name}: unknown initarg {hooks.prin1_to_string(key)}"))
        slots.setdefault(slot, value)
    condition = cls.__new__(cls)
    condition._setup(None, None, None, slots)
    return condition


def coerce_to_condition(datum: Any, args: tuple[Any, ...], default: type[Condition], operator: str
                        ) -> Condition:
    """The condition that ``(operator datum . args)`` designates (CLHS 9.1.2.1)."""
    if isinstance(datum, Condition):
        if args:
            raise_error(ProgramError(f"{operator}: arguments given with a condition object"))
        return datum
    if isinstance(datum, Symbol) or (isinstance(datum, type) and issubclass(datum, Condition)):
        return make_condition(datum, *args)
    if is_string(datum) or callable(datum):
        return default(datum, *args)
    return raise_error(LispTypeError(f"{operator}: {hooks.prin1_to_string(datum)} designates no condition", datum=datum,
                                     expected_type=make_list([cl_symbol("OR"), cl_symbol("CONDITION"),
                                                              cl_symbol("SYMBOL"), cl_symbol("STRING")])))


# -- per-thread dynamic state ----------------------------------------------------------------------

# The stacks are linked lists so that "the handlers outside this cluster" is just `outer`:
# - a handler node is (cluster, outer, unwinds): the cluster holds (test, handler) pairs, where for
#   a handler-case node (unwinds) the handler is the clause index, and the node itself is the tag
#   its transfer carries (no closure is made per entry);
# - a restart node is (cluster, outer), the cluster a tuple of Restart.
HandlerNode = tuple[tuple[tuple[Any, Any], ...], "HandlerNode", bool] | None
RestartNode = tuple[tuple["Restart", ...], "RestartNode"] | None


#: A debugger: called with an unhandled condition and, for an error that was raised as a Python
#: exception before it was signalled, that exception's traceback (the frames it unwound).
Debugger = Callable[[Condition, TracebackType | None], None]


class _DynamicState(threading.local):
    handlers: HandlerNode = None
    restarts: RestartNode = None
    debugger: Debugger | None = None


_state = _DynamicState()


class NonLocalTransfer(BaseException):
    """Base of the exceptions that carry control to an exit point (never an error)."""


class _HandlerCaseTransfer(NonLocalTransfer):
    def __init__(self, tag: object, index: int, condition: Condition) -> None:
        self.tag = tag
        self.index = index
        self.condition = condition


class _RestartTransfer(NonLocalTransfer):
    def __init__(self, tag: object, index: int, args: tuple[Any, ...]) -> None:
        self.tag = tag
        self.index = index
        self.args_ = args


def type_error(datum: Any, expected_type: Any, message: str | None = None) -> Any:
    """Signal a TYPE-ERROR: ``datum`` is not of ``expected_type`` (a type specifier)."""
    raise_error(LispTypeError(message, datum=datum, expected_type=expected_type))


def _as_test(type_test: Any) -> Callable[[Condition], Any]:
    if isinstance(type_test, type):
        return lambda c: isinstance(c, type_test)
    return type_test


# -- signalling ----------------------------------------------------------------------------------


def signal_condition(condition: Condition) -> None:
    """Run the applicable handlers of this thread, innermost first; return if all decline."""
    node = _state.handlers
    while node is not None:
        cluster, outer, unwinds = node
        for test, handler in cluster:
            matched = test(condition)
            if matched is not NIL and matched is not False:
                if unwinds:
                    raise _HandlerCaseTransfer(node, handler, condition)
                saved = _state.handlers
                _state.handlers = outer
                try:
                    handler(condition)
                finally:
                    _state.handlers = saved
        node = outer


def signal(datum: Any, *args: Any) -> None:
    """``signal``: signal a condition (a SIMPLE-CONDITION for a format control); returns NIL."""
    signal_condition(coerce_to_condition(datum, args, SimpleCondition, "SIGNAL"))
    return NIL


def error(datum: Any, *args: Any) -> Any:
    """``error``: signal the condition; unhandled, raise it (with its restarts and position)."""
    condition = coerce_to_condition(datum, args, SimpleError, "ERROR")
    signal_condition(condition)
    return invoke_debugger(condition)


def raise_error(condition: Condition) -> Any:
    """Signal ``condition`` and raise it if unhandled: how Python code of lisp/ signals errors."""
    signal_condition(condition)
    return invoke_debugger(condition)


_DEBUGGER_HOOK = cl_symbol("*DEBUGGER-HOOK*")
_INVOKE_DEBUGGER_HOOK = extension_symbol("*INVOKE-DEBUGGER-HOOK*")
for _hook in (_DEBUGGER_HOOK, _INVOKE_DEBUGGER_HOOK):
    namespace.proclaim_special(_hook)
    if not namespace.global_value_is_set(_hook):
        namespace.set_symbol_value(_hook, NIL)

# Frames the debugger needs below the point where it is entered (its own REPL, compiling and
# evaluating what is typed there); with fewer left under the recursion limit it waits for the
# toplevel.
_DEBUGGER_STACK = 3000


def invoke_debugger(condition: Condition) -> Any:
    """``invoke-debugger``: run the hooks, then this thread's debugger; raise ``condition`` if
    they all return (see the module docstring)."""
    raise _debug(condition, None, sys._getframe(1))


@contextmanager
def using_debugger(debugger: Debugger | None) -> Iterator[None]:
    """Make ``debugger`` this thread's debugger while the block runs (None: no debugger)."""
    state = _state
    saved, state.debugger = state.debugger, debugger
    try:
        yield
    finally:
        state.debugger = saved


def current_debugger() -> Debugger | None:
    """This thread's debugger, if a toplevel installed one."""
    return _state.debugger


def _debug(condition: Condition, traceback: TracebackType | None, frame: FrameType | None, *,
           run_hooks: bool = True) -> Condition:
    """Run the debugger hooks (unless ``run_hooks`` is false: they ran) and the debugger for
    ``condition``; if they return, the condition marked unhandled, to be raised."""
    if run_hooks:
        _run_hook(_INVOKE_DEBUGGER_HOOK, condition)
        _run_hook(_DEBUGGER_HOOK, condition)
    debugger = _state.debugger
    if debugger is not None:
        if condition.pos is None:
            condition.pos = lisp_position(frames_outward(frame))
        if _stack_nearly_full():
            condition.debugger_deferred = True
        else:
            condition.debugger_deferred = False
            debugger(condition, traceback)
    return _unhandled(condition, frame)


def _run_hook(variable: Symbol, condition: Condition) -> None:
    hook = namespace.symbol_value(variable) if namespace.boundp(variable) else NIL
    if hook is not NIL:
        with namespace.dynamic_binding(variable, NIL):
            (namespace.get_function(hook) if isinstance(hook, Symbol) else hook)(condition, hook)


def _stack_nearly_full() -> bool:
    room = sys.getrecursionlimit() - _DEBUGGER_STACK
    frame = sys._getframe()
    while frame is not None and room > 0:
        frame = frame.f_back
        room -= 1
    return frame is not None


def _unhandled(condition: Condition, frame: FrameType | None) -> Condition:
    condition.signalled = True
    condition.restarts = compute_restarts_list(condition)
    if condition.pos is None:
        condition.pos = lisp_position(frames_outward(frame))
    return condition


def cerror(continue_format_control: Any, datum: Any, *args: Any) -> Any:
    """``cerror``: signal an error with a CONTINUE restart; returns NIL when continued."""
    # With a condition object, the arguments serve the continue format control only.
    is_object = isinstance(datum, Condition)
    condition = coerce_to_condition(datum, () if is_object else args, SimpleError, "CERROR")
    format_args = make_list(args)
    restart = RestartSpec(cl_symbol("CONTINUE"),
                          lambda stream: stream.write_string(format_control_text(continue_format_control, format_args)))
    return restart_case(lambda: _signal_with_restarts(error, condition), [restart], [lambda: NIL])


def warn(datum: Any, *args: Any) -> Any:
    """``warn``: signal a warning with a MUFFLE-WARNING restart; print it unless muffled."""
    condition = coerce_to_condition(datum, args, SimpleWarning, "WARN")
    if not isinstance(condition, Warning_):
        raise_error(LispTypeError(datum=condition, expected_type=cl_symbol("WARNING")))
    muffle = RestartSpec(cl_symbol("MUFFLE-WARNING"), "Skip warning.")

    def signal_then_print() -> Any:
        _signal_with_restarts(signal, condition)
        _print_warning(condition)
        return NIL

    return restart_case(signal_then_print, [muffle], [lambda: NIL])


def _print_warning(condition: Condition) -> None:
    stream = output_stream(namespace.symbol_value(cl_symbol("*ERROR-OUTPUT*")))
    stream.fresh_line()
    stream.write_string(f"WARNING: {condition.report()}\n")


def _signal_with_restarts(operator: Callable[..., Any], condition: Condition) -> Any:
    """Associate the innermost restart cluster with ``condition``, then signal it (CLHS 9.1.4.2.4)."""
    node = _state.restarts
    if node is not None:
        for restart in node[0]:
            restart.conditions.append(condition)
    return operator(condition)


def signal_with_restarts(operator: Symbol, datum: Any, *args: Any) -> Any:
    """``(restart-case (error ...) ...)`` calls this: the condition made, associated, signalled."""
    kinds = {"SIGNAL": (signal, SimpleCondition), "ERROR": (error, SimpleError),
             "WARN": (warn, SimpleWarning)}
    if operator.name == "CERROR":
        continue_control, datum, args = datum, args[0], args[1:]
        condition = coerce_to_condition(datum, args, SimpleError, "CERROR")
        return _signal_with_restarts(lambda c: cerror(continue_control, c, *args), condition)
    fn, default = kinds[operator.name]
    return _signal_with_restarts(fn, coerce_to_condition(datum, args, default, operator.name))


# -- handlers ------------------------------------------------------------------------------------


def handler_bind(bindings: Iterable[tuple[Any, Callable[[Condition], Any]]], thunk: Callable[[], Any]
                 ) -> Any:
    """``handler-bind``: run ``thunk`` with the handlers ``(type-test, handler)`` established.

    A type test is a predicate on conditions (or a condition class). Handlers run without unwinding.
    """
    cluster = tuple((_as_test(test), handler) for test, handler in bindings)
    state = _state
    saved = state.handlers
    state.handlers = (cluster, saved, False)
    try:
        return thunk()
    except Exception as exc:
        condition = _signal_escaped(exc)
        if condition is exc:
            raise
        raise condition.with_traceback(exc.__traceback__) from None
    finally:
        state.handlers = saved


def handler_case(thunk: Callable[[], Any], tests: Iterable[Any], clauses: list[Callable[[Condition], Any]],
                 no_error: Callable[..., Any] | None = None) -> Any:
    """``handler-case``: run ``thunk``; on a condition matching ``tests[i]``, unwind and run clause ``i``.

    ``no_error`` (the ``:no-error`` clause) receives the values of ``thunk`` when it returns.
    """
    cluster = tuple([(_as_test(test), i) for i, test in enumerate(tests)])
    state = _state
    saved = state.handlers
    state.handlers = node = (cluster, saved, True)
    try:
        try:
            result = thunk()
        except Exception as exc:
            condition = _signal_escaped(exc)
            if condition is exc:
                raise
            raise condition.with_traceback(exc.__traceback__) from None
    except _HandlerCaseTransfer as transfer_:
        if transfer_.tag is not node:
            raise
        caught = transfer_
    else:
        caught = None
    finally:
        state.handlers = saved
    if caught is not None:
        return clauses[caught.index](caught.condition)
    if no_error is not None:
        return no_error(*take(result))
    return result


def _signal_escaped(exc: Exception) -> Condition:
    """Signal ``exc`` here, and give it to the debugger if unhandled, unless that was done; the
    condition to re-raise."""
    condition = as_condition(exc)
    if condition.signalled:
        return condition
    signal_condition(condition)
    return _debug(condition, exc.__traceback__, None)


def debug_escaped(exc: Exception) -> Condition:
    """For a toplevel: :func:`_signal_escaped`, and the debugger for an error whose debugger was
    deferred for want of stack; the condition to re-raise."""
    condition = as_condition(exc)
    if condition.signalled and getattr(condition, "debugger_deferred", False):
        return _debug(condition, exc.__traceback__, None, run_hooks=False)
    return _signal_escaped(exc)


# -- restarts --------------------------------------------------------------------------------------


class Restart:
    """A restart: a name (a symbol or NIL), the function that invokes it, and how to report it."""

    __slots__ = ("name", "function", "report_function", "interactive_function", "test_function",
                 "conditions")

    def __init__(self, name: Symbol | None, function: Callable[..., Any],
                 report: str | Callable[[Any], Any] | None = None,
                 interactive: Callable[[], Any] | None = None,
                 test: Callable[[Any], Any] | None = None) -> None:
        self.name = name
        self.function = function
        self.report_function = report
        self.interactive_function = interactive
        self.test_function = test
        self.conditions: list[Condition] = []

    def report(self) -> str:
        """What the restart does, as the debugger lists it."""
        report = self.report_function
        if report is None:
            return self.name.name if self.name is not None else "(unnamed restart)"
        if isinstance(report, str):
            return report
        stream = StringOutputStream()
        report(stream)
        return stream.get_output_stream_string()

    def visible_for(self, condition: Condition | None) -> bool:
        if condition is not None and self.conditions and not any(c is condition for c in self.conditions):
            return False
        return self.test_function is None or self.test_function(condition) is not NIL

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        return f"#<RESTART {self.name.name if self.name is not None else 'NIL'}>"


@dataclass(frozen=True)
class RestartSpec:
    """What ``restart-case`` is told about one clause (the restart is made per entry)."""

    name: Symbol | None
    report: str | Callable[[Any], Any] | None = None
    interactive: Callable[[], Any] | None = None
    test: Callable[[Any], Any] | None = None


def _active_restarts() -> Iterator[Restart]:
    node = _state.restarts
    while node is not None:
        cluster, node = node
        yield from cluster


def compute_restarts_list(condition: Condition | None = None) -> list[Restart]:
    """``compute-restarts``: the active restarts visible for ``condition``, innermost first."""
    return [r for r in _active_restarts() if r.visible_for(condition)]


def find_restart(name: Any, condition: Condition | None = None) -> Restart | None:
    """``find-restart``: the innermost active restart named ``name`` (or that restart itself)."""
    for restart in _active_restarts():
        if (restart is name or (restart.name is name and name is not None)) and restart.visible_for(condition):
            return restart
    return NIL


def _require_restart(restart: Any, condition: Condition | None = None) -> Restart:
    found = find_restart(restart, condition)
    if found is NIL:
        if isinstance(restart, Restart):
            raise_error(ControlError(f"the restart {hooks.prin1_to_string(restart)} is not active here"))
        if restart is not NIL and not isinstance(restart, Symbol):
            raise_error(LispTypeError(f"{hooks.prin1_to_string(restart)} designates no restart", datum=restart,
                                      expected_type=make_list([cl_symbol("OR"), cl_symbol("SYMBOL"),
                                                               cl_symbol("RESTART")])))
        raise_error(ControlError(f"no active restart named {hooks.prin1_to_string(restart)}"))
    return found


def invoke_restart(restart: Any, *args: Any) -> Any:
    """``invoke-restart``: call the active restart ``restart`` (a restart or its name)."""
    return _require_restart(restart).function(*args)


def invoke_restart_interactively(restart: Any) -> Any:
    """``invoke-restart-interactively``: arguments come from the restart's interactive function."""
    found = _require_restart(restart)
    args = found.interactive_function() if found.interactive_function is not None else NIL
    return found.function(*iter_list(args))


def restart_bind(restarts: Iterable[Restart], thunk: Callable[[], Any]) -> Any:
    """``restart-bind``: run ``thunk`` with ``restarts`` active (invoking one calls its function)."""
    state = _state
    saved = state.restarts
    state.restarts = (tuple(restarts), saved)
    try:
        return thunk()
    except Exception as exc:
        condition = _signal_escaped(exc)
        if condition is exc:
            raise
        raise condition.with_traceback(exc.__traceback__) from None
    finally:
        state.restarts = saved


def restart_case(thunk: Callable[[], Any], specs: list[RestartSpec], clauses: list[Callable[..., Any]]
                 ) -> Any:
    """``restart-case``: run ``thunk`` with one restart per spec; invoking restart ``i`` unwinds
    to here and returns the values of ``clauses[i]`` called with the restart's arguments."""
    tag = object()

    def transfer(index: int) -> Callable[..., Any]:
        def invoke(*args: Any) -> Any:
            raise _RestartTransfer(tag, index, args)
        return invoke

    cluster = tuple(Restart(spec.name, transfer(i), spec.report, spec.interactive, spec.test)
                    for i, spec in enumerate(specs))
    state = _state
    saved = state.restarts
    state.restarts = (cluster, saved)
    try:
        try:
            return thunk()
        except Exception as exc:
            condition = _signal_escaped(exc)
            if condition is exc:
                raise
            raise condition.with_traceback(exc.__traceback__) from None
    except _RestartTransfer as transfer_:
        if transfer_.tag is not tag:
            raise
        caught = transfer_
    finally:
        state.restarts = saved
    return clauses[caught.index](*caught.args_)


@contextmanager
def toplevel_restart(name: Symbol, report: str) -> Iterator[Callable[[], bool]]:
    """For a toplevel: a restart named ``name`` around a block; invoking it unwinds to the block's
    end. An error that leaves the block without having met the debugger meets it here, with this
    restart still active (:func:`debug_escaped`).

    Yields a function telling whether the restart was invoked.
    """
    tag = object()
    invoked = False

    def invoke(*_args: Any) -> Any:
        raise _RestartTransfer(tag, 0, ())

    state = _state
    saved = state.restarts
    state.restarts = ((Restart(name, invoke, report),), saved)
    try:
        try:
            yield lambda: invoked
        except Exception as exc:
            condition = debug_escaped(exc)
            if condition is exc:
                raise
            raise condition.with_traceback(exc.__traceback__) from None
    except _RestartTransfer as transfer_:
        if transfer_.tag is not tag:
            raise
        invoked = True
    finally:
        state.restarts = saved


def with_condition_restarts(condition: Condition, restarts: Iterable[Restart], thunk: Callable[[], Any]) -> Any:
    """``with-condition-restarts``: associate ``restarts`` with ``condition`` while ``thunk`` runs."""
    added = list(restarts)
    for restart in added:
        restart.conditions.append(condition)
    try:
        return thunk()
    finally:
        for restart in added:
            restart.conditions.remove(condition)


def _named_restart_function(name: str, *, required: bool) -> Callable[..., Any]:
    sym = cl_symbol(name)

    def invoke(*args: Any) -> Any:
        # The standard restart functions take the values first and an optional condition last.
        nvalues = 1 if name in ("USE-VALUE", "STORE-VALUE") else 0
        if len(args) not in (nvalues, nvalues + 1):
            raise_error(ProgramError(f"{name}: expected {nvalues} or {nvalues + 1} arguments, got {len(args)}"))
        condition = args[nvalues] if len(args) > nvalues else NIL
        restart = find_restart(sym, condition)
        if restart is NIL:
            if required:
                raise_error(ControlError(f"{name}: no active {name} restart"))
            return NIL
        return restart.function(*args[:nvalues])

    invoke.__name__ = name.lower().replace("-", "_")
    invoke.__doc__ = f"``{name.lower()}``: invoke the innermost {name} restart."
    return invoke


abort = _named_restart_function("ABORT", required=True)
muffle_warning = _named_restart_function("MUFFLE-WARNING", required=True)
continue_ = _named_restart_function("CONTINUE", required=False)
use_value = _named_restart_function("USE-VALUE", required=False)
store_value = _named_restart_function("STORE-VALUE", required=False)


def report(condition: BaseException) -> str:
    """The report of any exception as a Lisp condition (for the REPL)."""
    return as_condition(condition).report()
