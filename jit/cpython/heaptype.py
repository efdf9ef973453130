"""Heap types made from a spec (``PyType_FromSpecWithBases``, through ctypes), whose instances
have a layout generated code reads: object fields at fixed offsets, a per-instance vectorcall
pointer, and, for :func:`make_callable_type`, a slot for a fallback callable.

Relied on (CPython 3.11-3.13): a type made from a spec records its members after its header with
``Py_SIZE`` = their count, and inherits from a Python-level ``base`` the ``subtype_traverse``,
``subtype_clear`` and ``subtype_dealloc`` functions, which walk every such type's ``T_OBJECT_EX``
members: visiting them, clearing and releasing the writable ones. So an object field holds a
strong reference that the collector sees, may clear (to NULL: generated code reading it must test
for that) and deallocation releases.
"""

from __future__ import annotations

import ctypes
import types
import weakref
from collections.abc import Sequence
from typing import NamedTuple

from .. import capi
from .fields import load_pointer, store_pointer, type_slot
from .layout import (OBJECT_HEAD_SIZE, READONLY, T_OBJECT_EX, T_PYSSIZET, TPFLAGS_HAVE_VECTORCALL,
                     PyMemberDef, PyTypeSlot, PyTypeSpec, Slot, type_from_spec)


class Member(NamedTuple):
    """A ``PyMemberDef`` of a heap type: ``kind`` is a ``T_*`` type of ``jit.cpython.layout``."""

    name: str
    kind: int
    offset: int
    hidden: bool = False  # deleted from the type once made: Python code cannot reach it


def object_member(name: str, offset: int, *, hidden: bool = False) -> Member:
    """A ``PyObject*`` field (a strong reference, see the module's note). ``hidden``: its
    attribute is deleted from the type, so Python code can neither replace nor delete what
    generated code relies on; the collector still visits and clears it."""
    return Member(name, T_OBJECT_EX, offset, hidden)


def vectorcall_member(offset: int) -> Member:
    """Where instances keep their vectorcall pointer (``__vectorcalloffset__``); the type gets
    ``tp_call = PyVectorcall_Call`` for callers that do not use vectorcall."""
    return Member("__vectorcalloffset__", T_PYSSIZET, offset)


def dict_member(offset: int) -> Member:
    """Where instances keep their ``__dict__``."""
    return Member("__dictoffset__", T_PYSSIZET, offset)


def weaklist_member(offset: int) -> Member:
    """Where instances keep their list of weak references."""
    return Member("__weaklistoffset__", T_PYSSIZET, offset)


# CPython 3.11 keeps pointing at the spec's name (tp_name): it must live forever.
_type_names: list[ctypes.Array[ctypes.c_char]] = []


def make_heap_type(base: type, name: str, basicsize: int, members: Sequence[Member],
                   slots: Sequence[tuple[Slot, int]] = (), flags: int = 0) -> type:
    """A heap type subclassing ``base`` whose instances are ``basicsize`` bytes with ``members``
    (at most one vectorcall member, see :func:`vectorcall_member`), given the C functions
    ``slots`` ((slot, address), e.g. ``(Slot.tp_new, capi.address("PyType_GenericNew"))``) and the
    type ``flags``. Raises RuntimeError if the type did not get that layout."""
    if min((m.offset for m in members), default=basicsize) < base.__basicsize__:
        raise ValueError(f"{name}: members overlap the layout of {base.__qualname__}")
    table = (PyMemberDef * (len(members) + 1))(
        *(PyMemberDef(m.name.encode(), m.kind, m.offset, 0 if m.kind == T_OBJECT_EX else READONLY, None)
          for m in members),
        PyMemberDef(None, 0, 0, 0, None))
    calls = [m for m in members if m.name == "__vectorcalloffset__"]
    if len(calls) > 1:
        raise ValueError(f"{name}: more than one vectorcall member")
    given = [*slots, (Slot.tp_members, ctypes.addressof(table))]
    if calls:
        flags |= TPFLAGS_HAVE_VECTORCALL
        given.append((Slot.tp_call, capi.address("PyVectorcall_Call")))
    slot_table = (PyTypeSlot * (len(given) + 1))(*(PyTypeSlot(s, a) for s, a in given), PyTypeSlot(0, None))
    _type_names.append(ctypes.create_string_buffer(name.encode()))
    spec = PyTypeSpec(ctypes.cast(_type_names[-1], ctypes.c_char_p), basicsize, 0, flags, slot_table)
    # The slots and members are copied: they need not outlive this call.
    tp = type_from_spec(ctypes.addressof(spec), (base,))
    if tp.__basicsize__ != basicsize or tp.__flags__ & flags != flags:
        raise RuntimeError(f"{tp!r} did not get the expected layout")
    for m in members:
        if m.hidden:
            delattr(tp, m.name)
    return tp


# Instances of a callable type (make_callable_type):
CALLABLE_VECTORCALL = 16  # the code its calls run: swapped by one aligned 8-byte store
CALLABLE_DICT = 24  # __dict__: all Python-level state
CALLABLE_WEAKLIST = 32
CALLABLE_MISS = 40  # the fallback, an owned PyObject*: see make_callable_type and set_fallback
CALLABLE_SIZE = 48


def make_callable_type(base: type, name: str) -> type:
    """A type of callables whose calls run machine code, subclassing ``base`` (which must add no
    instance layout: ``__slots__ = ()``; every method of the callable is its own):

        0   PyObject_HEAD
        16  CALLABLE_VECTORCALL  the code, with the vectorcall signature; a new instance has NULL
                                 there, and calling it is then a TypeError, not a crash
        24  CALLABLE_DICT        __dict__
        32  CALLABLE_WEAKLIST    weak references
        40  CALLABLE_MISS        the fallback, where the code sends every call it does not
                                 handle (``Function.tail_call_slot(CALLABLE_MISS)``; and
                                 :func:`jit.cpython.trampoline_address` sends it all of them): a
                                 reference the instance owns, hidden from Python code, so nothing
                                 done to the instance's attributes can free it while the code
                                 may call it; NULL in a new instance

    Set the fallback with :func:`set_fallback`, then store the code's address with
    :func:`jit.cpython.store_pointer`. The type is final (no ``Py_TPFLAGS_BASETYPE``). An
    instance that is an attribute of a class binds as a function does.
    Garbage-collector support (``__dict__``, the fallback) comes from ``base``."""
    if base.__basicsize__ != OBJECT_HEAD_SIZE:
        raise TypeError(f"{base!r} must not add instance layout (give it __slots__ = ())")
    members = [vectorcall_member(CALLABLE_VECTORCALL), dict_member(CALLABLE_DICT),
               weaklist_member(CALLABLE_WEAKLIST), object_member("__fallback__", CALLABLE_MISS, hidden=True)]
    # Bound as a function is (an attribute of a class binds the instance: a method object whose
    # call is a vectorcall with the instance first, no frame): CPython's own tp_descr_get of
    # functions, which only returns the callable itself or PyMethod_New(callable, instance).
    slots = [(Slot.tp_new, capi.address("PyType_GenericNew")),
             (Slot.tp_descr_get, type_slot(types.FunctionType, Slot.tp_descr_get))]
    tp = make_heap_type(base, name, CALLABLE_SIZE, members, slots)
    _callable_types.add(tp)
    return tp


_callable_types: weakref.WeakSet[type] = weakref.WeakSet()
_incref = ctypes.PYFUNCTYPE(None, ctypes.py_object)(("Py_IncRef", ctypes.pythonapi))
_decref = ctypes.PYFUNCTYPE(None, ctypes.c_void_p)(("Py_DecRef", ctypes.pythonapi))


def set_fallback(callable_: object, fallback: object) -> None:
    """Make ``fallback`` the fallback of ``callable_``, an instance of a type made by
    :func:`make_callable_type`, which then owns a reference to it; the one it had is released
    (after the store: whatever that runs sees the new fallback)."""
    if type(callable_) not in _callable_types:
        raise TypeError(f"{type(callable_).__qualname__} is not a type made by make_callable_type")
    _incref(fallback)
    old = load_pointer(callable_, CALLABLE_MISS)
    store_pointer(callable_, CALLABLE_MISS, id(fallback))
    if old:
        _decref(old)
