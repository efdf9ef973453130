"""Structures in the printer and the reader: ``#S(name :slot value ...)``.

A structure prints as ``#S(...)`` inside the printer (:data:`lisp.syntax.printer.structure_print_parts`),
so ``*print-level*``, ``*print-length*`` and ``*print-circle*`` apply to it and its slots, as long
as only the standard ``print-object`` methods apply to it (:func:`.protocol.prints_by_default`);
otherwise the printer calls ``print-object``. ``#S`` reads by calling the structure's keyword
constructor with the slot names as keywords (CLHS 2.4.8.13); ``#n#`` inside it is patched in.
"""

from __future__ import annotations

from typing import Any

from lisp.clos.structures import StructureObject, structure_class_of
from lisp.library.arguments import string_designator
from lisp.library.structures.description import DESCRIPTIONS
from lisp.library.structures.protocol import prints_by_default
from lisp.runtime.data import Symbol, keyword
from lisp.runtime.namespace import get_function
from lisp.syntax import printer, reader


def structure_print_parts(obj: Any) -> tuple[Symbol, list[tuple[Symbol, Any]]] | None:
    """What the printer prints as ``#S(...)``: the name and the (slot name, value) pairs of a
    structure that prints by default; None for anything else."""
    cls = structure_class_of(obj)
    if cls is None or not prints_by_default(obj, cls):
        return None
    return cls.name, [(s.name, getattr(obj, a)) for s, a in zip(cls.slots, cls.attributes)]


def make_structure(name: Any, initargs: list[Any]) -> StructureObject:
    """``#S(name key value ...)``: a call of the structure's keyword constructor, the keys made
    keywords (they may be any string designators)."""
    d = DESCRIPTIONS.get(name) if isinstance(name, Symbol) else None
    if d is None or d.representation != "class":
        raise LookupError(f"{printer.prin1_to_string(name)} is not a defined structure type")
    constructor = d.keyword_constructor
    if constructor is None:
        raise LookupError(f"the structure {printer.prin1_to_string(name)} has no constructor that "
                          f"takes keyword arguments, which #S needs")
    args = []
    for key, value in zip(initargs[::2], initargs[1::2]):
        args += [keyword(string_designator(key)), value]
    return get_function(constructor)(*args)


def patch_structure(obj: Any, placeholder: Any, value: Any) -> list[Any] | None:
    """Replace ``placeholder`` by ``value`` among the slots of ``obj`` (for ``#n#``); the other
    slot values, or None if ``obj`` is no structure."""
    cls = structure_class_of(obj)
    if cls is None:
        return None
    inside = []
    for attribute in cls.attributes:
        slot_value = getattr(obj, attribute)
        if slot_value is placeholder:
            setattr(obj, attribute, value)
        else:
            inside.append(slot_value)
    return inside


printer.structure_print_parts = structure_print_parts
reader.make_structure = make_structure
reader.patch_structure = patch_structure
