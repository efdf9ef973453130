"""The native ``tp_traverse`` of Cons (lisp.runtime.native_cons.cells, invariant N13): what the
collector sees of a cons and of every kind of subclass instance, each type exactly once; cycles through
conses collected; references untouched; threads collecting at once."""

from __future__ import annotations

import gc
import sys
import threading
import weakref

import pytest

from jit import cpython
from lisp.runtime import native_cons
from lisp.runtime.data import NIL, Cons, SourceCons

native_only = pytest.mark.skipif(not native_cons.native_enabled, reason="native conses disabled")


class Slotted(Cons):
    __slots__ = ("extra",)


class WithDict(Cons):
    pass


class SourceWithDict(SourceCons):
    pass


class Marker:
    """An object whose death can be seen through a weak reference."""


def _make(cls: type, car: object, cdr: object) -> Cons:
    return cls(car, cdr, None) if issubclass(cls, SourceCons) else cls(car, cdr)


KINDS = [Cons, SourceCons, Slotted, WithDict, SourceWithDict]


@native_only
def test_cons_has_the_native_traverse_and_its_subclasses_keep_cpythons():
    def traverse(cls: type) -> int:
        return cpython.type_slot(cls, cpython.Slot.tp_traverse)

    assert traverse(Cons) != traverse(SourceCons)
    assert traverse(SourceCons) == traverse(Slotted) == traverse(WithDict)


def test_a_cons_shows_the_collector_its_car_its_cdr_and_its_type():
    a, b = Marker(), Marker()
    assert gc.get_referents(Cons(a, b)) == [a, b, Cons]


@pytest.mark.parametrize("cls", KINDS, ids=lambda c: c.__name__)
def test_every_kind_of_cons_shows_its_type_exactly_once(cls):
    # Twice would corrupt the collector's reference counts (a crash later); never would leak.
    cell = _make(cls, 1, 2)
    referents = gc.get_referents(cell)
    assert [r for r in referents if r is cls] == [cls]
    assert 1 in referents and 2 in referents


def test_a_subclass_shows_its_own_slots_too():
    extra = Marker()
    cell = Slotted(1, 2)
    cell.extra = extra
    assert extra in gc.get_referents(cell)


def test_a_subclass_shows_its_attributes_too():
    value = Marker()
    cell = WithDict(1, 2)
    cell.attribute = value
    referents = gc.get_referents(cell)  # the values themselves (3.11+ without a dict made) or the dict
    assert value in referents or any(isinstance(r, dict) and r.get("attribute") is value for r in referents)


def test_empty_slots_are_skipped():
    assert gc.get_referents(Cons.__new__(Cons)) == [Cons]


@pytest.mark.parametrize("cls", KINDS, ids=lambda c: c.__name__)
def test_the_collector_frees_a_cycle_through_conses(cls):
    marker = Marker()
    dead = weakref.ref(marker)
    head = _make(cls, marker, NIL)
    head.cdr = _make(cls, 1, head)
    del head, marker
    gc.collect()
    assert dead() is None


def test_the_collector_frees_a_class_whose_instance_it_holds():
    # The cycle class -> its dict -> instance -> class is found only through the type visit.
    class Holder(Cons):
        __slots__ = ()

    Holder.instance = Holder(1, NIL)
    dead = weakref.ref(Holder)
    del Holder
    gc.collect()
    assert dead() is None


def test_a_long_list_survives_collections_with_its_elements():
    markers = [Marker() for _ in range(1000)]
    chain = native_cons.list_of(*markers)
    counts = [sys.getrefcount(m) for m in markers[:10]]
    for _ in range(3):
        gc.collect()
    assert native_cons.to_list(chain) == markers
    assert [sys.getrefcount(m) for m in markers[:10]] == counts


def test_live_conses_reachable_from_a_collected_cycle_stay_alive():
    keep = native_cons.list_of(1, 2, 3)
    cycle = Cons(keep, NIL)
    cycle.cdr = cycle
    del cycle
    gc.collect()
    assert native_cons.to_list(keep) == [1, 2, 3]


@pytest.mark.timeout(60)
def test_threads_making_cycles_and_collecting_at_once_lose_nothing():
    results: dict[int, bool] = {}

    def work(k: int) -> None:
        ok = True
        for i in range(30):
            live = native_cons.list_of(*range(k, k + 50))
            for _ in range(20):
                cell = _make(KINDS[(i + k) % len(KINDS)], live, NIL)
                cell.cdr = cell
            gc.collect(0)
            ok = ok and native_cons.to_list(live) == list(range(k, k + 50))
        results[k] = ok

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    gc.collect()
    assert results == {k: True for k in range(4)}
