"""Sequences: lists, vectors (Python lists) and strings (Python str) under one set of functions
(CLHS 17), with the standard :start :end :from-end :count :key :test keywords.

A function works on the elements as a Python list (a string's elements are characters) and builds a
result of the argument's kind with :func:`like`. Strings are immutable Python strings (a documented
deviation), so the destructive functions return a new string where CL would modify one, and
``fill`` / ``replace`` / ``(setf char)`` on a string signal an error saying so.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lisp.compiler import eval_form
from lisp.library import characters, numbers
from lisp.library.arguments import (
    bounding_index,
    check,
    element_index,
    expected,
    function_designator,
    key_function,
    keywords,
    show,
    string_designator,
    test_function,
    truth,
)
from lisp.library.lists import ElementTest, NamedWalkers, define_family, list_items, list_length_of
from lisp.library.types import is_character_type, sequence_kind, type_predicate
from lisp.runtime.condition_classes import SimpleError
from lisp.runtime.data import NIL, Char, Cons, Symbol, T, cl_symbol, make_list
from lisp.runtime.namespace import GLOBALS, builtin, function_key, setf_function_key
from lisp.runtime.native_cons import all_reals, from_items, keep_if, keep_if_not, replace_cars
from lisp.runtime.ratio import NUMBER_TYPES, RATIONAL_TYPES, REAL_TYPES
from lisp.runtime.signals import raise_error, type_error
from lisp.runtime.values import primary

_SEQUENCE = expected("SEQUENCE")


def is_sequence(x: Any) -> bool:
    return x is NIL or isinstance(x, (Cons, list, str))


def items(seq: Any, who: str | None = None) -> list[Any]:
    """The elements of a sequence as a new Python list (characters for a string); a list must be
    proper (:func:`lisp.library.lists.list_items`: its TYPE-ERROR names ``who`` when given)."""
    if isinstance(seq, list):
        return list(seq)
    if isinstance(seq, str):
        return [Char(c) for c in seq]
    if seq is NIL or isinstance(seq, Cons):
        return list_items(seq, who)
    return type_error(seq, _SEQUENCE)


def like(seq: Any, new_items: Iterable[Any]) -> Any:
    """A sequence of the same kind as ``seq`` holding ``new_items``."""
    if isinstance(seq, str):
        return chars_to_string(new_items)
    if isinstance(seq, list):
        return list(new_items)
    return from_items(new_items)


def chars_to_string(chars: Iterable[Any]) -> str:
    out = []
    for c in chars:
        if not isinstance(c, Char):
            type_error(c, expected("CHARACTER"), f"a string can hold only characters, not {show(c)}")
        out.append(c.char)
    return "".join(out)


def _bounds(kw: dict[str, Any], n: int, who: str, which: str = "") -> tuple[int, int]:
    """The :start and :end (:start1 and :end1 for ``which`` "1"...) of a sequence of ``n`` elements."""
    start = bounding_index(kw.get(f"START{which}", 0), n, who)
    end = kw.get(f"END{which}", NIL)
    end = n if end is NIL else bounding_index(end, n, who)
    if start > end:
        type_error(start, make_list([cl_symbol("INTEGER"), 0, end]),
                   f"{who}: :start{which} {start} is after :end{which} {end}")
    return start, end


_KEYS = ("FROM-END", "TEST", "TEST-NOT", "START", "END", "COUNT", "KEY")


class _Selection:
    """The parsed keywords of a find/position/count/remove-style call over ``elems``: which
    elements it looks at, in which order, and which of them match."""

    def __init__(self, who: str, elems: list[Any], args: tuple[Any, ...], keys: tuple[str, ...] = _KEYS,
                 item: Any = NIL, predicate: Any = None, negate: bool = False) -> None:
        kw = keywords(args, keys, who)
        self.start, self.end = _bounds(kw, len(elems), who)
        self.from_end = kw.get("FROM-END", NIL) is not NIL
        count = kw.get("COUNT", NIL)
        check(count is NIL or type(count) is int, count, "INTEGER")
        self.count = None if count is NIL else max(count, 0)
        self._test = ElementTest(who, kw, item, predicate, negate)

    def hits(self, elems: list[Any]) -> Iterator[int]:
        """The indices of the matching elements (at most :count of them), in the order the call
        looks at them (last first with :from-end), each tested only when the iterator reaches it."""
        indices: Iterable[int] = range(self.start, self.end)
        part = elems[self.start:self.end]
        if self.from_end:
            indices, part = reversed(indices), part[::-1]
        found = itertools.compress(indices, self._test.flags(part))
        return found if self.count is None else itertools.islice(found, self.count)


# -- the family of find, position, count, remove, substitute ---------------------------------------


def _selection(who: str, seq: Any, args: tuple, how: dict) -> tuple[list[Any], _Selection]:
    elems = items(seq, who)
    return elems, _Selection(who, elems, args, **how)


def _find(who: str, seq: Any, args: tuple, how: dict) -> Any:
    elems, sel = _selection(who, seq, args, how)
    return next((elems[i] for i in sel.hits(elems)), NIL)


def _position(who: str, seq: Any, args: tuple, how: dict) -> Any:
    elems, sel = _selection(who, seq, args, how)
    return next(sel.hits(elems), NIL)


def _count(who: str, seq: Any, args: tuple, how: dict) -> int:
    elems, sel = _selection(who, seq, args, how)
    return sum(1 for _ in sel.hits(elems))


_KEEP_IF, _KEEP_IF_NOT = NamedWalkers(keep_if), NamedWalkers(keep_if_not)


def _remove(who: str, seq: Any, args: tuple, how: dict) -> Any:
    predicate = how.get("predicate")
    if not args and predicate is not None and (seq is NIL or isinstance(seq, Cons)):
        # The selection of a predicate alone over a whole list, with no keywords: the kept
        # elements made into the new list natively, from its conses.
        keep = _KEEP_IF if how.get("negate") else _KEEP_IF_NOT
        return keep[who](function_designator(predicate), seq)
    elems, sel = _selection(who, seq, args, how)
    kept = [True] * len(elems)
    for i in sel.hits(elems):
        kept[i] = False
    if all(kept):
        return seq
    return like(seq, itertools.compress(elems, kept))


def _substitute(who: str, seq: Any, args: tuple, how: dict, new: Any) -> Any:
    elems, sel = _selection(who, seq, args, how)
    for i in sel.hits(elems):
        elems[i] = new
    if who.startswith("N") and isinstance(seq, list):
        seq[:] = elems
        return seq
    return like(seq, elems)


define_family("FIND", _find)
define_family("POSITION", _position)
define_family("COUNT", _count)
define_family("REMOVE", _remove)
define_family("DELETE", _remove)
define_family("SUBSTITUTE", _substitute, takes_new=True)
define_family("NSUBSTITUTE", _substitute, takes_new=True)


def _remove_duplicates(who: str) -> Callable[..., Any]:
    def remove_duplicates(seq: Any, *args: Any) -> Any:
        return _without_duplicates(who, seq, args)

    remove_duplicates.__name__ = who.lower().replace("-", "_")
    return builtin(who)(remove_duplicates)


def _without_duplicates(who: str, seq: Any, args: tuple[Any, ...]) -> Any:
    kw = keywords(args, ("FROM-END", "TEST", "TEST-NOT", "START", "END", "KEY"), who)
    elems = items(seq, who)
    start, end = _bounds(kw, len(elems), who)
    test, key = test_function(kw, who), key_function(kw) or (lambda x: x)
    middle = elems[start:end]
    keep = []
    if kw.get("FROM-END", NIL) is not NIL:
        for x in middle:
            if not any(test(key(y), key(x)) for y in keep):
                keep.append(x)
    else:
        for i, x in enumerate(middle):
            if not any(test(key(x), key(y)) for y in middle[i + 1:]):
                keep.append(x)
    return like(seq, elems[:start] + keep + elems[end:])


remove_duplicates = _remove_duplicates("REMOVE-DUPLICATES")
_remove_duplicates("DELETE-DUPLICATES")


# -- length, elements, subsequences ----------------------------------------------------------------


@builtin("LENGTH")
def length(seq: Any) -> int:
    return sequence_length(seq, "LENGTH")


def sequence_length(seq: Any, who: str) -> int:
    """The length of a sequence (a list must be proper: else a TYPE-ERROR naming ``who``)."""
    if isinstance(seq, (list, str)):
        return len(seq)
    if seq is NIL or isinstance(seq, Cons):
        return list_length_of(seq, who)
    return type_error(seq, _SEQUENCE)


@builtin("ELT")
def elt(seq: Any, index: Any) -> Any:
    return element(seq, index, "ELT")


def element(seq: Any, index: Any, who: str) -> Any:
    """The element at ``index`` of a sequence, for ELT, AREF and SVREF (``who`` names the caller)."""
    if isinstance(seq, list):
        return seq[element_index(index, len(seq), who)]
    if isinstance(seq, str):
        return Char(seq[element_index(index, len(seq), who)])
    elems = items(seq, who)
    return elems[element_index(index, len(elems), who)]


def set_elt(value: Any, seq: Any, index: Any, who: str = "(SETF ELT)") -> Any:
    """``(setf elt)``; also for (setf aref) and (setf svref), named by ``who``."""
    if isinstance(seq, list):
        seq[element_index(index, len(seq), who)] = value
        return value
    if isinstance(seq, Cons):
        cell = seq
        for _ in range(element_index(index, list_length_of(seq, who), who)):
            cell = cell.cdr
        cell.car = value
        return value
    if isinstance(seq, str):
        immutable_string(seq, who)
    return type_error(seq, _SEQUENCE)


def immutable_string(s: str, who: str) -> Any:
    """Strings are Python strings and cannot be changed in place (a documented deviation)."""
    raise_error(SimpleError(f"{who}: strings are immutable in this implementation; cannot modify {show(s)}"))


@builtin("SUBSEQ")
def subseq(seq: Any, start: Any, end: Any = NIL) -> Any:
    whole = seq if isinstance(seq, (list, str)) else items(seq, "SUBSEQ")
    start, end = _bounds({"START": start, "END": end}, len(whole), "SUBSEQ")
    return whole[start:end] if whole is seq else from_items(whole[start:end])


@builtin("COPY-SEQ")
def copy_seq(seq: Any) -> Any:
    return like(seq, items(seq, "COPY-SEQ"))


@builtin("REVERSE")
def reverse(seq: Any) -> Any:
    return _reversed(seq, "REVERSE")


def _reversed(seq: Any, who: str) -> Any:
    if isinstance(seq, str):
        return seq[::-1]
    return like(seq, reversed(items(seq, who)))


@builtin("NREVERSE")
def nreverse(seq: Any) -> Any:
    if isinstance(seq, list):
        seq.reverse()
        return seq
    if isinstance(seq, Cons):
        # May destroy the list (CLHS NREVERSE): the elements go back into its conses, reversed.
        return replace_cars(seq, items(seq, "NREVERSE")[::-1])
    return _reversed(seq, "NREVERSE")


# -- building --------------------------------------------------------------------------------------


def _result_maker(result_type: Any, who: str) -> Callable[[list[Any]], Any]:
    """How to build a sequence of ``result_type`` (a type specifier) from elements."""
    kind = sequence_kind(result_type)
    if kind == "list":
        return make_list
    if kind == "vector":
        return list
    if kind == "string":
        return chars_to_string
    return type_error(result_type, make_list([cl_symbol("MEMBER"), cl_symbol("LIST"), cl_symbol("VECTOR"),
                                              cl_symbol("STRING")]),
                      f"{who}: {show(result_type)} is not a sequence type")


@builtin("CONCATENATE")
def concatenate(result_type: Any, *seqs: Any) -> Any:
    make = _result_maker(result_type, "CONCATENATE")
    if make is chars_to_string and all(isinstance(s, str) for s in seqs):
        return "".join(seqs)
    out: list[Any] = []
    for s in seqs:
        out.extend(items(s, "CONCATENATE"))
    return make(out)


@builtin("MAP")
def map_(result_type: Any, fn: Any, seq: Any, *more: Any) -> Any:
    f = function_designator(fn)
    results = [f(*args) for args in zip(*[items(s, "MAP") for s in (seq, *more)])]
    if result_type is NIL:
        return NIL
    return _result_maker(result_type, "MAP")(results)


@builtin("MAP-INTO")
def map_into(target: Any, fn: Any, *seqs: Any) -> Any:
    f = function_designator(fn)
    sources = [items(s, "MAP-INTO") for s in seqs]
    for i in range(min([sequence_length(target, "MAP-INTO")] + [len(s) for s in sources])):
        set_elt(f(*(s[i] for s in sources)), target, i)
    return target


@builtin("REDUCE")
def reduce_(fn: Any, seq: Any, *args: Any) -> Any:
    kw = keywords(args, ("KEY", "FROM-END", "START", "END", "INITIAL-VALUE"), "REDUCE")
    f = function_designator(fn)
    elems = items(seq, "REDUCE")
    start, end = _bounds(kw, len(elems), "REDUCE")
    key = key_function(kw)
    elems = elems[start:end] if key is None else [key(x) for x in elems[start:end]]
    from_end = kw.get("FROM-END", NIL) is not NIL
    if "INITIAL-VALUE" in kw:
        elems = elems + [kw["INITIAL-VALUE"]] if from_end else [kw["INITIAL-VALUE"]] + elems
    # REDUCE returns one value: never the extra values a call of the function recorded.
    if not elems:
        return primary(f())
    if from_end:
        acc = elems[-1]
        for x in reversed(elems[:-1]):
            acc = f(x, acc)
        return primary(acc)
    acc = elems[0]
    for x in elems[1:]:
        acc = f(acc, x)
    return primary(acc)


@builtin("FILL")
def fill(seq: Any, item: Any, *args: Any) -> Any:
    kw = keywords(args, ("START", "END"), "FILL")
    if isinstance(seq, str):
        return immutable_string(seq, "FILL")
    start, end = _bounds(kw, sequence_length(seq, "FILL"), "FILL")
    for i in range(start, end):
        set_elt(item, seq, i)
    return seq


@builtin("REPLACE")
def replace(target: Any, source: Any, *args: Any) -> Any:
    kw = keywords(args, ("START1", "END1", "START2", "END2"), "REPLACE")
    if isinstance(target, str):
        return immutable_string(target, "REPLACE")
    src = items(source, "REPLACE")
    start1, end1 = _bounds(kw, sequence_length(target, "REPLACE"), "REPLACE", "1")
    start2, end2 = _bounds(kw, len(src), "REPLACE", "2")
    for offset, value in enumerate(src[start2:end2][:end1 - start1]):
        set_elt(value, target, start1 + offset)
    return target


# -- searching and comparing -----------------------------------------------------------------------


class _Pairwise:
    """The parsed keywords of SEARCH or MISMATCH over two sequences: the parts compared (``a``
    from index ``start1`` of the first, ``b`` from ``start2`` of the second) and the test."""

    def __init__(self, seq1: Any, seq2: Any, args: tuple[Any, ...], who: str) -> None:
        kw = keywords(args, ("FROM-END", "TEST", "TEST-NOT", "KEY", "START1", "END1", "START2", "END2"), who)
        test, key = test_function(kw, who), key_function(kw)
        self.same = test if key is None else (lambda a, b: test(key(a), key(b)))
        self.from_end = kw.get("FROM-END", NIL) is not NIL
        a, b = items(seq1, who), items(seq2, who)
        self.start1, end1 = _bounds(kw, len(a), who, "1")
        self.start2, end2 = _bounds(kw, len(b), who, "2")
        self.a, self.b = a[self.start1:end1], b[self.start2:end2]


@builtin("SEARCH")
def search(needle: Any, haystack: Any, *args: Any) -> Any:
    p = _Pairwise(needle, haystack, args, "SEARCH")
    a, b, same = p.a, p.b, p.same
    starts: Iterable[int] = range(len(b) - len(a) + 1)
    if p.from_end:
        starts = reversed(starts)
    for i in starts:
        if all(same(x, b[i + j]) for j, x in enumerate(a)):
            return p.start2 + i
    return NIL


@builtin("MISMATCH")
def mismatch(seq1: Any, seq2: Any, *args: Any) -> Any:
    p = _Pairwise(seq1, seq2, args, "MISMATCH")
    a, b, same, s1 = p.a, p.b, p.same, p.start1
    if p.from_end:
        for k in range(min(len(a), len(b))):
            if not same(a[-1 - k], b[-1 - k]):
                return s1 + len(a) - k
        return NIL if len(a) == len(b) else s1 + len(a) - min(len(a), len(b))
    for k in range(min(len(a), len(b))):
        if not same(a[k], b[k]):
            return s1 + k
    return NIL if len(a) == len(b) else s1 + min(len(a), len(b))


def _quantifier(name: str, decide: Callable[[Iterable[bool]], Any]) -> None:
    def quantify(pred: Any, seq: Any, *more: Any) -> Any:
        p = function_designator(pred)
        # One value, as in SBCL: SOME's result is a call's primary value only.
        return primary(decide(p(*args) for args in zip(*[items(s, name) for s in (seq, *more)])))

    quantify.__name__ = name.lower()
    quantify.__doc__ = f"``{name.lower()}``."
    builtin(name)(quantify)


def _some(results: Iterable[Any]) -> Any:
    return next((r for r in results if r is not NIL), NIL)


_quantifier("EVERY", lambda rs: truth(all(r is not NIL for r in rs)))
_quantifier("SOME", _some)
_quantifier("NOTANY", lambda rs: truth(all(r is NIL for r in rs)))
_quantifier("NOTEVERY", lambda rs: truth(any(r is NIL for r in rs)))


# -- sorting ---------------------------------------------------------------------------------------


@functools.cache
def _native_orders() -> dict[Any, tuple[Callable[[list[Any]], list[Any]], bool]]:
    """The Lisp orders that equal Python's order on Python sort keys: predicate -> (function from
    the elements' keys to Python sort keys, signalling the TYPE-ERROR the predicate would, and
    whether the order is descending)."""
    def reals(keys: list[Any]) -> list[Any]:
        if all_reals(keys) is NIL:
            type_error(next(x for x in keys if type(x) not in numbers.REAL_TYPES), expected("REAL"))
        return keys

    def char_codes(keys: list[Any]) -> list[int]:
        return [characters.check_char(c).code for c in keys]

    def strings_of(keys: list[Any]) -> list[str]:
        return [string_designator(x) for x in keys]

    get = GLOBALS.get
    return {
        numbers.num_lt: (reals, False), numbers.num_gt: (reals, True),
        get(_function_key("CHAR<")): (char_codes, False), get(_function_key("CHAR>")): (char_codes, True),
        get(_function_key("STRING<")): (strings_of, False), get(_function_key("STRING>")): (strings_of, True),
    }


def _function_key(name: str) -> str:
    return function_key(cl_symbol(name))


def sorted_items(elems: list[Any], pred: Any, key: Callable[[Any], Any] | None) -> list[Any]:
    """``elems`` (a list of our own, which may be sorted in place) stably sorted by the Lisp
    predicate ``pred`` (a strict less-than)."""
    keyed = elems if key is None else [key(x) for x in elems]
    native = _native_orders().get(pred)
    if native is not None:
        # Python's own comparison gives the same order: sort without calling back into Lisp.
        python_keys_of, descending = native
        python_keys = python_keys_of(keyed)
        if python_keys is elems:
            elems.sort(reverse=descending)
            return elems
        order = sorted(range(len(elems)), key=python_keys.__getitem__, reverse=descending)
        return [elems[i] for i in order]

    class Before:
        __slots__ = ("k",)

        def __init__(self, k: Any) -> None:
            self.k = k

        def __lt__(self, other: Before) -> bool:
            return pred(self.k, other.k) is not NIL

    order = sorted(range(len(elems)), key=lambda i: Before(keyed[i]))
    return [elems[i] for i in order]


def _sort(seq: Any, predicate: Any, args: tuple[Any, ...], who: str) -> Any:
    kw = keywords(args, ("KEY",), who)
    pred = function_designator(predicate)
    result = sorted_items(items(seq, who), pred, key_function(kw))
    if isinstance(seq, list):
        seq[:] = result
        return seq
    if isinstance(seq, Cons):
        # CL's sort may destroy the list: the sorted elements go back into the same conses.
        return replace_cars(seq, result)
    return like(seq, result)


@builtin("SORT")
def sort(seq: Any, predicate: Any, *args: Any) -> Any:
    return _sort(seq, predicate, args, "SORT")


@builtin("STABLE-SORT")
def stable_sort(seq: Any, predicate: Any, *args: Any) -> Any:
    return _sort(seq, predicate, args, "STABLE-SORT")


@builtin("MERGE")
def merge(result_type: Any, seq1: Any, seq2: Any, predicate: Any, *args: Any) -> Any:
    kw = keywords(args, ("KEY",), "MERGE")
    pred = function_designator(predicate)
    key = key_function(kw) or (lambda x: x)
    a, b = items(seq1, "MERGE"), items(seq2, "MERGE")
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if pred(key(b[j]), key(a[i])) is not NIL:
            out.append(b[j])
            j += 1
        else:
            out.append(a[i])
            i += 1
    out.extend(a[i:])
    out.extend(b[j:])
    return _result_maker(result_type, "MERGE")(out)


# -- vectors and arrays (one-dimensional) ----------------------------------------------------------


@builtin("VECTOR")
def vector(*elems: Any) -> list[Any]:
    return list(elems)


@builtin("MAKE-ARRAY")
def make_array(dimensions: Any, *args: Any) -> Any:
    """``make-array`` for one-dimensional arrays (vectors); an element type of CHARACTER makes a string."""
    kw = keywords(args, ("ELEMENT-TYPE", "INITIAL-ELEMENT", "INITIAL-CONTENTS", "ADJUSTABLE",
                         "FILL-POINTER", "DISPLACED-TO", "DISPLACED-INDEX-OFFSET"), "MAKE-ARRAY")
    if isinstance(dimensions, Cons):
        dims = list_items(dimensions, "MAKE-ARRAY")
        if len(dims) != 1:
            raise_error(SimpleError(f"MAKE-ARRAY: only one-dimensional arrays are supported, not {show(dimensions)}"))
        dimensions = dims[0]
    check(type(dimensions) is int and dimensions >= 0, dimensions, "UNSIGNED-BYTE")
    if "DISPLACED-TO" in kw:
        raise_error(SimpleError("MAKE-ARRAY: displaced arrays are not supported"))
    fill_pointer = kw.get("FILL-POINTER", NIL)
    if "INITIAL-CONTENTS" in kw:
        contents = items(kw["INITIAL-CONTENTS"], "MAKE-ARRAY")
        if len(contents) != dimensions:
            raise_error(SimpleError(f"MAKE-ARRAY: :initial-contents has {len(contents)} elements, not {dimensions}"))
    else:
        contents = [kw.get("INITIAL-ELEMENT", 0 if fill_pointer is NIL else NIL)] * dimensions
    if type(fill_pointer) is int:
        contents = contents[:fill_pointer]
    if is_character_type(kw.get("ELEMENT-TYPE", T)) and fill_pointer is NIL and kw.get("ADJUSTABLE", NIL) is NIL:
        return chars_to_string(c if isinstance(c, Char) else Char(" ") for c in contents)
    return contents


@builtin("AREF")
def aref(array: Any, *subscripts: Any) -> Any:
    if len(subscripts) != 1:
        raise_error(SimpleError(f"AREF: only one-dimensional arrays are supported; got {len(subscripts)} subscripts"))
    check(isinstance(array, (list, str)), array, "VECTOR")
    return element(array, subscripts[0], "AREF")


def set_aref(value: Any, array: Any, *subscripts: Any) -> Any:
    """``(setf aref)``."""
    if len(subscripts) != 1:
        raise_error(SimpleError("(SETF AREF): only one-dimensional arrays are supported"))
    check(isinstance(array, (list, str)), array, "VECTOR")
    return set_elt(value, array, subscripts[0], "(SETF AREF)")


@builtin("SVREF")
def svref(vec: Any, index: Any) -> Any:
    check(isinstance(vec, list), vec, "SIMPLE-VECTOR")
    return element(vec, index, "SVREF")


@builtin("VECTOR-PUSH-EXTEND")
def vector_push_extend(item: Any, vec: Any, extension: Any = NIL) -> int:
    check(isinstance(vec, list), vec, "VECTOR")
    vec.append(item)
    return len(vec) - 1


@builtin("VECTOR-PUSH")
def vector_push(item: Any, vec: Any) -> int:
    return vector_push_extend(item, vec)


@builtin("VECTOR-POP")
def vector_pop(vec: Any) -> Any:
    check(isinstance(vec, list), vec, "VECTOR")
    if not vec:
        raise_error(SimpleError("VECTOR-POP: the vector is empty"))
    return vec.pop()


@builtin("FILL-POINTER")
def fill_pointer(vec: Any) -> int:
    check(isinstance(vec, list), vec, "VECTOR")
    return len(vec)


@builtin("ARRAY-DIMENSIONS")
def array_dimensions(array: Any) -> Any:
    check(isinstance(array, (list, str)), array, "ARRAY")
    return make_list([len(array)])


@builtin("ARRAY-DIMENSION")
def array_dimension(array: Any, axis: Any) -> int:
    check(isinstance(array, (list, str)), array, "ARRAY")
    check(axis == 0 and type(axis) is int, axis, make_list([cl_symbol("INTEGER"), 0, 0]))
    return len(array)


@builtin("ARRAY-TOTAL-SIZE")
def array_total_size(array: Any) -> int:
    return array_dimension(array, 0)


@builtin("ARRAY-IN-BOUNDS-P")
def array_in_bounds_p(array: Any, *subscripts: Any) -> Any:
    check(isinstance(array, (list, str)), array, "ARRAY")
    return truth(len(subscripts) == 1 and type(subscripts[0]) is int and 0 <= subscripts[0] < len(array))


@builtin("ROW-MAJOR-AREF")
def row_major_aref(array: Any, index: Any) -> Any:
    return aref(array, index)


@builtin("ARRAY-ELEMENT-TYPE")
def array_element_type(array: Any) -> Any:
    check(isinstance(array, (list, str)), array, "ARRAY")
    return cl_symbol("CHARACTER") if isinstance(array, str) else T


@builtin("UPGRADED-ARRAY-ELEMENT-TYPE")
def upgraded_array_element_type(spec: Any, environment: Any = NIL) -> Any:
    return cl_symbol("CHARACTER") if is_character_type(spec) else T


@builtin("ADJUSTABLE-ARRAY-P")
def adjustable_array_p(array: Any) -> Any:
    """Vectors are Python lists and can always grow (and have a fill pointer: their length);
    strings are immutable."""
    check(isinstance(array, (list, str)), array, "ARRAY")
    return truth(isinstance(array, list))


builtin("ARRAY-HAS-FILL-POINTER-P")(adjustable_array_p)


@builtin("ADJUST-ARRAY")
def adjust_array(array: Any, dimensions: Any, *args: Any) -> Any:
    """``adjust-array`` of a vector to a new length, in place (a string gives a new string)."""
    kw = keywords(args, ("ELEMENT-TYPE", "INITIAL-ELEMENT", "INITIAL-CONTENTS", "FILL-POINTER",
                         "DISPLACED-TO", "DISPLACED-INDEX-OFFSET"), "ADJUST-ARRAY")
    check(isinstance(array, (list, str)), array, "ARRAY")
    size = list_items(dimensions, "ADJUST-ARRAY")[0] if isinstance(dimensions, Cons) else dimensions
    check(type(size) is int and size >= 0, size, "UNSIGNED-BYTE")
    if "INITIAL-CONTENTS" in kw:
        new = items(kw["INITIAL-CONTENTS"], "ADJUST-ARRAY")[:size]
    else:
        old = items(array, "ADJUST-ARRAY")
        new = old[:size] + [kw.get("INITIAL-ELEMENT", NIL)] * max(size - len(old), 0)
    if isinstance(array, str):
        return chars_to_string(new)
    array[:] = new
    return array


@builtin("MAKE-SEQUENCE")
def make_sequence(result_type: Any, size: Any, *args: Any) -> Any:
    kw = keywords(args, ("INITIAL-ELEMENT",), "MAKE-SEQUENCE")
    check(type(size) is int and size >= 0, size, "UNSIGNED-BYTE")
    make = _result_maker(result_type, "MAKE-SEQUENCE")
    default = Char(" ") if make is chars_to_string else NIL
    return make([kw.get("INITIAL-ELEMENT", default)] * size)


@builtin("ARRAY-RANK")
def array_rank(array: Any) -> int:
    check(isinstance(array, (list, str)), array, "ARRAY")
    return 1


for _name, _setter in (("ELT", set_elt), ("AREF", set_aref), ("SVREF", lambda v, vec, i: set_elt(v, vec, i, "(SETF SVREF)"))):
    GLOBALS[setf_function_key(cl_symbol(_name))] = _setter


@builtin("COERCE")
def coerce(obj: Any, spec: Any) -> Any:
    """``coerce`` to sequence types, CHARACTER, float types, COMPLEX, FUNCTION and T."""
    if spec is T or type_predicate(spec)(obj):
        return obj
    if sequence_kind(spec) is not None and is_sequence(obj):
        result = _result_maker(spec, "COERCE")(items(obj))
        if not type_predicate(spec)(result):
            type_error(obj, spec, f"COERCE: {show(obj)} cannot become a {show(spec)}")
        return result
    name = spec.name if isinstance(spec, Symbol) else (spec.car.name if isinstance(spec, Cons)
                                                      and isinstance(spec.car, Symbol) else None)
    if name == "CHARACTER":
        text = obj if isinstance(obj, str) else (obj.name if isinstance(obj, Symbol) else None)
        if text is not None and len(text) == 1:
            return Char(text)
    if name in ("FLOAT", "SINGLE-FLOAT", "DOUBLE-FLOAT", "SHORT-FLOAT", "LONG-FLOAT") \
            and type(obj) in REAL_TYPES:
        return float(obj)
    if name == "COMPLEX" and type(obj) in NUMBER_TYPES:
        return obj if type(obj) in RATIONAL_TYPES else complex(obj)
    if name == "FUNCTION":
        if isinstance(obj, Cons):
            return eval_form(make_list([cl_symbol("FUNCTION"), obj]))
        return function_designator(obj)
    return type_error(obj, spec, f"COERCE: {show(obj)} cannot be coerced to {show(spec)}")
