"""Lisp ratios: a ``Fraction`` whose arithmetic keeps CL's rule of rational canonicalization.

CLHS 12.1.3.2: a rational that is an integer is always an integer, never a ratio with denominator
1. Python's ``Fraction`` keeps ``Fraction(2, 1)``; :class:`Ratio` returns an ``int`` from every
operation whose result has denominator 1 (and a ``Ratio`` otherwise), including the reflected
operators that ``int + ratio`` ends in. So the compiler can open-code ``(+ a b)`` as Python's
``a + b`` with no check of the result, whatever numbers ``a`` and ``b`` are.

Invariant: a Lisp ratio is a :class:`Ratio` whose denominator is not 1; the reader, the number
library and the ``PY`` interop results make every ratio they return through :func:`canonical` or
``Ratio(...)``. A plain ``Fraction`` that Python code hands to a Lisp function directly is still a
ratio to every predicate and library function (they test ``isinstance(x, Fraction)``), but Python's
own arithmetic on it (an open-coded ``+``) can give a ``Fraction`` with denominator 1.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from lisp.runtime import hooks


class Ratio(Fraction):
    """A ratio of CL: ``Ratio(4, 2)`` is the integer 2; arithmetic results are canonical too."""

    __slots__ = ()

    def __new__(cls, numerator: Any = 0, denominator: Any = None) -> Any:  # type: ignore[misc]
        self = super().__new__(cls, numerator, denominator)
        return self.numerator if self.denominator == 1 else self

    def __divmod__(self, other: Any) -> Any:
        result = Fraction.__divmod__(self, other)
        return result if result is NotImplemented else (result[0], canonical(result[1]))

    def __rdivmod__(self, other: Any) -> Any:
        result = Fraction.__rdivmod__(self, other)
        return result if result is NotImplemented else (result[0], canonical(result[1]))

    def __repr__(self) -> str:
        return hooks.lisp_repr(self, lambda: Fraction.__repr__(self))

    def __rpow__(self, other: Any, *modulo: Any) -> Any:
        # Fraction.__rpow__ computes `Fraction(other) ** self`, which would come back here (a
        # subclass's reflected method goes first): hand it a plain Fraction exponent instead.
        return canonical(Fraction.__rpow__(Fraction(self.numerator, self.denominator), other, *modulo))


def canonical(x: Any) -> Any:
    """``x`` as Lisp keeps rationals: a ``Fraction`` becomes an ``int`` when its denominator is 1,
    else a :class:`Ratio`; anything else (an int, a float, ``NotImplemented``...) is returned as is."""
    if type(x) is Fraction:
        # A Fraction is kept in lowest terms in its two slots (CPython 3.x `fractions`): the
        # Ratio takes them as they are, with no second gcd (this is every ratio operation's cost).
        if x._denominator == 1:
            return x._numerator
        ratio = _new(Ratio)
        ratio._numerator, ratio._denominator = x._numerator, x._denominator
        return ratio
    return x


_new = object.__new__


def _canonicalizing(method_name: str, arity: int) -> Any:
    inherited = getattr(Fraction, method_name)
    if arity == 1:
        def method(self: Ratio) -> Any:
            return canonical(inherited(self))
    elif arity == 2:
        def method(self: Ratio, other: Any) -> Any:  # type: ignore[misc]
            return canonical(inherited(self, other))
    else:
        def method(self: Ratio, *args: Any) -> Any:  # type: ignore[misc]
            return canonical(inherited(self, *args))
    method.__name__ = method.__qualname__ = method_name
    method.__doc__ = inherited.__doc__
    return method


# Every Fraction operation that can return a Fraction (the others return int, float or bool), by
# number of arguments (0: optional ones).
for _name, _arity in (("__add__", 2), ("__radd__", 2), ("__sub__", 2), ("__rsub__", 2), ("__mul__", 2),
                      ("__rmul__", 2), ("__truediv__", 2), ("__rtruediv__", 2), ("__floordiv__", 2),
                      ("__rfloordiv__", 2), ("__mod__", 2), ("__rmod__", 2), ("__pow__", 0),
                      ("__pos__", 1), ("__neg__", 1), ("__abs__", 1), ("__round__", 0)):
    setattr(Ratio, _name, _canonicalizing(_name, _arity))
del _name, _arity


# Python's types of the Lisp reals, rationals and numbers, exactly (a subclass is not one: native code
# compares types, and so do the hot paths of the number library).
REAL_TYPES = frozenset((int, Ratio, Fraction, float))
RATIONAL_TYPES = frozenset((int, Ratio, Fraction))
NUMBER_TYPES = frozenset((int, Ratio, Fraction, float, complex))
