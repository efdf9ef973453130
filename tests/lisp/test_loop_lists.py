"""LOOP's ``for var in list`` as a Python ``for`` over lisp.runtime.native_cons.LoopListIterator (when it is
the loop's only stepping): what the variable holds, exits, and errors; results checked against
SBCL."""

from __future__ import annotations

import pytest

from lisp.runtime.condition_classes import LispTypeError
from tests.lisp.lisp_eval import run, show


def test_each_element_reaches_the_body_in_order():
    assert show("(loop for x in (list 1 2 3) collect (* x x))") == "(1 4 9)"


def test_the_variable_holds_the_last_element_in_finally():
    assert show("(loop for x in (list 1 2 3) finally (return x))") == "3"


def test_the_variable_stays_nil_over_an_empty_list():
    assert show("(loop for x in nil finally (return x))") == "NIL"


def test_a_while_clause_leaves_the_variable_at_the_element_that_ended_it():
    assert show("(loop for x in '(1 2 3 4) while (< x 3) finally (return x))") == "3"


def test_return_leaves_with_its_value():
    assert show("(loop for x in (list 1 2 3 4) when (= x 3) return (* 10 x))") == "30"


def test_loop_finish_runs_finally():
    assert show("(let (r) (loop for x in (list 1 2 3) do (when (= x 2) (loop-finish)) (push x r)"
                " finally (push :end r)) r)") == "(:END 1)"


def test_assigning_the_variable_does_not_change_the_walk():
    assert show("(loop for x in '(1 2 3) do (setq x 10) collect x)") == "(10 10 10)"


def test_closures_share_the_one_variable_as_in_sbcl():
    assert show("(let (fs) (loop for x in (list 1 2 3) do (push (lambda () x) fs)) (mapcar #'funcall fs))") == \
        "(3 3 3)"


def test_loop_finish_from_a_closure_still_ends_the_loop():
    assert show("(let (r) (loop for x in (list 1 2 3) do (funcall (lambda () (when (= x 2) (loop-finish))))"
                " (push x r)) r)") == "(1)"


def test_a_special_variable_is_stepped_too():
    run("(defvar *loop-list-special* :outside)")
    run("(defun loop-list-special-value () *loop-list-special*)")
    assert show("(loop for *loop-list-special* in '(1 2) collect (loop-list-special-value))") == "(1 2)"
    assert show("*loop-list-special*") == ":OUTSIDE"


def test_a_dotted_tail_is_a_type_error_naming_loop_and_the_tail():
    with pytest.raises(LispTypeError, match="LOOP FOR IN: 3 is not a list") as info:
        run("(loop for x in (list* 1 2 3) collect x)")
    assert info.value.datum == 3


def test_the_elements_before_a_dotted_tail_reach_the_body():
    assert show("(let (seen) (handler-case (loop for x in (list* 1 2 3) do (push x seen))"
                " (type-error (e) (list seen (type-error-datum e)))))") == "((2 1) 3)"


def test_a_non_list_is_a_type_error_naming_loop():
    with pytest.raises(LispTypeError, match="LOOP FOR IN: 5 is not a list"):
        run("(loop for x in 5 collect x)")


def test_a_loop_over_a_list_inside_a_dolist_keeps_each_walk_apart():
    assert show("(let (r) (dolist (x '(1 2)) (loop for y in '(a b) do (push (list x y) r))) (nreverse r))") == \
        "((1 A) (1 B) (2 A) (2 B))"


@pytest.mark.parametrize("text", [
    "(loop for x in (list* 1 2 3) for i from 0 collect x)",
    "(loop for x in (list* 1 2 3) and y in (list 1 2 3) collect x)",
    "(loop for (a) in (list* (list 1) (list 2) 3) collect a)",
])
def test_a_dotted_tail_in_a_loop_of_several_clauses_is_a_type_error_naming_loop(text):
    with pytest.raises(LispTypeError, match="LOOP FOR IN: 3 is not a list") as info:
        run(text)
    assert info.value.datum == 3


def test_a_by_step_landing_on_a_dotted_tail_is_a_type_error_naming_it():
    with pytest.raises(LispTypeError, match="LOOP FOR IN: 5 is not a list"):
        run("(loop for x in (list* 1 2 3 4 5) by #'cddr collect x)")


def test_several_clauses_step_together_over_lists():
    assert show("(loop for x in (list 1 2 3) for i from 0 collect (list i x))") == "((0 1) (1 2) (2 3))"
