"""defmacro, macroexpansion, backquote and the standard macros."""

from __future__ import annotations

import pytest

from lisp.runtime.condition_classes import Condition, LispTypeError, ProgramError
from tests.lisp.lisp_eval import run, show, show_values

# -- defmacro and macroexpansion ----------------------------------------------------------------

def test_defmacro_with_body_and_backquote():
    run("(defmacro my-unless (test &body body) `(if ,test nil (progn ,@body)))")
    assert run("(my-unless nil 1 2)") == 2


def test_defmacro_destructures_nested_lambda_lists():
    run("(defmacro with-pair (((a b) value) &body body) `(destructuring-bind (,a ,b) ,value ,@body))")
    assert show("(with-pair ((x y) '(1 2)) (list y x))") == "(2 1)"


def test_defmacro_optional_and_key_parameters():
    run("(defmacro opt-mac (a &optional (b 10) &key (c 20)) `(list ,a ,b ,c))")
    assert show("(list (opt-mac 1) (opt-mac 1 2 :c 3))") == "((1 10 20) (1 2 3))"


def test_defmacro_dotted_lambda_list_is_rest():
    run("(defmacro dotted-mac (a . rest) `(list ,a ',rest))")
    assert show("(dotted-mac 1 2 3)") == "(1 (2 3))"


def test_defmacro_whole_receives_the_entire_form():
    run("(defmacro whole-mac (&whole w x) (declare (ignore x)) `',w)")
    assert show("(whole-mac 5)") == "(WHOLE-MAC 5)"


def test_environment_parameter_expands_local_macros():
    run("(defmacro expand-here (form &environment env) `',(macroexpand form env))")
    assert show("(macrolet ((local () 'expanded)) (expand-here (local)))") == "EXPANDED"


def test_macro_call_with_wrong_arguments_is_a_program_error_naming_the_call():
    run("(defmacro two-args (a b) `(list ,a ,b))")
    with pytest.raises(ProgramError, match=r"\(TWO-ARGS 1\)"):
        run("(two-args 1)")


def test_error_signalled_by_a_macro_reaches_the_caller():
    run('(defmacro bad-mac () (error "macro refused"))')
    with pytest.raises(Condition, match="macro refused"):
        run("(bad-mac)")


def test_macroexpand_1_returns_expansion_and_flag():
    run("(defmacro inc-mac (x) `(+ ,x 1))")
    assert show_values("(macroexpand-1 '(inc-mac 5))") == ["(+ 5 1)", "T"]
    assert show_values("(macroexpand-1 '(not-a-macro 5))") == ["(NOT-A-MACRO 5)", "NIL"]


def test_macroexpand_expands_repeatedly():
    run("(defmacro m-outer (x) `(m-inner ,x)) (defmacro m-inner (x) `(list ,x))")
    assert show("(macroexpand '(m-outer 1))") == "(LIST 1)"


def test_macro_defined_earlier_in_a_progn_is_used_later_in_it():
    assert run("(progn (defmacro in-progn () 42) (in-progn))") == 42


def test_macro_function_is_nil_for_functions():
    run("(defmacro mf-mac () 1) (defun mf-fn () 1)")
    assert run("(macro-function 'mf-fn)") is None
    assert run("(macro-function 'mf-mac)") is not None


def test_defun_replaces_a_macro_of_the_same_name():
    run("(defmacro becomes-fn () 1) (defun becomes-fn () 2)")
    assert run("(becomes-fn)") == 2


def test_global_symbol_macro_is_expanded_assigned_and_shadowed():
    run("(defvar *sm-cell* (list 1 2)) (define-symbol-macro sm-head (car *sm-cell*))")
    assert show("(progn (setq sm-head 10) (incf sm-head) (list sm-head *sm-cell* (let ((sm-head 3)) sm-head)))") == \
        "(11 (11 2) 3)"


# -- backquote ----------------------------------------------------------------------------------

def test_backquote_unquote_and_splice():
    assert show("(let ((x 1) (ys '(2 3))) `(a ,x ,@ys b))") == "(A 1 2 3 B)"


def test_backquote_dotted_unquote():
    assert show("(let ((tail '(2 3))) `(1 . ,tail))") == "(1 2 3)"


def test_backquote_vector():
    assert show("(let ((x 2)) `#(1 ,x))") == "#(1 2)"


def test_nested_backquote_keeps_inner_unquotes():
    assert show("(let ((x 'outer)) `(a `(b ,(c ,x))))") == show("'(a `(b ,(c outer)))")


def test_backquote_copies_spliced_lists_except_the_last():
    assert show("(let ((l (list 1 2))) (let ((r `(,@l ,@l))) (eq (cddr r) l)))") == "T"
    assert show("(let ((l (list 1 2))) (let ((r `(,@l 3))) (eq r l)))") == "NIL"


# -- conditionals -------------------------------------------------------------------------------

def test_when_and_unless():
    assert show("(list (when t 1 2) (when nil 1) (unless nil 3) (unless t 4))") == "(2 NIL 3 NIL)"


def test_and_or_return_the_deciding_value():
    assert show("(list (and) (and 1 2) (and 1 nil 2) (or) (or nil 3) (or nil nil))") == "(T 2 NIL NIL 3 NIL)"


def test_or_evaluates_each_form_once():
    assert run("(let ((n 0)) (or (progn (incf n) nil) (progn (incf n) 7)) n)") == 2


def test_cond_clause_without_body_returns_the_test_value():
    assert show("(list (cond (nil 1) ((+ 1 1))) (cond (nil 1)) (cond ((= 1 1) 'a 'b)))") == "(2 NIL B)"


def test_case_with_lists_otherwise_and_t():
    text = "(mapcar (lambda (x) (case x (1 'one) ((2 3) 'few) (otherwise 'many))) '(1 3 9))"
    assert show(text) == "(ONE FEW MANY)"


def test_case_compares_characters_with_eql():
    assert show("(case #\\b (#\\a 1) (#\\b 2))") == "2"


def test_ecase_without_match_is_a_type_error():
    with pytest.raises(LispTypeError):
        run("(ecase 5 (1 'one))")


def test_typecase_and_etypecase():
    assert show("(mapcar (lambda (x) (typecase x (integer 'int) (string 'str) (t 'other))) '(1 \"a\" a))") == \
        "(INT STR OTHER)"
    with pytest.raises(LispTypeError):
        run("(etypecase 'sym (integer 1))")


# -- sequencing and assignment ------------------------------------------------------------------

def test_prog1_and_prog2():
    assert show("(let ((x 1)) (list (prog1 x (setq x 2)) (prog2 (setq x 3) x (setq x 4)) x))") == "(1 3 4)"


def test_prog_binds_variables_around_a_tagbody_in_a_nil_block():
    assert run("(prog ((i 0)) again (incf i) (if (< i 4) (go again) (return (* i 10))))") == 40


def test_psetq_assigns_in_parallel():
    assert show("(let ((a 1) (b 2)) (psetq a b b a) (list a b))") == "(2 1)"


def test_destructuring_bind_with_optional_rest_and_key():
    text = "(destructuring-bind (a (b &optional (c 3)) &rest r &key k &allow-other-keys) '(1 (2) :k 4) (list a b c r k))"
    assert show(text) == "(1 2 3 (:K 4) 4)"


def test_destructuring_bind_mismatch_is_a_program_error():
    with pytest.raises(ProgramError, match="does not match"):
        run("(destructuring-bind (a b) '(1) (list a b))")


# -- iteration ----------------------------------------------------------------------------------

def test_dolist_returns_result_with_var_nil():
    assert show("(let (acc) (list (dolist (x '(1 2 3) x) (push x acc)) acc))") == "(NIL (3 2 1))"


def test_dotimes_result_sees_the_count():
    assert show("(let ((s 0)) (list (dotimes (i 4 i) (incf s i)) s))") == "(4 6)"


def test_dolist_body_is_a_tagbody_and_return_leaves_it():
    text = "(let (acc) (dolist (x '(1 2 3 4)) (when (oddp x) (go skip)) (push x acc) skip (when (> x 2) (return acc))))"
    assert show(text) == "(2)"


def test_dolist_of_a_dotted_list_is_an_error():
    with pytest.raises(Condition):
        run("(dolist (x '(1 . 2)) x)")


def test_do_steps_in_parallel_and_do_star_in_sequence():
    assert show("(do ((i 0 (1+ i)) (j 10 i)) ((= i 3) (list i j)))") == "(3 2)"
    assert show("(do* ((i 0 (1+ i)) (j 10 i)) ((= i 3) (list i j)))") == "(3 3)"


def test_simple_loop_runs_until_return():
    assert run("(let ((n 0)) (loop (incf n) (when (= n 5) (return (* n 10)))))") == 50


# -- output and errors --------------------------------------------------------------------------

def test_with_output_to_string_collects_what_is_printed():
    assert show('(with-output-to-string (s) (princ "ab" s) (princ 12 s))') == '"ab12"'


def test_ignore_errors_returns_nil_and_the_condition():
    values = show_values('(ignore-errors (error "boom"))')
    assert values[0] == "NIL" and len(values) == 2
    assert run("(ignore-errors (+ 1 2))") == 3


def test_an_error_signalled_by_a_macro_expander_is_reported_where_the_macro_was_used():
    run("(defmacro failing-expander (x) (error \"cannot expand ~a\" x))")
    with pytest.raises(Condition) as info:
        run("(defun uses-failing-expander ()\n  (failing-expander 3))")
    assert info.value.report() == "cannot expand 3"
    assert (info.value.pos.line, info.value.pos.column) == (2, 3)


@pytest.mark.parametrize("text", ["(dolist (x (cons 1 2)) x)", "(dolist (x 5) x)"])
def test_dolist_over_a_dotted_list_or_a_non_list_is_a_type_error(text):
    with pytest.raises(LispTypeError) as info:
        run(text)
    assert "is not a list" in info.value.report()


def test_dolist_body_that_goes_to_its_own_tags_visits_every_element():
    assert show("(let (r) (dolist (x (list 1 2 3 4) r) (tagbody (when (oddp x) (go skip)) (push x r) skip)))") == "(4 2)"
