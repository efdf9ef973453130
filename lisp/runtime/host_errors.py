"""Python's own exceptions in Lisp terms, and where in the Lisp source they happened.

A Python exception that did not come through :mod:`lisp.runtime.signals` (``TypeError`` from an
open-coded ``(+ 1 "a")``, a wrong argument count, an undefined function, anything raised by a
Python function called from Lisp) becomes a Lisp condition through :func:`as_condition`: CPython's
error messages are read (the regular expressions below) and, where the message does not say, the
operands of the failing instruction are read back from its frame. :func:`lisp_position` finds the
innermost frame of compiled Lisp code and the line and column of its form.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from types import FrameType, TracebackType
from typing import Any

from lisp.runtime import hooks
from lisp.runtime.condition_classes import (
    Condition,
    DivisionByZero,
    FloatingPointOverflow,
    LispTypeError,
    PackageError,
    ProgramError,
    PythonError,
    StackExhausted,
    StorageCondition,
    UndefinedFunction,
)
from lisp.runtime.data import PackageError as _HostPackageError
from lisp.runtime.data import ImproperListError, SourcePos, Symbol, cl_symbol, intern, make_list, symbol_of_unique_name
from lisp.runtime.namespace import GLOBALS
from lisp.runtime.ratio import NUMBER_TYPES

ATTRIBUTE_TYPES: dict[str, Any] = {}
"""Python attribute names that only the instances of one Lisp type have, and that type (the slots
of structures, registered by :mod:`lisp.clos.structures`): an object that lacks one is not of the
type, so the AttributeError of loading it is a TYPE-ERROR naming the object and the type."""

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
    if isinstance(exc, ImproperListError):
        return LispTypeError(text, original=exc, datum=exc.datum, expected_type=cl_symbol("LIST"))
    if isinstance(exc, TypeError):
        return _translate_type_error(exc, text)
    expected = ATTRIBUTE_TYPES.get(getattr(exc, "name", None)) if isinstance(exc, AttributeError) else None
    if expected is not None:
        return LispTypeError(original=exc, datum=exc.obj, expected_type=expected)
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
    datum = next((x for x in _failing_operands(exc.__traceback__) if type(x) not in NUMBER_TYPES), _UNKNOWN)
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
    found = [key for key, fn in list(GLOBALS.items())
             if key.startswith("#'") and getattr(fn, "__name__", None) == python_name]
    if len(found) == 1:
        return hooks.prin1_to_string(_symbol_of_key(found[0]))
    return python_name


def _symbol_of_key(key: str) -> Any:
    """The function name of a GLOBALS key: ``#'PACKAGE::NAME`` (namespace.function_key),
    ``#'#:NAME#SERIAL`` for an uninterned symbol, ``#'(SETF PACKAGE::NAME)`` for a setf function."""
    body = key[2:]
    found = symbol_of_unique_name(body)
    if found is not None:
        return found  # the very symbol, even an uninterned one
    if body.startswith("(SETF ") and body.endswith(")"):
        return make_list([cl_symbol("SETF"), _symbol_of_key("#'" + body[6:-1])])
    package, sep, name = body.partition("::")
    if not sep:
        return Symbol(body.removeprefix("#:").rpartition("#")[0])
    try:
        return intern(name, package)
    except _HostPackageError:
        return Symbol(name)


# -- source positions ------------------------------------------------------------------------------

_COMPILED_LISP = "lisp.compiled"  # the __name__ in namespace.GLOBALS, the globals of all Lisp code


def frames_outward(frame: FrameType | None) -> Iterator[tuple[FrameType, int]]:
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
