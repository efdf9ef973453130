"""CLOS standard method combination, one rule per test, native on and off."""

import inspect
from typing import Any, Union

import pytest

from dispatch import Eql, MethodRedefinitionWarning, NoApplicableMethod, NoNextMethod, NoPrimaryMethod


class Shape:
    pass


class Circle(Shape):
    pass


class Square(Shape):
    pass


class Ring(Circle):
    pass


def test_most_specific_primary_method_runs(make, call):
    @make
    def area(shape): ...

    @area.method
    def _(shape: Shape):
        return "shape"

    @area.method
    def _(shape: Circle):
        return "circle"

    assert call(area, Ring()) == "circle"
    assert call(area, Square()) == "shape"


def test_unannotated_object_and_any_parameters_match_every_class(make, call):
    @make
    def f(a, b, c): ...

    @f.method
    def _(a, b: object, c: Any):
        return "any"

    assert call(f, 1, "x", None) == "any"


def test_name_docstring_and_signature_are_kept(make):
    @make
    def area(shape, scale=1):
        """Area of a shape."""

    assert area.__name__ == "area"
    assert area.__doc__ == "Area of a shape."
    assert str(inspect.signature(area)) == "(shape, scale=1)"


def test_body_of_the_generic_function_is_not_a_method(make):
    @make
    def area(shape):
        return "body"

    with pytest.raises(NoApplicableMethod):
        area(1)


def test_inherited_method_applies_to_subclass(make, call):
    @make
    def f(x): ...

    @f.method
    def _(x: Shape):
        return "shape"

    assert call(f, Ring()) == "shape"


def test_leftmost_argument_decides_first(make, call):
    @make
    def f(a, b): ...

    @f.method
    def _(a: Circle, b: Shape):
        return "circle-shape"

    @f.method
    def _(a: Shape, b: Circle):
        return "shape-circle"

    assert call(f, Circle(), Circle()) == "circle-shape"


def test_argument_precedence_order_decides_first(make, call):
    @make(argument_precedence_order=["b", "a"])
    def f(a, b): ...

    @f.method
    def _(a: Circle, b: Shape):
        return "circle-shape"

    @f.method
    def _(a: Shape, b: Circle):
        return "shape-circle"

    assert call(f, Circle(), Circle()) == "shape-circle"


def test_precedence_follows_the_mro_for_multiple_inheritance(make, call):
    class A: ...
    class B: ...
    class AB(A, B): ...

    @make
    def f(x): ...

    @f.method
    def _(x: B):
        return "B"

    @f.method
    def _(x: A):
        return "A"

    assert call(f, AB()) == "A"


def test_next_method_without_arguments_passes_the_same_arguments(make, call):
    @make
    def f(x, y): ...

    @f.method
    def _(x: Shape, y):
        return ("shape", y)

    @f.method
    def _(next_method, x: Circle, y):
        return ("circle", next_method())

    assert call(f, Circle(), 5) == ("circle", ("shape", 5))


def test_next_method_with_arguments_passes_those(make, call):
    @make
    def f(x, y): ...

    @f.method
    def _(x: Shape, y):
        return ("shape", y)

    @f.method
    def _(next_method, x: Circle, y):
        return next_method(x, y + 1)

    assert call(f, Circle(), 5) == ("shape", 6)


def test_next_method_is_true_only_when_there_is_one(make, call):
    @make
    def f(x): ...

    @f.method
    def _(next_method, x: Shape):
        return bool(next_method)

    @f.method
    def _(next_method, x: Circle):
        return (bool(next_method), next_method())

    assert call(f, Circle()) == (True, False)


def test_calling_a_missing_next_method_raises_no_next_method(make, call):
    @make
    def f(x): ...

    @f.method
    def _(next_method, x: Shape):
        return next_method()

    with pytest.raises(NoNextMethod, match=r"no next method for f\(\).*\(Circle\)"):
        call(f, Circle())


def test_no_next_method_is_a_type_error(make):
    @make
    def f(x): ...

    @f.method
    def _(next_method, x: Shape):
        return next_method()

    with pytest.raises(TypeError):
        f(Shape())


def test_no_next_method_hook_supplies_the_value(make, call):
    seen = []

    def hook(gf, method, *args):
        seen.append((gf, method.specializers, args))
        return "default"

    @make(no_next_method=hook)
    def f(x): ...

    @f.method
    def _(next_method, x: Shape):
        return next_method()

    s = Shape()
    assert call(f, s) == "default"
    assert seen[0] == (f, (Shape,), (s,))


def test_no_applicable_method_names_the_function_and_classes(make, call):
    @make
    def area(shape, scale): ...

    @area.method
    def _(shape: Circle, scale):
        return 1

    with pytest.raises(NoApplicableMethod, match=r"area\(\) with argument classes \(Square, int\)"):
        call(area, Square(), 2)


def test_no_applicable_method_is_a_type_error(make):
    @make
    def f(x): ...

    with pytest.raises(TypeError):
        f(1)


def test_no_applicable_method_hook_supplies_the_value(make, call):
    @make(no_applicable_method=lambda gf, *args, **kw: ("none", gf.__name__, args, kw))
    def f(x): ...

    assert call(f, 1, k=2) == ("none", "f", (1,), {"k": 2})


def test_before_methods_run_most_specific_first_and_after_methods_last(make):
    log = []

    @make
    def f(x): ...

    @f.method
    def _(x: Shape):
        log.append("primary")
        return "value"

    for cls in (Shape, Circle):
        def before(x, _n=cls.__name__):
            log.append("before " + _n)

        def after(x, _n=cls.__name__):
            log.append("after " + _n)
        before.__annotations__ = after.__annotations__ = {"x": cls}
        f.method(before, qualifier="before")
        f.method(after, qualifier="after")

    assert f(Circle()) == "value"
    assert log == ["before Circle", "before Shape", "primary", "after Shape", "after Circle"]
    log.clear()
    f.compile()
    assert f(Circle()) == "value"
    assert log == ["before Circle", "before Shape", "primary", "after Shape", "after Circle"]


def test_around_methods_wrap_befores_primaries_and_afters(make, call):
    log = []

    @make
    def f(x): ...

    @f.method
    def _(x: Shape):
        log.append("primary")
        return 1

    @f.method(qualifier="before")
    def _(x: Shape):
        log.append("before")

    @f.method(qualifier="after")
    def _(x: Shape):
        log.append("after")

    @f.method(qualifier="around")
    def _(next_method, x: Shape):
        log.append("outer-around")
        return 10 * next_method()

    @f.method(qualifier="around")
    def _(next_method, x: Circle):
        log.append("inner-around")
        return 100 * next_method()

    assert call(f, Circle()) == 1000
    assert log == ["inner-around", "outer-around", "before", "primary", "after"] * 2


def test_around_method_value_is_the_call_value(make, call):
    @make
    def f(x): ...

    @f.method
    def _(x: Shape):
        return 1

    @f.method(qualifier="around")
    def _(next_method, x: Shape):
        next_method()
        return "around"

    assert call(f, Shape()) == "around"


def test_around_without_next_method_call_skips_the_rest(make, call):
    ran = []

    @make
    def f(x): ...

    @f.method
    def _(x: Shape):
        ran.append("primary")

    @f.method(qualifier="around")
    def _(x: Shape):
        return "short-circuit"

    assert call(f, Shape()) == "short-circuit"
    assert ran == []


def test_only_qualified_methods_applicable_raises_no_primary_method(make, call):
    @make
    def f(x): ...

    @f.method(qualifier="before")
    def _(x: Shape):
        pass

    with pytest.raises(NoPrimaryMethod, match="no primary method"):
        call(f, Shape())


def test_same_specializers_and_qualifier_replace_the_old_method(make, call):
    @make
    def f(x): ...

    @f.method
    def _(x: Shape):
        return "old"

    assert call(f, Shape()) == "old"

    with pytest.warns(MethodRedefinitionWarning):
        @f.method
        def _(x: Shape):
            return "new"

    assert call(f, Shape()) == "new"
    assert len(f.methods) == 1


def test_same_specializers_with_another_qualifier_add_a_method(make):
    @make
    def f(x): ...

    @f.method
    def _(x: Shape):
        return 1

    @f.method(qualifier="before")
    def _(x: Shape):
        pass

    assert len(f.methods) == 2


def test_removed_method_no_longer_applies(make, call):
    @make
    def f(x): ...

    @f.method
    def general(x: Shape):
        return "shape"

    @f.method
    def specific(x: Circle):
        return "circle"

    assert call(f, Circle()) == "circle"
    (m,) = [m for m in f.methods if m.function is specific]
    f.remove_method(m)
    assert call(f, Circle()) == "shape"


def test_removing_by_function_removes_all_its_methods(make, call):
    @make
    def f(x): ...

    @f.method
    def both(x: Circle | Square):
        return "cs"

    assert len(f.methods) == 2
    f.remove_method(both)
    assert f.methods == ()


def test_removing_an_unknown_method_is_an_error(make):
    @make
    def f(x): ...

    with pytest.raises(ValueError, match="not a method of f"):
        f.remove_method(lambda x: x)


def test_union_annotation_applies_to_each_class(make, call):
    @make
    def f(x): ...

    @f.method
    def _(x: Circle | Square):
        return "cs"

    @f.method
    def _(x: Union[int, str]):
        return "is"

    assert [call(f, v) for v in (Circle(), Square(), 1, "a")] == ["cs", "cs", "is", "is"]
    with pytest.raises(NoApplicableMethod):
        call(f, Shape())


def test_optional_annotation_applies_to_none(make, call):
    @make
    def f(x): ...

    @f.method
    def _(x: Circle | None):
        return "maybe circle"

    assert call(f, None) == "maybe circle"


def test_eql_method_is_more_specific_than_class_method(make, call):
    @make
    def f(x): ...

    @f.method
    def _(x: int):
        return "int"

    @f.method
    def _(x: Eql(0)):
        return "zero"

    assert (call(f, 0), call(f, 1)) == ("zero", "int")


def test_eql_on_numbers_matches_by_class_and_value(make, call):
    @make
    def f(x): ...

    @f.method
    def _(x: Eql(1000)):
        return "thousand"

    @f.method
    def _(x: object):
        return "other"

    big = int("1000")  # a distinct int object
    assert call(f, big) == "thousand"
    assert call(f, 1000.0) == "other"
    assert call(f, True) == "other"


def test_eql_on_strings_matches_by_value(make, call):
    @make
    def f(x): ...

    @f.method
    def _(x: Eql("on")):
        return True

    @f.method
    def _(x: str):
        return False

    assert call(f, "".join(["o", "n"])) is True


def test_eql_on_mutable_object_matches_by_identity(make, call):
    key = [1]

    @make
    def f(x): ...

    @f.method
    def _(x: Eql(key)):
        return "that list"

    @f.method
    def _(x: list):
        return "a list"

    assert (call(f, key), call(f, [1])) == ("that list", "a list")


def test_eql_with_caller_chosen_equality(make, call):
    @make
    def f(x): ...

    @f.method
    def _(x: Eql("abc", key=str.lower)):
        return "abc, any case"

    @f.method
    def _(x: str):
        return "other"

    assert (call(f, "ABC"), call(f, "abd")) == ("abc, any case", "other")


def test_eql_on_two_arguments(make, call):
    a, b = object(), object()

    @make
    def f(x, y): ...

    @f.method
    def _(x, y):
        return "any"

    @f.method
    def _(x: Eql(a), y):
        return "a ?"

    @f.method
    def _(x: Eql(a), y: Eql(b)):
        return "a b"

    assert [call(f, a, b), call(f, a, a), call(f, b, b)] == ["a b", "a ?", "any"]


def test_extra_positional_and_keyword_arguments_pass_through(make, call):
    @make
    def f(x, *rest, **kw): ...

    @f.method
    def _(x: int, *rest, **kw):
        return (x, rest, kw)

    assert call(f, 1, 2, 3, k=4) == (1, (2, 3), {"k": 4})


def test_too_few_arguments_is_a_type_error_like_pythons(make, call):
    @make
    def f(a, b): ...

    @f.method
    def _(a, b):
        return 1

    with pytest.raises(TypeError, match=r"f\(\) missing 1 required positional argument: 'b'"):
        call(f, 1)


def test_dispatched_arguments_may_be_given_by_keyword(make, call):
    @make
    def f(a, b): ...

    @f.method
    def _(a: int, b: str):
        return (a, b)

    assert call(f, 1, b="x") == (1, "x")


def test_compute_applicable_methods_orders_most_specific_first(make):
    @make
    def f(x): ...

    @f.method
    def general(x: Shape):
        return 1

    @f.method
    def specific(x: Circle):
        return 2

    @f.method(qualifier="before")
    def before(x: Ring):
        pass

    assert [m.function for m in f.compute_applicable_methods(Ring())] == [before, specific, general]
    assert [m.function for m in f.compute_applicable_methods(Shape())] == [general]


def test_find_method_by_specializers_and_qualifiers(make):
    @make
    def f(x): ...

    @f.method(qualifier="after")
    def after(x: Circle):
        pass

    assert f.find_method([Circle], ["after"]).function is after
    assert f.find_method([Circle]) is None


def test_zero_dispatched_parameters(make, call):
    @make
    def f(): ...

    @f.method
    def _():
        return "only"

    assert call(f) == "only"
