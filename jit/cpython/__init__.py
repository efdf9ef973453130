"""The CPython-ABI kit: what code generated for CPython objects needs, in one place.

It knows CPython (3.11-3.13, 64-bit, little-endian, with a GIL) and LLVM IR; nothing of dispatch
or Lisp. Check :func:`unavailable_reason` before running anything built with it.

- :mod:`.layout` -- offsets of object and type fields, flags, slot ids, the C structures handed
  to CPython, and the check of all of them at import (:func:`unavailable_reason`).
- :mod:`.fields` -- raw loads and stores into live objects (:func:`load_pointer`,
  :func:`store_pointer`), type slots read and replaced (:func:`type_slot`,
  :func:`replace_type_slots`) and the type then frozen (:func:`freeze_type`), a ``__slots__``
  member's offset (:func:`member_offset`).
- :mod:`.heaptype` -- heap types from a spec (:func:`make_heap_type`: object members, slots,
  per-instance vectorcall) and callable types whose instances run machine code with a fallback in
  a slot (:func:`make_callable_type`, :func:`set_fallback`, ``CALLABLE_*`` offsets).
- :mod:`.ir` -- the IR builder (:class:`Module`, :class:`Function`): vectorcall calls and
  ``musttail`` exits, inline ``Py_INCREF``/``Py_DECREF``, exact type tests, argument counts.
- :mod:`.freelist` -- freelists of dead GC objects, in IR (:func:`add_freelist`).
- :mod:`.trampoline` -- the shared function sending every call to a callable's fallback
  (:func:`trampoline_address`).
- :mod:`.cfunction` -- builtin function objects whose C function is generated code
  (:func:`builtin_function`), which CPython calls directly.

A callable running code built with the builder (see :mod:`.ir` for writing it)::

    code = jit.default_pool().add(module.text(), exports=["first"], imports=module.imports())
    first = cpython.make_callable_type(Base, "mine.First")()
    cpython.set_fallback(first, fallback)           # first owns a reference to it
    first.code = code                               # the code lives as long as first (or longer)
    cpython.store_pointer(first, cpython.CALLABLE_VECTORCALL, code.address("first"))
    direct = cpython.builtin_function("first", code.address("first"), first)  # the faster way in
"""

from .cfunction import builtin_function
from .fields import freeze_type, load_pointer, member_offset, replace_type_slots, store_pointer, type_slot
from .freelist import Freelist, add_freelist
from .heaptype import (CALLABLE_DICT, CALLABLE_MISS, CALLABLE_SIZE, CALLABLE_VECTORCALL,
                       CALLABLE_WEAKLIST, Member, make_callable_type, make_heap_type, object_member,
                       set_fallback, vectorcall_member)
from .ir import Function, Module, constant
from .layout import Slot, unavailable_reason, vectorcall_offset
from .trampoline import trampoline_address

__all__ = [
    "CALLABLE_DICT", "CALLABLE_MISS", "CALLABLE_SIZE", "CALLABLE_VECTORCALL", "CALLABLE_WEAKLIST",
    "Freelist", "Function", "Member", "Module", "Slot", "add_freelist", "builtin_function", "constant",
    "freeze_type", "load_pointer", "make_callable_type", "make_heap_type", "member_offset", "object_member",
    "replace_type_slots", "set_fallback", "store_pointer", "trampoline_address", "type_slot",
    "unavailable_reason", "vectorcall_member", "vectorcall_offset",
]
