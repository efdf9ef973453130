"""typep on type specifiers, type-of, subtypep."""

import pytest
from lisp_results import results

TYPE_CASES = [
    ("(typep 1 'integer)", '(T)'),
    ("(typep 1 '(integer 0 10))", '(T)'),
    ("(typep 11 '(integer 0 10))", '(NIL)'),
    ("(typep 1/2 'ratio)", '(T)'),
    ("(typep 1/2 '(rational 0 (1)))", '(T)'),
    ("(typep nil 'list)", '(T)'),
    ("(typep nil 'symbol)", '(T)'),
    ("(typep nil 'null)", '(T)'),
    ("(typep 'a '(or integer symbol))", '(T)'),
    ("(typep 3 '(and integer (satisfies evenp)))", '(NIL)'),
    ("(typep 4 '(and integer (satisfies evenp)))", '(T)'),
    ("(typep 3 '(not integer))", '(NIL)'),
    ("(typep 3 '(member 1 2 3))", '(T)'),
    ("(typep 3 '(eql 3))", '(T)'),
    ('(typep "abc" \'string)', '(T)'),
    ('(typep "abc" \'(vector character))', '(T)'),
    ('(typep "abc" \'(string 3))', '(T)'),
    ("(typep #(1 2) '(vector t 2))", '(T)'),
    ("(typep #(1 2) 'simple-vector)", '(T)'),
    ("(typep '(1 . 2) '(cons integer integer))", '(T)'),
    ("(typep #'car 'function)", '(T)'),
    ("(typep 5 '(mod 5))", '(NIL)'),
    ("(typep 255 '(unsigned-byte 8))", '(T)'),
    ("(typep -129 '(signed-byte 8))", '(NIL)'),
    ("(typep 1.0 'double-float)", '(T)'),
    ("(typep :a 'keyword)", '(T)'),
    ("(typep t 'boolean)", '(T)'),
    ("(typep #\\a 'standard-char)", '(T)'),
    ("(typep 1 'no-such-type)", 'SIMPLE-ERROR'),
    ("(typep (make-condition 'simple-error) 'error)", '(T)'),
    ("(typep (make-condition 'simple-error) 'condition)", '(T)'),
    ("(typep (make-condition 'simple-error) 'warning)", '(NIL)'),
    ('(type-of 1)', '(FIXNUM)'),
    ('(type-of 1/2)', '(RATIO)'),
    ('(type-of "abc")', '((SIMPLE-ARRAY CHARACTER (3)))'),
    ("(type-of 'a)", '(SYMBOL)'),
    ('(type-of nil)', '(NULL)'),
    ('(type-of :k)', '(KEYWORD)'),
    ("(type-of '(1))", '(CONS)'),
    ('(type-of #\\a)', '(CHARACTER)'),
    ('(type-of 1.5)', '(DOUBLE-FLOAT)'),
    ("(type-of (make-condition 'division-by-zero))", '(DIVISION-BY-ZERO)'),
    ("(subtypep 'integer 'number)", '(T T)'),
    ("(subtypep 'number 'integer)", '(NIL T)'),
    ("(subtypep 'division-by-zero 'arithmetic-error)", '(T T)'),
    ("(subtypep 'simple-error 'warning)", '(NIL T)'),
    ("(subtypep 'null 'list)", '(T T)'),
    ("(subtypep '(member 1 2) 'integer)", '(T T)'),
    ("(subtypep 'foo 'bar)", '(NIL NIL)'),
]


@pytest.mark.parametrize(("form", "expected"), TYPE_CASES, ids=[form for form, _ in TYPE_CASES])
def test_type_function_gives_the_standard_result(form: str, expected: str) -> None:
    assert results(form) == expected


def test_typep_and_subtypep_know_defclass_classes() -> None:
    from lisp import evaluator

    evaluator.eval_string("(defclass shape-l3 () ()) (defclass circle-l3 (shape-l3) ())")
    assert results("(let ((c (make-instance 'circle-l3)))"
                   " (list (typep c 'shape-l3) (typep 1 'shape-l3) (type-of c) (typep c (find-class 'shape-l3))))") \
        == "((T NIL CIRCLE-L3 T))"
    assert results("(subtypep 'circle-l3 'shape-l3)") == "(T T)"


def test_deftype_names_a_type_with_star_defaults() -> None:
    from lisp import evaluator

    evaluator.eval_string("(deftype digit-l3 () '(integer 0 9))"
                          " (deftype octets-l3 (&optional n) `(vector t ,n))")
    assert results("(list (typep 5 'digit-l3) (typep 10 'digit-l3) (typep #(1 2) 'octets-l3)"
                   " (typep #(1 2) '(octets-l3 3)))") == "((T NIL T NIL))"


def test_unknown_type_specifier_is_an_error() -> None:
    assert results("(typep 1 'no-such-type-l3)") == "SIMPLE-ERROR"
