"""Arrays (CLHS 15): ``make-array`` and ``adjust-array``, element access (``aref``, ``row-major-aref``,
``svref``, ``bit``, ``sbit`` and their ``setf``), the array's shape, fill pointers, displacement and
the bit-array operations, over the representation of :mod:`lisp.runtime.arrays` (a simple vector is
a Python list, a literal string a Python str, every other array a ``LispArray``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from lisp.library.arguments import check, element_index, expected, keywords, show, truth
from lisp.library.sequences import items
from lisp.library.types import array_shape, upgraded_element_type
from lisp.runtime.arrays import LispArray, LispVector, literal_string_error
from lisp.runtime.arrays import make_array as new_array
from lisp.runtime.condition_classes import SimpleError
from lisp.runtime.data import NIL, Char, Cons, T, cl_symbol, make_list
from lisp.runtime.element_types import BIT, ElementType
from lisp.runtime.namespace import GLOBALS, builtin, proclaim_constant, setf_function_key
from lisp.runtime.signals import raise_error, type_error
from lisp.runtime.values import values

ARRAY_RANK_LIMIT = 129
ARRAY_DIMENSION_LIMIT = ARRAY_TOTAL_SIZE_LIMIT = 2 ** 62 - 3
for _name, _value in (("ARRAY-RANK-LIMIT", ARRAY_RANK_LIMIT), ("ARRAY-DIMENSION-LIMIT", ARRAY_DIMENSION_LIMIT),
                      ("ARRAY-TOTAL-SIZE-LIMIT", ARRAY_TOTAL_SIZE_LIMIT)):
    proclaim_constant(cl_symbol(_name), _value)

_ARRAY = expected("ARRAY")
_WITH_FILL_POINTER = make_list([cl_symbol("AND"), cl_symbol("VECTOR"),
                                make_list([cl_symbol("SATISFIES"), cl_symbol("ARRAY-HAS-FILL-POINTER-P")])])


def _error(who: str, message: str) -> Any:
    return raise_error(SimpleError("~A", f"{who}: {message}"))


def shape(array: Any) -> tuple[bool, ElementType, tuple[int, ...]]:
    """Whether ``array`` is simple, its element type and dimensions; a TYPE-ERROR if it is no array."""
    found = array_shape(array)
    if found is None:
        type_error(array, _ARRAY)
    return found


# -- making arrays ---------------------------------------------------------------------------------


def _dimensions(spec: Any, who: str) -> tuple[int, ...]:
    if type(spec) is int:
        dims: tuple[Any, ...] = (spec,)
    elif spec is NIL or isinstance(spec, Cons):
        dims = tuple(items(spec, who))
    else:
        return type_error(spec, make_list([cl_symbol("OR"), cl_symbol("UNSIGNED-BYTE"), cl_symbol("LIST")]))
    for d in dims:
        check(type(d) is int and 0 <= d < ARRAY_DIMENSION_LIMIT, d,
              make_list([cl_symbol("INTEGER"), 0, make_list([ARRAY_DIMENSION_LIMIT])]))
    if len(dims) >= ARRAY_RANK_LIMIT:
        _error(who, f"rank {len(dims)} is not below ARRAY-RANK-LIMIT ({ARRAY_RANK_LIMIT})")
    return dims


def _flattened_contents(contents: Any, dims: tuple[int, ...], who: str) -> list[Any]:
    """The elements of nested :initial-contents sequences for an array of ``dims``, row-major."""
    if not dims:
        return [contents]
    rows = items(contents, who)
    if len(rows) != dims[0]:
        _error(who, f"malformed :initial-contents: {show(contents)} has {len(rows)} elements where the "
                    f"dimension is {dims[0]}")
    if len(dims) == 1:
        return rows
    return [x for row in rows for x in _flattened_contents(row, dims[1:], who)]


def _fill_pointer(spec: Any, dims: tuple[int, ...], who: str) -> int | None:
    if spec is NIL:
        return None
    if len(dims) != 1:
        return _error(who, f"an array of rank {len(dims)} cannot have a fill pointer")
    if spec is T:
        return dims[0]
    check(type(spec) is int, spec, make_list([cl_symbol("OR"), cl_symbol("BOOLEAN"), cl_symbol("UNSIGNED-BYTE")]))
    if not 0 <= spec <= dims[0]:
        _error(who, f"the fill pointer {spec} is not within the dimension {dims[0]}")
    return spec


def _displacement(target: Any, offset: Any, size: int, element_type: ElementType, who: str, array: Any = None
                  ) -> tuple[Any, int]:
    """The array to displace to and the offset, checked: the same element type, room for ``size``
    elements from ``offset``, and no circle back to ``array`` (the array being adjusted)."""
    _, target_type, target_dims = shape(target)
    check(type(offset) is int and offset >= 0, offset, make_list([cl_symbol("INTEGER"), 0, ARRAY_TOTAL_SIZE_LIMIT]))
    if target_type is not element_type:
        _error(who, f"an array of element type {show(element_type.spec)} cannot be displaced to one of element "
                    f"type {show(target_type.spec)}")
    if offset + size > math.prod(target_dims):
        _error(who, f"the :displaced-to array is too small: {size} elements from offset {offset} do not fit in "
                    f"{math.prod(target_dims)}")
    link = target
    while isinstance(link, LispArray):
        if link is array:
            _error(who, "an array cannot be displaced to itself, directly or through others")
        link = link.displacement[0]
    return target, offset


_MAKE_ARRAY_KEYS = ("ELEMENT-TYPE", "INITIAL-ELEMENT", "INITIAL-CONTENTS", "ADJUSTABLE", "FILL-POINTER",
                    "DISPLACED-TO", "DISPLACED-INDEX-OFFSET")


class _Layout:
    """The parsed keywords of MAKE-ARRAY or ADJUST-ARRAY that say where the elements of an array of
    ``dims`` and ``element_type`` come from: an array to displace to (``target``, ``offset``), the
    row-major ``contents``, or else the ``initial`` element."""

    def __init__(self, who: str, dims: tuple[int, ...], kw: dict[str, Any], element_type: ElementType) -> None:
        self.who, self.dims, self.element_type = who, dims, element_type
        self.size = math.prod(dims)
        given = [k for k in ("INITIAL-ELEMENT", "INITIAL-CONTENTS") if k in kw]
        if kw.get("DISPLACED-TO", NIL) is not NIL:
            given.append("DISPLACED-TO")
        if len(given) > 1:
            _error(who, f":{given[0].lower()} and :{given[1].lower()} cannot both be given")
        self.target = kw.get("DISPLACED-TO", NIL)
        self.offset = kw.get("DISPLACED-INDEX-OFFSET", 0)
        if self.target is NIL and self.offset != 0:
            _error(who, ":displaced-index-offset is given without :displaced-to")
        self.contents = (_flattened_contents(kw["INITIAL-CONTENTS"], dims, who) if "INITIAL-CONTENTS" in kw
                         else None)
        self.initial = kw.get("INITIAL-ELEMENT", element_type.default)

    def displacement(self, array: Any = None) -> tuple[Any, int]:
        return _displacement(self.target, self.offset, self.size, self.element_type, self.who, array)

    def fresh_storage(self) -> Any:
        if self.contents is not None:
            return self.element_type.storage_of(self.contents)
        return self.element_type.new_storage(self.size, self.initial)


@builtin("MAKE-ARRAY")
def make_array(dimensions: Any, *args: Any) -> Any:
    kw = keywords(args, _MAKE_ARRAY_KEYS, "MAKE-ARRAY")
    dims = _dimensions(dimensions, "MAKE-ARRAY")
    layout = _Layout("MAKE-ARRAY", dims, kw, upgraded_element_type(kw.get("ELEMENT-TYPE", T)))
    fill = _fill_pointer(kw.get("FILL-POINTER", NIL), dims, "MAKE-ARRAY")
    adjustable = kw.get("ADJUSTABLE", NIL) is not NIL
    if layout.target is not NIL:
        target, offset = layout.displacement()
        return new_array(dims, layout.element_type, None, fill=fill, adjustable=adjustable, target=target,
                         offset=offset)
    return new_array(dims, layout.element_type, layout.fresh_storage(), fill=fill, adjustable=adjustable)


@builtin("VECTOR")
def vector(*elems: Any) -> list[Any]:
    return list(elems)


# -- elements --------------------------------------------------------------------------------------


def row_major_index(array: Any, subscripts: tuple[Any, ...], who: str) -> int:
    """The row-major index of ``subscripts`` in ``array``, each checked against its dimension."""
    dims = shape(array)[2]
    if len(subscripts) != len(dims):
        _error(who, f"{len(subscripts)} subscripts given for an array of rank {len(dims)}")
    index = 0
    for subscript, dim in zip(subscripts, dims):
        index = index * dim + element_index(subscript, dim, who)
    return index


def ref(array: Any, index: int) -> Any:
    """The element at row-major ``index`` (checked) of ``array``."""
    if isinstance(array, list):
        return array[index]
    if isinstance(array, str):
        return Char(array[index])
    return array.ref(index)


def store(value: Any, array: Any, index: int) -> Any:
    """Store ``value`` at row-major ``index`` (checked) of ``array``; returns ``value``."""
    if isinstance(array, list):
        array[index] = value
        return value
    if isinstance(array, str):
        return literal_string_error(array)
    return array.set(index, value)


@builtin("AREF")
def aref(array: Any, *subscripts: Any) -> Any:
    if type(array) is list and len(subscripts) == 1:
        return array[element_index(subscripts[0], len(array), "AREF")]
    return ref(array, row_major_index(array, subscripts, "AREF"))


def set_aref(value: Any, array: Any, *subscripts: Any) -> Any:
    """``(setf aref)``."""
    if type(array) is list and len(subscripts) == 1:
        array[element_index(subscripts[0], len(array), "(SETF AREF)")] = value
        return value
    return store(value, array, row_major_index(array, subscripts, "(SETF AREF)"))


@builtin("ROW-MAJOR-AREF")
def row_major_aref(array: Any, index: Any) -> Any:
    return ref(array, element_index(index, math.prod(shape(array)[2]), "ROW-MAJOR-AREF"))


def set_row_major_aref(value: Any, array: Any, index: Any) -> Any:
    return store(value, array, element_index(index, math.prod(shape(array)[2]), "(SETF ROW-MAJOR-AREF)"))


@builtin("SVREF")
def svref(vec: Any, index: Any) -> Any:
    check(isinstance(vec, list), vec, "SIMPLE-VECTOR")
    return vec[element_index(index, len(vec), "SVREF")]


def set_svref(value: Any, vec: Any, index: Any) -> Any:
    check(isinstance(vec, list), vec, "SIMPLE-VECTOR")
    vec[element_index(index, len(vec), "(SETF SVREF)")] = value
    return value


def _bit_array(array: Any, simple: bool) -> Any:
    found = array_shape(array)
    if found is None or found[1] is not BIT or (simple and not found[0]):
        type_error(array, make_list([cl_symbol("SIMPLE-ARRAY" if simple else "ARRAY"), cl_symbol("BIT"),
                                     cl_symbol("*")]))
    return array


@builtin("BIT")
def bit(array: Any, *subscripts: Any) -> Any:
    return ref(_bit_array(array, False), row_major_index(array, subscripts, "BIT"))


@builtin("SBIT")
def sbit(array: Any, *subscripts: Any) -> Any:
    return ref(_bit_array(array, True), row_major_index(array, subscripts, "SBIT"))


def set_bit(value: Any, array: Any, *subscripts: Any) -> Any:
    return store(value, _bit_array(array, False), row_major_index(array, subscripts, "(SETF BIT)"))


def set_sbit(value: Any, array: Any, *subscripts: Any) -> Any:
    return store(value, _bit_array(array, True), row_major_index(array, subscripts, "(SETF SBIT)"))


# -- the shape of an array -------------------------------------------------------------------------


@builtin("ARRAY-DIMENSIONS")
def array_dimensions(array: Any) -> Any:
    return make_list(shape(array)[2])


@builtin("ARRAY-DIMENSION")
def array_dimension(array: Any, axis: Any) -> int:
    dims = shape(array)[2]
    return dims[element_index(axis, len(dims), "ARRAY-DIMENSION")]


@builtin("ARRAY-RANK")
def array_rank(array: Any) -> int:
    return len(shape(array)[2])


@builtin("ARRAY-TOTAL-SIZE")
def array_total_size(array: Any) -> int:
    return math.prod(shape(array)[2])


@builtin("ARRAY-ELEMENT-TYPE")
def array_element_type(array: Any) -> Any:
    return shape(array)[1].spec


@builtin("ARRAY-IN-BOUNDS-P")
def array_in_bounds_p(array: Any, *subscripts: Any) -> Any:
    dims = shape(array)[2]
    if len(subscripts) != len(dims):
        _error("ARRAY-IN-BOUNDS-P", f"{len(subscripts)} subscripts given for an array of rank {len(dims)}")
    for subscript in subscripts:
        check(type(subscript) is int, subscript, "INTEGER")
    return truth(all(0 <= s < d for s, d in zip(subscripts, dims)))


@builtin("ARRAY-ROW-MAJOR-INDEX")
def array_row_major_index(array: Any, *subscripts: Any) -> int:
    return row_major_index(array, subscripts, "ARRAY-ROW-MAJOR-INDEX")


@builtin("ADJUSTABLE-ARRAY-P")
def adjustable_array_p(array: Any) -> Any:
    shape(array)
    return truth(isinstance(array, LispArray) and array.adjustable)


@builtin("ARRAY-HAS-FILL-POINTER-P")
def array_has_fill_pointer_p(array: Any) -> Any:
    shape(array)
    return truth(isinstance(array, LispVector) and array.fill_pointer is not None)


@builtin("ARRAY-DISPLACEMENT")
def array_displacement(array: Any) -> Any:
    shape(array)
    target, offset = array.displacement if isinstance(array, LispArray) else (None, 0)
    return values(NIL, 0) if target is None else values(target, offset)


@builtin("UPGRADED-ARRAY-ELEMENT-TYPE")
def upgraded_array_element_type(spec: Any, environment: Any = NIL) -> Any:
    return upgraded_element_type(spec).spec


# -- fill pointers ---------------------------------------------------------------------------------


def _with_fill_pointer(vec: Any) -> LispVector:
    check(isinstance(vec, LispVector) and vec.fill_pointer is not None, vec, _WITH_FILL_POINTER)
    return vec


@builtin("FILL-POINTER")
def fill_pointer(vec: Any) -> int:
    return _with_fill_pointer(vec).fill_pointer


def set_fill_pointer(value: Any, vec: Any) -> Any:
    size = _with_fill_pointer(vec).dims[0]
    check(type(value) is int and 0 <= value <= size, value, make_list([cl_symbol("INTEGER"), 0, size]))
    vec.fill_pointer = value
    return value


@builtin("VECTOR-PUSH")
def vector_push(item: Any, vec: Any) -> Any:
    index = _with_fill_pointer(vec).push(item)
    return NIL if index is None else index


@builtin("VECTOR-PUSH-EXTEND")
def vector_push_extend(item: Any, vec: Any, extension: Any = NIL) -> int:
    _with_fill_pointer(vec)
    check(extension is NIL or (type(extension) is int and extension > 0), extension,
          make_list([cl_symbol("INTEGER"), 1, cl_symbol("*")]))
    if vec.fill_pointer >= vec.dims[0]:  # a vector with a fill pointer is adjustable here
        vec.element_type.checked(item)  # a bad element leaves the vector as it was
        vec.grow(1 if extension is NIL else extension)
    return vec.push(item)


@builtin("VECTOR-POP")
def vector_pop(vec: Any) -> Any:
    fill = _with_fill_pointer(vec).fill_pointer
    if fill == 0:
        _error("VECTOR-POP", "the fill pointer is 0: there is nothing left to pop")
    vec.fill_pointer = fill - 1
    return vec.ref(fill - 1)


# -- adjust-array ----------------------------------------------------------------------------------


def _kept_elements(array: Any, old_dims: tuple[int, ...], layout: _Layout) -> list[Any]:
    """The new row-major elements of ``array`` adjusted to ``layout``: the old element at each
    subscript both shapes have, the initial element elsewhere."""
    old = items(array, "ADJUST-ARRAY") if not isinstance(array, LispArray) else array.values()
    new_dims = layout.dims
    if len(new_dims) == 1:
        kept = old[:new_dims[0]]
        return kept + [layout.initial] * (new_dims[0] - len(kept))
    new = [layout.initial] * layout.size
    common = [range(min(a, b)) for a, b in zip(old_dims, new_dims)]
    for subscripts in itertools.product(*common):
        old_index = new_index = 0
        for s, old_dim, new_dim in zip(subscripts, old_dims, new_dims):
            old_index, new_index = old_index * old_dim + s, new_index * new_dim + s
        new[new_index] = old[old_index]
    return new


@builtin("ADJUST-ARRAY")
def adjust_array(array: Any, dimensions: Any, *args: Any) -> Any:
    kw = keywords(args, ("ELEMENT-TYPE", "INITIAL-ELEMENT", "INITIAL-CONTENTS", "FILL-POINTER", "DISPLACED-TO",
                         "DISPLACED-INDEX-OFFSET"), "ADJUST-ARRAY")
    _, element_type, old_dims = shape(array)
    dims = _dimensions(dimensions, "ADJUST-ARRAY")
    if len(dims) != len(old_dims):
        _error("ADJUST-ARRAY", f"the new dimensions {show(dimensions)} do not have the array's rank {len(old_dims)}")
    if "ELEMENT-TYPE" in kw and upgraded_element_type(kw["ELEMENT-TYPE"]) is not element_type:
        _error("ADJUST-ARRAY", f"the element type {show(kw['ELEMENT-TYPE'])} is not the array's "
                               f"{show(element_type.spec)}")
    layout = _Layout("ADJUST-ARRAY", dims, kw, element_type)
    fill = _adjusted_fill_pointer(array, kw.get("FILL-POINTER", NIL), dims)
    if layout.target is not NIL:
        target, offset = layout.displacement(array)
        store_ = None
    else:
        target, offset = None, 0
        store_ = (layout.fresh_storage() if layout.contents is not None
                  else element_type.storage_of(_kept_elements(array, old_dims, layout)))
    if isinstance(array, LispArray) and array.adjustable:
        array.become(dims, store_, fill, target, offset)
        return array
    return new_array(dims, element_type, store_, fill=fill, target=target, offset=offset)


def _adjusted_fill_pointer(array: Any, spec: Any, dims: tuple[int, ...]) -> int | None:
    old = array.fill_pointer if isinstance(array, LispVector) else None
    if spec is NIL:
        if old is not None and old > dims[0]:
            _error("ADJUST-ARRAY", f"the fill pointer {old} is beyond the new dimension {dims[0]}")
        return old
    if old is None:
        return type_error(array, _WITH_FILL_POINTER, f"ADJUST-ARRAY: a fill pointer is given for {show(array)}, "
                                                     "which has none")
    return _fill_pointer(spec, dims, "ADJUST-ARRAY")


# -- bit arrays ------------------------------------------------------------------------------------


def _bit_operation(name: str, op: Callable[[int, int], int]) -> None:
    def operate(a: Any, b: Any, result: Any = NIL) -> Any:
        dims = shape(_bit_array(a, False))[2]
        if shape(_bit_array(b, False))[2] != dims:
            _error(name, f"{show(a)} and {show(b)} do not have the same dimensions")
        return _bit_result(name, a, [op(x, y) for x, y in zip(_bits(a), _bits(b))], result)

    operate.__name__ = name.lower().replace("-", "_")
    operate.__doc__ = f"``{name.lower()}``: the bitwise operation on two bit arrays of the same dimensions."
    builtin(name)(operate)


def _bits(array: Any) -> list[int]:
    return array.values() if isinstance(array, LispArray) else items(array, "BIT")


def _bit_result(name: str, a: Any, bits: list[int], result: Any) -> Any:
    """``bits`` stored into a new bit array like ``a`` (``result`` NIL), into ``a`` (T), or into
    ``result`` (a bit array of the same dimensions)."""
    dims = shape(a)[2]
    if result is NIL:
        return new_array(dims, BIT, BIT.storage_of(bits))
    target = a if result is T else _bit_array(result, False)
    if shape(target)[2] != dims:
        _error(name, f"the result array {show(target)} does not have the dimensions {show(make_list(dims))}")
    target.put_values(0, bits)
    return target


for _name, _op in (("BIT-AND", lambda x, y: x & y), ("BIT-IOR", lambda x, y: x | y),
                   ("BIT-XOR", lambda x, y: x ^ y), ("BIT-EQV", lambda x, y: 1 - (x ^ y)),
                   ("BIT-NAND", lambda x, y: 1 - (x & y)), ("BIT-NOR", lambda x, y: 1 - (x | y)),
                   ("BIT-ANDC1", lambda x, y: (1 - x) & y), ("BIT-ANDC2", lambda x, y: x & (1 - y)),
                   ("BIT-ORC1", lambda x, y: (1 - x) | y), ("BIT-ORC2", lambda x, y: x | (1 - y))):
    _bit_operation(_name, _op)


@builtin("BIT-NOT")
def bit_not(a: Any, result: Any = NIL) -> Any:
    return _bit_result("BIT-NOT", _bit_array(a, False), [1 - x for x in _bits(a)], result)


for _name, _setter in (("AREF", set_aref), ("ROW-MAJOR-AREF", set_row_major_aref), ("SVREF", set_svref),
                       ("BIT", set_bit), ("SBIT", set_sbit), ("FILL-POINTER", set_fill_pointer)):
    GLOBALS[setf_function_key(cl_symbol(_name))] = _setter
