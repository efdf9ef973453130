"""The native ``tp_dealloc`` of Cons and its freelist (lisp.runtime.native_cons.cells, invariants
N8-N11)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import weakref

import pytest

from jit import cpython
from lisp.runtime import native_cons
from lisp.runtime.data import NIL, Cons, SourceCons

pytestmark = pytest.mark.skipif(not native_cons.native_enabled, reason="native conses disabled")


def _tp_dealloc(cls: type) -> int:
    return cpython.type_slot(cls, cpython.Slot.tp_dealloc)


class Marker:
    """A car whose death can be seen through a weak reference."""


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=110,
                          env={**os.environ, **env})


def test_a_dropped_cons_is_reused_by_the_next_native_cons():
    cell = native_cons.cons(1, 2)
    address = id(cell)
    del cell
    again = native_cons.cons(3, 4)
    assert (id(again), again.car, again.cdr, type(again)) == (address, 3, 4, Cons)


def test_a_reused_cons_is_tracked_by_the_collector():
    del native_cons.list_of(1, 2, 3).cdr
    assert native_cons.freelist_length() > 0
    assert gc.is_tracked(native_cons.cons(1, 2))


def test_the_freelist_keeps_at_most_its_bound():
    native_cons.list_of(*range(native_cons.FREELIST_MAX + 1000))
    assert native_cons.freelist_length() == native_cons.FREELIST_MAX


def _drops_in_a_subprocess(build: str) -> bool:
    """Whether a fresh interpreter survives dropping the object the code ``build`` leaves in ``x``."""
    done = _run(f"from lisp.runtime import native_cons as n\n{build}\ndel x\nprint('dropped')")
    return (done.returncode, done.stdout.strip()) == (0, "dropped")


@pytest.mark.timeout(60)
def test_dropping_a_million_long_list_does_not_recurse():
    assert _drops_in_a_subprocess("x = n.list_of(*range(1_000_000))")


@pytest.mark.timeout(60)
def test_dropping_a_million_deep_car_nest_does_not_recurse():
    assert _drops_in_a_subprocess("x = None\nfor _ in range(1_000_000):\n    x = n.cons(x, n.cons(1, None))")


@pytest.mark.timeout(60)
def test_dropping_a_million_deep_nest_of_conses_and_python_lists_does_not_overflow():
    assert _drops_in_a_subprocess("x = None\nfor _ in range(500_000):\n    x = n.cons([x], None)")


def test_dropping_a_tree_releases_every_car():
    leaves = [Marker() for _ in range(64)]
    refs = [weakref.ref(leaf) for leaf in leaves]

    def tree(lo: int, hi: int) -> object:
        if hi - lo == 1:
            return native_cons.cons(leaves[lo], NIL)
        mid = (lo + hi) // 2
        return native_cons.cons(tree(lo, mid), tree(mid, hi))

    built = tree(0, 64)
    del leaves, built
    assert [r() for r in refs] == [None] * 64


def test_finalizers_that_make_and_drop_conses_during_a_drop_see_consistent_lists():
    seen = []

    class Busy:
        def __init__(self, k: int) -> None:
            self.k = k

        def __del__(self) -> None:
            scratch = native_cons.list_of(*range(self.k, self.k + 50))
            seen.append(native_cons.to_list(native_cons.map_items(lambda x: x + 1, scratch)))

    chain = native_cons.list_of(*[Busy(k) for k in range(200)])
    del chain
    assert seen == [list(range(k + 1, k + 51)) for k in range(200)]
    assert native_cons.to_list(native_cons.list_of(*range(300))) == list(range(300))


def test_finalizers_that_collect_cycles_during_a_drop_leave_every_list_whole():
    collected = []

    class Collector:
        def __del__(self) -> None:
            head = native_cons.list_of(Marker(), 2, 3)
            native_cons.last_cons(head).cdr = head
            del head
            collected.append(gc.collect())

    kept = native_cons.list_of(*range(500))
    chain = native_cons.list_of(*[native_cons.cons(Collector(), kept) for _ in range(20)])
    del chain
    assert (len(collected), min(collected) > 0) == (20, True)
    assert native_cons.to_list(kept) == list(range(500))


def test_weakref_callbacks_that_make_and_drop_conses_during_a_drop_see_consistent_lists():
    seen = []
    markers = [Marker() for _ in range(100)]
    refs = [weakref.ref(m, lambda _: seen.append(native_cons.length(native_cons.list_of(*range(30)))))
            for m in markers]
    chain = native_cons.list_of(*markers)
    del markers, chain
    assert (seen, len(refs)) == ([30] * 100, 100)


def test_cons_keeps_its_native_dealloc_and_subclasses_keep_pythons():
    class Sub(Cons):
        __slots__ = ()

    assert _tp_dealloc(Cons) != _tp_dealloc(SourceCons) == _tp_dealloc(Sub)


def test_source_conses_release_their_car_cdr_pos_and_type():
    gc.collect()
    before = sys.getrefcount(SourceCons)
    car, pos = Marker(), Marker()
    refs = weakref.ref(car), weakref.ref(pos)
    chain = SourceCons(car, SourceCons(native_cons.list_of(1, 2), NIL, pos), pos)
    del car, pos, chain
    assert (refs[0](), refs[1](), sys.getrefcount(SourceCons)) == (None, None, before)


def test_a_subclass_with_a_finalizer_and_a_dict_is_released_like_any_python_object():
    finalized = []

    class Sub(Cons):
        def __del__(self) -> None:
            finalized.append(self.tag)

    car, tag = Marker(), Marker()
    refs = weakref.ref(car), weakref.ref(tag)
    cell = Sub(car, native_cons.list_of(1, 2, 3))
    cell.tag = tag
    del cell, car, tag
    assert len(finalized) == 1
    del finalized[:]
    assert (refs[0](), refs[1]()) == (None, None)


def test_a_cycle_through_conses_is_collected():
    marker = Marker()
    ref = weakref.ref(marker)
    head = native_cons.list_of(marker, 2, 3)
    native_cons.last_cons(head).cdr = head
    del marker, head
    gc.collect()
    assert ref() is None


def test_many_make_and_drop_cycles_leave_the_refcounts_of_cons_and_of_cars_unchanged():
    item = Marker()
    gc.collect()
    before = sys.getrefcount(Cons), sys.getrefcount(item)
    for _ in range(30):
        chain = native_cons.list_of(*[item] * 3000)
        mapped = native_cons.map_items(lambda x: (x, x), chain)
        kept = native_cons.keep_if(lambda x: x, chain)
        nest = native_cons.cons(native_cons.cons(item, chain), Cons(item, mapped))
        del chain, mapped, kept, nest
    gc.collect()
    assert (sys.getrefcount(Cons), sys.getrefcount(item)) == before


@pytest.mark.timeout(120)
def test_threads_making_and_dropping_conses_get_their_own_lists():
    errors = []

    def work(k: int) -> None:
        for n in range(150):
            chain = native_cons.list_of(*range(k, k + n))
            mapped = native_cons.map_items(lambda x: native_cons.cons(x, None), chain)
            got = [cell.car for cell in native_cons.to_list(mapped)]
            if got != list(range(k, k + n)):
                errors.append((k, n, got))
            del chain, mapped

    threads = [threading.Thread(target=work, args=(k * 1000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.timeout(60)
def test_without_native_code_cons_keeps_pythons_dealloc_and_stays_mutable():
    done = _run("import warnings\nwarnings.simplefilter('ignore')\nfrom jit import cpython\n"
                "from lisp.runtime.data import Cons, SourceCons\nfrom lisp.runtime import native_cons as n\n"
                "slot = lambda c: cpython.type_slot(c, cpython.Slot.tp_dealloc)\n"
                "Cons.note = 'mutable'\n"
                "print(slot(Cons) == slot(SourceCons), n.freelist_length(), Cons.note)", GFJIT_NATIVE="0")
    assert done.stdout.strip() == "True 0 mutable"
