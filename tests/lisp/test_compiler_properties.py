"""Generated programs: open-coded arithmetic and comparisons against exact rational arithmetic."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from lisp.runtime.ratio import Ratio
from tests.lisp.lisp_eval import run, show

_NUMBERS = st.one_of(st.integers(-20, 20), st.fractions(min_value=-5, max_value=5, max_denominator=6))


def _lisp_number(x: Fraction | int) -> str:
    if isinstance(x, Fraction) and x.denominator != 1:
        return f"{x.numerator}/{x.denominator}"
    return str(int(x))


def _expressions():
    leaves = _NUMBERS.map(lambda x: (_lisp_number(x), Fraction(x)))

    def combine(children):
        def build(op, args):
            text = f"({op} {' '.join(a[0] for a in args)})"
            values = [a[1] for a in args]
            if op == "+":
                return text, sum(values, Fraction(0))
            if op == "*":
                product = Fraction(1)
                for v in values:
                    product *= v
                return text, product
            if len(values) == 1:
                return text, -values[0]
            return text, values[0] - sum(values[1:], Fraction(0))

        return st.tuples(st.sampled_from(["+", "-", "*"]), st.lists(children, min_size=1, max_size=3)) \
            .map(lambda t: build(*t))

    return st.recursive(leaves, combine, max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(_expressions())
def test_open_coded_arithmetic_is_exact_and_integers_stay_integers(expression):
    text, expected = expression
    value = run(f"(let ((f (lambda () {text}))) (funcall f))")
    assert value == expected
    assert type(value) is (int if expected.denominator == 1 else Ratio)


@settings(max_examples=60, deadline=None)
@given(_NUMBERS, _NUMBERS, st.sampled_from(["<", ">", "<=", ">=", "=", "/="]))
def test_open_coded_comparison_agrees_with_the_comparison_function(a, b, op):
    x, y = _lisp_number(a), _lisp_number(b)
    assert show(f"({op} {x} {y})") == show(f"(funcall #'{op} {x} {y})")


@settings(max_examples=60, deadline=None)
@given(st.one_of(_NUMBERS, st.floats(-50, 50, allow_nan=False)), st.integers(-7, 7).filter(bool))
def test_open_coded_mod_by_an_integer_agrees_with_the_mod_function(x, n):
    number = repr(x) if isinstance(x, float) else _lisp_number(x)
    assert show(f"(mod {number} {n})") == show(f"(funcall #'mod {number} {n})")
