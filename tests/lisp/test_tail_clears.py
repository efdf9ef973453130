"""Where a function needs no clear of the values register at its tail (code that records nothing),
and that values still reach consumers exactly as in SBCL around such functions."""

from __future__ import annotations

import pytest

from tests.lisp.lisp_eval import run, show


@pytest.fixture(scope="module", autouse=True)
def _functions():
    run("""
(defun tc-two (n) (values n 9))
(defun tc-leaf (x) x)
(defun tc-branch (n) (if (< n 2) n (+ (tc-two n) 0)))
(defun tc-prefix (x) (tc-two x) x)
(defun tc-test (x) (if (tc-two x) x 0))
(defun tc-let (x) (let ((y (tc-two x))) (declare (ignorable y)) x))
(defun tc-optional (x &optional (y (tc-two x))) (declare (ignore y)) x)
(defun tc-key (x &key (y (tc-two x))) (declare (ignore y)) x)
(defun tc-setq (x) (let ((y 0)) (setq y (tc-two x)) y))
(defun tc-progn-branch (x) (if (> x 0) (progn (tc-two x) x) x))
(defvar *tc-counter* (let ((n 0)) (lambda (s) (setq n (+ n s)))))
""")


def _uses_register(function_name: str) -> bool:
    return "%mv_pending" in run(f"#'{function_name}").__code__.co_names


# Each expected list is what SBCL 2.x prints for the same forms.
@pytest.mark.parametrize("form, expected", [
    ("(tc-leaf (floor 7 1))", "(7)"),
    ("(tc-leaf (tc-two 3))", "(3)"),
    ("(tc-branch 5)", "(5)"),
    ("(tc-branch 1)", "(1)"),
    ("(tc-prefix 3)", "(3)"),
    ("(tc-test 3)", "(3)"),
    ("(tc-let 3)", "(3)"),
    ("(tc-optional 3)", "(3)"),
    ("(tc-key 3)", "(3)"),
    ("(tc-setq 3)", "(3)"),
    ("(tc-progn-branch 3)", "(3)"),
    ("(funcall *tc-counter* (tc-two 0))", "(0)"),
    ("(let ((a (tc-two 4))) (tc-leaf a))", "(4)"),
])
def test_values_around_functions_with_and_without_tail_clears_are_those_of_sbcl(form, expected):
    assert show(f"(multiple-value-list {form})") == expected


def test_a_function_that_calls_nothing_does_not_touch_the_register():
    assert not _uses_register("tc-leaf")


def test_a_closure_updating_its_variable_with_arithmetic_does_not_touch_the_register():
    assert "%mv_pending" not in run("*tc-counter*").__code__.co_names


def test_a_function_whose_tail_follows_a_call_clears_the_register():
    assert all(_uses_register(f) for f in ("tc-branch", "tc-prefix", "tc-test", "tc-let", "tc-optional", "tc-setq"))


@pytest.mark.parametrize("form, expected", [
    ("(flet ((f (x) (values x 2))) (f 1))", "(1 2)"),
    ("(flet ((f (x) x)) (floor 5 1) (f 5))", "(5)"),
    ("(labels ((f (x) (if (> x 0) (f (- x 1)) (values x 3)))) (f 2))", "(0 3)"),
    ("(macrolet ((m (x) x)) (floor 7 2))", "(3 1)"),
    ("(symbol-macrolet ((s (tc-two 4))) (tc-leaf s))", "(4)"),
    ("(symbol-macrolet ((s (progn (floor 5 1) 5))) s)", "(5)"),
    ("(symbol-macrolet ((s (floor 4 1))) s)", "(4 0)"),
])
def test_the_bodies_of_local_definition_forms_are_tails(form, expected):
    assert show(f"(multiple-value-list {form})") == expected


@pytest.fixture(scope="module")
def _generic_functions():
    run("""
(defgeneric tc-before (x))
(defmethod tc-before :before ((x integer)) (values x 9))
(defmethod tc-before ((x integer)) x)
(defgeneric tc-around (x))
(defmethod tc-around :around ((x integer)) (values x 8) (call-next-method))
(defmethod tc-around ((x integer)) x)
(defgeneric tc-next (x))
(defmethod tc-next ((x number)) (values x 7))
(defmethod tc-next ((x integer)) (call-next-method) x)
(defgeneric tc-plus (x) (:method-combination +))
(defmethod tc-plus + ((x number)) (values 1 9))
(defmethod tc-plus + ((x integer)) 0)
(defgeneric tc-progn (x) (:method-combination progn))
(defmethod tc-progn progn ((x number)) x)
(defmethod tc-progn progn ((x integer)) (values x 6))
(defgeneric tc-and (x) (:method-combination and))
(defmethod tc-and and ((x number)) (values x 4))
(defmethod tc-and and ((x integer)) (values x 5))
""")


# SBCL: ((5) (5) (5) (1) (5) (5 4)).
@pytest.mark.parametrize("call, expected", [
    ("(tc-before 5)", "(5)"), ("(tc-around 5)", "(5)"), ("(tc-next 5)", "(5)"),
    ("(tc-plus 5)", "(1)"), ("(tc-progn 5)", "(5)"), ("(tc-and 5)", "(5 4)"),
])
def test_a_generic_function_returns_the_values_of_its_last_method_only(_generic_functions, call, expected):
    assert show(f"(multiple-value-list {call})") == expected


def test_a_tail_call_reached_by_code_that_records_nothing_passes_the_values_on_without_a_clear():
    run("(defun tc-forward (x) (tc-two (+ x 1)))")
    assert not _uses_register("tc-forward")
    assert show("(multiple-value-list (tc-forward 1))") == "(2 9)"
    assert show("(multiple-value-list (tc-leaf (tc-forward 1)))") == "(2)"


@pytest.fixture(scope="module")
def _non_local_exits():
    run("""
(defun tc-each (f l) (dolist (x l) (funcall f x)) nil)
(defun tc-catcher () (catch 'done (tc-each (lambda (x) (when (> x 1) (throw 'done (tc-two x)))) '(1 2 3)) :none))
""")


# SBCL: ((2 2) (2 9) (5 3) (1 2)). The exits pass through frames whose one-value tails clear the
# register in a `finally`, and through unwind-protect cleanups that record values of their own.
@pytest.mark.parametrize("form, expected", [
    ("(block b (tc-each (lambda (x) (when (> x 1) (return-from b (values x 2)))) '(1 2 3)) :none)", "(2 2)"),
    ("(tc-catcher)", "(2 9)"),
    ("(block b (unwind-protect (tc-each (lambda (x) (return-from b (values x 3))) '(5)) (floor 7 2)))", "(5 3)"),
    ("(catch 'tg (unwind-protect (throw 'tg (values 1 2)) (tc-two 8)))", "(1 2)"),
])
def test_non_local_exits_bring_their_values_through_the_frames_they_unwind(_non_local_exits, form, expected):
    assert show(f"(multiple-value-list {form})") == expected


def test_a_one_value_tail_returns_from_a_try_that_clears_the_register_after():
    # notinline: the calls go through the global name, which may record values (tests/lisp/test_self_calls.py)
    run("(defun tc-sum (n) (declare (notinline tc-sum)) (if (< n 2) n (+ (tc-sum (- n 1)) (tc-sum (- n 2)))))")
    code = run("#'tc-sum").__code__
    assert "%mv_pending" in code.co_names and code.co_varnames == ("N",)
    assert show("(multiple-value-list (tc-sum 10))") == "(55)"


@pytest.mark.timeout(30)
def test_a_thread_that_ends_holding_values_leaves_nothing_in_the_register():
    from lisp.runtime.values import HOLDERS, PENDING

    ident = run('(bt:join-thread (bt:make-thread (lambda () (values (py:call (py:import "threading") "get_ident") 2))))')
    assert isinstance(ident, int) and ident not in PENDING and ident not in HOLDERS


@pytest.mark.timeout(60)
def test_threads_recording_and_taking_values_at_once_keep_the_register_consistent():
    import threading

    from lisp.runtime import values as mv

    errors = []

    def work(k: int) -> None:
        for i in range(3000):
            mv.values(k, i)
            if mv.HOLDERS.count(threading.get_ident()) != 1 or mv.take(k) != (k, i):
                errors.append((k, i))
            mv.primary(mv.values(k))
            mv.restore(mv.recorded())

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    idents = {t.ident for t in threads}
    assert errors == [] and not idents & set(mv.HOLDERS) and not idents & set(mv.PENDING)
