"""IR of the list iterators DOLIST and LOOP's ``for var in list`` are Python ``for`` loops over:
their constructors, their step (``tp_iternext``), and their deallocation onto a freelist.

Invariants relied on here:

- N12 ListIterator's (and LoopListIterator's, the same layout) ``tp_iter`` is ``PyObject_SelfIter``
  and its ``tp_iternext`` native: NIL in its ``cell`` slot returns NULL with no exception set,
  which ``FOR_ITER`` (3.11-3.13) and ``PyIter_Next`` take as the normal end
  (the slot stays NIL: it stays ended). An exact Cons, SourceCons or other subclass (read by slot,
  N2) gives a new reference to its car, after the slot was moved to a new reference to the cdr
  and before the old cell is released (the only step that may run Python code), so a finalizer
  meeting the iterator sees it whole. Anything else (a non-list tail, an unset slot) goes to the
  Python ``__next__``, which raises. Neither slot can be changed later by assigning ``__iter__``
  or ``__next__`` on the classes: they are frozen (N15).
- N14 Hot paths change reference counts inline, as ``Py_INCREF``/``Py_DECREF`` of a release build
  do (64-bit, little-endian, checked by ``jit.cpython.layout``): 3.11 adds to the word at offset 0;
  3.12-3.13 leave an immortal object alone (the low 32 bits all set: an increment would wrap them
  to 0; a decrement sees them as a negative i32) and otherwise change the word. A count reaching 0
  calls ``_Py_Dealloc``, which is what ``Py_DECREF`` calls. A debug build calls ``Py_IncRef`` and
  ``Py_DecRef`` instead (it keeps a total of references).
- N15 The list iterators' ``tp_dealloc`` is native (both classes: the same size, no finalizer,
  weak references or dict, checked when it is installed): it untracks the iterator, empties its
  slot, puts it on a freelist of at most :data:`ITERATOR_FREELIST_MAX` (its ``ob_refcnt`` word the
  link, as N9) or frees it with ``PyObject_GC_Del``, and only then releases its type and its cell
  (either may run Python code). A freelist entry owns no reference to a type: the constructors
  take one with ``PyObject_Init`` for the class they make, then track it (N1 holds for it). Both
  classes are frozen when it is installed (``jit.cpython.freeze_type``: no new subclass, no
  ``__class__`` assignment to or from them, no new attribute), and neither has another subclass
  then, so it only ever gets their own instances, whose memory is what the freelist reuses.
"""

from __future__ import annotations

from typing import NamedTuple

from jit import cpython
from jit.cpython import Module
from lisp.runtime.native_cons.context import IR, Context, entry
from lisp.runtime.native_cons.objects import Objects, Offsets, branch_on_cons

# A freed list iterator goes to a freelist of at most this many (N15): a DOLIST makes one each time.
ITERATOR_FREELIST_MAX = 64


class IteratorSlots(NamedTuple):
    """Symbols of the iterators' slot functions and allocator."""

    iternext: str
    dealloc: str
    alloc: str  # ptr alloc(ptr type): a new iterator of that class (N15)


def constructor(iterator: str) -> IR:
    """A generator of a vectorcall function of one argument: a new list iterator (of the class
    named by the field ``iterator`` of :class:`Objects`) standing on it (N1 for the iterator: a
    zero slot is unset)."""

    def generate(ctx: Context, symbol: str) -> None:
        start = entry(ctx, symbol, 1)
        f, (lst,) = start.f, start.args
        fail, fill = f.label("fail"), f.label("fill")
        it = f.call("ptr", ctx.iterator_alloc, [("ptr", getattr(ctx.objects, iterator))], stem="it")
        f.cbr(f.icmp("eq", it, "null", stem="failed"), fail, fill)
        f.block(fail)
        f.ret("null")
        f.block(fill)
        f.call_c("Py_IncRef", lst)
        f.set_field(it, ctx.offsets.cell, lst)
        f.ret(it)

    return generate


def define_slots(m: Module, objects: Objects, offsets: Offsets) -> IteratorSlots:
    """Define the iterators' freelist, their ``tp_iternext`` (N12) and ``tp_dealloc`` (N15)."""
    pool = cpython.add_freelist(m, "gfjit_lisp_iter", ITERATOR_FREELIST_MAX)
    dealloc = m.function("gfjit_lisp_iter_dealloc", (("ptr", "it"),), returns="void")
    dealloc.call_c("PyObject_GC_UnTrack", "%it")
    cellp = dealloc.gep("%it", offsets.cell)
    cell = dealloc.load("ptr", cellp, stem="cell")
    dealloc.store("ptr", "null", cellp)
    tp = dealloc.type_of("%it")
    dealloc.call("void", pool.keep, [("ptr", "%it")])
    dealloc.comment("last, when the iterator is gone: these may run any Python code")
    dealloc.call_c("Py_DecRef", tp)
    dealloc.call_c("Py_DecRef", cell)  # NULL for an iterator whose slot Python code emptied
    dealloc.ret()
    _define_step(m, objects, offsets)
    return IteratorSlots("gfjit_lisp_list_next", "gfjit_lisp_iter_dealloc", pool.alloc)


def _define_step(m: Module, objects: Objects, offsets: Offsets) -> None:
    # The step's fast path calls nothing, so it needs no stack frame (LLVM saves registers only on
    # paths with calls): everything else is a tail call of a helper. A subclass of Cons other than
    # SourceCons takes the Python __next__, which accepts it.
    dealloc_returning = m.function("gfjit_lisp_dealloc_returning", (("ptr", "dead"), ("ptr", "result")),
                                   attributes="noinline")
    dealloc_returning.call_c("_Py_Dealloc", "%dead")
    dealloc_returning.ret("%result")
    miss = m.function("gfjit_lisp_list_next_miss", (("ptr", "it"),), attributes="noinline")
    argument = miss.alloca("ptr")
    miss.store("ptr", "%it", argument)
    miss.ret(miss.call_c("PyObject_Vectorcall", objects.iterator_next, argument, 1, "null"))

    f = m.function("gfjit_lisp_list_next", (("ptr", "it"),))
    stop, check, take, missed, advance, dead = (f.label(s) for s in ("stop", "check", "take", "miss", "advance",
                                                                     "dead"))
    cellp = f.gep("%it", offsets.cell)
    cell = f.load("ptr", cellp, stem="cell")
    f.cbr(f.icmp("eq", cell, objects.nil, stem="end"), stop, check)
    f.block(stop)
    f.comment("N12: NULL and no exception set is the end of the iteration for FOR_ITER and PyIter_Next")
    f.ret("null")
    f.block(check)
    branch_on_cons(f, objects, cell, take, missed, subclasses=False)
    f.block(take)
    item = f.field(cell, offsets.car, stem="item")
    following = f.field(cell, offsets.cdr, stem="next")
    unset = f.binary("or", f.icmp("eq", item, "null"), f.icmp("eq", following, "null"), "i1", stem="unset")
    f.cbr(unset, missed, advance)
    f.block(advance)
    f.incref(item)
    f.incref(following)
    f.store("ptr", following, cellp)
    f.decref(cell, dead=dead)
    f.ret(item)
    f.block(dead)
    f.ret(f.call("ptr", f"@{dealloc_returning.name}", [("ptr", cell), ("ptr", item)], kind="tail"))
    f.block(missed)
    f.comment("not a list, or a slot emptied by Python's del: the Python __next__ says what is wrong")
    f.ret(f.call("ptr", f"@{miss.name}", [("ptr", "%it")], kind="tail"))
