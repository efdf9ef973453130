"""Sequences: lists and vectors under one set of functions (CLHS 17), with the standard :start
:end :from-end :count :key :test keywords.

A function works on the elements as a Python list (a string's elements are characters; a vector's
are its active elements, up to its fill pointer) and builds a result of the argument's kind with
:func:`like`: a new simple vector of the same element type for a vector (see
:mod:`lisp.runtime.arrays`: a Python list for element type T, a modifiable ``LispString`` for
characters). The destructive functions change a ``LispVector`` or a Python list in place; a literal
string (a Python ``str``) cannot change, so ``fill``, ``replace`` and ``(setf elt)`` on one signal an
error, and ``nreverse``, ``sort`` and ``nsubstitute`` return a new string.
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
from lisp.library.types import sequence_type, type_predicate
from lisp.runtime.arrays import (
    LispVector,
    is_string,
    is_vector,
    literal_string_error,
    make_simple_vector,
    make_string,
    string_text,
)
from lisp.runtime.data import NIL, Char, Cons, Symbol, T, cl_symbol, make_list
from lisp.runtime.element_types import CHARACTER, ElementType
from lisp.runtime.namespace import GLOBALS, builtin, function_key, setf_function_key
from lisp.runtime.native_cons import all_reals, from_items, keep_if, keep_if_not, replace_cars
from lisp.runtime.ratio import NUMBER_TYPES, RATIONAL_TYPES, REAL_TYPES
from lisp.runtime.condition_classes import SimpleError
from lisp.runtime.signals import raise_error, type_error
from lisp.runtime.values import primary

_SEQUENCE = expected("SEQUENCE")


def is_sequence(x: Any) -> bool:
    return x is NIL or isinstance(x, Cons) or is_vector(x)


def items(seq: Any, who: str | None = None) -> list[Any]:
    """The elements of a sequence as a new Python list (characters for a string, the active
    elements of a vector); a list must be proper (:func:`lisp.library.lists.list_items`: its
    TYPE-ERROR names ``who`` when given)."""
    if isinstance(seq, list):
        return list(seq)
    if isinstance(seq, str):
        return [Char(c) for c in seq]
    if seq is NIL or isinstance(seq, Cons):
        return list_items(seq, who)
    if isinstance(seq, LispVector):
        return seq.items()
    return type_error(seq, _SEQUENCE)


def like(seq: Any, new_items: Iterable[Any]) -> Any:
    """A new sequence of the same kind as ``seq`` (a simple vector of its element type for a
    vector) holding ``new_items``."""
    if isinstance(seq, list):
        return list(new_items)
    if isinstance(seq, str):
        return make_simple_vector(CHARACTER, list(new_items))
    if isinstance(seq, LispVector):
        return make_simple_vector(seq.element_type, list(new_items))
    return from_items(new_items)


def _in_place(seq: Any, new_items: list[Any], who: str) -> Any:
    """``seq`` holding ``new_items`` (as many as it has elements) in place, for the destructive
    functions; a literal string gives a new string instead."""
    if isinstance(seq, list):
        seq[:] = new_items
        return seq
    if isinstance(seq, LispVector):
        seq.put_values(0, new_items)
        return seq
    if isinstance(seq, Cons):
        # The elements go back into the same conses (the list may be destroyed, CLHS).
        try:
            return replace_cars(seq, new_items)
        except ValueError:  # a predicate or key cut the list while the function ran
            raise_error(SimpleError("~a: the list was shortened while ~:*~a ran (~d elements, fewer conses)",
                                    who, len(new_items)))
    return like(seq, new_items)


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
    return _in_place(seq, elems, who) if who.startswith("N") else like(seq, elems)


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
    if isinstance(seq, LispVector):
        return seq.length
    return type_error(seq, _SEQUENCE)


@builtin("ELT")
def elt(seq: Any, index: Any) -> Any:
    if isinstance(seq, list):
        return seq[element_index(index, len(seq), "ELT")]
    if isinstance(seq, str):
        return Char(seq[element_index(index, len(seq), "ELT")])
    if isinstance(seq, LispVector):
        return seq.ref(element_index(index, seq.length, "ELT"))
    elems = items(seq, "ELT")
    return elems[element_index(index, len(elems), "ELT")]


def set_elt(value: Any, seq: Any, index: Any) -> Any:
    """``(setf elt)``."""
    if isinstance(seq, list):
        seq[element_index(index, len(seq), "(SETF ELT)")] = value
        return value
    if isinstance(seq, LispVector):
        return seq.set(element_index(index, seq.length, "(SETF ELT)"), value)
    if isinstance(seq, Cons):
        cell = seq
        for _ in range(element_index(index, list_length_of(seq, "(SETF ELT)"), "(SETF ELT)")):
            cell = cell.cdr
        cell.car = value
        return value
    if isinstance(seq, str):
        return literal_string_error(seq)
    return type_error(seq, _SEQUENCE)


GLOBALS[setf_function_key(cl_symbol("ELT"))] = set_elt


@builtin("SUBSEQ")
def subseq(seq: Any, start: Any, end: Any = NIL) -> Any:
    if isinstance(seq, list):
        start, end = _bounds({"START": start, "END": end}, len(seq), "SUBSEQ")
        return seq[start:end]
    if isinstance(seq, str):
        start, end = _bounds({"START": start, "END": end}, len(seq), "SUBSEQ")
        return make_string(seq[start:end])
    if isinstance(seq, LispVector):
        start, end = _bounds({"START": start, "END": end}, seq.length, "SUBSEQ")
        return make_simple_vector(seq.element_type, seq.values(start, end))
    whole = items(seq, "SUBSEQ")
    start, end = _bounds({"START": start, "END": end}, len(whole), "SUBSEQ")
    return from_items(whole[start:end])


def set_subseq(new: Any, seq: Any, start: Any, end: Any = NIL) -> Any:
    """``(setf subseq)``: the elements of ``new`` replace those of ``seq`` from ``start`` to ``end``,
    as many as both have (as REPLACE does)."""
    start, end = _bounds({"START": start, "END": end}, sequence_length(seq, "(SETF SUBSEQ)"), "(SETF SUBSEQ)")
    _write_run(seq, start, items(new, "(SETF SUBSEQ)")[:end - start], "(SETF SUBSEQ)")
    return new


GLOBALS[setf_function_key(cl_symbol("SUBSEQ"))] = set_subseq


@builtin("COPY-SEQ")
def copy_seq(seq: Any) -> Any:
    if is_string(seq):
        return make_string(string_text(seq))
    return like(seq, items(seq, "COPY-SEQ"))


@builtin("REVERSE")
def reverse(seq: Any) -> Any:
    return _reversed(seq, "REVERSE")


def _reversed(seq: Any, who: str) -> Any:
    if is_string(seq):
        return make_string(string_text(seq)[::-1])
    return like(seq, reversed(items(seq, who)))


@builtin("NREVERSE")
def nreverse(seq: Any) -> Any:
    if isinstance(seq, list):
        seq.reverse()
        return seq
    if isinstance(seq, (Cons, LispVector)):
        return _in_place(seq, items(seq, "NREVERSE")[::-1], "NREVERSE")
    return _reversed(seq, "NREVERSE")


# -- building --------------------------------------------------------------------------------------


def _sequence_type(result_type: Any, who: str) -> tuple[ElementType | None, int | None]:
    """The element type (None for a list) and length (or None) a sequence of ``result_type`` has."""
    found = sequence_type(result_type)
    if found is None:
        return type_error(result_type, make_list([cl_symbol("MEMBER"), cl_symbol("LIST"), cl_symbol("VECTOR"),
                                                  cl_symbol("STRING")]),
                          f"{who}: {show(result_type)} is not a sequence type")
    return found


def _build(result_type: Any, elems: list[Any], who: str) -> Any:
    """A new sequence of ``result_type`` holding ``elems``."""
    element_type, length = _sequence_type(result_type, who)
    if length is not None and len(elems) != length:
        type_error(make_list(elems) if element_type is None else list(elems), result_type,
                   f"{who}: {len(elems)} elements do not make a {show(result_type)}")
    if element_type is None:
        result = make_list(elems)
        if not type_predicate(result_type)(result):  # (make-sequence 'null 1), (merge 'cons () ())
            type_error(result, result_type, f"{who}: {show(result)} is not a {show(result_type)}")
        return result
    return make_simple_vector(element_type, elems)


@builtin("CONCATENATE")
def concatenate(result_type: Any, *seqs: Any) -> Any:
    if all(is_string(s) for s in seqs) and _sequence_type(result_type, "CONCATENATE") == (CHARACTER, None):
        return make_string("".join(string_text(s) for s in seqs))
    out: list[Any] = []
    for s in seqs:
        out.extend(items(s, "CONCATENATE"))
    return _build(result_type, out, "CONCATENATE")


@builtin("MAP")
def map_(result_type: Any, fn: Any, seq: Any, *more: Any) -> Any:
    f = function_designator(fn)
    if result_type is not NIL:
        _sequence_type(result_type, "MAP")  # a bad type is an error before any call
    results = [f(*args) for args in zip(*[items(s, "MAP") for s in (seq, *more)])]
    if result_type is NIL:
        return NIL
    return _build(result_type, results, "MAP")


@builtin("MAP-INTO")
def map_into(target: Any, fn: Any, *seqs: Any) -> Any:
    """``map-into``: a target vector with a fill pointer takes as many elements as its dimension
    allows, and its fill pointer then says how many were stored (CLHS)."""
    f = function_designator(fn)
    sources = [items(s, "MAP-INTO") for s in seqs]
    has_fill_pointer = isinstance(target, LispVector) and target.fill_pointer is not None
    room = target.dims[0] if has_fill_pointer else sequence_length(target, "MAP-INTO")
    results = [f(*(s[i] for s in sources)) for i in range(min([room] + [len(s) for s in sources]))]
    if has_fill_pointer:
        target.fill_pointer = len(results)
    _write_run(target, 0, results, "MAP-INTO")
    return target


def _write_run(seq: Any, start: int, new_items: list[Any], who: str) -> None:
    """Store ``new_items`` into ``seq`` from index ``start`` on (within its length)."""
    if not new_items and is_sequence(seq):
        return  # nothing changes, not even a literal string
    if isinstance(seq, list):
        seq[start:start + len(new_items)] = new_items
    elif isinstance(seq, LispVector):
        seq.put_values(start, new_items)
    elif seq is NIL or isinstance(seq, Cons):
        cell = seq
        for _ in range(start):
            cell = cell.cdr
        for value in new_items:
            cell.car = value
            cell = cell.cdr
    elif isinstance(seq, str):
        literal_string_error(seq)
    else:
        type_error(seq, _SEQUENCE)


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
    start, end = _bounds(kw, sequence_length(seq, "FILL"), "FILL")
    _write_run(seq, start, [item] * (end - start), "FILL")
    return seq


@builtin("REPLACE")
def replace(target: Any, source: Any, *args: Any) -> Any:
    kw = keywords(args, ("START1", "END1", "START2", "END2"), "REPLACE")
    src = items(source, "REPLACE")  # a copy: the source may be the target itself (CLHS)
    start1, end1 = _bounds(kw, sequence_length(target, "REPLACE"), "REPLACE", "1")
    start2, end2 = _bounds(kw, len(src), "REPLACE", "2")
    _write_run(target, start1, src[start2:end2][:end1 - start1], "REPLACE")
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
    return _in_place(seq, sorted_items(items(seq, who), pred, key_function(kw)), who)


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
    return _build(result_type, out, "MERGE")


@builtin("MAKE-SEQUENCE")
def make_sequence(result_type: Any, size: Any, *args: Any) -> Any:
    kw = keywords(args, ("INITIAL-ELEMENT",), "MAKE-SEQUENCE")
    check(type(size) is int and size >= 0, size, "UNSIGNED-BYTE")
    element_type, _ = _sequence_type(result_type, "MAKE-SEQUENCE")
    default = NIL if element_type is None else element_type.default
    return _build(result_type, [kw.get("INITIAL-ELEMENT", default)] * size, "MAKE-SEQUENCE")


@builtin("COERCE")
def coerce(obj: Any, spec: Any) -> Any:
    """``coerce`` to sequence types, CHARACTER, float types, COMPLEX, FUNCTION and T."""
    if spec is T or type_predicate(spec)(obj):
        return obj
    if is_sequence(obj) and sequence_type(spec) is not None:
        result = _build(spec, items(obj), "COERCE")
        if not type_predicate(spec)(result):
            type_error(obj, spec, f"COERCE: {show(obj)} cannot become a {show(spec)}")
        return result
    name = spec.name if isinstance(spec, Symbol) else (spec.car.name if isinstance(spec, Cons)
                                                      and isinstance(spec.car, Symbol) else None)
    if name == "CHARACTER":
        text = string_text(obj) if is_string(obj) else (obj.name if isinstance(obj, Symbol) else None)
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
