"""Library and condition-system costs: gfjit library functions against the same operation in plain
Python, measured in one run (the two take turns; medians of repeated batches), printed as a table
of ratios.

    python bench/lisp_library_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import lisp.evaluator as lisp

N = 100_000

LISP = f"""
(defparameter *numbers* (loop for i below {N} collect (mod (* i 7919) 100003)))
(defun bench-mapcar () (mapcar #'1+ *numbers*))
(defun bench-remove-if-not () (remove-if-not #'evenp *numbers*))
(defun bench-sort () (sort (copy-list *numbers*) #'<))
(defun bench-sort-lambda () (sort (copy-list *numbers*) (lambda (a b) (< a b))))
(defparameter *short* (loop for i below 20 collect i))
(defparameter *alist* (loop for i below 20 collect (cons i i)))
(defun bench-member () (dotimes (i {N // 10}) (member 15 *short*)))
(defun bench-assoc () (dotimes (i {N // 10}) (assoc 15 *alist*)))
(defun bench-find-key () (dotimes (i {N // 10}) (find 15 *alist* :key #'car)))
(defun bench-butlast () (dotimes (i {N // 10}) (butlast *short*)))
(defun bench-remove-count () (remove 5 *numbers* :test #'< :count 1000))
(defun bench-gethash ()
  (let ((h (make-hash-table)))
    (dolist (x *numbers*) (setf (gethash x h) t))
    (hash-table-count h)))
(defun id (x) x)
(defun bench-plain-calls () (dotimes (i {N}) (id i)))
(defun bench-handler-case-entries () (dotimes (i {N}) (handler-case (id i) (error () nil))))
(defun bench-error-caught ()
  (dotimes (i {N // 10}) (handler-case (error "x") (error () nil))))
"""

PY_NUMBERS = [(i * 7919) % 100003 for i in range(N)]


def py_id(x: int) -> int:
    return x


def py_plain_calls() -> None:
    for i in range(N):
        py_id(i)


def py_try_entries() -> None:
    for i in range(N):
        try:
            py_id(i)
        except Exception:
            pass


def py_exception_caught() -> None:
    for _ in range(N // 10):
        try:
            raise ValueError("x")
        except ValueError:
            pass


PY_SHORT = list(range(20))
PY_ALIST = [(i, i) for i in PY_SHORT]


def py_member() -> None:
    for _ in range(N // 10):
        PY_SHORT[PY_SHORT.index(15):]


def py_find_key() -> None:
    for _ in range(N // 10):
        next((pair for pair in PY_ALIST if pair[0] == 15), None)


def py_butlast() -> None:
    for _ in range(N // 10):
        PY_SHORT[:-1]


def py_remove_count() -> list[int]:
    out, removed = [], 0
    for x in PY_NUMBERS:
        if removed < 1000 and 5 < x:
            removed += 1
        else:
            out.append(x)
    return out


def py_gethash() -> int:
    table = {}
    for x in PY_NUMBERS:
        table[x] = True
    return len(table)


CASES: list[tuple[str, str, Callable[[], object]]] = [
    ("mapcar #'1+ (100k list)", "bench-mapcar", lambda: [x + 1 for x in PY_NUMBERS]),
    ("remove-if-not #'evenp", "bench-remove-if-not", lambda: [x for x in PY_NUMBERS if x % 2 == 0]),
    ("sort #'<", "bench-sort", lambda: sorted(PY_NUMBERS)),
    ("sort (lambda (a b) (< a b))", "bench-sort-lambda", lambda: sorted(PY_NUMBERS)),
    ("10k member (20-element list)", "bench-member", py_member),
    ("10k assoc (20-element alist)", "bench-assoc", py_find_key),
    ("10k find :key #'car (20 elements)", "bench-find-key", py_find_key),
    ("10k butlast (20-element list)", "bench-butlast", py_butlast),
    ("remove :test #'< :count 1000 (100k)", "bench-remove-count", py_remove_count),
    ("setf gethash (eql table)", "bench-gethash", py_gethash),
    ("100k calls of a function", "bench-plain-calls", py_plain_calls),
    ("100k handler-case entries (no error)", "bench-handler-case-entries", py_try_entries),
    ("10k errors signalled and caught", "bench-error-caught", py_exception_caught),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="batches per measurement (median)")
    args = parser.parse_args()
    lisp.eval_string(LISP)
    print(f"{'operation':40} {'gfjit ms':>10} {'Python ms':>10} {'ratio':>7}")
    for label, lisp_name, python in CASES:
        ours, theirs = medians([lisp.function(lisp_name), python], args.repeat)
        print(f"{label:40} {ours * 1e3:10.2f} {theirs * 1e3:10.2f} {ours / theirs:7.2f}")


def medians(calls: list[Callable[[], object]], repeat: int) -> list[float]:
    """The median seconds of each call; the calls take turns, so a noisy moment falls on all."""
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(repeat):
        for call, samples in zip(calls, times):
            start = time.perf_counter()
            call()
            samples.append(time.perf_counter() - start)
    return [statistics.median(samples) for samples in times]


if __name__ == "__main__":
    main()
