"""Structure slot access (issue 16 item 2): ``(incf (point-x p))`` in a loop, against a CLOS
accessor, ``slot-value``, and plain Python on a ``__slots__`` object, measured in the same run.

Each row is a loop of N iterations; the table shows the cost of one iteration and its ratio to the
plain Python loop of its group. ``(loop repeat n ...)`` counts down with a test more than Python's
``for _ in range(n)``, so the first group measures the empty loops alone.

Run: ``python bench/struct_bench.py [--quick]`` (median times, ns per iteration), or
``--instructions [--quick]`` to count instructions per iteration under callgrind instead
(deterministic: a shared machine's timing noise does not settle differences of a few percent).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callgrind import CALLGRIND_OUT, Callgrind, run_under_callgrind

import dispatch
import lisp
from lisp import toplevel

SETUP = """
(defstruct point (x 0) (y 0))
(defstruct tpoint (x 0 :type fixnum) (y 0 :type fixnum))
(defclass cpoint () ((x :initform 0 :accessor cpoint-x) (y :initform 0 :accessor cpoint-y)))
(defun empty-loop (p n) (loop repeat n do (progn p)))
(defun struct-incf (p n) (loop repeat n do (incf (point-x p))))
(defun typed-struct-incf (p n) (loop repeat n do (incf (tpoint-x p))))
(defun clos-accessor-incf (p n) (loop repeat n do (incf (cpoint-x p))))
(defun slot-value-incf (p n) (loop repeat n do (incf (slot-value p 'x))))
(defun struct-read (p n) (let ((s 0)) (loop repeat n do (setf s (point-x p))) s))
(defun clos-read (p n) (let ((s 0)) (loop repeat n do (setf s (cpoint-x p))) s))
(defun struct-make (p n) (loop repeat n do (make-point :x 1 :y 2)))
(defun clos-make (p n) (loop repeat n do (make-instance 'cpoint)))
"""


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x: int = 0, y: int = 0) -> None:
        self.x = x
        self.y = y


def python_empty(p: Any, n: int) -> None:
    for _ in range(n):
        pass


def python_incf(p: Any, n: int) -> None:
    for _ in range(n):
        p.x += 1


def python_read(p: Any, n: int) -> Any:
    s = 0
    for _ in range(n):
        s = p.x
    return s


def python_make(p: Any, n: int) -> None:
    for _ in range(n):
        Point(x=1, y=2)


def groups() -> list[tuple[str, list[tuple[str, Callable[[Any, int], Any], Any]]]]:
    toplevel.boot_for_programs()  # as `gfjit run` sets the Lisp up (the boot heap frozen)
    lisp.eval_string(SETUP)
    point, tpoint, cpoint = (lisp.eval_string(f) for f in ("(make-point)", "(make-tpoint)",
                                                            "(make-instance 'cpoint)"))
    f = lisp.function
    return [
        ("the loop alone", [
            ("Python: for _ in range(n): pass", python_empty, None),
            ("(loop repeat n do (progn p))", f("empty-loop"), point),
        ]),
        ("incf of a slot", [
            ("Python: p.x += 1", python_incf, Point()),
            ("(incf (point-x p)) structure", f("struct-incf"), point),
            ("(incf (tpoint-x p)) :type fixnum slot", f("typed-struct-incf"), tpoint),
            ("(incf (cpoint-x p)) CLOS accessor", f("clos-accessor-incf"), cpoint),
            ("(incf (slot-value p 'x)) CLOS", f("slot-value-incf"), cpoint),
        ]),
        ("read a slot", [
            ("Python: s = p.x", python_read, Point()),
            ("(setf s (point-x p)) structure", f("struct-read"), point),
            ("(setf s (cpoint-x p)) CLOS accessor", f("clos-read"), cpoint),
        ]),
        ("make an object", [
            ("Python: Point(x=1, y=2)", python_make, None),
            ("(make-point :x 1 :y 2)", f("struct-make"), None),
            ("(make-instance 'cpoint)", f("clos-make"), None),
        ]),
    ]


def ns_per_iteration(fn: Callable[[Any, int], Any], obj: Any, n: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(obj, n)
        times.append((time.perf_counter() - start) / n * 1e9)
    return statistics.median(times)


def instructions_per_iteration(callgrind: Callgrind, fn: Callable[[Any, int], Any], obj: Any, n: int,
                               tries: int) -> float:
    """The count of 2n iterations minus that of n (fixed costs cancel), each the least of ``tries``."""
    def least(iterations: int) -> int:
        return min(callgrind.events(lambda: fn(obj, iterations))["Ir"] for _ in range(tries))

    return (least(2 * n) - least(n)) / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations and repeats")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under callgrind instead of timing (valgrind required)")
    args = parser.parse_args()
    out_file = os.environ.get(CALLGRIND_OUT)
    if args.instructions and out_file is None:
        return run_under_callgrind(__file__, sys.argv[1:])
    if args.instructions:
        callgrind = Callgrind(out_file)
        n, tries = (5_000, 1) if args.quick else (20_000, 3)
        unit = "instructions/iter"

        def measure(fn: Callable[[Any, int], Any], obj: Any) -> float:
            return instructions_per_iteration(callgrind, fn, obj, n, tries)
    else:
        n, repeat = (200_000, 3) if args.quick else (1_000_000, 7)
        unit = "ns/iter"

        def measure(fn: Callable[[Any, int], Any], obj: Any) -> float:
            return ns_per_iteration(fn, obj, n, repeat)

    measured = groups()
    # Warm: caches, the generic functions' dispatchers, and CPython's specialization, which 3.11
    # starts after 8 calls of a function (a loop whose back edge is a conditional jump, as a
    # compiled LOOP's is, does not count).
    for _, cases in measured:
        for _, fn, obj in cases:
            for _ in range(10):
                fn(obj, 100)
    dispatch.wait_for_compiles()  # a background compile would be counted (and timed) too
    gc.collect()
    measure(python_empty, None)  # the first measurement pays for something once: not shown
    print(f"Python {sys.version.split()[0]}, {n:,} iterations a run, {unit}, ratio to the group's Python loop")
    print(f"| workload | {unit} | x Python |\n| --- | ---: | ---: |")
    for title, cases in measured:
        print(f"| **{title}** | | |")
        baseline = None
        for name, fn, obj in cases:
            cost = measure(fn, obj)
            baseline = baseline or cost
            print(f"| {name} | {cost:.1f} | {cost / baseline:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
