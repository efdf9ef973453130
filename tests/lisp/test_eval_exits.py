"""A RETURN-FROM, GO or THROW out of a form that EVAL runs reaches the block, tagbody or catch around
the EVAL, as in SBCL (each expected answer is SBCL's); special operators and macros are fbound."""

from __future__ import annotations

import pytest

from tests.lisp.lisp_eval import show, show_values


def test_a_handler_returns_from_a_block_around_eval_once():
    assert show("(let ((n 0)) (list (block a (handler-bind ((error (lambda (c) (declare (ignore c)) (incf n)"
                " (return-from a :out)))) (eval '(error \"y\")))) n))") == "(:OUT 1)"


@pytest.mark.parametrize("form", [
    "(block a (handler-bind ((simple-error (lambda (c) (declare (ignore c)) (return-from a :out))))"
    " (eval '(error \"y\"))))",
    "(catch 'x (handler-bind ((simple-error (lambda (c) (declare (ignore c)) (throw 'x :out))))"
    " (eval '(error \"y\"))))",
    "(let ((r nil)) (tagbody (handler-bind ((simple-error (lambda (c) (declare (ignore c)) (go out))))"
    " (eval '(error \"y\"))) out (setq r :out)) r)",
    "(block b (let ((f (lambda () (return-from b :out)))) (eval (list 'funcall f)) :no))",
])
def test_an_exit_from_evaluated_code_reaches_its_target(form):
    assert show(form) == ":OUT"


def test_an_exit_from_evaluated_code_brings_its_values():
    assert show_values("(block b (eval (list 'funcall (lambda () (return-from b (values 1 2))))))") == ["1", "2"]


def test_an_exit_to_a_block_already_left_is_still_a_control_error():
    assert show("(handler-case (eval (list 'funcall (block b (lambda () (return-from b 1)))))"
                " (control-error () :control-error))") == ":CONTROL-ERROR"


def test_special_operators_and_macros_are_fbound():
    assert show("(list (fboundp 'if) (fboundp 'when) (not (null (fboundp 'car))) (fboundp (gensym)))") == "(T T T NIL)"
