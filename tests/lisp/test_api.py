"""The Python API: lisp.eval_string, load, function, read_from_string, prin1_to_string."""

from __future__ import annotations

import pytest

import lisp
from lisp.runtime.condition_classes import Condition, UndefinedFunction
from lisp.runtime.data import Cons, Symbol


def test_eval_string_returns_the_value_of_the_last_form():
    assert lisp.eval_string("(defun api-sq (x) (* x x)) (api-sq 7)") == 49


def test_eval_string_of_no_forms_is_nil():
    assert lisp.eval_string("  ; nothing\n") is None


def test_function_is_callable_from_python():
    lisp.eval_string("(defun api-add (a &optional (b 10)) (+ a b))")
    add = lisp.function("api-add")
    assert add(1) == 11 and add(1, 2) == 3


def test_function_of_an_undefined_name_is_an_undefined_function_condition():
    with pytest.raises(UndefinedFunction):
        lisp.function("api-never-defined")


def test_read_from_string_and_prin1_to_string_round_trip():
    form = lisp.read_from_string("(a \"b\" #\\c 1/2)")
    assert isinstance(form, Cons) and isinstance(form.car, Symbol)
    assert lisp.prin1_to_string(form) == '(A "b" #\\c 1/2)'


def test_load_evaluates_a_file_and_returns_t(tmp_path):
    path = tmp_path / "prog.lisp"
    path.write_text("(defvar *api-loaded* 1)\n(defun api-from-file () (* *api-loaded* 2))\n")
    assert lisp.prin1_to_string(lisp.load(path)) == "T"
    assert lisp.eval_string("(api-from-file)") == 2


def test_load_binds_load_pathname_and_restores_the_package(tmp_path):
    path = tmp_path / "where.lisp"
    path.write_text("(defpackage :api-load-pkg (:use :cl)) (in-package :api-load-pkg)\n"
                    "(defparameter cl-user::*api-seen* *load-pathname*)\n")
    lisp.load(path)
    assert lisp.eval_string("(namestring cl-user::*api-seen*)") == str(path)
    assert lisp.prin1_to_string(lisp.eval_string("(list *load-pathname* (package-name *package*))")) == \
        '(NIL "COMMON-LISP-USER")'


def test_error_in_a_loaded_file_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.lisp"
    path.write_text("(defun ok () 1)\n\n(if)\n")
    with pytest.raises(Condition) as info:
        lisp.load(path)
    assert info.value.pos is not None
    assert info.value.pos.file == str(path) and info.value.pos.line == 3


def test_load_skips_a_first_line_starting_with_hash_bang_and_keeps_line_numbers(tmp_path):
    path = tmp_path / "script.lisp"
    path.write_text("#!/usr/bin/env -S gfjit run\n(defun api-script () 3)\n(if)\n")
    with pytest.raises(Condition) as info:
        lisp.load(path)
    assert lisp.eval_string("(api-script)") == 3
    assert info.value.pos.line == 3


def test_host_errors_arrive_as_lisp_conditions():
    with pytest.raises(Condition):
        lisp.eval_string("(car 5)")
