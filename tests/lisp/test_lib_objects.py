"""Hash tables, equality, symbols and function calling."""

import pytest
from lisp_results import results

OBJECT_CASES = [
    ("(let ((h (make-hash-table))) (setf (gethash 'a h) 1) (gethash 'a h))", '(1 T)'),
    ("(let ((h (make-hash-table))) (gethash 'a h))", '(NIL NIL)'),
    ("(let ((h (make-hash-table))) (gethash 'a h 'dflt))", '(DFLT NIL)'),
    ('(let ((h (make-hash-table :test (quote equal)))) (setf (gethash "a" h) 1) (gethash (copy-seq "a") h))', '(1 T)'),
    ('(let ((h (make-hash-table))) (setf (gethash "key" h) 1) (gethash (copy-seq "key") h))', '(NIL NIL)'),
    ('(eql "abc" (copy-seq "abc"))', '(NIL)'),
    ("(let ((h (make-hash-table :test 'equal))) (setf (gethash '(1 2) h) 1) (gethash (list 1 2) h))", '(1 T)'),
    ('(let ((h (make-hash-table :test \'equalp))) (setf (gethash "AbC" h) 1) (gethash "abc" h))', '(1 T)'),
    ("(let ((h (make-hash-table :test 'equalp))) (setf (gethash 1 h) 1) (gethash 1.0 h))", '(1 T)'),
    ('(let ((h (make-hash-table))) (setf (gethash 1 h) 1) (gethash 1.0 h))', '(NIL NIL)'),
    ("(let ((h (make-hash-table))) (setf (gethash 1.0 h) 'x) (gethash 1.0 h))", '(X T)'),
    ("(let ((h (make-hash-table))) (setf (gethash 'a h) 1) (list (remhash 'a h) (remhash 'a h) (hash-table-count h)))", '((T NIL 0))'),
    ("(let ((h (make-hash-table)) (s 0)) (setf (gethash 'a h) 1 (gethash 'b h) 2) (maphash (lambda (k v) (incf s v)) h) s)", '(3)'),
    ("(hash-table-test (make-hash-table :test 'equal))", '(EQUAL)'),
    ('(hash-table-p (make-hash-table))', '(T)'),
    ("(let ((h (make-hash-table))) (incf (gethash 'x h 0)) (incf (gethash 'x h 0)) (gethash 'x h))", '(2 T)'),
    ("(let ((h (make-hash-table))) (push 1 (gethash 'x h)) (gethash 'x h))", '((1) T)'),
    ("(let ((h (make-hash-table))) (setf (gethash 1 h) 2) (hash-table-count (clrhash h)))", '(0)'),
    ("(make-hash-table :test 'foo)", ':TYPE-ERROR'),
    ('(= (sxhash "abc") (sxhash (copy-seq "abc")))', '(T)'),
    ("(eq 'a 'a)", '(T)'),
    ('(eql 1.0 1.0)', '(T)'),
    ('(eql 0.0 -0.0)', '(NIL)'),
    ('(eql 1/2 1/2)', '(T)'),
    ('(equal "a" "a")', '(T)'),
    ('(equal \'(1 (2 "x")) \'(1 (2 "x")))', '(T)'),
    ('(equal 1 1.0)', '(NIL)'),
    ('(equalp "ABC" "abc")', '(T)'),
    ('(equalp 1 1.0)', '(T)'),
    ('(equalp #(1 2) #(1.0 2))', '(T)'),
    ("(equalp '(#\\a) '(#\\A))", '(T)'),
    ('(equal #(1) #(1))', '(NIL)'),
    ('(eql #\\a #\\a)', '(T)'),
    ("(symbol-name 'abc)", '("ABC")'),
    ('(symbol-name nil)', '("NIL")'),
    ('(symbolp nil)', '(T)'),
    ('(keywordp :a)', '(T)'),
    ("(keywordp 'a)", '(NIL)'),
    ("(symbol-package 'car)", '(#<PACKAGE "COMMON-LISP">)'),
    ('(intern "FOO-L3")', '(FOO-L3 NIL)'),
    ('(find-symbol "CAR" "CL")', '(CAR :EXTERNAL)'),
    ('(find-symbol "NO-SUCH-SYM-L3")', '(NIL NIL)'),
    ('(symbol-name (make-symbol "x"))', '("x")'),
    ('(symbol-package (make-symbol "x"))', '(NIL)'),
    ("(boundp 'no-such-var-l3)", '(NIL)'),
    ("(fboundp 'car)", '(T)'),
    ("(fboundp 'no-such-fn-l3)", '(NIL)'),
    ("(fboundp 'when)", '(T)'),
    ('(let ((s (gensym))) (symbol-package s))', '(NIL)'),
    ('(string= (symbol-name (gensym "FOO")) "FOO" :end1 3)', '(T)'),
    ("(progn (setf (get 'l3sym 'color) 'red) (get 'l3sym 'color))", '(RED)'),
    ("(progn (setf (get 'l3sym2 'a) 1) (remprop 'l3sym2 'a) (symbol-plist 'l3sym2))", '(NIL)'),
    ("(progn (setf (symbol-value 'l3var) 5) (symbol-value 'l3var))", '(5)'),
    ("(progn (setf (symbol-function 'l3f) (lambda (x) (* x 2))) (l3f 4))", '(8)'),
    ("(funcall #'+ 1 2)", '(3)'),
    ("(funcall '+ 1 2)", '(3)'),
    ("(apply #'+ 1 2 '(3 4))", '(10)'),
    ("(apply #'list '())", '(NIL)'),
    ("(apply #'+ 1 2)", ':TYPE-ERROR'),
    ("(eval '(+ 1 2))", '(3)'),
    ('(funcall (constantly 7) 1 2)', '(7)'),
    ("(funcall (complement #'evenp) 3)", '(T)'),
    ('(identity 5)', '(5)'),
    ("(funcall (compile nil '(lambda (x) (* x x))) 5)", '(25)'),
    ('(symbol-value :k)', '(:K)'),
    ("(makunbound 'l3var)", '(L3VAR)'),
    ('(keywordp nil)', '(NIL)'),
    ("(eq (fdefinition 'car) #'car)", '(T)'),
    ('(funcall nil)', 'UNDEFINED-FUNCTION'),
    ('(gensym 5)', '(#:G5)'),
]


@pytest.mark.parametrize(("form", "expected"), OBJECT_CASES, ids=[form for form, _ in OBJECT_CASES])
def test_object_function_gives_the_standard_result(form: str, expected: str) -> None:
    assert results(form) == expected


@pytest.mark.timeout(60)
def test_a_hash_table_shared_by_threads_keeps_every_entry() -> None:
    import threading

    from lisp import evaluator

    table = evaluator.eval_string("(make-hash-table :test 'equal)")
    put = evaluator.eval_string("(lambda (k v h) (setf (gethash k h) v))")

    def writer(n: int) -> None:
        for i in range(500):
            put(f"{n}-{i}", i, table)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(table) == 2000


def test_gensym_counter_increases() -> None:
    assert results("(let ((a (gensym)) (b (gensym)))"
                   " (< (parse-integer (symbol-name a) :start 1) (parse-integer (symbol-name b) :start 1)))") == "(T)"


def test_apply_with_a_non_list_last_argument_is_a_type_error() -> None:
    assert results("(apply #'+ 1 2)") == ":TYPE-ERROR"


def test_with_hash_table_iterator_visits_every_entry() -> None:
    assert results("""
        (let ((h (make-hash-table)) (seen '()))
          (setf (gethash 'a h) 1 (gethash 'b h) 2)
          (with-hash-table-iterator (next h)
            (loop (multiple-value-bind (more k v) (next)
                    (unless more (return))
                    (push (cons k v) seen))))
          (sort seen #'string< :key #'car))""") == "(((A . 1) (B . 2)))"


def test_an_eql_table_keeps_numbers_of_different_types_apart() -> None:
    assert results("(let ((h (make-hash-table)))"
                   " (setf (gethash 1 h) 'int (gethash 1.0 h) 'float (gethash 1/2 h) 'ratio (gethash 0.5 h) 'half"
                   " (gethash -0.0 h) 'negative-zero (gethash 0.0 h) 'zero)"
                   " (list (gethash 1 h) (gethash 1.0 h) (gethash 1/2 h) (gethash 0.5 h) (gethash -0.0 h)"
                   " (gethash 0.0 h) (hash-table-count h)))") == "((INT FLOAT RATIO HALF NEGATIVE-ZERO ZERO 6))"
