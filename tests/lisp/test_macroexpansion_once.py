"""The compiler runs a macro's expander once per occurrence of a macro call, as SBCL does (checked
with sbcl --script: 10 for ten nested uses in a defun, 4 for the IF below, 2 for a form a macro
places twice), however deep the uses are nested, and where the code of a form is made in more
than one way (a loop's body that becomes a ``for`` or a ``while``, a ``let`` whose variables a
closure made in a loop captures)."""

from __future__ import annotations

import pytest

from tests.lisp.lisp_eval import run, show


@pytest.fixture(scope="module", autouse=True)
def _counting_macro():
    run("""
(defvar *mo-expansions* 0)
(defmacro mo-wrap (x) (incf *mo-expansions*) `(let ((y 1)) (declare (ignorable y)) ,x))
(defmacro mo-call (x) (incf *mo-expansions*) `(progn (mo-leaf) ,x))
(defun mo-leaf () 1)
(defun mo-two () (values 1 2))
""")


def _expansions(text: str) -> int:
    run("(setq *mo-expansions* 0)")
    run(text)
    return run("*mo-expansions*")


def _nested(macro: str, inner: str, depth: int) -> str:
    form = inner
    for _ in range(depth):
        form = f"({macro} {form})"
    return form


@pytest.mark.parametrize("inner", ["(mo-leaf)", "1", "(mo-two)"])
def test_nested_macro_uses_in_a_tail_expand_once_each(inner):
    assert _expansions(f"(defun mo-f () {_nested('mo-wrap', inner, 10)})") == 10


def test_nested_macro_uses_that_call_functions_expand_once_each():
    assert _expansions(f"(defun mo-g () {_nested('mo-call', '(mo-two)', 10)})") == 10


def test_expansions_grow_linearly_with_the_nesting():
    counts = [_expansions(f"(defun mo-h () {_nested('mo-wrap', '(mo-leaf)', n)})") for n in (5, 10, 40)]
    assert counts == [5, 10, 40]


def test_macro_uses_in_an_if_under_a_values_consumer_expand_once_each():
    text = "(defun mo-i () (multiple-value-list (mo-wrap (if (mo-wrap (mo-leaf)) (mo-wrap (mo-two)) (mo-wrap 3)))))"
    assert _expansions(text) == 4


def test_a_form_expanded_once_still_compiles_to_its_values():
    run(f"(defun mo-j () {_nested('mo-wrap', '(mo-two)', 10)})")
    assert show("(multiple-value-list (mo-j))") == "(1 2)"


def test_a_let_variable_shadows_a_global_symbol_macro_at_the_tail():
    run("(define-symbol-macro mo-yy (values 7 8)) (defun mo-k () (let ((mo-yy (mo-leaf))) mo-yy))")
    assert show("(multiple-value-list (mo-k))") == "(1)"


def test_one_form_placed_by_a_macro_in_two_scopes_expands_in_each():
    # The same cons is a use of the global MO-WRAP and, inside the macrolet, of the local one.
    run("(defmacro mo-twice (f) `(list ,f (macrolet ((mo-wrap (x) `(list ,x ,x))) ,f)))"
        "(defun mo-m () (mo-twice (mo-wrap 1)))")
    assert show("(mo-m)") == "(1 (1 1))"


def test_one_form_placed_twice_by_a_macro_expands_at_each_place():
    run("(defmacro mo-dup (f) `(list ,f ,f))")
    assert _expansions("(defun mo-p () (mo-dup (mo-call 1)))") == 2


def test_an_expander_reading_its_environment_sees_each_place_of_one_form():
    # SBCL: (:GLOBAL MO-SM): inside the LET, the variable shadows the global symbol macro.
    run("(define-symbol-macro mo-sm :global)"
        "(defmacro mo-which (&environment env) `',(macroexpand 'mo-sm env))"
        "(defmacro mo-twice-let (f) `(list ,f (let ((mo-sm 1)) (declare (ignorable mo-sm)) ,f)))")
    assert show("(mo-twice-let (mo-which))") == "(:GLOBAL MO-SM)"


@pytest.mark.parametrize("form", [
    "(let ((acc nil)) (dolist (x y) (push (lambda () (mo-call x)) acc)) acc)",
    "(let ((acc nil)) (dotimes (i 3) (let ((n i)) (push (lambda () (mo-call (incf n))) acc))) acc)",
    "(loop for i below 3 do (setq i (mo-call (+ i 1))))",
    "(loop for x in y do (funcall (lambda () (when (mo-call x) (loop-finish)))))",
    "(loop for i below 3 do (funcall (lambda () (when (mo-call i) (loop-finish)))))",
])
def test_a_body_whose_code_is_made_another_way_expands_once(form):
    assert _expansions(f"(defun mo-q (x y) (declare (ignorable x y)) {form})") == 1


# SBCL's counts (compile of a lambda, sbcl 2.x): 2 1 1 1 3 2 2 2 3: it expands the RESTART-CASE
# form and DOLIST's list form twice; once per use is at most what it needs.
@pytest.mark.parametrize("form, uses", [
    ("(restart-case (mo-call (mo-leaf)) (r () 1))", 1),
    ("(handler-case (mo-call (mo-leaf)) (error () 1))", 1),
    ("(loop for i below 3 collect (mo-call i))", 1),
    ("(setf (car (mo-call x)) 1)", 1),
    ("(dolist (x (mo-call y)) (mo-call x))", 2),
    ("(multiple-value-bind (a b) (mo-call (mo-leaf)) (mo-call (list a b)))", 2),
    ("(flet ((g () (mo-call 1))) (mo-call (g)))", 2),
    ("(handler-bind ((error (lambda (c) (mo-call c)))) (mo-call (mo-leaf)))", 2),
    ("(case (mo-call 1) (1 (mo-call 2)) (t (mo-call 3)))", 3),
])
def test_macro_uses_inside_standard_macros_expand_once_each(form, uses):
    assert _expansions(f"(defun mo-n (x y) (declare (ignorable x y)) {form})") == uses
