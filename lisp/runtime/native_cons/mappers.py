"""IR of the primitives calling a function on each element of a proper list: MAPCAR's chain of
results, REMOVE-IF-NOT's and REMOVE-IF's chains of the elements kept.

Invariant relied on here:

- N5 the mappers check the list like the walkers (N4), then own a reference to every object they
  hold across a call of ``fn`` (the cell being visited, its item, the head and the tail of the
  chain so far), so nothing ``fn`` does can free them. They read the next cell after the call
  and take it before letting the current one go; they visit at most as many cells as they
  counted and stop at the first non-cons, so a list that ``fn`` changes (undefined in CLHS 3.6)
  can end the mapping early but never crash it or make it loop forever. A new cell is complete
  (car and cdr NIL) before it is linked, so the collector may see the chain at any call.
"""

from __future__ import annotations

from lisp.runtime.native_cons.context import IR, Context, cells_loop, entry, phi
from lisp.runtime.native_cons.walkers import walk


def mapper(keep: str | None) -> IR:
    """A generator of a vectorcall function ``(fn, list)`` over a proper list: the chain of
    ``fn(item)`` for each item (``keep`` None), or of the items for which ``fn`` returns NIL
    (``keep`` "nil") or anything else (``keep`` "true"), calling ``fn`` in order; an error from
    ``fn`` propagates."""

    def generate(ctx: Context, symbol: str) -> None:
        start = entry(ctx, symbol, 2, stack=("ptr",))
        f, (fn, lst), (argument,) = start.f, start.args, start.stack
        nil, car, cdr = ctx.objects.nil, ctx.offsets.car, ctx.offsets.cdr
        walked = walk(ctx, start, lst)
        labels = ("getcar", "call", "callfail", "decide", "drop", "make", "allocfail", "fill", "begin", "link",
                  "onward", "fail", "release", "failed", "finished", "nil", "result")
        (getcar, call, callfail, decide, drop, make, allocfail, fill, begin, link, onward, fail, release, failed,
         finished, empty, result) = (f.label(s) for s in labels)
        head_next, tail_next = f.later("head"), f.later("tail")
        chain: dict[str, str] = {}

        def chain_phis(entered: str) -> None:
            # the head and the tail of the chain made so far, each owned (NULL: none yet)
            chain["head"] = f.phi("ptr", [("null", entered), (head_next, onward)], stem="head")
            chain["tail"] = f.phi("ptr", [("null", entered), (tail_next, onward)], stem="tail")

        f.call_c("Py_IncRef", lst)
        # the cell whose car goes to fn next, owned; at most as many as counted, the list as fn leaves it
        loop = cells_loop(ctx, f, lst, onward, walked.length, getcar, finished, finished, chain_phis)
        cur, head, tail = loop.cell, chain["head"], chain["tail"]
        f.block(getcar)
        item = f.field(cur, car, stem="item")
        f.cbr(f.icmp("eq", item, "null", stem="noitem"), finished, call)
        f.block(call)
        f.call_c("Py_IncRef", item)
        f.store("ptr", item, argument)
        res = f.call_c("PyObject_Vectorcall", fn, argument, 1, "null", stem="res")
        f.cbr(f.icmp("eq", res, "null", stem="raised"), callfail, decide)
        f.block(callfail)
        f.call_c("Py_DecRef", item)
        f.br(fail)
        f.block(decide)
        if keep is None:
            f.call_c("Py_DecRef", item)
            f.br(make)
            value = res
        else:
            is_nil = f.icmp("eq" if keep == "nil" else "ne", res, nil, stem="kept")
            f.call_c("Py_DecRef", res)
            f.cbr(is_nil, make, drop)
            f.block(drop)
            f.call_c("Py_DecRef", item)
            f.br(onward)
            value = item
        f.block(make)
        new = f.call("ptr", ctx.cons_alloc, [], stem="new")
        f.cbr(f.icmp("eq", new, "null", stem="nonew"), allocfail, fill)
        f.block(allocfail)
        f.call_c("Py_DecRef", value)
        f.br(fail)
        f.block(fill)
        f.set_field(new, car, value)
        f.call_c("Py_IncRef", nil)
        f.set_field(new, cdr, nil)
        f.cbr(f.icmp("eq", tail, "null", stem="first"), begin, link)
        f.block(begin)
        # the head's reference is ours; the tail's too (an extra one, so the tail outlives any
        # change made to the chain by code that found it through the collector)
        f.call_c("Py_IncRef", new)
        f.br(onward)
        f.block(link)
        tail_cdr = f.gep(tail, cdr)
        old = f.load("ptr", tail_cdr, stem="old")
        f.store("ptr", new, tail_cdr)
        f.call_c("Py_IncRef", new)
        f.call_c("Py_DecRef", tail)
        f.call_c("Py_DecRef", old)
        f.br(onward)
        f.block(onward)
        f.define(head_next, phi("ptr", [(new, begin), (head, link)] + ([] if keep is None else [(head, drop)])))
        f.define(tail_next, phi("ptr", [(new, begin), (new, link)] + ([] if keep is None else [(tail, drop)])))
        # the next cell is read now, after the call; taken before the current one is let go
        cur_cdr = f.field(cur, cdr, stem="curcdr")
        f.define(loop.following, f"select i1 {f.icmp('eq', cur_cdr, 'null', stem='nocdr')}, ptr {nil}, ptr {cur_cdr}")
        f.call_c("Py_IncRef", loop.following)
        f.call_c("Py_DecRef", cur)
        f.define(loop.i_next, f"add i64 {loop.i}, 1")
        f.br(loop.head)
        f.block(fail)
        f.call_c("Py_DecRef", cur)
        f.cbr(f.icmp("ne", tail, "null", stem="hadtail"), release, failed)
        f.block(release)
        f.call_c("Py_DecRef", tail)
        f.call_c("Py_DecRef", head)
        f.br(failed)
        f.block(failed)
        f.ret("null")
        f.block(finished)
        f.call_c("Py_DecRef", cur)
        f.cbr(f.icmp("eq", head, "null", stem="none"), empty, result)
        f.block(empty)
        f.call_c("Py_IncRef", nil)
        f.ret(nil)
        f.block(result)
        f.call_c("Py_DecRef", tail)
        f.ret(head)

    return generate
