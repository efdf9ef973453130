"""LOOP's counting clauses (``for i from ... below/to/downto/above ... by ...``), which run as a
Python ``for`` over a ``range`` when they can: results checked against SBCL."""

from __future__ import annotations

import pytest

from lisp.runtime.condition_classes import LispTypeError
from tests.lisp.lisp_eval import run, show


@pytest.mark.parametrize(("text", "expected"), [
    ("(loop for i below 5 collect i)", "(0 1 2 3 4)"),
    ("(loop for i from 10 downto 5 collect i)", "(10 9 8 7 6 5)"),
    ("(loop for i from 10 above 5 collect i)", "(10 9 8 7 6)"),
    ("(loop for i from 0 below 10 by 3 collect i)", "(0 3 6 9)"),
    ("(loop for i from 5 to 3 collect i)", "NIL"),
    ("(loop for x from -2 to 2 collect (abs x))", "(2 1 0 1 2)"),
])
def test_integer_bounds_count_as_the_standard_says(text, expected):
    assert show(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("(loop for i below 3 finally (return i))", "3"),
    ("(loop for i from 0 to 10 by 3 finally (return i))", "12"),
    ("(loop for i from 10 downto 0 by 4 finally (return i))", "-2"),
    ("(loop for i below 0 finally (return i))", "0"),
])
def test_the_variable_is_past_the_limit_once_the_values_run_out(text, expected):
    assert show(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("(loop for i below 5 until (= i 2) finally (return i))", "2"),
    ("(loop for i below 4 do (loop-finish) finally (return i))", "0"),
    ("(loop for i below 10 do (mapc (lambda (x) (when (= i x) (loop-finish))) '(3)) finally (return i))", "3"),
])
def test_leaving_early_keeps_the_current_value(text, expected):
    assert show(text) == expected


def test_closures_see_the_one_variable_the_loop_steps():
    assert show("(mapcar #'funcall (loop for i below 3 collect (lambda () i)))") == "(3 3 3)"


@pytest.mark.parametrize("text", [
    "(loop for i from 0 below 10 do (setq i (+ i 2)) collect i)",
    "(loop for i from 0 below 10 do (funcall (lambda () (setq i (+ i 2)))) collect i)",
])
def test_assigning_the_variable_in_the_body_steps_from_the_new_value(text):
    assert show(text) == "(2 5 8 11)"


@pytest.mark.parametrize(("text", "expected"), [
    ("(loop for i from 0 below 2 by 1/2 collect i)", "(0 1/2 1 3/2)"),
    ("(loop for i from 0.0 to 1 by 0.25 collect i)", "(0.0 0.25 0.5 0.75 1.0)"),
    ("(loop for i from 0 below 5/2 collect i)", "(0 1 2)"),
    ("(loop for i from 3 downto 1/2 by 1 finally (return i))", "0"),
    ("(loop for i from 0 to 1 by 0.5 finally (return i))", "1.5"),
])
def test_non_integer_bounds_step_in_lisp_arithmetic(text, expected):
    assert show(text) == expected


def test_the_limit_and_the_step_are_evaluated_once():
    text = ("(let ((calls 0)) (list (loop for i from 0 below (progn (incf calls) 4) by (progn (incf calls) 2)"
            " collect i) calls))")
    assert show(text) == "((0 2) 2)"


def test_a_special_loop_variable_is_bound_dynamically():
    run("(defvar *counting-i* 0) (defun read-counting-i () *counting-i*)")
    assert show("(loop for *counting-i* from 1 to 3 collect (read-counting-i))") == "(1 2 3)"


def test_return_from_an_outer_loop_leaves_both():
    text = "(loop named outer for i below 5 do (loop for j below 5 do (when (= j 2) (return-from outer (list i j)))))"
    assert show(text) == "(0 2)"


@pytest.mark.parametrize("text", [
    "(loop for i below 'a collect i)",
    "(loop for i from 0 below 3 by 'a collect i)",
])
def test_a_bound_that_is_not_a_number_is_a_type_error(text):
    with pytest.raises(LispTypeError):
        run(text)


@pytest.mark.parametrize(("step", "sbcl"), [("-2", "(:TYPE-ERROR -2)"), ("0.0", "(:TYPE-ERROR 0.0)"),
                                            ("0", "(:TYPE-ERROR 0)"), ("'x", "(:TYPE-ERROR X)")])
def test_a_step_that_is_not_a_positive_real_is_a_type_error(step, sbcl):
    # It would never reach the limit: SBCL signals instead of looping for ever.
    form = (f"(handler-case (let ((s {step})) (loop for i from 0 below 5 by s collect i))"
            f" (type-error (e) (list :type-error (type-error-datum e))))")
    assert show(form) == sbcl


def test_positive_ratio_and_downward_steps_still_count():
    assert show("(loop for i from 0 to 2 by 1/2 collect i)") == "(0 1/2 1 3/2 2)"
    assert show("(loop for i from 10 downto 0 by 3 collect i)") == "(10 7 4 1)"
