"""Reading and writing the raw fields of live objects and types: what Python code cannot reach.

All of these hold the GIL (they run as Python code), so each store is seen whole by other
threads, which also run under the GIL.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable

from .layout import (MEMBER_DEF_OFFSET, MEMBER_DESCR_MEMBER, MEMBER_DESCR_TYPE, SLOT_OFFSETS, TP_FLAGS,
                     TPFLAGS_BASETYPE, TPFLAGS_IMMUTABLETYPE, Slot)


def load_pointer(obj: object, offset: int) -> int:
    """The 8-byte word at ``offset`` in ``obj`` (0 for NULL)."""
    return ctypes.c_void_p.from_address(id(obj) + offset).value or 0


def store_pointer(obj: object, offset: int, address: int) -> None:
    """One aligned 8-byte store of ``address`` at ``offset`` in ``obj``: another thread sees the
    old word or the new one. Reference counts are the caller's business."""
    ctypes.c_void_p.from_address(id(obj) + offset).value = address


def _slot_word(cls: type, slot: Slot) -> ctypes.c_void_p:
    if slot not in SLOT_OFFSETS:
        raise ValueError(f"type slot {slot!r} is not one the kit reads or replaces: {list(SLOT_OFFSETS)}")
    return ctypes.c_void_p.from_address(id(cls) + SLOT_OFFSETS[slot])


def type_slot(cls: type, slot: Slot) -> int:
    """The C function in ``cls``'s ``slot`` (``Slot.tp_dealloc``, ...; 0 for NULL)."""
    return _slot_word(cls, slot).value or 0


def replace_type_slots(changes: Iterable[tuple[type, Slot, int, int]]) -> None:
    """For each ``(cls, slot, address, expected)``: make the C function at ``address`` ``cls``'s
    ``slot``. Every slot must still hold ``expected`` (what CPython gives such a class, which the
    caller reads on a class like it), else RuntimeError and no slot changed. Python code assigning
    the matching dunder on the class later would put CPython's function back: callers freeze the
    class (:func:`freeze_type`) or say that it must not."""
    changes = list(changes)
    for cls, slot, _, expected in changes:
        if (_slot_word(cls, slot).value or 0) != expected:
            raise RuntimeError(f"{cls.__qualname__}: {slot.name} is not the expected function")
    for cls, slot, address, _ in changes:
        _slot_word(cls, slot).value = address


def freeze_type(cls: type, *, final: bool) -> None:
    """Make ``cls`` immutable (``Py_TPFLAGS_IMMUTABLETYPE``): Python code can then neither set nor
    delete its attributes (``__next__``, ``__del__``, ... which would put CPython's slot functions
    back or add a finalizer) nor assign ``__class__`` to or from it. ``final``: no new subclass
    either (``Py_TPFLAGS_BASETYPE`` off; those made before stay). For a class whose type slots
    generated code replaced (:func:`replace_type_slots`)."""
    flags = ctypes.c_ulong.from_address(id(cls) + TP_FLAGS)
    flags.value = (flags.value | TPFLAGS_IMMUTABLETYPE) & ~(TPFLAGS_BASETYPE if final else 0)
    _type_modified(cls)  # CPython's caches of the type's attributes start again


_type_modified = ctypes.PYFUNCTYPE(None, ctypes.py_object)(("PyType_Modified", ctypes.pythonapi))


def member_offset(cls: type, name: str) -> int:
    """The offset in instances of ``cls`` of its ``__slots__`` member ``name``, read from the
    member descriptor's ``PyMemberDef`` (whose layout is checked on the way)."""
    descriptor = cls.__dict__.get(name)
    if type(descriptor).__name__ != "member_descriptor":
        raise TypeError(f"{cls.__qualname__}.{name} is not a __slots__ member")
    if ctypes.c_void_p.from_address(id(descriptor) + MEMBER_DESCR_TYPE).value != id(cls):
        raise RuntimeError(f"{cls.__qualname__}.{name}: unexpected member descriptor layout")
    member = ctypes.c_void_p.from_address(id(descriptor) + MEMBER_DESCR_MEMBER).value
    if member is None or ctypes.c_char_p.from_address(member).value != name.encode():
        raise RuntimeError(f"{cls.__qualname__}.{name}: unexpected PyMemberDef layout")
    return ctypes.c_ssize_t.from_address(member + MEMBER_DEF_OFFSET).value
