"""IR of the primitives making a chain of conses of their arguments: CONS, LIST, LIST* and
compiled code's ``Cons(...)``.

Invariants relied on here (and by the mappers, which make conses the same way):

- N1 ``PyType_GenericAlloc(Cons, 0)`` (and a cell from the freelist, N9) returns a new reference
  to a zero-filled, GC-tracked instance and takes a reference to ``Cons`` (a heap type) that ``subtype_dealloc`` gives back; a
  zero slot reads as unset and ``subtype_traverse``/``subtype_dealloc`` skip it. So a half-made
  cons is always safe for the collector, which may run inside the allocation on 3.11. Storing a
  reference into a slot is what ``Cons.__init__`` does, and it does nothing else (see
  ``lisp.runtime.data.Cons``): skipping it makes the same object.
- N3 the chain builders read only their argument array, which the caller keeps alive and no
  Python code can change while they run; the only objects they own are the cells made so far
  (one reference, dropped on failure).
"""

from __future__ import annotations

from lisp.runtime.native_cons.context import IR, Context, entry


def chain(minimum: int, maximum: int | None, tail_from: int | None) -> IR:
    """A generator of a vectorcall function making a chain of its ``minimum``..``maximum``
    arguments (None: no bound). With at least ``tail_from`` arguments the last one is the tail
    (LIST*), else the tail is NIL."""

    def generate(ctx: Context, symbol: str) -> None:
        start = entry(ctx, symbol, minimum, maximum, load=False)
        f, n, nil = start.f, start.nargs, ctx.objects.nil
        if tail_from is None:
            tail, count = nil, n
        else:
            has_tail = f.icmp("uge", n, tail_from, "i64", stem="has_tail")
            last = f.binary("sub", n, 1, stem="last")
            tail = f.select(has_tail, f.arg(last), nil, stem="tail")
            count = f.select(has_tail, last, n, "i64", stem="count")
        f.call_c("Py_IncRef", tail)
        loop, alloc, fill, fail, done = (f.label(s) for s in ("loop", "alloc", "fill", "fail", "done"))
        entered = f.current
        i_next, cell = f.later("i"), f.later("cell")
        f.br(loop)
        f.block(loop)
        i = f.phi("i64", [(count, entered), (i_next, fill)], stem="i")
        acc = f.phi("ptr", [(tail, entered), (cell, fill)], stem="acc")
        f.cbr(f.icmp("eq", i, 0, "i64", stem="none"), done, alloc)
        f.block(alloc)
        f.define(i_next, f"sub i64 {i}, 1")
        f.define(cell, f"call ptr {ctx.cons_alloc}()")
        f.cbr(f.icmp("eq", cell, "null", stem="failed"), fail, fill)
        f.block(fill)
        item = f.arg(i_next)
        f.call_c("Py_IncRef", item)
        f.set_field(cell, ctx.offsets.car, item)
        f.set_field(cell, ctx.offsets.cdr, acc)
        f.br(loop)
        f.block(fail)
        f.call_c("Py_DecRef", acc)
        f.ret("null")
        f.block(done)
        f.ret(acc)

    return generate
