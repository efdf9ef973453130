"""Apparent self-calls of a defun that records no values call the definition itself (CLHS 3.2.2.3),
so its tails need no clear of the values register; everywhere else values reach consumers as in SBCL."""

from __future__ import annotations

from tests.lisp.lisp_eval import run, show


def _code(function_name: str):
    return run(f"#'{function_name}").__code__


def test_a_self_recursive_function_recording_nothing_has_no_register_clear():
    run("(defun sc-fib (n) (if (< n 2) n (+ (sc-fib (- n 1)) (sc-fib (- n 2)))))")
    names = _code("sc-fib").co_names
    assert "%mv_pending" not in names and "#'COMMON-LISP-USER::SC-FIB" not in names
    assert show("(list (sc-fib 15) (multiple-value-list (sc-fib 15)))") == "(610 (610))"


def test_a_self_recursive_function_returning_values_keeps_them():
    # SBCL: (1 7)
    run("(defun sc-down (n) (if (< n 2) (values n 7) (sc-down (- n 1))))")
    assert show("(multiple-value-list (sc-down 5))") == "(1 7)"


def test_values_of_another_function_inside_a_self_recursive_one_are_not_taken_for_its_own():
    # The inner (floor ...) records (1 1): its primary 1 is the same object as the result. SBCL: (1)
    run("(defun sc-floor (n) (if (< n 1) (floor 3 2) (+ 0 (sc-floor (- n 1)))))")
    assert "%mv_pending" in _code("sc-floor").co_names
    assert show("(multiple-value-list (sc-floor 3))") == "(1)"


def test_a_self_call_inside_a_lambda_of_the_body_calls_the_definition_itself():
    run("(defun sc-tree (n) (if (< n 1) 1 (apply #'+ (mapcar (lambda (k) (sc-tree k)) (list (- n 1) (- n 1))))))")
    assert show("(multiple-value-list (sc-tree 4))") == "(16)"


def test_an_old_definition_keeps_calling_itself_after_a_redefinition():
    # CLHS 3.2.2.3 allows it; SBCL's default policy calls the new one, ((101) (100 3)) with the
    # forms evaluated one by one: a documented deviation.
    assert show("""(progn (defun sc-count (n) (if (< n 1) 0 (+ 1 (sc-count (- n 1)))))
                          (let ((old #'sc-count))
                            (defun sc-count (n) (values 100 n))
                            (list (multiple-value-list (funcall old 3)) (multiple-value-list (sc-count 3)))))""") \
        == "((3) (100 3))"


def test_declaim_notinline_keeps_calls_through_the_global_name():
    # SBCL, the forms evaluated one by one: ((101) (100 3))
    assert show("""(progn (declaim (notinline sc-late))
                          (defun sc-late (n) (if (< n 1) 0 (+ 1 (sc-late (- n 1)))))
                          (let ((old #'sc-late))
                            (defun sc-late (n) (values 100 n))
                            (list (multiple-value-list (funcall old 3)) (multiple-value-list (sc-late 3)))))""") \
        == "((101) (100 3))"


def test_a_local_notinline_declaration_keeps_calls_through_the_global_name():
    run("(defun sc-local (n) (declare (notinline sc-local)) (if (< n 1) 0 (sc-local (- n 1))))")
    assert "#'COMMON-LISP-USER::SC-LOCAL" in _code("sc-local").co_names


def test_a_defun_closing_over_a_variable_calls_through_the_global_name():
    run("(let ((step 1)) (defun sc-closed (n) (if (< n 1) 0 (+ step (sc-closed (- n 1))))))")
    assert "#'COMMON-LISP-USER::SC-CLOSED" in _code("sc-closed").co_names
    assert show("(sc-closed 4)") == "4"


def test_optional_parameters_keep_calls_through_the_global_name():
    run("(defun sc-opt (n &optional (acc 0)) (if (< n 1) acc (sc-opt (- n 1) (+ acc 1))))")
    assert "#'COMMON-LISP-USER::SC-OPT" in _code("sc-opt").co_names
    assert show("(sc-opt 5)") == "5"


def test_a_local_function_of_the_same_name_is_called_not_the_definition():
    run("(defun sc-shadow (n) (flet ((sc-shadow (k) (* k 10))) (if (< n 1) 0 (sc-shadow n))))")
    assert show("(sc-shadow 3)") == "30"
