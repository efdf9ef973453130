"""Arrays (CLHS 15): how vectors, strings, bit vectors and arrays of any rank are represented.

The representation, which every module of lisp/ relies on:

- A **simple vector** (rank 1, element type T, no fill pointer, not adjustable, not displaced) is
  a Python ``list``: what ``#(...)``, ``vector``, ``(make-array n)`` and the sequence functions
  make. It stays as fast as a Python list, and a Python list passed in is a simple vector.
- A **literal string** (what the reader makes for ``"..."``; symbol names; strings made by Python
  code) is a Python ``str``: a simple string that may not be modified (modifying a literal is
  undefined, CLHS 3.7.1). Writing into one signals an error saying so.
- **Every other array** is a :class:`LispArray`: an array of any rank of one of the upgraded
  element types of :mod:`lisp.runtime.element_types` (whose docstring says how each is stored),
  with a fill pointer, adjustable or displaced to another array. The strings the standard lets a
  program modify (``make-string``, ``copy-seq``, ``subseq``, ``concatenate``, ``format nil``...)
  are :class:`LispString`. Classes: ``LispArray`` (any rank) > ``LispVector`` (rank 1) >
  ``LispString`` (characters) and ``BitVector`` (bits).

A ``LispArray`` made with a fill pointer, ``:adjustable t`` or ``:displaced-to`` is *actually
adjustable* (as in SBCL) and not simple; one made without is simple, and ``adjust-array`` gives a
new array for it. A displaced array holds the array it is displaced to (``target``) and reaches
that array's storage through it at each access, so it sees the target's later adjustments; an
array displaced to a literal string reads it and cannot write it.

Indices given to the methods here are row-major and already checked by the caller against the
array's total size (the library checks and reports subscripts). The errors found here (an element
its array cannot hold, a write into a literal string, a displaced array whose target has since
shrunk below it) are conditions raised where they are found: as for host errors, handlers see them
when they reach a handler form (:mod:`lisp.runtime.signals`, which imports this module, so it
cannot be imported here).

Python sees a ``LispString`` as what ``str()`` makes of it (its text) and iterates any vector's
active elements; equality and hashing are identity, as ``eq`` is.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from lisp.runtime import hooks
from lisp.runtime.condition_classes import SimpleError
from lisp.runtime.data import cl_symbol, make_list
from lisp.runtime.element_types import BIT, CHARACTER, GENERAL, ElementType, Storage


class LispArray:
    """An array that is not a simple vector or a literal string (see the module docstring)."""

    __slots__ = ("dims", "element_type", "adjustable", "_size", "_store", "_fill", "_target", "_offset",
                 "__weakref__")

    def __init__(self, dims: tuple[int, ...], element_type: ElementType, store: Storage | None, *,
                 fill: int | None = None, adjustable: bool = False, target: Any = None, offset: int = 0) -> None:
        self.dims = dims
        self.element_type = element_type
        self.adjustable = adjustable
        self._size = math.prod(dims)
        self._store = store
        self._fill = fill
        self._target = target
        self._offset = offset

    # -- shape ----------------------------------------------------------------------------------

    @property
    def rank(self) -> int:
        return len(self.dims)

    @property
    def total_size(self) -> int:
        return self._size

    @property
    def simple(self) -> bool:
        """No fill pointer, not adjustable, not displaced (CLHS ``simple-array``)."""
        return not self.adjustable

    @property
    def displacement(self) -> tuple[Any, int]:
        """The array this one is displaced to (or None) and the offset into it."""
        return self._target, self._offset

    # -- elements -------------------------------------------------------------------------------

    def _data(self) -> tuple[Storage, int]:
        """The storage holding this array's elements, and where they start in it."""
        if self._target is None:
            return self._store, 0
        target, offset = self._target, self._offset
        if isinstance(target, LispArray):
            store, start = target._data()
            if target._size < offset + self._size:
                raise SimpleError("~A", f"an array displaced to an array of total size {target._size} at offset "
                                        f"{offset} no longer fits in it ({self._size} elements)")
            return store, start + offset
        return target, offset  # a simple vector or a literal string: its own storage

    def ref(self, index: int) -> Any:
        """The element at row-major ``index``."""
        if self._target is None:
            return self.element_type.read(self._store[index])
        store, start = self._data()
        return self.element_type.read(store[start + index])

    def set(self, index: int, value: Any) -> Any:
        """Store ``value`` at row-major ``index`` (a TYPE-ERROR if the element type cannot hold it)."""
        store, start = self._data()
        stored = self.element_type.checked(value)
        if type(store) is str:
            literal_string_error(store)
        store[start + index] = stored
        return value

    def values(self, start: int = 0, end: int | None = None) -> list[Any]:
        """The elements from row-major ``start`` to ``end`` (the total size by default), as a new list."""
        store, first = self._data()
        end = self._size if end is None else end
        return self.element_type.read_all(store[first + start:first + end])

    def put_values(self, start: int, values: list[Any]) -> None:
        """Store ``values`` from row-major ``start`` on: all checked before any is stored."""
        run = self.element_type.storage_of(values)
        store, first = self._data()
        if type(store) is str:
            literal_string_error(store)
        store[first + start:first + start + len(run)] = run

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values())

    # -- changing shape -------------------------------------------------------------------------

    def become(self, dims: tuple[int, ...], store: Storage | None, fill: int | None, target: Any, offset: int) -> None:
        """Take a new shape and contents in place (ADJUST-ARRAY of an actually adjustable array)."""
        self.dims, self._size = dims, math.prod(dims)
        self._store, self._fill, self._target, self._offset = store, fill, target, offset

    def __repr__(self) -> str:
        return hooks.lisp_repr(self, lambda: f"<{type(self).__name__} {self.dims} of {self.element_type.spec!r}>")


class LispVector(LispArray):
    """A one-dimensional :class:`LispArray`; it may have a fill pointer, which ends its active
    elements (what the sequence functions see)."""

    __slots__ = ()

    @property
    def fill_pointer(self) -> int | None:
        return self._fill

    @fill_pointer.setter
    def fill_pointer(self, value: int) -> None:
        self._fill = value

    @property
    def length(self) -> int:
        """The number of active elements: the fill pointer, or the dimension."""
        return self.dims[0] if self._fill is None else self._fill

    def items(self) -> list[Any]:
        """The active elements, as a new list."""
        return self.values(0, self.length)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items())

    def push(self, value: Any) -> int | None:
        """VECTOR-PUSH: store ``value`` at the fill pointer and advance it; None when full."""
        fill = self._fill
        if fill >= self.dims[0]:
            return None
        self.set(fill, value)
        self._fill = fill + 1
        return fill

    def grow(self, extension: int) -> None:
        """Make room for at least ``extension`` more elements (doubling, as SBCL does): the
        elements move into storage of this vector's own, which ends any displacement."""
        size = self.dims[0]
        new_size = size + max(extension, size, 1)
        old = self.values()
        store = self.element_type.new_storage(new_size, self.element_type.default)
        store[:size] = self.element_type.storage_of(old)
        self.become((new_size,), store, self._fill, None, 0)


class LispString(LispVector):
    """A string that can be modified: a vector of characters."""

    __slots__ = ()

    def text(self, start: int = 0, end: int | None = None) -> str:
        """The active characters from ``start`` to ``end`` (the fill pointer by default), as a ``str``."""
        if self._target is None and self._fill is None and start == 0 and end is None:
            return "".join(self._store)  # the common case, without copying a slice first
        store, first = self._data()
        end = self.length if end is None else end
        return "".join(store[first + start:first + end])

    def append_text(self, text: str) -> None:
        """Add the characters of ``text`` at the fill pointer, growing the string as needed (the
        output of a stream into a string with a fill pointer)."""
        fill = self._fill
        if fill + len(text) > self.dims[0]:
            self.grow(fill + len(text) - self.dims[0])
        store, first = self._data()
        if type(store) is str:
            literal_string_error(store)
        store[first + fill:first + fill + len(text)] = list(text)
        self._fill = fill + len(text)

    def __str__(self) -> str:
        return self.text()



class BitVector(LispVector):
    """A vector of bits (``#*1011``)."""

    __slots__ = ()


def vector_class(element_type: ElementType) -> type[LispVector]:
    """The class of the one-dimensional arrays of ``element_type``."""
    if element_type is CHARACTER:
        return LispString
    if element_type is BIT:
        return BitVector
    return LispVector


def make_array(dims: tuple[int, ...], element_type: ElementType, store: Storage | None, *, fill: int | None = None,
               adjustable: bool = False, target: Any = None, offset: int = 0) -> Any:
    """An array of ``dims`` holding ``store`` (or displaced to ``target`` at ``offset``): a Python
    list for a simple vector of element type T, else a :class:`LispArray` of the right class.
    A fill pointer or a displacement makes the array actually adjustable (see the module docstring)."""
    adjustable = adjustable or fill is not None or target is not None
    if len(dims) != 1:
        return LispArray(dims, element_type, store, adjustable=adjustable, target=target, offset=offset)
    if element_type is GENERAL and not adjustable:
        return store
    return vector_class(element_type)(dims, element_type, store, fill=fill, adjustable=adjustable, target=target,
                                      offset=offset)


def make_string(text: str) -> LispString:
    """A new simple string (one a program may modify) holding the characters of ``text``."""
    return LispString((len(text),), CHARACTER, list(text))


def make_simple_vector(element_type: ElementType, values: list[Any]) -> Any:
    """A new simple vector of ``element_type`` holding ``values`` (checked): a Python list for T."""
    if element_type is GENERAL:
        return list(values)
    return vector_class(element_type)((len(values),), element_type, element_type.storage_of(values))


def is_string(x: Any) -> bool:
    """Whether ``x`` is a Lisp string: a ``str`` or a :class:`LispString`."""
    return type(x) is str or isinstance(x, LispString)


def string_text(x: Any) -> str:
    """The active characters of a Lisp string (see :func:`is_string`) as a ``str``."""
    return x if type(x) is str else x.text()


def is_vector(x: Any) -> bool:
    """Whether ``x`` is a Lisp vector: a ``list``, a ``str`` or a :class:`LispVector`."""
    return type(x) is list or type(x) is str or isinstance(x, (list, str, LispVector))


def is_array(x: Any) -> bool:
    """Whether ``x`` is a Lisp array (a vector or a :class:`LispArray` of any rank)."""
    return isinstance(x, (list, str, LispArray))


def array_type_specifier(x: Any) -> Any:
    """The type TYPE-OF gives the array ``x``, as SBCL answers: ``(SIMPLE-VECTOR 3)``,
    ``(SIMPLE-ARRAY CHARACTER (3))``, ``(VECTOR T 5)``, ``(BIT-VECTOR 4)``, ``(ARRAY T (2 2))``..."""
    if isinstance(x, list):
        return make_list([cl_symbol("SIMPLE-VECTOR"), len(x)])
    if isinstance(x, str):
        return make_list([cl_symbol("SIMPLE-ARRAY"), cl_symbol("CHARACTER"), make_list([len(x)])])
    simple, element_type, dims = x.simple, x.element_type, x.dims
    if len(dims) == 1 and (element_type is BIT or (element_type is GENERAL and simple)):
        name = ("SIMPLE-" if simple else "") + ("BIT-VECTOR" if element_type is BIT else "VECTOR")
        return make_list([cl_symbol(name), dims[0]])
    if len(dims) == 1 and not simple:
        return make_list([cl_symbol("VECTOR"), element_type.spec, dims[0]])
    return make_list([cl_symbol("SIMPLE-ARRAY" if simple else "ARRAY"), element_type.spec, make_list(dims)])


def literal_string_error(text: str) -> Any:
    """Signal that the literal string ``text`` cannot be modified (see the module docstring)."""
    raise SimpleError("~A", f"the literal string {text!r} cannot be modified (string literals are immutable "
                            f"here: modify a copy made with COPY-SEQ)")
