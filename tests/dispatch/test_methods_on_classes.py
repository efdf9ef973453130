"""A generic function that is an attribute of a class binds the instance as a function does
(issue 19 item 2): natively through CPython's own method objects, so the call is a vectorcall with
the instance first and reaches the native dispatcher; staticmethod and classmethod compose."""

import pytest

from dispatch import generic


def _shapes(native: bool):
    @generic(native=native)
    def area(self): ...

    class Square:
        def __init__(self, n):
            self.n = n

        size = area
        unbound = staticmethod(area)
        of_class = classmethod(area)

    @area.method
    def _(self: Square):
        return self.n ** 2

    @area.method
    def _(cls: type):
        return f"class {cls.__name__}"

    return area, Square


@pytest.fixture(params=[True, False], ids=["native", "python path"])
def shapes(request):
    return _shapes(request.param)


def test_an_instance_binds_itself_as_the_first_argument(shapes):
    area, Square = shapes
    assert Square(3).size() == 9


def test_through_the_class_it_is_the_generic_function_itself(shapes):
    area, Square = shapes
    assert Square.size is area and Square.size(Square(2)) == 4


def test_staticmethod_does_not_bind(shapes):
    area, Square = shapes
    assert Square(1).unbound(Square(5)) == 25


def test_classmethod_binds_the_class(shapes):
    area, Square = shapes
    assert Square(1).of_class() == "class Square"


def test_a_bound_call_reaches_the_native_dispatcher():
    area, Square = _shapes(native=True)
    square = Square(4)
    for _ in range(50):
        square.size()
    area.compile()
    misses = area.stats.misses
    assert [square.size() for _ in range(100)] == [16] * 100
    assert (area.stats.native, area.stats.misses) == (True, misses)
