"""subtypep's set algebra (lisp.library.subtypes): the region forms of each domain, the answers
the conformance suite checks (a type and its contrapositive, equivalences through NOT, AND and
OR), and the standard classes that defmethod can specialize on. SBCL's answers to everyday
subtypep forms are in test_sbcl_differential.py."""

from fractions import Fraction

import pytest

import lisp
from lisp.library import subtypes
from lisp.library.subtypes import FLOATS, INTEGERS, RATIOS, normalize
from lisp.runtime.data import cl_symbol


def read(text: str):
    return lisp.eval_string(f"(quote {text})")


def subtype(a: str, b: str) -> tuple[bool, bool]:
    return subtypes.subtype(read(a), read(b))


def test_integer_intervals_that_touch_merge():
    assert normalize([(0, True, 4, True), (5, True, 9, True)], INTEGERS) == ((0, True, 9, True),)


def test_ratio_intervals_meeting_at_an_integer_merge():
    # No ratio is 1: ratios in (0 1) and (1 2) are those of (0 2).
    got = normalize([(Fraction(0), True, Fraction(1), True), (Fraction(1), False, Fraction(2), False)], RATIOS)
    assert got == ((Fraction(0), False, Fraction(2), False),)


def test_float_intervals_either_side_of_the_two_zeros_merge():
    minus_zero, zero = (0, -1), (0, 1)
    assert normalize([(None, False, minus_zero, True), (zero, True, None, False)], FLOATS) == \
        ((None, False, None, False),)


def test_float_bound_zero_holds_both_zeros():
    assert subtype("(double-float -0.0d0 *)", "(double-float 0.0d0 *)") == (True, True)
    assert subtype("(double-float 0.0d0 *)", "(or (double-float (0.0d0) *) (member 0.0d0))") == (False, True)


def test_rational_range_splits_into_integers_and_ratios():
    assert subtype("(rational 0 1)", "(or (integer 0 1) (and ratio (real 0 1)))") == (True, True)


def test_bignum_and_fixnum_partition_the_integers():
    assert subtype("integer", "(or bignum fixnum)") == (True, True)
    assert subtype("(and integer (not fixnum))", "bignum") == (True, True)


def test_union_of_cons_products_is_the_product_of_unions():
    parts = "(or (cons integer symbol) (cons symbol integer) (cons integer integer) (cons symbol symbol))"
    whole = "(cons (or integer symbol) (or integer symbol))"
    assert subtype(parts, whole) == (True, True)
    assert subtype(whole, parts) == (True, True)
    assert subtype(f"(not {parts})", f"(not {whole})") == (True, True)


def test_missing_cons_product_is_certainly_not_covered():
    assert subtype("(cons (or integer symbol) (or integer symbol))",
                   "(or (cons integer symbol) (cons symbol integer) (cons integer integer))") == (False, True)


def test_unrelated_standard_classes_are_uncertain():
    lisp.eval_string("(progn (defclass subtypes-a () ()) (defclass subtypes-b () ()))")
    assert subtype("(and subtypes-a subtypes-b)", "nil") == (False, False)
    assert subtype("(and subtypes-a error)", "nil") == (True, True)


def test_satisfies_is_left_to_the_rules():
    with pytest.raises(subtypes.Unmodelled):
        subtypes.region(read("(satisfies evenp)"))
    assert lisp.eval_string("(equal (multiple-value-list (subtypep '(and integer (satisfies evenp)) 'integer))"
                            " '(t t))") is cl_symbol("T")


@pytest.mark.parametrize("name", ["STRING-STREAM", "FILE-STREAM", "BROADCAST-STREAM", "TWO-WAY-STREAM",
                                  "SYNONYM-STREAM", "ECHO-STREAM", "CONCATENATED-STREAM", "READTABLE",
                                  "RANDOM-STATE", "RESTART", "LOGICAL-PATHNAME", "METHOD-COMBINATION",
                                  "FLOATING-POINT-INEXACT", "FLOATING-POINT-UNDERFLOW"])
def test_standard_class_can_be_specialized_on(name: str):
    assert lisp.eval_string(f"(progn (defgeneric subtypes-probe (x)) (defmethod subtypes-probe ((x {name})) 1)"
                            f" (class-name (find-class '{name})))") is cl_symbol(name)


def test_string_input_stream_is_a_string_stream():
    assert lisp.eval_string('(class-name (class-of (make-string-input-stream "a")))') is cl_symbol("STRING-STREAM")
