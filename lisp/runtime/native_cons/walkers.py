"""IR of the primitives walking a list: its elements or conses as a Python list, its length, its
last cons (one bounded walk, checking that the list is proper), and storing new cars into it.

Invariants relied on here (the walk of :func:`walk` is also the mappers'):

- N4 the chain walkers call no Python code while they count the cells, so the chain cannot change
  under them. Making the Python list may run the collector (3.11) and so finalizers, which could
  change the chain: filling it checks every cell again and gives up to the fallback on a change.
- N6 ``replace_cars`` owns the cell it stands on and the next one before it releases an old car
  (which may run a finalizer), and stores each item once: giving up half-way and storing again
  from the start gives the same result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from lisp.runtime.native_cons.context import IR, Context, Entry, cells_loop, entry
from lisp.runtime.native_cons.objects import branch_on_cons


class Walk(NamedTuple):
    """A proper, non-circular list walked (:func:`walk`), in block ``done``."""

    start: Entry
    lst: str  # the list
    length: str  # how many conses it has
    last: str  # its last cons, NIL for NIL


def walk(ctx: Context, start: Entry, lst: str) -> Walk:
    """Walk the list ``lst`` (the function of ``start``), counting its conses and keeping the last,
    then go on in a new block; any other list (dotted, circular, not a list) goes to the
    fallback."""
    f, nil = start.f, ctx.objects.nil
    count, check, advance, step, done = (f.label(s) for s in ("count", "check", "advance", "step", "done"))
    following, length_next, saved_next, power_next, steps_next = (
        f.later(s) for s in ("next", "len", "saved", "power", "steps"))
    entered = f.current
    f.br(count)
    f.block(count)
    cell = f.phi("ptr", [(lst, entered), (following, step)], stem="cell")
    last = f.phi("ptr", [(lst, entered), (cell, step)], stem="last")
    length = f.phi("i64", [(0, entered), (length_next, step)], stem="len")
    saved = f.phi("ptr", [(lst, entered), (saved_next, step)], stem="saved")
    power = f.phi("i64", [(1, entered), (power_next, step)], stem="power")
    steps = f.phi("i64", [(0, entered), (steps_next, step)], stem="steps")
    f.cbr(f.icmp("eq", cell, nil, stem="end"), done, check)
    f.block(check)
    branch_on_cons(f, ctx.objects, cell, advance, start.miss)
    f.block(advance)
    f.define(following, f"load ptr, ptr {f.gep(cell, ctx.offsets.cdr)}, align 8")
    f.define(length_next, f"add i64 {length}, 1")
    f.cbr(f.icmp("eq", following, saved, stem="cycle"), start.miss, step)
    f.block(step)
    # Brent's cycle check: compare with a cell saved at each power of two.
    counted = f.binary("add", steps, 1, stem="counted")
    rebase = f.icmp("eq", counted, power, "i64", stem="rebase")
    f.define(saved_next, f"select i1 {rebase}, ptr {following}, ptr {saved}")
    f.define(power_next, f"select i1 {rebase}, i64 {f.binary('shl', power, 1, stem='power')}, i64 {power}")
    f.define(steps_next, f"select i1 {rebase}, i64 0, i64 {counted}")
    f.br(count)
    f.block(done)
    return Walk(start, lst, length, last)


def walker(finish: Callable[[Context, Walk], None]) -> IR:
    """A generator of a vectorcall function of one list, walked (:func:`walk`), then finished
    by ``finish``."""

    def generate(ctx: Context, symbol: str) -> None:
        start = entry(ctx, symbol, 1)
        finish(ctx, walk(ctx, start, start.args[0]))

    return generate


def elements(cells: bool) -> Callable[[Context, Walk], None]:
    """Finish: the cars (or with ``cells`` the conses themselves) as a new Python list (N4: each
    cell is checked again while the list is filled; a car emptied by Python's ``del cell.car``
    goes to the fallback too)."""

    def finish(ctx: Context, walked: Walk) -> None:
        f = walked.start.f
        fill, store, put, changed, fail, done = (f.label(s) for s in ("fill", "store", "put", "changed", "fail",
                                                                      "done"))
        items = f.call_c("PyList_New", walked.length, stem="list")
        f.cbr(f.icmp("eq", items, "null", stem="failed"), fail, fill)
        f.block(fill)
        loop = cells_loop(ctx, f, walked.lst, put, walked.length, store, done, changed)
        f.block(changed)
        f.call_c("Py_DecRef", items)
        f.br(walked.start.miss)
        f.block(store)
        item = f.field(loop.cell, ctx.offsets.car, stem="item")
        f.cbr(f.icmp("eq", item, "null", stem="nocar"), changed, put)
        f.block(put)
        kept = loop.cell if cells else item
        f.call_c("Py_IncRef", kept)
        f.call_c("PyList_SetItem", items, loop.i, kept)
        f.define(loop.following, f"load ptr, ptr {f.gep(loop.cell, ctx.offsets.cdr)}, align 8")
        f.define(loop.i_next, f"add i64 {loop.i}, 1")
        f.br(loop.head)
        f.block(fail)
        f.ret("null")
        f.block(done)
        f.ret(items)

    return finish


def length(ctx: Context, walked: Walk) -> None:
    """Finish: the length as a Python int."""
    f = walked.start.f
    f.ret(f.call_c("PyLong_FromSsize_t", walked.length))


def last(ctx: Context, walked: Walk) -> None:
    """Finish: the last cons (NIL for NIL)."""
    f = walked.start.f
    f.call_c("Py_IncRef", walked.last)
    f.ret(walked.last)


def replace_cars(ctx: Context, symbol: str) -> None:
    """A vectorcall function ``(lst, items)``: store the items of a Python list into the cars of
    the conses of ``lst`` in turn; returns ``lst``. Anything else (a chain with fewer conses) goes
    to the fallback, which stores again from the start (N6)."""
    start = entry(ctx, symbol, 2)
    f, (lst, items) = start.f, start.args
    begin, store, short, done = (f.label(s) for s in ("begin", "store", "short", "done"))
    f.branch_on_exact_type(items, ctx.objects.list_type, begin, start.miss)
    f.block(begin)
    f.call_c("Py_IncRef", lst)
    loop = cells_loop(ctx, f, lst, store, lambda: f.call_c("PyList_Size", items, stem="size"), store, done, short)
    f.block(short)
    f.call_c("Py_DecRef", loop.cell)
    f.br(start.miss)
    f.block(store)
    item = f.call_c("PyList_GetItem", items, loop.i, stem="item")
    f.call_c("Py_IncRef", item)
    carp = f.gep(loop.cell, ctx.offsets.car)
    old = f.load("ptr", carp, stem="old")
    f.store("ptr", item, carp)
    f.define(loop.following, f"load ptr, ptr {f.gep(loop.cell, ctx.offsets.cdr)}, align 8")
    f.call_c("Py_IncRef", loop.following)
    f.call_c("Py_DecRef", old)
    f.call_c("Py_DecRef", loop.cell)
    f.define(loop.i_next, f"add i64 {loop.i}, 1")
    f.br(loop.head)
    f.block(done)
    f.call_c("Py_DecRef", loop.cell)
    f.call_c("Py_IncRef", lst)
    f.ret(lst)
