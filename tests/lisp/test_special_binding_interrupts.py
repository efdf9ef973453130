"""Dynamic bindings survive asynchronous interrupts: a KeyboardInterrupt (Ctrl-C) that arrives
anywhere while a special variable is bound, run with or unbound leaves no binding behind
(lisp.runtime.namespace: the binding environment is restored by one assignment)."""

from __future__ import annotations

import _thread
import random
import threading
import time

import pytest

import lisp
from lisp.runtime import namespace
from lisp.runtime.data import find_package
from tests.lisp.lisp_eval import run

ROUNDS = 150


class _Interrupter:
    """A thread that interrupts the main thread once a round, at a random moment while it runs
    ``loop``, and waits until the main thread has handled the interrupt."""

    def __init__(self, seed: int) -> None:
        self.inside = False
        self.handled = threading.Event()
        self.done = False
        self.rng = random.Random(seed)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for _ in range(ROUNDS):
            while not self.inside:
                if self.done:
                    return
                time.sleep(0)  # let the main thread run: it is about to enter the loop
            for _ in range(self.rng.randrange(3000)):  # a random moment into the loop
                pass
            _thread.interrupt_main()
            if not self.handled.wait(30):
                return
            self.handled.clear()


def _interrupted_rounds(loop, still_bound) -> list[int]:
    """Run ``loop`` (which never returns) until interrupted, ROUNDS times; the rounds after which
    ``still_bound()`` was true."""
    interrupter = _Interrupter(seed=1)
    interrupter.thread.start()
    failed = []
    try:
        for number in range(ROUNDS):
            try:
                interrupter.inside = True
                loop()
            except KeyboardInterrupt:
                interrupter.inside = False
            if still_bound():
                failed.append(number)
            interrupter.handled.set()
    finally:
        interrupter.done = True
        interrupter.thread.join(30)
    return failed


def _symbol(name: str):
    return find_package("COMMON-LISP-USER").find_symbol(name)[0]


@pytest.fixture(scope="module", autouse=True)
def _loops():
    run("""
(defvar *ib-d* :global)
(defvar *ib-e* :global)
(defun ib-v () *ib-d*)
(defun ib-let () (loop (let ((*ib-d* :inner)) (ib-v))))
(defun ib-let* () (loop (let* ((*ib-d* :inner) (*ib-e* *ib-d*)) (ib-v))))
(defun ib-progv () (loop (progv '(*ib-d* *ib-e*) '(:inner :inner) (ib-v))))
(defun ib-inside () (let ((*ib-d* :inner)) (loop (ib-v))))
(defun ib-inside-tagbody () (let ((*ib-d* :inner)) (tagbody again (ib-v) (go again))))
""")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("loop", ["IB-LET", "IB-LET*", "IB-PROGV", "IB-INSIDE", "IB-INSIDE-TAGBODY"])
def test_interrupting_the_binding_of_special_variables_leaves_them_unbound(loop):
    d, e = _symbol("*IB-D*"), _symbol("*IB-E*")
    outer = namespace.symbol_value(d)
    assert _interrupted_rounds(lisp.function(loop), lambda: namespace.symbol_value(d) is not outer
                               or namespace.symbol_value(e) is not outer) == []


@pytest.mark.timeout(120)
def test_interrupting_a_python_dynamic_binding_leaves_it_unbound():
    d = _symbol("*IB-D*")
    outer = namespace.symbol_value(d)

    def loop() -> None:
        while True:
            with namespace.dynamic_binding(d, 1):
                pass

    assert _interrupted_rounds(loop, lambda: namespace.symbol_value(d) is not outer) == []
