"""A ``let`` entered again and again in a loop makes a new binding each time, which the closures
made there keep (lisp.compiler.fresh_bindings): each expected answer is what SBCL 2.x prints."""

from __future__ import annotations

import pytest

from tests.lisp.lisp_eval import run, show


@pytest.mark.parametrize("form, sbcl", [
    ("(let ((fs nil)) (dotimes (i 3) (let ((n i)) (push (lambda () (incf n)) fs) (incf n))) (mapcar #'funcall fs))",
     "(4 3 2)"),
    ("(let ((fs nil)) (dotimes (i 3) (let ((n i)) (push (lambda () n) fs) (setq n (* n 10)))) (mapcar #'funcall fs))",
     "(20 10 0)"),
    ("(let ((fs nil)) (dotimes (i 3) (let ((n i)) (push (lambda () (setq n (+ n 100))) fs)))"
     " (list (mapcar #'funcall fs) (mapcar #'funcall fs)))", "((102 101 100) (202 201 200))"),
])
def test_a_binding_assigned_after_it_is_made_is_shared_by_its_turn_only(form, sbcl):
    assert show(form) == sbcl


def test_two_closures_of_one_turn_share_its_binding():
    assert show("(let ((gs nil) (ss nil)) (dotimes (i 2) (let ((n i)) (push (lambda () n) gs)"
                " (push (lambda (v) (setq n v)) ss))) (funcall (first ss) 7) (funcall (second ss) 8)"
                " (mapcar #'funcall gs))") == "(7 8)"


def test_nested_lets_in_nested_loops_each_bind_afresh():
    assert show("(let ((fs nil)) (dotimes (i 2) (let ((a i)) (dotimes (j 2) (let ((b j))"
                " (push (lambda () (list a b)) fs))))) (mapcar #'funcall fs))") == "((1 1) (1 0) (0 1) (0 0))"


def test_an_exit_from_the_loop_leaves_the_closures_made_before_it():
    assert show("(let ((fs nil)) (dolist (x '(1 2 3 4)) (push (lambda () x) fs) (when (= x 2) (return)))"
                " (mapcar #'funcall fs))") == "(2 1)"


def test_a_return_from_the_function_inside_such_a_let_returns():
    run("(defun fb-ret (l) (let ((fs nil)) (dolist (x l) (let ((y (* x 2))) (push (lambda () y) fs)"
        " (when (> x 1) (return-from fb-ret (mapcar #'funcall fs)))))))")
    assert show("(fb-ret '(1 2 3))") == "(4 2)"


@pytest.mark.parametrize("form, sbcl", [
    ("(let ((fs nil)) (dotimes (i 3) (let ((k i)) (labels ((f () k)) (push #'f fs)))) (mapcar #'funcall fs))",
     "(2 1 0)"),
    ("(let ((fs nil)) (dotimes (i 2) (let ((k i)) (push (lambda () (lambda () k)) fs)))"
     " (mapcar (lambda (f) (funcall (funcall f))) fs))", "(1 0)"),
    ("(let ((fs nil)) (dotimes (i 2) (let* ((a i) (b (* a 10))) (push (lambda () (+ a b)) fs))) (mapcar #'funcall fs))",
     "(11 0)"),
])
def test_local_functions_and_closures_in_closures_keep_the_binding_of_their_turn(form, sbcl):
    assert show(form) == sbcl



@pytest.mark.parametrize("form, sbcl", [
    ("(let ((fs nil)) (dotimes (i 2) (let ((k i)) (labels ((f () k) (g () (f))) (push #'g fs)))) (mapcar #'funcall fs))",
     "(1 0)"),
    ("(let ((fs nil)) (dotimes (i 2) (let ((k i)) (labels ((f (n) (if (= n 0) k (g (- n 1)))) (g (n) (f n)))"
     " (push (lambda () (f 3)) fs)))) (mapcar #'funcall fs))", "(1 0)"),
    ("(let ((fs nil)) (dotimes (i 3) (let ((k i)) (flet ((f () k)) (push (lambda () (f)) fs)))) (mapcar #'funcall fs))",
     "(2 1 0)"),
    ("(let ((fs nil)) (dolist (x '(1 2 3)) (labels ((walk (n) (if (> n 0) (+ x (walk (- n 1))) 0)))"
     " (push (lambda () (walk 2)) fs))) (mapcar #'funcall fs))", "(6 4 2)"),
])
def test_local_functions_made_on_each_turn_are_those_of_their_turn(form, sbcl):
    assert show(form) == sbcl


def test_a_closure_returning_from_a_block_of_a_turn_that_ended_is_refused():
    assert show("(let ((fs nil)) (dolist (x '(1 2)) (block b (push (lambda () (return-from b x)) fs)))"
                " (mapcar (lambda (f) (handler-case (funcall f) (control-error () :left))) fs))") == "(:LEFT :LEFT)"
