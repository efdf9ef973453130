"""Making native functions the type slots of Cons (``tp_dealloc``, ``tp_traverse``) and of the
list iterators (``tp_iter``, ``tp_iternext``, ``tp_dealloc``): each called first as CPython would
call it and compared with Python, each slot checked to hold what CPython gives such a class, and
only then all replaced and the classes frozen."""

from __future__ import annotations

import ctypes

from jit import capi, cpython
from jit.cpython import Slot
from lisp.runtime.data import NIL, Cons, SourceCons
from lisp.runtime.native_cons.fallbacks import ListIterator, LoopListIterator

_ITERATORS = (ListIterator, LoopListIterator)


def install(dealloc: int, traverse: int, iternext: int, iterator_dealloc: int) -> None:
    """Make the native functions at these addresses Cons's ``tp_dealloc`` (N8, N11) and
    ``tp_traverse`` (N13) and the list iterators' ``tp_iternext`` (N12; ``tp_iter`` becomes
    CPython's ``PyObject_SelfIter``) and ``tp_dealloc`` (N15); RuntimeError, and nothing
    changed, if a check fails."""
    _check_traverse(traverse)
    _check_step(iternext)

    class Probe(Cons):
        __slots__ = ()

    class IteratorProbe:
        __slots__ = ()
        __iter__, __next__ = ListIterator.__iter__, ListIterator.__next__

    def probed(cls: type, slot: Slot) -> int:
        return cpython.type_slot(cls, slot)

    gc_del = capi.address("PyObject_GC_Del")
    for cls in (Cons, SourceCons):
        if (probed(cls, Slot.tp_free), probed(cls, Slot.tp_dealloc), probed(cls, Slot.tp_traverse)) != (
                gc_del, probed(Probe, Slot.tp_dealloc), probed(Probe, Slot.tp_traverse)):
            raise RuntimeError(f"{cls.__name__}: unexpected tp_free, tp_dealloc or tp_traverse")
    if Cons.__base__ is not object or Cons.__weakrefoffset__ or Cons.__dictoffset__:
        raise RuntimeError("Cons: unexpected base, weak references or __dict__")
    if any(probed(cls, Slot.tp_free) != probed(IteratorProbe, Slot.tp_free) for cls in _ITERATORS):
        raise RuntimeError("ListIterator: unexpected tp_free")
    if (any(cls.__weakrefoffset__ or cls.__dictoffset__ or hasattr(cls, "__del__") for cls in _ITERATORS)
            or LoopListIterator.__basicsize__ != ListIterator.__basicsize__):
        raise RuntimeError("ListIterator: unexpected weak references, __dict__, finalizer or size")
    if ListIterator.__subclasses__() != [LoopListIterator] or LoopListIterator.__subclasses__():
        raise RuntimeError("ListIterator: a subclass other than LoopListIterator (N15)")
    self_iter = capi.address("PyObject_SelfIter")
    cpython.replace_type_slots([
        (Cons, Slot.tp_dealloc, dealloc, probed(Probe, Slot.tp_dealloc)),
        (Cons, Slot.tp_traverse, traverse, probed(Probe, Slot.tp_traverse)),
        *((cls, slot, address, probed(IteratorProbe, slot)) for cls in _ITERATORS
          for slot, address in ((Slot.tp_iter, self_iter), (Slot.tp_iternext, iternext),
                                (Slot.tp_dealloc, iterator_dealloc)))])
    # N8: Cons lives as long as the process (cells on the freelist hold no reference to it).
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(Cons))
    cpython.freeze_type(Cons, final=False)  # N8: no finalizer later; SourceCons and others subclass it
    for cls in _ITERATORS:
        cpython.freeze_type(cls, final=True)  # N12, N15


def _check_traverse(traverse: int) -> None:
    """Call the native traverse as the collector would, comparing with Python (N13)."""
    a, b = object(), object()
    seen: list[int] = []
    visit = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(
        lambda o, _: seen.append(o) or len(seen) == 4)
    run = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object, ctypes.c_void_p, ctypes.c_void_p)(traverse)
    for cell in (Cons(a, b), SourceCons(a, b, None)):
        seen.clear()
        if run(cell, visit, None) != 0 or seen != [id(a), id(b), id(type(cell))]:
            raise RuntimeError("the native tp_traverse of Cons does not visit car, cdr and the type")


def _check_step(iternext: int) -> None:
    """Call the native iterator step as ``FOR_ITER`` would, comparing with Python (N12)."""
    a, b = object(), object()
    # An address, not a py_object: ctypes cannot take NULL with no exception set (N12) for one.
    step = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object)(iternext)
    it = ListIterator(Cons(a, SourceCons(b, NIL, None)))
    got = [step(it) for _ in range(3)]
    for item, address in zip((a, b), got):
        if address == id(item):  # a new reference to it
            ctypes.pythonapi.Py_DecRef(ctypes.py_object(item))
    if got != [id(a), id(b), None] or it.cell is not NIL:
        raise RuntimeError("the native ListIterator step disagrees with Python")
