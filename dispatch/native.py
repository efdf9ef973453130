"""The native callable: a generic function is an instance of a callable type of the CPython-ABI
kit (:func:`jit.cpython.make_callable_type`), called through its per-instance vectorcall pointer.

Instance layout (the kit's; standard, GIL-enabled 64-bit CPython 3.11-3.13, checked at import)::

    0   PyObject_HEAD (refcount, type)
    16  vectorcall pointer  -- the current dispatcher; swapped by one aligned 8-byte store
    24  __dict__            -- all Python-level state (methods, call history, ...)
    32  __weakref__ list
    40  miss handler        -- owned PyObject*, hidden from Python code (cpython.set_fallback)

The type's base is the Python class carrying the generic-function API; from it the type inherits
garbage-collector support (traverse and clear visit ``__dict__``) and every method. ``tp_call`` is
``PyVectorcall_Call`` for callers that do not use vectorcall.
"""

from __future__ import annotations

from jit import cpython
from jit.cpython import load_pointer, set_fallback, store_pointer  # dispatch's names for the kit's stores

__all__ = ["MISS_HANDLER_OFFSET", "VECTORCALL_OFFSET", "load_pointer", "make_native_type", "set_fallback",
           "store_pointer", "trampoline_address", "unavailable_reason"]

VECTORCALL_OFFSET = cpython.CALLABLE_VECTORCALL
MISS_HANDLER_OFFSET = cpython.CALLABLE_MISS


def unavailable_reason() -> str | None:
    """Why native dispatchers cannot be trusted in this interpreter, or None if they can: the
    kit's verdict, which refuses free-threaded builds, where invariant I1 (see
    :mod:`dispatch.codegen`) does not hold."""
    return cpython.unavailable_reason()


def make_native_type(base: type, name: str) -> type:
    """The heap type of native generic functions, subclassing ``base`` (which must add no
    instance layout: ``__slots__ = ()``)."""
    return cpython.make_callable_type(base, name)


def trampoline_address() -> int:
    """The shared dispatcher that sends every call to the instance's miss handler (compiled once
    per process, never released)."""
    return cpython.trampoline_address(MISS_HANDLER_OFFSET)
