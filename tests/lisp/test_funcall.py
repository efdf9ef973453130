"""Open-coded FUNCALL and APPLY of a variable: a direct call (symbols are callable), diagnosed only
when Python cannot make it, and never blaming the call for a TypeError raised inside the function
(conditions as in SBCL)."""

from __future__ import annotations

import warnings

import pytest

from lisp.runtime.condition_classes import LispTypeError, ProgramError, UndefinedFunction
from tests.lisp.lisp_eval import run, show


@pytest.fixture(scope="module", autouse=True)
def _functions():
    run('(defun fc-bad () (+ 1 "a"))')
    run("(defun fc-args (a b) (list a b))")
    run("(defun fc-call-successor (x) (funcall (+ x 1)))")


@pytest.mark.parametrize("designator, expected", [
    ("(lambda (a b) (list b a))", "(2 1)"), ("#'fc-args", "(1 2)"), ("'fc-args", "(1 2)"), ("'+", "3"),
])
def test_funcall_of_a_variable_calls_the_function_it_designates(designator, expected):
    assert show(f"(let ((f {designator})) (funcall f 1 2))") == expected


def test_funcall_of_a_number_is_a_type_error_naming_it():
    with pytest.raises(LispTypeError, match="the value 5 is not of type FUNCTION"):
        run("(let ((f 5)) (funcall f 1))")


@pytest.mark.parametrize("form", [
    "(let ((f 5) (a 1) (b 2)) (funcall f a b))",         # CPython 3.13 fuses the loads of A and B
    "(let ((f 5)) (funcall (lambda () (funcall f 1))))",  # F is a closure cell
    "(let ((f 5)) (funcall f :key 1))",                   # keyword names (3.11's KW_NAMES)
])
def test_the_datum_of_funcalls_type_error_is_read_back_from_variables_and_constants(form):
    assert show(f"(handler-case {form} (type-error (c) (list (type-error-datum c) (type-error-expected-type c))))") \
        == "(5 FUNCTION)"


def test_a_computed_value_that_is_no_function_is_a_type_error_naming_its_type():
    with pytest.raises(LispTypeError, match="a value of type INTEGER is not a function"):
        run("(fc-call-successor 4)")


def test_a_symbol_called_from_python_calls_its_global_function():
    import lisp

    assert lisp.prin1_to_string(lisp.read_from_string("fc-args")(1, 2)) == "(1 2)"
    with pytest.raises(UndefinedFunction):
        lisp.read_from_string("fc-undefined")()


def test_a_symbol_is_no_format_control_though_python_can_call_it():
    assert show("(handler-case (format nil 'car) (error () 'refused))") == "REFUSED"


@pytest.mark.parametrize("designator", ["nil", "'fc-undefined"])
def test_funcall_of_nil_or_a_symbol_without_function_is_an_undefined_function(designator):
    with pytest.raises(UndefinedFunction):
        run(f"(let ((f {designator})) (funcall f))")


@pytest.mark.parametrize("designator", ["#'fc-bad", "'fc-bad"])
def test_a_type_error_inside_the_called_function_is_reported_as_that_error(designator):
    with pytest.raises(LispTypeError, match='the value "a" is not of type NUMBER'):
        run(f"(let ((f {designator})) (funcall f))")


def test_a_type_error_raised_by_a_python_callable_is_its_own():
    with pytest.raises(LispTypeError, match="must be real number, not str"):
        run('(let ((f (py:getattr (py:import "math") "sqrt"))) (funcall f "x"))')


@pytest.mark.parametrize("designator", ["#'fc-args", "'fc-args"])
def test_a_wrong_argument_count_is_a_program_error(designator):
    with pytest.raises(ProgramError, match="invalid number of arguments"):
        run(f"(let ((f {designator})) (funcall f 1))")


def test_arguments_are_evaluated_once_when_the_call_goes_through_a_symbol():
    assert show("(let ((n 0) (f 'fc-args)) (list (funcall f (incf n) (incf n)) n))") == "((1 2) 2)"


@pytest.mark.parametrize("form", ["(funcall nil)", "(funcall 5)", "(funcall 'fc-undefined)"])
def test_funcall_of_a_constant_compiles_without_a_python_warning(form):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises((UndefinedFunction, LispTypeError)):
            run(form)


@pytest.mark.parametrize("form, expected", [
    ("(let ((f #'+)) (apply f 1 2 '(3 4)))", "10"),
    ("(let ((f 'list)) (apply f 1 '(2)))", "(1 2)"),
    ("(apply 'list '(1 2))", "(1 2)"),
    ("(let ((f #'list)) (apply f nil))", "NIL"),
    ("(multiple-value-list (let ((f #'floor)) (apply f '(7 2))))", "(3 1)"),
])
def test_apply_of_a_variable_spreads_its_last_argument(form, expected):
    assert show(form) == expected


def test_apply_with_a_last_argument_that_is_no_list_is_a_type_error_naming_it():
    with pytest.raises(LispTypeError, match="APPLY: the last argument 2 is not a list"):
        run("(let ((f #'list)) (apply f 1 2))")


@pytest.mark.parametrize("designator, error", [("5", LispTypeError), ("nil", UndefinedFunction),
                                               ("'fc-undefined", UndefinedFunction)])
def test_apply_of_what_is_no_function_is_diagnosed_as_by_funcall(designator, error):
    with pytest.raises(error):
        run(f"(let ((f {designator})) (apply f '(1)))")


def test_apply_with_too_many_arguments_is_a_program_error():
    with pytest.raises(ProgramError, match="invalid number of arguments"):
        run("(let ((f #'fc-args)) (apply f '(1 2 3)))")


@pytest.mark.parametrize("form, expected", [
    ("(funcall #'fc-args 1 2)", "(1 2)"),
    ("(funcall #'+ 1 2 3)", "6"),
    ("(flet ((fc-args (a b) (list b a))) (funcall #'fc-args 1 2))", "(2 1)"),
    ("(multiple-value-list (funcall #'floor 7 2))", "(3 1)"),
])
def test_funcall_of_a_function_name_calls_that_function(form, expected):
    assert show(form) == expected


def test_funcall_of_the_name_of_an_undefined_function_is_an_undefined_function():
    with pytest.raises(UndefinedFunction):
        run("(funcall #'fc-undefined 1)")
