"""Class metaobjects: what a Lisp class is, and how every Python type gets one.

Every Lisp class has a *dispatch key*, a Python type: ``cls.python_type``. ``dispatch`` sees only
Python types, so a method specialized on a Lisp class is a method on that key, and the class
precedence list dispatch uses for ``type(obj)`` is :func:`precedence_types`, the keys of the
object's Lisp CPL. The keys' own Python bases never matter to dispatch (C3 would reject some CLOS
hierarchies), which is why a standard class's Python type derives directly from
:class:`~lisp.clos.instances.Instance` whatever its superclasses.

- A built-in class whose objects have one Python type uses that type as key (``integer`` -> int,
  ``null`` -> NoneType, ``cons`` -> Cons, ...); an abstract one (``number``, ``list``...) gets a
  marker type no object ever has. ``t`` is ``object``.
- Other Python types seen at run time (``bool``, ``SourceCons``, a user's Python class) get a
  :class:`PythonClass` whose CPL is the Python MRO, each member replaced by its Lisp class's CPL.
- A :class:`StandardClass` (``defclass``) gets a fresh Python type, kept across redefinitions so
  the dispatchers' keys stay valid; :func:`lisp.clos.instances` holds the slot layout.

All definitions and redefinitions hold :data:`CLASS_LOCK`, a re-entrant lock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from typing import Any

from dispatch import hold_across_fork
from lisp.clos.cpl import compute_class_precedence_list
from lisp.runtime.condition_classes import condition_class
from lisp.runtime.data import NIL, Symbol

CLASS_LOCK = threading.RLock()
hold_across_fork(CLASS_LOCK)  # a child of os.fork() finds it free


class LispClass:
    """A class metaobject: name, direct superclasses, class precedence list and dispatch key."""

    python_type: type

    def __init__(self, name: Symbol | None, direct_superclasses: Iterable[LispClass] = (),
                 documentation: str | None = None) -> None:
        self.name = name
        self.direct_superclasses: tuple[LispClass, ...] = tuple(direct_superclasses)
        self.direct_subclasses: weakref.WeakSet[LispClass] = weakref.WeakSet()
        self.documentation = documentation
        self.precedence_list: tuple[LispClass, ...] = ()
        self.precedence_types: tuple[type, ...] = ()
        for sup in self.direct_superclasses:
            sup.direct_subclasses.add(self)

    def finalize(self) -> None:
        """Compute the class precedence list (CLHS 4.3.5) and its dispatch keys."""
        self.precedence_list = tuple(compute_class_precedence_list(self))
        self.precedence_types = tuple(c.python_type for c in self.precedence_list)

    def is_subclass_of(self, other: LispClass) -> bool:
        return other in self.precedence_list

    def __repr__(self) -> str:
        return f"#<{type(self).__name__} {display_name(self)}>"


class ForwardReferencedClass(LispClass):
    """A class named as a superclass before it is defined (CLHS 4.3.1): it has no instances and
    its subclasses cannot make any until ``defclass`` defines it."""

    def __init__(self, name: Symbol) -> None:
        super().__init__(name, ())
        self.python_type = type(f"forward:{name.name}", (), {"__slots__": ()})
        self.finalize()


class BuiltInClass(LispClass):
    """A class of the standard whose instances are Python objects: ``integer``, ``cons``, ..."""


class PythonClass(BuiltInClass):
    """The Lisp class of a Python type that no Lisp class names: its CPL follows the Python MRO.

    It holds its type only weakly: it is the value of a WeakKeyDictionary keyed by that type
    (:data:`_foreign`), and a strong reference would make every Python class that ever reached a
    generic function immortal (dispatch's invariant I2 relies on dead classes being collected).
    """

    def __init__(self, pytype: type) -> None:
        self._type_ref = weakref.ref(pytype)
        # Condition classes (lisp.runtime.condition_classes) carry their Lisp name.
        name = pytype.__dict__.get("lisp_name")
        super().__init__(name if isinstance(name, Symbol) else None, ())

    @property
    def python_type(self) -> type:
        pytype = self._type_ref()
        if pytype is None:
            raise ReferenceError(f"the Python type of {self!r} has been collected")
        return pytype

    @property
    def precedence_types(self) -> tuple[type, ...]:
        # The first key is this class's own type, which must stay weak; the others are its
        # bases' keys, which the type keeps alive anyway.
        return (self.python_type, *self._inherited_types)

    @precedence_types.setter
    def precedence_types(self, types: tuple[type, ...]) -> None:
        self._inherited_types = types[1:]

    def finalize(self) -> None:
        # The MRO's order, where a type that a standard built-in class stands for brings that
        # class's whole precedence list (int: INTEGER RATIONAL REAL NUMBER).
        seen: dict[int, LispClass] = {id(self): self}
        for base in self.python_type.__mro__[1:]:
            cls = class_for_type(base)
            for c in (cls,) if isinstance(cls, PythonClass) else cls.precedence_list:
                seen.setdefault(id(c), c)
        t_class = _by_type[object]
        # T comes last whatever the MRO said about object.
        seen.pop(id(t_class), None)
        self.precedence_list = (*seen.values(), t_class)
        self.precedence_types = tuple(c.python_type for c in self.precedence_list)
        self.direct_superclasses = tuple(class_for_type(b) for b in self.python_type.__bases__)

    def __repr__(self) -> str:
        return f"#<BUILT-IN-CLASS {display_name(self)}>"


def display_name(cls: LispClass) -> str:
    if isinstance(cls, PythonClass) and cls.name is None:
        t = cls._type_ref()
        if t is None:
            return "(collected Python class)"
        return f"PY:{t.__module__}.{t.__qualname__}"
    name = cls.name
    if name is None:
        return "(anonymous)"
    if name.package is not None and name.package.name in ("COMMON-LISP", "COMMON-LISP-USER"):
        return name.name
    return repr(name)


# -- registries ---------------------------------------------------------------------------------

# Lisp class of each Python type that names one (keys, plus aliases such as BuiltinFunctionType).
_by_type: dict[type, LispClass] = {}
# PythonClass metaobjects die with their type.
_foreign: weakref.WeakKeyDictionary[type, PythonClass] = weakref.WeakKeyDictionary()
# find-class table: class name -> class.
_by_name: dict[Symbol, LispClass] = {}


def register_type(pytype: type, cls: LispClass) -> None:
    """Make ``cls`` the Lisp class of objects whose Python type is exactly ``pytype``."""
    with CLASS_LOCK:
        _by_type[pytype] = cls


def class_for_type(pytype: type) -> LispClass:
    """The Lisp class of objects of Python type ``pytype`` (made for a new Python type)."""
    cls = _by_type.get(pytype)
    if cls is not None:
        return cls
    cls = _foreign.get(pytype)
    if cls is not None:
        return cls
    with CLASS_LOCK:
        cls = _foreign.get(pytype)
        if cls is None:
            cls = PythonClass(pytype)
            cls.finalize()
            _foreign[pytype] = cls
        return cls


def class_of(obj: Any) -> LispClass:
    """CL ``class-of``."""
    return class_for_type(type(obj))


def precedence_types(pytype: type) -> tuple[type, ...]:
    """The dispatch keys of the CPL of objects of Python type ``pytype`` (the hook for dispatch)."""
    return class_for_type(pytype).precedence_types


def find_class(name: Symbol, errorp: bool = True) -> LispClass | None:
    """CL ``find-class``; an unknown name is an error when ``errorp``."""
    cls = _by_name.get(name)
    if cls is None:
        cls = _condition_class(name)
    if cls is None and errorp:
        from lisp.clos.errors import unknown_class_error
        raise unknown_class_error(name)
    return cls


def _condition_class(name: Symbol) -> LispClass | None:
    pytype = condition_class(name) if isinstance(name, Symbol) else None
    return None if pytype is None else class_for_type(pytype)


def set_find_class(name: Symbol, cls: LispClass | None) -> None:
    """CL ``(setf find-class)``; NIL removes the name."""
    with CLASS_LOCK:
        if cls is NIL:
            _by_name.pop(name, None)
        else:
            _by_name[name] = cls


def as_class(designator: Any, where: str) -> LispClass:
    """A class from a class or a class name (CL's class designator); raises naming ``where``."""
    if isinstance(designator, LispClass):
        return designator
    if isinstance(designator, Symbol):
        return find_class(designator)
    if isinstance(designator, type):
        return class_for_type(designator)
    from lisp.clos.errors import clos_error
    raise clos_error(f"{where}: {designator!r} is not a class or a class name")


def subclasses_closure(cls: LispClass) -> list[LispClass]:
    """``cls`` and every class that has it as a superclass, superclasses before subclasses."""
    out: dict[int, LispClass] = {}

    def visit(c: LispClass) -> None:
        if id(c) not in out:
            out[id(c)] = c
            for sub in list(c.direct_subclasses):
                visit(sub)

    visit(cls)
    return list(out.values())


def subtypep(sub: LispClass, sup: LispClass) -> bool:
    """Whether ``sub`` is ``sup`` or one of its subclasses."""
    return sup in sub.precedence_list


def typep(obj: Any, cls: LispClass) -> bool:
    """Whether ``obj`` is an instance of ``cls`` or of a subclass."""
    return cls in class_of(obj).precedence_list

