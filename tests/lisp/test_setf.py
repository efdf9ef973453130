"""setf and the place-modifying macros."""

from __future__ import annotations

import pytest

from lisp.runtime.condition_classes import Condition, ProgramError
from tests.lisp.lisp_eval import run, show


def test_setf_of_variables_returns_the_last_value():
    assert show("(let (a b) (list (setf a 1 b 2) a b))") == "(2 1 2)"


def test_setf_of_car_cdr_and_cxr():
    assert show("(let ((l (list 1 (list 2 3)))) (setf (car l) 'a (cadadr l) 'b) (setf (cdr (cadr l)) '(c)) l)") == \
        "(A (2 C))"


def test_setf_of_first_to_tenth_and_nth():
    assert show("(let ((l (list 1 2 3 4))) (setf (second l) 'b (nth 3 l) 'd (first l) 'a) l)") == "(A B 3 D)"


def test_setf_of_elt_aref_and_gethash():
    assert show("(let ((v (vector 1 2)) (l (list 1 2)) (h (make-hash-table))) "
                "(setf (aref v 0) 'x (elt l 1) 'y (gethash 'k h) 'z) (list v l (gethash 'k h)))") == \
        "(#(X 2) (1 Y) Z)"


def test_setf_of_symbol_value():
    run("(defvar *setf-sv* 1)")
    assert show("(progn (setf (symbol-value '*setf-sv*) 5) *setf-sv*)") == "5"


def test_setf_evaluates_place_subforms_before_the_value():
    assert show("(let ((l (list 0 0 0)) (i 0) (log nil)) "
                "(setf (nth (progn (push 'place log) (incf i)) l) (progn (push 'value log) i)) (list l log))") == \
        "((0 1 0) (VALUE PLACE))"


def test_setf_of_a_user_setf_function():
    run("(defun (setf my-car) (new cell) (setf (car cell) new))")
    assert show("(let ((c (list 1 2))) (list (setf (my-car c) 9) c))") == "(9 (9 2))"


def test_defsetf_short_form():
    run("(defun my-set-second (l v) (setf (cadr l) v)) (defsetf my-second-short my-set-second)")
    assert show("(let ((l (list 1 2))) (setf (my-second-short l) 'x) l)") == "(1 X)"


def test_defsetf_long_form():
    run("(defsetf my-second-long (l) (v) `(setf (cadr ,l) ,v))")
    assert show("(let ((l (list 1 2))) (setf (my-second-long l) 'y) l)") == "(1 Y)"


def test_setf_of_a_macro_place_expands_it():
    run("(defmacro my-head (x) `(car ,x))")
    assert show("(let ((l (list 1 2))) (incf (my-head l) 10) l)") == "(11 2)"


def test_incf_decf_with_delta():
    assert show("(let ((x 5)) (list (incf x) (incf x 10) (decf x) (decf x 3) x))") == "(6 16 15 12 12)"


def test_incf_evaluates_place_subforms_once():
    assert show("(let ((v (vector 0 0)) (i -1)) (incf (aref v (incf i)) 5) (list v i))") == "(#(5 0) 0)"


def test_push_and_pop_on_a_place():
    assert show("(let ((l (list (list 1)))) (push 0 (car l)) (list (pop (car l)) l))") == "(0 ((1)))"


def test_pushnew_adds_only_absent_items_and_takes_a_test():
    assert show("(let ((l (list 1 2))) (pushnew 1 l) (pushnew 3 l) l)") == "(3 1 2)"
    assert show("(let ((l (list \"a\"))) (pushnew \"a\" l :test #'equal) l)") == '("a")'


def test_psetf_assigns_in_parallel():
    assert show("(let ((l (list 1 2))) (psetf (car l) (cadr l) (cadr l) (car l)) l)") == "(2 1)"


def test_rotatef_and_shiftf():
    assert show("(let ((a 1) (b 2) (c 3)) (rotatef a b c) (list a b c))") == "(2 3 1)"
    assert show("(let ((a 1) (b 2)) (list (shiftf a b 9) a b))") == "(1 2 9)"


def test_define_modify_macro():
    run("(define-modify-macro multf (&optional (factor 2)) *)")
    assert show("(let ((x 3)) (multf x) (multf x 5) x)") == "30"


def test_get_setf_expansion_of_a_variable():
    assert show("(multiple-value-bind (temps vals stores writer reader) (get-setf-expansion 'x) "
                "(list temps vals (length stores) (car writer) reader))") == "(NIL NIL 1 SETQ X)"


def test_setf_of_a_non_place_is_a_program_error():
    with pytest.raises(ProgramError, match="not a place"):
        run("(setf 5 1)")


def test_setf_of_car_of_a_non_cons_is_a_type_error():
    with pytest.raises(Condition, match="not a cons"):
        run("(let ((x 5)) (setf (car x) 1))")


def test_setf_with_odd_arguments_is_a_program_error():
    with pytest.raises(ProgramError, match="odd number"):
        run("(let (a) (setf a))")


def test_getf_place_updates_and_extends_the_plist():
    assert show("(let ((pl nil)) (setf (getf pl :a) 1) pl)") == "(:A 1)"
    assert show("(let ((pl (list :a 1 :b 2))) (incf (getf pl :b)) (push 0 (getf pl :c)) pl)") == "(:C (0) :A 1 :B 3)"


def test_setf_of_values_assigns_each_place():
    assert show("(let ((a 1) (b 2)) (setf (values a b) (values b a)) (list a b))") == "(2 1)"


def test_define_setf_expander():
    run("(define-setf-expander my-car-place (cell) "
        "(let ((c (gensym)) (new (gensym))) "
        "(values (list c) (list cell) (list new) `(progn (rplaca ,c ,new) ,new) `(car ,c))))")
    assert show("(let ((l (list 1 2))) (incf (my-car-place l) 10) l)") == "(11 2)"


def test_setf_of_values_with_no_places_evaluates_the_value_and_returns_no_values():
    assert show("(let ((n 0)) (list (multiple-value-list (setf (values) (incf n))) n))") == "(NIL 1)"


@pytest.mark.parametrize("text", ["(setf 5 1)", "(incf 5)", "(push 1 2)"])
def test_a_non_place_is_reported_at_the_form_that_names_it(text):
    with pytest.raises(ProgramError) as info:
        run("\n" + text)
    assert "is not a place" in info.value.report()
    assert (info.value.pos.line, info.value.pos.column) == (2, 1)
