"""The loop macro (results checked against SBCL)."""

from __future__ import annotations

import pytest

from lisp.runtime.condition_classes import ProgramError
from tests.lisp.lisp_eval import run, show


@pytest.mark.parametrize(("text", "expected"), [
    ("(loop for i from 1 to 5 collect i)", "(1 2 3 4 5)"),
    ("(loop for i from 0 below 10 by 3 collect i)", "(0 3 6 9)"),
    ("(loop for i from 10 downto 7 collect i)", "(10 9 8 7)"),
    ("(loop for i from 5 above 2 collect i)", "(5 4 3)"),
    ("(loop for i downfrom 3 to 1 collect i)", "(3 2 1)"),
    ("(loop for x in '(1 2 3 4) by #'cddr collect x)", "(1 3)"),
    ("(loop for x on '(1 2 3) collect x)", "((1 2 3) (2 3) (3))"),
    ("(loop for x across #(1 2 3) collect (* x x))", "(1 4 9)"),
    ("(loop for x across \"ab\" collect x)", "(#\\a #\\b)"),
    ("(loop for x = 1 then (* x 2) repeat 5 collect x)", "(1 2 4 8 16)"),
    ("(loop for x in '(1 2 3) for y = (* x 10) collect (+ x y))", "(11 22 33)"),
    ("(loop for (a . b) in '((1 . 2) (3 . 4)) collect (list a b))", "((1 2) (3 4))"),
    ("(loop for (a nil c) in '((1 2 3) (4 5 6)) collect (+ a c))", "(4 10)"),
    ("(loop for x in '(1 2) for y in '(a b c) collect (list x y))", "((1 A) (2 B))"),
    ("(loop repeat 3 collect 'z)", "(Z Z Z)"),
    ("(loop with a = 1 and b = 2 for i from 1 to 2 collect (+ a b i))", "(4 5)"),
    ("(loop for x = 1 then y and y = 2 then x repeat 4 collect (list x y))", "((1 2) (2 1) (1 2) (2 1))"),
    ("(loop for i from 1 to 3 and j = 0 then i collect j)", "(0 1 2)"),
    ("(loop for x = 1 and y = x repeat 2 collect (list x y))", "((1 NIL) (1 1))"),
    ("(loop for i from 1 to 3 finally (return i))", "4"),
])
def test_iteration_clauses(text, expected):
    assert show(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("(loop for x in '(1 2 3) sum x)", "6"),
    ("(loop for x in '(1 2 3 4) count (evenp x))", "2"),
    ("(loop for x in '(3 9 2) maximize x)", "9"),
    ("(loop for x in '(3 9 2) minimize x)", "2"),
    ("(loop for x in '((1) (2 3)) append x)", "(1 2 3)"),
    ("(loop for x in (list (list 1) (list 2 3)) nconc x)", "(1 2 3)"),
    ("(loop for x in '(1 2 3) collect x into xs sum x into s finally (return (list xs s)))", "((1 2 3) 6)"),
    ("(loop for x in '() sum x)", "0"),
])
def test_accumulation_clauses(text, expected):
    assert show(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("(loop for x in '(1 2 3 4) when (evenp x) collect x)", "(2 4)"),
    ("(loop for x in '(1 2 3 4) unless (evenp x) collect x)", "(1 3)"),
    ("(loop for x in '(1 2 3) if (evenp x) collect x else collect (- x) end)", "(-1 2 -3)"),
    ("(loop for x in '(1 2 3 4) when (evenp x) collect x and collect (* 10 x))", "(2 20 4 40)"),
    ("(loop for x in '(1 nil 3) when x collect it)", "(1 3)"),
    ("(loop for x in '(1 2 3) thereis (and (> x 1) (* x 100)))", "200"),
    ("(loop for x in '(2 4) always (evenp x))", "T"),
    ("(loop for x in '(2 5) always (evenp x))", "NIL"),
    ("(loop for x in '(1 3) never (evenp x))", "T"),
    ("(loop for i from 0 while (< i 3) collect i)", "(0 1 2)"),
    ("(loop for i from 0 until (= i 3) collect i)", "(0 1 2)"),
    ("(loop for i from 0 when (= i 3) return (* i 2))", "6"),
])
def test_conditional_and_termination_clauses(text, expected):
    assert show(text) == expected


def test_named_loop_and_return_from():
    assert run("(loop named outer for i from 0 do (loop for j from 0 below 3 do (when (= (* i j) 4) "
               "(return-from outer (list i j)))))") is not None
    assert show("(loop named outer for i from 0 do (loop for j from 0 below 3 do (when (= (* i j) 4) "
                "(return-from outer (list i j)))))") == "(2 2)"


def test_initially_and_finally_run_once():
    assert show("(let (log) (loop initially (push 'start log) for i from 1 to 2 do (push i log) "
                "finally (push 'end log)) log)") == "(END 2 1 START)"


def test_loop_finish_runs_finally():
    assert show("(loop for i from 0 do (when (= i 3) (loop-finish)) finally (return i))") == "3"


def test_hash_table_iteration_with_using():
    assert show("(let ((h (make-hash-table))) (setf (gethash 'a h) 1) "
                "(loop for k being the hash-keys of h using (hash-value v) collect (list k v)))") == "((A 1))"


def test_do_clause_runs_forms():
    assert show("(let ((n 0)) (loop for i from 1 to 3 do (incf n i) (incf n)) n)") == "9"


def test_unknown_clause_is_a_program_error():
    with pytest.raises(ProgramError, match="unknown LOOP clause FROBNICATE"):
        run("(loop for x in '(1) frobnicate)")


def test_loop_ending_early_is_a_program_error():
    with pytest.raises(ProgramError, match="LOOP ended"):
        run("(loop for x in)")


@pytest.mark.parametrize(("text", "expected"), [
    ("(loop for i below 4 sum i of-type fixnum)", "6"),
    ("(loop for i below 4 maximize i fixnum)", "3"),
    ("(loop for i below 4 count (oddp i) into c of-type fixnum finally (return c))", "2"),
])
def test_a_numeric_accumulation_accepts_a_type_spec(text, expected):
    assert show(text) == expected


@pytest.mark.parametrize(("text", "buffered"), [
    ("(loop for i below 3 collect i)", True),
    ("(loop for x in l when x collect x else collect 0)", True),
    ("(loop for x in l collect x into y finally (return y))", False),  # the body may read Y
    ("(loop for x in l collect x append (list x))", False),           # APPEND links into the tail
])
def test_the_loops_own_list_is_a_python_list_while_it_only_collects(text, buffered):
    expansion = show(f"(macroexpand '{text})")
    assert ("%BUFFER-COLLECT" in expansion) is buffered


def test_collecting_and_summing_into_one_accumulation_is_a_loop_error():
    with pytest.raises(ProgramError, match="accumulates both a list and a number"):
        run("(loop for x in '(1 2) collect x sum x)")
