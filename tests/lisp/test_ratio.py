"""Ratios: lisp.runtime.ratio.Ratio keeps CL's rational canonicalization by itself, so open-coded arithmetic
needs no check; plain Fractions from Python code."""

from __future__ import annotations

import operator
from fractions import Fraction

import pytest

from lisp.runtime.ratio import Ratio, canonical
from tests.lisp.lisp_eval import run, show

HALF, THREE_HALVES = Ratio(1, 2), Ratio(3, 2)


def test_a_ratio_with_denominator_one_is_made_as_an_integer():
    assert type(Ratio(4, 2)) is int and Ratio(4, 2) == 2
    assert type(Ratio(6, 4)) is Ratio and Ratio(6, 4) == Fraction(3, 2)


@pytest.mark.parametrize("op, a, b, expected", [
    (operator.add, HALF, HALF, 1), (operator.add, HALF, THREE_HALVES, 2), (operator.add, 1, HALF, Ratio(3, 2)),
    (operator.sub, THREE_HALVES, HALF, 1), (operator.sub, 2, HALF, Ratio(3, 2)),
    (operator.mul, HALF, 2, 1), (operator.mul, 4, HALF, 2), (operator.mul, HALF, HALF, Ratio(1, 4)),
    (operator.truediv, HALF, HALF, 1), (operator.truediv, 1, HALF, 2), (operator.truediv, HALF, 3, Ratio(1, 6)),
    (operator.floordiv, THREE_HALVES, HALF, 3), (operator.mod, THREE_HALVES, HALF, 0),
    (operator.mod, 3, THREE_HALVES, 0), (operator.mod, THREE_HALVES, 1, HALF),
    (operator.pow, HALF, 2, Ratio(1, 4)), (operator.pow, HALF, -1, 2), (operator.pow, 4, HALF, 2.0),
    (operator.add, Fraction(1, 2), HALF, 1), (operator.add, HALF, Fraction(1, 2), 1),
])
def test_arithmetic_on_ratios_gives_an_integer_when_the_denominator_is_one(op, a, b, expected):
    result = op(a, b)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("op, expected", [(operator.neg, Ratio(-1, 2)), (operator.pos, HALF), (abs, HALF)])
def test_unary_operations_keep_a_ratio(op, expected):
    result = op(HALF if op is not abs else -HALF)
    assert result == expected and type(result) is Ratio


def test_divmod_gives_a_canonical_remainder():
    assert divmod(THREE_HALVES, HALF) == (3, 0) and type(divmod(THREE_HALVES, HALF)[1]) is int
    assert divmod(3, THREE_HALVES) == (2, 0) and type(divmod(3, THREE_HALVES)[1]) is int


def test_a_float_or_complex_operand_gives_a_float_or_complex():
    assert type(HALF + 0.5) is float and type(0.5 * HALF) is float
    assert type(HALF + 1j) is complex


def test_canonical_turns_a_fraction_into_a_lisp_rational_and_leaves_other_values():
    assert type(canonical(Fraction(4, 2))) is int
    assert type(canonical(Fraction(1, 3))) is Ratio
    assert canonical(2.5) == 2.5 and canonical(NotImplemented) is NotImplemented


def test_a_ratio_hashes_and_compares_like_the_equal_fraction():
    assert hash(HALF) == hash(Fraction(1, 2)) and HALF == Fraction(1, 2) == 0.5


def test_open_coded_arithmetic_on_ratio_variables_gives_integers():
    assert show("(let ((a 1/2) (b 3/2)) (list (+ a b) (- b a) (* a 4) (* a 2.0) (+ a 1) (+ a a a)))") \
        == "(2 1 2 1.0 3/2 3/2)"
    assert run("(let ((a 1/2)) (integerp (+ a a)))") is not None


def test_the_reader_division_and_rational_make_ratios():
    assert [type(x) for x in run("(list 1/3 (/ 1 3) (rational 0.5) (rationalize 0.1) (expt 2/3 2))")] \
        == [Ratio] * 5


def test_ratio_predicates_and_equality_are_those_of_cl():
    assert show("(list (typep 1/2 'ratio) (typep (+ 1/2 1/2) 'ratio) (eql 1/2 (/ 2 4)) (equalp 1/2 0.5)"
                " (class-name (class-of 1/3)) (gethash 1/2 (let ((h (make-hash-table))) (setf (gethash 2/4 h) :k) h)))") \
        == "(T NIL T T RATIO :K)"


def test_a_fraction_returned_through_py_interop_becomes_a_lisp_rational():
    assert show('(let ((fractions (py:import "fractions")))'
                ' (list (py:call fractions "Fraction" 4 2) (py:call fractions "Fraction" 2 6)'
                ' (integerp (py:call fractions "Fraction" 4 2))))') == "(2 1/3 T)"


def test_a_fraction_from_python_code_is_a_ratio_to_the_library():
    run("(defun ratio-info (x) (list (typep x 'ratio) (rationalp x) (funcall (function +) x x) (numerator x) (eql x 1/2)))")
    from lisp import function, prin1_to_string

    assert prin1_to_string(function("ratio-info")(Fraction(1, 2))) == "(T T 1 1 T)"
