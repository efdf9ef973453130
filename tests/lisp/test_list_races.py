"""Lists changed by another thread while a library function walks them (undefined in the standard)
end in a value or a Lisp TYPE-ERROR, never a hang or a Python error; and the register of a Python
thread that ended holding multiple values does not stay for good."""

from __future__ import annotations

import sys
import threading

import pytest

import lisp
from lisp.runtime import values
from lisp.runtime.condition_classes import LispTypeError
from lisp.runtime.data import NIL, Cons
from tests.lisp.lisp_eval import run

WALKERS = ["COPY-LIST", "LDIFF", "TAILP", "LAST", "BUTLAST"]


def _calls(shared: Cons, middle: Cons) -> list:
    fns = {name: lisp.function(name) for name in WALKERS}
    return [lambda: fns["COPY-LIST"](shared), lambda: fns["LDIFF"](shared, middle),
            lambda: fns["TAILP"](middle, shared), lambda: fns["LAST"](shared, 3),
            lambda: fns["BUTLAST"](shared, 2)]


@pytest.mark.timeout(60)
def test_walks_of_a_list_that_another_thread_keeps_changing_end_in_a_value_or_a_type_error():
    cells = [Cons(i, NIL) for i in range(200)]
    for a, b in zip(cells, cells[1:]):
        a.cdr = b
    cells[-1].cdr = "dotted"  # a dotted list: these functions walk it in Python
    shared, middle, last = cells[0], cells[100], cells[-1]
    failures: list[BaseException] = []
    walkers_done = threading.Event()

    def mutate() -> None:
        # Make the list circular, cut it short and make it dotted again, until the walkers are done.
        i = 0
        while not walkers_done.is_set():
            last.cdr = (shared, NIL, "dotted")[i % 3]
            cells[50].cdr = NIL if i % 2 else cells[51]
            i += 1

    def walk() -> None:
        calls = _calls(shared, middle)
        for i in range(3000):
            try:
                calls[i % len(calls)]()
            except LispTypeError:
                pass  # a circular list, at the moment of the walk
            except BaseException as error:  # noqa: BLE001 - what the test is about
                failures.append(error)
                return

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, to interleave walks with changes
    try:
        mutator = threading.Thread(target=mutate)
        walkers = [threading.Thread(target=walk) for _ in range(3)]
        mutator.start()
        for t in walkers:
            t.start()
        for t in walkers:
            t.join()
        walkers_done.set()
        mutator.join()
    finally:
        sys.setswitchinterval(switch)
        last.cdr = "dotted"
        cells[50].cdr = cells[51]
    assert failures == []


@pytest.mark.timeout(60)
def test_the_registers_of_python_threads_that_ended_holding_values_are_dropped():
    run("(defun lr-two-values () (values 1 2))")
    two = lisp.function("LR-TWO-VALUES")
    idents: list[int] = []

    def work() -> None:
        two()
        idents.append(threading.get_ident())
        assert threading.get_ident() in values.PENDING  # it does hold them as it ends

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(idents) == 8 and set(idents) <= set(values.HOLDERS)
    # What compiled tails do while some thread holds values: clear this thread's register.
    for _ in range(values._SWEEP_EVERY):
        values.clear()
    assert not set(idents) & set(values.PENDING)
    assert not set(idents) & set(values.HOLDERS)
