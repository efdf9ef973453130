"""Object creation and initialization (CLHS 7.1): the default methods of ``make-instance``,
``shared-initialize``, ``initialize-instance``, ``reinitialize-instance`` and
``update-instance-for-redefined-class``, as Python functions with the Lisp calling convention
(keyword arguments arrive as alternating key/value positional arguments)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lisp.clos import errors
from lisp.clos.classes import BuiltInClass, LispClass, as_class, display_name
from lisp.clos.standard import UNBOUND, Instance, StandardClass, current_layout
from lisp.runtime.data import NIL, T, iter_list, keyword

ALLOW_OTHER_KEYS = keyword("ALLOW-OTHER-KEYS")


def initarg_pairs(initargs: tuple[Any, ...], who: str) -> list[tuple[Any, Any]]:
    """The (key, value) pairs of an initarg list; an odd length is a PROGRAM-ERROR."""
    if len(initargs) % 2:
        raise errors.program_error(f"{who}: odd number of initialization arguments")
    return list(zip(initargs[::2], initargs[1::2]))


def with_default_initargs(cls: StandardClass, initargs: tuple[Any, ...]) -> tuple[Any, ...]:
    """``initargs`` followed by the class's default initargs that they do not supply (CLHS 7.1.3)."""
    given = set(initargs[::2])
    extra: list[Any] = []
    for key, _form, thunk in cls.default_initargs:
        if key not in given:
            extra += [key, thunk()]
    return initargs + tuple(extra)


def slot_initargs(cls: StandardClass) -> set[Any]:
    return {a for s in cls.slots for a in s.initargs}


def shared_initialize(instance: Instance, slot_names: Any, *initargs: Any) -> Instance:
    """Fill slots from initargs, then unbound ones named by ``slot_names`` (T: all) from their
    initforms (CLHS 7.1.4)."""
    pairs = initarg_pairs(initargs, "SHARED-INITIALIZE")
    layout = current_layout(instance)
    cls = layout.cls
    names = None if slot_names is T else set(iter_list(slot_names))
    for slot in cls.slots:
        value = _initarg_value(slot.initargs, pairs)
        if value is not UNBOUND:
            _store(instance, layout.locations[slot.name], value)
        elif (names is None or slot.name in names) and slot.initfunction is not None \
                and _load(instance, layout.locations[slot.name]) is UNBOUND:
            _store(instance, layout.locations[slot.name], slot.initfunction())
    return instance


def _initarg_value(slot_initargs: Iterable[Any], pairs: list[tuple[Any, Any]]) -> Any:
    for key, value in pairs:  # the leftmost occurrence wins
        if key in slot_initargs:
            return value
    return UNBOUND


def _store(instance: Instance, where: Any, value: Any) -> None:
    if isinstance(where, int):
        instance._slots[where] = value
    else:
        where.value = value


def _load(instance: Instance, where: Any) -> Any:
    return instance._slots[where] if isinstance(where, int) else where.value


def standard_class(designator: Any, who: str) -> StandardClass:
    """The standard class that ``make-instance`` is asked for (a class or a class name)."""
    cls = as_class(designator, who)
    if not isinstance(cls, StandardClass):
        kind = "built-in" if isinstance(cls, BuiltInClass) else "undefined"
        raise errors.clos_error(f"{who}: cannot make an instance of the {kind} class "
                                f"{display_name(cls)}")
    return cls


def describe_initargs(valid: Iterable[Any]) -> str:
    return " ".join(sorted(errors.show(k) for k in valid)) or "none"


def invalid_initarg_error(cls: LispClass, key: Any, valid: Iterable[Any], who: str) -> Exception:
    return errors.program_error(f"{who}: invalid initialization argument {errors.show(key)} for class "
                                f"{display_name(cls)}; valid initargs: {describe_initargs(valid)}")


def check_initargs(cls: StandardClass, initargs: tuple[Any, ...], valid: frozenset[Any] | None,
                   who: str) -> None:
    """Raise a PROGRAM-ERROR for a key that is not a valid initarg (CLHS 7.1.2); ``valid`` None
    means every key is valid (some applicable method has ``&allow-other-keys``)."""
    pairs = initarg_pairs(initargs, who)
    if valid is None or dict(reversed(pairs)).get(ALLOW_OTHER_KEYS, NIL) is not NIL:
        return
    for key, _ in pairs:
        if key not in valid and key is not ALLOW_OTHER_KEYS:
            raise invalid_initarg_error(cls, key, valid, who)


def make_instance_steps(cls: StandardClass, initargs: tuple[Any, ...],
                        valid: Callable[[StandardClass], frozenset[Any] | None],
                        allocate: Callable[..., Any], initialize: Callable[..., Any]) -> Instance:
    """The default ``make-instance``: default initargs, check them, allocate, initialize."""
    who = f"MAKE-INSTANCE {display_name(cls)}"
    full = with_default_initargs(cls, initargs)
    check_initargs(cls, full, valid(cls), who)
    instance = allocate(cls, *full)
    initialize(instance, *full)
    return instance
