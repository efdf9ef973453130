"""DOLIST and DOTIMES, whose elements go straight into the variable when it is a plain local:
results checked against SBCL."""

from __future__ import annotations

from tests.lisp.lisp_eval import show


def test_closures_made_in_a_dolist_body_keep_their_own_element():
    assert show("(let (fs) (dolist (x '(1 2 3)) (push (lambda () x) fs)) (mapcar #'funcall fs))") == "(3 2 1)"


def test_the_dolist_variable_is_nil_when_the_result_form_runs():
    assert show("(dolist (x '(1 2) x))") == "NIL"


def test_assigning_the_dolist_variable_does_not_change_the_walk():
    assert show("(let (r) (dolist (x '(1 2 3) r) (setq x (* x 10)) (push x r)))") == "(30 20 10)"


def test_a_declaration_on_the_dolist_variable_keeps_it_a_plain_variable():
    assert show("(let ((s 0)) (dolist (x '(1 2 3)) (declare (fixnum x)) (incf s x)) s)") == "6"


def test_dotimes_gives_each_count_to_the_body_and_the_count_to_the_result():
    assert show("(let (r) (dotimes (i 3 (cons i r)) (push i r)))") == "(3 2 1 0)"
