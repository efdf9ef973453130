"""``ensure-class``: define or redefine a standard class, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from lisp.clos import errors
from lisp.clos.builtin import BUILT_IN_CLASSES
from lisp.clos.classes import (
    CLASS_LOCK,
    ForwardReferencedClass,
    LispClass,
    as_class,
    display_name,
    find_class,
    set_find_class,
)
from lisp.clos.cpl import InconsistentPrecedence
from lisp.clos.standard import DirectSlot, StandardClass
from lisp.runtime.data import Symbol

DefaultInitarg = tuple[Symbol, Any, Callable[[], Any]]

# Called with every class whose precedence list or slots a (re)definition may have changed, after
# the change: lisp.clos.protocol drops the dispatchers' knowledge of them there.
class_redefined_hooks: list[Callable[[list[LispClass]], None]] = []


def ensure_class(name: Symbol, direct_superclasses: Iterable[Any] = (),
                 direct_slots: Iterable[DirectSlot] = (),
                 default_initargs: Iterable[DefaultInitarg] = (),
                 documentation: str | None = None) -> StandardClass:
    """Define the standard class ``name`` or redefine it in place (CLHS ``defclass``).

    Superclasses are classes or names of defined classes; none means ``standard-object``. On any
    error (unknown or built-in superclass, duplicate slot, inconsistent precedence) nothing changes.
    """
    where = f"DEFCLASS {display_name_of(name)}"
    forwards: dict[Symbol, ForwardReferencedClass] = {}
    supers = [_superclass(s, where, forwards) for s in direct_superclasses] \
        or [BUILT_IN_CLASSES["STANDARD-OBJECT"]]
    for s in supers:
        if not isinstance(s, (StandardClass, ForwardReferencedClass)) \
                and s is not BUILT_IN_CLASSES["STANDARD-OBJECT"]:
            raise errors.clos_error(f"{where}: the superclass {display_name(s)} is not a standard "
                                    f"class")
    slots = list(direct_slots)
    _check_unique([s.name for s in slots], where, "slot")
    initargs = list(default_initargs)
    _check_unique([entry[0] for entry in initargs], where, "default initarg")
    with CLASS_LOCK:
        existing = find_class(name, errorp=False)
        if existing is not None and existing.name is not name:
            existing = None  # renamed by (setf class-name): the definition makes a new class, as SBCL
        if existing is not None and not isinstance(existing, (StandardClass,
                                                              ForwardReferencedClass)):
            raise errors.clos_error(f"{where}: {display_name(existing)} is a built-in class and "
                                    f"cannot be redefined")
        try:
            if existing is None or isinstance(existing, ForwardReferencedClass):
                cls = StandardClass(name, (), slots, initargs, documentation)
                with _taking_place_of(existing, cls):
                    affected = cls.redefine(supers, slots, initargs, documentation)
                set_find_class(name, cls)
            else:
                cls = existing
                affected = cls.redefine(supers, slots, initargs, documentation)
            for forward in forwards.values():
                set_find_class(forward.name, forward)
        except InconsistentPrecedence as exc:
            among = " ".join(display_name(c) for c in exc.remaining)
            raise errors.clos_error(f"{where}: the local precedence orders of the superclasses "
                                    f"contradict each other (no consistent order among {among})"
                                    ) from None
    for hook in class_redefined_hooks:
        hook(affected)
    return cls


def _superclass(designator: Any, where: str,
                forwards: dict[Symbol, ForwardReferencedClass]) -> LispClass:
    # An undefined name becomes a forward-referenced class (CLHS 4.3.1), registered only once
    # the definition succeeds.
    if isinstance(designator, Symbol) and find_class(designator, errorp=False) is None:
        if designator not in forwards:
            forwards[designator] = ForwardReferencedClass(designator)
        return forwards[designator]
    return as_class(designator, where)


@contextmanager
def _taking_place_of(forward: ForwardReferencedClass | None, cls: StandardClass) -> Iterator[None]:
    """Make the subclasses of a forward-referenced class subclasses of ``cls`` instead; undone
    if the block fails."""
    subs = list(forward.direct_subclasses) if forward is not None else []
    swaps = [(sub, sub.direct_superclasses) for sub in subs]
    for sub, old in swaps:
        sub.set_direct_superclasses(tuple(cls if s is forward else s for s in old))
    try:
        yield
    except BaseException:
        for sub, old in swaps:
            sub.set_direct_superclasses(old)
        raise


def display_name_of(name: Symbol) -> str:
    return name.name if isinstance(name, Symbol) else repr(name)


def _check_unique(names: list[Any], where: str, what: str) -> None:
    seen = set()
    for n in names:
        if n in seen:
            raise errors.program_error(f"{where}: the {what} {display_name_of(n)} is given twice")
        seen.add(n)
