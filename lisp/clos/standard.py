"""Standard classes (``defclass``): slot definitions, slot layouts, instances and slot access.

An instance is a :class:`Instance` of its class's own Python type, with two fields: ``_layout``,
the :class:`Layout` of its class when its slots were last arranged, and ``_slots``, a list of the
values of its local slots in layout order (:data:`UNBOUND` where a slot has no value). Class
allocated slots live in a :class:`Cell` of the class that defines them.

Redefining a class (CLHS 4.3.6) finalizes it and its subclasses again; each gets a new layout and
the old one is marked obsolete. An instance is brought up to date the next time one of its slots is
read or written (:func:`current_layout`): values of retained local slots are kept, a slot shared
before and local now takes the old shared value, and the others are reported to
``update-instance-for-redefined-class`` as added or discarded, which initializes the added ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lisp.clos import errors
from lisp.clos.classes import (
    CLASS_LOCK,
    ForwardReferencedClass,
    LispClass,
    class_of,
    display_name,
    register_type,
    subclasses_closure,
)
from lisp.clos.structures import slot_location
from lisp.runtime.data import NIL, Symbol, cl_symbol, keyword


class Unbound:
    """The value of a slot that has none."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "#<UNBOUND>"


UNBOUND = Unbound()

INSTANCE = keyword("INSTANCE")
CLASS = keyword("CLASS")


@dataclass
class DirectSlot:
    """A slot as ``defclass`` wrote it (a direct slot definition)."""

    name: Symbol
    initargs: tuple[Symbol, ...] = ()
    initform: Any = NIL
    initfunction: Callable[[], Any] | None = None
    readers: tuple[Any, ...] = ()
    writers: tuple[Any, ...] = ()
    allocation: Symbol = INSTANCE
    type: Any = None
    documentation: str | None = None


class Cell:
    """Storage of a class-allocated slot, shared by every instance of the classes that inherit it."""

    __slots__ = ("value",)

    def __init__(self, value: Any = UNBOUND) -> None:
        self.value = value


@dataclass
class EffectiveSlot:
    """A slot of a finalized class, merged from the direct slots of that name along the CPL."""

    name: Symbol
    initargs: tuple[Symbol, ...]
    initfunction: Callable[[], Any] | None
    initform: Any
    allocation: Symbol
    type: Any
    documentation: str | None
    location: int | Cell = field(default=0)


class Layout:
    """Where each slot of a class's instances is: an index into ``_slots`` or a class :class:`Cell`."""

    __slots__ = ("cls", "local_names", "locations", "obsolete")

    def __init__(self, cls: StandardClass, slots: Sequence[EffectiveSlot]) -> None:
        self.cls = cls
        self.local_names = tuple(s.name for s in slots if isinstance(s.location, int))
        self.locations: dict[Symbol, int | Cell] = {s.name: s.location for s in slots}
        self.obsolete = False


class Instance:
    """An instance of a standard class. Each standard class has its own Python subclass of this."""

    __slots__ = ("_layout", "_slots", "__weakref__")

    _layout: Layout
    _slots: list[Any]


class StandardClass(LispClass):
    """A class made by ``defclass``."""

    def __init__(self, name: Symbol | None, direct_superclasses: Iterable[LispClass],
                 direct_slots: Iterable[DirectSlot] = (), direct_default_initargs: Iterable[
                     tuple[Symbol, Any, Callable[[], Any]]] = (),
                 documentation: str | None = None) -> None:
        super().__init__(name, direct_superclasses, documentation)
        self.direct_slots: tuple[DirectSlot, ...] = tuple(direct_slots)
        self.direct_default_initargs = tuple(direct_default_initargs)
        self.class_cells: dict[Symbol, Cell] = {}
        self.slots: tuple[EffectiveSlot, ...] = ()
        self.default_initargs: tuple[tuple[Symbol, Any, Callable[[], Any]], ...] = ()
        self.layout: Layout | None = None
        self.python_type = type(display_name(self), (Instance,),
                                {"__slots__": (), "__module__": "lisp.user"})
        register_type(self.python_type, self)
        self._allocate_class_cells({})

    def _allocate_class_cells(self, old: dict[Symbol, Cell]) -> None:
        # A class slot that existed before keeps its cell, hence its value (CLHS 4.3.6).
        self.class_cells = {s.name: old.get(s.name) or Cell() for s in self.direct_slots
                            if s.allocation is CLASS}

    def finalize(self) -> None:
        """CPL, effective slots, default initargs and a fresh layout (the old one goes obsolete).

        A class with a forward-referenced superclass gets no layout until that one is defined.
        """
        super().finalize()
        old = self.layout
        if self.undefined_superclass() is not None:
            self.slots, self.default_initargs, self.layout = (), (), None
        else:
            self.slots = tuple(_effective_slots(self))
            self.default_initargs = tuple(_effective_default_initargs(self))
            self.layout = Layout(self, self.slots)
        if old is not None:
            old.obsolete = True

    def undefined_superclass(self) -> LispClass | None:
        """A forward-referenced class among the superclasses, if any."""
        return next((c for c in self.precedence_list if isinstance(c, ForwardReferencedClass)),
                    None)

    def redefine(self, direct_superclasses: Iterable[LispClass], direct_slots: Iterable[DirectSlot],
                 direct_default_initargs: Iterable[tuple[Symbol, Any, Callable[[], Any]]],
                 documentation: str | None) -> list[LispClass]:
        """Change the definition in place (CLHS 4.3.6); returns the classes whose CPL may change.

        Nothing changes if the new definition has an inconsistent precedence list.
        """
        with CLASS_LOCK:
            saved = (self.direct_superclasses, self.direct_slots, self.direct_default_initargs,
                     self.documentation, self.class_cells)
            self.set_direct_superclasses(tuple(direct_superclasses))
            self.direct_slots = tuple(direct_slots)
            self.direct_default_initargs = tuple(direct_default_initargs)
            self.documentation = documentation
            self._allocate_class_cells(self.class_cells)
            affected = subclasses_closure(self)
            try:
                for c in affected:
                    LispClass.finalize(c)  # checks every CPL before anything is replaced
            except Exception:
                self.set_direct_superclasses(saved[0])
                (_, self.direct_slots, self.direct_default_initargs, self.documentation,
                 self.class_cells) = saved
                for c in affected:
                    LispClass.finalize(c)
                raise
            for c in affected:
                c.finalize()
            return affected

    def set_direct_superclasses(self, supers: tuple[LispClass, ...]) -> None:
        for old in self.direct_superclasses:
            old.direct_subclasses.discard(self)
        self.direct_superclasses = supers
        for new in supers:
            new.direct_subclasses.add(self)

    def find_slot(self, name: Symbol) -> EffectiveSlot | None:
        for s in self.slots:
            if s.name is name:
                return s
        return None


def _effective_slots(cls: StandardClass) -> list[EffectiveSlot]:
    # Inherited slots first, as SBCL orders them; each name is merged along the CPL (CLHS 7.5.3).
    names: list[Symbol] = []
    for c in reversed(cls.precedence_list):
        for s in getattr(c, "direct_slots", ()):
            if s.name not in names:
                names.append(s.name)
    result = []
    index = 0
    for name in names:
        directs = [(c, s) for c in cls.precedence_list for s in getattr(c, "direct_slots", ())
                   if s.name is name]
        owner, first = directs[0]
        with_initform = next((s for _, s in directs if s.initfunction is not None), None)
        initargs = tuple(dict.fromkeys(a for _, s in directs for a in s.initargs))
        slot = EffectiveSlot(
            name=name, initargs=initargs,
            initfunction=with_initform.initfunction if with_initform else None,
            initform=with_initform.initform if with_initform else NIL,
            allocation=first.allocation,
            type=next((s.type for _, s in directs if s.type is not None), None),
            documentation=next((s.documentation for _, s in directs if s.documentation), None))
        if first.allocation is CLASS:
            slot.location = owner.class_cells[name]
        else:
            slot.location = index
            index += 1
        result.append(slot)
    return result


def _effective_default_initargs(cls: StandardClass) -> list[tuple[Symbol, Any, Callable[[], Any]]]:
    seen: dict[Symbol, tuple[Symbol, Any, Callable[[], Any]]] = {}
    for c in cls.precedence_list:
        for entry in getattr(c, "direct_default_initargs", ()):
            seen.setdefault(entry[0], entry)
    return list(seen.values())


# -- instances ----------------------------------------------------------------------------------

def _unfinished(cls: StandardClass) -> Exception:
    missing = cls.undefined_superclass()
    return errors.clos_error(f"the class {display_name(cls)} cannot have instances yet: its "
                             f"superclass {display_name(missing)} is not defined")


def allocate_instance(cls: StandardClass) -> Instance:
    """A new instance of ``cls`` with every local slot unbound."""
    layout = cls.layout
    if layout is None:
        raise _unfinished(cls)
    obj = cls.python_type.__new__(cls.python_type)
    obj._layout = layout
    obj._slots = [UNBOUND] * len(layout.local_names)
    return obj


class Hooks:
    """The generic functions this module calls back, installed by :mod:`lisp.clos.protocol`.

    Until then they have the standard's default behaviour.
    """

    def __init__(self) -> None:
        self.slot_missing: Callable[..., Any] = default_slot_missing
        self.slot_unbound: Callable[..., Any] = default_slot_unbound
        # (instance, added names, discarded names, plist of discarded values), after rearranging.
        self.update_instance_for_redefined_class: Callable[..., Any] | None = None


def default_slot_missing(cls: LispClass, obj: Any, name: Symbol, operation: Symbol,
                         new_value: Any = NIL) -> Any:
    """The standard's ``slot-missing``: an error naming the slot, the object and the operation."""
    raise errors.slot_missing_error(obj, name, operation)


def default_slot_unbound(cls: LispClass, obj: Any, name: Symbol) -> Any:
    """The standard's ``slot-unbound``: an UNBOUND-SLOT error."""
    raise errors.unbound_slot_error(obj, name)


HOOKS = Hooks()


def current_layout(obj: Instance) -> Layout:
    """The layout of ``obj``, first bringing an instance of a redefined class up to date."""
    layout = obj._layout
    if not layout.obsolete:
        return layout
    with CLASS_LOCK:
        layout = obj._layout
        if not layout.obsolete:
            return layout
        if layout.cls.layout is None:
            raise _unfinished(layout.cls)
        added, discarded, plist = _rearrange(obj, layout, layout.cls.layout)
    if HOOKS.update_instance_for_redefined_class is not None:
        HOOKS.update_instance_for_redefined_class(obj, added, discarded, plist)
    return obj._layout


def change_class(obj: Instance, new_class: StandardClass) -> Instance:
    """Make ``obj`` an instance of ``new_class`` in place (CLHS 7.2): slots it has in both keep
    their values. Returns a copy of the object as it was; the caller runs
    ``update-instance-for-different-class``."""
    if new_class.layout is None:
        raise _unfinished(new_class)
    with CLASS_LOCK:
        old = current_layout(obj)
        previous = old.cls.python_type.__new__(old.cls.python_type)
        previous._layout, previous._slots = old, list(obj._slots)
        # Every standard class's Python type has Instance's layout, so the type can be swapped.
        obj.__class__ = new_class.python_type
        _rearrange(obj, old, new_class.layout)
    return previous


def _rearrange(obj: Instance, old: Layout, new: Layout) -> tuple[list[Symbol], list[Symbol], list[Any]]:
    values = [UNBOUND] * len(new.local_names)
    added: list[Symbol] = []
    for i, name in enumerate(new.local_names):
        where = old.locations.get(name)
        if where is None:
            added.append(name)
        else:
            values[i] = obj._slots[where] if isinstance(where, int) else where.value
    discarded: list[Symbol] = []
    plist: list[Any] = []
    for name in old.local_names:
        if not isinstance(new.locations.get(name), int):
            discarded.append(name)
            value = obj._slots[old.locations[name]]
            if value is not UNBOUND:
                plist += [name, value]
    obj._slots = values
    obj._layout = new
    return added, discarded, plist


def _location(obj: Any, name: Symbol) -> int | Cell | None:
    if not isinstance(obj, Instance):
        return None
    return current_layout(obj).locations.get(name)


def _missing(obj: Any, name: Symbol, operation: str, new_value: Any = NIL) -> Any:
    return HOOKS.slot_missing(class_of(obj), obj, name, cl_symbol(operation), new_value)


def slot_value(obj: Any, name: Symbol) -> Any:
    """CL ``slot-value``."""
    if isinstance(obj, Instance):
        layout = obj._layout
        if layout.obsolete:
            layout = current_layout(obj)
        where = layout.locations.get(name)
        if where.__class__ is int:
            value = obj._slots[where]
        elif where is not None:
            value = where.value
        else:
            return _missing(obj, name, "SLOT-VALUE")
        if value is UNBOUND:
            return HOOKS.slot_unbound(class_of(obj), obj, name)
        return value
    in_structure = slot_location(obj, name)
    if in_structure is not None:
        cls, index = in_structure
        return getattr(obj, cls.attributes[index])
    return _missing(obj, name, "SLOT-VALUE")


def slot_reader(name: Symbol) -> Callable[[Instance], Any]:
    """The function of a reader method of slot ``name``: a local, bound slot of an up-to-date
    instance is read directly; anything else goes through :func:`slot_value`."""

    def read(obj: Instance) -> Any:
        layout = obj._layout
        if not layout.obsolete:
            where = layout.locations.get(name)
            if where.__class__ is int:
                value = obj._slots[where]
                if value is not UNBOUND:
                    return value
        return slot_value(obj, name)

    return read


def set_slot_value(obj: Any, name: Symbol, value: Any) -> Any:
    """CL ``(setf slot-value)``: returns ``value``."""
    where = _location(obj, name)
    in_structure = slot_location(obj, name) if where is None else None
    if in_structure is not None:
        cls, index = in_structure
        cls.write_slot(obj, index, value)  # a read-only slot too, as SBCL's SLOT-VALUE does
    elif where is None:
        _missing(obj, name, "SETF", value)
    elif isinstance(where, int):
        obj._slots[where] = value
    else:
        where.value = value
    return value


def slot_boundp(obj: Any, name: Symbol) -> bool:
    """CL ``slot-boundp``."""
    where = _location(obj, name)
    if where is None and slot_location(obj, name) is not None:
        return True  # a structure's slots are always bound
    if where is None:
        return _missing(obj, name, "SLOT-BOUNDP") is not NIL
    value = obj._slots[where] if isinstance(where, int) else where.value
    return value is not UNBOUND


def slot_makunbound(obj: Any, name: Symbol) -> Any:
    """CL ``slot-makunbound``: returns the instance."""
    where = _location(obj, name)
    if where is None and slot_location(obj, name) is not None:
        raise errors.clos_error(f"SLOT-MAKUNBOUND: the slots of a structure cannot be unbound "
                                f"(the slot {errors.show(name)} of {errors.show(obj)})")
    if where is None:
        _missing(obj, name, "SLOT-MAKUNBOUND")
    elif isinstance(where, int):
        obj._slots[where] = UNBOUND
    else:
        where.value = UNBOUND
    return obj


def slot_exists_p(obj: Any, name: Symbol) -> bool:
    """CL ``slot-exists-p``."""
    return _location(obj, name) is not None or slot_location(obj, name) is not None
