"""Arguments are evaluated left to right: a variable read before a later argument runs keeps the
value it had then, whether the later argument assigns it or calls a closure that does (the copy
of the variable is left out only where neither can happen)."""

from __future__ import annotations

import pytest

from tests.lisp.lisp_eval import run, show

# Each expected value is what SBCL prints for the same body.
CASES = [
    ("(let ((x 1)) (+ x (progn (setq x 10) 1)))", "2"),
    ("(let ((x 1) (f nil)) (setq f (lambda () (setq x 10) 1)) (+ x (funcall f)))", "2"),
    ("(let ((x 1) (f (lambda () 0)) (r nil)) (dotimes (i 2) (push (+ x (funcall f)) r)"
     " (setq f (lambda () (setq x 10) 1))) r)", "(2 1)"),
    ("(let ((x 1) (f #'identity)) (list x (funcall f 2) (incf x) x))", "(1 2 2 2)"),
    ("(let ((x 1) (f #'identity)) (+ x (funcall f x) (funcall f (setq x 5)) x))", "12"),
]


@pytest.mark.parametrize("body, expected", CASES)
def test_a_variable_argument_keeps_the_value_it_had_when_it_was_evaluated(body, expected):
    assert show(body) == expected
    run(f"(defun ao-wrapped () {body})")
    assert show("(ao-wrapped)") == expected


def test_a_variable_no_closure_captures_is_not_copied_before_a_later_call():
    run("(defun ao-sum (fs) (let ((total 0)) (dolist (f fs) (setq total (+ total (funcall f 1)))) total))")
    assert show("(ao-sum (list #'1+ #'1-))") == "2"
    assert not any(v.startswith("%a") for v in run("#'ao-sum").__code__.co_varnames)
