"""Freelists of dead GC objects in IR (jit.cpython.freelist): kept objects are reused, a full
list frees."""

import ctypes
import gc

import pytest

from jit import cpython
from jit.cpython import ir

pytestmark = pytest.mark.skipif(cpython.unavailable_reason() is not None,
                                reason=f"kit unavailable: {cpython.unavailable_reason()}")


class Cell:
    """A garbage-collected type with no finalizer, weak references or dict."""

    __slots__ = ("value",)


def _freelist(pool, prefix, limit):
    """(alloc() -> address of a new Cell, retire(address): a dead cell kept, count)."""
    m = ir.Module()
    cells = cpython.add_freelist(m, prefix, limit, m.external_object(f"{prefix}_Cell", Cell))
    retire = m.function(f"{prefix}_retire", (("ptr", "obj"),), returns="void")
    # What a tp_dealloc of Cell would do with a cell whose slot is empty: untrack, keep, and
    # release the type (a kept cell owns no reference to it).
    retire.call_c("PyObject_GC_UnTrack", "%obj")
    retire.call("void", cells.keep, [("ptr", "%obj")])
    retire.call_c("Py_DecRef", m.external_object(f"{prefix}_Cell", Cell))
    retire.ret()
    code = pool.add(m.text(), exports=[f"{prefix}_alloc", f"{prefix}_retire", cells.count[1:]],
                    imports=m.imports())
    alloc = ctypes.PYFUNCTYPE(ctypes.c_void_p)(code.address(f"{prefix}_alloc"))
    retire = ctypes.PYFUNCTYPE(None, ctypes.c_void_p)(code.address(f"{prefix}_retire"))
    count = ctypes.c_int64.from_address(code.address(cells.count[1:]))
    return code, alloc, retire, count


def _adopt(address):
    """The object at ``address``, whose reference the caller owned, as a Python object."""
    obj = ctypes.cast(address, ctypes.py_object).value
    ctypes.pythonapi.Py_DecRef(ctypes.py_object(obj))
    return obj


def test_an_empty_freelist_allocates_a_tracked_object_of_the_type(pool):
    _code, alloc, _retire, count = _freelist(pool, "t_fl_new", 4)
    cell = _adopt(alloc())
    assert type(cell) is Cell and gc.is_tracked(cell) and not hasattr(cell, "value")
    assert count.value == 0


def test_a_kept_object_is_the_next_one_allocated(pool):
    _code, alloc, retire, count = _freelist(pool, "t_fl_reuse", 4)
    first = alloc()
    retire(first)
    assert count.value == 1
    again = alloc()
    assert again == first and count.value == 0
    cell = _adopt(again)
    assert type(cell) is Cell and gc.is_tracked(cell)
    cell.value = "usable"
    assert cell.value == "usable"


def test_a_full_freelist_frees_what_it_is_given(pool):
    _code, alloc, retire, count = _freelist(pool, "t_fl_full", 1)
    first, second = alloc(), alloc()
    retire(first)
    retire(second)
    assert count.value == 1
    assert alloc() == first
    _adopt(first)
