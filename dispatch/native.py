"""The native callable: a heap type, made once with ``PyType_FromSpecWithBases`` through ctypes,
whose instances are called through a per-instance vectorcall pointer.

Instance layout (standard, GIL-enabled 64-bit CPython 3.11-3.13; checked at import)::

    0   PyObject_HEAD (refcount, type)
    16  vectorcall pointer  -- the current dispatcher; swapped by one aligned 8-byte store
    24  __dict__            -- all Python-level state (methods, call history, ...)
    32  __weakref__ list
    40  miss handler        -- borrowed PyObject*, kept alive by the instance's __dict__

The type's base is the Python class carrying the generic-function API; from it the type inherits
garbage-collector support (traverse and clear visit ``__dict__``) and every method. ``tp_call`` is
``PyVectorcall_Call`` for callers that do not use vectorcall.
"""

from __future__ import annotations

import ctypes
import importlib
import platform
import struct
import sys
import sysconfig
import threading
import types
from typing import Any

VECTORCALL_OFFSET = 16
DICT_OFFSET = 24
WEAKLIST_OFFSET = 32
MISS_HANDLER_OFFSET = 40
BASIC_SIZE = 48
OB_TYPE_OFFSET = 8
TP_VECTORCALL_OFFSET = 56  # in a type object: where its instances keep their vectorcall pointer
TP_FLAGS = 168             # in a type object: tp_flags (an unsigned long)

_Py_tp_call = 50
_Py_tp_members = 72
_Py_tp_new = 65
TP_NEW_SLOT = _Py_tp_new
_Py_T_PYSSIZET = 19
_Py_READONLY = 1
_Py_TPFLAGS_HAVE_VECTORCALL = 1 << 11


class _PyTypeSlot(ctypes.Structure):
    _fields_ = [("slot", ctypes.c_int), ("pfunc", ctypes.c_void_p)]


class _PyTypeSpec(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("basicsize", ctypes.c_int), ("itemsize", ctypes.c_int),
                ("flags", ctypes.c_uint), ("slots", ctypes.POINTER(_PyTypeSlot))]


class _PyMemberDef(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("type", ctypes.c_int), ("offset", ctypes.c_ssize_t),
                ("flags", ctypes.c_int), ("doc", ctypes.c_char_p)]


def _capi_address(name: str) -> int:
    return ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value  # type: ignore[return-value]


def vectorcall_offset(obj: Any) -> int:
    """Where ``obj`` keeps its vectorcall pointer (``tp_vectorcall_offset``), 0 if its type has
    none. The pointer itself may be NULL: callers must then go through ``PyObject_Vectorcall``."""
    tp = type(obj)
    if not tp.__flags__ & _Py_TPFLAGS_HAVE_VECTORCALL:
        return 0
    return ctypes.c_ssize_t.from_address(id(tp) + TP_VECTORCALL_OFFSET).value


def unavailable_reason() -> str | None:
    """Why native dispatchers cannot be trusted in this interpreter, or None if they can."""
    if platform.python_implementation() != "CPython":
        return f"{platform.python_implementation()} is not CPython"
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return "free-threaded build: a dispatcher swap is not safe without the GIL (invariant I1)"
    if not (3, 11) <= sys.version_info[:2] <= (3, 13):
        return f"CPython {sys.version_info[0]}.{sys.version_info[1]}: object layout not checked"
    if struct.calcsize("P") != 8 or object.__basicsize__ != 16:
        return "unexpected PyObject header size"
    if sys.byteorder != "little":
        return "big-endian: reference counts are read as words at offset 0 (dispatch.steps)"
    probe = object()
    if ctypes.c_void_p.from_address(id(probe) + OB_TYPE_OFFSET).value != id(object):
        return "ob_type is not at offset 8"
    if any(ctypes.c_ulong.from_address(id(t) + TP_FLAGS).value != t.__flags__
           for t in (type, types.FunctionType)) or vectorcall_offset(unavailable_reason) == 0:
        return f"tp_flags is not at offset {TP_FLAGS} or functions have no vectorcall pointer"
    try:
        importlib.import_module("jit")  # dispatch's only route to native code
    except ImportError as e:
        return f"the jit layer cannot be imported: {e}"
    return None


_type_names: list[ctypes.Array[ctypes.c_char]] = []

_Py_T_OBJECT_EX = 16


def object_member(name: str, offset: int) -> tuple[str, int, int]:
    """A ``PyObject*`` field for :func:`make_heap_type`: a strong reference that the inherited
    garbage-collector support visits, clears (when not read-only) and releases at deallocation."""
    return (name, _Py_T_OBJECT_EX, offset)


def vectorcall_member(offset: int) -> tuple[str, int, int]:
    """The ``__vectorcalloffset__`` member for :func:`make_heap_type`."""
    return ("__vectorcalloffset__", _Py_T_PYSSIZET, offset)


def make_heap_type(base: type, name: str, basicsize: int, members: list[tuple[str, int, int]],
                   slots: list[tuple[int, int]], flags: int = 0) -> type:
    """A heap type made with ``PyType_FromSpecWithBases`` subclassing ``base``, whose instances
    are ``basicsize`` bytes with per-instance vectorcall (the ``__vectorcalloffset__`` member
    must be among ``members``: (name, member type, offset)). ``slots``: (slot id, address).

    Relied on (CPython 3.11-3.13): a type made from a spec records its members after its
    header with ``Py_SIZE`` = their count, and inherits from a Python-level ``base`` the
    ``subtype_traverse``/``subtype_clear``/``subtype_dealloc`` functions, which walk every such
    type's ``T_OBJECT_EX`` members: visiting them, clearing and releasing the writable ones."""
    table = (_PyMemberDef * (len(members) + 1))(
        *(_PyMemberDef(n.encode(), kind, offset, 0 if kind == _Py_T_OBJECT_EX else _Py_READONLY, None)
          for n, kind, offset in members),
        _PyMemberDef(None, 0, 0, 0, None))
    slot_table = (_PyTypeSlot * (len(slots) + 3))(
        _PyTypeSlot(_Py_tp_call, _capi_address("PyVectorcall_Call")),
        _PyTypeSlot(_Py_tp_members, ctypes.addressof(table)),
        *(_PyTypeSlot(slot, address) for slot, address in slots),
        _PyTypeSlot(0, None))
    # CPython 3.11 keeps pointing at the spec's name (tp_name): it must live forever.
    _type_names.append(ctypes.create_string_buffer(name.encode()))
    spec = _PyTypeSpec(ctypes.cast(_type_names[-1], ctypes.c_char_p), basicsize, 0,
                       _Py_TPFLAGS_HAVE_VECTORCALL | flags, slot_table)
    from_spec = ctypes.pythonapi.PyType_FromSpecWithBases
    from_spec.restype = ctypes.py_object
    from_spec.argtypes = [ctypes.c_void_p, ctypes.py_object]
    # The slots and members are copied: they need not outlive this call.
    tp = from_spec(ctypes.addressof(spec), (base,))
    if tp.__basicsize__ != basicsize or not tp.__flags__ & _Py_TPFLAGS_HAVE_VECTORCALL:
        raise RuntimeError(f"{tp!r} did not get the expected layout")
    # Compiled code finds callees' vectorcall pointers through TP_VECTORCALL_OFFSET (see
    # dispatch.vectorcall): check it on a type whose answer we know.
    wanted = next(offset for n, _, offset in members if n == "__vectorcalloffset__")
    if ctypes.c_ssize_t.from_address(id(tp) + TP_VECTORCALL_OFFSET).value != wanted:
        raise RuntimeError(f"tp_vectorcall_offset is not at offset {TP_VECTORCALL_OFFSET} of a type")
    return tp


def make_native_type(base: type, name: str) -> type:
    """The heap type of native generic functions, subclassing ``base`` (which must add no
    instance layout: ``__slots__ = ()``)."""
    if base.__basicsize__ != object.__basicsize__:
        raise TypeError(f"{base!r} must not add instance layout (give it __slots__ = ())")
    members = [vectorcall_member(VECTORCALL_OFFSET),
               ("__dictoffset__", _Py_T_PYSSIZET, DICT_OFFSET),
               ("__weaklistoffset__", _Py_T_PYSSIZET, WEAKLIST_OFFSET)]
    return make_heap_type(base, name, BASIC_SIZE, members,
                          [(_Py_tp_new, _capi_address("PyType_GenericNew"))])


def store_pointer(obj: Any, offset: int, address: int) -> None:
    """One aligned 8-byte store into ``obj`` (atomic for other threads: we hold the GIL)."""
    ctypes.c_void_p.from_address(id(obj) + offset).value = address


def load_pointer(obj: Any, offset: int) -> int:
    return ctypes.c_void_p.from_address(id(obj) + offset).value or 0


_trampoline: Any = None
_trampoline_lock = threading.Lock()

_TRAMPOLINE_IR = f"""
declare ptr @PyObject_Vectorcall(ptr, ptr, i64, ptr)

define ptr @gfjit_miss_trampoline(ptr %self, ptr %args, i64 %nargsf, ptr %kwnames) {{
entry:
  %slot = getelementptr i8, ptr %self, i64 {MISS_HANDLER_OFFSET}
  %handler = load ptr, ptr %slot, align 8
  %r = musttail call ptr @PyObject_Vectorcall(ptr %handler, ptr %args, i64 %nargsf, ptr %kwnames)
  ret ptr %r
}}
"""


def trampoline_address() -> int:
    """The shared dispatcher that sends every call to the instance's miss handler (compiled once
    per process, never released)."""
    global _trampoline
    with _trampoline_lock:
        if _trampoline is None:
            from dispatch.jitlink import compile_module
            _trampoline = compile_module(_TRAMPOLINE_IR, "gfjit_miss_trampoline", embeds_addresses=False)
        return _trampoline.address("gfjit_miss_trampoline")
