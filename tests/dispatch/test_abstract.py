"""Abstract classes, Protocols, Literal and Optional as specializers (issue 7), native on and off.

The ABC tests follow CPython's TestSingleDispatch (Lib/test/test_functools.py): MRO composition,
registration after calls, ambiguity."""

import collections
import collections.abc as c
import numbers
import typing
from typing import Literal, Optional, Protocol, runtime_checkable

import pytest

from dispatch import AmbiguousDispatch, InvalidMethodError, MethodRedefinitionWarning, NoApplicableMethod, generic


def _gf(make, **methods_by_class):
    f = make(lambda arg: None)
    f.method(lambda arg: "base")
    return f


def _add(f, cls, value):
    def m(arg):
        return value
    m.__annotations__ = {"arg": cls}
    f.method(m)


def test_number_method_applies_to_int_and_float(make, call):
    f = _gf(make)
    _add(f, numbers.Number, "number")
    assert (call(f, 1), call(f, 2.5), call(f, "x")) == ("number", "number", "base")


def test_concrete_class_beats_the_abc_it_implements(make, call):
    f = _gf(make)
    _add(f, numbers.Integral, "integral")
    _add(f, int, "int")
    _add(f, numbers.Number, "number")
    assert (call(f, 1), call(f, True), call(f, 1.0)) == ("int", "int", "number")


def test_registering_abcs_in_turn_follows_the_composed_mro(make, call):
    d, l, s, fs, t = {"a": "b"}, [1, 2, 3], {1, 2}, frozenset({1}), (1, 2)
    f = _gf(make)
    assert [call(f, x) for x in (d, l, s, fs, t)] == ["base"] * 5
    _add(f, c.Sized, "sized")
    assert [call(f, x) for x in (d, l, s, fs, t)] == ["sized"] * 5
    _add(f, c.MutableMapping, "mutablemapping")
    assert [call(f, x) for x in (d, l, s, fs, t)] == ["mutablemapping"] + ["sized"] * 4
    _add(f, c.MutableSequence, "mutablesequence")
    _add(f, c.MutableSet, "mutableset")
    assert [call(f, x) for x in (d, l, s, fs, t)] == \
        ["mutablemapping", "mutablesequence", "mutableset", "sized", "sized"]
    _add(f, c.Sequence, "sequence")
    _add(f, c.Set, "set")
    assert [call(f, x) for x in (fs, t)] == ["set", "sequence"]
    for cls in (dict, list, set, frozenset, tuple):
        _add(f, cls, cls.__name__)
    assert [call(f, x) for x in (d, l, s, fs, t)] == ["dict", "list", "set", "frozenset", "tuple"]


def _container_iterable_sized_set(make):
    f = _gf(make)
    _add(f, c.Iterable, "iterable")
    _add(f, c.Container, "container")
    _add(f, c.Sized, "sized")
    _add(f, c.Set, "set")
    return f


def test_registration_after_calls_takes_effect_on_the_next_call(make, call):
    class O(c.Sized):
        def __len__(self):
            return 0

    f = _container_iterable_sized_set(make)
    o = O()
    assert call(f, o) == "sized"
    c.Iterable.register(O)
    assert call(f, o) == "sized"  # Sized is in O.__mro__
    c.Container.register(O)
    assert call(f, o) == "sized"
    c.Set.register(O)
    assert call(f, o) == "set"  # Set is a subclass of Sized and Container


def test_registration_reaches_an_installed_native_dispatcher(make):
    class P:
        pass

    f = _container_iterable_sized_set(make)
    p = P()
    assert f(p) == "base"
    f.compile()
    assert f(p) == "base"
    c.Iterable.register(P)
    assert f(p) == "iterable"


def test_two_unordered_virtual_abcs_are_ambiguous(make, call):
    class P:
        pass

    f = _container_iterable_sized_set(make)
    c.Iterable.register(P)
    c.Container.register(P)
    with pytest.raises(AmbiguousDispatch, match=r"implements both (Container and Iterable|"
                                                r"Iterable and Container)"):
        call(f, P())


def test_abcs_implicit_through_a_registered_abc_are_ambiguous(make, call):
    h = _gf(make)
    _add(h, c.Sized, "sized")
    _add(h, c.Container, "container")
    with pytest.raises(AmbiguousDispatch):
        call(h, collections.defaultdict(lambda: 0))


def test_registered_abc_nearer_in_the_composed_mro_wins(make, call):
    class R(collections.defaultdict):
        pass

    c.MutableSequence.register(R)
    i = _gf(make)
    _add(i, c.MutableMapping, "mapping")
    _add(i, c.MutableSequence, "sequence")
    assert call(i, R()) == "sequence"


def test_inferred_and_registered_abcs_have_no_preference(make, call):
    class U:
        def __len__(self):
            return 0

    h = _gf(make)
    _add(h, c.Sized, "sized")
    _add(h, c.Container, "container")
    assert call(h, U()) == "sized"  # inferred from __len__
    c.Container.register(U)
    with pytest.raises(AmbiguousDispatch):
        call(h, U())


def test_registered_abc_lands_right_after_its_explicit_base(make, call):
    class S:
        pass

    class V(c.Sized, S):
        def __len__(self):
            return 0

    j = _gf(make)
    _add(j, S, "s")
    _add(j, c.Container, "container")
    assert call(j, V()) == "s"
    c.Container.register(V)
    assert call(j, V()) == "container"


def test_user_abc_with_subclasshook(make, call):
    class Quacks(metaclass=__import__("abc").ABCMeta):
        @classmethod
        def __subclasshook__(cls, other):
            return hasattr(other, "quack") or NotImplemented

    class Duck:
        def quack(self):
            pass

    f = _gf(make)
    _add(f, Quacks, "quacks")
    assert (call(f, Duck()), call(f, 1)) == ("quacks", "base")


@runtime_checkable
class Closable(Protocol):
    def close(self) -> None: ...


def test_runtime_checkable_protocol_applies_structurally(make, call):
    class File:
        def close(self):
            pass

    f = _gf(make)
    _add(f, Closable, "closable")
    assert (call(f, File()), call(f, 1)) == ("closable", "base")


def test_protocol_that_is_not_runtime_checkable_is_refused(make):
    class Sized2(Protocol):
        def size(self) -> int: ...

    f = _gf(make)
    with pytest.raises(InvalidMethodError, match="Sized2 cannot be a specializer.*runtime_checkable"):
        _add(f, Sized2, "x")
    assert len(f.methods) == 1


def test_literal_is_eql_specializers(make, call):
    f = _gf(make)
    _add(f, Literal["r", "w"], "mode")
    assert (call(f, "r"), call(f, "w"), call(f, "a")) == ("mode", "mode", "base")


def test_optional_applies_to_the_class_and_none(make, call):
    f = make(lambda arg: None)
    _add(f, Optional[int], "maybe int")
    assert (call(f, 3), call(f, None)) == ("maybe int", "maybe int")
    with pytest.raises(NoApplicableMethod):
        call(f, "x")


def test_unparametrized_typing_alias_is_its_class(make, call):
    f = _gf(make)
    _add(f, typing.Sequence, "sequence")
    assert call(f, (1,)) == "sequence"


def test_never_is_refused_as_it_could_never_apply(make):
    f = _gf(make)
    with pytest.raises(InvalidMethodError, match="could never apply"):
        _add(f, typing.Never, "x")


def test_never_in_a_union_adds_nothing_to_it(make, call):
    f = _gf(make)
    _add(f, typing.Union[int, typing.Never], "int")
    assert call(f, 1) == "int"
    assert [m.specializers for m in f.methods] == [(object,), (int,)]


def test_a_union_of_nothing_is_refused_as_it_could_never_apply(make):
    f = _gf(make)
    with pytest.raises(InvalidMethodError, match="could never apply"):
        _add(f, typing.Union[typing.Never, typing.NoReturn], "x")


def test_no_applicable_method_lists_methods_and_the_refused_argument(make):
    f = make(lambda shape, scale: None)

    def on_int(shape: int, scale: float):
        return 1

    f.method(on_int)
    with pytest.raises(NoApplicableMethod) as info:
        f("x", 2.0)
    text = str(info.value)
    assert "argument classes (str, float)" in text
    assert "(shape: int, scale: float), test_no_applicable_method_lists_methods_and_the_refused" \
           "_argument.<locals>.on_int at " in text
    assert "test_abstract.py:" in text
    assert "'shape' (str) is not int" in text and "'scale'" not in text.split("is not int")[1]


def test_method_from_elsewhere_with_the_same_specializers_warns(make):
    f = make(lambda arg: None)
    _add(f, int, "one")
    with pytest.warns(MethodRedefinitionWarning, match="replaces"):
        @f.method
        def _(arg: int):
            return "two"
    assert f(1) == "two"


class _Rational:  # a provider's marker type, as the Lisp's CLOS lists use for abstract classes
    pass


def _lisp_like_provider(cls):
    return (int, _Rational, object) if cls is int else None


def test_abc_specializers_are_composed_into_a_provided_precedence_list(make, call):
    import dispatch

    f = _gf(make)
    _add(f, _Rational, "rational")
    _add(f, numbers.Number, "number")
    dispatch.add_precedence_provider(_lisp_like_provider)
    try:
        dispatch.class_changed(int)
        # Number is inserted right after int, the last entry of the provided list implementing it.
        assert call(f, 1) == "number"
        _add(f, numbers.Integral, "integral")
        assert call(f, 1) == "integral"
    finally:
        dispatch.remove_precedence_provider(_lisp_like_provider)
        dispatch.class_changed(int)
    assert call(f, 1) == "integral"


# Ambiguity is judged on whole specializer tuples in argument precedence order (CLOS 7.6.6.1,
# issue 19 item 5): (A, Sized) and (B, Container) with B <: A are ordered by argument 0.
def _sized_or_container(native, **options):
    from collections.abc import Container, Sized

    class A:
        pass

    class B(A):
        pass

    class BothVirtually:
        def __len__(self):
            return 0

    Container.register(BothVirtually)

    @generic(native=native, **options)
    def f(x, y): ...

    @f.method
    def _(x: A, y: Sized):
        return "A, Sized"

    @f.method
    def _(x: B, y: Container):
        return "B, Container"

    return f, A, B, BothVirtually


@pytest.mark.parametrize("native", [True, False], ids=["native", "python path"])
def test_an_earlier_argument_that_orders_the_methods_makes_a_later_unordered_pair_harmless(native):
    f, A, B, both = _sized_or_container(native)
    assert (f(B(), both()), f(A(), both())) == ("B, Container", "A, Sized")


@pytest.mark.parametrize("native", [True, False], ids=["native", "python path"])
def test_with_the_unordered_argument_first_in_precedence_the_call_is_ambiguous(native):
    f, A, B, both = _sized_or_container(native, argument_precedence_order=("y", "x"))
    with pytest.raises(AmbiguousDispatch, match=r"argument 1 of class .*BothVirtually: it implements both Sized and Container"):
        f(B(), both())
