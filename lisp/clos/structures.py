"""Structure classes (``defstruct`` without ``:type``): the class metaobject, the Python type of its
instances and the functions that make, copy and read them.

Each structure class has its own Python type with ``__slots__``, derived from the type of the
structure it includes (``:include`` is single inheritance, as Python's is), so an instance is a
plain Python object and reading a slot is one attribute load, which CPython specializes.

Invariants, relied on by the accessors here and by the code ``lisp.library.structures`` compiles:

- **S1 one attribute name per slot and class.** Every slot has, in each class that has it, an
  attribute name of that class's own (``s17_0_X`` in POINT, ``s18_0_X`` in a POINT3 that includes
  it: the member descriptor of the included slot is installed under the new name in the subclass
  too). So ``obj.s18_0_X`` succeeds on POINT3 and its subtypes only; on anything else (a POINT,
  NIL, 5) Python raises AttributeError, which the host-error translation makes a TYPE-ERROR naming
  the structure type (the names are registered in ``lisp.runtime.host_errors.ATTRIBUTE_TYPES``).
- **S2 every slot is always bound.** Every way to make an instance (:meth:`StructureClass.allocate`,
  the copier, ``allocate-instance``) sets every slot, so a failed load means exactly that the
  object is not of the type, and a store preceded by a load of the same attribute never adds an
  attribute to a foreign object that has a ``__dict__``.

Redefinition (CLHS says it is undefined; SBCL's behaviour): a definition with the same included
class and the same slots (names, types, read-only) keeps the class, its Python type and its
instances. Any other change makes a new class under the name; instances and compiled code of the
old one keep working with the old class's functions, and the new accessors reject them (S1).
"""

from __future__ import annotations

import itertools
import re
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lisp.clos.classes import CLASS_LOCK, LispClass, find_class, register_type
from lisp.library.hashtables import EQUALP_PARTS
from lisp.library.types import type_predicate
from lisp.runtime.condition_classes import LispTypeError
from lisp.runtime.data import COMMON_LISP, NIL, Cons, Symbol, T, cl_symbol
from lisp.runtime.equality import EQUALP_BY_TYPE, equalp_p
from lisp.runtime.host_errors import ATTRIBUTE_TYPES
from lisp.runtime.signals import raise_error, type_error
from lisp.syntax.printer import prin1_to_string


class StructureObject:
    """An instance of a structure class. Each structure class has its own Python subclass of this."""

    __slots__ = ()


@dataclass(frozen=True)
class StructureSlot:
    """A slot of a structure class: its name, its type specifier (T: any) and whether it is read-only."""

    name: Symbol
    type: Any = T
    read_only: bool = False

    @property
    def string(self) -> str:
        """The slot's name as a string (NIL may name a slot)."""
        return "NIL" if self.name is NIL else self.name.name

    def same_as(self, other: StructureSlot) -> bool:
        return (self.name is other.name and self.read_only == other.read_only
                and equalp_p(self.type, other.type))


_serials = itertools.count(1)


class _NoValue:
    __slots__ = ()

    def __repr__(self) -> str:
        return "#<NO-VALUE>"


NO_VALUE = _NoValue()
"""What a constructor passes for a typed slot it leaves uninitialized (a BOA ``&aux`` variable
without a value, CLHS 3.4.6): the allocator stores NIL without checking the type (SBCL leaves the
slot unbound)."""


def _no_instances(*_args: Any) -> Any:
    raise TypeError("structure-object has no direct instances")


class StructureClass(LispClass):
    """The class of a structure type (CL's ``structure-class``).

    ``slots`` are all the slots, those of the included structure first; ``attributes`` their
    attribute names in this class (S1). ``structure-object`` itself is one, with no slots.
    """

    def __init__(self, name: Symbol | None, direct_superclasses: Iterable[LispClass] = (),
                 documentation: str | None = None) -> None:
        super().__init__(name, direct_superclasses, documentation)
        self.included: StructureClass | None = None
        self.slots: tuple[StructureSlot, ...] = ()
        self.attributes: tuple[str, ...] = ()
        self.slot_index: dict[Symbol, int] = {}
        # Per slot: a function checking a new value's type (None for type T); see _slot_check.
        self.checks: list[Callable[[Any], None] | None] = []
        self.python_type = StructureObject
        # Made per class by _make_functions: (slot values...) -> a new instance; instance -> a copy.
        self.allocate: Callable[..., StructureObject] = _no_instances
        self.copy_instance: Callable[[Any], StructureObject] = _no_instances
        # Set by defstruct: a new instance with the slots' initforms (make-instance calls it).
        self.default_constructor: Callable[[], StructureObject] = _no_instances

    def compatible(self, included: StructureClass | None, slots: Sequence[StructureSlot]) -> bool:
        """Whether a definition with ``included`` and ``slots`` can keep this class (see the module
        docstring)."""
        return (included is self.included and len(slots) == len(self.slots)
                and all(a.same_as(b) for a, b in zip(slots, self.slots)))

    # -- the functions of a structure ------------------------------------------------------------

    def reader(self, index: int, label: str) -> Callable[[Any], Any]:
        """A function reading slot ``index`` of an instance of this class (a TYPE-ERROR for anything
        else: S1), named ``label``."""
        attribute = self.attributes[index]
        fn = _function(label, "obj", [f"return obj.{attribute}"], {})
        fn.structure_attribute = attribute
        return fn

    def writer(self, index: int, label: str) -> Callable[[Any, Any], Any]:
        """A setf function (new value first) writing slot ``index``, checking the slot's type.
        It carries the attribute it writes and the check (``structure_check``, None for a slot of
        type T), for compiled ``setf`` (``lisp.library.structures.compiled``)."""
        attribute, check = self.attributes[index], self.checks[index]
        body = [f"obj.{attribute}", *([] if check is None else ["check(value)"]),
                f"obj.{attribute} = value", "return value"]
        fn = _function(label, "value, obj", body, {"check": check})
        fn.structure_attribute, fn.structure_check = attribute, check
        return fn

    def predicate(self, label: str) -> Callable[[Any], Any]:
        """The type predicate: T for an instance of this class or of one that includes it."""
        return _function(label, "obj", ["return T if isinstance(obj, C) else NIL"],
                         {"C": self.python_type, "T": T, "NIL": NIL})

    def copier(self, label: str) -> Callable[[Any], Any]:
        """A copier: checks that its argument is of this type, then copies it whole (a copy of an
        included structure's instance is of that instance's own type)."""
        return _function(label, "obj", ["if not isinstance(obj, C): type_error(obj, NAME)",
                                        "return obj._structure_class.copy_instance(obj)"],
                         {"C": self.python_type, "NAME": self.name, "type_error": type_error})

    def slot_values(self, obj: StructureObject) -> list[Any]:
        """The values of ``obj``'s slots, in order."""
        return [getattr(obj, a) for a in self.attributes]

    def write_slot(self, obj: StructureObject, index: int, value: Any) -> Any:
        """Store ``value`` in slot ``index`` of ``obj`` (an instance of this class), checked."""
        check = self.checks[index]
        if check is not None:
            check(value)
        setattr(obj, self.attributes[index], value)
        return value


def _slot_check(cls: StructureClass, slot: StructureSlot) -> Callable[[Any], None] | None:
    """A function signalling a TYPE-ERROR for a value not of the slot's type; None for type T.

    The type is resolved at the first check: it may name a structure defined after this one (or
    this one). A type made only of COMMON-LISP symbols always means the same, so its test is kept;
    another is looked up at each check (a DEFTYPE may change it).
    """
    spec = slot.type
    if spec is T:
        return None
    stable = _standard_symbols_only(spec)
    kept: list[Callable[[Any], bool]] = []

    def check(value: Any) -> None:
        if kept:
            test = kept[0]
        else:
            test = type_predicate(spec)
            if stable:
                kept.append(test)
        if not test(value):
            raise_error(LispTypeError(f"the value {prin1_to_string(value)} is not of type "
                                      f"{prin1_to_string(spec)} when setting slot "
                                      f"{prin1_to_string(slot.name)} of structure "
                                      f"{prin1_to_string(cls.name)}", datum=value, expected_type=spec))

    return check


def _standard_symbols_only(spec: Any) -> bool:
    if isinstance(spec, Cons):
        return _standard_symbols_only(spec.car) and _standard_symbols_only(spec.cdr)
    return not isinstance(spec, Symbol) or spec.package is COMMON_LISP or spec.is_keyword


def define_structure_class(name: Symbol, included: StructureClass | None,
                           slots: Sequence[StructureSlot], documentation: str | None) -> StructureClass:
    """A new structure class ``name`` including ``included`` (None: only ``structure-object``),
    with ``slots`` (the included ones first), made known to ``find-class``, ``class-of``, the
    dispatchers and ``equalp``."""
    with CLASS_LOCK:
        parent = included or find_class(cl_symbol("STRUCTURE-OBJECT"))
        cls = StructureClass(name, (parent,), documentation)
        cls.included = included
        cls.slots = tuple(slots)
        cls.slot_index = {s.name: i for i, s in enumerate(cls.slots)}
        cls.checks = [_slot_check(cls, s) for s in cls.slots]
        cls.python_type = _python_type(cls, included)
        _make_functions(cls)
        cls.finalize()
        register_type(cls.python_type, cls)
        EQUALP_BY_TYPE[cls.python_type] = _equalp_of(cls)
        EQUALP_PARTS[cls.python_type] = cls.slot_values
        return cls


def _python_type(cls: StructureClass, included: StructureClass | None) -> type:
    serial = next(_serials)
    inherited = len(included.slots) if included is not None else 0
    cls.attributes = tuple(f"s{serial}_{i}_{_identifier_part(s.string)}" for i, s in enumerate(cls.slots))
    base = included.python_type if included is not None else StructureObject
    pytype = type(prin1_to_string(cls.name), (base,),
                  {"__slots__": cls.attributes[inherited:], "__module__": "lisp.user",
                   "_structure_class": cls})
    for i in range(inherited):  # S1: the included slots under this class's names too
        setattr(pytype, cls.attributes[i], _descriptor(included, i))
    for attribute in cls.attributes:
        ATTRIBUTE_TYPES[attribute] = cls.name
    return pytype


def _descriptor(cls: StructureClass, index: int) -> Any:
    """The member descriptor that stores slot ``index`` of ``cls``'s instances."""
    for klass in cls.python_type.__mro__:
        found = klass.__dict__.get(cls.attributes[index])
        if found is not None:
            return found
    raise AssertionError(f"no descriptor for {cls.attributes[index]}")


def _identifier_part(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "_", name)[:24]


def _make_functions(cls: StructureClass) -> None:
    values = [f"v{i}" for i in range(len(cls.slots))]
    body = ["obj = new(C)"]
    for i, attribute in enumerate(cls.attributes):
        if cls.checks[i] is not None:
            body += [f"if {values[i]} is NO_VALUE:", f"    {values[i]} = None",
                     "else:", f"    check{i}({values[i]})"]
        body.append(f"obj.{attribute} = {values[i]}")
    body.append("return obj")
    namespace = {"new": object.__new__, "C": cls.python_type, "NO_VALUE": NO_VALUE,
                 **{f"check{i}": check for i, check in enumerate(cls.checks)}}
    label = prin1_to_string(cls.name)
    cls.allocate = _function(f"%ALLOCATE-{label}", ", ".join(values), body, namespace)
    copy_body = ["new_obj = new(C)", *(f"new_obj.{a} = obj.{a}" for a in cls.attributes), "return new_obj"]
    cls.copy_instance = _function(f"%COPY-{label}", "obj", copy_body, namespace)


def _equalp_of(cls: StructureClass) -> Callable[[Any, Any], bool]:
    attributes = cls.attributes

    def equalp(a: Any, b: Any) -> bool:
        return all(equalp_p(getattr(a, x), getattr(b, x)) for x in attributes)

    return equalp


def _function(label: str, parameters: str, body: list[str], namespace: dict[str, Any]) -> Any:
    """A Python function made from ``body`` (lines of source), called ``label`` in tracebacks and
    in argument-count errors."""
    source = f"def f({parameters}):\n" + "".join(f"    {line}\n" for line in body)
    exec(source, namespace)  # noqa: S102 - our own source, made of identifiers we generated
    code = namespace.pop("f").__code__.replace(co_name=label, co_qualname=label)
    return types.FunctionType(code, namespace, label)


def structure_class_of(obj: Any) -> StructureClass | None:
    """The structure class of ``obj``, None if it is no structure instance."""
    return type(obj)._structure_class if isinstance(obj, StructureObject) else None


def copy_structure(obj: Any) -> StructureObject:
    """CL ``copy-structure``: a shallow copy."""
    if not isinstance(obj, StructureObject):
        return type_error(obj, cl_symbol("STRUCTURE-OBJECT"))
    return type(obj)._structure_class.copy_instance(obj)


def slot_location(obj: Any, name: Symbol) -> tuple[StructureClass, int] | None:
    """For ``slot-value`` and friends: the class and index of slot ``name`` of the structure
    ``obj``, None if ``obj`` is no structure or has no such slot."""
    cls = structure_class_of(obj)
    if cls is None:
        return None
    index = cls.slot_index.get(name)
    return None if index is None else (cls, index)
