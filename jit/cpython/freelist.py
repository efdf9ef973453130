"""Freelists of dead garbage-collected objects of one size, in IR: allocation that reuses them
and a keeper for deallocation functions to put them back.

A dead object on a freelist is untracked, owns no reference (not even to its type) and is
reachable from no object; its ``ob_refcnt`` word holds the link to the next one. Taking one runs
no Python code: ``PyObject_Init`` (count 1, a new reference to the type) and
``PyObject_GC_Track`` make it what ``PyType_GenericAlloc`` returns, the rest of the object as its
deallocation left it (it must leave it as ``PyType_GenericAlloc`` would: zero-filled). The
collector's young-generation count is neither raised nor lowered for a reused object (as
CPython's tuple and list freelists do). Every update is done under the GIL with no call out in
between, so threads and reentrant calls see the list whole.
"""

from __future__ import annotations

from typing import NamedTuple

from .ir import Module


class Freelist(NamedTuple):
    """The functions and counter :func:`add_freelist` defined (IR symbols)."""

    alloc: str  # ptr alloc() or ptr alloc(ptr type): a new reference to a new object, NULL on error
    keep: str  # void keep(ptr obj): a dead, untracked object put back (or freed when full)
    count: str  # i64 global: how many objects wait on the list


def add_freelist(module: Module, prefix: str, limit: int, tp: str | None = None) -> Freelist:
    """Define ``@{prefix}_alloc``, ``@{prefix}_keep`` (internal) and the exported counter
    ``@{prefix}_free_count`` in ``module``: a freelist of at most ``limit`` objects of the type
    ``tp`` (an IR pointer value), or, when None, of objects of one size whose type ``alloc`` takes
    as its argument. ``keep`` frees with ``PyObject_GC_Del`` when the list is full."""
    head = module.variable(f"{prefix}_free_head", "ptr", "null")
    count = module.variable(f"{prefix}_free_count", "i64", "0", exported=True)

    alloc = module.function(f"{prefix}_alloc", () if tp is not None else (("ptr", "type"),))
    tp = tp or "%type"
    first = alloc.load("ptr", head, stem="head")
    fresh, reuse = alloc.label("fresh"), alloc.label("reuse")
    alloc.cbr(alloc.icmp("eq", first, "null", stem="empty"), fresh, reuse)
    alloc.block(fresh)
    alloc.ret(alloc.call_c("PyType_GenericAlloc", tp, 0))
    alloc.block(reuse)
    alloc.store("ptr", alloc.load("ptr", first, stem="link"), head)
    alloc.store("i64", alloc.binary("sub", alloc.load("i64", count, stem="count"), 1), count)
    alloc.call_c("PyObject_Init", first, tp)
    alloc.call_c("PyObject_GC_Track", first)
    alloc.ret(first)

    keep = module.function(f"{prefix}_keep", (("ptr", "obj"),), returns="void", linkage="internal")
    n = keep.load("i64", count, stem="count")
    free, push = keep.label("free"), keep.label("push")
    keep.cbr(keep.icmp("uge", n, limit, "i64", stem="full"), free, push)
    keep.block(push)
    keep.store("ptr", keep.load("ptr", head, stem="head"), "%obj")
    keep.store("ptr", "%obj", head)
    keep.store("i64", keep.binary("add", n, 1), count)
    keep.ret()
    keep.block(free)
    keep.call_c("PyObject_GC_Del", "%obj")
    keep.ret()
    return Freelist(f"@{prefix}_alloc", f"@{prefix}_keep", count)
