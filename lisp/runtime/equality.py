"""The equality predicates ``eq``, ``eql``, ``equal`` and ``equalp`` (CLHS 5.3) on Lisp data.

``eq`` is identity. Numbers are Python objects, so two equal integers need not be ``is``-identical:
``eq`` on numbers is implementation-dependent in CL, and here it is ``eql`` for numbers and
characters (as it is in SBCL for fixnums), so code that uses ``eq`` on small integers works.

``equal`` compares strings by their characters, whether literal Python strings or
``LispString`` (up to their fill pointers), and bit vectors by their bits; ``equalp`` compares
arrays of any kind by their dimensions (a vector by its active elements) and elements, and the
objects of a type defined above the runtime (hash tables) with the function registered for that
type in :data:`EQUALP_BY_TYPE`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from lisp.runtime.arrays import BitVector, LispArray, LispString, LispVector, is_string, string_text
from lisp.runtime.data import Char, Cons
from lisp.runtime.ratio import Ratio

EQUALP_BY_TYPE: dict[type, Callable[[Any, Any], bool]] = {}
"""``equalp`` of two objects of exactly this type (registered by the module defining the type)."""

_NUMBERS = (int, Ratio, Fraction, float, complex)
_RATIOS = (Ratio, Fraction)  # a Fraction made by Python code is a ratio too


def eql_p(a: Any, b: Any) -> bool:
    """EQL: the same object, or numbers of the same type and value (0.0 and -0.0 differ)."""
    if a is b:
        return True
    ta = type(a)
    if ta is not type(b):
        return ta in _RATIOS and type(b) in _RATIOS and a == b
    if ta not in _NUMBERS:
        return False
    if ta is float:
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if ta is complex:
        return eql_p(a.real, b.real) and eql_p(a.imag, b.imag)
    return a == b


eq_p = eql_p


def equal_p(a: Any, b: Any) -> bool:
    """EQUAL: EQL, or conses with EQUAL cars and cdrs, or strings of the same characters."""
    while True:
        if a is b:
            return True
        if isinstance(a, Cons):
            if not isinstance(b, Cons) or not equal_p(a.car, b.car):
                return False
            a, b = a.cdr, b.cdr
            continue
        ta = type(a)
        if ta is str:
            return (type(b) is str and a == b) or (type(b) is LispString and a == b.text())
        if ta is LispString:
            return is_string(b) and a.text() == string_text(b)
        if ta is BitVector:
            return type(b) is BitVector and a.items() == b.items()
        return eql_p(a, b)


def equalp_p(a: Any, b: Any) -> bool:
    """EQUALP: like EQUAL but numbers by ``=``, characters and strings ignoring case, vectors and
    hash tables by their elements."""
    while True:
        if a is b:
            return True
        if isinstance(a, Cons):
            if not isinstance(b, Cons) or not equalp_p(a.car, b.car):
                return False
            a, b = a.cdr, b.cdr
            continue
        ta, tb = type(a), type(b)
        if ta in _NUMBERS:
            return tb in _NUMBERS and a == b
        if ta is Char:
            return tb is Char and a.char.lower() == b.char.lower()
        if ta is str or ta is list or isinstance(a, LispArray):
            return _array_equalp(a, b)
        compare = EQUALP_BY_TYPE.get(ta)
        return compare is not None and tb is ta and compare(a, b)


def _array_equalp(a: Any, b: Any) -> bool:
    if is_string(a) and is_string(b):
        return string_text(a).lower() == string_text(b).lower()
    shape_a, shape_b = _equalp_shape(a), _equalp_shape(b)
    if shape_b is None or shape_a != shape_b:
        return False
    return all(equalp_p(x, y) for x, y in zip(_equalp_elements(a), _equalp_elements(b)))


def _equalp_shape(x: Any) -> tuple[int, ...] | None:
    """The dimensions EQUALP compares (a vector's active length), or None for no array."""
    if isinstance(x, (list, str)):
        return (len(x),)
    if isinstance(x, LispVector):
        return (x.length,)
    if isinstance(x, LispArray):
        return x.dims
    return None


def _equalp_elements(x: Any) -> list[Any]:
    if isinstance(x, list):
        return x
    if isinstance(x, str):
        return [Char(c) for c in x]
    return x.items() if isinstance(x, LispVector) else x.values()
