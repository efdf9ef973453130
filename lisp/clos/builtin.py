"""The built-in classes of the standard, their precedence lists (CLHS 4.3.7, figure 4-8) and the
Python types of their instances."""

from __future__ import annotations

import fractions
import types

from dispatch import GenericFunction, PythonGenericFunction
from lisp.clos.classes import BuiltInClass, LispClass, PythonClass, register_type, set_find_class
from lisp.clos.methods import LispMethod
from lisp.clos.standard import Instance, StandardClass
from lisp.clos.structures import StructureClass, StructureObject
from lisp.library.hashtables import HashTable
from lisp.runtime.arrays import BitVector, LispArray, LispString, LispVector
from lisp.runtime.condition_classes import Condition
from lisp.runtime.data import Char, Cons, Package, SourceCons, Symbol, cl_symbol
from lisp.runtime.ratio import Ratio
from lisp.runtime.streams import Stream

# (name, direct superclasses, Python type of the instances or None for an abstract class).
# The direct superclasses are chosen so the CLOS algorithm yields the standard's precedence lists.
_BUILT_IN: list[tuple[str, tuple[str, ...], type | None]] = [
    ("T", (), object),
    ("NUMBER", ("T",), None),
    ("REAL", ("NUMBER",), None),
    ("RATIONAL", ("REAL",), None),
    ("INTEGER", ("RATIONAL",), int),
    ("RATIO", ("RATIONAL",), Ratio),
    ("FLOAT", ("REAL",), float),
    ("COMPLEX", ("NUMBER",), complex),
    ("CHARACTER", ("T",), Char),
    ("SYMBOL", ("T",), Symbol),
    ("SEQUENCE", ("T",), None),
    ("LIST", ("SEQUENCE",), None),
    ("NULL", ("SYMBOL", "LIST"), type(None)),
    ("CONS", ("LIST",), Cons),
    ("ARRAY", ("T",), LispArray),
    ("VECTOR", ("ARRAY", "SEQUENCE"), list),
    ("STRING", ("VECTOR",), str),
    ("BIT-VECTOR", ("VECTOR",), BitVector),
    ("HASH-TABLE", ("T",), HashTable),
    ("FUNCTION", ("T",), types.FunctionType),
    ("PACKAGE", ("T",), Package),
    ("STREAM", ("T",), Stream),
    ("CONDITION", ("T",), Condition),
    ("STANDARD-OBJECT", ("T",), Instance),
    ("STRUCTURE-OBJECT", ("T",), StructureObject),
    ("CLASS", ("STANDARD-OBJECT",), LispClass),
    ("BUILT-IN-CLASS", ("CLASS",), BuiltInClass),
    ("STANDARD-CLASS", ("CLASS",), StandardClass),
    ("STRUCTURE-CLASS", ("CLASS",), StructureClass),
    ("GENERIC-FUNCTION", ("FUNCTION",), None),
    ("STANDARD-GENERIC-FUNCTION", ("GENERIC-FUNCTION",), GenericFunction),
    ("METHOD", ("T",), None),
    ("STANDARD-METHOD", ("METHOD", "STANDARD-OBJECT"), LispMethod),
]

# Further Python types whose objects belong to one of the classes above.
_ALIASES: list[tuple[type, str]] = [
    (SourceCons, "CONS"),
    (LispVector, "VECTOR"),
    (LispString, "STRING"),
    (fractions.Fraction, "RATIO"),  # made by Python code (see lisp.runtime.ratio)
    (types.BuiltinFunctionType, "FUNCTION"),
    (types.MethodType, "FUNCTION"),
    (types.BuiltinMethodType, "FUNCTION"),
    (PythonClass, "BUILT-IN-CLASS"),
    (PythonGenericFunction, "STANDARD-GENERIC-FUNCTION"),
]

BUILT_IN_CLASSES: dict[str, LispClass] = {}
# The classes above whose metaclass is not built-in-class.
_METACLASSES: dict[str, type[LispClass]] = {"STRUCTURE-OBJECT": StructureClass}


def _marker(name: str) -> type:
    # A dispatch key no object ever has: the class is abstract.
    return type(f"lisp:{name.lower()}", (), {"__slots__": (), "__module__": "lisp.clos.builtin"})


def _define_built_ins() -> None:
    for name, supers, pytype in _BUILT_IN:
        metaclass = _METACLASSES.get(name, BuiltInClass)
        cls = metaclass(cl_symbol(name), [BUILT_IN_CLASSES[s] for s in supers])
        cls.python_type = pytype if pytype is not None else _marker(name)
        cls.finalize()
        BUILT_IN_CLASSES[name] = cls
        register_type(cls.python_type, cls)
        set_find_class(cls.name, cls)
    for pytype, name in _ALIASES:
        register_type(pytype, BUILT_IN_CLASSES[name])


_define_built_ins()


def define_built_in_class(name: str, pytype: type) -> LispClass:
    """A built-in class ``name`` (a COMMON-LISP symbol's name), direct subclass of T, of the
    objects whose Python type is ``pytype``: ``typep``, ``type-of``, ``find-class`` and
    method specializers know it (for the types a library module defines, as PATHNAME)."""
    cls = BuiltInClass(cl_symbol(name), [BUILT_IN_CLASSES["T"]])
    cls.python_type = pytype
    cls.finalize()
    register_type(pytype, cls)
    set_find_class(cls.name, cls)
    return cls
