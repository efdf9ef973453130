"""Lisp conditions: the condition classes and the runtime of signals, handlers and restarts.

**Conditions are Python exceptions.** The root is :class:`Condition` (an ``Exception``); every
standard CL condition type is a Python class named after it (``Error``, ``SimpleError``,
``LispTypeError``, ``DivisionByZero`` ...), registered under its Lisp symbol in
:data:`CONDITION_CLASSES` (``condition_class(sym)``); ``define-condition`` makes new subclasses at
run time (:func:`define_condition`). ``DivisionByZero`` is also a ``ZeroDivisionError`` and
``LispTypeError`` a ``TypeError``, so Python callers can catch them the Python way.

Constructors (Python side)::

    SomeCondition(message=None, pos=None, *, original=None, **slots)
    SimpleX(format_control, *format_arguments, pos=None, original=None, **slots)  # simple-* types

``message`` (a plain string) is the report when given; ``slots`` use Python names of the CL slots
(``LispTypeError("...", datum=x, expected_type=sym)``, ``UndefinedFunction(name=sym)``). From Lisp,
``make-condition`` takes the CL initargs (:func:`make_condition`). Slot values live in ``.slots``
(Lisp slot name -> value) and read as attributes (``c.expected_type``). ``c.pos`` is the
:class:`~lisp.data.SourcePos` of the Lisp form that raised it, when known; ``c.original`` the host
exception it translates. ``c.report()`` is the CL report text (what ``princ`` prints); ``str(c)``
prefixes it with ``file:line:col: `` when the position is known.

**Signalling.** :func:`signal` walks this thread's handler stack, innermost first, running each
applicable handler *without unwinding* (while a handler runs, only the handlers outside its own
cluster are active, CLHS 9.1.4.1); a handler declines by returning. :func:`error` signals and, if no
handler transfers control, calls ``*debugger-hook*`` if set, then raises the condition as a Python
exception: that is how an unhandled error reaches the REPL. Before raising it records
``c.restarts``, the restarts that were active when it went unhandled (the REPL lists them: each
has ``.name`` and ``.report()``), and ``c.pos``. Python code of lisp/ signals an error the same way
with :func:`raise_error` (``raise_error(LispTypeError(...))``), or :func:`type_error`.

**Handlers and restarts are per thread**, kept as immutable linked lists of clusters in a
``threading.local``; establishing one is a store, leaving one restores the saved list.
:func:`handler_bind`, :func:`handler_case`, :func:`restart_case` and :func:`restart_bind` take the
body as a thunk; the Lisp macros of the same names expand into calls of them.

**Host exceptions.** A Python exception that did not come through :func:`signal` (``TypeError``
from an open-coded ``(+ 1 "a")``, a wrong argument count, an undefined function, anything raised by
a Python function called from Lisp) is translated by :func:`as_condition` and signalled where it
first reaches a construct that establishes handlers or restarts (``handler-bind``,
``handler-case``, ``restart-case``, ``restart-bind``): there the dynamic state of handlers and
restarts is exactly what it was where the exception was raised, but ``unwind-protect`` cleanups
and special bindings between the two points have already been undone (a documented deviation).
Non-local exits (``return-from``, ``throw``, restart and handler-case transfers) are
``BaseException`` subclasses, so they are never mistaken for errors; neither are
``KeyboardInterrupt`` and ``SystemExit``.
"""

from __future__ import annotations

import itertools
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from types import FrameType, TracebackType
from typing import Any

from lisp.data import NIL, SYSTEM, SourcePos, Symbol, cl_symbol, intern, iter_list, keyword, make_list
from lisp.data import PackageError as _HostPackageError
from lisp.ratio import Ratio

# -- slots and classes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotSpec:
    """One slot of a condition class: its Lisp name, initargs and initform thunk (or None)."""

    name: str
    initargs: tuple[Symbol, ...] = ()
    initform: Callable[[], Any] | None = None


CONDITION_CLASSES: dict[Symbol, type[Condition]] = {}
# Bumped whenever a condition class is defined, so caches of type tests know to start afresh.
class_generation = 0


def condition_class(name: Symbol) -> type[Condition] | None:
    """The condition class named by the Lisp symbol ``name``, or None."""
    return CONDITION_CLASSES.get(name)


def _slot(name: str) -> SlotSpec:
    return SlotSpec(name, (keyword(name),))


def _condition_type(lisp_name: str, *own_slots: SlotSpec) -> Callable[[type], type]:
    """Decorator: register a Python condition class under the CL symbol ``lisp_name``."""

    def register(cls: type) -> type:
        _finish_class(cls, cl_symbol(lisp_name), own_slots)
        return cls

    return register


def _finish_class(cls: type, name: Symbol, own_slots: Iterable[SlotSpec]) -> None:
    inherited: dict[str, SlotSpec] = {}
    for base in reversed(cls.__mro__[1:]):
        for spec in getattr(base, "slot_specs", ()):
            inherited[spec.name] = spec
    for spec in own_slots:
        inherited[spec.name] = spec
    global class_generation
    cls.lisp_name = name
    cls.slot_specs = tuple(inherited.values())
    CONDITION_CLASSES[name] = cls
    class_generation += 1


def _lisp_slot_name(py_name: str) -> str:
    return py_name.upper().replace("_", "-")


def _show(obj: Any) -> str:
    """``obj`` as prin1 prints it (the printer sits above this module)."""
    from lisp.printer import prin1_to_string

    return prin1_to_string(obj)


class Condition(Exception):
    """CONDITION: the root of every Lisp condition."""

    lisp_name: Symbol
    slot_specs: tuple[SlotSpec, ...] = ()
    # define-condition's :report: a string, or a function of (condition stream).
    lisp_report: str | Callable[..., Any] | None = None

    def __init__(self, message: str | None = None, pos: SourcePos | None = None, *,
                 original: BaseException | None = None, **slots: Any) -> None:
        if message is not None:
            super().__init__(message)
        self._setup(message, pos, original, {_lisp_slot_name(k): v for k, v in slots.items()})

    def _setup(self, message: str | None, pos: SourcePos | None, original: BaseException | None,
               slots: dict[str, Any]) -> None:
        self.message = message
        self.pos = pos
        self.original = original
        self.restarts: list[Restart] = []  # filled when it goes unhandled
        self.signalled = False
        self.slots = self._initial_slots(slots)

    def _initial_slots(self, given: dict[str, Any]) -> dict[str, Any]:
        if given:
            unknown = set(given) - {spec.name for spec in self.slot_specs}
            if unknown:
                raise TypeError(f"{self.lisp_name.name} has no slot {', '.join(sorted(unknown))}")
        values = {}
        for spec in self.slot_specs:
            if spec.name in given:
                values[spec.name] = given[spec.name]
            elif spec.initform is not None:
                values[spec.name] = spec.initform()
        return values

    def __getattr__(self, attr: str) -> Any:
        slots = self.__dict__.get("slots")
        if slots is not None:
            name = _lisp_slot_name(attr)
            if name in slots:
                return slots[name]
        raise AttributeError(f"{type(self).__name__} has no attribute or bound slot {attr!r}")

    def slot_value(self, name: str) -> Any:
        """The value of the slot named ``name`` (a Lisp slot name); an unbound slot is an error."""
        try:
            return self.slots[name]
        except KeyError:
            if any(spec.name == name for spec in self.slot_specs):
                return raise_error(UnboundSlot(f"the slot {name} of {self.lisp_name.name} is unbound",
                                               name=name, instance=self))
            return raise_error(LispTypeError(f"{self.lisp_name.name} has no slot named {name}"))

    def report(self) -> str:
        """The condition's report, as ``princ`` prints it (CLHS 9.1.3)."""
        custom = self.lisp_report
        if isinstance(custom, str):
            return custom
        if custom is not None:
            return _report_with_function(custom, self)
        if self.message is not None:
            return self.message
        return self.default_report()

    def default_report(self) -> str:
        return f"condition of type {self.lisp_name.name} signalled"

    def _safe_report(self) -> str:
        try:
            return self.report()
        except Exception as exc:  # a broken report function must not hide the condition itself
            return f"#<{self.lisp_name.name}: error while printing its report: {type(exc).__name__}: {exc}>"

    def __str__(self) -> str:
        text = self._safe_report()
        return f"{self.pos}: {text}" if self.pos is not None else text

    def __repr__(self) -> str:
        return f"#<{self.lisp_name.name} {self._safe_report()!r}>"


def _report_with_function(fn: Callable[..., Any], condition: Condition) -> str:
    # The report function writes to a stream; lisp.streams sits above this module.
    from lisp.streams import StringOutputStream

    stream = StringOutputStream()
    fn(condition, stream)
    return stream.get_output_stream_string()


def format_control_text(control: Any, args: Any) -> str:
    """``(apply #'format nil control args)``; a function as control is called with the stream."""
    from lisp.format import format_to_string

    return format_to_string(control, list(iter_list(args)))


_SIMPLE_SLOTS = (SlotSpec("FORMAT-CONTROL", (keyword("FORMAT-CONTROL"),)),
                 SlotSpec("FORMAT-ARGUMENTS", (keyword("FORMAT-ARGUMENTS"),), lambda: NIL))


_finish_class(Condition, cl_symbol("CONDITION"), ())


@_condition_type("SIMPLE-CONDITION", *_SIMPLE_SLOTS)
class SimpleCondition(Condition):
    """SIMPLE-CONDITION: reported with a format control and arguments."""

    def __init__(self, format_control: Any = None, *format_arguments: Any, pos: SourcePos | None = None,
                 original: BaseException | None = None, **slots: Any) -> None:
        if format_control is not None:
            slots["format_control"] = format_control
        if format_arguments:
            slots["format_arguments"] = make_list(format_arguments)
        super().__init__(None, pos, original=original, **slots)

    def default_report(self) -> str:
        control = self.slots.get("FORMAT-CONTROL")
        if control is None:
            return super().default_report()
        return format_control_text(control, self.slots.get("FORMAT-ARGUMENTS"))


@_condition_type("SERIOUS-CONDITION")
class SeriousCondition(Condition):
    """SERIOUS-CONDITION: one that enters the debugger (here: reaches the REPL) if unhandled."""


@_condition_type("ERROR")
class Error(SeriousCondition):
    """ERROR."""


@_condition_type("SIMPLE-ERROR")
class SimpleError(SimpleCondition, Error):
    """SIMPLE-ERROR: what ``(error "format" args...)`` signals."""


@_condition_type("WARNING")
class Warning_(Condition):
    """WARNING."""


@_condition_type("SIMPLE-WARNING")
class SimpleWarning(SimpleCondition, Warning_):
    """SIMPLE-WARNING: what ``(warn "format" args...)`` signals."""


@_condition_type("STYLE-WARNING")
class StyleWarning(Warning_):
    """STYLE-WARNING."""


@_condition_type("STORAGE-CONDITION")
class StorageCondition(SeriousCondition):
    """STORAGE-CONDITION: out of memory or stack (not an ERROR, as in SBCL)."""


@_condition_type("TYPE-ERROR", _slot("DATUM"), _slot("EXPECTED-TYPE"))
class LispTypeError(Error, TypeError):
    """TYPE-ERROR: ``datum`` is not of ``expected_type``."""

    def default_report(self) -> str:
        return (f"the value {_show(self.slots.get('DATUM'))} is not of type "
                f"{_show(self.slots.get('EXPECTED-TYPE'))}")


@_condition_type("SIMPLE-TYPE-ERROR")
class SimpleTypeError(SimpleCondition, LispTypeError):
    """SIMPLE-TYPE-ERROR."""


@_condition_type("PROGRAM-ERROR")
class ProgramError(Error):
    """PROGRAM-ERROR: a malformed form or a call with bad arguments."""


@_condition_type("CONTROL-ERROR")
class ControlError(Error):
    """CONTROL-ERROR: a transfer of control to an exit point that is not active."""


@_condition_type("CELL-ERROR", _slot("NAME"))
class CellError(Error):
    """CELL-ERROR: something went wrong with the cell ``name``."""


@_condition_type("UNBOUND-VARIABLE")
class UnboundVariable(CellError):
    """UNBOUND-VARIABLE."""

    def default_report(self) -> str:
        return f"the variable {_show(self.slots.get('NAME'))} is unbound"


@_condition_type("UNDEFINED-FUNCTION")
class UndefinedFunction(CellError):
    """UNDEFINED-FUNCTION."""

    def default_report(self) -> str:
        return f"the function {_show(self.slots.get('NAME'))} is undefined"


@_condition_type("UNBOUND-SLOT", _slot("INSTANCE"))
class UnboundSlot(CellError):
    """UNBOUND-SLOT."""


@_condition_type("ARITHMETIC-ERROR", _slot("OPERATION"), _slot("OPERANDS"))
class ArithmeticError_(Error):
    """ARITHMETIC-ERROR: ``operation`` failed on ``operands``."""

    def default_report(self) -> str:
        return (f"arithmetic error {self.lisp_name.name} signalled: operation "
                f"{_show(self.slots.get('OPERATION'))} on {_show(self.slots.get('OPERANDS'))}")


@_condition_type("DIVISION-BY-ZERO")
class DivisionByZero(ArithmeticError_, ZeroDivisionError):
    """DIVISION-BY-ZERO."""


@_condition_type("FLOATING-POINT-OVERFLOW")
class FloatingPointOverflow(ArithmeticError_):
    """FLOATING-POINT-OVERFLOW."""


@_condition_type("FLOATING-POINT-INVALID-OPERATION")
class FloatingPointInvalidOperation(ArithmeticError_):
    """FLOATING-POINT-INVALID-OPERATION."""


@_condition_type("PACKAGE-ERROR", _slot("PACKAGE"))
class PackageError(Error):
    """PACKAGE-ERROR."""


@_condition_type("STREAM-ERROR", _slot("STREAM"))
class StreamError(Error):
    """STREAM-ERROR."""


@_condition_type("END-OF-FILE")
class EndOfFile(StreamError):
    """END-OF-FILE: input ended inside a form (the REPL asks for more lines)."""


@_condition_type("PARSE-ERROR")
class ParseError(Error):
    """PARSE-ERROR."""


@_condition_type("READER-ERROR")
class ReaderError(ParseError, StreamError):
    """READER-ERROR: malformed input; ``pos`` says where."""


@_condition_type("FILE-ERROR", _slot("PATHNAME"))
class FileError(Error):
    """FILE-ERROR."""


@_condition_type("PRINT-NOT-READABLE", _slot("OBJECT"))
class PrintNotReadable(Error):
    """PRINT-NOT-READABLE."""


class FormatError(Error):
    """SYS::FORMAT-ERROR: a bad ``format`` control string (SBCL: SB-FORMAT:FORMAT-ERROR)."""


_finish_class(FormatError, SYSTEM.intern("FORMAT-ERROR"), ())


class PythonError(Error):
    """SYS::PYTHON-ERROR: a Python exception raised by host code; ``original`` keeps it."""

    def default_report(self) -> str:
        orig = self.original
        return f"Python {type(orig).__name__}: {orig}" if orig is not None else super().default_report()


_finish_class(PythonError, SYSTEM.intern("PYTHON-ERROR"), ())


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
            raise_error(LispTypeError(f"define-condition {name.name}: {_show(parent)} is not a condition type",
                                      datum=parent, expected_type=cl_symbol("SYMBOL")))
        bases.append(cls)
    try:
        cls = type(_class_identifier(name), tuple(bases), {"__doc__": documentation,
                                                           "__module__": "lisp.conditions.user"})
    except TypeError as exc:
        raise_error(ProgramError(f"define-condition {name.name}: cannot combine its parents ({exc})"))
    if report is not None:
        # A function stored on a class would become a method of its instances.
        cls.lisp_report = report if isinstance(report, str) else staticmethod(report)
    _finish_class(cls, name, slots)
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
            raise_error(ProgramError(f"make-condition {cls.lisp_name.name}: unknown initarg {_show(key)}"))
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
    if isinstance(datum, str) or callable(datum):
        return default(datum, *args)
    return raise_error(LispTypeError(f"{operator}: {_show(datum)} designates no condition", datum=datum,
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


class _DynamicState(threading.local):
    handlers: HandlerNode = None
    restarts: RestartNode = None


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


def invoke_debugger(condition: Condition) -> Any:
    """``invoke-debugger``: call ``*debugger-hook*`` (bound to NIL meanwhile) if it is set; there
    is no interactive debugger, so then the condition is raised to the top level, with the
    restarts active here recorded on it."""
    from lisp import namespace

    hook = namespace.symbol_value(_DEBUGGER_HOOK) if namespace.boundp(_DEBUGGER_HOOK) else NIL
    if hook is not NIL:
        with namespace.dynamic_binding(_DEBUGGER_HOOK, NIL):
            (namespace.get_function(hook) if isinstance(hook, Symbol) else hook)(condition, hook)
    raise _unhandled(condition, sys._getframe(1))


def _unhandled(condition: Condition, frame: FrameType | None) -> Condition:
    condition.signalled = True
    condition.restarts = compute_restarts_list(condition)
    if condition.pos is None:
        condition.pos = lisp_position(_frames_outward(frame))
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
    from lisp.namespace import symbol_value
    from lisp.streams import output_stream

    stream = output_stream(symbol_value(cl_symbol("*ERROR-OUTPUT*")))
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
        from lisp.compiler.values import take

        return no_error(*take(result))
    return result


def _signal_escaped(exc: Exception) -> Condition:
    """Signal ``exc`` here if it escaped without being signalled; the condition to re-raise."""
    condition = as_condition(exc)
    if condition.signalled:
        return condition
    signal_condition(condition)
    return _unhandled(condition, None)


# -- host exceptions -------------------------------------------------------------------------------

_ARGUMENT_COUNT = re.compile(r"(takes|missing|got an unexpected|positional argument|keyword argument)")


def as_condition(exc: BaseException) -> Condition:
    """The Lisp condition for any Python exception (itself when it is one already).

    The position is that of the innermost Lisp form in the exception's traceback, when known.
    """
    condition = exc if isinstance(exc, Condition) else _translate(exc)
    if condition.pos is None:
        condition.pos = lisp_position(_traceback_frames(exc.__traceback__))
    return condition


def _translate(exc: BaseException) -> Condition:
    text = str(exc)
    if isinstance(exc, NameError) and str(getattr(exc, "name", "") or "").startswith("#'"):
        return UndefinedFunction(name=_symbol_of_key(exc.name), original=exc)
    if isinstance(exc, ZeroDivisionError):
        return DivisionByZero(f"division by zero ({text})", original=exc)
    if isinstance(exc, RecursionError):
        return StackExhausted("control stack exhausted (deep recursion)", original=exc)
    if isinstance(exc, MemoryError):
        return StorageCondition("heap exhausted", original=exc)
    if isinstance(exc, OverflowError):
        return FloatingPointOverflow(text, original=exc)
    if isinstance(exc, TypeError):
        return _translate_type_error(exc, text)
    if isinstance(exc, _HostPackageError):
        return PackageError(text, original=exc)
    return PythonError(original=exc)


# Python's words for the operands of an operator that refused them (`1 + "a"`, `1 < 'a`, `-'a`).
_OPERAND_ERROR = re.compile(r"unsupported operand type\(s\) for (\S+?):|'(\S+)' not supported between"
                            r"|bad operand type for unary (\S+?):")
_CALL_ERROR = re.compile(r"^(\S+)\(\) (.*)$")
_LISP_TYPE_NAMES = {"int": "INTEGER", "float": "DOUBLE-FLOAT", "Fraction": "RATIO", "Ratio": "RATIO", "complex": "COMPLEX",
                    "str": "STRING", "list": "VECTOR", "NoneType": "NULL", "Symbol": "SYMBOL",
                    "Cons": "CONS", "SourceCons": "CONS", "Char": "CHARACTER", "function": "FUNCTION"}


def _translate_type_error(exc: TypeError, text: str) -> Condition:
    """A Python TypeError in Lisp terms: a wrong argument count is a PROGRAM-ERROR naming the Lisp
    function; an operator refusing its operands is a TYPE-ERROR naming the operand (when it can be
    read back from the failing frame) and NUMBER or REAL."""
    if _NOT_CALLABLE.match(text):
        return _not_a_function(exc)
    if _ARGUMENT_COUNT.search(text):
        call = _CALL_ERROR.match(text)
        if call is not None:
            name = _lisp_function_name(call.group(1))
            return ProgramError(f"invalid number of arguments to {name}: {call.group(2).replace('positional ', '')}",
                                original=exc)
        return ProgramError(f"invalid call: {text}", original=exc)
    operator = _OPERAND_ERROR.search(text)
    if operator is None:
        return LispTypeError(text, original=exc)
    op = next(g for g in operator.groups() if g is not None)
    expected_type = cl_symbol("REAL" if operator.group(2) else "NUMBER")
    datum = next((x for x in _failing_operands(exc.__traceback__) if type(x) not in _NUMBER_TYPES), _UNKNOWN)
    if datum is _UNKNOWN:
        types_ = re.findall(r"'(\w+)'", text[operator.end():])
        names = " and ".join(map(_lisp_type_name, types_))
        return LispTypeError(f"the operands of {op} must be of type {expected_type.name}, not {names}",
                             original=exc, expected_type=expected_type)
    return LispTypeError(original=exc, datum=datum, expected_type=expected_type)


def _lisp_type_name(python_name: str) -> str:
    """The Lisp name of the type Python's error message calls ``python_name``."""
    return _LISP_TYPE_NAMES.get(python_name, python_name.upper())


_UNKNOWN = object()
_NUMBER_TYPES = (int, float, complex, Fraction, Ratio)


def _not_a_function(exc: TypeError) -> Condition:
    """FUNCALL's error for a Python call of something that cannot be called (compiled FUNCALL is
    a plain call): UNDEFINED-FUNCTION for NIL, else a TYPE-ERROR whose datum is the callee read
    back from the failing frame when it was a variable or a constant."""
    head = _failing_operands(exc.__traceback__)[:2]
    callee = _UNKNOWN
    if len(head) == 2 and sum(x is _NULL for x in head) == 1:
        callee = head[1] if head[0] is _NULL else head[0]
    if callee is None:
        return UndefinedFunction(name=None, original=exc)
    if callee is _UNKNOWN:
        kind = _lisp_type_name(re.findall(r"'(\w+)'", str(exc))[0])
        return LispTypeError(f"a value of type {kind} is not a function", original=exc,
                             expected_type=cl_symbol("FUNCTION"))
    return LispTypeError(original=exc, datum=callee, expected_type=cl_symbol("FUNCTION"))


_NOT_CALLABLE = re.compile(r"'\w+' object is not callable$")
_NULL = object()  # PUSH_NULL's slot below or above a callee


def _failing_operands(tb: TracebackType | None) -> list[Any]:
    """The operands of the instruction that raised, when each was pushed by a plain load of a
    local variable or a constant just before it (the usual shape of open-coded arithmetic and of
    a FUNCALL of a variable). A call's operands are its callee, the NULL that CPython pushes
    beside it (:data:`_NULL`) and its arguments."""
    import dis

    if tb is None:
        return []
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame, lasti = tb.tb_frame, tb.tb_lasti
    instructions = [i for i in dis.get_instructions(frame.f_code) if i.offset <= lasti]
    if not instructions or instructions[-1].offset != lasti:
        return []
    failing = instructions[-1]
    if failing.opname.startswith("UNARY"):
        wanted = 1
    elif failing.opname == "CALL":
        wanted = failing.arg + 2
    else:
        wanted = 2
    operands: list[Any] = []
    for instruction in reversed(instructions[:-1]):
        if len(operands) >= wanted:
            break
        if instruction.opname in ("PRECALL", "KW_NAMES"):  # 3.11: no stack effect
            continue
        if instruction.opname == "PUSH_NULL":
            if failing.opname != "CALL":
                return []
            operands.insert(0, _NULL)
        elif instruction.opname == "LOAD_CONST":
            operands.insert(0, instruction.argval)
        elif "LOAD_FAST" in instruction.opname or instruction.opname == "LOAD_DEREF":
            # 3.13 fuses loads: LOAD_FAST_LOAD_FAST pushes two, STORE_FAST_LOAD_FAST its second name.
            names = instruction.argval if isinstance(instruction.argval, tuple) else (instruction.argval,)
            if instruction.opname.startswith("STORE"):
                names = names[1:]
            if any(n not in frame.f_locals for n in names):
                return []
            operands[:0] = [frame.f_locals[n] for n in names]
        else:
            return []
    return operands if len(operands) == wanted else []


def _lisp_function_name(python_name: str) -> str:
    """The Lisp name of the global function whose Python name is ``python_name`` (compiled Lisp
    functions carry their Lisp name; builtins are found in the global function table)."""
    from lisp.namespace import GLOBALS

    found = [key for key, fn in list(GLOBALS.items())
             if key.startswith("#'") and getattr(fn, "__name__", None) == python_name]
    if len(found) == 1:
        return _show(_symbol_of_key(found[0]))
    return python_name


def _symbol_of_key(key: str) -> Any:
    """The function name of a GLOBALS key: ``#'PACKAGE::NAME`` (namespace.function_key),
    ``#'#:NAME#SERIAL`` for an uninterned symbol, ``#'(SETF PACKAGE::NAME)`` for a setf function."""
    body = key[2:]
    if body.startswith("(SETF ") and body.endswith(")"):
        return make_list([cl_symbol("SETF"), _symbol_of_key("#'" + body[6:-1])])
    package, sep, name = body.partition("::")
    if not sep:
        return Symbol(body.removeprefix("#:").rpartition("#")[0])
    try:
        return intern(name, package)
    except _HostPackageError:
        return Symbol(name)


class StackExhausted(StorageCondition):
    """SYS::STACK-EXHAUSTED: the control stack ran out (Python's RecursionError)."""


_finish_class(StackExhausted, SYSTEM.intern("STACK-EXHAUSTED"), ())


# -- source positions ------------------------------------------------------------------------------

_COMPILED_LISP = "lisp.compiled"  # the __name__ in namespace.GLOBALS, the globals of all Lisp code


def _frames_outward(frame: FrameType | None) -> Iterator[tuple[FrameType, int]]:
    while frame is not None:
        yield frame, frame.f_lasti
        frame = frame.f_back


def _traceback_frames(tb: TracebackType | None) -> Iterator[tuple[FrameType, int]]:
    entries = []
    while tb is not None:
        entries.append((tb.tb_frame, tb.tb_lasti))
        tb = tb.tb_next
    return reversed(entries)


def lisp_position(frames: Iterable[tuple[FrameType, int]]) -> SourcePos | None:
    """The source position of the first frame of compiled Lisp code among ``frames``.

    Compiled Lisp code runs with ``namespace.GLOBALS`` as globals and carries the Lisp file name and
    each form's line/column (0-based Python ``col_offset``) in its code object.
    """
    for frame, lasti in frames:
        if frame.f_globals.get("__name__") != _COMPILED_LISP:
            continue
        code = frame.f_code
        for line, _, col, _ in itertools.islice(code.co_positions(), max(lasti, 0) // 2, None):
            if line is not None:
                return SourcePos(code.co_filename, line, (col or 0) + 1)
            break
        return SourcePos(code.co_filename, frame.f_lineno or 0, 1)
    return None


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
        from lisp.streams import StringOutputStream

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
            raise_error(ControlError(f"the restart {_show(restart)} is not active here"))
        if restart is not NIL and not isinstance(restart, Symbol):
            raise_error(LispTypeError(f"{_show(restart)} designates no restart", datum=restart,
                                      expected_type=make_list([cl_symbol("OR"), cl_symbol("SYMBOL"),
                                                               cl_symbol("RESTART")])))
        raise_error(ControlError(f"no active restart named {_show(restart)}"))
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
    """For the REPL: a restart named ``name`` around a block; invoking it unwinds to the block's end.

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
        yield lambda: invoked
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

