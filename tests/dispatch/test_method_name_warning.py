"""`@gf.method` over a function named like the generic function rebinds that name to the method:
a warning says so (issue 19 item 6)."""

import warnings

import pytest

from dispatch import MethodNameWarning, generic


def test_a_method_named_like_its_generic_function_warns_at_the_definition():
    @generic
    def area(x): ...

    with pytest.warns(MethodNameWarning, match="@area.method decorates a function named area") as caught:
        @area.method
        def area(x: int):  # noqa: F811 - the mistake under test
            return 1
    assert caught[0].filename == __file__


def test_methods_named_underscore_or_otherwise_do_not_warn():
    @generic
    def volume(x): ...

    with warnings.catch_warnings():
        warnings.simplefilter("error")

        @volume.method
        def _(x: int):
            return 1

        @volume.method
        def volume_of_str(x: str):
            return 2
    assert (volume(1), volume("s")) == (1, 2)
