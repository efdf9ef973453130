"""Bad method definitions: a clear error, and the generic function unchanged."""

import pytest

import dispatch
from dispatch import Eql, InvalidMethodError, Method


class A:
    pass


@pytest.fixture
def f(make):
    @make
    def f(x, y): ...

    @f.method
    def _(x: A, y):
        return "ok"
    return f


def _unchanged(f):
    assert len(f.methods) == 1
    assert f(A(), 1) == "ok"


def test_wrong_number_of_dispatched_parameters(f):
    with pytest.raises(InvalidMethodError, match=r"1 required positional parameter.*dispatches on 2"):
        f.method(lambda x: 1)
    _unchanged(f)


def test_specializer_that_is_not_a_class(f):
    with pytest.raises(InvalidMethodError, match=r"parameter 'y'.*42 is not a class, an Eql or a union"):
        @f.method
        def _(x: A, y: 42):
            pass
    _unchanged(f)


def test_parametrized_generic_is_refused(f):
    with pytest.raises(InvalidMethodError, match=r"list\[int\] is a parametrized type; gfjit "
                       "dispatches on classes. Specialize on list"):
        @f.method
        def _(x: A, y: list[int]):
            pass
    _unchanged(f)


def test_unknown_qualifier(f):
    with pytest.raises(InvalidMethodError, match="accepts: no qualifier, 'before', 'after' or 'around'"):
        f.method(lambda x, y: 1, qualifier="beside")
    _unchanged(f)


def test_before_method_cannot_take_next_method(f):
    with pytest.raises(InvalidMethodError, match="before methods cannot take next_method"):
        @f.method(qualifier="before")
        def _(next_method, x: A, y):
            pass
    _unchanged(f)


def test_non_callable_method(f):
    with pytest.raises(InvalidMethodError, match="must be callable"):
        f.method(42)
    _unchanged(f)


def test_method_object_with_wrong_specializer_count(f):
    with pytest.raises(InvalidMethodError, match="1 specializer"):
        f.add_method(Method(lambda x, y: 1, (A,)))
    _unchanged(f)


def test_method_object_with_non_class_specializer():
    with pytest.raises(InvalidMethodError, match="neither a class nor an Eql"):
        Method(lambda x: 1, ("A",))


def test_unhashable_value_eql():
    with pytest.raises(InvalidMethodError, match="must be hashable"):
        Eql(([1],), identity=False)


def test_bad_argument_precedence_order():
    with pytest.raises(ValueError, match="must name each of"):
        dispatch.generic(lambda a, b: None, argument_precedence_order=["a"])


def test_unresolvable_annotation(f):
    def m(x: "Nowhere", y):  # noqa: F821
        pass
    with pytest.raises(InvalidMethodError, match="cannot evaluate the annotations"):
        f.method(m)
    _unchanged(f)
