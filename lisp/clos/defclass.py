"""``ensure-class``: define or redefine a standard class, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lisp.clos import errors
from lisp.clos.builtin import BUILT_IN_CLASSES
from lisp.clos.classes import CLASS_LOCK, LispClass, as_class, display_name, find_class, set_find_class
from lisp.clos.cpl import InconsistentPrecedence
from lisp.clos.standard import DirectSlot, StandardClass
from lisp.data import Symbol

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
    supers = [as_class(s, where) for s in direct_superclasses] or [BUILT_IN_CLASSES["STANDARD-OBJECT"]]
    for s in supers:
        if not isinstance(s, StandardClass) and s is not BUILT_IN_CLASSES["STANDARD-OBJECT"]:
            raise errors.clos_error(f"{where}: the superclass {display_name(s)} is not a standard "
                                    f"class")
    slots = list(direct_slots)
    _check_unique([s.name for s in slots], where, "slot")
    initargs = list(default_initargs)
    _check_unique([entry[0] for entry in initargs], where, "default initarg")
    with CLASS_LOCK:
        existing = find_class(name, errorp=False)
        if existing is not None and not isinstance(existing, StandardClass):
            raise errors.clos_error(f"{where}: {display_name(existing)} is a built-in class and "
                                    f"cannot be redefined")
        try:
            if existing is None:
                cls = StandardClass(name, (), slots, initargs, documentation)
                affected = cls.redefine(supers, slots, initargs, documentation)
                set_find_class(name, cls)
            else:
                cls = existing
                affected = cls.redefine(supers, slots, initargs, documentation)
        except InconsistentPrecedence as exc:
            among = " ".join(display_name(c) for c in exc.remaining)
            raise errors.clos_error(f"{where}: the local precedence orders of the superclasses "
                                    f"contradict each other (no consistent order among {among})"
                                    ) from None
    for hook in class_redefined_hooks:
        hook(affected)
    return cls


def display_name_of(name: Symbol) -> str:
    return name.name if isinstance(name, Symbol) else repr(name)


def _check_unique(names: list[Any], where: str, what: str) -> None:
    seen = set()
    for n in names:
        if n in seen:
            raise errors.program_error(f"{where}: the {what} {display_name_of(n)} is given twice")
        seen.add(n)
