"""Nested backquotes whose inner unquote splices into an outer one (,,@ and ,@,@: CLHS 2.4.6 and
Bawden's rules): the forms macro-writing macros such as alexandria's once-only use. SBCL's answers."""

import pytest

from lisp_eval import show

CASES = {
    "comma comma-at gives each value its own comma":
        ("(progn (defvar *bqn-p* 1) (defvar *bqn-q* 2)"
         " (let ((x '(*bqn-p* *bqn-q*))) (eval ``(a ,,@x))))", "(A 1 2)"),
    "comma-at comma-at splices each list":
        ("(let ((x '((list 1 2) (list 3)))) (eval ``(z ,@,@x)))", "(Z 1 2 3)"),
    "a macro writing a let of gensyms (alexandria's once-only shape)":
        ("(progn (defmacro bqn-once ((&rest names) &body body)"
         "  (let ((gs (mapcar (lambda (n) (declare (ignore n)) (gensym)) names)))"
         "    `(let ,(mapcar (lambda (g n) (list g `(gensym ,(string n)))) gs names)"
         "       `(let (,,@(mapcar (lambda (g n) ``(,,g ,,n)) gs names))"
         "          ,(let ,(mapcar (lambda (n g) (list n g)) names gs) ,@body)))))"
         " (defmacro bqn-square (x) (bqn-once (x) `(* ,x ,x)))"
         " (let ((n 0)) (list (bqn-square (incf n)) n)))", "(1 1)"),
    "a quoted comma inside a double backquote":
        ("(let ((a 1) (b 2)) (declare (ignorable a b))"
         " (defmacro bqn-mk (&rest names) `(list ,@(mapcar (lambda (n) ``(,',n ,,n)) names)))"
         " (funcall (compile nil '(lambda () (let ((a 1) (b 2)) (bqn-mk a b))))))", "((A 1) (B 2))"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_nested_backquote(case: str) -> None:
    form, expected = CASES[case]
    assert show(form) == expected
