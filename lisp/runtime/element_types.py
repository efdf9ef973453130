"""Array element types (CLHS 15.1.2): the upgraded element types arrays have here, what each holds
and how an array of it stores its elements.

The upgraded element types are the singletons of :data:`UPGRADED`: NIL, BIT, ``(UNSIGNED-BYTE n)``
for n = 7 8 15 16 31 32 63 64, ``(SIGNED-BYTE n)`` for n = 8 16 32 64, CHARACTER and T. A type
specifier upgrades to the first of them, in this order, that contains it (the library's
``upgraded-array-element-type`` asks ``subtypep``). The order puts every type before its supertypes,
and the integer types are closed under intersection (``(unsigned-byte n)`` and ``(signed-byte m)``
meet in ``(unsigned-byte (min n (1- m)))``, which is why the 7, 15, 31 and 63 bit types are there),
so the first container is the smallest one and upgrading keeps subtypes below supertypes, as CLHS
15.1.2.1 requires. CHARACTER also takes BASE-CHAR and STANDARD-CHAR (every character is a base
character here); floats, like every other type, upgrade to T.

Storage, by element type (an :class:`ElementType` reads and writes it; nothing else looks inside):

- T and NIL: a Python ``list`` of the elements (NIL arrays hold nothing: every write is an error).
- CHARACTER: a Python ``list`` of one-character ``str``, so the text of a string is one
  ``"".join``; an element read becomes a :class:`~lisp.runtime.data.Char`. A literal ``str`` is
  also CHARACTER storage, read-only (an array displaced to a literal string).
- integers: an ``array.array`` of the smallest machine integers holding the range (BIT in bytes).

A write checks the element against the type and signals a TYPE-ERROR naming the upgraded type.
"""

from __future__ import annotations

from array import array
from typing import Any

from lisp.runtime.condition_classes import LispTypeError
from lisp.runtime.data import Char, cl_symbol, make_list

Storage = Any
"""A ``list``, an ``array.array`` or (read-only, CHARACTER) a ``str``."""


class ElementType:
    """An upgraded array element type: its type specifier and its storage (see the module docstring)."""

    __slots__ = ("spec", "default")

    def __init__(self, spec: Any, default: Any) -> None:
        self.spec = spec
        self.default = default  # the element of an array made without an initial element

    def holds(self, x: Any) -> bool:
        """Whether ``x`` is of this type."""
        return True

    def new_storage(self, size: int, initial: Any) -> Storage:
        """Storage of ``size`` elements, each ``initial`` (checked)."""
        return [self.checked(initial)] * size

    def storage_of(self, values: list[Any]) -> Storage:
        """Storage holding ``values`` (Lisp objects, checked), in order."""
        for value in values:
            self.checked(value)
        return list(values)

    def checked(self, x: Any) -> Any:
        """``x`` as stored, or a TYPE-ERROR if this type does not hold it."""
        if not self.holds(x):
            raise LispTypeError(datum=x, expected_type=self.spec)
        return x

    def read(self, stored: Any) -> Any:
        """The Lisp object of a stored element."""
        return stored

    def read_all(self, stored: Storage) -> list[Any]:
        """The Lisp objects of a run of stored elements."""
        return list(stored)

    def __repr__(self) -> str:
        return f"<element type {self.spec!r}>"


class _Empty(ElementType):
    """NIL: no object is of this type, so an array of it holds nothing (reading one is undefined)."""

    __slots__ = ()

    def holds(self, x: Any) -> bool:
        return False

    def new_storage(self, size: int, initial: Any) -> Storage:
        return [0] * size


class _Characters(ElementType):
    __slots__ = ()

    def holds(self, x: Any) -> bool:
        return type(x) is Char

    def new_storage(self, size: int, initial: Any) -> Storage:
        return [self.checked(initial)] * size

    def storage_of(self, values: list[Any]) -> Storage:
        return [self.checked(c) for c in values]

    def checked(self, x: Any) -> Any:
        if type(x) is not Char:
            raise LispTypeError(datum=x, expected_type=self.spec)
        return x.char

    def read(self, stored: Any) -> Any:
        return Char(stored)

    def read_all(self, stored: Storage) -> list[Any]:
        return [Char(c) for c in stored]


class _Integers(ElementType):
    """An integer range stored in an ``array.array`` of ``typecode`` (whose own overflow check is
    the range check when the range is the whole machine type)."""

    __slots__ = ("low", "high", "typecode")

    def __init__(self, spec: Any, low: int, high: int, typecode: str) -> None:
        super().__init__(spec, 0)
        self.low, self.high, self.typecode = low, high, typecode

    def holds(self, x: Any) -> bool:
        return type(x) is int and self.low <= x <= self.high

    def new_storage(self, size: int, initial: Any) -> Storage:
        return array(self.typecode, [self.checked(initial)]) * size

    def storage_of(self, values: list[Any]) -> Storage:
        for value in values:
            self.checked(value)
        return array(self.typecode, values)


def _byte_type(name: str, bits: int, typecode: str) -> _Integers:
    if array(typecode).itemsize * 8 < bits:
        raise RuntimeError(f"array typecode {typecode!r} is too small for ({name} {bits}) on this platform")
    spec = make_list([cl_symbol(name), bits])
    if name == "UNSIGNED-BYTE":
        return _Integers(spec, 0, 2 ** bits - 1, typecode)
    return _Integers(spec, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1, typecode)


EMPTY = _Empty(None, 0)
BIT = _Integers(cl_symbol("BIT"), 0, 1, "B")
CHARACTER = _Characters(cl_symbol("CHARACTER"), Char("\0"))
GENERAL = ElementType(cl_symbol("T"), 0)

UPGRADED: tuple[ElementType, ...] = (
    EMPTY, BIT,
    _byte_type("UNSIGNED-BYTE", 7, "B"), _byte_type("UNSIGNED-BYTE", 8, "B"), _byte_type("SIGNED-BYTE", 8, "b"),
    _byte_type("UNSIGNED-BYTE", 15, "H"), _byte_type("UNSIGNED-BYTE", 16, "H"), _byte_type("SIGNED-BYTE", 16, "h"),
    _byte_type("UNSIGNED-BYTE", 31, "I"), _byte_type("UNSIGNED-BYTE", 32, "I"), _byte_type("SIGNED-BYTE", 32, "i"),
    _byte_type("UNSIGNED-BYTE", 63, "Q"), _byte_type("UNSIGNED-BYTE", 64, "Q"), _byte_type("SIGNED-BYTE", 64, "q"),
    CHARACTER, GENERAL,
)
"""Every upgraded element type, each before its supertypes (see the module docstring)."""
