"""The list iterator DOLIST loops over (lisp.runtime.native_cons ``ListIterator``, invariants N12
and N15): its native step against its Python meaning, references, the collector, threads; DOLIST's behaviour on
top of it (results checked against SBCL)."""

from __future__ import annotations

import gc
import sys
import threading
import weakref

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lisp.runtime import native_cons
from lisp.runtime.condition_classes import LispTypeError
from lisp.runtime.data import NIL, Cons, SourceCons, make_list
from tests.lisp.lisp_eval import run, show

native_only = pytest.mark.skipif(not native_cons.native_enabled, reason="native conses disabled")
ListIterator = native_cons.ListIterator


class Tagged(Cons):
    __slots__ = ()


class Marker:
    """An element whose death can be seen through a weak reference."""


def _steps(step, it: ListIterator, count: int) -> list[object]:
    return [step(it) for _ in range(count)]


# The native step (next) and the Python one (the class's own __next__) are both checked.
STEPS = [next, ListIterator.__next__]


@pytest.mark.parametrize("step", STEPS)
def test_the_iterator_gives_the_cars_in_order_then_stops(step):
    it = native_cons.list_iter(make_list([1, "two", None]))
    assert _steps(step, it, 3) == [1, "two", None]
    with pytest.raises(StopIteration):
        step(it)


@pytest.mark.parametrize("step", STEPS)
def test_an_ended_iterator_stays_ended(step):
    it = native_cons.list_iter(make_list([1]))
    assert list(it) == [1]
    for _ in range(2):
        with pytest.raises(StopIteration):
            step(it)


def _walk(step, chain: object) -> tuple[list[object], object]:
    """The elements a walk gives, and the datum of the TYPE-ERROR that ended it (NIL if none)."""
    it, seen = native_cons.list_iter(chain), []
    try:
        while True:
            seen.append(step(it))
    except StopIteration:
        return seen, NIL
    except LispTypeError as e:
        return seen, e.datum


@given(st.lists(st.one_of(st.integers(), st.none(), st.text(max_size=2))),
       st.one_of(st.none(), st.integers(), st.text(min_size=1, max_size=2)))
def test_the_native_step_agrees_with_the_python_one_on_any_list(items, tail):
    chain = make_list(items, tail)
    assert _walk(next, chain) == _walk(ListIterator.__next__, chain) == (items, tail)


def test_nil_gives_no_elements():
    assert list(native_cons.list_iter(NIL)) == []


def test_the_iterator_is_its_own_iterator():
    it = native_cons.list_iter(NIL)
    assert iter(it) is it


def test_reader_conses_and_python_subclasses_are_walked_as_conses():
    chain = SourceCons(1, Tagged(2, Cons(3, NIL)), None)
    assert list(native_cons.list_iter(chain)) == [1, 2, 3]


@pytest.mark.parametrize("step", STEPS)
def test_a_dotted_tail_is_a_type_error_naming_dolist_and_the_tail_once_reached(step):
    it = native_cons.list_iter(Cons(1, Cons(2, 3)))
    assert _steps(step, it, 2) == [1, 2]
    with pytest.raises(LispTypeError, match="DOLIST: 3 is not a list") as info:
        step(it)
    assert info.value.datum == 3


@pytest.mark.parametrize("step", STEPS)
def test_a_non_list_is_a_type_error_at_the_first_step(step):
    with pytest.raises(LispTypeError, match="DOLIST: \"abc\" is not a list"):
        step(native_cons.list_iter("abc"))


@pytest.mark.parametrize("step", STEPS)
def test_a_car_emptied_by_python_is_pythons_attribute_error(step):
    cell = Cons(1, NIL)
    del cell.car
    with pytest.raises(AttributeError):
        step(native_cons.list_iter(cell))


def test_the_walk_follows_the_cdrs_as_they_are_when_it_reaches_them():
    chain = make_list([1, 2, 3, 4])
    it = native_cons.list_iter(chain)
    assert next(it) == 1
    chain.cdr.cdr = NIL  # the iterator stands on the second cell: it ends after it
    assert list(it) == [2]


def test_a_circular_list_goes_round_for_ever_as_in_sbcl():
    chain = make_list([1, 2])
    chain.cdr.cdr = chain
    it = native_cons.list_iter(chain)
    assert [next(it) for _ in range(5)] == [1, 2, 1, 2, 1]


def test_the_iterator_keeps_the_list_it_stands_on_alive():
    marker = Marker()
    dead = weakref.ref(marker)
    it = native_cons.list_iter(native_cons.list_of(1, marker))
    del marker
    assert next(it) == 1 and dead() is not None
    assert next(it) is dead()


def test_a_finished_walk_holds_no_reference_to_the_list_or_its_elements():
    marker = Marker()
    chain = native_cons.list_of(marker, marker)
    before = (sys.getrefcount(marker), sys.getrefcount(chain), sys.getrefcount(chain.cdr))
    it = native_cons.list_iter(chain)
    assert list(it) == [marker, marker]
    assert (sys.getrefcount(marker), sys.getrefcount(chain), sys.getrefcount(chain.cdr)) == before


def test_walking_shared_and_immortal_elements_keeps_their_counts():
    # Immortal on 3.12+ (N14: their counts are never changed), shared by everything on 3.11.
    chain = native_cons.list_of(*[True] * 100, *[7] * 100)
    counts = (sys.getrefcount(True), sys.getrefcount(7))
    assert sum(1 for _ in native_cons.list_iter(chain)) == 200
    assert (sys.getrefcount(True), sys.getrefcount(7)) == counts


def test_dropping_a_half_done_iterator_frees_the_rest_of_the_list():
    marker = Marker()
    dead = weakref.ref(marker)
    it = native_cons.list_iter(native_cons.list_of(1, 2, marker))
    del marker
    next(it)
    del it
    assert dead() is None


def test_the_collector_frees_a_cycle_through_an_iterator():
    marker = Marker()
    dead = weakref.ref(marker)
    chain = native_cons.list_of(marker, None)
    chain.cdr.car = native_cons.list_iter(chain)  # list -> iterator -> list
    del chain, marker
    gc.collect()
    assert dead() is None


@native_only
def test_the_native_step_runs_no_python_code():
    calls: list[str] = []

    def profile(frame, event, arg):
        if event == "call":
            calls.append(frame.f_code.co_name)

    chain = native_cons.list_of(1, 2, 3)
    sys.setprofile(profile)
    try:
        items = list(native_cons.list_iter(chain))
    finally:
        sys.setprofile(None)
    assert items == [1, 2, 3]
    assert "__next__" not in calls and "__iter__" not in calls


@native_only
def test_a_dropped_iterator_is_reused_for_the_next_of_either_kind():
    it = native_cons.list_iter(native_cons.list_of(1))
    address = id(it)
    del it
    again = native_cons.loop_list_iter(native_cons.list_of(2))
    assert (id(again), type(again), list(again)) == (address, native_cons.LoopListIterator, [2])
    assert gc.is_tracked(again)


def test_iterators_made_and_dropped_keep_their_classes_counts_balanced():
    counts = (sys.getrefcount(ListIterator), sys.getrefcount(native_cons.LoopListIterator))
    for i in range(200):  # more than the iterator freelist keeps
        kept = [native_cons.list_iter(NIL) for _ in range(i % 100)]
        kept.extend(native_cons.loop_list_iter(NIL) for _ in range(i % 7))
        del kept
    assert (sys.getrefcount(ListIterator), sys.getrefcount(native_cons.LoopListIterator)) == counts


def test_a_dropped_iterator_releases_its_list_after_it_is_gone():
    marker = Marker()
    dead = weakref.ref(marker)
    it = native_cons.list_iter(native_cons.list_of(marker))
    del marker
    del it
    assert dead() is None


@pytest.mark.timeout(60)
def test_threads_walking_one_list_at_once_each_see_every_element():
    chain = native_cons.list_of(*range(1000))
    results: dict[int, list[int]] = {}

    def work(k: int) -> None:
        results[k] = [sum(native_cons.list_iter(chain)) for _ in range(50)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {k: [sum(range(1000))] * 50 for k in range(4)}


# -- DOLIST on top of it ---------------------------------------------------------------------------

def test_dolist_visits_every_element_in_order():
    assert show("(let (r) (dolist (x (list 1 2 3) (nreverse r)) (push (* x x) r)))") == "(1 4 9)"


def test_dolist_over_a_quoted_list_walks_the_readers_conses():
    assert show("(let ((s 0)) (dolist (x '(1 2 3) s) (incf s x)))") == "6"


def test_return_leaves_dolist_with_its_value():
    assert show("(dolist (x (list 1 2 3 4)) (when (= x 3) (return (* x 10))))") == "30"


def test_go_to_a_tag_of_an_enclosing_tagbody_leaves_the_dolist():
    assert show("(let ((n 0)) (tagbody (dolist (x (list 1 2 3)) (setq n x) (when (= x 2) (go out))) out) n)") == "2"


def test_dolist_over_a_dotted_list_signals_after_the_proper_part_ran():
    assert show("(let (seen) (handler-case (dolist (x (list* 1 2 3)) (push x seen))"
                " (type-error (e) (list seen (type-error-datum e)))))") == "((2 1) 3)"


def test_a_dolist_type_error_can_be_handled_by_handler_bind():
    assert show("(block b (handler-bind ((type-error (lambda (e) (return-from b (list :seen (type-error-datum e))))))"
                " (dolist (x 7) x)))") == "(:SEEN 7)"


def test_dolist_over_a_circular_list_runs_until_the_body_leaves():
    assert show("(let ((l (list 1 2)) (n 0)) (setf (cdr (last l)) l)"
                " (dolist (x l) (when (> (incf n) 10) (return n))))") == "11"


def test_nested_dolists_over_one_list_are_independent():
    assert show("(let (r) (dolist (x '(1 2)) (dolist (y '(1 2)) (push (list x y) r))) (nreverse r))") == \
        "((1 1) (1 2) (2 1) (2 2))"


def test_a_dolist_in_a_closure_body_sees_each_element():
    assert show("(let ((fs nil)) (dolist (x (list 1 2 3)) (push (lambda () (* 2 x)) fs)) (mapcar #'funcall fs))") == \
        "(6 4 2)"


def test_dolist_whose_variable_is_special_binds_it_for_each_element():
    run("(defvar *dolist-special* :outside)")
    run("(defun dolist-special-value () *dolist-special*)")
    assert show("(let (r) (dolist (*dolist-special* '(1 2) (cons *dolist-special* r)) (push (dolist-special-value) r)))") == \
        "(NIL 2 1)"
    assert show("*dolist-special*") == ":OUTSIDE"
