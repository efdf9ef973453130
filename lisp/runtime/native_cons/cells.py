"""IR of the life of a cons: its allocation from a freelist, its deallocation (``tp_dealloc``) onto
it, and what the collector sees of it (``tp_traverse``).

Invariants relied on here:

- N8 Cons's ``tp_dealloc`` is native (:data:`FREELIST_MAX`): it puts a dead exact Cons on a freelist
  of at most that many cells (about 3 MB: 48 bytes a cell with its GC header, never given back to
  the allocator), or frees it with ``PyObject_GC_Del`` when the list is full. Cells on the freelist
  own no reference to Cons: each live cons owns one (``PyObject_Init`` takes it again), so
  ``sys.getrefcount(Cons)`` counts live conses only; Cons itself is kept for the life of the
  process, as the native code names it. Python's own ``Cons(...)`` still allocates with
  ``PyType_GenericAlloc``; its cells go to the freelist too when they die. Cons has no finalizer,
  weak references or dict (checked when the dealloc is installed) and must not get one later.
  Cells that die inside the release loop (N10) are not reported to a 3.13 ``PyRefTracer``.
- N9 A cell on the freelist is dead: untracked, both slots NULL, unreachable from any object, its
  ``ob_refcnt`` word holding the link to the next cell. Taking one (``gfjit_lisp_cons_alloc``) runs
  no Python code: ``PyObject_Init`` (reference count 1, a reference to Cons) and
  ``PyObject_GC_Track`` make it what N1 says ``PyType_GenericAlloc`` returns. The collector's
  young-generation count is neither raised nor lowered for a reused cell (as CPython's tuple and
  list freelists do). Every freelist update is done before any call out of the native code, and
  with the GIL held (GIL builds, one interpreter), so threads and reentrant calls always see it
  whole.
- N10 Releasing a dead cons is a loop, never a recursion: a car or cdr that is an exact Cons held
  only by the dying cell dies in the same loop (untracked, then pushed on a stack threaded through
  the ``ob_refcnt`` words of such cells, which still own their slots; a cdr is taken next at
  once), so a list a million long or a million deep frees in constant C stack. Anything else is
  released with ``Py_DecRef``, which may run any Python code (finalizers, weak reference callbacks)
  that makes and drops conses: each dealloc has its own stack of cells nothing else can reach, the
  cell being freed is on the freelist before its slots are released, and a slot is tested for
  "held only by us" after the previous call out, never before.
- N11 A subclass instance (SourceCons, any Python subclass) still dies through
  ``subtype_dealloc``, which clears the subclass's own slots, dict and weak references, finalizes
  it, then calls the ``tp_dealloc`` of its first base that has another: ours. It then does what
  ``object``'s dealloc and ``subtype_dealloc`` would have done for the rest: untrack (it was
  tracked again), take car and cdr, free the memory with the type's ``tp_free``, release the type
  (``subtype_dealloc`` leaves that to a heap base, N8), and release car and cdr (N10).
- N13 Cons's ``tp_traverse`` is native: it visits car, cdr (skipping unset slots) and
  ``Py_TYPE(self)``, stopping at a non-zero result. A subclass keeps ``subtype_traverse``
  (3.11-3.13), which visits its own slots and dict, then, as its nearest base with
  another traverse (ours) belongs to a heap type, leaves the type visit to it: every instance
  visits its type exactly once (twice would corrupt the collector's counts).
"""

from __future__ import annotations

from typing import NamedTuple

from jit import cpython
from jit.cpython import Function, Module, layout
from lisp.runtime.native_cons.context import phi
from lisp.runtime.native_cons.objects import Objects, Offsets

# A freed Cons goes to a freelist (N8-N11) of at most this many cells: 48 bytes each with the GC
# header, about 3 MB kept at most.
FREELIST_MAX = 65536


class CellSlots(NamedTuple):
    """Symbols of Cons's slot functions, its allocator and the freelist's length (a global)."""

    dealloc: str
    traverse: str
    alloc: str  # ptr alloc(): a new Cons (N1)
    free_count: str


def define_slots(m: Module, objects: Objects, offsets: Offsets) -> CellSlots:
    """Define the cons freelist, Cons's ``tp_dealloc`` (N8-N11) and ``tp_traverse`` (N13)."""
    pool = cpython.add_freelist(m, "gfjit_lisp_cons", FREELIST_MAX, objects.cons)

    recycle = m.function("gfjit_lisp_cons_recycle", (("ptr", "cell"),), returns="void", linkage="internal")
    recycle.comment("%cell: a dead exact Cons, untracked, both slots NULL (N9)")
    recycle.call("void", pool.keep, [("ptr", "%cell")])
    recycle.call_c("Py_DecRef", objects.cons)
    recycle.ret()

    dying = m.function("gfjit_lisp_cons_dying", (("ptr", "x"),), returns="i1", linkage="internal")
    dying.comment("an exact Cons whose only reference is the one being released")
    typed, counted, no = dying.label("typed"), dying.label("counted"), dying.label("no")
    dying.cbr(dying.icmp("eq", "%x", "null", stem="null"), no, typed)
    dying.block(typed)
    dying.branch_on_exact_type("%x", objects.cons, counted, no)
    dying.block(counted)
    dying.ret(dying.icmp("eq", dying.refcount("%x"), 1, "i64", stem="last"))
    dying.block(no)
    dying.ret(0)

    release = _define_release(m, recycle.name, dying.name, offsets)
    dealloc = m.function("gfjit_lisp_cons_dealloc", (("ptr", "self"),), returns="void")
    dealloc.call_c("PyObject_GC_UnTrack", "%self")
    car, cdr = dealloc.later("car"), dealloc.later("cdr")
    _take_slots(dealloc, "%self", offsets, car, cdr)
    tp = dealloc.type_of("%self")
    own, subclass, released = dealloc.label("own"), dealloc.label("subclass"), dealloc.label("release")
    dealloc.cbr(dealloc.icmp("eq", tp, objects.cons, stem="exact"), own, subclass)
    dealloc.block(own)
    dealloc.call("void", f"@{recycle.name}", [("ptr", "%self")])
    dealloc.br(released)
    dealloc.block(subclass)
    dealloc.comment("N11: what object's dealloc and a heap type's subtype_dealloc would do after "
                    "subtype_dealloc of the subclass called us")
    dealloc.call("void", dealloc.field(tp, layout.TP_FREE, stem="free"), [("ptr", "%self")])
    dealloc.call_c("Py_DecRef", tp)
    dealloc.br(released)
    dealloc.block(released)
    dealloc.call("void", f"@{release}", [("ptr", car), ("ptr", cdr)])
    dealloc.ret()

    _define_traverse(m, offsets)
    return CellSlots("gfjit_lisp_cons_dealloc", "gfjit_lisp_cons_traverse", pool.alloc, pool.count[1:])


def _take_slots(f: Function, cell: str, offsets: Offsets, car: str, cdr: str) -> None:
    """Move the references in the slots of the dead ``cell`` into the values ``car`` and ``cdr``
    (named by :meth:`Function.later`), leaving the slots NULL."""
    for offset, value in ((offsets.car, car), (offsets.cdr, cdr)):
        slot = f.gep(cell, offset)
        f.define(value, f"load ptr, ptr {slot}, align 8")
        f.store("ptr", "null", slot)


def _define_release(m: Module, recycle: str, dying: str, offsets: Offsets) -> str:
    """``release(a, b)``: release the two references, dead conses among them in a loop (N10)."""
    f = m.function("gfjit_lisp_cons_release", (("ptr", "a"), ("ptr", "b")), returns="void", linkage="internal")
    loop, push_a, drop_a, handle_b, kill_b, drop_b, pop, take, done = (
        f.label(s) for s in ("loop", "pusha", "decrefa", "handleb", "killb", "decrefb", "pop", "take", "exit"))
    next_a, next_b, next_stack = f.later("a"), f.later("b"), f.later("stack")
    f.br(loop)
    f.block(loop)
    f.comment("a, b: references owned here; stack: dead cells still owning their slots (N10)")
    a = f.phi("ptr", [("%a", "entry"), (next_a, take)], stem="a")
    b = f.phi("ptr", [("%b", "entry"), (next_b, take)], stem="b")
    stack = f.phi("ptr", [("null", "entry"), (next_stack, take)], stem="stack")
    f.cbr(f.call("i1", f"@{dying}", [("ptr", a)], stem="adying"), push_a, drop_a)
    f.block(push_a)
    f.call_c("PyObject_GC_UnTrack", a)
    f.store("ptr", stack, a)  # the ob_refcnt word: the link to the cell pushed before
    f.br(handle_b)
    f.block(drop_a)
    f.call_c("Py_DecRef", a)
    f.br(handle_b)
    f.block(handle_b)
    pushed = f.phi("ptr", [(a, push_a), (stack, drop_a)], stem="stack")
    f.cbr(f.call("i1", f"@{dying}", [("ptr", b)], stem="bdying"), kill_b, drop_b)
    f.block(kill_b)
    f.call_c("PyObject_GC_UnTrack", b)
    f.br(take)
    f.block(drop_b)
    f.call_c("Py_DecRef", b)
    f.cbr(f.icmp("eq", pushed, "null", stem="empty"), done, pop)
    f.block(pop)
    link = f.load("ptr", pushed, stem="link")
    f.br(take)
    f.block(take)
    current = f.phi("ptr", [(b, kill_b), (pushed, pop)], stem="cur")
    f.define(next_stack, phi("ptr", [(pushed, kill_b), (link, pop)]))
    _take_slots(f, current, offsets, next_a, next_b)
    f.call("void", f"@{recycle}", [("ptr", current)])
    f.br(loop)
    f.block(done)
    f.ret()
    return f.name


def _define_traverse(m: Module, offsets: Offsets) -> None:
    """``gfjit_lisp_cons_traverse(self, visit, arg)``: the ``tp_traverse`` of Cons (N13)."""
    f = m.function("gfjit_lisp_cons_traverse", (("ptr", "self"), ("ptr", "visit"), ("ptr", "arg")), returns="i32")
    # Py_TYPE(self), not Cons: a subclass's subtype_traverse leaves its type to us (N13)
    for offset in (offsets.car, offsets.cdr, layout.OB_TYPE):
        value = f.field("%self", offset)
        visit, then, stop = f.label("visit"), f.label("next"), f.label("stop")
        f.cbr(f.icmp("eq", value, "null", stem="unset"), then, visit)
        f.block(visit)
        result = f.call("i32", "%visit", [("ptr", value), ("ptr", "%arg")], stem="visited")
        f.cbr(f.icmp("ne", result, 0, "i32", stem="stop"), stop, then)
        f.block(stop)
        f.ret(result)
        f.block(then)
    f.ret(0)
