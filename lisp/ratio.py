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

    def __rpow__(self, other: Any, *modulo: Any) -> Any:
        # Fraction.__rpow__ computes `Fraction(other) ** self`, which would come back here (a
        # subclass's reflected method goes first): hand it a plain Fraction exponent instead.
        return canonical(Fraction.__rpow__(Fraction(self.numerator, self.denominator), other, *modulo))


def canonical(x: Any) -> Any:
    """``x`` as Lisp keeps rationals: a ``Fraction`` becomes an ``int`` when its denominator is 1,
    else a :class:`Ratio`; anything else (an int, a float, ``NotImplemented``...) is returned as is."""
    if type(x) is Fraction:
        n, d = x.numerator, x.denominator
        return n if d == 1 else Fraction.__new__(Ratio, n, d)
    return x


def _canonicalizing(method_name: str) -> Any:
    inherited = getattr(Fraction, method_name)

    def method(self: Ratio, *args: Any) -> Any:
        return canonical(inherited(self, *args))

    method.__name__ = method.__qualname__ = method_name
    method.__doc__ = inherited.__doc__
    return method


# Every Fraction operation that can return a Fraction (the others return int, float or bool).
for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
              "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__",
              "__pos__", "__neg__", "__abs__", "__round__"):
    setattr(Ratio, _name, _canonicalizing(_name))
del _name
