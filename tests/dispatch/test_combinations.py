"""Built-in method combinations (CLHS 7.6.6.4), native on and off."""

import pytest

import dispatch
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


class _NoneIsFalse(dispatch.ValueModel):
    """A language where only None is false and lists are tuples."""

    def is_true(self, value):
        return value is not None

    def make_list(self, values):
        return tuple(values)

    def append(self, lists):
        return sum(lists, ())

    def nconc(self, lists):
        return sum(lists, ())


@pytest.mark.parametrize("name, values, expected", [
    ("or", (None, False, 3), False),
    ("and", (0, None, 3), None),
    ("and", (0, "", 3), 3),
])
def test_the_value_model_decides_what_is_true(make, call, name, values, expected):
    gf = make(lambda x: None, combination=name, values=_NoneIsFalse())
    _three(gf, name, values)
    assert call(gf, C()) == expected


@pytest.mark.parametrize("name, values, expected", [
    ("list", (1, 2, 3), (1, 2, 3)),
    ("append", ((1,), (2,), (3,)), (1, 2, 3)),
    ("nconc", ((1,), (2,), (3,)), (1, 2, 3)),
])
def test_the_value_model_makes_the_lists(make, call, name, values, expected):
    gf = make(lambda x: None, combination=name, values=_NoneIsFalse())
    _three(gf, name, values)
    assert call(gf, C()) == expected


class _Recording(dispatch.ValueModel):
    def __init__(self):
        self.single = []

    def one_value(self, value):
        self.single.append(value)
        return value


@pytest.mark.parametrize("name, values, single", [
    ("progn", (1, 2, 3), [1, 2]),      # the leading values are forgotten, the last stands
    ("and", (1, 0, 3), [1, 0]),        # the value that stops the form is made one value
    ("or", (0, 0, 3), [0, 0]),
    ("+", (1, 2, 3), [6]),             # a combined value is a new one
])
def test_only_values_that_are_not_a_methods_own_go_through_one_value(make, name, values, single):
    model = _Recording()
    gf = make(lambda x: None, combination=name, values=model)
    _three(gf, name, values)
    gf(C())
    assert model.single == single


@pytest.mark.parametrize("name", ["+", "append", "nconc", "and", "or", "progn", "max", "min"])
def test_one_primary_method_is_the_effective_method_as_in_sbcl(make, name):
    gf = make(lambda x: None, combination=name)
    value = [1, 2]

    @gf.method
    def only(x: A):
        return value

    assert gf(A()) is value
    assert gf.call_history[0][1] is only


def test_list_of_one_primary_method_is_a_new_list(make, call):
    gf = make(lambda x: None, combination="list")
    _three(gf, "list", ((1, 2),))
    assert call(gf, C()) == [(1, 2)]


def test_unknown_combination_name_is_an_error(make):
    with pytest.raises(ValueError, match="unknown method combination 'avg'"):
        make(lambda x: None, combination="avg")


class InvalidAtCall(Exception):
    pass


def _invalid_method(gf, method, message, *args, **kwargs):
    raise InvalidAtCall(method.qualifiers, message, args)


def test_with_an_invalid_method_hook_a_refused_qualifier_is_accepted_at_definition(make):
    gf = make(lambda x: None, combination="+", invalid_method=_invalid_method)
    gf.method(lambda x: 1, qualifier="before")
    assert [m.qualifiers for m in gf.methods] == [("before",)]


def _plus_with_a_before_on_b(make):
    """A ``+`` generic function with a ``+`` method on A and a ``before`` method on B."""
    gf = make(lambda x: None, combination="+", invalid_method=_invalid_method)

    def plus(x: A):
        return 1
    gf.method(plus, qualifier="+")

    def bad(x: B):
        return 2
    gf.method(bad, qualifier="before")
    return gf


def test_with_an_invalid_method_hook_a_call_it_applies_to_runs_the_hook(make, call):
    gf = _plus_with_a_before_on_b(make)
    with pytest.raises(InvalidAtCall) as raised:
        call(gf, B())
    qualifiers, message, args = raised.value.args
    assert qualifiers == ("before",) and "'+' method combination accepts" in message
    assert len(args) == 1 and type(args[0]) is B


def test_with_an_invalid_method_hook_calls_it_does_not_apply_to_run(make, call):
    gf = _plus_with_a_before_on_b(make)
    assert call(gf, A()) == 1


def test_reinitialize_with_an_invalid_method_hook_keeps_methods_the_new_combination_refuses(make, call):
    gf = make(lambda x: None, combination="+", invalid_method=_invalid_method)

    def plus(x: A):
        return 1
    gf.method(plus, qualifier="+")
    gf.reinitialize(combination="list")
    with pytest.raises(InvalidAtCall):
        call(gf, A())
    gf.reinitialize(combination="+")
    assert call(gf, A()) == 1
