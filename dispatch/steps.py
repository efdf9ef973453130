"""Native steps of effective methods (native mode only): a method that takes ``next_method``
runs with a native next-method object, and before/primary/after methods run in order, with no
Python frame of ours in between.

Three heap types (made with the CPython-ABI kit, :func:`jit.cpython.make_heap_type`), whose
vectorcall functions are compiled once per process and never released:

* a **link** runs one method that takes ``next_method``. It holds the method's ``function``,
  ``following`` (what its next method calls), ``general`` (a Python step doing the same, for calls
  with more arguments than a next-method object stores), a ``truth`` flag (next-method-p) and a
  ``cache`` of one next-method object. Called, it takes the cached next-method object if nobody
  else holds it (else allocates one), stores the call's arguments in it with new references,
  calls ``function(next_method, *args, **kwargs)`` and then releases them.
* a **next-method object** holds its link's ``following`` and ``truth`` and the call's arguments.
  Called with no arguments it calls ``following`` with the stored ones, else with the given ones.
  It owns its arguments, so an around method may keep it and call it later, from any thread.
* a **wrap** calls each of a tuple of ``befores``, then ``primary`` (whose value it returns),
  then each of ``afters``, all with the call's arguments.

Layouts, reference counting and the IR: :mod:`dispatch.steps_ir`.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Sequence
from typing import Any

from dispatch import jitlink
from dispatch.steps_ir import (NM_ARGS, NM_FOLLOWING, NM_KWNAMES, NM_SIZE, NM_VECTORCALL,
                               STEP_CACHE, STEP_FOLLOWING, STEP_FUNCTION, STEP_GENERAL, STEP_SIZE,
                               STEP_TRUTH, STEP_VECTORCALL, STORED, WRAP_AFTERS, WRAP_BEFORES,
                               WRAP_PRIMARY, WRAP_SIZE, WRAP_VECTORCALL, nm_ir, step_ir, wrap_ir)
from jit import capi, cpython
from jit.cpython.layout import TPFLAGS_DISALLOW_INSTANTIATION


class StepBase:
    """Base of native links and wraps."""

    __slots__ = ("methods",)

    def __repr__(self) -> str:
        return f"<native {type(self).__name__} of {getattr(self, 'methods', '?')}>"


class NextMethodBase:
    """Base of native next-method objects: call it to run the next method (with no arguments:
    the current ones); it is false when there is no next method."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<next method{'' if self else ' (none)'}>"


_STEP_FIELDS = (("_function", STEP_FUNCTION), ("_following", STEP_FOLLOWING),
                ("_general", STEP_GENERAL), ("_cache", STEP_CACHE))
_WRAP_FIELDS = (("_befores", WRAP_BEFORES), ("_primary", WRAP_PRIMARY), ("_afters", WRAP_AFTERS))
_NM_FIELDS = (("_following", NM_FOLLOWING), ("_kwnames", NM_KWNAMES),
              *((f"_a{i}", NM_ARGS + 8 * i) for i in range(STORED)))


def _heap_type(base: type, name: str, size: int, vectorcall: int,
               fields: Sequence[tuple[str, int]], slots: Sequence[tuple[cpython.Slot, int]],
               flags: int = 0) -> type:
    """A type of native steps with object ``fields`` (name, offset), hidden from Python code:
    native code relies on what it stored there (the members stay known to the collector)."""
    return cpython.make_heap_type(base, name, size,
                                  [cpython.vectorcall_member(vectorcall),
                                   *(cpython.object_member(n, off, hidden=True) for n, off in fields)],
                                  slots, flags)


class _Kit:
    """The three types and their compiled code: made once per process, never released (no step
    can outlive them)."""

    def __init__(self) -> None:
        nm_code = _compiled(nm_ir(), "gfjit_nm_call", "gfjit_nm_bool")
        self.nm_call = nm_code.address("gfjit_nm_call")
        self.nm_type = _heap_type(NextMethodBase, "dispatch.NextMethod", NM_SIZE, NM_VECTORCALL,
                                  _NM_FIELDS, [(cpython.Slot.nb_bool, nm_code.address("gfjit_nm_bool"))],
                                  TPFLAGS_DISALLOW_INSTANTIATION)
        step_code = _compiled(step_ir(self.nm_type, self.nm_call), "gfjit_step_call")
        wrap_code = _compiled(wrap_ir(), "gfjit_wrap_call")
        # A step made by calling its type has NULL fields and no vectorcall pointer: calling it
        # is a TypeError, not a crash.
        new = [(cpython.Slot.tp_new, capi.address("PyType_GenericNew"))]
        self.link = (_heap_type(StepBase, "dispatch.NativeLink", STEP_SIZE, STEP_VECTORCALL,
                                _STEP_FIELDS, new),
                     step_code.address("gfjit_step_call"), STEP_VECTORCALL)
        self.wrap = (_heap_type(StepBase, "dispatch.NativeWrap", WRAP_SIZE, WRAP_VECTORCALL,
                                _WRAP_FIELDS, new),
                     wrap_code.address("gfjit_wrap_call"), WRAP_VECTORCALL)
        self._code = (nm_code, step_code, wrap_code)


def _compiled(module: Any, *exports: str) -> Any:
    """The kit's code of ``module`` (a ``jit.cpython.ir.Module`` naming no address: from the
    object cache after the first start)."""
    return jitlink.compile_module(module.text(), *exports, opt_level=2, imports=module.imports())


_kit: _Kit | None = None
_kit_lock = threading.Lock()


def prepare() -> None:
    """Make the types and compile their code now (raises what went wrong; native mode must then
    stay off: effective methods could not be built)."""
    _the_kit()


def _the_kit() -> _Kit:
    global _kit
    with _kit_lock:
        if _kit is None:
            _kit = _Kit()
        return _kit


_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


def _made(kind: tuple[type, int, int], fields: Sequence[tuple[int, Any]],
          words: Sequence[tuple[int, int]] = ()) -> Any:
    """A new step of ``kind`` (type, vectorcall function, its offset) with object ``fields``
    (offset, value), each holding a new reference, released by the type's deallocation, and
    plain ``words`` (offset, value)."""
    tp, function, offset = kind
    step = tp()
    for field, value in fields:
        _incref(value)
        cpython.store_pointer(step, field, id(value))
    for field, value in words:
        cpython.store_pointer(step, field, value)
    cpython.store_pointer(step, offset, function)  # last: now it may be called
    return step


def make_step(function: Callable[..., Any], following: Callable[..., Any],
              general: Callable[..., Any], truth: bool) -> Any:
    """A native link running ``function(next_method, *args, **kwargs)``, whose next method calls
    ``following`` and is ``truth``-y; ``general`` does the same in Python, for calls with more
    than :data:`STORED` arguments."""
    return _made(_the_kit().link, ((STEP_FUNCTION, function), (STEP_FOLLOWING, following),
                                   (STEP_GENERAL, general)), ((STEP_TRUTH, int(truth)),))


def make_wrap(befores: Sequence[Callable[..., Any]], primary: Callable[..., Any],
              afters: Sequence[Callable[..., Any]]) -> Any:
    """A native wrap calling each of ``befores``, ``primary`` (its value) and each of ``afters``."""
    return _made(_the_kit().wrap, ((WRAP_BEFORES, tuple(befores)), (WRAP_PRIMARY, primary),
                                   (WRAP_AFTERS, tuple(afters))))
