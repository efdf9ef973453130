"""The object system's generic functions on structures: ``print-object`` (the default method,
and the method ``:print-function``/``:print-object`` ask for), ``describe-object``,
``make-instance`` and ``allocate-instance`` of a structure class; and ``copy-structure``."""

from __future__ import annotations

import threading
from typing import Any

from lisp.clos import generic
from lisp.clos.classes import find_class
from lisp.clos.methods import EqlSpecializer
from lisp.clos.printing import DESCRIBE_OBJECT, PRINT_OBJECT
from lisp.clos.protocol import ALLOCATE_INSTANCE, MAKE_INSTANCE, define_python_method
from lisp.clos.structures import (
    StructureClass,
    StructureObject,
    copy_structure,
    structure_class_of,
)
from lisp.runtime.condition_classes import ProgramError
from lisp.runtime.data import Symbol, cl_symbol, keyword
from lisp.runtime.namespace import builtin
from lisp.runtime.signals import raise_error
from lisp.runtime.streams import OutputStream
from lisp.syntax import printer, reader

builtin("COPY-STRUCTURE")(copy_structure)


# -- print-object ----------------------------------------------------------------------------------

# The structure whose default print-object method is running, per thread: the printer prints it
# as #S(...) although a method other than the standard ones applies (one that called
# call-next-method, or a call of print-object itself).
_forced = threading.local()


def _print_structure(obj: StructureObject, stream: OutputStream) -> None:
    saved = getattr(_forced, "obj", None)
    _forced.obj = obj
    try:
        printer.write(obj, stream)
    finally:
        _forced.obj = saved


_DEFAULT_METHOD = define_python_method(PRINT_OBJECT, ["STRUCTURE-OBJECT", "T"], "(object stream)",
                                       _print_structure)
_T_CLASS = find_class(cl_symbol("T"))
_STANDARD_METHODS = {id(_DEFAULT_METHOD)} | {id(m) for m in generic.methods_of(PRINT_OBJECT)
                                             if m.specializers[0] is _T_CLASS and not m.qualifiers}
# Structure class -> (PRINT-OBJECT's version, whether only the standard methods apply).
_by_default: dict[StructureClass, tuple[int, bool]] = {}


def prints_by_default(obj: StructureObject, cls: StructureClass) -> bool:
    """Whether ``obj`` (of class ``cls``) prints as ``#S(...)``: only the standard ``print-object``
    methods apply to it, or its default method is running."""
    if getattr(_forced, "obj", None) is obj:
        return True
    info = generic.info_of(PRINT_OBJECT)
    cached = _by_default.get(cls)
    if cached is not None and cached[0] == info.version:
        return cached[1]
    result = all(id(m) in _STANDARD_METHODS for m in generic.methods_of(PRINT_OBJECT)
                 if isinstance(m.specializers[0], EqlSpecializer) or m.specializers[0] in cls.precedence_list)
    _by_default[cls] = (info.version, result)
    return result


def install_printer(cls: StructureClass, option: Symbol | None, function: Any) -> None:
    """The ``print-object`` method that ``:print-function`` or ``:print-object`` asks for, replacing
    one an earlier definition of the structure made (none when ``option`` is None)."""
    old = getattr(cls, "printer_method", None)
    if old is not None and old.generic_function is not None:
        generic.remove_method(PRINT_OBJECT, old)
    cls.printer_method = None
    if option is None:
        return
    if option is keyword("PRINT-FUNCTION"):
        def print_structure(obj: Any, stream: Any) -> Any:
            return function(obj, stream, 0)  # the depth: the printer does not track it (README)
    else:
        def print_structure(obj: Any, stream: Any) -> Any:
            return function(obj, stream)  # a function, or a symbol naming one (called through it)
    lambda_list = reader.read_from_string("(object stream)")
    method = generic.make_method((), (cls, _T_CLASS), lambda_list, print_structure, wants_next=False)
    generic.add_method(PRINT_OBJECT, method)
    cls.printer_method = method


# -- describe ------------------------------------------------------------------------------------

def _describe_structure(obj: StructureObject, stream: OutputStream) -> None:
    """As SBCL: the object, ``[structure-object]``, then each slot and its value."""
    cls = structure_class_of(obj)
    lines = [printer.prin1_to_string(obj), "  [structure-object]"]
    if cls.slots:
        width = max(30, *(len(s.string) for s in cls.slots))
        lines += ["", "Slots with :INSTANCE allocation:"]
        lines += [f"  {s.string.ljust(width)} = {printer.prin1_to_string(value)}"
                  for s, value in zip(cls.slots, cls.slot_values(obj))]
    stream.write_string("\n".join(lines) + "\n")


define_python_method(DESCRIBE_OBJECT, ["STRUCTURE-OBJECT", "T"], "(object stream)", _describe_structure)


# -- make-instance, allocate-instance ------------------------------------------------------------------

def _make_instance(cls: StructureClass, *initargs: Any) -> StructureObject:
    """As SBCL: the slots' initforms, and no initargs (a structure's slots have none)."""
    if initargs:
        raise_error(ProgramError(f"MAKE-INSTANCE of the structure class {printer.prin1_to_string(cls.name)}: "
                                 f"invalid initialization argument {printer.prin1_to_string(initargs[0])} "
                                 f"(a structure's slots have no initargs)"))
    return cls.default_constructor()


def _allocate_instance(cls: StructureClass, *initargs: Any) -> StructureObject:
    """Every slot 0, as SBCL (S2: every slot has a value)."""
    obj = object.__new__(cls.python_type)
    for attribute in cls.attributes:
        setattr(obj, attribute, 0)
    return obj


define_python_method(MAKE_INSTANCE, ["STRUCTURE-CLASS"], "(class &rest initargs &key)", _make_instance)
define_python_method(ALLOCATE_INSTANCE, ["STRUCTURE-CLASS"], "(class &rest initargs &key)", _allocate_instance)
