"""Types: type specifiers turned into predicates (``typep``), ``type-of``, ``subtypep``, ``coerce``,
``deftype``, and the type predicates (``symbolp``, ``functionp`` ...).

:func:`type_predicate` compiles a type specifier (CLHS 4.2.3) to a Python predicate once, so a
``handler-case`` clause or a ``typecase`` branch tests with one call. Atomic type names resolve in
this order: the standard types of this module, condition types (``lisp.runtime.condition_classes``), types made
with ``deftype``, then classes of the object system (``lisp.clos``, imported lazily: it sits above
the library), which also answers for class objects used as type specifiers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from lisp.compiler.macros import gensym, macro
from lisp.library.arguments import check, function_designator, show, truth
from lisp.library.lists import list_items
from lisp.runtime import condition_classes
from lisp.runtime.condition_classes import Condition, ProgramError, SimpleError, condition_class
from lisp.runtime.data import (
    COMMON_LISP,
    NIL,
    SYSTEM,
    Char,
    Cons,
    Package,
    Symbol,
    T,
    cl_symbol,
    is_function,
    make_list,
    source_pos,
)
from lisp.runtime.arrays import LispArray, array_type_specifier, is_array, is_string, is_vector
from lisp.runtime.docstrings import docstring
from lisp.runtime.element_types import BIT, CHARACTER, GENERAL, UPGRADED, ElementType
from lisp.runtime.equality import eql_p
from lisp.runtime.fill_pointer_stream import FillPointerOutputStream
from lisp.runtime.namespace import builtin
from lisp.runtime.ratio import NUMBER_TYPES, RATIONAL_TYPES, REAL_TYPES, Ratio
from lisp.runtime.signals import Restart, raise_error
from lisp.runtime.streams import Stream
from lisp.runtime.values import values

Predicate = Callable[[Any], bool]

_FIXNUM_MIN, _FIXNUM_MAX = -(2 ** 62), 2 ** 62 - 1
_STANDARD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "!$\"'(),_-./:;?+<=>#%&*@[\\]{|}`^~ \n")


def _is_symbol(x: Any) -> bool:
    return x is NIL or isinstance(x, Symbol)


def _hash_table_p(x: Any) -> bool:
    from lisp.library.hashtables import HashTable

    return isinstance(x, HashTable)


def _stream_p(x: Any) -> bool:
    return isinstance(x, Stream)


def _stream_class_p(name: str) -> Predicate:
    def test(x: Any) -> bool:
        from lisp.runtime import streams

        kinds = {"STRING-STREAM": (streams.StringOutputStream, streams.InputStream, FillPointerOutputStream),
                 "BROADCAST-STREAM": (streams.BroadcastStream,), "TWO-WAY-STREAM": (streams.TwoWayStream,)}[name]
        return type(x) in kinds  # exact: a HostInputStream (a file) is an InputStream subclass

    return test


def _random_state_p(x: Any) -> bool:
    from lisp.library.numbers import RandomState

    return isinstance(x, RandomState)


# -- array types (see lisp.runtime.arrays for the representation) ----------------------------------


@dataclass(frozen=True)
class ArrayType:
    """An array type specifier: whether its arrays are simple, their upgraded element type (None:
    any) and their dimensions (None: any rank; else one entry per axis, None where any size)."""

    simple: bool
    element: ElementType | None
    dims: tuple[int | None, ...] | None

    def holds(self, x: Any) -> bool:
        shape = array_shape(x)
        return shape is not None and ArrayType(*shape).within(self)

    def within(self, other: ArrayType) -> bool:
        """Whether every array of this type is of ``other``."""
        if (other.simple and not self.simple) or (other.element is not None and self.element is not other.element):
            return False
        if other.dims is None:
            return True
        return self.dims is not None and len(self.dims) == len(other.dims) and all(
            b is None or a == b for a, b in zip(self.dims, other.dims))


# Array type names: (simple, element type, or None when the specifier's first argument gives it,
# and whether the arguments give one dimension (a vector's size) or a list of dimensions).
_ARRAY_TYPE_NAMES: dict[str, tuple[bool, ElementType | None, bool]] = {
    "ARRAY": (False, None, False), "SIMPLE-ARRAY": (True, None, False),
    "VECTOR": (False, None, True), "SIMPLE-VECTOR": (True, GENERAL, True),
    "STRING": (False, CHARACTER, True), "SIMPLE-STRING": (True, CHARACTER, True),
    "BASE-STRING": (False, CHARACTER, True), "SIMPLE-BASE-STRING": (True, CHARACTER, True),
    "BIT-VECTOR": (False, BIT, True), "SIMPLE-BIT-VECTOR": (True, BIT, True),
}


def array_shape(x: Any) -> tuple[bool, ElementType, tuple[int, ...]] | None:
    """Whether ``x`` is simple, its element type and its dimensions, if it is an array."""
    if isinstance(x, list):
        return True, GENERAL, (len(x),)
    if isinstance(x, str):
        return True, CHARACTER, (len(x),)
    if isinstance(x, LispArray):
        return x.simple, x.element_type, x.dims
    return None


def _array_type(spec: Any) -> ArrayType | None:
    """``spec`` parsed, if it is an array type specifier (a malformed one is an error)."""
    head, args = (spec.car, list(list_items(spec.cdr))) if isinstance(spec, Cons) else (spec, [])
    if not (isinstance(head, Symbol) and head.package is COMMON_LISP and head.name in _ARRAY_TYPE_NAMES):
        return None
    simple, element, vector = _ARRAY_TYPE_NAMES[head.name]
    star = cl_symbol("*")
    if element is None:
        element_spec = args.pop(0) if args else star
        element = None if element_spec is star else upgraded_element_type(element_spec)
    dims_spec = args.pop(0) if args else star
    if args:
        return _unknown(spec)
    if vector:
        if dims_spec is not star and not (type(dims_spec) is int and dims_spec >= 0):
            return _unknown(spec)
        return ArrayType(simple, element, (None if dims_spec is star else dims_spec,))
    if dims_spec is star:
        return ArrayType(simple, element, None)
    if type(dims_spec) is int and dims_spec >= 0:
        return ArrayType(simple, element, (None,) * dims_spec)
    dims = list(list_items(dims_spec)) if dims_spec is NIL or isinstance(dims_spec, Cons) else [-1]
    if not all(d is star or (type(d) is int and d >= 0) for d in dims):
        return _unknown(spec)
    return ArrayType(simple, element, tuple(None if d is star else d for d in dims))


# What array and sequence functions work out from a type specifier, found once per specifier (by
# symbol, or by the identity of a compound specifier, kept in the entry, as for _compound_tests);
# defining a type empties them.
_upgraded: dict[Any, tuple[Any, ElementType]] = {}
_sequence_types: dict[Any, tuple[Any, tuple[ElementType | None, int | None] | None]] = {}


def _memoized(cache: dict[Any, tuple[Any, Any]], spec: Any, compute: Callable[[Any], Any]) -> Any:
    key = spec if isinstance(spec, Symbol) else id(spec)
    entry = cache.get(key)
    if entry is not None and entry[0] is spec:
        return entry[1]
    found = compute(spec)
    if len(cache) >= _COMPOUND_CACHE_LIMIT:
        cache.clear()
    cache[key] = (spec, found)
    return found


def upgraded_element_type(spec: Any) -> ElementType:
    """The upgraded array element type of the type specifier ``spec``: the first of
    :data:`lisp.runtime.element_types.UPGRADED` that contains it (T when none of the others does)."""
    return GENERAL if spec is T else _memoized(_upgraded, spec, _first_container)


def _first_container(spec: Any) -> ElementType:
    type_predicate(spec)  # an unknown type is an error, as in MAKE-ARRAY
    return next(e for e in UPGRADED if e is GENERAL or subtype(spec, e.spec) == (True, True))


def sequence_type(spec: Any) -> tuple[ElementType | None, int | None] | None:
    """What a sequence type specifier asks a new sequence to be: ``(None, None)`` for a list, else
    the element type and the length (or None) of a vector; None if ``spec`` is no sequence type."""
    return _memoized(_sequence_types, spec, _sequence_type)


def _sequence_type(spec: Any) -> tuple[ElementType | None, int | None] | None:
    spec = _expand(spec)
    head = spec if isinstance(spec, Symbol) else spec.car if isinstance(spec, Cons) else None
    if isinstance(head, Symbol) and head.package is COMMON_LISP and head.name in ("LIST", "CONS", "NULL"):
        return None, None
    array = _array_type(spec)
    if array is None or (array.dims is not None and len(array.dims) != 1):
        return None
    return array.element or GENERAL, None if array.dims is None else array.dims[0]


def _class_type_name(spec: Any) -> Any:
    """The name of a built-in class given as a type specifier (``(find-class 'string)``), else ``spec``."""
    if isinstance(spec, (Symbol, Cons)) or spec is NIL:
        return spec
    from lisp.clos import classes

    if isinstance(spec, classes.BuiltInClass) and isinstance(spec.name, Symbol) and spec.name.package is COMMON_LISP:
        return spec.name
    return spec


def _array_predicate(name: str) -> Predicate:
    return _array_type(cl_symbol(name)).holds


_ATOMIC: dict[str, Predicate] = {
    "T": lambda x: True,
    "NIL": lambda x: False,
    "ATOM": lambda x: not isinstance(x, Cons),
    "CONS": lambda x: isinstance(x, Cons),
    "LIST": lambda x: x is NIL or isinstance(x, Cons),
    "NULL": lambda x: x is NIL,
    "SYMBOL": _is_symbol,
    "KEYWORD": lambda x: isinstance(x, Symbol) and x.is_keyword,
    "BOOLEAN": lambda x: x is NIL or x is T,
    "NUMBER": lambda x: type(x) in NUMBER_TYPES,
    "REAL": lambda x: type(x) in REAL_TYPES,
    "RATIONAL": lambda x: type(x) in RATIONAL_TYPES,
    "RATIO": lambda x: isinstance(x, Fraction),
    "INTEGER": lambda x: type(x) is int,
    "FIXNUM": lambda x: type(x) is int and _FIXNUM_MIN <= x <= _FIXNUM_MAX,
    "BIGNUM": lambda x: type(x) is int and not _FIXNUM_MIN <= x <= _FIXNUM_MAX,
    "BIT": lambda x: type(x) is int and x in (0, 1),
    "UNSIGNED-BYTE": lambda x: type(x) is int and x >= 0,
    "SIGNED-BYTE": lambda x: type(x) is int,
    "FLOAT": lambda x: type(x) is float,
    "SHORT-FLOAT": lambda x: type(x) is float,
    "SINGLE-FLOAT": lambda x: type(x) is float,
    "DOUBLE-FLOAT": lambda x: type(x) is float,
    "LONG-FLOAT": lambda x: type(x) is float,
    "COMPLEX": lambda x: type(x) is complex,
    "CHARACTER": lambda x: isinstance(x, Char),
    "BASE-CHAR": lambda x: isinstance(x, Char),
    "EXTENDED-CHAR": lambda x: False,  # every character is a base character here
    "STANDARD-CHAR": lambda x: isinstance(x, Char) and x.char in _STANDARD_CHARS,
    "STRING": is_string,
    "VECTOR": is_vector,
    "ARRAY": is_array,
    "SEQUENCE": lambda x: x is NIL or isinstance(x, Cons) or is_vector(x),
    "FUNCTION": is_function,
    "COMPILED-FUNCTION": is_function,
    "PACKAGE": lambda x: isinstance(x, Package),
    "HASH-TABLE": _hash_table_p,
    "STREAM": _stream_p,
    "STRING-STREAM": _stream_class_p("STRING-STREAM"),
    "BROADCAST-STREAM": _stream_class_p("BROADCAST-STREAM"),
    "TWO-WAY-STREAM": _stream_class_p("TWO-WAY-STREAM"),
    "RANDOM-STATE": _random_state_p,
    "RESTART": lambda x: isinstance(x, Restart),
    **{name: _array_predicate(name) for name in _ARRAY_TYPE_NAMES if name not in ("STRING", "VECTOR", "ARRAY")},
}

# The reader must find these as COMMON-LISP symbols, never intern look-alikes in a user package.
for _type_name_ in (*(n for n in _ATOMIC if n != "NIL"), "AND", "OR", "NOT", "MEMBER", "EQL", "SATISFIES", "MOD", "VALUES", "*"):
    cl_symbol(_type_name_)

# deftype expanders: name -> function of the specifier's argument list returning a specifier.
_DEFTYPES: dict[Symbol, Callable[[Any], Any]] = {}


def define_type(name: Symbol, expander: Callable[[Any], Any]) -> Symbol:
    """``deftype``: ``expander`` receives the argument list of a use of ``name`` (NIL when atomic)."""
    if name.package is not None and name.package.name == "COMMON-LISP":
        raise_error(SimpleError(f"DEFTYPE: {show(name)} is a standard type and cannot be redefined"))
    _DEFTYPES[name] = expander
    _clear_type_tests()
    return name


def _unknown(spec: Any) -> Any:
    return raise_error(SimpleError(f"unknown type specifier {show(spec)}"))


# Type tests made once: handler-case and typecase ask for them at every entry. Names are keyed
# by symbol; compound specifiers by identity (a quoted specifier is the same object at each
# evaluation), the entry holding the specifier so that its id stays its own. Defining a condition
# class (condition_classes.class_generation) or a deftype empties both.
_named_tests: dict[Symbol, Predicate] = {}
_compound_tests: dict[int, tuple[Cons, Predicate]] = {}
_COMPOUND_CACHE_LIMIT = 4096
_named_tests_generation = -1


def type_predicate(spec: Any) -> Predicate:
    """A Python predicate for the type specifier ``spec``; an unknown type is an error."""
    global _named_tests_generation
    if spec is NIL:
        return _ATOMIC["NIL"]
    if _named_tests_generation != condition_classes.class_generation:
        _clear_type_tests()
        _named_tests_generation = condition_classes.class_generation
    if isinstance(spec, Symbol):
        test = _named_tests.get(spec)
        if test is None:
            test = _named_tests[spec] = _atomic_predicate(spec)
        return test
    if isinstance(spec, Cons):
        entry = _compound_tests.get(id(spec))
        if entry is not None and entry[0] is spec:
            return entry[1]
        test = _compound_predicate(spec)
        if len(_compound_tests) >= _COMPOUND_CACHE_LIMIT:
            _compound_tests.clear()
        _compound_tests[id(spec)] = (spec, test)
        return test
    if isinstance(spec, type) and issubclass(spec, Condition):
        return lambda x: isinstance(x, spec)
    return _class_predicate(spec) or _unknown(spec)


def _clear_type_tests() -> None:
    _named_tests.clear()
    _compound_tests.clear()
    _upgraded.clear()
    _sequence_types.clear()


def _class_predicate(spec: Any) -> Predicate | None:
    """The test for a CLOS class or class name, or None when ``spec`` is neither."""
    from lisp.clos import classes

    if isinstance(spec, Symbol):
        if not isinstance(classes.find_class(spec, errorp=False), classes.LispClass):
            return None
        # Found by name at each test: a redefined class answers for its new self.
        return lambda x: classes.typep(x, classes.find_class(spec))
    if not isinstance(spec, classes.LispClass):
        return None
    return lambda x: classes.typep(x, spec)


def _atomic_predicate(sym: Symbol) -> Predicate:
    if sym.package is not None and sym.package.name == "COMMON-LISP" and sym.name in _ATOMIC:
        return _ATOMIC[sym.name]
    cls = condition_class(sym)
    if cls is not None:
        return lambda x: isinstance(x, cls)
    if sym in _DEFTYPES:
        return type_predicate(_DEFTYPES[sym](NIL))
    return _class_predicate(sym) or _unknown(sym)


def _range_test(base: Predicate, args: list[Any], spec: Any) -> Predicate:
    low = args[0] if args else cl_symbol("*")
    high = args[1] if len(args) > 1 else cl_symbol("*")
    star = cl_symbol("*")

    def bound(b: Any, is_low: bool) -> Predicate:
        if b is star:
            return lambda x: True
        if isinstance(b, Cons):
            (limit,) = list(list_items(b))
            return (lambda x: x > limit) if is_low else (lambda x: x < limit)
        if type(b) not in REAL_TYPES:
            _unknown(spec)
        return (lambda x: x >= b) if is_low else (lambda x: x <= b)

    above, below = bound(low, True), bound(high, False)
    return lambda x: base(x) and above(x) and below(x)


def _compound_predicate(spec: Cons) -> Predicate:
    head = spec.car
    args = list(list_items(spec.cdr))
    name = head.name if isinstance(head, Symbol) and head.package is not None \
        and head.package.name == "COMMON-LISP" else None
    star = cl_symbol("*")
    if name == "AND":
        preds = [type_predicate(a) for a in args]
        return lambda x: all(p(x) for p in preds)
    if name == "OR":
        preds = [type_predicate(a) for a in args]
        return lambda x: any(p(x) for p in preds)
    if name == "NOT":
        (inner,) = args
        pred = type_predicate(inner)
        return lambda x: not pred(x)
    if name == "MEMBER":
        return lambda x: any(eql_p(x, m) for m in args)
    if name == "EQL":
        (obj,) = args
        return lambda x: eql_p(x, obj)
    if name == "SATISFIES":
        (fname,) = args
        return lambda x: function_designator(fname)(x) is not NIL
    if name in ("INTEGER", "RATIONAL", "REAL", "FLOAT", "SHORT-FLOAT", "SINGLE-FLOAT", "DOUBLE-FLOAT",
                "LONG-FLOAT"):
        return _range_test(_ATOMIC[name], args, spec)
    if name == "MOD":
        (n,) = args
        return lambda x: type(x) is int and 0 <= x < n
    if name == "UNSIGNED-BYTE":
        size = args[0] if args else star
        return lambda x: type(x) is int and x >= 0 and (size is star or x < 2 ** size)
    if name == "SIGNED-BYTE":
        size = args[0] if args else star
        return lambda x: type(x) is int and (size is star or -(2 ** (size - 1)) <= x < 2 ** (size - 1))
    if name == "CONS":
        car_p = type_predicate(args[0]) if args and args[0] is not star else (lambda x: True)
        cdr_p = type_predicate(args[1]) if len(args) > 1 and args[1] is not star else (lambda x: True)
        return lambda x: isinstance(x, Cons) and car_p(x.car) and cdr_p(x.cdr)
    array = _array_type(spec)
    if array is not None:
        return array.holds
    if name == "COMPLEX":
        return _ATOMIC["COMPLEX"]
    if name in ("FUNCTION", "COMPILED-FUNCTION"):
        if args:  # CLHS typep: a function type with argument and value types cannot be tested
            return raise_error(SimpleError(f"{show(spec)} is a function type with argument types, not valid in TYPEP"))
        return is_function
    if name == "VALUES":
        return raise_error(SimpleError(f"{show(spec)} is a VALUES type, valid only in THE and declarations"))
    if isinstance(head, Symbol) and head in _DEFTYPES:
        return type_predicate(_DEFTYPES[head](spec.cdr))
    return _unknown(spec)


# -- the Lisp functions ----------------------------------------------------------------------------


@builtin("TYPEP")
def typep(obj: Any, spec: Any, environment: Any = NIL) -> Any:
    return truth(type_predicate(spec)(obj))


@builtin("TYPE-OF")
def type_of(obj: Any) -> Any:
    if isinstance(obj, Condition):
        return obj.lisp_name
    if is_array(obj):
        return array_type_specifier(obj)
    name = _type_name(obj)
    if name == "T":
        # Instances of defclass classes (and other objects) are of their class: named by its
        # name, unless that no longer finds it (CLHS type-of: then the class itself).
        from lisp.clos.classes import class_of, find_class

        cls = class_of(obj)
        named = isinstance(cls.name, Symbol) and find_class(cls.name, errorp=False) is cls
        return cls.name if named else cls
    return cl_symbol(name)


def _type_name(obj: Any) -> str:
    if obj is NIL:
        return "NULL"
    if obj is T:
        return "BOOLEAN"
    t = type(obj)
    if t is int:
        return "FIXNUM" if _FIXNUM_MIN <= obj <= _FIXNUM_MAX else "BIGNUM"
    simple = {Ratio: "RATIO", Fraction: "RATIO", float: "DOUBLE-FLOAT", complex: "COMPLEX", Char: "CHARACTER",
              Package: "PACKAGE", Restart: "RESTART"}
    if t in simple:
        return simple[t]
    if isinstance(obj, Cons):
        return "CONS"
    if isinstance(obj, Symbol):
        return "KEYWORD" if obj.is_keyword else "SYMBOL"
    for name in ("HASH-TABLE", "STREAM", "RANDOM-STATE", "FUNCTION"):
        if _ATOMIC[name](obj):
            return name
    return "T"


# The standard atomic types as a tree, for subtypep: each type and its direct supertypes.
_SUPERTYPES: dict[str, tuple[str, ...]] = {
    "NUMBER": ("T",), "REAL": ("NUMBER",), "RATIONAL": ("REAL",), "INTEGER": ("RATIONAL",),
    "RATIO": ("RATIONAL",), "FIXNUM": ("INTEGER",), "BIGNUM": ("INTEGER",), "BIT": ("FIXNUM", "UNSIGNED-BYTE"),
    "UNSIGNED-BYTE": ("SIGNED-BYTE",), "SIGNED-BYTE": ("INTEGER",),
    "FLOAT": ("REAL",), "DOUBLE-FLOAT": ("FLOAT",), "SINGLE-FLOAT": ("FLOAT",), "SHORT-FLOAT": ("FLOAT",),
    "LONG-FLOAT": ("FLOAT",), "COMPLEX": ("NUMBER",),
    "CHARACTER": ("T", "BASE-CHAR"), "BASE-CHAR": ("CHARACTER",), "EXTENDED-CHAR": ("CHARACTER",), "STANDARD-CHAR": ("BASE-CHAR",),
    "SYMBOL": ("T",), "KEYWORD": ("SYMBOL",), "BOOLEAN": ("SYMBOL",), "NULL": ("SYMBOL", "LIST", "BOOLEAN"),
    "SEQUENCE": ("T",), "LIST": ("SEQUENCE",), "CONS": ("LIST",), "ATOM": ("T",),
    "ARRAY": ("T",), "SIMPLE-ARRAY": ("ARRAY",), "VECTOR": ("ARRAY", "SEQUENCE"),
    "SIMPLE-VECTOR": ("VECTOR", "SIMPLE-ARRAY"), "STRING": ("VECTOR",), "SIMPLE-STRING": ("STRING", "SIMPLE-ARRAY"),
    "BASE-STRING": ("STRING",), "SIMPLE-BASE-STRING": ("BASE-STRING", "SIMPLE-STRING"),
    "BIT-VECTOR": ("VECTOR",), "SIMPLE-BIT-VECTOR": ("BIT-VECTOR", "SIMPLE-ARRAY"),
    "FUNCTION": ("T",), "COMPILED-FUNCTION": ("FUNCTION",), "PACKAGE": ("T",), "HASH-TABLE": ("T",),
    "STREAM": ("T",), "STRING-STREAM": ("STREAM",), "BROADCAST-STREAM": ("STREAM",),
    "TWO-WAY-STREAM": ("STREAM",), "RANDOM-STATE": ("T",), "RESTART": ("T",), "T": (),
}


for _type_name_ in _SUPERTYPES:
    cl_symbol(_type_name_)


def _ancestors(name: str) -> set[str]:
    seen = {name}
    todo = [name]
    while todo:
        for sup in _SUPERTYPES.get(todo.pop(), ()):
            if sup not in seen:
                seen.add(sup)
                todo.append(sup)
    return seen | {"T"}


def _standard_name(spec: Any) -> str | None:
    if isinstance(spec, Symbol) and spec.package is not None and spec.package.name == "COMMON-LISP" \
            and spec.name in _SUPERTYPES:
        return spec.name
    return None


class Unmodelled(Exception):
    """A type specifier the set algebra of :mod:`lisp.library.subtypes` has no region for."""


# That algebra builds on this module: it registers itself here when imported (use_algebra).
_algebra: Callable[[Any, Any], tuple[bool, bool]] | None = None


def use_algebra(decide: Callable[[Any, Any], tuple[bool, bool]]) -> None:
    """Make ``decide(sub, sup)`` (raising :class:`Unmodelled` when it cannot) answer ``subtypep``."""
    global _algebra
    _algebra = decide


def subtype(sub: Any, sup: Any) -> tuple[bool, bool]:
    """``subtypep`` as (is a subtype, certain): by :mod:`lisp.library.subtypes`' set algebra, or,
    for a specifier beyond it (``satisfies``...), by :func:`_subtype_by_rules`."""
    if _algebra is not None:
        try:
            return _algebra(sub, sup)
        except Unmodelled:
            pass
    return _subtype_by_rules(sub, sup)


def _subtype_by_rules(sub: Any, sup: Any) -> tuple[bool, bool]:
    """``subtype`` by rules on the specifiers' shapes: certain only where a rule is."""
    sub, sup = _expand(sub), _expand(sup)
    if sub is NIL or sup is T or sub == sup:
        return True, True
    if sup is NIL and _standard_name(sub) is not None:
        return False, True  # a standard type (other than EXTENDED-CHAR) has members
    head_sub, head_sup = _compound_head(sub), _compound_head(sup)
    if head_sub == "OR":
        results = [subtype(s, sup) for s in list_items(sub.cdr)]
        return all(r for r, _ in results), all(r or c for r, c in results)
    if head_sup == "AND":
        results = [subtype(sub, s) for s in list_items(sup.cdr)]
        if all(r for r, _ in results):
            return True, True
        return False, any(c and not r for r, c in results)
    if head_sub == "AND":
        parts = list(list_items(sub.cdr))
        if any(subtype(s, sup)[0] for s in parts) or any(_disjoint(x, y) for x in parts for y in parts):
            return True, True
    if head_sup == "OR":
        results = [subtype(sub, s) for s in list_items(sup.cdr)]
        return (True, True) if any(r for r, _ in results) else (False, False)
    if head_sub in ("MEMBER", "EQL"):
        pred = type_predicate(sup)
        return all(pred(m) for m in list_items(sub.cdr)), True
    if head_sub is not None and head_sub in ("AND", "NOT", "SATISFIES"):
        return False, False
    if head_sup == "NOT":
        if subtype(sub, sup.cdr.car) == (True, True):
            return False, True  # a non-empty type inside X is not inside (not X)
        return (True, True) if _disjoint(sub, sup.cdr.car) else (False, False)
    arrays = _array_subtype(sub, sup)
    if arrays is not None:
        return arrays
    ints_sub, ints_sup = _integer_range(sub), _integer_range(sup)
    if ints_sub is not None and ints_sup is not None:
        return _range_within(ints_sub, ints_sup), True
    a = "INTEGER" if ints_sub is not None else _standard_name(sub)
    b = _standard_name(sup)
    if a is not None and ints_sup is not None:
        # Bignums are unbounded both ways; other standard types hold non-integers.
        return a == "BIGNUM" and ints_sup == (None, None), True
    if a is not None and b == "ATOM":
        return not {"CONS", "LIST", "SEQUENCE", "T"} & {a} and "CONS" not in _ancestors(a), True
    if a is not None and b is not None:
        return b in _ancestors(a), True
    ca = condition_class(sub) if isinstance(sub, Symbol) else None
    cb = condition_class(sup) if isinstance(sup, Symbol) else None
    if ca is not None and cb is not None:
        return issubclass(ca, cb), True
    if ca is not None and b == "ATOM":
        return True, True
    if (ca is not None and b is not None) or (a is not None and cb is not None):
        return False, True
    return _class_subtype(sub, sup)


def _array_subtype(sub: Any, sup: Any) -> tuple[bool, bool] | None:
    """``subtypep`` when either type is an array type and the other one is an array type or a
    standard type; None otherwise (a class, say)."""
    a, b = _array_type(sub), _array_type(sup)
    if a is None and b is None:
        return None
    if a is not None and b is not None:
        return a.within(b), True
    other = sup if a is not None else sub
    name = "INTEGER" if _integer_range(other) is not None else _standard_name(other)
    if name is None:
        return None
    if a is None:
        return False, True  # no standard type but NIL (handled before) is within an array type
    if name == "SEQUENCE":
        return a.dims is not None and len(a.dims) == 1, True
    return name in ("T", "ATOM"), True


def _disjoint(x: Any, y: Any) -> bool:
    """Whether two type specifiers certainly share no object: standard types with no common subtype."""
    x, y = _expand(x), _expand(y)
    a = "INTEGER" if _integer_range(x) is not None else _standard_name(x)
    b = "INTEGER" if _integer_range(y) is not None else _standard_name(y)
    if a is None or b is None or "ATOM" in (a, b):
        return False
    return not any(a in _ancestors(n) and b in _ancestors(n) for n in _SUPERTYPES)


def _expand(spec: Any) -> Any:
    """``spec`` with deftype names expanded at its head, ``(not atom)``/``(not cons)`` named, and
    EXTENDED-CHAR the empty type NIL (every character is a base character here); a standard
    built-in class is its name."""
    spec = _class_type_name(spec)
    while True:
        if _standard_name(spec) == "EXTENDED-CHAR":
            return NIL
        if isinstance(spec, Symbol) and spec in _DEFTYPES:
            spec = _DEFTYPES[spec](NIL)
        elif isinstance(spec, Cons) and spec.car in _DEFTYPES:
            spec = _DEFTYPES[spec.car](spec.cdr)
        elif _compound_head(spec) == "NOT" and _standard_name(spec.cdr.car) in ("ATOM", "CONS"):
            return cl_symbol("CONS" if spec.cdr.car.name == "ATOM" else "ATOM")
        else:
            return spec


def _compound_head(spec: Any) -> str | None:
    head = spec.car if isinstance(spec, Cons) else None
    if isinstance(head, Symbol) and head.package is not None and head.package.name == "COMMON-LISP":
        return head.name
    return None


# Integer types as (lowest, highest) member, None where unbounded.
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "INTEGER": (None, None), "SIGNED-BYTE": (None, None), "UNSIGNED-BYTE": (0, None),
    "FIXNUM": (_FIXNUM_MIN, _FIXNUM_MAX), "BIT": (0, 1),
}


def _integer_range(spec: Any) -> tuple[int | None, int | None] | None:
    """The integers ``spec`` stands for, when it is an integer range type; otherwise None."""
    name = _standard_name(spec)
    if name is not None:
        return _INTEGER_RANGES.get(name)
    head = _compound_head(spec)
    args = list(list_items(spec.cdr)) if head is not None else []
    star = cl_symbol("*")
    if head == "MOD" and len(args) == 1 and type(args[0]) is int:
        return 0, args[0] - 1
    if head in ("UNSIGNED-BYTE", "SIGNED-BYTE") and len(args) <= 1:
        if not args or args[0] is star:
            return _INTEGER_RANGES[head]
        if type(args[0]) is not int:
            return None
        return (0, 2 ** args[0] - 1) if head == "UNSIGNED-BYTE" else (-(2 ** (args[0] - 1)), 2 ** (args[0] - 1) - 1)
    if head == "INTEGER" and len(args) <= 2:
        low, high = (args + [star, star])[:2]
        return _integer_bound(low, 1), _integer_bound(high, -1)
    return None


def _integer_bound(bound: Any, inward: int) -> int | None:
    if isinstance(bound, Cons):  # (n) excludes n
        return bound.car + inward
    return None if bound is cl_symbol("*") else bound


def _range_within(inner: tuple[int | None, int | None], outer: tuple[int | None, int | None]) -> bool:
    (low, high), (outer_low, outer_high) = inner, outer
    if low is not None and high is not None and low > high:
        return True  # the empty type
    return (outer_low is None or (low is not None and low >= outer_low)) and \
        (outer_high is None or (high is not None and high <= outer_high))


def _class_subtype(sub: Any, sup: Any) -> tuple[bool, bool]:
    from lisp.clos import classes

    def as_class(x: Any) -> Any:
        return classes.find_class(x, errorp=False) if isinstance(x, Symbol) else x

    a, b = as_class(sub), as_class(sup)
    if isinstance(a, classes.LispClass) and isinstance(b, classes.LispClass):
        return classes.subtypep(a, b), True
    return False, False


@builtin("SUBTYPEP")
def subtypep(sub: Any, sup: Any, environment: Any = NIL) -> Any:
    """``subtypep``: two values, whether ``sub`` is a subtype and whether that answer is certain."""
    is_sub, certain = subtype(sub, sup)
    return values(truth(is_sub), truth(certain))


def _predicate(name: str, test: Predicate) -> None:
    def check_type_of(x: Any) -> Any:
        return truth(test(x))

    check_type_of.__name__ = name.lower().replace("-", "_")
    check_type_of.__doc__ = f"``{name.lower()}``."
    builtin(name)(check_type_of)


for _name, _type in (("SYMBOLP", "SYMBOL"), ("KEYWORDP", "KEYWORD"), ("STRINGP", "STRING"),
                     ("CHARACTERP", "CHARACTER"), ("VECTORP", "VECTOR"), ("ARRAYP", "ARRAY"),
                     ("SIMPLE-VECTOR-P", "SIMPLE-VECTOR"), ("SIMPLE-STRING-P", "SIMPLE-STRING"),
                     ("FUNCTIONP", "FUNCTION"), ("COMPILED-FUNCTION-P", "COMPILED-FUNCTION"),
                     ("PACKAGEP", "PACKAGE"), ("HASH-TABLE-P", "HASH-TABLE"), ("STREAMP", "STREAM"),
                     ("BIT-VECTOR-P", "BIT-VECTOR"), ("SIMPLE-BIT-VECTOR-P", "SIMPLE-BIT-VECTOR")):
    _predicate(_name, _ATOMIC[_type])


# -- deftype ---------------------------------------------------------------------------------------


@builtin("%DEFTYPE", SYSTEM)
def deftype_(name: Any, expander: Any) -> Any:
    check(isinstance(name, Symbol), name, "SYMBOL")
    return define_type(name, expander)


def _star_defaults(lambda_list: Any) -> Any:
    """A deftype lambda list: unsupplied &optional and &key parameters default to ``*``."""
    out, defaulting = [], False
    for item in list_items(lambda_list):
        if isinstance(item, Symbol) and item.name.startswith("&"):
            defaulting = item.name in ("&OPTIONAL", "&KEY")
            out.append(item)
        elif defaulting and isinstance(item, Symbol):
            out.append(make_list([item, make_list([cl_symbol("QUOTE"), cl_symbol("*")])]))
        else:
            out.append(item)
    return make_list(out)


@macro("DEFTYPE")
def deftype(form: Any, env: Any) -> Any:
    """``(deftype name lambda-list body...)``: the body computes the expansion of a use of ``name``."""
    parts = list(list_items(form.cdr))
    if len(parts) < 2 or not isinstance(parts[0], Symbol):
        raise ProgramError(f"DEFTYPE needs a name and a lambda list, in {show(form)}", source_pos(form))
    name, lambda_list, body = parts[0], parts[1], parts[2:]
    args = gensym("ARGS")
    # The body is in a block named by the type (CLHS deftype), after its declarations.
    head = 0
    while head < len(body) - 1 and (isinstance(body[head], str) or (
            isinstance(body[head], Cons) and body[head].car is cl_symbol("DECLARE"))):
        head += 1
    block = make_list([cl_symbol("BLOCK"), name, *body[head:]])
    expander = make_list([cl_symbol("LAMBDA"), make_list([args]),
                          make_list([cl_symbol("DESTRUCTURING-BIND"), _star_defaults(lambda_list), args,
                                     *body[:head], block])])
    definition = make_list([SYSTEM.intern("%DEFTYPE"), make_list([cl_symbol("QUOTE"), name]), expander])
    doc = docstring(body)
    if doc is None:
        return definition
    return make_list([cl_symbol("PROGN"), definition, make_list([SYSTEM.intern("%SET-DOCUMENTATION"),
                      make_list([cl_symbol("QUOTE"), name]), make_list([cl_symbol("QUOTE"), cl_symbol("TYPE")]), doc])])


@builtin("%LOOP-INITIAL-VALUE", SYSTEM)
def loop_initial_value(spec: Any) -> Any:
    """The value of a LOOP variable declared of type ``spec`` and given none (a ``with`` without
    ``=``, a typed ``sum``/``count`` of nothing): 0.0 for a float type, 0 for another number
    type, else NIL, as SBCL's loop."""
    if subtype(spec, cl_symbol("FLOAT")) == (True, True):
        return 0.0
    return 0 if subtype(spec, cl_symbol("NUMBER")) == (True, True) else NIL
