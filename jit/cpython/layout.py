"""Where CPython keeps what generated code reads and writes, the C structures handed to it, and
the check that the running interpreter is the one these numbers describe: CPython 3.11-3.13,
64-bit, little-endian, with a GIL.

The check runs once, at import, on objects whose answers are known; its verdict is
:func:`unavailable_reason`. Nothing built from these numbers may run where it is not None.
"""

from __future__ import annotations

import ctypes
import enum
import platform
import struct
import sys
import sysconfig
import types

from .. import capi

# -- PyObject, PyVarObject, PyTupleObject ----------------------------------------------------------

OB_REFCNT = 0  # Py_ssize_t; on 3.12+ an immortal object has all low 32 bits set
OB_TYPE = 8
OBJECT_HEAD_SIZE = 16
OB_SIZE = 16  # a PyVarObject's length (a tuple's item count)
TUPLE_ITEMS = 24  # a tuple's first item

# -- PyTypeObject -----------------------------------------------------------------------------------

TP_DEALLOC = 48
TP_VECTORCALL_OFFSET = 56  # where instances keep their vectorcall pointer
TP_FLAGS = 168  # an unsigned long
TP_TRAVERSE = 184
TP_ITER = 216
TP_ITERNEXT = 224
TP_DESCR_GET = 272
TP_FREE = 320

TPFLAGS_DISALLOW_INSTANTIATION = 1 << 7
TPFLAGS_IMMUTABLETYPE = 1 << 8
TPFLAGS_BASETYPE = 1 << 10
TPFLAGS_HAVE_VECTORCALL = 1 << 11

# -- PyMemberDescrObject and PyMemberDef ------------------------------------------------------------

MEMBER_DESCR_TYPE = 16  # d_type
MEMBER_DESCR_MEMBER = 40  # d_member, the PyMemberDef
MEMBER_DEF_OFFSET = 16  # PyMemberDef.offset

# -- calls -----------------------------------------------------------------------------------------

VECTORCALL_ARGUMENTS_OFFSET = 1 << 63  # the flag in nargsf: args[-1] may be changed by the callee
NARGS_MASK = VECTORCALL_ARGUMENTS_OFFSET - 1
METH_FASTCALL_KEYWORDS = 0x0080 | 0x0002  # METH_FASTCALL | METH_KEYWORDS

# -- reference counts -------------------------------------------------------------------------------

IMMORTAL_OBJECTS = sys.version_info >= (3, 12)
# A debug build keeps a total of all references: generated code must then call Py_IncRef/Py_DecRef.
DEBUG_BUILD = hasattr(sys, "gettotalrefcount")


class Slot(enum.IntEnum):
    """``PyType_Slot`` ids (``typeslots.h``) the kit gives types made from a spec."""

    nb_bool = 9
    tp_call = 50
    tp_dealloc = 52
    tp_descr_get = 54
    tp_iter = 62
    tp_iternext = 63
    tp_new = 65
    tp_traverse = 71
    tp_members = 72
    tp_free = 74


# Type slots that may be read or replaced on a live type (see jit.cpython.fields.type_slot).
SLOT_OFFSETS = {Slot.tp_dealloc: TP_DEALLOC, Slot.tp_traverse: TP_TRAVERSE, Slot.tp_iter: TP_ITER,
                Slot.tp_iternext: TP_ITERNEXT, Slot.tp_free: TP_FREE, Slot.tp_descr_get: TP_DESCR_GET}

# PyMemberDef types and flags (descrobject.h)
T_OBJECT_EX = 16
T_PYSSIZET = 19
READONLY = 1


class PyTypeSlot(ctypes.Structure):
    _fields_ = [("slot", ctypes.c_int), ("pfunc", ctypes.c_void_p)]


class PyTypeSpec(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("basicsize", ctypes.c_int), ("itemsize", ctypes.c_int),
                ("flags", ctypes.c_uint), ("slots", ctypes.POINTER(PyTypeSlot))]


class PyMemberDef(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("type", ctypes.c_int), ("offset", ctypes.c_ssize_t),
                ("flags", ctypes.c_int), ("doc", ctypes.c_char_p)]


class PyMethodDef(ctypes.Structure):
    _fields_ = [("ml_name", ctypes.c_char_p), ("ml_meth", ctypes.c_void_p), ("ml_flags", ctypes.c_int),
                ("ml_doc", ctypes.c_char_p)]


# PyType_FromSpecWithBases(spec, bases): a new heap type, or a Python exception raised.
type_from_spec = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p, ctypes.py_object)(
    ("PyType_FromSpecWithBases", ctypes.pythonapi))


def vectorcall_offset(obj: object) -> int:
    """Where ``obj`` keeps its vectorcall pointer (``tp_vectorcall_offset``), 0 if its type has
    none. The pointer itself may be NULL: callers must then go through ``PyObject_Vectorcall``."""
    tp = type(obj)
    if not tp.__flags__ & TPFLAGS_HAVE_VECTORCALL:
        return 0
    return ctypes.c_ssize_t.from_address(id(tp) + TP_VECTORCALL_OFFSET).value


def check() -> str | None:
    """Check the interpreter and the offsets above now: why they do not hold, or None.
    (:func:`unavailable_reason` is its verdict at import.)"""
    if platform.python_implementation() != "CPython":
        return f"{platform.python_implementation()} is not CPython"
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return "free-threaded build: generated code changes reference counts and swaps pointers under the GIL"
    if not (3, 11) <= sys.version_info[:2] <= (3, 13):
        return f"CPython {sys.version_info[0]}.{sys.version_info[1]}: object layout not checked"
    if struct.calcsize("P") != 8 or object.__basicsize__ != OBJECT_HEAD_SIZE:
        return "unexpected PyObject header size"
    if sys.byteorder != "little":
        return "big-endian: reference counts are read as words at offset 0"
    probe = object()
    if ctypes.c_void_p.from_address(id(probe) + OB_TYPE).value != id(object):
        return f"ob_type is not at offset {OB_TYPE}"
    if any(ctypes.c_ulong.from_address(id(t) + TP_FLAGS).value != t.__flags__
           for t in (type, types.FunctionType)):
        return f"tp_flags is not at offset {TP_FLAGS}"
    if (int.__flags__ & (TPFLAGS_BASETYPE | TPFLAGS_IMMUTABLETYPE) != TPFLAGS_BASETYPE | TPFLAGS_IMMUTABLETYPE
            or bool.__flags__ & TPFLAGS_BASETYPE):
        return "unexpected Py_TPFLAGS_BASETYPE or Py_TPFLAGS_IMMUTABLETYPE bits"
    if ctypes.c_ssize_t.from_address(id(probe) + OB_REFCNT).value != sys.getrefcount(probe) - 1:
        return f"ob_refcnt is not at offset {OB_REFCNT}"
    if IMMORTAL_OBJECTS != (ctypes.c_int32.from_address(id(None) + OB_REFCNT).value < 0):
        return "None is not immortal as the reference count code expects (3.12+: low 32 bits set)"
    pair = (check, probe)
    if ctypes.c_ssize_t.from_address(id(pair) + OB_SIZE).value != 2 or \
            ctypes.c_void_p.from_address(id(pair) + TUPLE_ITEMS + 8).value != id(probe):
        return f"a tuple's size and items are not at offsets {OB_SIZE} and {TUPLE_ITEMS}"
    return _check_type_fields()


# Addresses the probe type is given for its slots: distinct, never called (it has no instances).
_MARKS = (ctypes.c_char * (len(SLOT_OFFSETS) + 1))()
_PROBE_NAME = b"jit.cpython.layout_probe"


def _check_type_fields() -> str | None:
    """Make a type from a spec, without instances, giving each slot of :data:`SLOT_OFFSETS` a
    distinct address and instances a vectorcall pointer at offset 16, and read them back."""
    marks = {slot: ctypes.addressof(_MARKS) + i for i, slot in enumerate(SLOT_OFFSETS, 1)}
    members = (PyMemberDef * 2)(PyMemberDef(b"__vectorcalloffset__", T_PYSSIZET, 16, READONLY, None),
                                PyMemberDef(None, 0, 0, 0, None))
    slots = (PyTypeSlot * (len(marks) + 3))(
        *(PyTypeSlot(slot, address) for slot, address in marks.items()),
        PyTypeSlot(Slot.tp_call, capi.address("PyVectorcall_Call")),
        PyTypeSlot(Slot.tp_members, ctypes.addressof(members)),
        PyTypeSlot(0, None))
    spec = PyTypeSpec(_PROBE_NAME, 24, 0, TPFLAGS_HAVE_VECTORCALL | TPFLAGS_DISALLOW_INSTANTIATION, slots)
    probe = type_from_spec(ctypes.addressof(spec), (object,))
    if ctypes.c_ssize_t.from_address(id(probe) + TP_VECTORCALL_OFFSET).value != 16:
        return f"tp_vectorcall_offset is not at offset {TP_VECTORCALL_OFFSET} of a type"
    wrong = [slot.name for slot, address in marks.items()
             if ctypes.c_void_p.from_address(id(probe) + SLOT_OFFSETS[slot]).value != address]
    if wrong:
        return f"type slots {', '.join(wrong)} are not at the offsets {SLOT_OFFSETS}"
    return None


_REASON = check()


def unavailable_reason() -> str | None:
    """Why code built with this kit cannot be trusted in this interpreter, or None if it can
    (checked once, at import)."""
    return _REASON
