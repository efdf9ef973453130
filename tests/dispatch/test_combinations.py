"""Built-in method combinations (CLHS 7.6.6.4), native on and off."""

import pytest

from dispatch import InvalidMethodError, NoPrimaryMethod, OperatorCombination


class A:
    pass


class B(A):
    pass


class C(B):
    pass


def _three(gf, qualifier, values):
    """Methods on C, B, A (most specific first) returning ``values`` in that order."""
    for cls, v in zip((C, B, A), values):
        def m(x, _v=v):
            return _v
        m.__annotations__ = {"x": cls}
        gf.method(m, qualifier=qualifier)


@pytest.mark.parametrize("name, values, expected", [
    ("+", (1, 2, 3), 6),
    ("list", (1, 2, 3), [1, 2, 3]),
    ("append", ([1], [2], [3]), [1, 2, 3]),
    ("and", (1, 2, 3), 3),
    ("and", (1, 0, 3), 0),
    ("or", (0, 2, 3), 2),
    ("or", (0, 0, None), None),
    ("progn", (1, 2, 3), 3),
    ("max", (1, 3, 2), 3),
    ("min", (2, 1, 3), 1),
])
def test_builtin_combination_combines_primary_values_most_specific_first(make, call, name, values,
                                                                          expected):
    gf = make(lambda x: None, combination=name)
    _three(gf, name, values)
    assert call(gf, C()) == expected


def test_nconc_extends_the_first_list(make):
    gf = make(lambda x: None, combination="nconc")
    _three(gf, "nconc", ([1], [2], [3]))
    assert gf(C()) == [1, 2, 3]


def test_and_stops_at_the_first_false_value(make, call):
    ran = []
    gf = make(lambda x: None, combination="and")

    @gf.method(qualifier="and")
    def _(x: C):
        ran.append("C")
        return 0

    @gf.method(qualifier="and")
    def _(x: A):
        ran.append("A")
        return 1

    assert call(gf, C()) == 0
    assert ran == ["C", "C"]


def test_most_specific_last_reverses_primary_order(make, call):
    gf = make(lambda x: None, combination="list", most_specific_last=True)
    _three(gf, "list", ("c", "b", "a"))
    assert call(gf, C()) == ["a", "b", "c"]


def test_primary_qualifier_may_be_omitted_in_python(make, call):
    gf = make(lambda x: None, combination="+")

    @gf.method
    def _(x: A):
        return 1

    @gf.method
    def _(x: B):
        return 2

    assert gf.methods[0].qualifiers == ("+",)
    assert call(gf, B()) == 3


def test_around_method_wraps_an_operator_combination(make, call):
    gf = make(lambda x: None, combination="+")
    _three(gf, "+", (1, 2, 3))

    @gf.method(qualifier="around")
    def _(next_method, x: A):
        return 100 * next_method()

    assert call(gf, C()) == 600


def test_single_method_of_identity_combination_is_called_directly(make):
    gf = make(lambda x: None, combination="max")

    @gf.method
    def only(x: A):
        return 7

    assert gf(A()) == 7
    assert gf.call_history[0][1] is only


def test_operator_combination_without_primaries_raises_no_primary_method(make, call):
    gf = make(lambda x: None, combination="+")

    @gf.method(qualifier="around")
    def _(next_method, x: A):
        return next_method()

    with pytest.raises(NoPrimaryMethod):
        call(gf, A())


def test_unqualified_method_is_refused_by_an_operator_combination(make):
    gf = make(lambda x: None, combination="+")
    with pytest.raises(InvalidMethodError, match=r"'\+' method combination accepts: '\+' or 'around'"):
        gf.method(lambda x: 1, qualifier=None)
    assert gf.methods == ()


def test_before_qualifier_is_refused_by_an_operator_combination(make):
    gf = make(lambda x: None, combination="list")
    with pytest.raises(InvalidMethodError):
        gf.method(lambda x: 1, qualifier="before")


def test_custom_operator_combination(make, call):
    def lisp_or(values):
        for v in values:
            if v is not None:  # only None is false
                return v
        return None

    gf = make(lambda x: None, combination=OperatorCombination("or", lisp_or, True))
    _three(gf, "or", (None, False, 3))
    assert call(gf, C()) is False


def test_unknown_combination_name_is_an_error(make):
    with pytest.raises(ValueError, match="unknown method combination 'avg'"):
        make(lambda x: None, combination="avg")
