"""Hash tables with the four standard tests (CLHS 18).

A :class:`HashTable` maps a *hash key* — a Python value that is equal exactly when the Lisp keys are
the same under the table's test — to the pair (Lisp key, value). EQ and EQL tables key numbers by
type and value and every other object by identity (so two equal strings are different keys, as in
CL); EQUAL tables key strings by content and conses by structure; EQUALP tables also ignore case
and compare numbers with ``=``. Each operation is one Python dict operation, atomic under the GIL,
so a table shared by threads never tears (CL leaves concurrent writers undefined; here it is safe).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from lisp.compiler.macros import gensym, macro
from lisp.library.arguments import check, function_designator, keywords, show, truth
from lisp.library.limits import MOST_POSITIVE_FIXNUM
from lisp.library.lists import list_items
from lisp.runtime.arrays import BitVector, LispArray, LispString, LispVector
from lisp.runtime.data import NIL, SYSTEM, Char, Cons, Symbol, T, cl_symbol, lisp_list, make_list
from lisp.runtime.equality import EQUALP_BY_TYPE, equalp_p
from lisp.runtime.native_cons import cells_of
from lisp.runtime.namespace import GLOBALS, builtin, get_function, setf_function_key
from lisp.runtime.ratio import Ratio
from lisp.runtime.signals import type_error
from lisp.runtime.values import values

_NUMBERS = (int, Ratio, Fraction, float, complex)


class _Identity:
    """A hash key comparing its object by identity (for strings and vectors in EQL tables)."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Identity) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


def _eql_key(x: Any) -> Any:
    t = type(x)
    if t is int or t is Ratio or t is Fraction:
        # Integers and ratios never compare equal to each other: they can be their own keys.
        return x
    if t is float:
        # 1.0 is not EQL to 1, nor -0.0 to 0.0, though Python compares them equal.
        return (float, x, math.copysign(1.0, x))
    if t is complex:
        return (complex, x)
    if t is str or t is list:
        return _Identity(x)
    return x


def _equal_key(x: Any) -> Any:
    if isinstance(x, Cons):
        cells = cells_of(x, "GETHASH")
        return ("cons", tuple(_equal_key(c.car) for c in cells), _equal_key(cells[-1].cdr))
    if type(x) is str:
        return ("str", x)
    if type(x) is LispString:
        return ("str", x.text())
    if type(x) is BitVector:
        return ("bits", tuple(x.items()))
    return _eql_key(x)


EQUALP_PARTS: dict[type, Callable[[Any], list[Any]]] = {}
"""Types defined above the library whose objects EQUALP compares part by part (structures,
registered by :mod:`lisp.library.structures`), and what their parts are: EQUALP tables key such
objects by their type and the keys of their parts."""


def _equalp_key(x: Any) -> Any:
    t = type(x)
    if isinstance(x, Cons):
        cells = cells_of(x, "GETHASH")
        return ("cons", tuple(_equalp_key(c.car) for c in cells), _equalp_key(cells[-1].cdr))
    if t in _NUMBERS:
        return x  # Python hashes and compares numbers by value: = in CL terms
    if t is Char:
        return ("char", x.char.lower())
    if t is str or t is LispString:
        return ("vec", tuple(("char", c.lower()) for c in str(x)))
    if t is list:
        return ("vec", tuple(_equalp_key(e) for e in x))
    parts = EQUALP_PARTS.get(t)
    if parts is not None:
        return ("parts", t, tuple(_equalp_key(p) for p in parts(x)))
    if isinstance(x, LispVector):
        return ("vec", tuple(_equalp_key(e) for e in x.items()))
    if isinstance(x, LispArray):
        return ("array", x.dims, tuple(_equalp_key(e) for e in x.values()))
    return x


_TESTS: dict[str, Callable[[Any], Any]] = {"EQ": _eql_key, "EQL": _eql_key, "EQUAL": _equal_key,
                                           "EQUALP": _equalp_key}


class HashTable:
    """A Lisp hash table: ``test`` is the test's name (``"EQL"``...)."""

    __slots__ = ("test", "_key", "_entries", "__weakref__")

    def __init__(self, test: str = "EQL") -> None:
        self.test = test
        self._key = _TESTS[test]
        self._entries: dict[Any, tuple[Any, Any]] = {}

    def get(self, key: Any, default: Any = NIL) -> tuple[Any, bool]:
        entry = self._entries.get(self._key(key))
        return (default, False) if entry is None else (entry[1], True)

    def put(self, key: Any, value: Any) -> Any:
        self._entries[self._key(key)] = (key, value)
        return value

    def remove(self, key: Any) -> bool:
        return self._entries.pop(self._key(key), None) is not None

    def clear(self) -> None:
        self._entries.clear()

    def items(self) -> list[tuple[Any, Any]]:
        """A snapshot of the (key, value) pairs (so the table may change while they are visited)."""
        return list(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"#<HASH-TABLE :TEST {self.test} :COUNT {len(self)}>"


def _table(x: Any) -> HashTable:
    check(isinstance(x, HashTable), x, "HASH-TABLE")
    return x


def hash_tables_equalp(a: HashTable, b: HashTable) -> bool:
    """EQUALP on hash tables: same test, count, and EQUALP values under the same keys."""
    if a.test != b.test or len(a) != len(b):
        return False
    for key, value in a.items():
        other, found = b.get(key)
        if not found or not equalp_p(value, other):
            return False
    return True


def _test_name(test: Any) -> str:
    """The name of a hash table test given as a symbol or a function."""
    if isinstance(test, Symbol) and test.name in _TESTS and test.package is not None \
            and test.package.name == "COMMON-LISP":
        return test.name
    for name in _TESTS:
        if test is get_function(cl_symbol(name)):
            return name
    return type_error(test, make_list([cl_symbol("MEMBER"), *(cl_symbol(n) for n in _TESTS)]),
                      f"MAKE-HASH-TABLE: {show(test)} is not one of the tests EQ, EQL, EQUAL, EQUALP")


@builtin("MAKE-HASH-TABLE")
def make_hash_table(*args: Any) -> HashTable:
    kw = keywords(args, ("TEST", "SIZE", "REHASH-SIZE", "REHASH-THRESHOLD", "WEAKNESS", "SYNCHRONIZED"),
                  "MAKE-HASH-TABLE")
    return HashTable(_test_name(kw.get("TEST", cl_symbol("EQL"))))


@builtin("GETHASH")
def gethash(key: Any, table: Any, default: Any = NIL) -> Any:
    """``gethash``: the value and whether the key was present (two values)."""
    value, found = _table(table).get(key, default)
    return values(value, T if found else NIL)


def set_gethash(value: Any, key: Any, table: Any, default: Any = NIL) -> Any:
    """``(setf gethash)``."""
    return _table(table).put(key, value)


GLOBALS[setf_function_key(cl_symbol("GETHASH"))] = set_gethash


@builtin("REMHASH")
def remhash(key: Any, table: Any) -> Any:
    return truth(_table(table).remove(key))


@builtin("CLRHASH")
def clrhash(table: Any) -> HashTable:
    _table(table).clear()
    return table


@builtin("HASH-TABLE-COUNT")
def hash_table_count(table: Any) -> int:
    return len(_table(table))


@builtin("HASH-TABLE-TEST")
def hash_table_test(table: Any) -> Symbol:
    return cl_symbol(_table(table).test)


@builtin("HASH-TABLE-SIZE")
def hash_table_size(table: Any) -> int:
    return max(len(_table(table)), 16)


@builtin("HASH-TABLE-REHASH-SIZE")
def hash_table_rehash_size(table: Any) -> float:
    """How a full table grows: a CPython dict grows to about twice its size (nominal, as in CL)."""
    _table(table)
    return 2.0


@builtin("HASH-TABLE-REHASH-THRESHOLD")
def hash_table_rehash_threshold(table: Any) -> Ratio:
    """How full a table gets before it grows: a CPython dict grows when two thirds full."""
    _table(table)
    return Ratio(2, 3)


@builtin("MAPHASH")
def maphash(fn: Any, table: Any) -> Any:
    f = function_designator(fn)
    for key, value in _table(table).items():
        f(key, value)
    return NIL


@builtin("%HASH-ENTRIES", SYSTEM)
def hash_entries(table: Any) -> Any:
    """The (key . value) pairs of a hash table, as a list: a snapshot that LOOP's hash-key and
    hash-value clauses walk while the body may change the table."""
    return make_list([Cons(key, value) for key, value in _table(table).items()])


@builtin("SXHASH")
def sxhash(x: Any) -> int:
    """``sxhash``: equal objects get equal non-negative fixnums. As SBCL's, it looks at a bounded
    part of a list (:data:`SXHASH_DEPTH` levels, :data:`SXHASH_LENGTH` elements a level), so it
    ends on circular and huge structure alike."""
    return hash(_bounded_equal_key(x, SXHASH_DEPTH)) & MOST_POSITIVE_FIXNUM


SXHASH_DEPTH = 4
SXHASH_LENGTH = 8


def _bounded_equal_key(x: Any, depth: int) -> Any:
    if isinstance(x, Symbol):
        return "symbol", x.name  # by name: the same in a package deleted and made again (as SBCL)
    if not isinstance(x, Cons):
        return _equal_key(x)
    if depth == 0:
        return "cons"
    parts = []
    while isinstance(x, Cons) and len(parts) < SXHASH_LENGTH:
        parts.append(_bounded_equal_key(x.car, depth - 1))
        x = x.cdr
    return ("cons", tuple(parts), _bounded_equal_key(x, depth - 1))



@builtin("%HASH-TABLE-ITERATOR", SYSTEM)
def hash_table_iterator(table: Any) -> Any:
    """The generator ``with-hash-table-iterator`` calls: each call returns T, a key and its value,
    then NIL when the entries (a snapshot) are exhausted."""
    entries = iter(_table(table).items())

    def next_entry() -> Any:
        for key, value in entries:
            return values(T, key, value)
        return NIL

    return next_entry


@macro("WITH-HASH-TABLE-ITERATOR")
def with_hash_table_iterator(form: Any, env: Any) -> Any:
    """``(with-hash-table-iterator (name table) body...)``: ``(name)`` is a local macro."""
    spec, *body = list(list_items(form.cdr))
    name, table = list(list_items(spec))
    iterator = gensym("ITERATOR")
    local_macro = lisp_list(name, NIL, lisp_list(cl_symbol("LIST"), lisp_list(cl_symbol("QUOTE"), cl_symbol("FUNCALL")),
                                                   lisp_list(cl_symbol("QUOTE"), iterator)))
    return make_list([cl_symbol("LET"), lisp_list(lisp_list(iterator, lisp_list(SYSTEM.intern("%HASH-TABLE-ITERATOR"), table))),
                      make_list([cl_symbol("MACROLET"), lisp_list(local_macro), *body])])


EQUALP_BY_TYPE[HashTable] = hash_tables_equalp
