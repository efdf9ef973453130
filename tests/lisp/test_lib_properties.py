"""Properties of the library that hold for all inputs, checked with hypothesis: the division
identities, ratio canonicalisation, equality implications, hash-table keys and sorting."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lisp.evaluator  # noqa: F401 - boots the Lisp (the library registers itself)
from lisp.library import equality, hashtables, numbers, sequences
from lisp.runtime.data import NIL, T, make_list
from lisp.runtime.ratio import Ratio
from lisp.runtime.values import take

integers = st.integers(min_value=-10**30, max_value=10**30)
nonzero = integers.filter(lambda n: n != 0)
rationals = st.builds(Ratio, integers, nonzero)
lisp_atoms = st.one_of(integers, rationals, st.floats(allow_nan=False), st.text(max_size=5),
                       st.sampled_from([NIL, T]))
lisp_data = st.recursive(lisp_atoms, lambda inner: st.lists(inner, max_size=4).map(make_list), max_leaves=12)

SETTINGS = settings(max_examples=60, deadline=None)


def _two_values(fn, *args):
    return take(fn(*args))


@SETTINGS
@given(rationals, st.one_of(nonzero, rationals.filter(lambda r: r != 0)))
@pytest.mark.parametrize("division", ["floor", "ceiling", "truncate", "round"])
def test_quotient_times_divisor_plus_remainder_is_the_number(division, number, divisor) -> None:
    quotient, remainder = _two_values(getattr(numbers, division if division != "round" else "round_"),
                                      number, divisor)
    assert type(quotient) is int
    assert quotient * divisor + remainder == number


@SETTINGS
@given(rationals, rationals.filter(lambda r: r != 0))
def test_floor_remainder_has_the_sign_of_the_divisor_and_is_smaller(number, divisor) -> None:
    _, remainder = _two_values(numbers.floor, number, divisor)
    assert remainder == 0 or (remainder > 0) == (divisor > 0)
    assert abs(remainder) < abs(divisor)
    assert numbers.mod(number, divisor) == remainder


@SETTINGS
@given(rationals, rationals)
def test_rational_results_are_canonical(a, b) -> None:
    for result in (numbers.add(a, b), numbers.subtract(a, b), numbers.multiply(a, b)):
        assert type(result) is int or (type(result) is Ratio and result.denominator != 1)


@SETTINGS
@given(lisp_data)
def test_equal_data_is_equalp_and_a_value_is_equal_to_its_copy(x) -> None:
    from lisp.library.lists import copy_tree

    copy = copy_tree(x)
    assert equality.equal_p(x, copy)
    assert equality.equalp_p(x, copy)


@SETTINGS
@given(st.lists(st.tuples(lisp_data, integers), max_size=20))
def test_an_equal_table_finds_every_key_by_an_equal_copy(pairs) -> None:
    from lisp.library.lists import copy_tree

    table = hashtables.HashTable("EQUAL")
    for key, value in pairs:
        table.put(key, value)
    for key, _ in pairs:
        _, found = table.get(copy_tree(key))
        assert found


@SETTINGS
@given(st.lists(st.one_of(integers, rationals, st.floats(allow_nan=False, allow_infinity=False)), max_size=40))
def test_sort_returns_an_ordered_permutation(xs) -> None:
    result = sequences.sort(list(xs), numbers.num_lt)
    assert sorted(result) == sorted(xs)
    assert all(a <= b for a, b in zip(result, result[1:]))
