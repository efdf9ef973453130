"""Where a function needs no clear of the values register at its tail (code that records nothing),
and that values still reach consumers exactly as in SBCL around such functions."""

from __future__ import annotations

import pytest

from tests.lisp.lisp_eval import run, show


@pytest.fixture(scope="module", autouse=True)
def _functions():
    run("""
(defun tc-two (n) (values n 9))
(defun tc-leaf (x) x)
(defun tc-branch (n) (if (< n 2) n (+ (tc-two n) 0)))
(defun tc-prefix (x) (tc-two x) x)
(defun tc-test (x) (if (tc-two x) x 0))
(defun tc-let (x) (let ((y (tc-two x))) (declare (ignorable y)) x))
(defun tc-optional (x &optional (y (tc-two x))) (declare (ignore y)) x)
(defun tc-key (x &key (y (tc-two x))) (declare (ignore y)) x)
(defun tc-setq (x) (let ((y 0)) (setq y (tc-two x)) y))
(defun tc-progn-branch (x) (if (> x 0) (progn (tc-two x) x) x))
(defvar *tc-counter* (let ((n 0)) (lambda (s) (setq n (+ n s)))))
""")


def _uses_register(function_name: str) -> bool:
    return "%mv_pending" in run(f"#'{function_name}").__code__.co_names


# Each expected list is what SBCL 2.x prints for the same forms.
@pytest.mark.parametrize("form, expected", [
    ("(tc-leaf (floor 7 1))", "(7)"),
    ("(tc-leaf (tc-two 3))", "(3)"),
    ("(tc-branch 5)", "(5)"),
    ("(tc-branch 1)", "(1)"),
    ("(tc-prefix 3)", "(3)"),
    ("(tc-test 3)", "(3)"),
    ("(tc-let 3)", "(3)"),
    ("(tc-optional 3)", "(3)"),
    ("(tc-key 3)", "(3)"),
    ("(tc-setq 3)", "(3)"),
    ("(tc-progn-branch 3)", "(3)"),
    ("(funcall *tc-counter* (tc-two 0))", "(0)"),
    ("(let ((a (tc-two 4))) (tc-leaf a))", "(4)"),
])
def test_values_around_functions_with_and_without_tail_clears_are_those_of_sbcl(form, expected):
    assert show(f"(multiple-value-list {form})") == expected


def test_a_function_that_calls_nothing_does_not_touch_the_register():
    assert not _uses_register("tc-leaf")


def test_a_closure_updating_its_variable_with_arithmetic_does_not_touch_the_register():
    assert "%mv_pending" not in run("*tc-counter*").__code__.co_names


def test_a_function_whose_tail_follows_a_call_clears_the_register():
    assert all(_uses_register(f) for f in ("tc-branch", "tc-prefix", "tc-test", "tc-let", "tc-optional", "tc-setq"))
