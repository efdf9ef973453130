"""Specializers: what a method's parameter is specialized on, and how annotations become them.

A specializer is a class (a Python type; ``object`` matches everything) or an :class:`Eql`.
An annotation may name several specializers (``A | B``, ``Union[A, B]``): the method is then defined
once per combination. Everything that turns an annotation into specializers lives in
:func:`specializers_from_annotation`, so new annotation forms are additions to that one function.
"""

from __future__ import annotations

import decimal
import fractions
import inspect
import types
import typing
from collections.abc import Callable, Hashable
from typing import Any

from dispatch.abstract import check_abstract, is_abstract
from dispatch.errors import InvalidMethodError

# Values of these classes are matched by class and value; everything else by identity.
_VALUE_CLASSES = (int, float, complex, str, bytes, decimal.Decimal, fractions.Fraction, tuple,
                  frozenset, range)


def _type_and_value(value: Any) -> Hashable:
    return (type(value), value)


class Eql:
    """Specializer matching one object: ``Eql(0)``, ``Eql(some_sentinel)``.

    An ``Eql`` only ever matches objects of exactly ``type(value)``; among those it matches by
    identity (``identity=True``) or by ``key(arg) == key(value)``. By default numbers, strings,
    bytes, tuples and other immutable values match by value (key: class and value), everything
    else by identity. A caller with its own equality (Lisp ``eql``) passes ``identity`` and ``key``.
    Identity tests stay on the native path; value tests go through a Python table.
    """

    __slots__ = ("value", "identity", "key", "_match_key")

    def __init__(self, value: Any, *, identity: bool | None = None,
                 key: Callable[[Any], Hashable] | None = None) -> None:
        if identity is None:
            identity = key is None and not isinstance(value, _VALUE_CLASSES)
        if identity and key is not None:
            raise InvalidMethodError("Eql(identity=True) takes no key: identity is the test")
        self.value = value
        self.identity = identity
        self.key = None if identity else (key or _type_and_value)
        if identity:
            self._match_key: Hashable = ("is", id(value))
        else:
            try:
                self._match_key = ("key", self.key(value))
                hash(self._match_key)
            except TypeError as e:
                raise InvalidMethodError(
                    f"Eql({value!r}) matches by value, so its key must be hashable: {e}") from None

    @property
    def cls(self) -> type:
        """The only class whose instances this specializer can match."""
        return type(self.value)

    def value_key(self, arg: Any) -> Hashable:
        """The key an argument of class :attr:`cls` is looked up by (identity: its id)."""
        return id(arg) if self.identity else self.key(arg)

    @property
    def lookup_key(self) -> Hashable:
        return id(self.value) if self.identity else self._match_key[1]

    def matches(self, arg: Any) -> bool:
        if type(arg) is not type(self.value):
            return False
        return arg is self.value if self.identity else self.key(arg) == self._match_key[1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Eql) and self._match_key == other._match_key \
            and type(self.value) is type(other.value)

    def __hash__(self) -> int:
        return hash(self._match_key)

    def __repr__(self) -> str:
        return f"Eql({self.value!r})"


Specializer = type | Eql

_ANY_ANNOTATIONS = (inspect.Parameter.empty, object, typing.Any)


def specializers_from_annotation(annotation: Any, where: str) -> tuple[Specializer, ...]:
    """The specializers an annotation stands for (several for a union). ``where`` names the
    parameter for error messages."""
    if any(annotation is a for a in _ANY_ANNOTATIONS):
        return (object,)
    if annotation is None:
        return (type(None),)
    if isinstance(annotation, Eql):
        return (annotation,)
    origin = typing.get_origin(annotation)
    if _matches_nothing(annotation):
        raise InvalidMethodError(f"{where}: {annotation!r} matches no object: the method could "
                                 "never apply")
    if isinstance(annotation, types.UnionType) or origin is typing.Union:
        out: list[Specializer] = []
        for alt in typing.get_args(annotation):
            if _matches_nothing(alt):
                continue  # adds no object to the union
            for s in specializers_from_annotation(alt, where):
                if s not in out:
                    out.append(s)
        if not out:
            raise InvalidMethodError(f"{where}: {annotation!r} matches no object: the method "
                                     "could never apply")
        return tuple(out)
    if origin is typing.Literal:
        return tuple(Eql(v) for v in typing.get_args(annotation))
    if origin is not None and not typing.get_args(annotation) and isinstance(origin, type):
        annotation = origin  # typing.List, typing.Sequence: the class itself
    elif origin is not None:
        name = getattr(origin, "__qualname__", repr(origin))
        raise InvalidMethodError(
            f"{where}: {annotation!r} is a parametrized type; gfjit dispatches on classes. "
            f"Specialize on {name} and check the parameters inside the method")
    if isinstance(annotation, type):
        if is_abstract(annotation):
            check_abstract(annotation, where)
        return (annotation,)
    raise InvalidMethodError(
        f"{where}: the specializer {annotation!r} is not a class, an Eql or a union of them")


def _matches_nothing(annotation: Any) -> bool:
    return annotation is typing.Never or annotation is typing.NoReturn


def specializer_name(s: Specializer) -> str:
    return repr(s) if isinstance(s, Eql) else s.__qualname__
