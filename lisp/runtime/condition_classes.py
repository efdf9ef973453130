"""Lisp condition classes: every standard CL condition type as a Python exception class.

**Conditions are Python exceptions.** The root is :class:`Condition` (an ``Exception``); every
standard CL condition type is a Python class named after it (``Error``, ``SimpleError``,
``LispTypeError``, ``DivisionByZero`` ...), registered under its Lisp symbol in
:data:`CONDITION_CLASSES` (``condition_class(sym)``); ``define-condition`` makes new subclasses at
run time (:func:`lisp.runtime.signals.define_condition`). ``DivisionByZero`` is also a
``ZeroDivisionError`` and ``LispTypeError`` a ``TypeError``, so Python callers can catch them the
Python way.

Constructors (Python side)::

    SomeCondition(message=None, pos=None, *, original=None, **slots)
    SimpleX(format_control, *format_arguments, pos=None, original=None, **slots)  # simple-* types

``message`` (a plain string) is the report when given; ``slots`` use Python names of the CL slots
(``LispTypeError("...", datum=x, expected_type=sym)``, ``UndefinedFunction(name=sym)``). From Lisp,
``make-condition`` takes the CL initargs (:func:`lisp.runtime.signals.make_condition`). Slot values
live in ``.slots`` (Lisp slot name -> value) and read as attributes (``c.expected_type``). ``c.pos``
is the :class:`~lisp.runtime.data.SourcePos` of the Lisp form that raised it, when known;
``c.original`` the host exception it translates. ``c.report()`` is the CL report text (what
``princ`` prints); ``str(c)`` prefixes it with ``file:line:col: `` when the position is known.

Signalling them is :mod:`lisp.runtime.signals`; translating Python's own exceptions into them is
:mod:`lisp.runtime.host_errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lisp.runtime import hooks
from lisp.runtime.data import NIL, SYSTEM, SourcePos, Symbol, cl_symbol, iter_list, keyword, make_list

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
        finish_class(cls, cl_symbol(lisp_name), own_slots)
        return cls

    return register


def finish_class(cls: type, name: Symbol, own_slots: Iterable[SlotSpec]) -> None:
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
        self.restarts: list[Any] = []  # the Restarts active when it went unhandled
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
    stream = hooks.string_output_stream()
    fn(condition, stream)
    return stream.get_output_stream_string()


def format_control_text(control: Any, args: Any) -> str:
    """``(apply #'format nil control args)``; a function as control is called with the stream."""
    return hooks.format_to_string(control, list(iter_list(args)))


_SIMPLE_SLOTS = (SlotSpec("FORMAT-CONTROL", (keyword("FORMAT-CONTROL"),)),
                 SlotSpec("FORMAT-ARGUMENTS", (keyword("FORMAT-ARGUMENTS"),), lambda: NIL))


finish_class(Condition, cl_symbol("CONDITION"), ())


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
        return (f"the value {hooks.prin1_to_string(self.slots.get('DATUM'))} is not of type "
                f"{hooks.prin1_to_string(self.slots.get('EXPECTED-TYPE'))}")


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
        return f"the variable {hooks.prin1_to_string(self.slots.get('NAME'))} is unbound"


@_condition_type("UNDEFINED-FUNCTION")
class UndefinedFunction(CellError):
    """UNDEFINED-FUNCTION."""

    def default_report(self) -> str:
        return f"the function {hooks.prin1_to_string(self.slots.get('NAME'))} is undefined"


@_condition_type("UNBOUND-SLOT", _slot("INSTANCE"))
class UnboundSlot(CellError):
    """UNBOUND-SLOT."""


@_condition_type("ARITHMETIC-ERROR", _slot("OPERATION"), _slot("OPERANDS"))
class ArithmeticError_(Error):
    """ARITHMETIC-ERROR: ``operation`` failed on ``operands``."""

    def default_report(self) -> str:
        return (f"arithmetic error {self.lisp_name.name} signalled: operation "
                f"{hooks.prin1_to_string(self.slots.get('OPERATION'))} on {hooks.prin1_to_string(self.slots.get('OPERANDS'))}")


@_condition_type("DIVISION-BY-ZERO")
class DivisionByZero(ArithmeticError_, ZeroDivisionError):
    """DIVISION-BY-ZERO."""


@_condition_type("FLOATING-POINT-OVERFLOW")
class FloatingPointOverflow(ArithmeticError_):
    """FLOATING-POINT-OVERFLOW."""


@_condition_type("FLOATING-POINT-INVALID-OPERATION")
class FloatingPointInvalidOperation(ArithmeticError_):
    """FLOATING-POINT-INVALID-OPERATION."""


@_condition_type("FLOATING-POINT-INEXACT")
class FloatingPointInexact(ArithmeticError_):
    """FLOATING-POINT-INEXACT (never signalled: Python floats trap no inexact result)."""


@_condition_type("FLOATING-POINT-UNDERFLOW")
class FloatingPointUnderflow(ArithmeticError_):
    """FLOATING-POINT-UNDERFLOW (never signalled: an underflow gives a denormal or zero)."""


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


finish_class(FormatError, SYSTEM.intern("FORMAT-ERROR"), ())


class PythonError(Error):
    """SYS::PYTHON-ERROR: a Python exception raised by host code; ``original`` keeps it."""

    def default_report(self) -> str:
        orig = self.original
        return f"Python {type(orig).__name__}: {orig}" if orig is not None else super().default_report()


finish_class(PythonError, SYSTEM.intern("PYTHON-ERROR"), ())


class StackExhausted(StorageCondition):
    """SYS::STACK-EXHAUSTED: the control stack ran out (Python's RecursionError)."""


finish_class(StackExhausted, SYSTEM.intern("STACK-EXHAUSTED"), ())
