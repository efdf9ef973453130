"""Library and condition-system costs: gfjit library functions against the same operation in plain
Python, measured in one run (medians of repeated batches), printed as a table of ratios.

    python bench/lisp_library_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import lisp.evaluator as lisp
from lisp_bench import median_time  # bench/ is the script's directory, so on sys.path

N = 100_000

LISP = f"""
(defparameter *numbers* (loop for i below {N} collect (mod (* i 7919) 100003)))
(defun bench-mapcar () (mapcar #'1+ *numbers*))
(defun bench-remove-if-not () (remove-if-not #'evenp *numbers*))
(defun bench-sort () (sort (copy-list *numbers*) #'<))
(defun bench-sort-lambda () (sort (copy-list *numbers*) (lambda (a b) (< a b))))
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
        lisp_fn = lisp.function(lisp_name)
        ours = median_time(lisp_fn, args.repeat)
        theirs = median_time(python, args.repeat)
        print(f"{label:40} {ours * 1e3:10.2f} {theirs * 1e3:10.2f} {ours / theirs:7.2f}")


if __name__ == "__main__":
    main()
